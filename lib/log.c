/*
 * log.c - syslog (facility mail) and optional stderr logging, filtered by
 * level. Thread-safe: one formatted line is written per call.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "signpost/log.h"

static const char *log_ident = "signpost";
static bool log_stderr = true;
static bool log_syslog = false;
static enum sp_log_level log_level = SP_LOG_INFO;

static const char *const level_names[] = {
	[SP_LOG_ERROR] = "error",
	[SP_LOG_WARNING] = "warning",
	[SP_LOG_NOTICE] = "notice",
	[SP_LOG_INFO] = "info",
	[SP_LOG_DEBUG] = "debug",
};

static const int level_priority[] = {
	[SP_LOG_ERROR] = LOG_ERR,
	[SP_LOG_WARNING] = LOG_WARNING,
	[SP_LOG_NOTICE] = LOG_NOTICE,
	[SP_LOG_INFO] = LOG_INFO,
	[SP_LOG_DEBUG] = LOG_DEBUG,
};

void
sp_log_open(const char *ident, bool to_stderr, bool to_syslog)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
sp_log_set_level(enum sp_log_level level)
{
	log_level = level;
}

enum sp_log_level
sp_log_get_level(void)
{
	return log_level;
}

static void
log_line(enum sp_log_level level, const char *text)
{
	if (level > log_level)
		return;
	if (log_syslog)
		syslog(level_priority[level], "%s", text);
	if (log_stderr)
		fprintf(stderr, "%s: %s%s%s\n", log_ident,
		    level <= SP_LOG_WARNING ? level_names[level] : "",
		    level <= SP_LOG_WARNING ? ": " : "", text);
}

static void __attribute__((format(printf, 3, 0)))
log_v(enum sp_log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n >= 0 && suffix != NULL && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
	log_line(level, line);
}

void
sp_log(enum sp_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, NULL, fmt, ap);
	va_end(ap);
}

void
sp_log_errno(enum sp_log_level level, const char *fmt, ...)
{
	char errtext[256];
	int saved = errno;
	va_list ap;

	snprintf(errtext, sizeof(errtext), "%s", strerror(saved));
	va_start(ap, fmt);
	log_v(level, errtext, fmt, ap);
	va_end(ap);
	errno = saved;
}

int
sp_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(level_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
sp_log_level_name(enum sp_log_level level)
{
	return level_names[level];
}

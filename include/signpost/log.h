/*
 * log.h - logging for the signpost programs: syslog (facility mail) and,
 * in the foreground, standard error as well. The signing core never logs;
 * it reports through sp_err and its caller decides.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_LOG_H
#define SIGNPOST_LOG_H

#include <stdbool.h>

/* Ordered by importance; the config's log_level keeps this and above. */
enum sp_log_level {
	SP_LOG_ERROR,
	SP_LOG_WARNING,
	SP_LOG_NOTICE,
	SP_LOG_INFO,
	SP_LOG_DEBUG,
};

void sp_log_open(const char *ident, bool to_stderr, bool to_syslog);
void sp_log_set_level(enum sp_log_level level);
enum sp_log_level sp_log_get_level(void);
void sp_log(enum sp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like sp_log, with ": <strerror(errno)>" appended. */
void sp_log_errno(enum sp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "error", "warning", ... <-> level; returns -1 for an unknown name. */
int sp_log_level_parse(const char *name);
const char *sp_log_level_name(enum sp_log_level level);

#endif

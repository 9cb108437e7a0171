/*
 * clock.c - "now" for every schedule decision, and the one textual form of
 * a time in state files and messages (see clock.h).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/clock.h"

static bool
parse_epoch(const char *text, time_t *out)
{
	char *end;
	long long v;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL)
		return false;
	*out = (time_t)v;
	return true;
}

bool
sp_time_parse(const char *text, time_t *out)
{
	struct tm tm;
	const char *end;
	time_t t;

	if (parse_epoch(text, out))
		return true;
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0' || strlen(text) != SP_TIME_TEXT - 1)
		return false;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = t;
	return true;
}

bool
sp_clock_now(time_t *now, sp_err *err)
{
	const char *fixed = getenv(SP_CLOCK_ENV);

	if (fixed == NULL || *fixed == '\0') {
		*now = time(NULL);
		return true;
	}
	if (!sp_time_parse(fixed, now)) {
		sp_err_set(err, "%s=\"%s\": not a time (epoch seconds or "
		    "YYYY-MM-DDTHH:MM:SSZ)", SP_CLOCK_ENV, fixed);
		return false;
	}
	return true;
}

void
sp_time_format(time_t t, char out[SP_TIME_TEXT])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, SP_TIME_TEXT, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, SP_TIME_TEXT, "%lld", (long long)t);
}

void
sp_duration_format(unsigned long secs, char *out, size_t size)
{
	if (secs != 0 && secs % 86400 == 0)
		snprintf(out, size, "%lud", secs / 86400);
	else if (secs != 0 && secs % 3600 == 0)
		snprintf(out, size, "%luh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		snprintf(out, size, "%lum", secs / 60);
	else
		snprintf(out, size, "%lus", secs);
}

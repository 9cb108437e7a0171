/*
 * clock.h - the one clock every schedule decision reads (key rotation in
 * dnsgen, key states in the milter), so tests can run months in seconds.
 *
 * SIGNPOST_NOW, when set, fixes "now": epoch seconds ("1795996800") or an
 * ISO 8601 UTC time ("2026-11-30T04:50:00Z"). It is for tests and drills;
 * dnsgen(1) and signpost-milter(8) document it. Times are written in the
 * same ISO form everywhere (sp_time_format).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_CLOCK_H
#define SIGNPOST_CLOCK_H

#include <stdbool.h>
#include <time.h>

#include "signpost/util.h"

#define SP_CLOCK_ENV "SIGNPOST_NOW"
/* "2026-11-30T04:50:00Z" plus the NUL */
#define SP_TIME_TEXT 21

/* Now: SIGNPOST_NOW when set (false and err when it is malformed). */
bool sp_clock_now(time_t *now, sp_err *err);
/* Epoch seconds or "YYYY-MM-DDTHH:MM:SSZ"; false when neither. */
bool sp_time_parse(const char *text, time_t *out);
/* t as "YYYY-MM-DDTHH:MM:SSZ" into out[SP_TIME_TEXT]. */
void sp_time_format(time_t t, char out[SP_TIME_TEXT]);
/* A duration for people: "7d", "36h", "90s" (largest exact unit). */
void sp_duration_format(unsigned long secs, char *out, size_t size);

#endif

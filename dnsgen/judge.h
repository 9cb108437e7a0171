/*
 * judge.h - how `dnsgen check` judges what one server said about one
 * expected record: ok, missing, differs (with what was found, escaped for
 * a terminal, and why) or error. Pure: no network, no output, so a fuzz
 * target can drive it with whatever dns_answer_decode made of any bytes.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_JUDGE_H
#define DNSGEN_JUDGE_H

#include <stdbool.h>

#include "signpost/dnsrec.h"
#include "signpost/dnstxt.h"
#include "dnsgen/resolve.h"

/* V_FAILS: evaluated as a receiver would, and it fails (SPF, MTA-STS, DANE). */
enum verdict { V_OK, V_MISSING, V_DIFFERS, V_ERROR, V_FAILS };
#define V_COUNT 5

extern const char *const verdict_names[V_COUNT];

/* What one server said about one expected record. */
struct outcome {
	enum verdict v;
	char *found;            /* V_DIFFERS: what is there instead (printable) */
	char *why;              /* V_DIFFERS / V_ERROR: a short reason */
};

void outcome_set(struct outcome *o, enum verdict v, char *found, char *why);
void outcome_free(struct outcome *o);

/* need_aa: the server was found as authoritative, so AA must be set. */
void judge_record(const struct sp_rr *rr, const struct dns_result *res,
    bool need_aa, struct outcome *o);

/* One value as it may be shown: TXT bytes escaped (RFC 1035 section 5.1). */
char *judge_shown(enum sp_rr_type type, const char *data, size_t len);
/* All of a result's values, shown, one per line. */
char *judge_shown_all(enum sp_rr_type type, const struct dns_result *res);

#endif

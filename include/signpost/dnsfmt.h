/*
 * dnsfmt.h - dnsgen's four output formats for the records dnsrec.h builds:
 * an RFC 1035 master file, nsupdate input, JSON and a table
 * (lib/dnsfmt.c). Pure: everything is appended to a buffer.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_DNSFMT_H
#define SIGNPOST_DNSFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/dnsrec.h"
#include "signpost/util.h"

/* Output formats of dnsgen(1). */
enum sp_dns_format {
	SP_FMT_ZONE,
	SP_FMT_NSUPDATE,
	SP_FMT_JSON,
	SP_FMT_TABLE,
};
/* "zone" ... ; -1 for an unknown name. */
int sp_dns_format_parse(const char *name);

/* Append all domains' records in one format (json: one array for all). */
void sp_dnsrec_format(struct sp_buf *out, const struct sp_dnsrec *recs,
    size_t n, enum sp_dns_format fmt);
/*
 * JSON: one domain's records as elements of the array, each after "\n"
 * if *first (which it then clears), else after ",\n"; the caller writes
 * the "[" before and "]\n" (nothing written) or "\n]\n" after.
 */
void sp_dnsrec_format_json_items(struct sp_buf *out,
    const struct sp_dnsrec *r, bool *first);
/* One record as a master-file line (used by keygen's "publish this"). */
void sp_rr_format_zone(struct sp_buf *out, const struct sp_rr *rr);

#endif

/*
 * spfcheck.h - the SPF part of `dnsgen check`: every address of the mail
 * host (ipv4, ipv6) evaluated by spfeval.c for the domain and for the HELO
 * name (RFC 7208 section 2.3), each verdict handed to the caller to report.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_SPFCHECK_H
#define DNSGEN_SPFCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "dnsgen/judge.h"
#include "dnsgen/resolve.h"
#include "dnsgen/spfeval.h"

/* One evaluation, as check reports it. */
struct spf_line {
	const char *name;               /* the domain evaluated, trailing dot */
	const char *address;            /* the client address, canonical */
	enum verdict v;                 /* pass ok, none missing, temperror
					   error, anything else fails */
	const struct spf_verdict *spf;
};

typedef void spf_report_fn(void *ctx, const struct spf_line *line);

/*
 * Where the questions go: with `one_server` (--server) every question to
 * servers[0]; otherwise names within `domain` to the first of the domain's
 * (authoritative) servers that answers, and names elsewhere (include
 * targets at other domains, reverse names) to the system resolver, as a
 * receiver's resolver would find them.
 */
void spf_check_domain(const struct sp_domain *dom, struct dns_server *servers,
    size_t n_servers, bool one_server, spf_report_fn *report, void *ctx);

#endif

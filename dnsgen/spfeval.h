/*
 * spfeval.h - SPF evaluated the way a receiver does it: RFC 7208's
 * check_host() (sections 4 to 6) with its macros (section 7), for one
 * client address, one domain and one sender. `dnsgen check` asks it
 * whether the mail host's addresses get "pass" for the domain and for the
 * HELO name. The DNS comes through a function the caller gives (resolve.c
 * in dnsgen, a table in the unit test), so this file has no network.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_SPFEVAL_H
#define DNSGEN_SPFEVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/util.h"
#include "dnsgen/resolve.h"

/* RFC 7208 section 2.6 */
enum spf_result {
	SPF_NONE, SPF_NEUTRAL, SPF_PASS, SPF_FAIL, SPF_SOFTFAIL,
	SPF_TEMPERROR, SPF_PERMERROR,
};
const char *spf_result_name(enum spf_result r);

/*
 * RFC 7208 section 4.6.4: at most 10 terms that cost a DNS lookup
 * (include, a, mx, ptr, exists, redirect), at most 2 lookups that find
 * nothing, at most 10 names from one MX or PTR answer. Past the limit the
 * walk goes on only to count how many the record needs, up to
 * SPF_COUNT_MAX; CNAME chains are followed for SPF_CNAME_MAX links.
 */
#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOID 2
#define SPF_MAX_NAMES 10
#define SPF_COUNT_MAX 40
#define SPF_CNAME_MAX 8
/* RFC 7208 section 4.8: an expanded name is cut to 253 bytes. */
#define SPF_NAME_MAX 253

/* Ask `name` (absolute) for `type`; fill r as dns_query does. */
typedef void spf_query_fn(void *ctx, const char *name, int type,
    struct dns_result *r);

struct spf_request {
	const char *ip;         /* the client address, IPv4 or IPv6 text */
	const char *domain;     /* check_host's <domain>, no trailing dot */
	const char *sender;     /* local-part@domain (RFC 7208 section 4.3) */
	const char *helo;       /* for %{h} */
	spf_query_fn *query;
	void *ctx;
};

struct spf_verdict {
	enum spf_result result;
	unsigned lookups;       /* terms that cost a DNS lookup */
	unsigned voids;         /* lookups that found nothing */
	char *why;              /* what decided it, or what is wrong */
};

void spf_check_host(const struct spf_request *req, struct spf_verdict *v);
void spf_verdict_free(struct spf_verdict *v);

/* ---- macros (RFC 7208 section 7), spfmacro.c ---- */

/* What the macro letters stand for during one evaluation. */
struct spf_macro_env {
	const char *sender;     /* s; l and o are its two halves */
	const char *domain;     /* d: the domain being evaluated */
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* i, v */
	const char *helo;       /* h */
};

/*
 * Expand the macro-string spec[0..len) (section 7.1 grammar) into out.
 * Letters c, r, t (explanations only) and p (which would need lookups
 * dnsgen does not make) fail, as does bad syntax, with the reason in err.
 */
bool spf_macro_expand(const struct spf_macro_env *env, const char *spec,
    size_t len, struct sp_buf *out, sp_err *err);

/*
 * A domain-spec expanded for a query (section 4.8): longer than 253 bytes,
 * labels are dropped from the left. False when the result is no name.
 */
bool spf_target_name(const struct spf_macro_env *env, const char *spec,
    size_t len, struct sp_buf *out, sp_err *err);

/* Does addr lie in net/prefix? (both of `family`; section 5.6) */
bool spf_addr_in(int family, const unsigned char *addr,
    const unsigned char *net, unsigned prefix);

#endif

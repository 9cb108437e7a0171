/*
 * tlscheck.h - the checks `dnsgen check` makes past DNS, as a receiver
 * does: the MTA-STS policy fetched over HTTPS (stscheck.c, parsed by
 * stsparse.c) and DANE at each MX host over SMTP STARTTLS (danecheck.c).
 * The addresses, MX hosts, TXT id and TLSA records they use come from the
 * same DNS servers the records were checked at (tlscheck.c). Each result
 * goes to the caller's report function, one line per check.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_TLSCHECK_H
#define DNSGEN_TLSCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "dnsgen/dnsgen.h"
#include "dnsgen/judge.h"
#include "dnsgen/resolve.h"

/*
 * What a server can make us spend, written down in dnsgen(1): HTTPS: the
 * connection within TLS_CONNECT_MS, the whole fetch within STS_FETCH_MS,
 * a body of at most STS_POLICY_MAX bytes (RFC 8461 section 3.3 lets
 * senders stop there too); SMTP: each read or write within TLS_IO_MS,
 * greeting to STARTTLS within SMTP_DIALOGUE_MS, a reply line of at most
 * SMTP_LINE_MAX bytes and SMTP_REPLY_LINES_MAX lines.
 */
#define TLS_CONNECT_MS 10000
#define TLS_IO_MS 10000
#define STS_FETCH_MS 20000
#define STS_POLICY_MAX 65536
#define SMTP_DIALOGUE_MS 30000
#define SMTP_LINE_MAX 512               /* RFC 5321 section 4.5.3.1.5 */
#define SMTP_REPLY_LINES_MAX 100
#define TLS_TEST_SECONDS_MAX 30         /* SIGNPOST_TLS_SECONDS: 1 to this */

/*
 * LIMIT_MS, or SIGNPOST_TLS_SECONDS seconds when the environment asks for
 * fewer (1 to TLS_TEST_SECONDS_MAX, for tests of the time-outs: it can
 * only shorten a limit, never lengthen it; any other value is ignored).
 */
long tls_limit_ms(long limit_ms);

/* One line of the report. */
struct tls_finding {
	enum verdict v;
	const char *kind;       /* "MTA-STS", "DANE" */
	const char *name;       /* what was checked */
	const char *where;      /* the address asked, or NULL */
	const char *expected;   /* V_DIFFERS: what dnsgen expects, or NULL */
	const char *found;      /* V_DIFFERS: what is there, or NULL */
	const char *why;        /* ok: what matched; else the reason */
};

struct tls_check {
	const struct dnsgen_opts *opts;         /* --ca, --https-port, --smtp-port */
	const struct sp_dns_conf *dns;          /* the domain's [dns] settings */
	const struct sp_dnsrec *rec;            /* what dnsgen prints */
	struct dns_server *via;                 /* where to ask DNS */
	void (*report)(void *ctx, const struct tls_finding *f);
	void *ctx;
};

/* Both checks, each only when its records are configured. */
void tls_check_domain(const struct tls_check *c);
void sts_check(const struct tls_check *c);
void dane_check(const struct tls_check *c);

/* tlscheck.c: shared lookups. */
void tls_report(const struct tls_check *c, enum verdict v, const char *kind,
    const char *name, const char *where, const char *why);
/* The A and AAAA of host (absolute) at c->via, else the system resolver. */
void tls_addresses(const struct tls_check *c, const char *host,
    struct sp_list *out);
/* The MX hosts (absolute, lower case) published for the domain, or if
 * none, the ones dnsgen prints. */
void tls_mx_hosts(const struct tls_check *c, struct sp_list *out);

/* stsparse.c: the policy file (RFC 8461 section 3.2), pure. */
struct sts_policy {
	char *mode;             /* enforce | testing | none */
	unsigned long max_age;
	struct sp_list mx;      /* the patterns, as written */
};
bool sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
    sp_err *err);
void sts_policy_free(struct sts_policy *p);
/* Does an mx: pattern match the MX host? (RFC 8461 section 4.1) */
bool sts_mx_matches(const char *pattern, const char *host);
/* The id of a "v=STSv1; id=..." record (RFC 8461 section 3.1), or NULL. */
char *sts_txt_id(const char *txt, size_t len);

#endif

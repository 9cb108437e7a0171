/*
 * tlscheck.c - what the checks past DNS share: the report line, and the
 * lookups a receiver makes before it connects (the MX hosts of the
 * domain, and each host's A and AAAA), asked of the same servers the
 * records were checked at, so that what is tested is what is published.
 * A host outside the zone those servers hold (an MX elsewhere), or one
 * that is a CNAME (a hosted MTA-STS policy), is looked up through the
 * system resolver instead.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsgen/resolve.h"
#include "dnsgen/tlscheck.h"

long
tls_limit_ms(long limit_ms)
{
	long secs = dns_env_seconds("SIGNPOST_TLS_SECONDS",
	    TLS_TEST_SECONDS_MAX);

	return secs > 0 && secs * 1000 < limit_ms ? secs * 1000 : limit_ms;
}

void
tls_report(const struct tls_check *c, enum verdict v, const char *kind,
    const char *name, const char *where, const char *why)
{
	struct tls_finding f;

	memset(&f, 0, sizeof(f));
	f.v = v;
	f.kind = kind;
	f.name = name;
	f.where = where;
	f.why = why;
	c->report(c->ctx, &f);
}

/* getaddrinfo: for a host the servers asked do not answer for. */
static void
system_addresses(const char *host, struct sp_list *out)
{
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		char addr[NI_MAXHOST];

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr),
		    NULL, 0, NI_NUMERICHOST) == 0 &&
		    !sp_list_contains_ci(out, addr))
			sp_list_add(out, addr);
	}
	freeaddrinfo(res);
}

void
tls_addresses(const struct tls_check *c, const char *host,
    struct sp_list *out)
{
	static const int types[2] = { ns_t_a, ns_t_aaaa };
	bool answered = false;

	for (int t = 0; t < 2; t++) {
		struct dns_result r;

		dns_query(c->via, host, types[t], &r);
		/* An alias leads elsewhere: the system resolver follows it. */
		answered = answered || (r.status != DNS_ERROR && r.alias == NULL);
		for (size_t i = 0; i < r.n_values; i++)
			sp_list_add(out, r.values[i].data);
		dns_result_free(&r);
	}
	if (!answered)
		system_addresses(host, out);
}

void
tls_mx_hosts(const struct tls_check *c, struct sp_list *out)
{
	struct dns_result r;
	char *apex = sp_xasprintf("%s.", c->rec->domain);

	dns_query(c->via, apex, ns_t_mx, &r);
	for (size_t i = 0; i < r.n_values; i++) {
		const char *host = strchr(r.values[i].data, ' ');

		if (host != NULL && strcmp(host + 1, ".") != 0)
			sp_list_add(out, host + 1);
	}
	dns_result_free(&r);
	for (size_t i = 0; i < c->rec->n && out->n == 0; i++) {
		const struct sp_rr *rr = &c->rec->rr[i];
		const char *host = strchr(rr->value, ' ');

		if (rr->role == SP_ROLE_MX && host != NULL)
			sp_list_add(out, host + 1);
	}
	free(apex);
}

void
tls_check_domain(const struct tls_check *c)
{
	bool sts = false, dane = false;

	for (size_t i = 0; i < c->rec->n; i++) {
		sts = sts || (c->rec->rr[i].role == SP_ROLE_MTA_STS &&
		    c->rec->rr[i].type == SP_RR_TXT);
		dane = dane || c->rec->rr[i].role == SP_ROLE_TLSA;
	}
	if (sts)
		sts_check(c);
	if (dane)
		dane_check(c);
}

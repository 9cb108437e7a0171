/*
 * spfcheck.c - `dnsgen check` evaluates SPF as a receiver would: for the
 * domain (MAIL FROM postmaster@DOMAIN) and, when dnsgen prints an SPF
 * record for it, the HELO name (RFC 7208 section 2.3), every configured
 * address of the mail host must get "pass". This file picks the addresses,
 * routes spfeval.c's questions to the right servers and maps each result
 * onto check's verdicts; check.c prints them.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signpost/dnsname.h"
#include "signpost/grammar.h"
#include "dnsgen/spfcheck.h"

struct route {
	struct dns_server *servers;
	size_t n_servers;
	bool one_server;
	const char *domain;
	struct dns_server sys;          /* opened on first use */
	bool sys_tried;
	char *sys_error;
};

static bool
within_domain(const char *name, const char *domain)
{
	size_t len = strlen(name);
	char *bare = sp_xstrndup(name, len > 0 && name[len - 1] == '.' ?
	    len - 1 : len);
	bool in = sp_dns_name_within(bare, domain);

	free(bare);
	return in;
}

/* spf_query_fn: see spf_check_domain in spfcheck.h. */
static void
route_query(void *ctx, const char *name, int type, struct dns_result *r)
{
	struct route *rt = ctx;
	sp_err err;

	if (rt->one_server || within_domain(name, rt->domain)) {
		for (size_t i = 0; i < rt->n_servers; i++) {
			if (i > 0)
				dns_result_free(r);
			dns_query(&rt->servers[i], name, type, r);
			if (r->status != DNS_ERROR || rt->one_server)
				break;
		}
		return;
	}
	if (!rt->sys_tried) {
		rt->sys_tried = true;
		dns_server_system(&rt->sys);
		if (!dns_server_open(&rt->sys, &err))
			rt->sys_error = sp_xstrdup(err.msg);
	}
	if (rt->sys_error != NULL) {
		memset(r, 0, sizeof(*r));
		r->status = DNS_ERROR;
		r->error = sp_xstrdup(rt->sys_error);
		return;
	}
	dns_query(&rt->sys, name, type, r);
}

static enum verdict
verdict_of(enum spf_result r)
{
	switch (r) {
	case SPF_PASS: return V_OK;
	case SPF_NONE: return V_MISSING;
	case SPF_TEMPERROR: return V_ERROR;
	default: return V_FAILS;
	}
}

/* check_host(address, name, postmaster@name) and report it. */
static void
evaluate_one(struct route *rt, const char *name, const char *helo,
    const char *address, spf_report_fn *report, void *ctx)
{
	char *sender = sp_xasprintf("postmaster@%s", name);
	char *owner = sp_xasprintf("%s.", name);
	struct spf_request req = { address, name, sender, helo, route_query,
	    rt };
	struct spf_verdict v;
	struct spf_line line = { owner, address, V_OK, &v };

	spf_check_host(&req, &v);
	line.v = verdict_of(v.result);
	report(ctx, &line);
	spf_verdict_free(&v);
	free(sender);
	free(owner);
}

/* The configured addresses in canonical form (as the records print them). */
static void
mail_addresses(const struct sp_dns_conf *dns, struct sp_list *out)
{
	const struct sp_list *lists[2] = { &dns->ipv4, &dns->ipv6 };
	int families[2] = { AF_INET, AF_INET6 };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->n; i++) {
			unsigned char a[16];
			char text[INET6_ADDRSTRLEN];

			if (inet_pton(families[k], lists[k]->v[i], a) == 1 &&
			    inet_ntop(families[k], a, text, sizeof(text)))
				sp_list_add(out, text);
		}
}

void
spf_check_domain(const struct sp_domain *dom, struct dns_server *servers,
    size_t n_servers, bool one_server, spf_report_fn *report, void *ctx)
{
	struct route rt;
	struct sp_list addresses = SP_LIST_INIT;
	char *helo = dom->dns.mail_host ?
	    sp_host_name_lower(dom->dns.mail_host) : NULL;
	/* dnsgen prints the HELO name's own record only inside the domain. */
	bool helo_own = helo != NULL && strcmp(helo, dom->name) != 0 &&
	    sp_dns_name_within(helo, dom->name);

	memset(&rt, 0, sizeof(rt));
	rt.servers = servers;
	rt.n_servers = n_servers;
	rt.one_server = one_server;
	rt.domain = dom->name;
	mail_addresses(&dom->dns, &addresses);
	for (size_t i = 0; i < addresses.n; i++)
		evaluate_one(&rt, dom->name, helo ? helo : dom->name,
		    addresses.v[i], report, ctx);
	for (size_t i = 0; helo_own && i < addresses.n; i++)
		evaluate_one(&rt, helo, helo, addresses.v[i], report, ctx);
	if (rt.sys_tried)
		dns_server_close(&rt.sys);
	free(rt.sys_error);
	free(helo);
	sp_list_free(&addresses);
}

/*
 * test_policy.c - the milter's signing policy (lib/policy.c) as a table:
 * internal / authenticated / external client x configured / unconfigured /
 * subdomain From: (subdomains yes and no), with
 * sign_authenticated on and off. Each row names the case and what must
 * come out: the d= domain and selectors, or a reason that says why not.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "signpost/policy.h"
#include "../tap.h"

static struct sp_selector com_selectors[] = {
	{ "r1", 10 }, { "e1", 10 },
};
static struct sp_selector net_selectors[] = {
	{ "s1", 20 },
};
static struct sp_domain domains[] = {
	{ .name = "example.com", .line = 9, .selectors = com_selectors,
	  .n_selectors = 2, .subdomains = false },
	{ .name = "example.net", .line = 19, .selectors = net_selectors,
	  .n_selectors = 1, .subdomains = true },
};

struct row {
	const char *name;
	bool sign_authenticated;
	const char *addr;           /* parsed into a sockaddr; NULL: none */
	const char *addr_text;      /* {client_addr} */
	const char *auth;
	const char *from;
	const char *want;           /* "d=DOMAIN s1,s2" or NULL: not signed */
	const char *reason;         /* substring of the reason when not signed */
};

static const struct row rows[] = {
	{ "internal IPv4, configured domain: both selectors", true,
	  "127.0.0.1", NULL, NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "internal IPv6 ::1", true,
	  "::1", NULL, NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "internal network 10.0.0.0/8", true,
	  "10.200.3.4", NULL, NULL, "example.net", "d=example.net s1", NULL },
	{ "IPv4-mapped IPv6 client counts as IPv4", true,
	  "::ffff:10.1.2.3", NULL, NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "internal IPv6 network 2001:db8:1::/48", true,
	  "2001:db8:1:ff::25", NULL, NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "external client, not authenticated", true,
	  "192.0.2.1", NULL, NULL, "example.com", NULL,
	  "client 192.0.2.1 is not in internal_hosts and did not authenticate" },
	{ "external IPv6 client, not authenticated", true,
	  "2001:db8:2::1", NULL, NULL, "example.com", NULL,
	  "client 2001:db8:2::1 is not in internal_hosts" },
	{ "external client with empty {auth_authen}", true,
	  "192.0.2.1", NULL, "", "example.com", NULL, "did not authenticate" },
	{ "external client, authenticated", true,
	  "192.0.2.1", NULL, "alice", "example.com", "d=example.com r1,e1", NULL },
	{ "authenticated but sign_authenticated = no", false,
	  "192.0.2.1", NULL, "alice", "example.com", NULL,
	  "sign_authenticated = no" },
	{ "internal client with sign_authenticated = no", false,
	  "127.0.0.1", NULL, NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "no sockaddr: {client_addr} text decides (internal)", true,
	  NULL, "10.0.0.5", NULL, "example.com", "d=example.com r1,e1", NULL },
	{ "no sockaddr: {client_addr} text decides (external)", true,
	  NULL, "198.51.100.7", NULL, "example.com", NULL,
	  "client 198.51.100.7 is not" },
	{ "no address at all", true,
	  NULL, NULL, NULL, "example.com", NULL, "unknown address" },
	{ "internal client, unconfigured domain", true,
	  "127.0.0.1", NULL, NULL, "example.org", NULL,
	  "From: domain example.org is not configured" },
	{ "authenticated client, unconfigured domain", true,
	  "192.0.2.1", NULL, "bob", "example.org", NULL, "not configured" },
	{ "external client, unconfigured domain: the client is the reason", true,
	  "192.0.2.1", NULL, NULL, "example.org", NULL, "not in internal_hosts" },
	{ "subdomain with subdomains = no", true,
	  "127.0.0.1", NULL, NULL, "mail.example.com", NULL,
	  "mail.example.com is a subdomain of example.com, which has subdomains = no" },
	{ "subdomain with subdomains = yes signs as the parent", true,
	  "127.0.0.1", NULL, NULL, "lists.example.net", "d=example.net s1", NULL },
	{ "deep subdomain with subdomains = yes", true,
	  "127.0.0.1", NULL, NULL, "a.b.example.net", "d=example.net s1", NULL },
	{ "look-alike domain is not a subdomain", true,
	  "127.0.0.1", NULL, NULL, "badexample.net", NULL, "not configured" },
	{ "no From: domain", true,
	  "127.0.0.1", NULL, NULL, NULL, NULL, "no From: domain" },
	{ "empty From: domain", true,
	  "127.0.0.1", NULL, NULL, "", NULL, "no From: domain" },
};

/* "d=DOMAIN s1,s2" from a result, or "not signed". */
static void
describe(const struct sp_policy_result *r, char *buf, size_t size)
{
	size_t off;

	if (!r->sign) {
		snprintf(buf, size, "not signed");
		return;
	}
	off = (size_t)snprintf(buf, size, "d=%s ", r->domain->name);
	for (size_t i = 0; i < r->n_selectors && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
		    i > 0 ? "," : "", r->selectors[i]->name);
}

static void
run_row(struct sp_config *conf, const struct row *row)
{
	struct sockaddr_storage ss;
	struct sp_policy_client client = { NULL, row->addr_text, row->auth };
	struct sp_policy_result r;
	char got[400];

	memset(&ss, 0, sizeof(ss));
	if (row->addr != NULL) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&ss;

		if (inet_pton(AF_INET, row->addr, &s4->sin_addr) == 1)
			s4->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, row->addr, &s6->sin6_addr) == 1)
			s6->sin6_family = AF_INET6;
		else
			bail_out("bad address in table: %s", row->addr);
		client.addr = (struct sockaddr *)&ss;
	}
	conf->milter.sign_authenticated = row->sign_authenticated;
	sp_policy_decide(conf, &client, row->from, &r);
	describe(&r, got, sizeof(got));
	is_str(got, row->want != NULL ? row->want : "not signed", "%s", row->name);
	if (row->want == NULL && !ok(strstr(r.reason, row->reason) != NULL,
	    "%s: reason", row->name))
		diag("reason \"%s\" lacks \"%s\"", r.reason, row->reason);
	if (row->want != NULL)
		ok(r.reason[0] == '\0', "%s: no reason when signing", row->name);
	sp_policy_result_clear(&r);
}

/* sp_policy_client_ok alone: the envelope-time check. */
static void
client_only(struct sp_config *conf)
{
	struct sp_policy_client c = { NULL, "192.0.2.9", NULL };
	char reason[SP_POLICY_REASON_MAX] = "";

	conf->milter.sign_authenticated = true;
	ok(!sp_policy_client_ok(conf, &c, reason, sizeof(reason)),
	    "client_ok: external text address refused");
	ok(strstr(reason, "192.0.2.9") != NULL, "client_ok: reason names it");
	c.auth_authen = "carol";
	ok(sp_policy_client_ok(conf, &c, reason, sizeof(reason)),
	    "client_ok: authenticated client accepted");
	c.addr_text = "127.0.0.2";
	c.auth_authen = NULL;
	ok(sp_policy_client_ok(conf, &c, reason, sizeof(reason)),
	    "client_ok: 127.0.0.2 is inside 127.0.0.0/8");
}

int
main(void)
{
	static const char *const cidrs[] = {
		"127.0.0.0/8", "::1", "10.0.0.0/8", "2001:db8:1::/48",
	};
	struct sp_cidr hosts[4];
	struct sp_config conf;

	memset(&conf, 0, sizeof(conf));
	for (size_t i = 0; i < 4; i++)
		if (!sp_cidr_parse(cidrs[i], &hosts[i]))
			bail_out("sp_cidr_parse(%s) failed", cidrs[i]);
	conf.path = "policy.conf";
	conf.milter.internal_hosts = hosts;
	conf.milter.n_internal_hosts = 4;
	conf.domains = domains;
	conf.n_domains = 2;
	sp_config_index_domains(&conf);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&conf, &rows[i]);
	client_only(&conf);
	free(conf.domain_table);
	return done_testing();
}

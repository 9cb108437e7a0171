/*
 * test_spfeval.c - dnsgen/spfeval.c and spfmacro.c without a network: the
 * macro examples of RFC 7208 section 7.4 (IPv4 and IPv6), URL escaping,
 * bad macros; names cut to 253 bytes; CIDR matching at each boundary; and
 * check_host() over a table of DNS records: every mechanism and qualifier,
 * the 10-lookup limit at 10 and 11 (and the count past it), the 2 void
 * lookups at 2 and 3, 10 and 11 MX names, several SPF records, a syntax
 * error after a matching term, redirect=, include of a domain without SPF,
 * a DNS error, CNAMEs.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsgen/spfeval.h"
#include "../tap.h"

/* ---- macros (RFC 7208 section 7.4) ---- */

static void
env_for(struct spf_macro_env *m, const char *ip)
{
	memset(m, 0, sizeof(*m));
	m->sender = "strong-bad@email.example.com";
	m->domain = "email.example.com";
	m->helo = "mx.example.org";
	m->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(m->family, ip, m->addr) != 1)
		bail_out("bad test address %s", ip);
}

static void
expands(const char *ip, const char *spec, const char *want)
{
	struct spf_macro_env m;
	struct sp_buf out = SP_BUF_INIT;
	sp_err err;

	env_for(&m, ip);
	if (!spf_macro_expand(&m, spec, strlen(spec), &out, &err))
		ok(0, "%s expands (%s)", spec, err.msg);
	else
		is_str(out.data, want, "%s expands to %s", spec, want);
	sp_buf_free(&out);
}

static void
refused(const char *spec, const char *why)
{
	struct spf_macro_env m;
	struct sp_buf out = SP_BUF_INIT;
	sp_err err;
	bool good;

	env_for(&m, "192.0.2.3");
	good = spf_macro_expand(&m, spec, strlen(spec), &out, &err);
	ok(!good && strstr(err.msg, why) != NULL, "%s is refused: %s",
	    spec, good ? "(expanded)" : err.msg);
	sp_buf_free(&out);
}

static void
test_macros(void)
{
	static const struct { const char *spec, *want; } v4[] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net" },
		{ "%{h}", "mx.example.org" },
		{ "%{S}", "strong-bad%40email.example.com" },
		{ "a%%b%_c%-d", "a%b c%20d" },
		{ "%{i}", "192.0.2.3" },
		{ "%{d2+.}", "example.com" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expands("192.0.2.3", v4[i].spec, v4[i].want);
	expands("2001:db8::cb01", "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6._spf.example.com");
	expands("2001:db8::cb01", "%{v}", "ip6");
	{
		struct spf_macro_env m;
		struct sp_buf out = SP_BUF_INIT;
		sp_err err;

		env_for(&m, "192.0.2.3");
		m.helo = NULL;
		ok(spf_macro_expand(&m, "x%{h}y", 6, &out, &err) &&
		    strcmp(out.data, "xy") == 0, "%%{h} without a HELO name: "
		    "nothing");
		sp_buf_free(&out);
	}
	refused("%{d0}", "DIGITS above 0");
	refused("%{x}", "not a macro letter");
	refused("%{p}", "PTR");
	refused("%{c}", "exp=");
	refused("%a", "must start");
	refused("abc%", "must start");
	refused("%{d", "unfinished");
	refused("%{d2", "bad macro");
	refused("a b", "0x20");
}

static void
test_target_names(void)
{
	struct spf_macro_env m;
	struct sp_buf out = SP_BUF_INIT;
	char spec[400];
	sp_err err;
	bool good;

	env_for(&m, "192.0.2.3");
	/* 4 labels of 63 + dots = 255: the first label goes. */
	snprintf(spec, sizeof(spec), "%.63s.%.63s.%.63s.%.63s",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	good = spf_target_name(&m, spec, strlen(spec), &out, &err);
	ok(good && out.len == 191 && out.data[0] == 'b', "255 bytes: cut "
	    "from the left to 191 (%zu)", out.len);
	sp_buf_reset(&out);
	spec[strlen(spec) - 2] = '\0';  /* 253 bytes: kept whole */
	good = spf_target_name(&m, spec, strlen(spec), &out, &err);
	ok(good && out.len == 253, "253 bytes: kept (%zu)", out.len);
	sp_buf_reset(&out);
	ok(spf_target_name(&m, "example.com.", 12, &out, &err) &&
	    strcmp(out.data, "example.com") == 0, "a trailing dot is dropped");
	sp_buf_reset(&out);
	ok(!spf_target_name(&m, "a..b", 4, &out, &err), "a..b is no name");
	ok(!spf_target_name(&m, "com", 3, &out, &err), "one label is no name");
	sp_buf_free(&out);
}

/* ---- CIDR (section 5.6) ---- */

static bool
in_net(const char *addr, const char *net, unsigned prefix)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	unsigned char a[16], n[16];

	if (inet_pton(family, addr, a) != 1 || inet_pton(family, net, n) != 1)
		bail_out("bad test address %s or %s", addr, net);
	return spf_addr_in(family, a, n, prefix);
}

static void
test_cidr(void)
{
	ok(in_net("192.0.2.255", "192.0.2.0", 24), "192.0.2.255 in /24");
	ok(!in_net("192.0.3.0", "192.0.2.0", 24), "192.0.3.0 not in /24");
	ok(in_net("192.0.2.1", "192.0.2.0", 31), "192.0.2.1 in /31");
	ok(!in_net("192.0.2.2", "192.0.2.0", 31), "192.0.2.2 not in /31");
	ok(in_net("192.0.2.9", "192.0.2.9", 32), "/32: the address itself");
	ok(!in_net("192.0.2.8", "192.0.2.9", 32), "/32: not its neighbour");
	ok(in_net("198.51.100.1", "192.0.2.0", 0), "/0: every address");
	ok(in_net("192.0.2.7", "192.0.2.0", 29), "192.0.2.7 in /29");
	ok(!in_net("192.0.2.8", "192.0.2.0", 29), "192.0.2.8 not in /29");
	ok(in_net("2001:db8::ffff", "2001:db8::", 64), "IPv6 in /64");
	ok(!in_net("2001:db8:0:1::", "2001:db8::", 64), "IPv6 next /64 out");
	ok(in_net("2001:db8::1", "2001:db8::", 127), "IPv6 in /127");
	ok(!in_net("2001:db8::2", "2001:db8::", 127), "IPv6 not in /127");
	ok(!in_net("2001:db8::1", "2001:db8::", 128), "IPv6 /128 exact");
}

/* ---- check_host over a table ---- */

#define ERR "!"                 /* a value that makes the query fail */

struct rr { const char *name; int type; const char *value; };

static const struct rr *table;

/* Every value at name/type; NXDOMAIN when the name has nothing at all. */
static void
table_query(void *ctx, const char *name, int type, struct dns_result *r)
{
	bool name_seen = false;

	(void)ctx;
	memset(r, 0, sizeof(*r));
	r->status = DNS_ANSWER;
	for (const struct rr *t = table; t->name != NULL; t++) {
		if (strcasecmp(t->name, name) != 0)
			continue;
		name_seen = true;
		if (t->type == ns_t_cname && type != ns_t_cname) {
			free(r->alias);
			r->alias = sp_xstrdup(t->value);
		} else if (t->type == type && strcmp(t->value, ERR) == 0) {
			r->status = DNS_ERROR;
			r->error = sp_xstrdup("timed out");
			return;
		} else if (t->type == type) {
			r->values = sp_xrealloc(r->values, r->n_values + 1,
			    sizeof(*r->values));
			r->values[r->n_values].data = sp_xstrdup(t->value);
			r->values[r->n_values].len = strlen(t->value);
			r->values[r->n_values++].malformed = NULL;
		}
	}
	if (!name_seen)
		r->status = DNS_NXDOMAIN;
}

static void
verdict_is(const struct rr *rrs, const char *ip, const char *domain,
    enum spf_result want, unsigned lookups, const char *why_has,
    const char *name)
{
	struct spf_request req = { ip, domain, "postmaster@example.com",
	    "mail.example.com", table_query, NULL };
	struct spf_verdict v;

	table = rrs;
	spf_check_host(&req, &v);
	if (!ok(v.result == want && v.lookups == lookups &&
	    (why_has == NULL || strstr(v.why, why_has) != NULL),
	    "%s: %s, %u lookups", name, spf_result_name(want), lookups))
		diag("  got %s, %u lookups, %u void: %s",
		    spf_result_name(v.result), v.lookups, v.voids, v.why);
	spf_verdict_free(&v);
}

#define T ns_t_txt
#define A ns_t_a

static void
test_mechanisms(void)
{
	static const struct rr base[] = {
		{ "example.com.", T, "v=spf1 ip4:192.0.2.0/24 a:mail.example.com "
		    "mx ~all" },
		{ "mail.example.com.", A, "198.51.100.25" },
		{ "mail.example.com.", ns_t_aaaa, "2001:db8::25" },
		{ "example.com.", ns_t_mx, "10 mx.example.com." },
		{ "mx.example.com.", A, "198.51.100.30" },
		{ NULL, 0, NULL } };
	static const struct rr quals[] = {
		{ "f.example.", T, "v=spf1 -all" }, { "s.example.", T, "v=spf1 ~all" },
		{ "n.example.", T, "v=spf1 ?all" }, { "e.example.", T, "v=spf1" },
		{ "c.example.", T, "V=SPF1 a//64 -all" },
		{ "c.example.", ns_t_aaaa, "2001:db8:1::1" },
		{ "x.example.", T, "v=spf1 exists:%{ir}.in.example -all" },
		{ "3.2.0.192.in-addr.arpa.", ns_t_ptr, "host.p.example." },
		{ "host.p.example.", A, "192.0.2.3" },
		{ "p.example.", T, "v=spf1 ptr -all" },
		{ "3.2.0.192.in.example.", A, "127.0.0.2" },
		{ "al.example.", T, "v=spf1 a:alias.al.example -all" },
		{ "alias.al.example.", ns_t_cname, "real.al.example." },
		{ "real.al.example.", A, "192.0.2.3" },
		{ "t.example.", T, "v=spf1 a -all" }, { "t.example.", A, ERR },
		{ "nm.example.", T, "v=spf1 mx ip4:192.0.2.3 -all" },
		{ "nm.example.", ns_t_mx, "0 ." },
		{ NULL, 0, NULL } };

	verdict_is(base, "192.0.2.77", "example.com", SPF_PASS, 0,
	    "ip4:192.0.2.0/24 in the SPF record of example.com", "ip4 /24");
	verdict_is(base, "198.51.100.25", "example.com", SPF_PASS, 1,
	    "a:mail.example.com", "a:host");
	verdict_is(base, "2001:db8::25", "example.com", SPF_PASS, 1, NULL,
	    "a:host over IPv6 (AAAA)");
	verdict_is(base, "198.51.100.30", "example.com", SPF_PASS, 2, "mx",
	    "mx");
	verdict_is(base, "::ffff:198.51.100.30", "example.com", SPF_PASS, 2,
	    NULL, "IPv4-mapped IPv6 is IPv4");
	verdict_is(base, "198.51.100.31", "example.com", SPF_SOFTFAIL, 2,
	    "~all", "~all");
	verdict_is(quals, "192.0.2.3", "f.example", SPF_FAIL, 0, NULL, "-all");
	verdict_is(quals, "192.0.2.3", "s.example", SPF_SOFTFAIL, 0, NULL,
	    "~all alone");
	verdict_is(quals, "192.0.2.3", "n.example", SPF_NEUTRAL, 0, NULL,
	    "?all");
	verdict_is(quals, "192.0.2.3", "e.example", SPF_NEUTRAL, 0,
	    "no term matched", "an empty record");
	verdict_is(quals, "192.0.2.3", "nothing.example", SPF_NONE, 0,
	    "no SPF record", "no record");
	verdict_is(quals, "2001:db8:1::ffff", "c.example", SPF_PASS, 1, NULL,
	    "a//64, V=SPF1 in capitals");
	verdict_is(quals, "2001:db8:2::1", "c.example", SPF_FAIL, 1, NULL,
	    "a//64: another /64");
	verdict_is(quals, "192.0.2.3", "x.example", SPF_PASS, 1, "exists",
	    "exists with %{ir}");
	verdict_is(quals, "192.0.2.4", "x.example", SPF_FAIL, 1, NULL,
	    "exists: no A record");
	verdict_is(quals, "192.0.2.3", "p.example", SPF_PASS, 1, "ptr",
	    "ptr: validated name within the domain");
	verdict_is(quals, "192.0.2.3", "al.example", SPF_PASS, 1, NULL,
	    "a: through a CNAME");
	verdict_is(quals, "192.0.2.3", "nm.example", SPF_PASS, 1, "ip4:",
	    "mx: a null MX (RFC 7505) has no host to ask");
	verdict_is(quals, "192.0.2.3", "t.example", SPF_TEMPERROR, 1,
	    "timed out", "a DNS error");
}

/* A chain of n includes: i1.example includes i2.example ... */
static struct rr *
include_chain(unsigned n)
{
	struct rr *t = sp_xcalloc(n + 2, sizeof(*t));

	for (unsigned i = 0; i <= n; i++) {
		t[i].name = sp_xasprintf("i%u.example.", i);
		t[i].type = T;
		t[i].value = i < n ? sp_xasprintf("v=spf1 include:i%u.example "
		    "-all", i + 1) : sp_xstrdup("v=spf1 ip4:192.0.2.3 -all");
	}
	return t;
}

static void
chain_free(struct rr *t)
{
	for (size_t i = 0; t[i].name != NULL; i++) {
		free((char *)t[i].name);
		free((char *)t[i].value);
	}
	free(t);
}

static void
test_limits(void)
{
	struct rr *ten = include_chain(10), *eleven = include_chain(11),
	    *many = include_chain(50);
	static const struct rr voids[] = {
		{ "v2.example.", T, "v=spf1 a:no1.example a:no2.example "
		    "ip4:192.0.2.3 -all" },
		{ "v3.example.", T, "v=spf1 a:no1.example a:no2.example "
		    "a:no3.example ip4:192.0.2.3 -all" },
		{ NULL, 0, NULL } };
	struct rr mx[13] = {
		{ "m11.example.", T, "v=spf1 mx:eleven.example -all" } };
	char *names[11];

	verdict_is(ten, "192.0.2.3", "i0.example", SPF_PASS, 10, NULL,
	    "10 includes: at the limit");
	verdict_is(eleven, "192.0.2.3", "i0.example", SPF_PERMERROR, 11,
	    "needs 11 DNS lookups (limit 10, RFC 7208 section 4.6.4); the "
	    "11th is include:i11.example in the SPF record of i10.example",
	    "11 includes: one past the limit, named");
	verdict_is(many, "192.0.2.3", "i0.example", SPF_PERMERROR, 41,
	    "needs at least 41", "50 includes: counting stops at 40");
	verdict_is(voids, "192.0.2.3", "v2.example", SPF_PASS, 2, NULL,
	    "2 void lookups: at the limit");
	verdict_is(voids, "192.0.2.3", "v3.example", SPF_PERMERROR, 3,
	    "3 DNS lookups found nothing (limit 2", "3 void lookups");
	/* eleven.example: 11 MX names (10 pass: test_mx_ten). */
	for (int i = 0; i < 11; i++) {
		names[i] = sp_xasprintf("%d mx%d.example.", i, i);
		mx[1 + i].name = "eleven.example.";
		mx[1 + i].type = ns_t_mx;
		mx[1 + i].value = names[i];
	}
	verdict_is(mx, "192.0.2.3", "m11.example", SPF_PERMERROR, 1,
	    "has 11 MX records (limit 10", "11 MX names: permerror");
	for (int i = 0; i < 11; i++)
		free(names[i]);
	chain_free(ten);
	chain_free(eleven);
	chain_free(many);
}

static void
test_mx_ten(void)
{
	static const struct rr t[] = {
		{ "m10.example.", T, "v=spf1 mx:ten.example -all" },
		{ "ten.example.", ns_t_mx, "0 a.example." },
		{ "ten.example.", ns_t_mx, "1 b.example." },
		{ "ten.example.", ns_t_mx, "2 c.example." },
		{ "ten.example.", ns_t_mx, "3 d.example." },
		{ "ten.example.", ns_t_mx, "4 e.example." },
		{ "ten.example.", ns_t_mx, "5 f.example." },
		{ "ten.example.", ns_t_mx, "6 g.example." },
		{ "ten.example.", ns_t_mx, "7 h.example." },
		{ "ten.example.", ns_t_mx, "8 i.example." },
		{ "ten.example.", ns_t_mx, "9 j.example." },
		{ "a.example.", A, "192.0.2.10" }, { "b.example.", A, "192.0.2.11" },
		{ "c.example.", A, "192.0.2.12" }, { "d.example.", A, "192.0.2.13" },
		{ "e.example.", A, "192.0.2.14" }, { "f.example.", A, "192.0.2.15" },
		{ "g.example.", A, "192.0.2.16" }, { "h.example.", A, "192.0.2.17" },
		{ "i.example.", A, "192.0.2.18" }, { "j.example.", A, "192.0.2.3" },
		{ NULL, 0, NULL } };

	verdict_is(t, "192.0.2.3", "m10.example", SPF_PASS, 1, "mx:ten",
	    "10 MX names: the 10th host matches");
}

static void
test_records(void)
{
	static const struct rr t[] = {
		{ "two.example.", T, "v=spf1 -all" },
		{ "two.example.", T, "v=spf1 +all" },
		{ "two.example.", T, "v=spf10 is not spf" },
		{ "syn.example.", T, "v=spf1 ip4:192.0.2.3 foo:bar -all" },
		{ "cidr.example.", T, "v=spf1 ip4:192.0.2.3/33 -all" },
		{ "lz.example.", T, "v=spf1 a/024 -all" },
		{ "inc.example.", T, "v=spf1 include:none.example -all" },
		{ "none.example.", A, "192.0.2.1" },
		{ "red.example.", T, "v=spf1 redirect=f.example" },
		{ "f.example.", T, "v=spf1 ip4:192.0.2.3 -all" },
		{ "rn.example.", T, "v=spf1 redirect=none.example" },
		{ "rr.example.", T, "v=spf1 redirect=f.example redirect=f.example" },
		{ "ra.example.", T, "v=spf1 ?all redirect=f.example" },
		{ "mod.example.", T, "v=spf1 foo=%{d} exp=x.%{d} ip4:192.0.2.3" },
		{ "pm.example.", T, "v=spf1 ip4:192.0.2.3 a:%{p}.example -all" },
		{ "ni.example.", T, "v=spf1 -include:f.example +all" },
		{ NULL, 0, NULL } };

	verdict_is(t, "192.0.2.3", "two.example", SPF_PERMERROR, 0,
	    "2 SPF records", "two SPF records (and v=spf10 is not one)");
	verdict_is(t, "192.0.2.3", "syn.example", SPF_PERMERROR, 0,
	    "\"foo:bar\" is not a mechanism", "a bad term after a match");
	verdict_is(t, "192.0.2.3", "cidr.example", SPF_PERMERROR, 0,
	    "not a valid ip4", "ip4 /33");
	verdict_is(t, "192.0.2.3", "lz.example", SPF_PERMERROR, 0,
	    "not a valid a", "a CIDR length with a leading zero");
	verdict_is(t, "192.0.2.3", "inc.example", SPF_PERMERROR, 1,
	    "none.example has no SPF record", "include of no SPF record");
	verdict_is(t, "192.0.2.3", "red.example", SPF_PASS, 1, NULL,
	    "redirect=");
	verdict_is(t, "192.0.2.4", "red.example", SPF_FAIL, 1, NULL,
	    "redirect= to a fail");
	verdict_is(t, "192.0.2.3", "rn.example", SPF_PERMERROR, 1,
	    "no SPF record", "redirect= to no SPF record");
	verdict_is(t, "192.0.2.3", "rr.example", SPF_PERMERROR, 0,
	    "a second redirect=", "two redirect=");
	verdict_is(t, "192.0.2.3", "ra.example", SPF_NEUTRAL, 0, NULL,
	    "all wins over redirect=");
	verdict_is(t, "192.0.2.3", "mod.example", SPF_PASS, 0, NULL,
	    "unknown modifiers and exp= are not evaluated");
	verdict_is(t, "192.0.2.3", "pm.example", SPF_PERMERROR, 0, "%{p}",
	    "%{p} is refused before anything matches");
	verdict_is(t, "192.0.2.3", "ni.example", SPF_FAIL, 1, NULL,
	    "-include: a pass inside is a fail");
	verdict_is(t, "192.0.2.3", "unknown.example", SPF_NONE, 0, NULL,
	    "NXDOMAIN: none");
}

int
main(void)
{
	test_macros();
	test_target_names();
	test_cidr();
	test_mechanisms();
	test_limits();
	test_mx_ten();
	test_records();
	return done_testing();
}

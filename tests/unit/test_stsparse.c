/*
 * test_stsparse.c - dnsgen/stsparse.c, what `dnsgen check` makes of an
 * MTA-STS policy file (RFC 8461 section 3.2), an mx: pattern (section
 * 4.1) and the _mta-sts TXT id (section 3.1): table-driven, the bad cases
 * beside the good ones; the policy is also read at every prefix, and
 * dnsgen's own policy (lib/mtasts.c) parses back to what was configured.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/tlscheck.h"
#include "signpost/mtasts.h"
#include "../tap.h"

#define GOOD "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n" \
	"mx: *.example.net\r\nmax_age: 604800\r\n"

static const struct {
	const char *name, *body, *why;  /* why: NULL when it parses */
} policies[] = {
	{ "dnsgen's form", GOOD, NULL },
	{ "bare LF, spaces, fields in any order", "mode:testing\nmx: a.example\n"
	    "max_age:  0 \nversion: STSv1\n", NULL },
	{ "an unknown field is ignored", "version: STSv1\r\nmode: none\r\n"
	    "max_age: 86400\r\nfoo: bar\r\n", NULL },
	{ "mode none needs no mx", "version: STSv1\r\nmode: none\r\n"
	    "max_age: 1\r\n", NULL },
	{ "max_age of a year", "version: STSv1\r\nmode: none\r\n"
	    "max_age: 31557600\r\n", NULL },
	{ "max_age past a year", "version: STSv1\r\nmode: none\r\n"
	    "max_age: 31557601\r\n", "more than 31557600" },
	{ "max_age not a number", "version: STSv1\r\nmode: none\r\n"
	    "max_age: -1\r\n", "line 3: max_age \"-1\" is not a number" },
	{ "max_age of 11 digits", "version: STSv1\r\nmode: none\r\n"
	    "max_age: 00000000001\r\n", "not a number" },
	{ "version STSv2", "version: STSv2\r\nmode: none\r\nmax_age: 1\r\n",
	    "line 1: version \"STSv2\" is not STSv1" },
	{ "no version", "mode: none\r\nmax_age: 1\r\n", "no version field" },
	{ "no max_age", "version: STSv1\r\nmode: none\r\n", "no max_age field" },
	{ "mode unknown", "version: STSv1\r\nmode: strict\r\nmax_age: 1\r\n",
	    "mode \"strict\" is none of" },
	{ "mode twice", "version: STSv1\r\nmode: none\r\nmode: enforce\r\n"
	    "mx: a.example\r\nmax_age: 1\r\n", "the mode field appears 2 times" },
	{ "enforce without mx", "version: STSv1\r\nmode: enforce\r\n"
	    "max_age: 1\r\n", "mode enforce without any mx: line" },
	{ "a line without a colon", "version: STSv1\r\nmode none\r\n",
	    "line 2: a line without" },
	{ "an HTML page", "<html><body>Not here</body></html>\n",
	    "line 1: a line without" },
	{ "empty", "", "no version field" },
};

static void
test_policies(void)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		struct sts_policy p;
		sp_err err;
		bool good = sts_policy_parse(policies[i].body,
		    strlen(policies[i].body), &p, &err);

		if (policies[i].why == NULL)
			ok(good, "%s: parses%s%s", policies[i].name,
			    good ? "" : ": ", good ? "" : err.msg);
		else
			ok(!good && strstr(err.msg, policies[i].why) != NULL,
			    "%s: refused, \"%s\" (%s)", policies[i].name,
			    policies[i].why, good ? "parsed" : err.msg);
		sts_policy_free(&p);
	}
}

static void
test_good_fields(void)
{
	struct sts_policy p;
	sp_err err;
	size_t bad_prefixes = 0;

	ok(sts_policy_parse(GOOD, strlen(GOOD), &p, &err) &&
	    strcmp(p.mode, "enforce") == 0 && p.max_age == 604800 &&
	    p.mx.n == 2 && strcmp(p.mx.v[1], "*.example.net") == 0,
	    "the fields of dnsgen's form are read");
	sts_policy_free(&p);
	/* Every prefix that ends before max_age is refused, never half-read. */
	for (size_t n = 0; n < strlen(GOOD) - strlen("max_age: 604800\r\n");
	    n++) {
		if (sts_policy_parse(GOOD, n, &p, &err))
			bad_prefixes++;
		sts_policy_free(&p);
	}
	ok(bad_prefixes == 0, "every prefix without max_age is refused (%zu "
	    "were not)", bad_prefixes);
	ok(!sts_policy_parse("version: STSv1\0\r\n", 17, &p, &err) &&
	    strstr(err.msg, "NUL") != NULL, "a NUL byte is refused");
	sts_policy_free(&p);
}

static void
test_own_policy(void)
{
	struct sp_dns_conf dns;
	struct sp_mx mx[2] = { { 10, (char *)"mail.example.com" },
	    { 20, (char *)"backup.example.com" } };
	struct sts_policy p;
	sp_err err;
	char *text;

	memset(&dns, 0, sizeof(dns));
	dns.mx = mx;
	dns.n_mx = 2;
	dns.policy.mta_sts = SP_MTA_STS_TESTING;
	dns.policy.mta_sts_max_age = 86400;
	text = sp_mta_sts_policy(&dns);
	ok(text != NULL && sts_policy_parse(text, strlen(text), &p, &err) &&
	    strcmp(p.mode, "testing") == 0 && p.max_age == 86400 &&
	    p.mx.n == 2 && sts_mx_matches(p.mx.v[1], "backup.example.com."),
	    "mta-sts-policy's output parses back to the configuration");
	sts_policy_free(&p);
	free(text);
}

static const struct {
	const char *pattern, *host;
	bool match;
} mx_cases[] = {
	{ "mail.example.com", "mail.example.com.", true },
	{ "mail.example.com", "MAIL.Example.COM", true },
	{ "mail.example.com.", "mail.example.com", true },
	{ "mail.example.com", "mx.example.com.", false },
	{ "mail.example.com", "mail.example.com.evil.", false },
	{ "*.example.com", "mx1.example.com.", true },
	{ "*.example.com", "a.b.example.com.", false },    /* one label only */
	{ "*.example.com", "example.com.", false },
	{ "*.example.com", ".example.com.", false },
	{ "*.example.com", "mx1.example.net.", false },
	{ "*", "mail.example.com.", false },
	{ "", "mail.example.com.", false },
};

static void
test_mx(void)
{
	for (size_t i = 0; i < sizeof(mx_cases) / sizeof(mx_cases[0]); i++)
		ok(sts_mx_matches(mx_cases[i].pattern, mx_cases[i].host) ==
		    mx_cases[i].match, "mx: %s %s %s", mx_cases[i].pattern,
		    mx_cases[i].match ? "matches" : "does not match",
		    mx_cases[i].host);
}

static const struct {
	const char *txt, *id;   /* id: NULL when none can be read */
} id_cases[] = {
	{ "v=STSv1; id=20260101T000000", "20260101T000000" },
	{ "v=STSv1;id=abc", "abc" },
	{ "v=STSv1; ext=1; id=abc ", "abc" },
	{ "v=STSv1; id=", NULL },
	{ "v=STSv1; id=a-b", NULL },
	{ "v=STSv1; id=123456789012345678901234567890123", NULL },   /* 33 */
	{ "v=STSv1", NULL },
	{ "v=spf1 -all", NULL },
	{ "id=abc; v=STSv1", NULL },
};

static void
test_txt_id(void)
{
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		char *id = sts_txt_id(id_cases[i].txt, strlen(id_cases[i].txt));

		ok(id_cases[i].id == NULL ? id == NULL :
		    id != NULL && strcmp(id, id_cases[i].id) == 0,
		    "TXT \"%s\": id %s (%s)", id_cases[i].txt,
		    id_cases[i].id ? id_cases[i].id : "none", id ? id : "none");
		free(id);
	}
}

int
main(void)
{
	test_policies();
	test_good_fields();
	test_own_policy();
	test_mx();
	test_txt_id();
	return done_testing();
}

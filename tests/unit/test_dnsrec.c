/*
 * test_dnsrec.c - lib/dnsrec, dnsname, dnstxt and dnsfmt: TXT splitting at
 * 255 bytes (a 4096-bit RSA key record included), quoting of '"', ';', '\'
 * and bytes outside ASCII, JSON strings, SPF term checking and lookup
 * counting, the DMARC tag table (good and bad side by side), names relative
 * to the domain, reverse names, the DKIM/SPF/DMARC comparisons of `check`,
 * and the records built from a real configuration, with every validation
 * message naming its config line, in all four formats.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "signpost/conf.h"
#include "signpost/dnsfmt.h"
#include "signpost/dnsname.h"
#include "signpost/dnsrec.h"
#include "signpost/dnstxt.h"
#include "signpost/keys.h"
#include "signpost/mtasts.h"
#include "../tap.h"

/* ---- TXT splitting and quoting ---- */

static char *
repeat(char c, size_t n)
{
	char *s = sp_xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
check_split(const char *name, const char *text, size_t want_parts)
{
	struct sp_list parts = SP_LIST_INIT;
	struct sp_buf joined = SP_BUF_INIT;
	bool sizes_ok = true;

	sp_txt_split(text, &parts);
	for (size_t i = 0; i < parts.n; i++) {
		size_t len = strlen(parts.v[i]);

		/* Every string full except the last, none over 255. */
		if (len > SP_TXT_STRING_MAX ||
		    (i + 1 < parts.n && len != SP_TXT_STRING_MAX) ||
		    (len == 0 && text[0] != '\0'))
			sizes_ok = false;
		sp_buf_puts(&joined, parts.v[i]);
	}
	ok(parts.n == want_parts, "split %s: %zu strings (want %zu)", name,
	    parts.n, want_parts);
	ok(sp_txt_count(strlen(text)) == want_parts, "count %s: %zu strings "
	    "(want %zu)", name, sp_txt_count(strlen(text)), want_parts);
	ok(sizes_ok, "split %s: strings of 255 bytes, the last one shorter", name);
	is_str(joined.data ? joined.data : "", text, "split %s: joins back",
	    name);
	sp_list_free(&parts);
	sp_buf_free(&joined);
}

static void
test_split(void)
{
	char *s255 = repeat('a', 255), *s256 = repeat('b', 256);
	char *s510 = repeat('c', 510), *s1000 = repeat('d', 1000);

	check_split("empty", "", 1);
	check_split("short", "v=spf1 -all", 1);
	check_split("255 bytes", s255, 1);
	check_split("256 bytes", s256, 2);
	check_split("510 bytes", s510, 2);
	check_split("1000 bytes", s1000, 4);
	free(s255);
	free(s256);
	free(s510);
	free(s1000);
}

static const struct {
	const char *name, *in, *want;
} quote_cases[] = {
	{ "plain", "v=spf1 -all", "\"v=spf1 -all\"" },
	{ "double quote", "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "backslash", "a\\b", "\"a\\\\b\"" },
	{ "semicolon stays inside quotes", "v=DKIM1; k=rsa", "\"v=DKIM1; k=rsa\"" },
	{ "UTF-8 as decimal escapes", "caf\xc3\xa9", "\"caf\\195\\169\"" },
	{ "tab", "a\tb", "\"a\\009b\"" },
	{ "DEL", "a\x7f", "\"a\\127\"" },
	{ "all three", "\";\\", "\"\\\";\\\\\"" },
};

static void
test_quote(void)
{
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
		struct sp_buf b = SP_BUF_INIT;

		sp_txt_quote(&b, quote_cases[i].in, strlen(quote_cases[i].in));
		is_str(b.data, quote_cases[i].want, "quote: %s",
		    quote_cases[i].name);
		sp_buf_free(&b);
	}
	{
		/* The split happens on the raw bytes, before escaping. */
		char *text = repeat('"', 300);
		struct sp_buf b = SP_BUF_INIT;

		sp_txt_rdata(&b, text, " ");
		ok(b.len == 2 * 300 + 4 + 1, "rdata: 300 quotes -> two strings "
		    "of escaped quotes (%zu bytes)", b.len);
		ok(strncmp(b.data + 1 + 2 * 255, "\" \"", 3) == 0,
		    "rdata: the break falls after 255 raw bytes");
		free(text);
		sp_buf_free(&b);
	}
}

/*
 * rdata quotes in place what sp_txt_split makes: the same text as quoting
 * each split string, for lengths around the 255-byte boundary and an
 * escaped byte on either side of it.
 */
static void
check_rdata_as_split(const char *name, const char *text)
{
	struct sp_list parts = SP_LIST_INIT;
	struct sp_buf want = SP_BUF_INIT, got = SP_BUF_INIT;

	sp_txt_split(text, &parts);
	for (size_t i = 0; i < parts.n; i++) {
		if (i > 0)
			sp_buf_puts(&want, "\n\t");
		sp_txt_quote(&want, parts.v[i], strlen(parts.v[i]));
	}
	sp_txt_rdata(&got, text, "\n\t");
	is_str(got.data, want.data, "rdata as split and quoted: %s", name);
	sp_list_free(&parts);
	sp_buf_free(&want);
	sp_buf_free(&got);
}

static void
test_rdata_boundaries(void)
{
	static const size_t lens[] = { 0, 1, 254, 255, 256, 509, 510, 511 };
	char name[64];

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char *text = repeat('x', lens[i]);

		snprintf(name, sizeof(name), "%zu bytes", lens[i]);
		check_rdata_as_split(name, text);
		if (lens[i] >= 2) {
			/* escapes last in one string and first in the next */
			text[lens[i] < 256 ? lens[i] - 1 : 254] = '"';
			text[lens[i] < 256 ? 0 : 255] = '\x01';
			snprintf(name, sizeof(name), "%zu bytes, escapes at "
			    "the ends", lens[i]);
			check_rdata_as_split(name, text);
		}
		free(text);
	}
	{
		struct sp_buf b = SP_BUF_INIT;

		sp_txt_escape(&b, "a\"b\\c\td\x7f", 8);
		is_str(b.data, "a\\\"b\\\\c\\009d\\127",
		    "escape: plain runs between escaped bytes");
		sp_buf_free(&b);
	}
}

static const struct {
	const char *name, *in, *want;
} json_cases[] = {
	{ "plain", "v=spf1 -all", "\"v=spf1 -all\"" },
	{ "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
	{ "newline and tab", "a\nb\tc", "\"a\\nb\\tc\"" },
	{ "control byte", "a\x01", "\"a\\u0001\"" },
	{ "UTF-8 kept", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "bad UTF-8 escaped", "a\xff", "\"a\\u00ff\"" },
	{ "overlong UTF-8 escaped", "\xc0\xaf", "\"\\u00c0\\u00af\"" },
	{ "surrogate escaped", "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
};

static void
test_json(void)
{
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		struct sp_buf b = SP_BUF_INIT;

		sp_json_string(&b, json_cases[i].in);
		is_str(b.data, json_cases[i].want, "json: %s", json_cases[i].name);
		sp_buf_free(&b);
	}
}

/* ---- SPF ---- */

static const struct {
	const char *name, *terms;
	bool good;
	unsigned lookups;
} spf_cases[] = {
	{ "fail all", "-all", true, 0 },
	{ "include", "include:_spf.example.net ~all", true, 1 },
	{ "a and mx", "a mx -all", true, 2 },
	{ "every lookup term", "a:x.example/24 mx:y.example//64 ptr "
	    "exists:%{i}.x.example include:z.example redirect=r.example", true, 6 },
	{ "qualifiers", "+a ?mx ~include:a.example -all", true, 3 },
	{ "addresses cost nothing", "ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
	    true, 0 },
	{ "exp is free", "exp=explain.example -all", true, 0 },
	{ "unknown modifier", "foo=bar -all", true, 0 },
	{ "upper case", "INCLUDE:a.example -ALL", true, 1 },
	{ "eleven includes", "include:a include:b include:c include:d "
	    "include:e include:f include:g include:h include:i include:j "
	    "include:k -all", true, 11 },
	{ "unknown mechanism", "foo -all", false, 0 },
	{ "bad ip4", "ip4:300.1.1.1 -all", false, 0 },
	{ "ip4 prefix too long", "ip4:192.0.2.0/33", false, 0 },
	{ "ip6 given as ip4", "ip4:2001:db8::1", false, 0 },
	{ "include without domain", "include -all", false, 0 },
	{ "include with empty domain", "include: -all", false, 0 },
	{ "two redirects", "redirect=a.example redirect=b.example", false, 0 },
	{ "version repeated", "v=spf1 -all", false, 0 },
	{ "all with argument", "all:x", false, 0 },
};

static void
test_spf(void)
{
	for (size_t i = 0; i < sizeof(spf_cases) / sizeof(spf_cases[0]); i++) {
		unsigned lookups = 99;
		sp_err err = { "" };
		bool good = sp_spf_check_terms(spf_cases[i].terms, &lookups, &err);

		if (!ok(good == spf_cases[i].good, "spf %s: %s", spf_cases[i].name,
		    spf_cases[i].good ? "accepted" : "refused"))
			diag("  %s", err.msg);
		if (good && spf_cases[i].good)
			ok(lookups == spf_cases[i].lookups, "spf %s: %u lookups "
			    "(want %u)", spf_cases[i].name, lookups,
			    spf_cases[i].lookups);
		if (!good && !spf_cases[i].good)
			ok(err.msg[0] != '\0', "spf %s: says why (%s)",
			    spf_cases[i].name, err.msg);
	}
	ok(sp_txt_is_spf("v=spf1 -all"), "is_spf: v=spf1 -all");
	ok(sp_txt_is_spf("V=SPF1"), "is_spf: upper case, no terms");
	ok(!sp_txt_is_spf("v=spf10 -all"), "is_spf: not v=spf10");
	ok(!sp_txt_is_spf("google-site-verification=x"), "is_spf: other TXT");
	ok(sp_spf_same("v=spf1 ip4:192.0.2.1 -all", "v=spf1  IP4:192.0.2.1 -ALL "),
	    "spf same: case and spaces ignored");
	ok(!sp_spf_same("v=spf1 a -all", "v=spf1 -all a"),
	    "spf same: order matters");
	ok(!sp_spf_same("v=spf1 a -all", "v=spf1 a"), "spf same: a term missing");
}

/* ---- DMARC ---- */

static const struct {
	const char *name, *tags;
	bool good;
	const char *why;        /* a word the message must contain */
} dmarc_cases[] = {
	{ "p only", "p=none", true, NULL },
	{ "every tag", "p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; "
	    "pct=50; fo=0:1:d:s; rf=afrf; ri=86400; "
	    "rua=mailto:a@example.com,mailto:b@example.net!10m; "
	    "ruf=mailto:f@example.com; psd=n; t=y", true, NULL },
	{ "trailing semicolon", "p=quarantine;", true, NULL },
	{ "spaces around =", "p = reject ; pct = 100", true, NULL },
	{ "policy in upper case", "p=REJECT", true, NULL },
	{ "pct 0", "p=none; pct=0", true, NULL },
	{ "rua list with spaces", "p=none; rua=mailto:a@example.com , "
	    "mailto:b@example.com", true, NULL },
	{ "empty", "", false, "p=" },
	{ "p missing", "sp=none; rua=mailto:a@example.com", false, "p=" },
	{ "bad policy", "p=block", false, "none, quarantine or reject" },
	{ "bad sp", "p=none; sp=maybe", false, "sp=maybe" },
	{ "pct over 100", "p=none; pct=101", false, "pct" },
	{ "pct negative", "p=none; pct=-1", false, "pct" },
	{ "pct not a number", "p=none; pct=abc", false, "pct" },
	{ "rua not mailto", "p=none; rua=https://example.com/r", false, "mailto" },
	{ "rua without @", "p=none; rua=mailto:nobody", false, "mailto:LOCAL@DOMAIN" },
	{ "rua bad size", "p=none; rua=mailto:a@example.com!10x", false, "size" },
	{ "rua empty entry", "p=none; rua=mailto:a@example.com,", false, "empty" },
	{ "ruf bad domain", "p=none; ruf=mailto:a@-bad-", false, "ruf=" },
	{ "bad adkim", "p=none; adkim=x", false, "adkim" },
	{ "empty aspf", "p=none; aspf=", false, "aspf" },
	{ "bad fo", "p=none; fo=2", false, "fo" },
	{ "bad fo list", "p=none; fo=0::1", false, "fo" },
	{ "bad ri", "p=none; ri=-5", false, "ri" },
	{ "bad rf", "p=none; rf=iodef", false, "afrf" },
	{ "unknown tag", "p=none; foo=bar", false, "unknown" },
	{ "typo of rua", "p=none; rau=mailto:a@example.com", false, "rau" },
	{ "tag twice", "p=none; p=reject", false, "twice" },
	{ "version given", "v=DMARC1; p=none", false, "v=DMARC1" },
	{ "not tag=value", "p=none; junk", false, "tag=value" },
	{ "bad tag name", "p=none; 9x=1", false, "tag name" },
};

static void
test_dmarc(void)
{
	for (size_t i = 0; i < sizeof(dmarc_cases) / sizeof(dmarc_cases[0]); i++) {
		sp_err err = { "" };
		bool good = sp_dmarc_check_tags(dmarc_cases[i].tags, &err);

		if (!ok(good == dmarc_cases[i].good, "dmarc %s: %s",
		    dmarc_cases[i].name, dmarc_cases[i].good ? "accepted" :
		    "refused"))
			diag("  %s", err.msg);
		if (!good && dmarc_cases[i].why != NULL &&
		    !ok(strstr(err.msg, dmarc_cases[i].why) != NULL,
		    "dmarc %s: message names \"%s\"", dmarc_cases[i].name,
		    dmarc_cases[i].why))
			diag("  message: %s", err.msg);
	}
	ok(sp_txt_is_dmarc("v=DMARC1; p=none"), "is_dmarc: plain");
	ok(sp_txt_is_dmarc("v = DMARC1 ;p=none"), "is_dmarc: spaces");
	ok(!sp_txt_is_dmarc("p=none; v=DMARC1"), "is_dmarc: v must come first");
	ok(!sp_txt_is_dmarc("v=DMARC10; p=none"), "is_dmarc: not DMARC10");
	ok(sp_dmarc_same("v=DMARC1; p=reject; rua=mailto:a@example.com",
	    "v=DMARC1;rua=mailto:a@example.com; p=REJECT;"),
	    "dmarc same: order, spaces, case of keywords");
	ok(!sp_dmarc_same("v=DMARC1; p=reject", "v=DMARC1; p=none"),
	    "dmarc same: another policy differs");
	ok(!sp_dmarc_same("v=DMARC1; p=reject", "v=DMARC1; p=reject; pct=10"),
	    "dmarc same: an extra tag differs");
	ok(!sp_dmarc_same("v=DMARC1; p=none; rua=mailto:a@example.com",
	    "v=DMARC1; p=none; rua=mailto:A@example.com"),
	    "dmarc same: a report address is compared exactly");
}

/* ---- DKIM key records ---- */

static const char *const dkim_expected = "v=DKIM1; k=rsa; p=MIIBIjANBgkq";

static const struct {
	const char *name, *found;
	bool same;
	const char *why;
} dkim_cases[] = {
	{ "identical", "v=DKIM1; k=rsa; p=MIIBIjANBgkq", true, NULL },
	{ "no spaces", "v=DKIM1;k=rsa;p=MIIBIjANBgkq", true, NULL },
	{ "whitespace inside p=", "v=DKIM1; k=rsa; p=MIIBIj ANBgkq", true, NULL },
	{ "tags reordered, no v=", "p=MIIBIjANBgkq; k=rsa", true, NULL },
	{ "k= left out (rsa default)", "v=DKIM1; p=MIIBIjANBgkq", true, NULL },
	{ "extra tags", "v=DKIM1; h=sha256; k=rsa; t=s; p=MIIBIjANBgkq", true, NULL },
	{ "s=email", "v=DKIM1; k=rsa; s=email; p=MIIBIjANBgkq", true, NULL },
	{ "another key", "v=DKIM1; k=rsa; p=MIIBIjANBgkr", false, "different" },
	{ "key type", "v=DKIM1; k=ed25519; p=MIIBIjANBgkq", false, "k=ed25519" },
	{ "revoked", "v=DKIM1; k=rsa; p=", false, "revoked" },
	{ "no p=", "v=DKIM1; k=rsa", false, "p=" },
	{ "v= not first", "k=rsa; v=DKIM1; p=MIIBIjANBgkq", false, "v=" },
	{ "v=DKIM2", "v=DKIM2; k=rsa; p=MIIBIjANBgkq", false, "DKIM1" },
	{ "not a tag list", "hello world", false, "tag=value" },
	{ "service not email", "v=DKIM1; s=tlsrpt; p=MIIBIjANBgkq", false, "s=" },
};

static void
test_dkim_compare(void)
{
	for (size_t i = 0; i < sizeof(dkim_cases) / sizeof(dkim_cases[0]); i++) {
		sp_err why = { "" };
		bool same = sp_dkim_same_key(dkim_expected, dkim_cases[i].found,
		    &why);

		ok(same == dkim_cases[i].same, "dkim %s: %s", dkim_cases[i].name,
		    dkim_cases[i].same ? "same key" : "differs");
		if (!same && dkim_cases[i].why != NULL &&
		    !ok(strstr(why.msg, dkim_cases[i].why) != NULL,
		    "dkim %s: says \"%s\"", dkim_cases[i].name, dkim_cases[i].why))
			diag("  said: %s", why.msg);
	}
}

/* ---- names ---- */

static void
test_names(void)
{
	static const struct {
		const char *name, *domain, *want;
	} rel[] = {
		{ "example.com.", "example.com", "@" },
		{ "example.com", "example.com", "@" },
		{ "mail.example.com.", "example.com", "mail" },
		{ "_dmarc.example.com.", "example.com", "_dmarc" },
		{ "s1._domainkey.example.com.", "example.com", "s1._domainkey" },
		{ "MAIL.Example.COM.", "example.com", "MAIL" },
		{ "mail.example.net.", "example.com", "mail.example.net." },
		{ "notexample.com.", "example.com", "notexample.com." },
	};
	static const struct {
		const char *addr, *want;
	} rev[] = {
		{ "203.0.113.25", "25.113.0.203.in-addr.arpa." },
		{ "2001:db8::25", "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "8.b.d.0.1.0.0.2.ip6.arpa." },
		{ "::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.ip6.arpa." },
		{ "mail.example.com", NULL },
		{ "203.0.113.256", NULL },
	};

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char *got = sp_dns_relative(rel[i].name, rel[i].domain);

		is_str(got, rel[i].want, "relative: %s in %s", rel[i].name,
		    rel[i].domain);
		free(got);
	}
	for (size_t i = 0; i < sizeof(rev) / sizeof(rev[0]); i++) {
		char *got = sp_dns_reverse_name(rev[i].addr);

		is_str(got, rev[i].want, "reverse name of %s", rev[i].addr);
		free(got);
	}
	{
		int af = 0;
		char *c = sp_dns_canon_address("2001:DB8:0:0::25", &af);

		is_str(c, "2001:db8::25", "canonical IPv6 address");
		ok(af == AF_INET6, "canonical IPv6 address: family");
		free(c);
		ok(sp_dns_canon_address("mail", NULL) == NULL,
		    "canonical address: a name is none");
	}
	ok(sp_dns_name_within("a.example.com", "example.com"), "within: child");
	ok(sp_dns_name_within("example.com", "example.com"), "within: apex");
	ok(!sp_dns_name_within("badexample.com", "example.com"),
	    "within: a label boundary is required");
}

/* ---- the 4096-bit key record ---- */

static void
test_rsa4096(void)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	struct sp_key *key;
	struct sp_list parts = SP_LIST_INIT;
	struct sp_buf zone = SP_BUF_INIT;
	struct sp_rr rr;
	char *record;
	sp_err err;
	size_t len;

	if (pkey == NULL)
		bail_out("cannot make a 4096-bit RSA key");
	key = sp_key_from_pkey(pkey, "example.com", "big", NULL, &err);
	if (key == NULL)
		bail_out("sp_key_from_pkey: %s", err.msg);
	record = sp_key_dns_record(key);
	len = strlen(record);
	sp_txt_split(record, &parts);
	ok(len > 700 && len < 765, "4096-bit record is %zu bytes", len);
	ok(parts.n == (len + 254) / 255, "4096-bit record: %zu strings", parts.n);
	ok(strlen(parts.v[0]) == 255 && strlen(parts.v[1]) == 255,
	    "4096-bit record: full 255-byte strings first");
	memset(&rr, 0, sizeof(rr));
	rr.name = "big._domainkey.example.com.";
	rr.type = SP_RR_TXT;
	rr.ttl = 300;
	rr.value = record;
	sp_rr_format_zone(&zone, &rr);
	ok(strstr(zone.data, "IN\tTXT\t( \"v=DKIM1; k=rsa; p=") != NULL &&
	    strstr(zone.data, "\" )\n") != NULL,
	    "4096-bit record: multi-string value in parentheses");
	{
		size_t quotes = 0;

		for (const char *p = zone.data; *p != '\0'; p++)
			quotes += *p == '"';
		ok(quotes == 2 * parts.n, "4096-bit record: %zu quoted strings "
		    "in the zone line", quotes / 2);
	}
	sp_buf_free(&zone);
	sp_list_free(&parts);
	free(record);
	sp_key_free(key);
}

/* ---- records from a configuration ---- */

static const char base_conf[] =
    "[dns]\n"                                           /* 1 */
    "ttl = 600\n"                                       /* 2 */
    "mail_host = mail.example.com\n"                    /* 3 */
    "ipv4 = 203.0.113.25\n"                             /* 4 */
    "ipv6 = 2001:DB8::25\n"                             /* 5 */
    "dmarc = p=reject; rua=mailto:dmarc@example.com\n"  /* 6 */
    "services = submissions, imaps\n"                   /* 7 */
    "\n"                                                /* 8 */
    "[domain example.com]\n"                            /* 9 */
    "selector = s1, gone\n";                            /* 10 */

static struct sp_config *
config(const char *extra)
{
	struct sp_buf text = SP_BUF_INIT;
	struct sp_config *conf;
	sp_err err;

	sp_buf_puts(&text, base_conf);
	sp_buf_puts(&text, extra);
	conf = sp_config_parse("t.conf", text.data, text.len, &err);
	if (conf == NULL)
		bail_out("config: %s", err.msg);
	sp_buf_free(&text);
	return conf;
}

static const struct sp_dkim_pub test_keys[] = {
	{ "old", "v=DKIM1; k=rsa; p=OLDKEY", false, true, 2048, false, NULL },
	{ "s1", "v=DKIM1; k=ed25519; p=NEWKEY", true, false, 256, false, NULL },
};

struct built {
	struct sp_config *conf;
	struct sp_dnsrec rec;
	struct sp_list warnings, errors;
	bool good;
};

static void
build_tlsa(struct built *b, const char *extra, const struct sp_dkim_pub *keys,
    size_t n_keys, bool weak, const char *leaf, const char *issuer)
{
	struct sp_dnsrec_input in;

	memset(b, 0, sizeof(*b));
	memset(&in, 0, sizeof(in));
	in.tlsa_leaf = leaf;
	in.tlsa_issuer = issuer;
	b->conf = config(extra);
	in.conf_path = b->conf->path;
	in.domain = &b->conf->domains[0];
	in.keys = keys;
	in.n_keys = n_keys;
	in.allow_weak_rsa = weak;
	b->good = sp_dnsrec_build(&in, &b->rec, &b->warnings, &b->errors);
}

static void
build(struct built *b, const char *extra, const struct sp_dkim_pub *keys,
    size_t n_keys, bool weak)
{
	build_tlsa(b, extra, keys, n_keys, weak, NULL, NULL);
}

static void
built_free(struct built *b)
{
	sp_dnsrec_free(&b->rec);
	sp_list_free(&b->warnings);
	sp_list_free(&b->errors);
	sp_config_free(b->conf);
}

static const struct sp_rr *
find_rr(const struct sp_dnsrec *r, const char *name, enum sp_rr_type type)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->rr[i].name, name) == 0 && r->rr[i].type == type)
			return &r->rr[i];
	return NULL;
}

static bool
list_has(const struct sp_list *l, const char *part)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], part) != NULL)
			return true;
	return false;
}

static void
check_value(const struct sp_dnsrec *r, const char *name, enum sp_rr_type type,
    const char *want)
{
	const struct sp_rr *rr = find_rr(r, name, type);

	is_str(rr ? rr->value : NULL, want, "record %s %s", name,
	    sp_rr_type_name(type));
}

static void
test_build_default(void)
{
	struct built b;
	const struct sp_rr *rr;

	build(&b, "", test_keys, 2, false);
	ok(b.good, "build: the base configuration has no errors");
	check_value(&b.rec, "mail.example.com.", SP_RR_A, "203.0.113.25");
	check_value(&b.rec, "mail.example.com.", SP_RR_AAAA, "2001:db8::25");
	check_value(&b.rec, "example.com.", SP_RR_MX, "0 mail.example.com.");
	check_value(&b.rec, "example.com.", SP_RR_TXT,
	    "v=spf1 ip4:203.0.113.25 ip6:2001:db8::25 -all");
	check_value(&b.rec, "old._domainkey.example.com.", SP_RR_TXT,
	    "v=DKIM1; k=rsa; p=OLDKEY");
	check_value(&b.rec, "s1._domainkey.example.com.", SP_RR_TXT,
	    "v=DKIM1; k=ed25519; p=NEWKEY");
	check_value(&b.rec, "_dmarc.example.com.", SP_RR_TXT,
	    "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
	check_value(&b.rec, "_submissions._tcp.example.com.", SP_RR_SRV,
	    "0 1 465 mail.example.com.");
	check_value(&b.rec, "_submission._tcp.example.com.", SP_RR_SRV, "0 0 0 .");
	check_value(&b.rec, "_imaps._tcp.example.com.", SP_RR_SRV,
	    "0 1 993 mail.example.com.");
	check_value(&b.rec, "_imap._tcp.example.com.", SP_RR_SRV, "0 0 0 .");
	check_value(&b.rec, "_pop3s._tcp.example.com.", SP_RR_SRV, "0 0 0 .");
	check_value(&b.rec, "_pop3._tcp.example.com.", SP_RR_SRV, "0 0 0 .");
	check_value(&b.rec, "_autodiscover._tcp.example.com.", SP_RR_SRV,
	    "0 1 443 mail.example.com.");
	check_value(&b.rec, "autoconfig.example.com.", SP_RR_CNAME,
	    "mail.example.com.");
	check_value(&b.rec, "autodiscover.example.com.", SP_RR_CNAME,
	    "mail.example.com.");
	check_value(&b.rec, "mail.example.com.", SP_RR_TXT,
	    "v=spf1 ip4:203.0.113.25 ip6:2001:db8::25 -all");
	/* A, AAAA, MX, SPF, HELO SPF, 2 DKIM, DMARC, 6 SRV, autodiscover
	 * SRV, 2 CNAME; nothing for MTA-STS, TLS-RPT, TLSA or CAA unset. */
	ok(b.rec.n == 17, "build: 17 records (got %zu)", b.rec.n);
	ok(b.rec.rr[0].ttl == 600, "build: TTL from the configuration");
	rr = find_rr(&b.rec, "s1._domainkey.example.com.", SP_RR_TXT);
	ok(rr && rr->comment && strstr(rr->comment, "active"),
	    "build: the active selector is marked active");
	rr = find_rr(&b.rec, "old._domainkey.example.com.", SP_RR_TXT);
	ok(rr && rr->comment && strstr(rr->comment, "not signing"),
	    "build: an inactive key is published but marked not signing");
	ok(b.rec.n_ptr == 2, "build: PTR guidance for both addresses");
	is_str(b.rec.n_ptr ? b.rec.ptr[0].name : NULL,
	    "25.113.0.203.in-addr.arpa.", "build: IPv4 reverse name");
	is_str(b.rec.n_ptr ? b.rec.ptr[1].value : NULL, "mail.example.com.",
	    "build: PTR names mail_host");
	ok(list_has(&b.warnings, "t.conf:10: domain example.com: selector gone "
	    "is active but has no key file"),
	    "build: an active selector without a key is a warning on its line");
	built_free(&b);
}

static void
test_build_outside_host(void)
{
	struct built b;

	build(&b, "mail_host = mx.provider.example\nmx = 10 mx1.provider.example, "
	    "10 mx2.provider.example\nautodiscover = no\n", test_keys, 2, false);
	ok(b.good, "build: mail_host outside the domain is fine");
	ok(find_rr(&b.rec, "mx.provider.example.", SP_RR_A) == NULL,
	    "build: no A record for a host outside the domain");
	ok(find_rr(&b.rec, "autoconfig.example.com.", SP_RR_CNAME) == NULL,
	    "build: autodiscover = no prints no autodiscover names");
	{
		size_t mx = 0;

		for (size_t i = 0; i < b.rec.n; i++)
			mx += b.rec.rr[i].type == SP_RR_MX;
		ok(mx == 2, "build: two MX records with equal priority");
	}
	check_value(&b.rec, "_imaps._tcp.example.com.", SP_RR_SRV,
	    "0 1 993 mx.provider.example.");
	built_free(&b);
}

static const struct {
	const char *name, *extra;
	bool good;              /* errors? */
	const char *message;    /* in warnings (good) or errors (bad) */
} validation_cases[] = {
	{ "SPF over ten lookups", "spf = include:a.example include:b.example "
	    "include:c.example include:d.example include:e.example a mx ptr "
	    "exists:x.example include:f.example redirect=g.example\n", true,
	    "t.conf:11: domain example.com: spf has 11 terms" },
	{ "SPF over 450 bytes", "spf = ip6:2001:db8:1::/48 ip6:2001:db8:2::/48 "
	    "ip6:2001:db8:3::/48 ip6:2001:db8:4::/48 ip6:2001:db8:5::/48 "
	    "ip6:2001:db8:6::/48 ip6:2001:db8:7::/48 ip6:2001:db8:8::/48 "
	    "ip6:2001:db8:9::/48 ip6:2001:db8:10::/48 ip6:2001:db8:11::/48 "
	    "ip6:2001:db8:12::/48 ip6:2001:db8:13::/48 ip6:2001:db8:14::/48 "
	    "ip6:2001:db8:15::/48 ip6:2001:db8:16::/48 ip6:2001:db8:17::/48 "
	    "ip6:2001:db8:18::/48 ip6:2001:db8:19::/48 ip6:2001:db8:20::/48 "
	    "-all\n", true, "keep it under 450" },
	{ "SPF syntax", "spf = include -all\n", false,
	    "t.conf:11: domain example.com: spf: SPF term \"include\"" },
	{ "DMARC without p", "dmarc = sp=none\n", false,
	    "t.conf:11: domain example.com: dmarc: the p= tag" },
	{ "DMARC pct", "dmarc = p=none; pct=200\n", false, "t.conf:11: domain "
	    "example.com: dmarc: pct=200" },
	{ "DMARC rua", "dmarc = p=none; rua=dmarc@example.com\n", false,
	    "not a mailto: URI" },
	{ "DMARC from [dns]", "", true, NULL },
	{ "mail_host is the autoconfig name", "mail_host = autoconfig.example.com\n",
	    false, "t.conf:11: domain example.com: mail_host "
	    "autoconfig.example.com would be the autoconfig CNAME" },
	{ "mail_host is the autodiscover name",
	    "mail_host = autodiscover.example.com\n", false,
	    "would be the autodiscover CNAME" },
	{ "autodiscover name without autodiscover",
	    "mail_host = autoconfig.example.com\nautodiscover = no\n", true, NULL },
	{ "MX at the autoconfig name", "mx = 5 autoconfig.example.com\n", false,
	    "mx host autoconfig.example.com would be the autoconfig CNAME" },
	{ "no addresses inside the domain",
	    "ipv4 =\nipv6 =\nspf = include:_spf.example.net -all\n", true,
	    "neither ipv4 nor ipv6 is set" },
	{ "SPF that authorizes nobody", "ipv4 =\nipv6 =\n", true,
	    "authorizes no sender" },
};

static void
test_validation(void)
{
	for (size_t i = 0; i < sizeof(validation_cases) /
	    sizeof(validation_cases[0]); i++) {
		struct built b;
		const struct sp_list *where;

		build(&b, validation_cases[i].extra, test_keys, 2, false);
		where = validation_cases[i].good ? &b.warnings : &b.errors;
		ok(b.good == validation_cases[i].good, "validate %s: %s",
		    validation_cases[i].name, validation_cases[i].good ?
		    "no error" : "an error");
		if (validation_cases[i].message != NULL &&
		    !ok(list_has(where, validation_cases[i].message),
		    "validate %s: %s says \"%s\"", validation_cases[i].name,
		    validation_cases[i].good ? "a warning" : "the error",
		    validation_cases[i].message)) {
			for (size_t k = 0; k < b.errors.n; k++)
				diag("  error: %s", b.errors.v[k]);
			for (size_t k = 0; k < b.warnings.n; k++)
				diag("  warning: %s", b.warnings.v[k]);
		}
		built_free(&b);
	}
}

/* Values the config parser already refuses, tried on the builder itself. */
static void
test_builder_guards(void)
{
	static const struct sp_dkim_pub weak[] = {
		{ "s1", "v=DKIM1; k=rsa; p=WEAK", true, true, 1024, false, NULL },
	};
	struct sp_config *conf = config("mx = 10 mx1.example.com\n");
	struct sp_dnsrec rec;
	struct sp_list w = SP_LIST_INIT, e = SP_LIST_INIT;
	struct sp_dnsrec_input in = { conf->path, &conf->domains[0], test_keys, 2,
	    false, NULL, NULL };
	struct built b;

	free(conf->domains[0].dns.mx[0].host);
	conf->domains[0].dns.mx[0].host = sp_xstrdup("203.0.113.7");
	ok(!sp_dnsrec_build(&in, &rec, &w, &e), "guard: MX at an address "
	    "literal is an error");
	ok(list_has(&e, "t.conf:11: domain example.com: mx host 203.0.113.7 is "
	    "an address"), "guard: the error names the mx line");
	sp_dnsrec_free(&rec);
	sp_list_free(&w);
	sp_list_free(&e);
	sp_config_free(conf);

	build(&b, "", weak, 1, false);
	ok(!b.good && list_has(&b.errors, "RSA 1024 bits"),
	    "guard: a 1024-bit RSA key is an error without allow_weak_rsa");
	built_free(&b);
	build(&b, "", weak, 1, true);
	ok(b.good && list_has(&b.warnings, "RSA 1024 bits"),
	    "guard: with allow_weak_rsa it is published with a warning");
	built_free(&b);
	build(&b, "", NULL, 0, false);
	ok(b.good && list_has(&b.warnings, "no key in the domain's key folder"),
	    "guard: no key at all is a warning");
	built_free(&b);
}

/* ---- the four formats ---- */

static bool
contains(const struct sp_buf *b, const char *s)
{
	return b->data != NULL && strstr(b->data, s) != NULL;
}

static void
test_formats(void)
{
	struct built b;
	struct sp_buf out = SP_BUF_INIT;

	build(&b, "dmarc = p=none; rua=mailto:a@example.com\n", test_keys, 2,
	    false);

	sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_ZONE);
	ok(contains(&out, "\n_dmarc.example.com.             600\tIN\tTXT\t"
	    "\"v=DMARC1; p=none; rua=mailto:a@example.com\"\n"),
	    "zone: absolute name, TTL, quoted TXT");
	ok(contains(&out, "\nexample.com.                    600\tIN\tMX\t"
	    "0 mail.example.com.\n"), "zone: MX with a trailing dot");
	ok(contains(&out, "; DKIM selector s1: active"), "zone: DKIM comment");
	ok(contains(&out, ";   25.113.0.203.in-addr.arpa. 600\tIN\tPTR\t"
	    "mail.example.com.\n"), "zone: PTR guidance as a comment");
	sp_buf_reset(&out);

	sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_NSUPDATE);
	ok(contains(&out, "update delete example.com. MX\nupdate add "
	    "example.com. 600 MX 0 mail.example.com.\n"),
	    "nsupdate: delete the RRset, then add");
	ok(contains(&out, "update add _imap._tcp.example.com. 600 SRV 0 0 0 .\n"),
	    "nsupdate: a service not offered");
	ok(out.len > 5 && strcmp(out.data + out.len - 5, "send\n") == 0,
	    "nsupdate: ends with send");
	ok(!contains(&out, "\n\n"), "nsupdate: no blank line (nsupdate would "
	    "send early)");
	sp_buf_reset(&out);

	sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_JSON);
	ok(out.len > 4 && out.data[0] == '[' && strcmp(out.data + out.len - 2,
	    "]\n") == 0, "json: one array");
	ok(contains(&out, "{\"name\": \"_dmarc.example.com.\", \"type\": \"TXT\", "
	    "\"ttl\": 600, \"value\": \"v=DMARC1; p=none; rua=mailto:a@example.com\", "
	    "\"strings\": [\"v=DMARC1; p=none; rua=mailto:a@example.com\"]}"),
	    "json: TXT with value and strings");
	ok(contains(&out, "{\"name\": \"example.com.\", \"type\": \"MX\", "
	    "\"ttl\": 600, \"value\": \"0 mail.example.com.\"}"), "json: MX");
	ok(!contains(&out, "PTR"), "json: no PTR guidance");
	sp_buf_reset(&out);

	sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_TABLE);
	ok(contains(&out, "Type   Host "), "table: header");
	ok(contains(&out, "\nMX     @                   0 mail.example.com  "),
	    "table: apex as @, host without the dot");
	{
		const char *row = strstr(out.data, "\nTXT    _dmarc              "
		    "v=DMARC1; p=none; rua=mailto:a@example.com   ");
		const char *end = row ? strchr(row + 1, '\n') : NULL;

		ok(end != NULL && strncmp(end - 5, "  600", 5) == 0,
		    "table: value, then the TTL in its own column");
	}
	ok(contains(&out, "203.0.113.25 -> mail.example.com"),
	    "table: reverse DNS guidance");
	sp_buf_reset(&out);

	{
		/* the owner column, padded to the longest name up to 64 */
		char *longer = repeat('x', 70), want[512];
		struct sp_rr rr[3] = {
			{ .name = "a.example.", .type = SP_RR_A, .ttl = 0,
			    .value = "192.0.2.1" },
			{ .name = longer, .type = SP_RR_TXT, .ttl = 4294967295u,
			    .value = "t" },
			{ .name = "mx.example.", .type = SP_RR_MX, .ttl = 3600,
			    .value = "0 ." },
		};
		struct sp_dnsrec r = { .domain = "example", .rr = rr, .n = 3 };
		size_t w = 0;

		sp_buf_reset(&out);
		sp_dnsrec_format(&out, &r, 1, SP_FMT_ZONE);
		w = snprintf(want, sizeof(want), "; example: the records "
		    "signpost needs (dnsgen)\n");
		w += snprintf(want + w, sizeof(want) - w, "%-*s %u\tIN\tA\t"
		    "192.0.2.1\n", 64, rr[0].name, rr[0].ttl);
		w += snprintf(want + w, sizeof(want) - w, "%-*s %u\tIN\tTXT\t"
		    "\"t\"\n", 64, rr[1].name, rr[1].ttl);
		snprintf(want + w, sizeof(want) - w, "%-*s %u\tIN\tMX\t0 .\n",
		    64, rr[2].name, rr[2].ttl);
		is_str(out.data, want, "zone: owner padded to 64, a longer one "
		    "whole, TTL 0 and 4294967295");
		free(longer);
	}
	sp_buf_reset(&out);
	sp_dnsrec_format(&out, NULL, 0, SP_FMT_JSON);
	is_str(out.data, "[]\n", "json: no domains, an empty array");
	{
		/* dnsgen records builds the array a domain at a time */
		struct sp_dnsrec three[3], none;
		struct sp_buf parts = SP_BUF_INIT;
		bool first = true;

		memset(&none, 0, sizeof(none));
		three[0] = b.rec;
		three[1] = none;
		three[2] = b.rec;
		sp_buf_reset(&out);
		sp_dnsrec_format(&out, three, 3, SP_FMT_JSON);
		sp_buf_putc(&parts, '[');
		for (size_t i = 0; i < 3; i++)
			sp_dnsrec_format_json_items(&parts, &three[i], &first);
		sp_buf_puts(&parts, first ? "]\n" : "\n]\n");
		is_str(parts.data, out.data, "json: element by element, with "
		    "a domain without records between, the same array");
		first = true;
		sp_buf_reset(&parts);
		sp_dnsrec_format_json_items(&parts, &none, &first);
		ok(first && parts.len == 0, "json: no records, no element");
		sp_buf_free(&parts);
	}
	sp_buf_free(&out);
	built_free(&b);
	ok(sp_dns_format_parse("zone") == SP_FMT_ZONE &&
	    sp_dns_format_parse("table") == SP_FMT_TABLE &&
	    sp_dns_format_parse("bind") == -1, "format names");
}

/* ---- HELO SPF, MTA-STS, TLS-RPT, TLSA, CAA ---- */

static size_t
count_rr(const struct sp_dnsrec *r, const char *name, enum sp_rr_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += strcmp(r->rr[i].name, name) == 0 && r->rr[i].type == type;
	return n;
}

static bool
rr_has(const struct sp_dnsrec *r, const char *name, enum sp_rr_type type,
    const char *value)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->rr[i].name, name) == 0 && r->rr[i].type == type &&
		    strcmp(r->rr[i].value, value) == 0)
			return true;
	return false;
}

static void
test_helo_spf(void)
{
	struct built b;

	build(&b, "", test_keys, 2, false);
	ok(count_rr(&b.rec, "mail.example.com.", SP_RR_TXT) == 1,
	    "helo spf: one TXT at mail_host");
	built_free(&b);
	build(&b, "ipv4 =\nipv6 =\nspf = include:_spf.example.net -all\n",
	    test_keys, 2, false);
	check_value(&b.rec, "mail.example.com.", SP_RR_TXT, "v=spf1 a -all");
	built_free(&b);
	build(&b, "mail_host = mx.provider.example\n", test_keys, 2, false);
	ok(count_rr(&b.rec, "mx.provider.example.", SP_RR_TXT) == 0,
	    "helo spf: none for a mail host outside the domain");
	built_free(&b);
	build(&b, "mail_host = example.com\nautodiscover = no\n", test_keys, 2,
	    false);
	ok(count_rr(&b.rec, "example.com.", SP_RR_TXT) == 1,
	    "helo spf: mail_host at the apex keeps one SPF record");
	built_free(&b);
}

static const char policy_two_mx[] =
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
    "mx: mx2.example.net\r\nmax_age: 604800\r\n";

static char *
sts_id_of(const char *extra)
{
	struct built b;
	const struct sp_rr *rr;
	char *id;

	build(&b, extra, test_keys, 2, false);
	rr = find_rr(&b.rec, "_mta-sts.example.com.", SP_RR_TXT);
	id = rr != NULL && strncmp(rr->value, "v=STSv1; id=", 12) == 0 ?
	    sp_xstrdup(rr->value + 12) : sp_xstrdup("(none)");
	built_free(&b);
	return id;
}

static void
test_mta_sts(void)
{
	const char *base = "mta_sts = enforce\nmx = 10 mx1.example.com, "
	    "20 mx2.example.net\n";
	char *want_id = sp_mta_sts_id(policy_two_mx), *txt, *policy;
	char *id[6];
	struct built b;
	size_t alnum;

	build(&b, base, test_keys, 2, false);
	ok(b.good, "mta-sts: builds");
	policy = sp_mta_sts_policy(&b.conf->domains[0].dns);
	is_str(policy, policy_two_mx, "mta-sts: the policy, byte for byte, CRLF");
	txt = sp_xasprintf("v=STSv1; id=%s", want_id);
	check_value(&b.rec, "_mta-sts.example.com.", SP_RR_TXT, txt);
	alnum = strspn(want_id, "0123456789abcdefghijklmnopqrstuvwxyz");
	ok(strlen(want_id) == 32 && alnum == 32,
	    "mta-sts: id is 32 alphanumerics (RFC 8461 3.1)");
	check_value(&b.rec, "mta-sts.example.com.", SP_RR_A, "203.0.113.25");
	check_value(&b.rec, "mta-sts.example.com.", SP_RR_AAAA, "2001:db8::25");
	free(txt);
	free(policy);
	built_free(&b);

	id[0] = sts_id_of(base);
	id[1] = sts_id_of(base);
	id[2] = sts_id_of("mta_sts = testing\nmx = 10 mx1.example.com, "
	    "20 mx2.example.net\n");
	id[3] = sts_id_of("mta_sts = enforce\nmta_sts_max_age = 86400\n"
	    "mx = 10 mx1.example.com, 20 mx2.example.net\n");
	id[4] = sts_id_of("mta_sts = enforce\nmx = 10 mx1.example.com\n");
	/* Not in the policy: TTL and MX priority. */
	id[5] = sts_id_of("mta_sts = enforce\nttl = 60\nmx = 5 mx1.example.com, "
	    "50 mx2.example.net\n");
	is_str(id[0], want_id, "mta-sts id: the digest of the policy bytes");
	is_str(id[1], id[0], "mta-sts id: a re-run gives the same id");
	ok(strcmp(id[2], id[0]) != 0, "mta-sts id: another mode, another id");
	ok(strcmp(id[3], id[0]) != 0, "mta-sts id: another max_age, another id");
	ok(strcmp(id[4], id[0]) != 0, "mta-sts id: an MX less, another id");
	is_str(id[5], id[0], "mta-sts id: TTL and MX priority (not in the "
	    "policy) leave it alone");
	for (size_t i = 0; i < 6; i++)
		free(id[i]);
	free(want_id);

	build(&b, "mta_sts = testing\nmta_sts_host = 192.0.2.80\n", test_keys,
	    2, false);
	ok(count_rr(&b.rec, "mta-sts.example.com.", SP_RR_A) == 1 &&
	    rr_has(&b.rec, "mta-sts.example.com.", SP_RR_A, "192.0.2.80") &&
	    count_rr(&b.rec, "mta-sts.example.com.", SP_RR_AAAA) == 0,
	    "mta-sts: mta_sts_host replaces the mail host's addresses");
	built_free(&b);
	build(&b, "mta_sts = none\n", test_keys, 2, false);
	ok(count_rr(&b.rec, "_mta-sts.example.com.", SP_RR_TXT) == 0 &&
	    count_rr(&b.rec, "mta-sts.example.com.", SP_RR_A) == 0,
	    "mta-sts: none prints nothing");
	built_free(&b);
	build(&b, "mta_sts_host = 192.0.2.80\n", test_keys, 2, false);
	ok(list_has(&b.warnings, "t.conf:11: domain example.com: mta_sts_host "
	    "is set but mta_sts is none"),
	    "mta-sts: mta_sts_host without mta_sts is a warning on its line");
	built_free(&b);
	build(&b, "mta_sts = enforce\nipv4 =\nipv6 =\n", test_keys, 2, false);
	ok(list_has(&b.warnings, "t.conf:11: domain example.com: mta_sts is "
	    "on but neither mta_sts_host"),
	    "mta-sts: no address for mta-sts.DOMAIN is a warning on its line");
	built_free(&b);
}

static const char leaf_hex[] =
    "1c075f4ff5816b86cbbae737e449b723aecef020f93312698b71e8d07bdd19bd";
static const char ca_hex[] =
    "802d87ace2f8f53aaf74c28b3386aeb6d0da5c1c250351c5229810edc72f1be3";

static void
test_tlsa(void)
{
	struct built b;
	char *v3 = sp_xasprintf("3 1 1 %s", leaf_hex);
	char *v2 = sp_xasprintf("2 1 1 %s", ca_hex);

	build_tlsa(&b, "mx = 10 mx1.example.com, 20 mx.other.example, "
	    "30 mx2.example.com\n", test_keys, 2, false, leaf_hex, ca_hex);
	ok(b.good && b.warnings.n == 1, "tlsa: builds (one warning: "
	    "the missing key for selector gone)");
	ok(rr_has(&b.rec, "_25._tcp.mx1.example.com.", SP_RR_TLSA, v3) &&
	    rr_has(&b.rec, "_25._tcp.mx1.example.com.", SP_RR_TLSA, v2),
	    "tlsa: 3 1 1 and 2 1 1 for mx1");
	ok(rr_has(&b.rec, "_25._tcp.mx2.example.com.", SP_RR_TLSA, v3) &&
	    rr_has(&b.rec, "_25._tcp.mx2.example.com.", SP_RR_TLSA, v2),
	    "tlsa: 3 1 1 and 2 1 1 for mx2");
	ok(count_rr(&b.rec, "_25._tcp.mx.other.example.", SP_RR_TLSA) == 0,
	    "tlsa: none for an MX outside the domain");
	{
		const struct sp_rr *rr = find_rr(&b.rec,
		    "_25._tcp.mx1.example.com.", SP_RR_TLSA);

		ok(rr && rr->comment && strstr(rr->comment, "DNSSEC"),
		    "tlsa: a note that TLSA needs a DNSSEC-signed zone");
	}
	built_free(&b);
	build_tlsa(&b, "tls_cert = /etc/ssl/leaf.pem\n", test_keys, 2, false,
	    leaf_hex, NULL);
	ok(rr_has(&b.rec, "_25._tcp.mail.example.com.", SP_RR_TLSA, v3) &&
	    count_rr(&b.rec, "_25._tcp.mail.example.com.", SP_RR_TLSA) == 1,
	    "tlsa: mail_host when no mx; leaf only: 3 1 1 only");
	ok(list_has(&b.warnings, "t.conf:11: domain example.com: tls_cert "
	    "/etc/ssl/leaf.pem holds no issuer"),
	    "tlsa: a leaf without its issuer is a warning on its line");
	built_free(&b);
	build_tlsa(&b, "tls_cert = /etc/ssl/c.pem\nmx = 10 mx.other.example\n",
	    test_keys, 2, false, leaf_hex, ca_hex);
	ok(list_has(&b.warnings, "t.conf:11: domain example.com: tls_cert is "
	    "set but no MX host lies inside the domain"),
	    "tlsa: no MX inside the domain is a warning");
	built_free(&b);
	build(&b, "", test_keys, 2, false);
	ok(count_rr(&b.rec, "_25._tcp.mail.example.com.", SP_RR_TLSA) == 0,
	    "tlsa: none without tls_cert");
	built_free(&b);
	free(v3);
	free(v2);
}

static void
test_tls_rpt_caa(void)
{
	struct built b;

	build(&b, "tls_rpt = mailto:tlsrpt@example.com https://r.example.net/v1\n"
	    "caa = letsencrypt.org, sectigo.com\ncaa_iodef = mailto:sec@example.com\n",
	    test_keys, 2, false);
	ok(b.good, "tls-rpt, caa: build");
	check_value(&b.rec, "_smtp._tls.example.com.", SP_RR_TXT,
	    "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example.net/v1");
	ok(count_rr(&b.rec, "example.com.", SP_RR_CAA) == 3 &&
	    rr_has(&b.rec, "example.com.", SP_RR_CAA, "0 issue \"letsencrypt.org\"") &&
	    rr_has(&b.rec, "example.com.", SP_RR_CAA, "0 issue \"sectigo.com\"") &&
	    rr_has(&b.rec, "example.com.", SP_RR_CAA,
	    "0 iodef \"mailto:sec@example.com\""),
	    "caa: one issue per CA and the iodef");
	{
		struct sp_buf out = SP_BUF_INIT;

		sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_ZONE);
		ok(contains(&out, "example.com. 600\tIN\tCAA\t0 issue "
		    "\"letsencrypt.org\"\n") || contains(&out,
		    "\tIN\tCAA\t0 issue \"letsencrypt.org\"\n"),
		    "zone: CAA line");
		sp_buf_reset(&out);
		sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_NSUPDATE);
		ok(contains(&out, "update delete example.com. CAA\n"
		    "update add example.com. 600 CAA 0 issue \"letsencrypt.org\"\n"),
		    "nsupdate: CAA RRset deleted, then added");
		sp_buf_reset(&out);
		sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_JSON);
		ok(contains(&out, "{\"name\": \"example.com.\", \"type\": \"CAA\", "
		    "\"ttl\": 600, \"value\": \"0 issue \\\"letsencrypt.org\\\"\"}"),
		    "json: CAA record");
		sp_buf_reset(&out);
		sp_dnsrec_format(&out, &b.rec, 1, SP_FMT_TABLE);
		ok(contains(&out, "\nCAA    @ ") && contains(&out,
		    "\nTXT    _smtp._tls "), "table: CAA at @, TLS-RPT at _smtp._tls");
		sp_buf_free(&out);
	}
	built_free(&b);
	build(&b, "", test_keys, 2, false);
	ok(count_rr(&b.rec, "_smtp._tls.example.com.", SP_RR_TXT) == 0 &&
	    count_rr(&b.rec, "example.com.", SP_RR_CAA) == 0,
	    "tls-rpt, caa: nothing when unset");
	built_free(&b);
}

/*
 * The records' text is built by sp_buf_printf, which formats into the
 * room the buffer has and again only when that is short: every length
 * around the room's edge must come out as snprintf says.
 */
static void
test_buf_printf(void)
{
	struct sp_buf b = SP_BUF_INIT, ref = SP_BUF_INIT;
	char piece[400], one[420];

	for (int n = 0; n < 400; n += 3) {
		int len;

		memset(piece, 'a' + n % 26, (size_t)n);
		piece[n] = '\0';
		sp_buf_printf(&b, "%d:%s|", n, piece);
		len = snprintf(one, sizeof(one), "%d:%s|", n, piece);
		sp_buf_append(&ref, one, (size_t)len);
	}
	ok(b.len == ref.len && memcmp(b.data, ref.data, b.len + 1) == 0,
	    "sp_buf_printf: every length around the buffer's room comes out "
	    "as snprintf's (%zu bytes)", b.len);
	sp_buf_free(&b);
	sp_buf_free(&ref);
}

int
main(void)
{
	test_split();
	test_quote();
	test_rdata_boundaries();
	test_json();
	test_spf();
	test_dmarc();
	test_dkim_compare();
	test_names();
	test_rsa4096();
	test_build_default();
	test_build_outside_host();
	test_validation();
	test_builder_guards();
	test_formats();
	test_helo_spf();
	test_mta_sts();
	test_tlsa();
	test_tls_rpt_caa();
	test_buf_printf();
	return done_testing();
}

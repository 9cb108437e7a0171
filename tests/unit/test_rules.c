/*
 * test_rules.c - the shared grammar rules of lib/grammar.c, each at its
 * boundaries: host names (63/64-byte labels, 253/254-byte names, the
 * all-numeric top-level label), DKIM selectors and key record names,
 * header field names (RFC 5322 and what fits a DKIM h= tag), address
 * literals, and base64 against RFC 4648's test vectors. Every refused case
 * checks a word of its reason, so a reason that names the wrong fault fails.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/grammar.h"
#include "signpost/util.h"
#include "../tap.h"

/* A run of n copies of c (caller frees). */
static char *
run_of(char c, size_t n)
{
	char *s = sp_xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A host name of exactly len bytes: labels of at most 63 'a's, then "com". */
static char *
name_of_length(size_t len)
{
	struct sp_buf b = SP_BUF_INIT;
	size_t rest = len - 3;

	while (rest >= 2) {
		size_t label = rest - 1 > 63 ? 63 : rest - 1;

		if (rest - (label + 1) == 1)
			label--;
		for (size_t i = 0; i < label; i++)
			sp_buf_putc(&b, 'a');
		sp_buf_putc(&b, '.');
		rest -= label + 1;
	}
	sp_buf_puts(&b, "com");
	return sp_buf_steal(&b);
}

struct rule_case {
	const char *name;
	const char *text;
	const char *why;        /* NULL: accepted; else a part of the reason */
};

/* One table against one checker; the text's own strlen is its length. */
static void
run_cases(const char *rule, const struct rule_case *c, size_t n,
    const char *(*check)(const char *))
{
	for (size_t i = 0; i < n; i++) {
		const char *got = check(c[i].text);

		if (c[i].why == NULL)
			ok(got == NULL, "%s: %s: accepted", rule, c[i].name);
		else if (!ok(got != NULL && strstr(got, c[i].why) != NULL,
		    "%s: %s: refused, \"%s\"", rule, c[i].name, c[i].why))
			diag("reason given: %s", got != NULL ? got : "(none)");
	}
}

static const char *
host_check(const char *s)
{
	return sp_host_name_problem(s);
}

static const char *
selector_check(const char *s)
{
	return sp_selector_problem(s, strlen(s));
}

static const char *
field_check(const char *s)
{
	return sp_field_name_problem(s, strlen(s));
}

static const char *
dkim_field_check(const char *s)
{
	return sp_dkim_field_name_problem(s, strlen(s));
}

static void
test_host_names(void)
{
	char *l63 = run_of('a', 63), *l64 = run_of('b', 64);
	char *n253 = name_of_length(253), *n254 = name_of_length(254);
	char *label63 = sp_xasprintf("%s.com", l63);
	char *label64 = sp_xasprintf("%s.com", l64);
	const struct rule_case cases[] = {
		{ "three labels", "mail.example.com", NULL },
		{ "one label", "localhost", NULL },
		{ "upper case", "MAIL.Example.COM", NULL },
		{ "inner '-' and '--'", "a-b.xn--bcher-kva.example", NULL },
		{ "all-numeric inner label", "123.example.com", NULL },
		{ "digits in the TLD", "example.c0m", NULL },
		{ "a 63-byte label", label63, NULL },
		{ "a 64-byte label", label64, "longer than 63" },
		{ "a 253-byte name", n253, NULL },
		{ "a 254-byte name", n254, "longer than 253" },
		{ "empty", "", "empty" },
		{ "empty label", "mail..example.com", "empty label" },
		{ "leading dot", ".example.com", "empty label" },
		{ "trailing dot (callers drop it)", "example.com.", "empty label" },
		{ "label starts with '-'", "-mail.example.com", "starts with '-'" },
		{ "label ends with '-'", "mail-.example.com", "ends with '-'" },
		{ "underscore", "mail_1.example.com", "other than letters" },
		{ "space", "mail example.com", "other than letters" },
		{ "non-ASCII", "b\xc3\xbc" "cher.de", "xn--" },
		{ "all-numeric TLD", "mail.example.123", "all-numeric" },
		{ "an IPv4 address", "192.0.2.1", "all-numeric" },
		{ "one all-numeric label", "1", "all-numeric" },
	};

	run_cases("host name", cases, sizeof(cases) / sizeof(cases[0]),
	    host_check);
	ok(strlen(n253) == 253 && strlen(n254) == 254 &&
	    strlen(label63) == 67, "host name: the generated names are the "
	    "lengths they claim");
	free(l63);
	free(l64);
	free(n253);
	free(n254);
	free(label63);
	free(label64);
}

static void
test_host_name_lower(void)
{
	const struct { const char *in, *want; } cases[] = {
		{ "Example.COM.", "example.com" },
		{ "mail.example.com", "mail.example.com" },
		{ "a..", "a." },
		{ ".", "." },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sp_host_name_lower(cases[i].in);

		is_str(got, cases[i].want, "host name as written: \"%s\"",
		    cases[i].in);
		free(got);
	}
}

static void
test_selectors(void)
{
	char *l63 = run_of('s', 63), *l64 = run_of('s', 64);
	char *n253 = name_of_length(253), *n254 = name_of_length(254);
	const struct rule_case cases[] = {
		{ "letters and digits", "2026r", NULL },
		{ "all digits (a selector is no TLD)", "2026", NULL },
		{ "dotted, inner '-'", "eu.2026-01", NULL },
		{ "one letter", "a", NULL },
		{ "upper case", "May2026", NULL },
		{ "a 63-byte label", l63, NULL },
		{ "a 64-byte label", l64, "longer than 63" },
		{ "253 bytes", n253, NULL },
		{ "254 bytes", n254, "longer than 253" },
		{ "empty", "", "empty" },
		{ "a path", "../x", "empty label" },
		{ "a slash", "a/b", "other than letters" },
		{ "underscore", "s_1", "other than letters" },
		{ "space", "a b", "other than letters" },
		{ "leading '-'", "-a", "starts with '-'" },
		{ "trailing '-'", "a-", "ends with '-'" },
		{ "trailing dot", "a.", "empty label" },
		{ "non-ASCII", "s\xc3\xa9l", "xn--" },
	};

	run_cases("selector", cases, sizeof(cases) / sizeof(cases[0]),
	    selector_check);
	ok(sp_selector_problem("2026r.pem", 5) == NULL,
	    "selector: only len bytes are judged (a file name minus .pem)");
	ok(sp_selector_problem("ab\0c", 4) != NULL,
	    "selector: a NUL inside len is refused");
	free(l63);
	free(l64);
	free(n253);
	free(n254);
}

static void
test_dkim_key_names(void)
{
	/* 230 + "._domainkey." (12) + "example.com" (11) = 253 */
	char *l63 = run_of('k', 63), *l41 = run_of('k', 41);
	char *s230 = sp_xasprintf("%s.%s.%s.%s", l63, l63, l63, l41 + 3);
	char *s231 = sp_xasprintf("%s.%s.%s.%s", l63, l63, l63, l41 + 2);
	const char *why;

	ok(strlen(s230) == 230 && strlen(s231) == 231,
	    "key name: the generated selectors are 230 and 231 bytes");
	ok(sp_dkim_key_name_problem("2026r", "example.com") == NULL,
	    "key name: 2026r of example.com");
	ok(sp_dkim_key_name_problem(s230, "example.com") == NULL,
	    "key name: a 253-byte record name is accepted");
	why = sp_dkim_key_name_problem(s231, "example.com");
	ok(why != NULL && strstr(why, "253") != NULL,
	    "key name: a 254-byte record name is refused, saying 253");
	why = sp_dkim_key_name_problem("a_b", "example.com");
	ok(why != NULL && strstr(why, "other than letters") != NULL,
	    "key name: a bad selector gives the selector's reason");
	free(l63);
	free(l41);
	free(s230);
	free(s231);
}

static void
test_field_names(void)
{
	const struct rule_case cases[] = {
		{ "From", "From", NULL },
		{ "X- name", "X-Mailer", NULL },
		{ "lowest byte, '!' (33)", "!", NULL },
		{ "highest byte, '~' (126)", "~", NULL },
		{ "';' is ftext", "x;y", NULL },
		{ "empty", "", "empty" },
		{ "':'", "x:y", "':'" },
		{ "space (32)", "x y", "printable" },
		{ "DEL (127)", "x\x7fy", "printable" },
		{ "tab", "x\ty", "printable" },
		{ "non-ASCII", "\xc3\xa9t\xc3\xa9", "printable" },
	};
	const struct rule_case dkim_cases[] = {
		{ "from", "from", NULL },
		{ "list-unsubscribe-post", "list-unsubscribe-post", NULL },
		{ "';' would end h=", "x;y", "';'" },
		{ "trailing ';'", "from;", "';'" },
		{ "':' still refused", "x:y", "':'" },
		{ "empty still refused", "", "empty" },
	};

	run_cases("field name", cases, sizeof(cases) / sizeof(cases[0]),
	    field_check);
	run_cases("h= field name", dkim_cases,
	    sizeof(dkim_cases) / sizeof(dkim_cases[0]), dkim_field_check);
	ok(sp_field_name_problem("From: x", 4) == NULL,
	    "field name: only len bytes are judged");
}

static void
test_address_literals(void)
{
	const struct { const char *text; bool want; } cases[] = {
		{ "203.0.113.1", true },
		{ "2001:db8::1", true },
		{ "::", true },
		{ "[203.0.113.1]", true },
		{ "[IPv6:2001:db8::1]", true },
		{ "IPv6:2001:db8::1", true },
		{ "ipv6:2001:db8::1", true },
		{ "mail.example.com", false },
		{ "203.0.113", false },
		{ "[", false },
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(sp_is_address_literal(cases[i].text) == cases[i].want,
		    "address literal: \"%s\" is %s", cases[i].text,
		    cases[i].want ? "one" : "none");
}

/* RFC 4648 section 10. */
static void
test_base64(void)
{
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	    "Zm9vYmE=", "Zm9vYmFy" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *got = sp_base64_encode((const unsigned char *)in[i],
		    strlen(in[i]));

		is_str(got, want[i], "base64 of \"%s\" (RFC 4648 section 10)",
		    in[i]);
		free(got);
	}
}

int
main(void)
{
	test_host_names();
	test_host_name_lower();
	test_selectors();
	test_dkim_key_names();
	test_field_names();
	test_address_literals();
	test_base64();
	return done_testing();
}

/*
 * test_mailaddr.c - the From: parser (lib/mailaddr.c): a table of values
 * real mail carries, each with the domain the signer must find, beside
 * values that must be refused (or found to hold more or fewer than one
 * mailbox), each with the reason it must give.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/mailaddr.h"
#include "../tap.h"

struct good {
	const char *name;
	const char *value;
	size_t n;               /* mailboxes */
	const char *domain;     /* of the first */
	const char *local;      /* of the first, or NULL: not checked */
};

static const struct good good[] = {
	{ "bare addr-spec", "joe@example.com", 1, "example.com", "joe" },
	{ "name-addr", " Joe SixPack <joe@football.example.com>", 1,
	  "football.example.com", "joe" },
	{ "domain lower-cased", "Joe <joe@Example.COM>", 1, "example.com", NULL },
	{ "angle-addr alone", "<joe@example.com>", 1, "example.com", NULL },
	{ "quoted display name with comma", "\"Doe, John\" <jd@example.com>", 1,
	  "example.com", "jd" },
	{ "quoted-pair in display name", "\"a \\\"b\\\" c\" <x@example.com>", 1,
	  "example.com", "x" },
	{ "obs-phrase with dots", "John Q. Public <jqp@example.com>", 1,
	  "example.com", "jqp" },
	{ "trailing comment", "joe@example.com (Joe Q. Public)", 1,
	  "example.com", "joe" },
	{ "nested comment", "joe@example.com (a (nested \\) one) comment)", 1,
	  "example.com", NULL },
	{ "CFWS everywhere (obsolete)", "(c) joe (c) . (c) q @ (c) example "
	  "(c) . (c) com (c)", 1, "example.com", "joe.q" },
	{ "dotted local part", "first.last@sub.example.org", 1,
	  "sub.example.org", "first.last" },
	{ "quoted local part", "\"joe smith\"@example.com", 1, "example.com",
	  "\"joe smith\"" },
	{ "atext specials in local part", "a!#$%&'*+-/=?^_`{|}~z@example.com", 1,
	  "example.com", NULL },
	{ "folded (CRLF)", " Joe\r\n <joe@example.com>", 1, "example.com", NULL },
	{ "folded (bare LF)", "\n\tJoe\n\t<joe@example.com>", 1, "example.com",
	  NULL },
	{ "encoded-word display name", "=?utf-8?q?J=C3=B6rg?= <j@example.com>",
	  1, "example.com", NULL },
	{ "UTF-8 display name (RFC 6532)", "J\xc3\xb6rg M\xc3\xbcller "
	  "<jorg@example.com>", 1, "example.com", NULL },
	{ "UTF-8 quoted display name", "\"\xe5\xbc\xa0\xe4\xb8\x89\" "
	  "<z@example.cn>", 1, "example.cn", NULL },
	{ "UTF-8 address (RFC 6532)", "j\xc3\xb6rg@B\xc3\xbc" "cher.example", 1,
	  "b\xc3\xbc" "cher.example", NULL },
	{ "source route (obsolete)", "<@relay.example,@other.example:joe@example.com>",
	  1, "example.com", "joe" },
	{ "domain literal", "joe@[192.0.2.1]", 1, "[192.0.2.1]", NULL },
	{ "IPv6 domain literal lower-cased", "joe@[IPv6:2001:DB8::1]", 1,
	  "[ipv6:2001:db8::1]", NULL },
	{ "group with one mailbox (RFC 6854)", "Team: joe@example.com;", 1,
	  "example.com", "joe" },
	{ "group with one name-addr", "Team: Joe <joe@example.com> ;  (c)", 1,
	  "example.com", NULL },
	{ "empty list elements (obsolete)", " , joe@example.com , ", 1,
	  "example.com", NULL },
	{ "two mailboxes", "a@example.com, B <b@example.net>", 2, "example.com",
	  "a" },
	{ "empty group", "undisclosed-recipients:;", 0, NULL, NULL },
	{ "group with two", "Team: a@example.com, b@example.com;", 2,
	  "example.com", NULL },
	{ "group and mailbox", "Team: a@example.com;, c@example.org", 2,
	  "example.com", NULL },
	{ "no space before angle", "Joe<joe@example.com>", 1, "example.com",
	  NULL },
};

struct bad {
	const char *name;
	const char *value;
	size_t len;             /* 0: strlen */
	const char *why;        /* must appear in the reason */
};

static const struct bad bad[] = {
	{ "empty", "", 0, "empty" },
	{ "white space only", " \r\n\t ", 0, "empty" },
	{ "comment only", " (nobody) ", 0, "empty" },
	{ "no @", "joe", 0, "no @" },
	{ "unquoted comma in display name", "Doe, John <jd@example.com>", 0,
	  "no @" },
	{ "no domain", "joe@", 0, "no domain" },
	{ "no local part", "@example.com", 0, "empty local part" },
	{ "unbalanced <", "Joe <joe@example.com", 0, "missing '>'" },
	{ "unbalanced >", "Joe joe@example.com>", 0, "unexpected" },
	{ "empty angle-addr", "Joe <>", 0, "empty address" },
	{ "double angle", "<<joe@example.com>>", 0, "unexpected '<'" },
	{ "space in domain", "joe@exa mple.com", 0, "unexpected" },
	{ "space in local part", "joe smith@example.com", 0, "unexpected" },
	{ "empty domain label", "joe@example..com", 0, "empty label" },
	{ "domain ends with a dot", "joe@example.com.", 0, "empty label" },
	{ "local part ends with a dot", "joe.@example.com", 0, "unexpected '@'" },
	{ "local part starts with a dot", ".joe@example.com", 0, "unexpected '.'" },
	{ "quoted domain", "joe@\"example.com\"", 0, "in domain" },
	{ "unterminated comment", "Joe (unclosed <joe@example.com>", 0,
	  "unterminated comment" },
	{ "unbalanced )", "joe@example.com)", 0, "unbalanced ')'" },
	{ "unterminated quote", "\"Joe <joe@example.com>", 0,
	  "unterminated quoted string" },
	{ "unterminated domain literal", "joe@[192.0.2.1", 0,
	  "unterminated domain literal" },
	{ "stray ]", "joe@example.com]", 0, "unbalanced ']'" },
	{ "backslash outside quotes", "jo\\e@example.com", 0, "backslash" },
	{ "group without ;", "Team: a@example.com", 0, "group without ';'" },
	{ "group inside a group", "A: B: c@example.com;;", 0,
	  "group inside a group" },
	{ "group without a name", ": a@example.com;", 0, "without a name" },
	{ "invalid UTF-8", "\xff\xfe <joe@example.com>", 0, "invalid UTF-8" },
	{ "overlong UTF-8", "\xc0\xaf <joe@example.com>", 0, "invalid UTF-8" },
	{ "UTF-16 surrogate", "\xed\xa0\x80 <joe@example.com>", 0,
	  "invalid UTF-8" },
	{ "truncated UTF-8", "joe@example.com \xe2\x82", 0, "invalid UTF-8" },
	{ "control character", "joe@example.com\x01", 0, "control character" },
	{ "NUL byte", "joe@exa\0mple.com", 16, "control character" },
	{ "NUL in a comment", "joe@example.com (a\0b)", 21, "NUL" },
	{ "garbage", "<<<>>>", 0, "unexpected" },
	{ "garbage punctuation", ";;;", 0, "unexpected ';'" },
	{ "text after address", "<joe@example.com> Joe", 0, "after address" },
	{ "display name starting with a dot", ". Joe <joe@example.com>", 0,
	  "starts with '.'" },
};

static void
test_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];
		struct sp_mailbox_list l;
		sp_err err = { "" };
		bool parsed = sp_mailbox_list_parse(g->value, strlen(g->value), &l,
		    &err);

		if (!ok(parsed && l.n == g->n, "%s: parses, %zu mailbox(es)",
		    g->name, g->n)) {
			diag("  value: %s", g->value);
			diag("  %s, n=%zu", parsed ? "parsed" : err.msg,
			    parsed ? l.n : 0);
		}
		if (parsed && l.n > 0 && g->domain != NULL)
			is_str(l.v[0].domain, g->domain, "%s: domain", g->name);
		if (parsed && l.n > 0 && g->local != NULL)
			is_str(l.v[0].local, g->local, "%s: local part", g->name);
		if (parsed)
			sp_mailbox_list_free(&l);
	}
}

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		struct sp_mailbox_list l;
		sp_err err = { "" };
		size_t len = b->len ? b->len : strlen(b->value);
		bool parsed = sp_mailbox_list_parse(b->value, len, &l, &err);

		if (!ok(!parsed && strstr(err.msg, b->why) != NULL,
		    "%s: refused (\"%s\")", b->name, b->why)) {
			diag("  got: %s", parsed ? "parsed" : err.msg);
		}
		if (parsed)
			sp_mailbox_list_free(&l);
		else
			ok(l.n == 0 && l.v == NULL, "%s: nothing left behind", b->name);
	}
}

/* A long, deeply nested value: no recursion blow-up, linear work. */
static void
test_large(void)
{
	struct sp_buf v = SP_BUF_INIT;
	struct sp_mailbox_list l;
	sp_err err;
	bool parsed;

	for (int i = 0; i < 100000; i++)
		sp_buf_putc(&v, '(');
	for (int i = 0; i < 100000; i++)
		sp_buf_putc(&v, ')');
	sp_buf_puts(&v, " joe@example.com");
	parsed = sp_mailbox_list_parse(v.data, v.len, &l, &err);
	ok(parsed && l.n == 1, "100,000 nested comments");
	if (parsed)
		sp_mailbox_list_free(&l);
	sp_buf_reset(&v);
	for (int i = 0; i < 20000; i++)
		sp_buf_printf(&v, "%su%d@example.com", i ? ", " : "", i);
	parsed = sp_mailbox_list_parse(v.data, v.len, &l, &err);
	ok(parsed && l.n == 20000, "20,000 mailboxes counted");
	if (parsed)
		sp_mailbox_list_free(&l);
	sp_buf_free(&v);
}

int
main(void)
{
	test_good();
	test_bad();
	test_large();
	return done_testing();
}

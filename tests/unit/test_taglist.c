/*
 * test_taglist.c - the tag=value list parser (RFC 6376 section 3.2) shared
 * by the engine (existing DKIM-Signature fields) and dnsgen (DKIM and DMARC
 * records): good lists beside bad ones, values with folding white space.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/taglist.h"
#include "../tap.h"

struct parse_case {
	const char *name;
	const char *text;
	bool good;
	size_t n;               /* tags, when good */
	const char *tag;        /* one tag to look up ... */
	const char *value;      /* ... and its value (trimmed) */
	const char *why;        /* part of the error, when bad */
};

static const struct parse_case parse_cases[] = {
	{ "empty", "", true, 0, "v", NULL, NULL },
	{ "one tag", "v=1", true, 1, "v", "1", NULL },
	{ "trailing semicolon", "v=1;", true, 1, "v", "1", NULL },
	{ "white space around", " v = 1 ;\t k =\trsa ", true, 2, "k", "rsa", NULL },
	{ "folded value kept inside", "b=abc\r\n\tdef; d=x", true, 2, "b", "abc\r\n\tdef", NULL },
	{ "value with '=' padding", "bh=2jUSOH9N=; s=a", true, 2, "bh", "2jUSOH9N=", NULL },
	{ "empty value", "p=; v=DKIM1", true, 2, "p", "", NULL },
	{ "names are case-sensitive", "V=1; v=2", true, 2, "V", "1", NULL },
	{ "underscore and digits", "a_1=x", true, 1, "a_1", "x", NULL },
	{ "empty elements", ";;v=1;;", true, 1, "v", "1", NULL },
	{ "no equals sign", "v=1; junk", false, 0, NULL, NULL, "\"junk\" is not tag=value" },
	{ "name starts with digit", "1a=x", false, 0, NULL, NULL, "\"1a\" is not a tag name" },
	{ "empty name", "=x", false, 0, NULL, NULL, "\"\" is not a tag name" },
	{ "name with space", "a b=x", false, 0, NULL, NULL, "is not a tag name" },
	{ "tag twice", "d=a; s=b; d=c", false, 0, NULL, NULL, "tag d= appears twice" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct sp_taglist tl;
		sp_err err = { "" };
		bool got = sp_taglist_parse(c->text, strlen(c->text), &tl, &err);

		if (!ok(got == c->good, "parse: %s: %s", c->name,
		    c->good ? "accepted" : "refused")) {
			diag("  error: %s", err.msg);
			sp_taglist_free(&tl);
			continue;
		}
		if (c->good) {
			const struct sp_tag *t = sp_taglist_find(&tl, c->tag);

			ok(tl.n == c->n, "parse: %s: %zu tags", c->name, c->n);
			is_str(t != NULL ? t->value : NULL, c->value,
			    "parse: %s: %s= value", c->name, c->tag);
		} else {
			ok(tl.n == 0 && tl.v == NULL,
			    "parse: %s: the list is left empty", c->name);
			ok(strstr(err.msg, c->why) != NULL,
			    "parse: %s: says \"%s\"", c->name, c->why);
		}
		sp_taglist_free(&tl);
	}
}

static void
test_value(void)
{
	static const char sig[] =
	    " v=1; a=rsa-sha256; d=example.com; s=2026r;\r\n\th=from:to;"
	    " bh=47DEQpj8HBSa+/TImW+5JC\r\n\teuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=AbC\r\n\t dEf=";
	char *v;

	v = sp_taglist_value(sig, strlen(sig), "d");
	is_str(v, "example.com", "value: d= of a DKIM-Signature");
	free(v);
	v = sp_taglist_value(sig, strlen(sig), "bh");
	is_str(v, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "value: folded bh= loses its white space");
	free(v);
	v = sp_taglist_value(sig, strlen(sig), "b");
	is_str(v, "AbCdEf=", "value: folded b= at the end");
	free(v);
	v = sp_taglist_value(sig, strlen(sig), "x");
	ok(v == NULL, "value: an absent tag is NULL");
	free(v);
	/* Only the first len bytes count: the field may not be terminated. */
	v = sp_taglist_value("d=a.example; s=sel", 11, "s");
	ok(v == NULL, "value: bytes past len are not read");
	free(v);
	v = sp_taglist_value("d=a; d=b", 8, "d");
	ok(v == NULL, "value: a malformed list gives no value");
	free(v);
}

/* "a=1;" "a=1;" ...: n tags named "t" + a base-62 counter, in one buffer. */
static char *
distinct_tags(size_t n, size_t *len, const char *last)
{
	static const char digits[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct sp_buf b = SP_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		sp_buf_putc(&b, 't');
		for (size_t k = i; ; k /= 62) {
			sp_buf_putc(&b, digits[k % 62]);
			if (k < 62)
				break;
		}
		sp_buf_puts(&b, "=1; ");
	}
	if (last != NULL)
		sp_buf_puts(&b, last);
	*len = b.len;
	return sp_buf_steal(&b);
}

/* SP_TAGLIST_MAX_TAGS tags parse; one more is refused. */
static void
test_tag_limit(void)
{
	struct sp_taglist tl;
	sp_err err = { "" };
	size_t len;
	char *text = distinct_tags(SP_TAGLIST_MAX_TAGS, &len, NULL);

	ok(sp_taglist_parse(text, len, &tl, &err) &&
	    tl.n == SP_TAGLIST_MAX_TAGS, "limit: %d tags parse",
	    SP_TAGLIST_MAX_TAGS);
	sp_taglist_free(&tl);
	free(text);
	text = distinct_tags(SP_TAGLIST_MAX_TAGS, &len, "z=1");
	ok(!sp_taglist_parse(text, len, &tl, &err) && tl.n == 0,
	    "limit: %d tags are refused", SP_TAGLIST_MAX_TAGS + 1);
	is_str(err.msg, "more than 64 tags", "limit: the error says so");
	free(text);
	text = distinct_tags(SP_TAGLIST_MAX_TAGS, &len, ";;  ;");
	ok(sp_taglist_parse(text, len, &tl, &err), "limit: empty elements "
	    "after the last tag do not count");
	sp_taglist_free(&tl);
	free(text);
}

/*
 * 1 MB of distinct tags (RFC 6376 3.2 lets a field carry any number):
 * with no limit they parse, and the index looks at a bounded number of
 * slots per tag. Comparing each tag with every earlier one, as a list
 * scan does, would take n^2/2 = 10^10 steps here.
 */
static void
test_linear(void)
{
	struct sp_taglist tl;
	sp_err err = { "" };
	size_t n = 150000, len;
	char *text = distinct_tags(n, &len, NULL);
	bool parsed = sp_taglist_parse_max(text, len, 0, &tl, &err);

	ok(len > 1000000, "linear: the list is %zu bytes", len);
	ok(parsed && tl.n == n, "linear: %zu distinct tags parse", n);
	ok(tl.probes <= 8 * n, "linear: %zu index probes for %zu tags "
	    "(at most 8 per tag)", tl.probes, n);
	is_str(sp_taglist_find(&tl, "t0") ? sp_taglist_find(&tl, "t0")->value :
	    NULL, "1", "linear: the first tag is there");
	sp_taglist_free(&tl);
	free(text);
	/* A duplicate far down such a list is still found. */
	text = distinct_tags(n, &len, "u=2; t5=3");
	ok(!sp_taglist_parse_max(text, len, 0, &tl, &err) &&
	    strstr(err.msg, "tag t5= appears twice") != NULL,
	    "linear: a duplicate after %zu tags is found", n);
	free(text);
}

int
main(void)
{
	test_parse();
	test_value();
	test_tag_limit();
	test_linear();
	return done_testing();
}

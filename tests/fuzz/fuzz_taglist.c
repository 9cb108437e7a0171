/*
 * fuzz_taglist.c - libFuzzer target for the tag=value list parser
 * (lib/taglist.c, RFC 6376 section 3.2): what existing DKIM-Signature
 * fields, DKIM key records and DMARC records are read with.
 *
 *   scripts/fuzz taglist [SECONDS]      (seeds: tests/fuzz/corpus/taglist)
 *
 * Beyond "does not crash" (ASan and UBSan are on) it checks the parser's
 * promises: a failure has a reason and leaves the list empty; a success has
 * only well-formed, distinct tag names, values without surrounding white
 * space (when the input has no NUL: values are C strings), no more tags
 * than '=' signs, and every tag found by its name;
 * sp_taglist_value agrees with the list. The engine then reads the same
 * bytes as an existing DKIM-Signature field.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/dkim.h"
#include "signpost/taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_taglist: %s: %s\n", what, detail);
	abort();
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tag-name = ALPHA *ALNUMPUNC (RFC 6376 section 3.2), written again here. */
static bool
tag_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp((*(const struct sp_tag *const *)a)->name,
	    (*(const struct sp_tag *const *)b)->name);
}

static void
check_list(const struct sp_taglist *tl, const char *text, size_t len)
{
	const struct sp_tag **sorted;
	bool has_nul = memchr(text, '\0', len) != NULL;
	size_t equals = 0;

	for (size_t i = 0; i < len; i++)
		equals += text[i] == '=';
	if (tl->n > equals)
		fail("more tags than '=' signs", "");
	sorted = calloc(tl->n + 1, sizeof(*sorted));
	for (size_t i = 0; i < tl->n; i++) {
		const char *v = tl->v[i].value;
		size_t vlen = strlen(v);

		if (!tag_name_ok(tl->v[i].name))
			fail("bad tag name accepted", tl->v[i].name);
		if (!has_nul && vlen > 0 && (is_wsp(v[0]) || is_wsp(v[vlen - 1])))
			fail("value keeps surrounding white space", v);
		if (sp_taglist_find(tl, tl->v[i].name) != &tl->v[i])
			fail("tag not found by its name", tl->v[i].name);
		sorted[i] = &tl->v[i];
	}
	qsort(sorted, tl->n, sizeof(*sorted), cmp_names);
	for (size_t i = 1; i < tl->n; i++)
		if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
			fail("tag accepted twice", sorted[i]->name);
	free(sorted);
}

/* sp_taglist_value: the tag's value without any white space, or NULL. */
static void
check_value(const struct sp_taglist *tl, bool parsed, const char *text,
    size_t len, const char *name)
{
	const struct sp_tag *t = parsed ? sp_taglist_find(tl, name) : NULL;
	char *v = sp_taglist_value(text, len, name);

	if ((t == NULL) != (v == NULL))
		fail("sp_taglist_value disagrees with the list about", name);
	if (t != NULL) {
		char *want = strdup(t->value);

		sp_taglist_squeeze(want);
		if (strcmp(want, v) != 0)
			fail("sp_taglist_value differs from the squeezed value",
			    name);
		free(want);
	}
	free(v);
}

static void
engine_reads(const char *text, size_t len)
{
	struct sp_list none = SP_LIST_INIT;
	struct sp_sign_opts o = {
		.header_canon = SP_CANON_RELAXED,
		.body_canon = SP_CANON_RELAXED,
		.sign_headers = &none,
		.oversign_headers = &none,
		.now = 1700000000,
	};
	struct sp_dkim *d = sp_dkim_new(&o);
	sp_err err;

	(void)sp_dkim_header(d, "DKIM-Signature", 14, text, len, &err);
	(void)sp_dkim_has_signature(d, "example.com", "sel");
	sp_dkim_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sp_taglist tl;
	sp_err err;
	bool ok;

	memset(&err, 0, sizeof(err));
	ok = sp_taglist_parse(text, size, &tl, &err);
	if (!ok) {
		if (err.msg[0] == '\0')
			fail("failure without a reason", "");
		if (tl.n != 0 || tl.v != NULL)
			fail("failure left tags behind", err.msg);
	} else {
		check_list(&tl, text, size);
	}
	check_value(&tl, ok, text, size, "d");
	check_value(&tl, ok, text, size, "s");
	check_value(&tl, ok, text, size, "p");
	sp_taglist_free(&tl);
	engine_reads(text, size);
	return 0;
}

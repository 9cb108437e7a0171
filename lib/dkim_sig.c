/*
 * dkim_sig.c - the DKIM-Signature field (RFC 6376 section 3.5): its tag
 * list, built in one growable buffer and folded so that no line is longer
 * than 78 characters, and a reader for fields already present (their
 * tags, and their value with b= emptied, for checking them).
 *
 * Breaks ("\r\n\t") go between tags, between h= names (after the colon)
 * and inside the base64 of bh= and b=, where RFC 6376 allows FWS.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/dkim_sig.h"

struct fold {
	struct sp_buf *b;
	size_t col;             /* characters on the current line */
};

static void
fold_break(struct fold *f)
{
	sp_buf_append(f->b, "\r\n\t", 3);
	f->col = 1;
}

/*
 * A word that must stay whole: after `sep` on this line if it fits (with
 * `keep` more characters that must follow it on the line), else on a new
 * line. A word longer than a line gets a line of its own.
 */
static void
fold_word(struct fold *f, const char *sep, const char *w, size_t n,
    size_t keep)
{
	size_t seplen = strlen(sep);

	if (f->col > 1 && f->col + seplen + n + keep > SP_SIG_LINE_MAX) {
		fold_break(f);
	} else {
		sp_buf_append(f->b, sep, seplen);
		f->col += seplen;
	}
	sp_buf_append(f->b, w, n);
	f->col += n;
}

/* Text that may be broken anywhere (base64: RFC 6376 allows FWS in it). */
static void
fold_stream(struct fold *f, const char *s, size_t n)
{
	while (n > 0) {
		size_t k;

		if (f->col >= SP_SIG_LINE_MAX)
			fold_break(f);
		k = SP_SIG_LINE_MAX - f->col;
		if (k > n)
			k = n;
		sp_buf_append(f->b, s, k);
		f->col += k;
		s += k;
		n -= k;
	}
}

static void
fold_tag(struct fold *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fold_tag(struct fold *f, const char *fmt, ...)
{
	char *w;
	va_list ap;

	va_start(ap, fmt);
	w = sp_xvasprintf(fmt, ap);
	va_end(ap);
	fold_word(f, " ", w, strlen(w), 0);
	free(w);
}

static const char *
canon_name(enum sp_canon c)
{
	return c == SP_CANON_RELAXED ? "relaxed" : "simple";
}

/* h=name1:name2:...; breaking only after a colon. */
static void
fold_h(struct fold *f, const struct sp_list *h)
{
	struct sp_buf w = SP_BUF_INIT;

	if (h->n == 0)
		SP_BUG("empty h= list");
	for (size_t i = 0; i < h->n; i++) {
		sp_buf_reset(&w);
		if (i == 0)
			sp_buf_puts(&w, "h=");
		sp_buf_puts(&w, h->v[i]);
		sp_buf_putc(&w, i + 1 < h->n ? ':' : ';');
		fold_word(f, i == 0 ? " " : "", w.data, w.len, 0);
	}
	sp_buf_free(&w);
}

/* bh=BASE64; broken inside the base64, the ';' kept with its last character. */
static void
fold_bh(struct fold *f, const char *bh)
{
	size_t n = strlen(bh);
	char tail[3];

	if (n == 0)
		SP_BUG("empty bh=");
	fold_word(f, " ", "bh=", 3, 1);
	fold_stream(f, bh, n - 1);
	tail[0] = bh[n - 1];
	tail[1] = ';';
	tail[2] = '\0';
	fold_word(f, "", tail, 2, 0);
}

size_t
sp_sig_build(const struct sp_sig_tags *tags, struct sp_buf *out)
{
	struct fold f = { out, strlen(SP_SIG_FIELD ":") };

	fold_tag(&f, "v=1;");
	fold_tag(&f, "a=%s;", tags->algorithm);
	fold_tag(&f, "c=%s/%s;", canon_name(tags->header_canon),
	    canon_name(tags->body_canon));
	fold_tag(&f, "d=%s;", tags->sdid);
	fold_tag(&f, "s=%s;", tags->selector);
	fold_tag(&f, "t=%lld;", tags->t);
	if (tags->x > 0)
		fold_tag(&f, "x=%lld;", tags->x);
	fold_h(&f, tags->h);
	fold_bh(&f, tags->bh);
	/* b= keeps a character of its value on its line: verifiers differ on
	 * whether white space right after "b=" is part of the value. */
	fold_word(&f, " ", "b=", 2, 1);
	return f.col;
}

void
sp_sig_append_b(struct sp_buf *out, size_t col, const char *b64)
{
	struct fold f = { out, col };

	fold_stream(&f, b64, strlen(b64));
}

/* ---- fields already in the message ---- */

static bool
is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* c=: "simple", "relaxed", "h/b"; a missing body part is simple (3.5). */
static bool
parse_c(const char *v, enum sp_canon *hc, enum sp_canon *bc)
{
	const char *slash = strchr(v, '/');
	size_t hn = slash ? (size_t)(slash - v) : strlen(v);

	*hc = *bc = SP_CANON_SIMPLE;
	if (hn == 7 && strncmp(v, "relaxed", 7) == 0)
		*hc = SP_CANON_RELAXED;
	else if (!(hn == 6 && strncmp(v, "simple", 6) == 0))
		return false;
	if (slash == NULL || strcmp(slash + 1, "simple") == 0)
		return true;
	if (strcmp(slash + 1, "relaxed") == 0) {
		*bc = SP_CANON_RELAXED;
		return true;
	}
	return false;
}

/* h=: names separated by ':' with FWS around them, lower-cased. */
static bool
parse_h(const char *v, struct sp_list *out)
{
	while (true) {
		const char *colon = strchr(v, ':');
		size_t n = colon ? (size_t)(colon - v) : strlen(v);
		char *name = sp_xstrndup_trim(v, n);

		if (*name == '\0') {
			free(name);
			return false;
		}
		sp_str_lower(name);
		sp_list_add_owned(out, name);
		if (colon == NULL)
			return true;
		v = colon + 1;
	}
}

static const char *
found_tag(const struct sp_sig_found *f, const char *name)
{
	const struct sp_tag *t = sp_taglist_find(&f->tags, name);

	return t != NULL ? t->value : NULL;
}

static char *
squeezed(const char *v)
{
	char *s = sp_xstrdup(v);

	sp_taglist_squeeze(s);
	return s;
}

bool
sp_sig_found_parse(const char *value, size_t len, struct sp_sig_found *out,
    sp_err *err)
{
	const char *v, *c, *h, *x;

	memset(out, 0, sizeof(*out));
	if (!sp_taglist_parse(value, len, &out->tags, err))
		return false;
	v = found_tag(out, "v");
	c = found_tag(out, "c");
	h = found_tag(out, "h");
	x = found_tag(out, "x");
	out->algorithm = found_tag(out, "a");
	out->sdid = found_tag(out, "d");
	out->selector = found_tag(out, "s");
	out->has_l = found_tag(out, "l") != NULL;
	if (v == NULL || strcmp(v, "1") != 0 || out->algorithm == NULL ||
	    out->sdid == NULL || out->selector == NULL || h == NULL ||
	    found_tag(out, "b") == NULL || found_tag(out, "bh") == NULL) {
		sp_err_set(err, "not a DKIM-Signature (v=1, a=, b=, bh=, d=, "
		    "h= and s= are required)");
		goto fail;
	}
	if (c != NULL && !parse_c(c, &out->header_canon, &out->body_canon)) {
		sp_err_set(err, "unknown c=%.40s", c);
		goto fail;
	}
	if (!parse_h(h, &out->h)) {
		sp_err_set(err, "h= holds an empty name");
		goto fail;
	}
	if (x != NULL && (*x < '0' || *x > '9' || strlen(x) > 12)) {
		sp_err_set(err, "x= is not a time");
		goto fail;
	}
	out->x = x != NULL ? atoll(x) : 0;
	out->bh = squeezed(found_tag(out, "bh"));
	out->b = squeezed(found_tag(out, "b"));
	return true;
fail:
	sp_sig_found_free(out);
	return false;
}

void
sp_sig_found_free(struct sp_sig_found *f)
{
	sp_taglist_free(&f->tags);
	sp_list_free(&f->h);
	free(f->bh);
	free(f->b);
	memset(f, 0, sizeof(*f));
}

bool
sp_sig_strip_b(const char *value, size_t len, struct sp_buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *semi = memchr(value + i, ';', len - i);
		size_t end = semi != NULL ? (size_t)(semi - value) : len;
		const char *eq = memchr(value + i, '=', end - i);
		size_t a = i, z = eq != NULL ? (size_t)(eq - value) : i;

		while (a < z && is_fws((unsigned char)value[a]))
			a++;
		while (z > a && is_fws((unsigned char)value[z - 1]))
			z--;
		if (eq != NULL && z - a == 1 && value[a] == 'b') {
			sp_buf_append(out, value, (size_t)(eq + 1 - value));
			sp_buf_append(out, value + end, len - end);
			return true;
		}
		i = end + 1;
	}
	return false;
}

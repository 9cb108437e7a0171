/*
 * dkim_sig.c - the DKIM-Signature field (RFC 6376 section 3.5): its tag
 * list, built in one growable buffer and folded so that no line is longer
 * than 78 characters, and a reader for tags of fields already present.
 *
 * Breaks ("\r\n\t") go between tags, between h= names (after the colon)
 * and inside the base64 of bh= and b=, where RFC 6376 allows FWS.
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

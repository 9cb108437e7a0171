/*
 * fuzz_canon.c - libFuzzer target for the body canonicaliser (lib/canon.c).
 *
 *   scripts/fuzz canon [SECONDS]        (seeds: tests/fuzz/corpus/canon)
 *
 * The first two bytes choose the chunking; the rest is the body. Both
 * modes must give the same bytes fed whole, in those chunks, and as the
 * plain reference (RFC 6376 3.4.3/3.4.4 line by line) says.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
collect(void *arg, const void *p, size_t n)
{
	sp_buf_append(arg, p, n);
}

static void
canon(enum sp_canon mode, const char *in, size_t len, size_t first,
    size_t step, struct sp_buf *out)
{
	struct sp_body_canon c;

	sp_body_canon_init(&c, mode, collect, out);
	if (first > len)
		first = len;
	sp_body_canon_update(&c, in, first);
	for (size_t off = first; off < len; off += step)
		sp_body_canon_update(&c, in + off, len - off < step ? len - off : step);
	sp_body_canon_final(&c);
	sp_body_canon_free(&c);
}

static void
reference(enum sp_canon mode, const char *in, size_t len, struct sp_buf *out)
{
	size_t keep = 0, pos = 0;

	while (pos < len) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - in) : len, n = end - pos, start;
		bool sp = false;

		if (nl && n > 0 && in[end - 1] == '\r')
			n--;
		start = out->len;
		for (size_t i = pos; i < pos + n; i++) {
			if (mode == SP_CANON_RELAXED && (in[i] == ' ' || in[i] == '\t')) {
				sp = true;
				continue;
			}
			if (sp)
				sp_buf_putc(out, ' ');
			sp = false;
			sp_buf_putc(out, in[i]);
		}
		if (out->len > start)
			keep = out->len + 2;
		sp_buf_append(out, "\r\n", 2);
		pos = nl ? end + 1 : len;
	}
	out->len = keep;
	if (keep == 0 && mode == SP_CANON_SIMPLE)
		sp_buf_append(out, "\r\n", 2);
}

/* memcmp must not see the NULL of an empty buffer, even for 0 bytes. */
static bool
same_bytes(const struct sp_buf *a, const struct sp_buf *b)
{
	return a->len == b->len &&
	    (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t first, step;
	const char *in;

	if (size < 2)
		return 0;
	first = data[0];
	step = 1 + data[1];
	in = (const char *)data + 2;
	size -= 2;
	for (int m = 0; m < 2; m++) {
		enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;
		struct sp_buf whole = SP_BUF_INIT, chunked = SP_BUF_INIT,
		    ref = SP_BUF_INIT;

		canon(mode, in, size, size, 1, &whole);
		canon(mode, in, size, first, step, &chunked);
		reference(mode, in, size, &ref);
		if (!same_bytes(&whole, &ref) || !same_bytes(&chunked, &ref))
			abort();
		sp_buf_free(&whole);
		sp_buf_free(&chunked);
		sp_buf_free(&ref);
	}
	return 0;
}

/*
 * test_canon.c - DKIM canonicalisation (lib/canon.c): RFC 6376 section
 * 3.4.5's example in every combination, a table of bodies that break
 * signers, each fed whole, at every split point and one byte at a time;
 * random bodies checked against a plain reference implementation of
 * RFC 6376 3.4.3/3.4.4; header fields in both modes; and the promise that
 * the hash sees few, large updates.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/canon.h"
#include "../tap.h"
#include "testlib.h"

/* ---- a sink that collects what the canonicaliser emits ---- */

struct collect {
	struct sp_buf out;
	size_t calls;
	size_t small_calls;     /* updates under 1 KiB */
};

static void
collect_sink(void *arg, const void *data, size_t len)
{
	struct collect *c = arg;

	sp_buf_append(&c->out, data, len);
	c->calls++;
	if (len < 1024)
		c->small_calls++;
}

/* Canonicalise `in` fed in pieces of `step` bytes after a first piece of
 * `first` bytes (first == len: whole). */
static char *
canon_body(enum sp_canon mode, const char *in, size_t len, size_t first,
    size_t step, size_t *out_len, size_t *longest, struct collect *stats)
{
	struct sp_body_canon bc;
	struct collect c = { SP_BUF_INIT, 0, 0 };
	size_t off = 0;

	sp_body_canon_init(&bc, mode, collect_sink, &c);
	if (first > len)
		first = len;
	sp_body_canon_update(&bc, in, first);
	for (off = first; off < len; off += step)
		sp_body_canon_update(&bc, in + off, len - off < step ? len - off : step);
	sp_body_canon_final(&bc);
	if (longest != NULL)
		*longest = sp_body_canon_longest_line(&bc);
	sp_body_canon_free(&bc);
	*out_len = c.out.len;
	if (stats != NULL) {
		stats->calls = c.calls;
		stats->small_calls = c.small_calls;
	}
	return sp_buf_steal(&c.out);
}

/* Printable form for diagnostics. */
static char *
visible(const char *p, size_t n)
{
	struct sp_buf b = SP_BUF_INIT;

	for (size_t i = 0; i < n && i < 200; i++) {
		if (p[i] == '\r')
			sp_buf_puts(&b, "\\r");
		else if (p[i] == '\n')
			sp_buf_puts(&b, "\\n");
		else if (p[i] == '\t')
			sp_buf_puts(&b, "\\t");
		else
			sp_buf_putc(&b, p[i]);
	}
	if (n > 200)
		sp_buf_puts(&b, "...");
	return sp_buf_steal(&b);
}

static int
is_bytes(const char *got, size_t got_len, const char *want, size_t want_len,
    const char *name)
{
	int pass = got_len == want_len && memcmp(got, want, got_len) == 0;

	ok(pass, "%s", name);
	if (!pass) {
		char *g = visible(got, got_len), *w = visible(want, want_len);

		diag("  got:  \"%s\"", g);
		diag("  want: \"%s\"", w);
		free(g);
		free(w);
	}
	return pass;
}

/*
 * Same output, whatever the chunking: every split into two pieces, and
 * one byte at a time. One check per case and mode.
 */
static void
check_splits(enum sp_canon mode, const char *in, size_t len,
    const char *want, size_t want_len, size_t want_longest, const char *name)
{
	const char *m = mode == SP_CANON_RELAXED ? "relaxed" : "simple";
	size_t out_len, longest, bad_at = (size_t)-1;
	char *out;

	for (size_t split = 0; split <= len && bad_at == (size_t)-1; split++) {
		out = canon_body(mode, in, len, split, len ? len : 1, &out_len,
		    &longest, NULL);
		if (out_len != want_len || memcmp(out, want, out_len) != 0 ||
		    longest != want_longest)
			bad_at = split;
		free(out);
	}
	ok(bad_at == (size_t)-1, "%s %s: same at every split point", m, name);
	if (bad_at != (size_t)-1)
		diag("  first differs when split at byte %zu", bad_at);
	out = canon_body(mode, in, len, 0, 1, &out_len, &longest, NULL);
	ok(out_len == want_len && memcmp(out, want, out_len) == 0 &&
	    longest == want_longest, "%s %s: same one byte at a time", m, name);
	free(out);
}

/* ---- RFC 6376 3.4.5 ---- */

static void
test_rfc6376_example(void)
{
	static const char body[] = " C \r\nD \t E\r\n\r\n\r\n";
	struct {
		enum sp_canon h, b;
		const char *want;
	} combos[] = {
		{ SP_CANON_RELAXED, SP_CANON_RELAXED,
		  "a:X\r\nb:Y Z\r\n\r\n C\r\nD E\r\n" },
		{ SP_CANON_SIMPLE, SP_CANON_SIMPLE,
		  "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n" },
		{ SP_CANON_RELAXED, SP_CANON_SIMPLE,
		  "a:X\r\nb:Y Z\r\n\r\n C \r\nD \t E\r\n" },
		{ SP_CANON_SIMPLE, SP_CANON_RELAXED,
		  "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C\r\nD E\r\n" },
	};

	for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		struct sp_buf all = SP_BUF_INIT;
		size_t blen;
		char *b;

		sp_canon_header(combos[i].h, "A", 1, " X", 2, true, &all);
		sp_canon_header(combos[i].h, "B ", 2, " Y\t\r\n\tZ  ", 9, true,
		    &all);
		sp_buf_puts(&all, "\r\n");
		b = canon_body(combos[i].b, body, strlen(body), strlen(body),
		    1, &blen, NULL, NULL);
		sp_buf_append(&all, b, blen);
		is_bytes(all.data, all.len, combos[i].want, strlen(combos[i].want),
		    combos[i].h == SP_CANON_RELAXED ?
		    (combos[i].b == SP_CANON_RELAXED ? "RFC 6376 3.4.5 relaxed/relaxed" :
		    "RFC 6376 3.4.5 relaxed/simple") :
		    (combos[i].b == SP_CANON_RELAXED ? "RFC 6376 3.4.5 simple/relaxed" :
		    "RFC 6376 3.4.5 simple/simple"));
		free(b);
		sp_buf_free(&all);
	}
}

/* ---- the table of tricky bodies ---- */

struct body_case {
	const char *name;
	const char *in;
	size_t in_len;                  /* 0: strlen(in) */
	const char *simple;
	const char *relaxed;
	size_t longest;
};

static const struct body_case body_cases[] = {
	{ "empty body", "", 0, "\r\n", "", 0 },
	{ "one empty line", "\r\n", 0, "\r\n", "", 0 },
	{ "only empty lines", "\r\n\r\n\r\n\r\n", 0, "\r\n", "", 0 },
	{ "only bare LF", "\n\n", 0, "\r\n", "", 0 },
	{ "plain line", "Hello\r\n", 0, "Hello\r\n", "Hello\r\n", 5 },
	{ "no final CRLF", "abc", 0, "abc\r\n", "abc\r\n", 3 },
	{ "no final CRLF after lines", "a\r\nbc", 0, "a\r\nbc\r\n", "a\r\nbc\r\n", 2 },
	{ "trailing blank lines", "abc\r\n\r\n\r\n", 0, "abc\r\n", "abc\r\n", 3 },
	{ "blank lines inside kept", "a\r\n\r\n\r\nb\r\n", 0,
	  "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n", 1 },
	{ "trailing WSP", "abc  \r\n", 0, "abc  \r\n", "abc\r\n", 5 },
	{ "trailing tab and space", "abc\t \r\nd\t\r\n", 0,
	  "abc\t \r\nd\t\r\n", "abc\r\nd\r\n", 5 },
	{ "trailing WSP, no CRLF", "abc  ", 0, "abc  \r\n", "abc\r\n", 5 },
	{ "WSP-only line at end", "abc\r\n  \r\n\t\r\n", 0,
	  "abc\r\n  \r\n\t\r\n", "abc\r\n", 3 },
	{ "WSP-only line inside", "a\r\n \t \r\nb\r\n", 0,
	  "a\r\n \t \r\nb\r\n", "a\r\n\r\nb\r\n", 3 },
	{ "WSP-only body", "   ", 0, "   \r\n", "", 3 },
	{ "WSP-only body, CRLF", " \t\r\n\r\n", 0, " \t\r\n", "", 2 },
	{ "leading WSP", "  a\r\n\tb\r\n", 0, "  a\r\n\tb\r\n", " a\r\n b\r\n", 3 },
	{ "inner WSP runs", "a  b\t\tc \t d\r\n", 0, "a  b\t\tc \t d\r\n",
	  "a b c d\r\n", 11 },
	{ "single tab between words", "a\tb\r\n", 0, "a\tb\r\n", "a b\r\n", 3 },
	{ "CR alone inside a line", "a\rb\r\n", 0, "a\rb\r\n", "a\rb\r\n", 3 },
	{ "CR alone between spaces", "a \r b\r\n", 0, "a \r b\r\n",
	  "a \r b\r\n", 5 },
	{ "CR before CRLF", "a\r\r\n", 0, "a\r\r\n", "a\r\r\n", 2 },
	{ "CR at the very end", "abc\r", 0, "abc\r\r\n", "abc\r\r\n", 4 },
	{ "CR alone as the body", "\r", 0, "\r\r\n", "\r\r\n", 1 },
	{ "space then CR at the end", "a \r", 0, "a \r\r\n", "a \r\r\n", 3 },
	{ "bare LF lines", "a\nb\n", 0, "a\r\nb\r\n", "a\r\nb\r\n", 1 },
	{ "bare LF, trailing blank", "a\n\n\n", 0, "a\r\n", "a\r\n", 1 },
	{ "mixed LF and CRLF", "a\r\nb\nc", 0, "a\r\nb\r\nc\r\n",
	  "a\r\nb\r\nc\r\n", 1 },
	{ "bare LF after WSP", "a \n \nb\t\n", 0, "a \r\n \r\nb\t\r\n",
	  "a\r\n\r\nb\r\n", 2 },
	{ "blank then WSP line then text", "\r\n \r\nx", 0,
	  "\r\n \r\nx\r\n", "\r\n\r\nx\r\n", 1 },
	{ "NUL bytes are content", "a\0b\r\n", 5, "a\0b\r\n", "a\0b\r\n", 3 },
	{ "8-bit bytes", "gr\xc3\xbc\xc3\x9f \xff\r\n", 0,
	  "gr\xc3\xbc\xc3\x9f \xff\r\n", "gr\xc3\xbc\xc3\x9f \xff\r\n", 8 },
};

static void
test_body_table(void)
{
	for (size_t i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *bc = &body_cases[i];
		size_t len = bc->in_len ? bc->in_len : strlen(bc->in);
		const char *want[2] = { bc->simple, bc->relaxed };
		/* expected outputs with NUL need explicit lengths */
		size_t want_len[2] = {
			bc->in_len ? bc->in_len : strlen(bc->simple),
			bc->in_len ? bc->in_len : strlen(bc->relaxed),
		};

		for (int m = 0; m < 2; m++) {
			enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;
			size_t out_len, longest;
			char *out = canon_body(mode, bc->in, len, len, 1, &out_len,
			    &longest, NULL);
			char name[160];

			snprintf(name, sizeof(name), "%s %s", m ? "relaxed" : "simple",
			    bc->name);
			is_bytes(out, out_len, want[m], want_len[m], name);
			ok(longest == bc->longest, "%s: longest line %zu",
			    name, bc->longest);
			if (longest != bc->longest)
				diag("  got %zu", longest);
			free(out);
			check_splits(mode, bc->in, len, want[m], want_len[m],
			    bc->longest, bc->name);
		}
	}
}

/* Many blank lines: more than the canonicaliser releases at once. */
static void
test_many_blank_lines(void)
{
	struct sp_buf in = SP_BUF_INIT, want = SP_BUF_INIT;
	size_t out_len;
	char *out;

	sp_buf_puts(&in, "a\r\n");
	for (int i = 0; i < 1000; i++)
		sp_buf_puts(&in, i % 2 ? "\r\n" : "\n");
	sp_buf_puts(&in, "b\r\n");
	for (int i = 0; i < 1000; i++)
		sp_buf_puts(&in, "\r\n");
	sp_buf_puts(&want, "a\r\n");
	for (int i = 0; i < 1000; i++)
		sp_buf_puts(&want, "\r\n");
	sp_buf_puts(&want, "b\r\n");
	for (int m = 0; m < 2; m++) {
		enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;

		out = canon_body(mode, in.data, in.len, in.len, 1, &out_len,
		    NULL, NULL);
		is_bytes(out, out_len, want.data, want.len, m ?
		    "relaxed: 1000 blank lines inside kept, 1000 at the end dropped" :
		    "simple: 1000 blank lines inside kept, 1000 at the end dropped");
		free(out);
		out = canon_body(mode, in.data, in.len, 0, 7, &out_len, NULL, NULL);
		is_bytes(out, out_len, want.data, want.len, m ?
		    "relaxed: same in 7-byte chunks" : "simple: same in 7-byte chunks");
		free(out);
	}
	sp_buf_free(&in);
	sp_buf_free(&want);
}

/* ---- random bodies against a reference implementation ---- */

/*
 * RFC 6376 3.4.3/3.4.4 written the obvious way: split into lines at LF (a
 * CR right before the LF belongs to the line end), canonicalise each line,
 * drop empty lines at the end, end each line with CRLF.
 */
static char *
reference(enum sp_canon mode, const char *in, size_t len, size_t *out_len)
{
	struct sp_buf out = SP_BUF_INIT, line = SP_BUF_INIT;
	size_t keep = 0, pos = 0;       /* out.len up to the last non-empty line */

	while (pos < len) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - in) : len, n = end - pos;

		if (nl && n > 0 && in[end - 1] == '\r')
			n--;
		sp_buf_reset(&line);
		if (mode == SP_CANON_SIMPLE) {
			sp_buf_append(&line, in + pos, n);
		} else {
			bool sp = false;

			for (size_t i = pos; i < pos + n; i++) {
				if (in[i] == ' ' || in[i] == '\t') {
					sp = true;
					continue;
				}
				if (sp)
					sp_buf_putc(&line, ' ');
				sp = false;
				sp_buf_putc(&line, in[i]);
			}
		}
		sp_buf_append(&out, line.data, line.len);
		sp_buf_puts(&out, "\r\n");
		if (line.len > 0)
			keep = out.len;
		pos = nl ? end + 1 : len;
	}
	out.len = keep;
	if (out.len == 0 && mode == SP_CANON_SIMPLE)
		sp_buf_puts(&out, "\r\n");
	sp_buf_free(&line);
	*out_len = out.len;
	return sp_buf_steal(&out);
}

/*
 * Short bodies dense in white space and line ends, and longer ones (lines
 * crossing the canonicaliser's 64-byte scan blocks and chunk ends) in
 * random chunk sizes.
 */
static void
test_random_bodies(void)
{
	static const char dense[] = "ab  \t\r\n\n\r\n";
	static const char sparse[] = "abcdefghijklmnopqrstuvwxyz  \t\r\n";
	int failures[2] = { 0, 0 };

	for (int iter = 0; iter < 3000; iter++) {
		bool is_long = iter % 2;
		size_t len = rng() % (is_long ? 400 : 64), first, step;
		char in[400];

		for (size_t i = 0; i < len; i++)
			in[i] = is_long ? (rng() % 8 ? sparse[rng() % 26] :
			    sparse[26 + rng() % (sizeof(sparse) - 27)]) :
			    dense[rng() % (sizeof(dense) - 1)];
		first = len ? rng() % (len + 1) : 0;
		step = 1 + rng() % (is_long ? 150 : 5);
		for (int m = 0; m < 2; m++) {
			enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;
			size_t got_len, want_len;
			char *got = canon_body(mode, in, len, first, step, &got_len,
			    NULL, NULL);
			char *want = reference(mode, in, len, &want_len);

			if (got_len != want_len || memcmp(got, want, got_len) != 0) {
				if (failures[m]++ == 0) {
					char *v = visible(in, len);

					diag("  %s differs for \"%s\"", m ? "relaxed" :
					    "simple", v);
					free(v);
				}
			}
			free(got);
			free(want);
		}
	}
	ok(failures[0] == 0, "simple: 3000 random bodies in random chunks match "
	    "the reference");
	ok(failures[1] == 0, "relaxed: 3000 random bodies in random chunks match "
	    "the reference");
}

/*
 * Every pattern that needs rewriting, at every offset across three 64-byte
 * scan blocks, inside a body whose other lines are plain (so the fast
 * whole-line pass meets it), fed whole and in 61-byte chunks.
 */
static void
test_block_edges(void)
{
	static const char *const patterns[] = {
		"\r\n", "\n", "  ", " \t", "\t", " \r\n", "\t\r\n", "\r\r\n",
		" \n", "   \r\n\r\n", "\r\n\r\n", "\n\n", "\r", " \r x",
		"\r\n \r\n", "\r\n\t\r\nz",
	};
	int failures = 0, cases = 0;

	for (size_t pi = 0; pi < sizeof(patterns) / sizeof(patterns[0]); pi++) {
		for (size_t off = 0; off < 200; off++) {
			struct sp_buf in = SP_BUF_INIT;

			sp_buf_puts(&in, "first line\r\n");
			for (size_t i = 0; i < off; i++)
				sp_buf_putc(&in, i % 7 == 6 ? ' ' : (char)('a' + i % 26));
			sp_buf_puts(&in, patterns[pi]);
			sp_buf_puts(&in, "tail of the line\r\nsecond line\r\n"
			    "third\r\n\r\n");
			for (int m = 0; m < 2; m++) {
				enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;
				size_t want_len, got_len, got2_len;
				char *want = reference(mode, in.data, in.len, &want_len);
				char *got = canon_body(mode, in.data, in.len, in.len, 1,
				    &got_len, NULL, NULL);
				char *got2 = canon_body(mode, in.data, in.len, 61, 61,
				    &got2_len, NULL, NULL);

				cases++;
				if (got_len != want_len || memcmp(got, want, got_len) != 0 ||
				    got2_len != want_len || memcmp(got2, want, got2_len) != 0) {
					if (failures++ == 0) {
						char *v = visible(in.data, in.len);

						diag("  %s differs for \"%s\"", m ? "relaxed" :
						    "simple", v);
						free(v);
					}
				}
				free(want);
				free(got);
				free(got2);
			}
			sp_buf_free(&in);
		}
	}
	ok(failures == 0, "%d bodies with a rewrite at every offset across scan "
	    "blocks match the reference", cases);
}

/* ---- the hash sees large spans ---- */

static void
test_large_spans(void)
{
	static const char *lines[] = {
		"The quick brown fox jumps over the lazy dog.  Twice.\r\n",
		"Lorem ipsum dolor sit amet, consectetur adipiscing elit\r\n",
		"   indented line with trailing space \r\n",
		"\r\n",
		"short\n",
	};
	struct sp_buf in = SP_BUF_INIT;
	struct collect st;
	size_t out_len;
	char *out;

	while (in.len < (1u << 20))
		sp_buf_puts(&in, lines[in.len % 5]);
	for (int m = 0; m < 2; m++) {
		enum sp_canon mode = m ? SP_CANON_RELAXED : SP_CANON_SIMPLE;

		out = canon_body(mode, in.data, in.len, in.len, 1, &out_len,
		    NULL, &st);
		ok(st.calls <= out_len / 8192 + 8, "%s: 1 MiB of text reaches the "
		    "hash in %zu updates (<= %zu)", m ? "relaxed" : "simple",
		    st.calls, out_len / 8192 + 8);
		free(out);
		/* fed in 100-byte pieces: still staged into large updates */
		out = canon_body(mode, in.data, in.len, 0, 100, &out_len, NULL, &st);
		ok(st.calls <= out_len / 8192 + 8, "%s: in 100-byte chunks, %zu "
		    "updates", m ? "relaxed" : "simple", st.calls);
		free(out);
	}
	sp_buf_free(&in);
}

/* ---- header fields ---- */

struct header_case {
	const char *name;
	const char *field_name;
	const char *value;
	const char *simple;
	const char *relaxed;
};

static const struct header_case header_cases[] = {
	{ "plain", "Subject", " Hello", "Subject: Hello\r\n", "subject:Hello\r\n" },
	{ "WSP runs and ends", "Subject", " \t Hello  \t World \t",
	  "Subject: \t Hello  \t World \t\r\n", "subject:Hello World\r\n" },
	{ "space before colon", "Subject \t", " x", "Subject \t: x\r\n",
	  "subject:x\r\n" },
	{ "odd case name", "cOnTeNt-TyPe", " text/plain",
	  "cOnTeNt-TyPe: text/plain\r\n", "content-type:text/plain\r\n" },
	{ "no space after colon", "To", "a@example.com", "To:a@example.com\r\n",
	  "to:a@example.com\r\n" },
	{ "folded CRLF", "Subject", " a\r\n\tb\r\n c", "Subject: a\r\n\tb\r\n c\r\n",
	  "subject:a b c\r\n" },
	{ "folded bare LF", "Subject", " a\n b", "Subject: a\r\n b\r\n",
	  "subject:a b\r\n" },
	{ "fold right after colon", "Subject", "\r\n\tx", "Subject:\r\n\tx\r\n",
	  "subject:x\r\n" },
	{ "WSP before fold", "Subject", " a \r\n b", "Subject: a \r\n b\r\n",
	  "subject:a b\r\n" },
	{ "empty value", "X-Empty", "", "X-Empty:\r\n", "x-empty:\r\n" },
	{ "WSP-only value", "X-Empty", "  \r\n\t ", "X-Empty:  \r\n\t \r\n",
	  "x-empty:\r\n" },
	{ "line end after value ignored", "X", " v\r\n", "X: v\r\n", "x:v\r\n" },
	{ "CR alone kept", "X", " a\rb", "X: a\rb\r\n", "x:a\rb\r\n" },
	{ "UTF-8 value", "Subject", " Gr\xc3\xbc\xc3\x9f\xe2\x80\x82" "e",
	  "Subject: Gr\xc3\xbc\xc3\x9f\xe2\x80\x82" "e\r\n",
	  "subject:Gr\xc3\xbc\xc3\x9f\xe2\x80\x82" "e\r\n" },
};

static void
test_header_table(void)
{
	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const struct header_case *hc = &header_cases[i];
		struct sp_buf s = SP_BUF_INIT, r = SP_BUF_INIT;
		char name[128];

		sp_canon_header(SP_CANON_SIMPLE, hc->field_name,
		    strlen(hc->field_name), hc->value, strlen(hc->value), true, &s);
		sp_canon_header(SP_CANON_RELAXED, hc->field_name,
		    strlen(hc->field_name), hc->value, strlen(hc->value), true, &r);
		snprintf(name, sizeof(name), "simple header: %s", hc->name);
		is_bytes(s.data, s.len, hc->simple, strlen(hc->simple), name);
		snprintf(name, sizeof(name), "relaxed header: %s", hc->name);
		is_bytes(r.data, r.len, hc->relaxed, strlen(hc->relaxed), name);
		sp_buf_free(&s);
		sp_buf_free(&r);
	}
	{
		struct sp_buf b = SP_BUF_INIT;

		sp_canon_header(SP_CANON_RELAXED, "DKIM-Signature", 14,
		    " v=1; b=", 8, false, &b);
		is_str(b.data, "dkim-signature:v=1; b=", "no CRLF when asked (the "
		    "signature field, RFC 6376 3.7)");
		sp_buf_free(&b);
	}
}

static void
test_header_names(void)
{
	static const struct {
		const char *name;
		bool valid;
		size_t len;
	} cases[] = {
		{ "Subject", true, 7 },
		{ "Subject ", true, 7 },
		{ "Subject\t \t", true, 7 },
		{ "X-Odd_name.1!", true, 13 },
		{ "", false, 0 },
		{ " ", false, 0 },
		{ " Subject", false, 0 },
		{ "Sub ject", false, 0 },
		{ "Sub:ject", false, 0 },
		{ "Subj\xc3\xa9", false, 0 },
		{ "Sub\x7f", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 0;
		bool valid = sp_header_name_check(cases[i].name,
		    strlen(cases[i].name), &len);

		ok(valid == cases[i].valid && (!valid || len == cases[i].len),
		    "field name \"%s\" is %s", cases[i].name,
		    cases[i].valid ? "valid" : "refused");
	}
}

int
main(void)
{
	test_rfc6376_example();
	test_body_table();
	test_many_blank_lines();
	test_random_bodies();
	test_block_edges();
	test_large_spans();
	test_header_table();
	test_header_names();
	return done_testing();
}

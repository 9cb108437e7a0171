/*
 * canon.c - DKIM canonicalisation (RFC 6376 section 3.4): header fields and
 * a streaming body canonicaliser. See canon.h for the contracts.
 *
 * The body canonicaliser never copies input it does not have to change: it
 * keeps a "run", the span of the current chunk that is already canonical,
 * and hands it to the sink in one piece when something must be changed
 * (a bare LF, white space to collapse, an empty line to hold back) or the
 * chunk ends. Small pieces are gathered in a stage buffer so the hash sees
 * few, large updates.
 *
 * Lines are found 64 bytes at a time: a block scanner (SSE2 where the
 * compiler offers it, plain C otherwise) marks every LF and, for relaxed,
 * every byte that may need rewriting (a tab, a space before white space
 * or a line end). A relaxed line without such a byte is already canonical
 * and skips the byte-by-byte pass.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The block scanner comes in three builds of the same logic: plain C,
 * SSE2 (every x86-64), and AVX2, chosen at run time where the CPU has it.
 * SP_CANON_PORTABLE / SP_CANON_NO_AVX2 turn the faster ones off, so the
 * tests can check each.
 */
#if defined(__SSE2__) && !defined(SP_CANON_PORTABLE)
#include <emmintrin.h>
#define SCAN_SSE2 1
#if defined(__x86_64__) && defined(__GNUC__) && !defined(SP_CANON_NO_AVX2)
#include <immintrin.h>
#define SCAN_AVX2 1
#endif
#endif

#include "signpost/canon.h"
#include "signpost/grammar.h"

/* Spans at least this long skip the stage buffer. */
#define DIRECT_MIN 1024
/* The bulk pass hands over what it has checked in spans of this size. */
#define BULK_SPAN 8192

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
sp_header_name_check(const char *name, size_t name_len, size_t *len)
{
	size_t n = name_len;

	while (n > 0 && is_wsp((unsigned char)name[n - 1]))
		n--;
	if (sp_field_name_problem(name, n) != NULL)
		return false;
	*len = n;
	return true;
}

/* A line end after the value is not part of it. */
static size_t
value_without_eol(const char *value, size_t len)
{
	if (len > 0 && value[len - 1] == '\n')
		len--;
	if (len > 0 && value[len - 1] == '\r')
		len--;
	return len;
}

/* RFC 6376 3.4.1: the field exactly as on the wire (CRLF line breaks). */
static void
canon_header_simple(const char *name, size_t name_len, const char *value,
    size_t value_len, struct sp_buf *out)
{
	size_t start = 0;

	sp_buf_append(out, name, name_len);
	sp_buf_putc(out, ':');
	for (size_t i = 0; i < value_len; i++) {
		if (value[i] != '\n' || (i > 0 && value[i - 1] == '\r'))
			continue;
		sp_buf_append(out, value + start, i - start);
		sp_buf_append(out, "\r\n", 2);
		start = i + 1;
	}
	sp_buf_append(out, value + start, value_len - start);
}

/*
 * RFC 6376 3.4.2: lower-case name, no white space around the colon,
 * unfolded, white space runs made one space, none at the end.
 */
static void
canon_header_relaxed(const char *name, size_t name_len, const char *value,
    size_t value_len, struct sp_buf *out)
{
	bool space = false, any = false;
	char *w;

	while (name_len > 0 && is_wsp((unsigned char)name[name_len - 1]))
		name_len--;
	sp_buf_reserve(out, name_len + 1 + value_len);
	w = out->data + out->len;
	for (size_t i = 0; i < name_len; i++)
		*w++ = ascii_lower(name[i]);
	*w++ = ':';
	for (size_t i = 0; i < value_len; i++) {
		char c = value[i];

		if (c == '\n' || (c == '\r' && i + 1 < value_len &&
		    value[i + 1] == '\n'))
			continue;               /* unfold */
		if (is_wsp((unsigned char)c)) {
			space = true;
			continue;
		}
		if (space && any)
			*w++ = ' ';
		space = false;
		any = true;
		*w++ = c;
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
}

void
sp_canon_header(enum sp_canon mode, const char *name, size_t name_len,
    const char *value, size_t value_len, bool crlf, struct sp_buf *out)
{
	value_len = value_without_eol(value, value_len);
	if (mode == SP_CANON_RELAXED)
		canon_header_relaxed(name, name_len, value, value_len, out);
	else
		canon_header_simple(name, name_len, value, value_len, out);
	if (crlf)
		sp_buf_append(out, "\r\n", 2);
}

/* ---- body ---- */

void
sp_body_canon_init(struct sp_body_canon *c, enum sp_canon mode,
    sp_canon_sink *sink, void *sink_arg)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->sink = sink;
	c->sink_arg = sink_arg;
	c->stage = sp_xmalloc(SP_CANON_STAGE);
#ifdef SCAN_AVX2
	c->avx2 = __builtin_cpu_supports("avx2");
#endif
}

void
sp_body_canon_free(struct sp_body_canon *c)
{
	free(c->stage);
	c->stage = NULL;
}

size_t
sp_body_canon_longest_line(const struct sp_body_canon *c)
{
	return c->line_len > c->longest ? c->line_len : c->longest;
}

static void
stage_flush(struct sp_body_canon *c)
{
	if (c->stage_len == 0)
		return;
	c->sink(c->sink_arg, c->stage, c->stage_len);
	c->stage_len = 0;
}

static void
emit_slow(struct sp_body_canon *c, const char *p, size_t n)
{
	if (n == 0)
		return;
	stage_flush(c);
	if (n >= DIRECT_MIN) {
		c->sink(c->sink_arg, p, n);
		return;
	}
	memcpy(c->stage, p, n);
	c->stage_len = n;
}

/* Canonical output: large spans go straight to the sink, small ones wait. */
static inline void
emit(struct sp_body_canon *c, const char *p, size_t n)
{
	if (n - 1 < DIRECT_MIN - 1 && c->stage_len + n <= SP_CANON_STAGE) {
		memcpy(c->stage + c->stage_len, p, n);
		c->stage_len += n;
		return;
	}
	emit_slow(c, p, n);
}

static const char crlfs[] =
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

/* Content follows: the empty lines held back were not trailing after all. */
static void
content_begins(struct sp_body_canon *c)
{
	if (!c->line_open) {
		while (c->blank_lines > 0) {
			size_t k = c->blank_lines;

			if (k > (sizeof(crlfs) - 1) / 2)
				k = (sizeof(crlfs) - 1) / 2;
			emit(c, crlfs, 2 * k);
			c->blank_lines -= k;
		}
		c->line_open = true;
		c->emitted = true;
	}
	if (c->pending_wsp) {
		emit(c, " ", 1);
		c->pending_wsp = false;
	}
}

/*
 * Content starts at `at`: hand over the run before it if something held
 * back must come first. Returns the run's new start.
 */
static inline const char *
begin_content(struct sp_body_canon *c, const char *run, const char *at)
{
	if (!c->pending_wsp && (c->line_open || c->blank_lines == 0)) {
		c->line_open = true;    /* nothing held back: the run goes on */
		c->emitted = true;
		return run;
	}
	emit(c, run, (size_t)(at - run));
	content_begins(c);
	return at;
}

/*
 * A line ends at `nl` (its LF); its content ended at `e` (nl - 1 when `cr`
 * says a CR came first). A CRLF after content stays in the run; an empty
 * line is held back; a bare LF becomes CRLF. Returns the run's new start.
 */
static inline const char *
line_end(struct sp_body_canon *c, const char *run, const char *e,
    const char *nl, bool cr)
{
	if (!c->line_open) {
		emit(c, run, (size_t)(e - run));
		c->blank_lines++;
		run = nl + 1;
	} else if (!cr) {
		emit(c, run, (size_t)(e - run));
		emit(c, "\r\n", 2);
		run = nl + 1;
	}
	c->pending_wsp = false;         /* trailing white space is dropped */
	c->line_open = false;
	if (c->line_len > c->longest)
		c->longest = c->line_len;
	c->line_len = 0;
	return run;
}

/* The chunk started right after a CR: is it half of a CRLF? */
static size_t
resolve_pending_cr(struct sp_body_canon *c, const char *p)
{
	c->pending_cr = false;
	if (*p == '\n') {
		line_end(c, p, p, p, false);
		return 1;
	}
	content_begins(c);              /* a CR alone is content */
	emit(c, "\r", 1);
	c->line_len++;
	return 0;
}

/* ---- the block scanner ---- */

struct scan {
	const char *blk;        /* start of the current 64-byte block */
	const char *end;        /* end of the chunk */
	bool relaxed;
	uint64_t lf;            /* bit i: blk[i] is LF */
	uint64_t trouble;       /* bit i: blk[i] may need rewriting (relaxed) */
};

#ifndef SCAN_SSE2
static bool
is_wsp_or_eol(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
#endif

/* Bit i of each mask describes byte i of a 64-byte block. */
struct masks {
	uint64_t lf;            /* LF */
	uint64_t cr;            /* CR */
	uint64_t trouble;       /* relaxed: a tab, or a space before white
	                         * space, CR or LF */
};

/* Masks of 64 bytes at p; p[64] is readable too (the byte after a space). */
static inline void
block_masks(const unsigned char *p, bool relaxed, struct masks *m)
{
#ifdef SCAN_SSE2
	const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	uint64_t m_lf[4], m_cr[4], m_t[4] = { 0, 0, 0, 0 };

	/* four 16-byte lanes, written out: the compiler keeps it branch-free */
#define LANE(k) do { \
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (k))); \
	m_lf[k] = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, nl)); \
	m_cr[k] = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, cr)); \
} while (0)
	LANE(0);
	LANE(1);
	LANE(2);
	LANE(3);
#undef LANE
	if (relaxed) {
		const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');

		for (int k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + 16 * k));
			__m128i y = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + 16 * k + 1));
			__m128i next = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(y, sp), _mm_cmpeq_epi8(y, tab)),
			    _mm_or_si128(_mm_cmpeq_epi8(y, cr), _mm_cmpeq_epi8(y, nl)));
			__m128i t = _mm_or_si128(_mm_cmpeq_epi8(x, tab),
			    _mm_and_si128(_mm_cmpeq_epi8(x, sp), next));

			m_t[k] = (uint64_t)(unsigned)_mm_movemask_epi8(t);
		}
	}
	m->lf = m_lf[0] | m_lf[1] << 16 | m_lf[2] << 32 | m_lf[3] << 48;
	m->cr = m_cr[0] | m_cr[1] << 16 | m_cr[2] << 32 | m_cr[3] << 48;
	m->trouble = m_t[0] | m_t[1] << 16 | m_t[2] << 32 | m_t[3] << 48;
#else
	m->lf = m->cr = m->trouble = 0;
	for (int i = 0; i < 64; i++) {
		if (p[i] == '\n')
			m->lf |= (uint64_t)1 << i;
		if (p[i] == '\r')
			m->cr |= (uint64_t)1 << i;
		if (relaxed && (p[i] == '\t' ||
		    (p[i] == ' ' && is_wsp_or_eol(p[i + 1]))))
			m->trouble |= (uint64_t)1 << i;
	}
#endif
}

#ifdef SCAN_AVX2
/* block_masks with 32-byte vectors. */
__attribute__((target("avx2"))) static inline void
block_masks_avx2(const unsigned char *p, bool relaxed, struct masks *m)
{
	const __m256i nl = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
	__m256i x[2];

	x[0] = _mm256_loadu_si256((const __m256i *)(const void *)p);
	x[1] = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	m->lf = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x[0], nl)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x[1], nl)) << 32;
	m->cr = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x[0], cr)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x[1], cr)) << 32;
	m->trouble = 0;
	if (relaxed) {
		const __m256i sp = _mm256_set1_epi8(' '), tab = _mm256_set1_epi8('\t');

		for (int k = 0; k < 2; k++) {
			__m256i y = _mm256_loadu_si256(
			    (const __m256i *)(const void *)(p + 32 * k + 1));
			__m256i next = _mm256_or_si256(
			    _mm256_or_si256(_mm256_cmpeq_epi8(y, sp),
			    _mm256_cmpeq_epi8(y, tab)),
			    _mm256_or_si256(_mm256_cmpeq_epi8(y, cr),
			    _mm256_cmpeq_epi8(y, nl)));
			__m256i t = _mm256_or_si256(_mm256_cmpeq_epi8(x[k], tab),
			    _mm256_and_si256(_mm256_cmpeq_epi8(x[k], sp), next));

			m->trouble |= (uint64_t)(uint32_t)_mm256_movemask_epi8(t) <<
			    (32 * k);
		}
	}
}
#endif

/*
 * Masks of the 64 bytes at p in a chunk ending at `end`. Near the end the
 * bytes are copied after padding of spaces: a space that ends the chunk
 * then counts as white space to rewrite, since its line may end next.
 * `avx2` is a constant where this is inlined.
 */
static inline __attribute__((always_inline)) void
masks_at(const char *p, const char *end, bool relaxed, bool avx2,
    struct masks *m)
{
	const unsigned char *src = (const unsigned char *)p;
	unsigned char pad[80];
	size_t n = (size_t)(end - p);

	if (n <= 64) {
		memset(pad, ' ', sizeof(pad));
		memcpy(pad, p, n);
		src = pad;
	}
#ifdef SCAN_AVX2
	if (avx2) {
		block_masks_avx2(src, relaxed, m);
		return;
	}
#else
	(void)avx2;
#endif
	block_masks(src, relaxed, m);
}

static void
scan_load(struct scan *s)
{
	struct masks m;

	masks_at(s->blk, s->end, s->relaxed, false, &m);
	s->lf = m.lf;
	s->trouble = m.trouble;
}

static void
scan_init(struct scan *s, const char *p, const char *end, bool relaxed)
{
	s->blk = p;
	s->end = end;
	s->relaxed = relaxed;
	s->lf = s->trouble = 0;
	if (p < end)
		scan_load(s);
}

/*
 * The next LF at or after p (NULL: none in the chunk); *trouble says
 * whether [p, LF) holds a byte relaxed canonicalisation may rewrite.
 */
static inline const char *
scan_next_lf(struct scan *s, const char *p, bool *trouble)
{
	uint64_t t = 0;

	for (;;) {
		size_t off = (size_t)(p - s->blk);

		if (off < 64) {
			uint64_t from = ~(uint64_t)0 << off;
			uint64_t lf = s->lf & from;

			if (lf != 0) {
				unsigned i = (unsigned)__builtin_ctzll(lf);

				t |= s->trouble & from & (((uint64_t)1 << i) - 1);
				*trouble = t != 0;
				return s->blk + i;
			}
			t |= s->trouble & from;
		}
		if (s->end - s->blk <= 64) {
			*trouble = t != 0;
			return NULL;
		}
		s->blk += 64;
		p = s->blk;
		scan_load(s);
	}
}

/* The first byte in [q, e) the block scanner flags; e when none. */
static const char *
next_trouble(const char *q, const char *e, const char *end)
{
	struct masks m;

	for (; q < e; q += 64) {
		size_t n = (size_t)(e - q);

		masks_at(q, end, true, false, &m);
		if (n < 64)
			m.trouble &= ((uint64_t)1 << n) - 1;
		if (m.trouble != 0)
			return q + __builtin_ctzll(m.trouble);
	}
	return e;
}

/*
 * Relaxed (RFC 6376 3.4.4): [p, e) is content of one line (all of it in
 * this chunk, or the part that is; `end` ends the chunk). Between flagged
 * bytes the text is already canonical and stays in the run; each flagged
 * byte starts a white space run that is cut out and becomes one pending
 * space, emitted only if more content follows on the line. White space
 * pending from the last chunk absorbs the white space this one starts with.
 */
static const char *
relaxed_content(struct sp_body_canon *c, const char *run, const char *p,
    const char *e, const char *end)
{
	const char *q = p, *t, *r;

	if (c->pending_wsp) {
		while (q < e && is_wsp((unsigned char)*q))
			q++;
		run = q;
	}
	while (q < e) {
		t = next_trouble(q, e, end);
		if (t > q)
			run = begin_content(c, run, q);
		if (t == e)
			break;
		for (r = t + 1; r < e && is_wsp((unsigned char)*r); r++)
			;
		emit(c, run, (size_t)(t - run));
		c->pending_wsp = true;
		run = q = r;
	}
	return run;
}

/*
 * Lines one at a time, exactly, from p up to `lim` (the end of the chunk,
 * or just after an LF in it; `end` ends the chunk). Relaxed lines go
 * through the white space pass only when the scanner saw something to
 * rewrite, when white space is pending from the last chunk, or for the
 * line the chunk ends inside.
 */
static void
lines_exact(struct sp_body_canon *c, const char *p, const char *lim,
    const char *end)
{
	bool relaxed = c->mode == SP_CANON_RELAXED, trouble, cr;
	const char *run = p, *nl, *e;
	struct scan s;

	scan_init(&s, p, end, relaxed);
	while (p < lim) {
		nl = scan_next_lf(&s, p, &trouble);
		e = nl != NULL ? nl : end;
		cr = e > p && e[-1] == '\r';
		if (cr)
			e--;
		c->line_len += (size_t)(e - p);
		if (relaxed && (trouble || c->pending_wsp || nl == NULL))
			run = relaxed_content(c, run, p, e, end);
		else if (e > p)
			run = begin_content(c, run, p);
		if (nl == NULL) {
			emit(c, run, (size_t)(e - run));
			c->pending_cr = cr;
			return;
		}
		run = line_end(c, run, e, nl, cr);
		p = nl + 1;
	}
	emit(c, run, (size_t)(p - run));
}

/* Is the line [ls, e) (line end excluded) empty once canonicalised? */
static bool
line_is_blank(const struct sp_body_canon *c, const char *ls, const char *e)
{
	if (c->mode == SP_CANON_SIMPLE)
		return ls == e;
	for (; ls < e; ls++)
		if (!is_wsp((unsigned char)*ls))
			return false;
	return true;
}

/*
 * Where the bulk part of [from, end) ends: after the last LF whose line
 * is not blank (blank lines at the end may be trailing and are left to
 * lines_exact). Returns `from` when there is no such line.
 */
static const char *
bulk_end(const struct sp_body_canon *c, const char *from, const char *end)
{
	const char *k = from < end ? memrchr(from, '\n', (size_t)(end - from)) :
	    NULL;

	if (k == NULL)
		return from;
	for (k++; k > from;) {
		const char *le = k - 1, *ls, *e = le;

		ls = le > from ? memrchr(from, '\n', (size_t)(le - from)) : NULL;
		ls = ls != NULL ? ls + 1 : from;
		if (e > ls && e[-1] == '\r')
			e--;
		if (!line_is_blank(c, ls, e))
			break;
		k = ls;
	}
	return k;
}

/*
 * The longest line ending in this block: lines end at the LFs of `lf`
 * (those not in `bare` after a CR); the current line started at *ls.
 * Once the longest line has 64 bytes or more, only a line that started
 * before the block can be longer, and it ends at the block's first LF.
 */
static inline void
block_longest(const char *blk, uint64_t lf, uint64_t bare, const char **ls,
    size_t *longest)
{
	uint64_t todo = *longest >= 64 ? lf & -lf : lf;

	for (; todo != 0; todo &= todo - 1) {
		unsigned i = (unsigned)__builtin_ctzll(todo);
		size_t len = (size_t)(blk + i - *ls) - !(bare >> i & 1);

		if (len > *longest)
			*longest = len;
		if (*longest >= 64)
			break;
		*ls = blk + i + 1;
	}
	*ls = blk + 64 - __builtin_clzll(lf);
}

/*
 * Whole lines [p, k), each followed by content, so nothing in them is held
 * back: the text goes out as it is except where the block scanner flags a
 * byte. A bare LF becomes CRLF; (relaxed) a flagged white space run becomes
 * one space, or nothing before the line end. Line lengths come from the LF
 * positions. p follows an LF; `end` ends the chunk.
 */
static inline __attribute__((always_inline)) void
lines_bulk(struct sp_body_canon *c, const char *p, const char *k,
    const char *end, bool avx2)
{
	bool relaxed = c->mode == SP_CANON_RELAXED;
	const char *run = p, *ls = p, *r;
	size_t longest = c->longest;
	uint64_t cr_carry = 0;          /* p - 1 is an LF */

	for (const char *blk = p; blk < k; blk += 64) {
		size_t n = (size_t)(k - blk);
		uint64_t bare, ev;
		struct masks m;

		if (blk - run >= BULK_SPAN) {
			emit(c, run, (size_t)(blk - run));   /* hash it while cached */
			run = blk;
		}
		masks_at(blk, end, relaxed, avx2, &m);
		if (n < 64) {
			m.lf &= ((uint64_t)1 << n) - 1;
			m.trouble &= ((uint64_t)1 << n) - 1;
		}
		bare = m.lf & ~(m.cr << 1 | cr_carry);
		cr_carry = m.cr >> 63;
		if (m.lf != 0)
			block_longest(blk, m.lf, bare, &ls, &longest);
		for (ev = bare | m.trouble; ev != 0; ev &= ev - 1) {
			const char *q = blk + __builtin_ctzll(ev);

			if (*q == '\n') {
				emit(c, run, (size_t)(q - run));
				emit(c, "\r\n", 2);
				run = q + 1;
			} else if (q >= run) {
				for (r = q + 1; is_wsp((unsigned char)*r); r++)
					;               /* stops at the line's LF */
				emit(c, run, (size_t)(q - run));
				if (*r != '\n' && !(*r == '\r' && r[1] == '\n'))
					emit(c, " ", 1);
				run = r;
			}
		}
	}
	emit(c, run, (size_t)(k - run));
	c->longest = longest;
}

static void
lines_bulk_sse2(struct sp_body_canon *c, const char *p, const char *k,
    const char *end)
{
	lines_bulk(c, p, k, end, false);
}

#ifdef SCAN_AVX2
__attribute__((target("avx2"))) static void
lines_bulk_avx2(struct sp_body_canon *c, const char *p, const char *k,
    const char *end)
{
	lines_bulk(c, p, k, end, true);
}
#endif

/*
 * One chunk: its first line (which may continue the last chunk's) and
 * its end (blank lines that may be trailing, a line cut by the chunk end)
 * line by line; the whole lines between in bulk, after the empty lines
 * held back so far, which content now follows.
 */
static void
body_update(struct sp_body_canon *c, const char *p, const char *end)
{
	const char *a, *k;

	if (c->pending_cr)
		p += resolve_pending_cr(c, p);
	a = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	if (a == NULL || (k = bulk_end(c, a + 1, end)) == a + 1) {
		lines_exact(c, p, end, end);
		return;
	}
	lines_exact(c, p, a + 1, end);
	content_begins(c);              /* releases held-back empty lines */
#ifdef SCAN_AVX2
	if (c->avx2)
		lines_bulk_avx2(c, a + 1, k, end);
	else
#endif
		lines_bulk_sse2(c, a + 1, k, end);
	c->line_open = false;
	lines_exact(c, k, end, end);
}

void
sp_body_canon_update(struct sp_body_canon *c, const void *data, size_t len)
{
	if (c->finished)
		SP_BUG("body data after the end of the body");
	if (len == 0)
		return;
	body_update(c, data, (const char *)data + len);
}

void
sp_body_canon_final(struct sp_body_canon *c)
{
	if (c->finished)
		SP_BUG("body ended twice");
	if (c->pending_cr) {
		c->pending_cr = false;
		content_begins(c);
		emit(c, "\r", 1);
		c->line_len++;
	}
	if (c->line_open)
		emit(c, "\r\n", 2);
	if (c->line_len > c->longest)
		c->longest = c->line_len;
	c->line_len = 0;
	if (!c->emitted && c->mode == SP_CANON_SIMPLE)
		emit(c, "\r\n", 2);     /* RFC 6376 3.4.3: an empty body is CRLF */
	stage_flush(c);
	c->finished = true;
}

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
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/canon.h"

/* Spans at least this long skip the stage buffer. */
#define DIRECT_MIN 1024

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
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 33 || c > 126 || c == ':')
			return false;
	}
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

/* Canonical output: large spans go straight to the sink, small ones wait. */
static void
emit(struct sp_body_canon *c, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (n >= DIRECT_MIN) {
		stage_flush(c);
		c->sink(c->sink_arg, p, n);
		return;
	}
	if (c->stage_len + n > SP_CANON_STAGE)
		stage_flush(c);
	memcpy(c->stage + c->stage_len, p, n);
	c->stage_len += n;
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
	if (c->line_open && !c->pending_wsp)
		return run;
	emit(c, run, (size_t)(at - run));
	content_begins(c);
	return at;
}

/*
 * A line ends at `nl` (its LF); its content ended at `e` (nl - 1 when `cr`
 * says a CR came first). A CRLF after content stays in the run; an empty
 * line is held back; a bare LF becomes CRLF. Returns the run's new start.
 */
static const char *
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

/*
 * Relaxed (RFC 6376 3.4.4): [p, e) is content of one line (all of it in
 * this chunk, or the part that is). A single space between words is kept
 * in the run; any other white space run is cut out and becomes one pending
 * space, emitted only if more content follows on the line.
 */
static const char *
relaxed_content(struct sp_body_canon *c, const char *run, const char *p,
    const char *e)
{
	const char *q = p, *r;

	while (q < e) {
		if (!is_wsp((unsigned char)*q)) {
			run = begin_content(c, run, q);
			while (++q < e && !is_wsp((unsigned char)*q))
				;
			continue;
		}
		r = q + 1;
		while (r < e && is_wsp((unsigned char)*r))
			r++;
		if (r < e && r == q + 1 && *q == ' ' && c->line_open &&
		    !c->pending_wsp) {
			q = r;
			continue;
		}
		emit(c, run, (size_t)(q - run));
		c->pending_wsp = true;
		run = q = r;
	}
	return run;
}

/* One chunk, both modes: lines found with memchr, content per mode. */
static void
body_update(struct sp_body_canon *c, const char *p, const char *end)
{
	bool relaxed = c->mode == SP_CANON_RELAXED;
	const char *run, *nl, *e;
	bool cr;

	if (c->pending_cr)
		p += resolve_pending_cr(c, p);
	run = p;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl != NULL ? nl : end;
		cr = e > p && e[-1] == '\r';
		if (cr)
			e--;
		c->line_len += (size_t)(e - p);
		if (relaxed)
			run = relaxed_content(c, run, p, e);
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

/*
 * canon.h - DKIM canonicalisation (RFC 6376 section 3.4), internal to the
 * signing engine and exposed for its unit tests.
 *
 * Header fields are canonicalised one at a time into a buffer. The body is
 * canonicalised as a stream: bytes arrive in chunks of any size and the
 * canonical form leaves through a sink in large spans, so a hash sees few,
 * big updates. What cannot be decided yet is held back as state, never as
 * a copy of the input: trailing empty lines, trailing white space (relaxed)
 * and a CR whose LF may start the next chunk. Memory does not depend on the
 * body's size.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_CANON_H
#define SIGNPOST_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "signpost/util.h"

/*
 * A field name as it appeared before the colon: one or more printable
 * ASCII characters other than ':' (RFC 5322 ftext), optionally followed by
 * white space (obsolete "Subject :"). Sets *len to the name without that
 * white space; false when the name is malformed.
 */
bool sp_header_name_check(const char *name, size_t name_len, size_t *len);

/*
 * Append the canonical form of one header field to `out`: simple (RFC 6376
 * 3.4.1) reproduces name, colon and value exactly, with bare LF line breaks
 * made CRLF; relaxed (3.4.2) lower-cases the name, unfolds, turns each run
 * of white space into one space and drops it around the colon and at the
 * end. `crlf` ends the field with CRLF (every signed field) or not (the
 * DKIM-Signature field being made, RFC 6376 3.7).
 */
void sp_canon_header(enum sp_canon mode, const char *name, size_t name_len,
    const char *value, size_t value_len, bool crlf, struct sp_buf *out);

/* Where canonical body bytes go. */
typedef void sp_canon_sink(void *arg, const void *data, size_t len);

/* Small outputs are gathered into this many bytes before reaching the sink. */
#define SP_CANON_STAGE 16384

struct sp_body_canon {
	enum sp_canon mode;
	sp_canon_sink *sink;
	void *sink_arg;
	size_t blank_lines;     /* empty lines held back (dropped at the end) */
	size_t line_len;        /* raw bytes of the current line so far */
	size_t longest;         /* longest complete or final line, raw bytes */
	bool pending_cr;        /* the last chunk ended in CR */
	bool pending_wsp;       /* relaxed: white space since the last content */
	bool line_open;         /* the current line has canonical content */
	bool emitted;           /* any canonical content at all */
	bool finished;
	bool avx2;              /* the CPU has AVX2: scan with it */
	char *stage;            /* SP_CANON_STAGE bytes */
	size_t stage_len;
};

void sp_body_canon_init(struct sp_body_canon *c, enum sp_canon mode,
    sp_canon_sink *sink, void *sink_arg);
/* Bare LF counts as a line end; a CR alone is an ordinary byte. */
void sp_body_canon_update(struct sp_body_canon *c, const void *data,
    size_t len);
/*
 * End of the body: drops held-back empty lines, ends an unterminated last
 * line with CRLF, makes an empty body "\r\n" (simple) or "" (relaxed), and
 * hands everything still staged to the sink.
 */
void sp_body_canon_final(struct sp_body_canon *c);
/* Longest line so far, in raw bytes, without its line end. */
size_t sp_body_canon_longest_line(const struct sp_body_canon *c);
void sp_body_canon_free(struct sp_body_canon *c);

#endif

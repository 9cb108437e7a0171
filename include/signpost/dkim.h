/*
 * dkim.h - the DKIM signing engine (RFC 6376, RFC 8463): one object per
 * message, fed header fields one at a time and body bytes in chunks of any
 * size, that returns the DKIM-Signature field values at the end.
 *
 * No I/O and no clock of its own: the caller passes "now" so tests are
 * reproducible. The body is canonicalised and hashed as it streams; only the
 * header fields that may be signed are kept.
 *
 * Order of calls:
 *   sp_dkim_new
 *   sp_dkim_header ...            every header field, top to bottom
 *   sp_dkim_end_headers           checks From: (exactly one, one address)
 *   sp_dkim_add_signer ...        one per signature wanted (any time before final)
 *   sp_dkim_body ...              body bytes, any chunking
 *   sp_dkim_final                 the signatures
 *   sp_dkim_free
 */
#ifndef SIGNPOST_DKIM_H
#define SIGNPOST_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "signpost/conf.h"
#include "signpost/keys.h"
#include "signpost/util.h"

struct sp_sign_opts {
	enum sp_canon header_canon;
	enum sp_canon body_canon;
	const struct sp_list *sign_headers;     /* lower-case names, h= candidates */
	const struct sp_list *oversign_headers; /* present ones get one extra h= entry */
	time_t now;                             /* t= */
	unsigned long expire;                   /* x = t + expire; 0: no x= */
};

struct sp_dkim;

/* The options (and the lists they point to) must outlive the object. */
struct sp_dkim *sp_dkim_new(const struct sp_sign_opts *opts);

/*
 * One header field: `name` as it appeared before the colon, `value` every
 * byte after the colon (leading white space and folding included; line
 * breaks may be CRLF or bare LF). Fails only on a malformed field name.
 */
bool sp_dkim_header(struct sp_dkim *d, const char *name, size_t name_len,
    const char *value, size_t value_len, sp_err *err);

/*
 * End of the header: requires exactly one From: field holding exactly one
 * parsable address; otherwise fails with the reason ("no From: header",
 * "2 From: headers", "unparsable From: ...").
 */
bool sp_dkim_end_headers(struct sp_dkim *d, sp_err *err);

/* The From: address's domain, lower-case (valid after end_headers). */
const char *sp_dkim_from_domain(const struct sp_dkim *d);

/* Does an existing DKIM-Signature field carry this d= and s=? */
bool sp_dkim_has_signature(const struct sp_dkim *d, const char *sdid,
    const char *selector);

/* Sign with `key` for d=`sdid`. The key must outlive the object. */
bool sp_dkim_add_signer(struct sp_dkim *d, const char *sdid,
    const struct sp_key *key, sp_err *err);

/* Body bytes; bare LF counts as a line end (CRLF on the wire). */
void sp_dkim_body(struct sp_dkim *d, const void *data, size_t len);

/* Longest body line seen so far in bytes, without its line end. */
size_t sp_dkim_longest_line(const struct sp_dkim *d);

/*
 * The signatures, one per signer in order: each is the field value that
 * follows "DKIM-Signature:", starting with " v=1;", folded with "\r\n\t"
 * so no line exceeds 78 characters.
 */
bool sp_dkim_final(struct sp_dkim *d, struct sp_list *signatures, sp_err *err);

void sp_dkim_free(struct sp_dkim *d);

#endif

/*
 * dkim.h - the DKIM signing engine (RFC 6376, RFC 8463): one object per
 * message, fed header fields one at a time and body bytes in chunks of any
 * size, that returns the DKIM-Signature field values at the end.
 *
 * No I/O and no clock of its own: the caller passes "now" so tests are
 * reproducible. The body is canonicalised and hashed as it streams; of the
 * header only what may be signed is kept, and of that only the bottom-most
 * SP_DKIM_MAX_INSTANCES fields of each name. What one header may make the
 * engine take in is capped (struct sp_header_limits): past a cap it says
 * so and takes nothing more.
 *
 * Order of calls:
 *   sp_dkim_new
 *   sp_dkim_header ...            every header field, top to bottom
 *   sp_dkim_end_headers           checks From: (exactly one, one address)
 *   sp_dkim_add_signer ...        one per signature wanted (any time before final)
 *   sp_dkim_body ...              body bytes, any chunking
 *   sp_dkim_final                 the signatures
 *   sp_dkim_free
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
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
	const struct sp_header_limits *limits;  /* NULL: SP_DEFAULT_MAX_* */
};

/*
 * Instances of one field name that are kept and signed: the bottom-most
 * ones (RFC 6376 5.4.2). A name present more often has only these listed
 * in h=, and gets no oversigning entry (the next one up is not empty).
 */
#define SP_DKIM_MAX_INSTANCES 32
/* Existing DKIM-Signature fields remembered (the top-most with d= and s=). */
#define SP_DKIM_MAX_EXISTING 8

struct sp_dkim;

/* The options (and the lists they point to) must outlive the object. */
struct sp_dkim *sp_dkim_new(const struct sp_sign_opts *opts);

/*
 * One header field: `name` as it appeared before the colon, `value` every
 * byte after the colon (leading white space and folding included; line
 * breaks may be CRLF or bare LF). Fails on a malformed field name, and
 * when the header goes past one of its limits: then the reason starts
 * with "header over the limit" (sp_dkim_over_limit() is true), everything
 * kept is dropped, and every later call fails the same way.
 */
bool sp_dkim_header(struct sp_dkim *d, const char *name, size_t name_len,
    const char *value, size_t value_len, sp_err *err);

/*
 * End of the header: requires exactly one From: field holding exactly one
 * parsable address; otherwise fails with the reason ("no From: header",
 * "2 From: headers", "unparsable From: ...").
 */
bool sp_dkim_end_headers(struct sp_dkim *d, sp_err *err);

/* Did the header go past one of its limits? */
bool sp_dkim_over_limit(const struct sp_dkim *d);

/* The From: address's domain, lower-case (valid after end_headers). */
const char *sp_dkim_from_domain(const struct sp_dkim *d);

/*
 * Does an existing DKIM-Signature field carry this d= and s=? (Only the
 * SP_DKIM_MAX_EXISTING top-most are remembered.) Carrying one is not a
 * reason to skip signing: sp_dkim_final skips a signer only when such a
 * signature verifies with the signer's own key.
 */
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
 *
 * A signer is skipped when the message already carries a signature with
 * its d= and s= that verifies with its key: the body hash (bh=) matches
 * and b= verifies over the h= fields. Such a signature can only have come
 * from us (we hold the private key), e.g. mail passing the milter twice.
 * One that does not verify (forged, stale after the body changed, made
 * with another a= or c= than ours, with l=, expired, or naming fields the
 * engine does not keep) does not stop signing; sp_dkim_notes says why.
 * When every signer is skipped, `signatures` gets nothing, true is
 * returned and `err` says "already signed by ...".
 */
bool sp_dkim_final(struct sp_dkim *d, struct sp_list *signatures, sp_err *err);

/* After final: was signer i (in the order added) skipped? */
bool sp_dkim_signer_skipped(const struct sp_dkim *d, size_t i);

/*
 * After final: things worth a log line that did not stop signing, e.g.
 * "existing signature d=example.com s=sel does not verify (body hash
 * differs): signed again". Valid until sp_dkim_free.
 */
const struct sp_list *sp_dkim_notes(const struct sp_dkim *d);

void sp_dkim_free(struct sp_dkim *d);

#endif

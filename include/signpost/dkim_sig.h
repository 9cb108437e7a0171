/*
 * dkim_sig.h - the DKIM-Signature field itself (RFC 6376 section 3.5):
 * building its tag list in our fixed order and folding it at 78
 * characters, and reading tags back from fields already in a message.
 * Internal to the signing engine, exposed for its unit tests.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_DKIM_SIG_H
#define SIGNPOST_DKIM_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "signpost/conf.h"
#include "signpost/dkim.h"
#include "signpost/keys.h"
#include "signpost/taglist.h"
#include "signpost/util.h"

/* No line of the field, "DKIM-Signature:" included, is longer than this. */
#define SP_SIG_LINE_MAX 78
/* The field name, which starts the first line. */
#define SP_SIG_FIELD "DKIM-Signature"

struct sp_sig_tags {
	const char *algorithm;          /* a= */
	enum sp_canon header_canon;     /* c= */
	enum sp_canon body_canon;
	const char *sdid;               /* d= */
	const char *selector;           /* s= */
	long long t;                    /* t= */
	long long x;                    /* x=, when > 0 */
	const struct sp_list *h;        /* h=, at least one name */
	const char *bh;                 /* bh=, base64 */
};

/*
 * Append the field value " v=1; a=...; ...; bh=...; b=" (tags in that
 * order, no l=, i= or q=), folded with "\r\n\t". This is exactly what is
 * signed (RFC 6376 3.7: b= empty). Returns the column after "b=" for
 * sp_sig_append_b().
 */
size_t sp_sig_build(const struct sp_sig_tags *tags, struct sp_buf *out);

/* Append the b= value, folded, continuing at column `col`. */
void sp_sig_append_b(struct sp_buf *out, size_t col, const char *b64);

/*
 * The tags of a DKIM-Signature field found in a message, as far as a
 * check against our own key needs them (RFC 6376 3.5). Strings point into
 * `tags` or are owned (h, bh, b); release with sp_sig_found_free.
 */
struct sp_sig_found {
	struct sp_taglist tags;
	const char *algorithm;          /* a= */
	enum sp_canon header_canon;     /* c=, default simple/simple */
	enum sp_canon body_canon;
	const char *sdid;               /* d= */
	const char *selector;           /* s= */
	struct sp_list h;               /* h= names, lower-case, in order */
	char *bh;                       /* bh=, white space removed */
	char *b;                        /* b=, white space removed */
	bool has_l;                     /* l= present */
	long long x;                    /* x=; 0: none */
};

/*
 * Read a DKIM-Signature value: v=1 and a=, b=, bh=, d=, h=, s= present,
 * c= well formed. false with the reason otherwise.
 */
bool sp_sig_found_parse(const char *value, size_t len,
    struct sp_sig_found *out, sp_err *err);
void sp_sig_found_free(struct sp_sig_found *f);

/*
 * Append the value with the value of its b= tag deleted (RFC 6376 3.7:
 * "treated as the empty string"), everything else byte for byte: what the
 * signer hashed. false when the value has no b= tag.
 */
bool sp_sig_strip_b(const char *value, size_t len, struct sp_buf *out);

/*
 * Sign a field value made by the caller (it must end in "b="; for tests
 * that reproduce published signatures, e.g. RFC 8463 appendix A) over the
 * header hash of `d`, which must have passed sp_dkim_end_headers. *b64
 * receives the signature, base64 (caller frees).
 */
bool sp_dkim_sign_value(struct sp_dkim *d, const struct sp_key *key,
    const char *value, size_t len, char **b64, sp_err *err);

#endif

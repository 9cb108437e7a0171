/*
 * dkim_sig.h - the DKIM-Signature field itself (RFC 6376 section 3.5):
 * building its tag list in our fixed order and folding it at 78
 * characters, and reading tags back from fields already in a message.
 * Internal to the signing engine, exposed for its unit tests.
 */
#ifndef SIGNPOST_DKIM_SIG_H
#define SIGNPOST_DKIM_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "signpost/conf.h"
#include "signpost/dkim.h"
#include "signpost/keys.h"
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
 * Sign a field value made by the caller (it must end in "b="; for tests
 * that reproduce published signatures, e.g. RFC 8463 appendix A) over the
 * header hash of `d`, which must have passed sp_dkim_end_headers. *b64
 * receives the signature, base64 (caller frees).
 */
bool sp_dkim_sign_value(struct sp_dkim *d, const struct sp_key *key,
    const char *value, size_t len, char **b64, sp_err *err);

#endif

/*
 * key_int.h - what keys.c borrows from key_decode.c: the fast decoding
 * path, the RSA numbers with their consistency check, and the RSA p= built
 * from n and e. Nothing outside lib/ sees it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_KEY_INT_H
#define SIGNPOST_KEY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "signpost/keys.h"

/*
 * keys.c: open, check, read and parse one key file. Without want_public
 * the key has no public_b64. `previous` (or NULL) is the key this one
 * replaces on a reload: when the file's bytes are the same, its EVP_PKEY
 * is shared and *reused (if given) is set.
 */
struct sp_key *key_load(const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, bool want_public,
    const struct sp_key *previous, bool *reused, sp_err *err);

/*
 * The one private key of a PEM text that keys.c has already classified,
 * through a decoder context reused by this thread; NULL when the fast
 * path does not apply or fails (the general path then says why). Leaves
 * the OpenSSL error queue empty.
 */
EVP_PKEY *key_decode_fast(const char *pem, size_t len);
/* Free this thread's decoder contexts (at exit; tests under LeakSanitizer). */
void key_decode_thread_done(void);

/* An RSA key's numbers (RFC 8017 section 3.2, two primes). */
struct key_rsa_numbers {
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qinv;
};

/* false: not a two-prime RSA key with all its numbers. */
bool key_rsa_numbers(EVP_PKEY *pkey, struct key_rsa_numbers *r);
void key_rsa_numbers_free(struct key_rsa_numbers *r);
/* n = p q, d e = 1 mod p-1 and q-1, dP, dQ and qInv as d, p, q say. */
bool key_rsa_consistent(const struct key_rsa_numbers *r);
/* SubjectPublicKeyInfo DER of (n, e), OPENSSL_free'd by the caller. */
unsigned char *key_rsa_spki(const BIGNUM *n, const BIGNUM *e, int *len);

#endif

/*
 * key_int.h - what keys.c borrows from key_decode.c (the fast decoding
 * path, the RSA numbers with their consistency check, the RSA p= built
 * from n and e), from key_secret.c (a private key in compact form) and
 * from key_cache.c (the EVP_PKEYs built from it). Nothing outside lib/
 * sees it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_KEY_INT_H
#define SIGNPOST_KEY_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "signpost/keys.h"

/*
 * keys.c: open (`name` relative to dirfd, which may be AT_FDCWD; `path`
 * for messages and the key), check, read and parse one key file. Without
 * want_public (a keyset's key) the key has no public_b64, and its domain
 * and selector are the caller's strings, which must outlive it.
 * `previous` (or NULL) is the key this one replaces on a reload: when
 * the file is the one it was read from, untouched since, or its bytes
 * are the same, its secret is shared and *reused (if given) is set.
 */
struct sp_key *key_load(int dirfd, const char *name, const char *path,
    const char *domain, const char *selector, const struct sp_key_rules *rules,
    bool want_public, const struct sp_key *previous, bool *reused,
    sp_err *err);

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

/* --- key_secret.c ------------------------------------------------------- */

/*
 * A private key as a key holds it. OpenSSL 3.0 spends about 2.6 KiB on a
 * decoded RSA-2048 EVP_PKEY and 0.7 KiB on an Ed25519 one: 330 MiB for the
 * 200,000 keys of 100,000 domains. Held here instead: RSA as e, p and q
 * (RFC 8017 section 3.2; the rest follows from them), Ed25519 as its 32
 * private bytes (RFC 8032 section 5.1.5), about 300 and 80 bytes. The
 * EVP_PKEY is built when a message needs it (key_cache.c). A key OpenSSL
 * decoded by the general path (multi-prime RSA, PEM headers) or that was
 * handed over whole (sp_key_from_pkey) stays `pinned` as it is.
 */
struct sp_key_secret {
	atomic_uint refs;               /* keys sharing it (across a reload) */
	enum sp_key_type type;
	EVP_PKEY *pinned;               /* kept whole; else built on demand */
	/* key_cache.c's, under its lock */
	EVP_PKEY *cached;
	size_t slot;                    /* cache ring index + 1; 0: none */
	bool used;                      /* since the clock hand passed */
	uint16_t e_len, p_len, q_len;   /* RSA: e, p, q big-endian in bytes */
	size_t len;
	unsigned char bytes[];          /* wiped before it is freed */
};

/* A secret of `len` compact bytes (to fill in), one reference. */
struct sp_key_secret *key_secret_new(enum sp_key_type type, size_t len);
/* A secret holding pkey whole (taken over), one reference. */
struct sp_key_secret *key_secret_pinned(EVP_PKEY *pkey, enum sp_key_type type);
struct sp_key_secret *key_secret_ref(struct sp_key_secret *s);
/* Drop a reference; the last one wipes and frees. NULL is ignored. */
void key_secret_unref(struct sp_key_secret *s);
/*
 * A new EVP_PKEY from the compact bytes, bypassing the cache (a pinned
 * key: a new reference to it); NULL: failed.
 */
EVP_PKEY *key_secret_build(const struct sp_key_secret *s);

/* --- key_decode.c, the compact form ------------------------------------- */

/* The outcome of key_parse_compact. */
enum key_compact {
	KEY_COMPACT_NO,                 /* not a plain form: general path */
	KEY_COMPACT_OK,
	KEY_COMPACT_INCONSISTENT,       /* RSA numbers that do not agree */
};

/*
 * The private key of a PEM text keys.c has classified, read straight from
 * its DER: RSA (PKCS#8 or PKCS#1, two primes; its numbers checked) or
 * Ed25519 (RFC 8410 PKCS#8), without OpenSSL's decoders. Sets *secret
 * (KEY_COMPACT_OK only), *type and *bits, and with want_public *public_b64
 * (the record's p=). Leaves the OpenSSL error queue empty.
 */
enum key_compact key_parse_compact(const char *pem, size_t len,
    bool want_public, struct sp_key_secret **secret, enum sp_key_type *type,
    int *bits, char **public_b64);

/* --- key_cache.c -------------------------------------------------------- */

/* Forget the EVP_PKEY built for s (its last key is being freed). */
void key_cache_forget(struct sp_key_secret *s);

#endif

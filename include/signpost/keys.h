/*
 * keys.h - DKIM private keys: the one place key files are opened, checked
 * and parsed.
 *
 * A key lives at keys_dir/DOMAIN/SELECTOR.pem (RSA 1024-4096 bits, PKCS#1 or
 * PKCS#8 PEM; or Ed25519, PKCS#8 PEM). It is parsed once into a compact
 * form (RSA e, p, q; Ed25519's 32 bytes), the file bytes are wiped, and
 * the public half is kept exactly as the DKIM TXT record needs it. The
 * EVP_PKEY that signs is built from the compact form when a message first
 * needs it and kept in a bounded cache (sp_key_pkey). Files with unsafe owner or mode are refused with the
 * chmod/chown that fixes them.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_KEYS_H
#define SIGNPOST_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "signpost/conf.h"
#include "signpost/keyperm.h"
#include "signpost/util.h"

enum sp_key_type {
	SP_KEY_RSA,
	SP_KEY_ED25519,
};

struct sp_key {
	char *domain;           /* d= this key signs for */
	char *selector;         /* s= */
	char *path;
	enum sp_key_type type;
	int bits;               /* RSA modulus size; 256 for Ed25519 */
	struct sp_key_secret *secret;   /* lib/key_int.h; use sp_key_pkey */
	char *public_b64;       /* p= : RSA SubjectPublicKeyInfo DER / Ed25519 raw 32 bytes, base64; NULL in a keyset */
	unsigned char fingerprint[32];  /* SHA-256 of the file: same key on reload */
	struct sp_key_file_id {         /* the file as fstat saw it when read */
		unsigned long long dev, ino;
		long long size, mtime_ns, ctime_ns;
		bool settled;   /* changed long enough before the read */
	} file;                         /* ino 0: not read from a file */
	bool names_borrowed;    /* domain, selector: the keyset's configuration's */
};

/* Open, check, parse. domain/selector are recorded in the result. */
struct sp_key *sp_key_load(const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, sp_err *err);
/* Wrap a key already in memory (keygen, tests); takes ownership of pkey. */
struct sp_key *sp_key_from_pkey(EVP_PKEY *pkey, const char *domain,
    const char *selector, const char *path, sp_err *err);
void sp_key_free(struct sp_key *key);

/*
 * The key as an EVP_PKEY for one signature or verification: built from
 * the compact form on first use and kept in a cache of at most
 * sp_key_cache_limit() keys (thread-safe). A new reference: the caller
 * EVP_PKEY_free()s it. NULL: out of memory (OpenSSL's queue says more).
 */
EVP_PKEY *sp_key_pkey(const struct sp_key *key);
/* Set the cache's size (0: the default, 4096); returns the previous one. */
size_t sp_key_cache_limit(size_t max);
/* How many EVP_PKEYs the cache holds now (tests, benchmarks). */
size_t sp_key_cache_count(void);

/* "rsa-sha256" / "ed25519-sha256" */
const char *sp_key_algorithm(const struct sp_key *key);
/* "rsa" / "ed25519" (the record's k=) */
const char *sp_key_dns_type(const struct sp_key *key);
/* "v=DKIM1; k=rsa; p=..." (caller frees) */
char *sp_key_dns_record(const struct sp_key *key);

/* keys_dir/DOMAIN/SELECTOR.pem (caller frees) */
char *sp_key_path(const struct sp_config *conf, const char *domain,
    const char *selector);

/*
 * Every active selector's key of every configured domain, found by
 * (domain, selector) in constant time. These keys have no public_b64, and
 * their domain and selector point into the configuration they were loaded
 * from: free the set before that configuration.
 */
struct sp_keyset {
	struct sp_key **keys;
	size_t n;
	size_t *table;          /* open hash of keys index + 1 (keyset.c) */
	size_t reused;          /* keys taken over from the previous set */
	size_t cap;             /* a power of two */
};

/*
 * Load all active keys; the first failure is reported as
 * "CONFIG:LINE: selector S of DOMAIN: <why>" and nothing is returned.
 */
struct sp_keyset *sp_keyset_load(const struct sp_config *conf,
    const struct sp_key_rules *rules, sp_err *err);
/*
 * The same for a reload: a key whose file is unchanged since `previous`
 * was loaded shares its EVP_PKEY instead of being decoded again. The
 * owner and mode of every file are checked again all the same. At most
 * `threads` loader threads help the caller (SP_KEYSET_ALL_CPUS: one per
 * CPU, as sp_keyset_load; 0: the caller alone, e.g. while mail is being
 * signed on the other CPUs).
 */
#define SP_KEYSET_ALL_CPUS ((size_t)-1)
struct sp_keyset *sp_keyset_reload(const struct sp_config *conf,
    const struct sp_key_rules *rules, const struct sp_keyset *previous,
    size_t threads, sp_err *err);
const struct sp_key *sp_keyset_find(const struct sp_keyset *ks,
    const char *domain, const char *selector);
void sp_keyset_free(struct sp_keyset *ks);

/*
 * Every *.pem in keys_dir/DOMAIN (active or not), sorted by selector, for
 * dnsgen. A missing folder is an empty list, not an error.
 */
bool sp_keys_in_domain_dir(const struct sp_config *conf, const char *domain,
    const struct sp_key_rules *rules, struct sp_key ***keys, size_t *n,
    sp_err *err);
void sp_keys_free_array(struct sp_key **keys, size_t n);
/* A thread that loaded keys frees what it kept for decoding before exiting. */
void sp_keys_thread_done(void);

#endif

/*
 * keys.c - DKIM private keys: the one place key files are opened, checked
 * and parsed.
 *
 * A key file is opened once, its owner and mode are checked on the open
 * descriptor (no race with a rename), its bytes are read into one buffer,
 * the PEM text is classified (so a public key, an encrypted key or an EC key
 * is refused with its own reason) and parsed into the key's compact form
 * (key_secret.c; by OpenSSL into an EVP_PKEY kept whole when the file is
 * not a plain RSA or Ed25519 key). The file bytes are wiped on every path. The public half is exported once,
 * exactly as the DKIM TXT record's p= needs it (RFC 6376 3.6.1, RFC 8463 4):
 * RSA as base64 of the SubjectPublicKeyInfo DER, Ed25519 as base64 of the
 * 32 raw bytes. Every message names the path and says what fixes it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signpost/grammar.h"
#include "signpost/keys.h"
#include "key_int.h"

/* A PEM key is a few KiB at most; anything bigger is not a key file. */
#define KEY_FILE_MAX (64 * 1024)

#define RSA_MIN_BITS 1024
#define RSA_GOOD_BITS 2048
#define RSA_MAX_BITS 4096

/* --- reading ------------------------------------------------------------ */

/* Secret bytes never go back to the allocator readable. */
static void
wipe_free(char *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

/* Owner, mode and size of a key file, on its stat. */
static bool
key_stat_ok(const struct stat *st, const char *path,
    const struct sp_key_rules *rules, sp_err *err)
{
	if (!sp_key_check_stat(st, path, rules, err))
		return false;
	if (st->st_size <= 0) {
		sp_err_set(err, "%s: is empty; a key file holds one PEM "
		    "private key (make one with dnsgen keygen)", path);
		return false;
	}
	if (st->st_size > KEY_FILE_MAX) {
		sp_err_set(err, "%s: is %lld bytes, too large for a key file "
		    "(at most %d)", path, (long long)st->st_size, KEY_FILE_MAX);
		return false;
	}
	return true;
}

/*
 * The open key file's owner and mode, checked on the fstat() that also
 * gives its size and identity, so that no path can be swapped between
 * the check and the read.
 */
static bool
stat_key_file(int fd, const char *path, const struct sp_key_rules *rules,
    struct stat *st, sp_err *err)
{
	if (fstat(fd, st) != 0) {
		sp_err_set(err, "%s: cannot stat: %s", path, strerror(errno));
		return false;
	}
	return key_stat_ok(st, path, rules, err);
}

/*
 * Read the st_size bytes of the checked file into a fresh buffer, with
 * no read only to see the end. On success the caller owns *data and must
 * wipe it; on failure nothing is left behind.
 */
static bool
read_key_file(int fd, const char *path, const struct stat *st, char **data,
    size_t *len, sp_err *err)
{
	size_t have = 0, want = (size_t)st->st_size;
	char *buf = sp_xmalloc(want + 1);

	while (have < want) {
		ssize_t n = read(fd, buf + have, want - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sp_err_set(err, "%s: cannot read: %s", path,
			    strerror(errno));
			wipe_free(buf, want + 1);
			return false;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have == 0) {
		sp_err_set(err, "%s: is empty; a key file holds one PEM "
		    "private key (make one with dnsgen keygen)", path);
		wipe_free(buf, want + 1);
		return false;
	}
	buf[have] = '\0';
	*data = buf;
	*len = have;
	return true;
}

/*
 * A file changed less than this before it was read may change again
 * within the same tick of the file system's clock (a second on some),
 * leaving its times as they were: such a file is read again next time.
 */
#define KEY_FILE_SETTLE_NS 2000000000LL

static void
file_id_of(const struct stat *st, struct sp_key_file_id *id)
{
	struct timespec now;

	id->settled = false;
	if (clock_gettime(CLOCK_REALTIME, &now) == 0)
		id->settled = (long long)st->st_ctim.tv_sec * 1000000000 +
		    st->st_ctim.tv_nsec + KEY_FILE_SETTLE_NS <
		    (long long)now.tv_sec * 1000000000 + now.tv_nsec;
	id->dev = (unsigned long long)st->st_dev;
	id->ino = (unsigned long long)st->st_ino;
	id->size = (long long)st->st_size;
	id->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	id->ctime_ns = (long long)st->st_ctim.tv_sec * 1000000000 +
	    st->st_ctim.tv_nsec;
}

/*
 * The very file the previous key was read from, untouched since: same
 * inode, size and modification time, and the same change time, which
 * every write, chmod, chown or rename onto it moves and no one can set
 * (trusted only when the file had settled before that read).
 */
static bool
same_file(const struct sp_key *previous, const struct sp_key_file_id *id)
{
	const struct sp_key_file_id *p = &previous->file;

	return p->ino != 0 && p->settled && p->dev == id->dev &&
	    p->ino == id->ino && p->size == id->size &&
	    p->mtime_ns == id->mtime_ns && p->ctime_ns == id->ctime_ns;
}

/* SHA-256 fetched once: EVP_sha256() is looked up again on every use. */
static EVP_MD *sha256_md;

static void
fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
sha256(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, fetch_sha256);
	return sha256_md != NULL ? sha256_md : EVP_sha256();
}

/* --- PEM classification ------------------------------------------------ */

/*
 * OpenSSL would skip PEM blocks it cannot use and report a bare "no start
 * line"; looking at the labels first lets us say what the file really is.
 */
enum pem_kind {
	PEM_PRIVATE,            /* PRIVATE KEY, RSA PRIVATE KEY */
	PEM_ENCRYPTED,          /* ENCRYPTED PRIVATE KEY */
	PEM_PUBLIC,             /* PUBLIC KEY, RSA PUBLIC KEY */
	PEM_OTHER_KEY,          /* EC/DSA/OPENSSH PRIVATE KEY */
	PEM_CERT,               /* CERTIFICATE, CERTIFICATE REQUEST, ... */
	PEM_PARAMS,             /* EC PARAMETERS, DH PARAMETERS */
	PEM_UNKNOWN,
};

struct pem_scan {
	size_t n_blocks;
	size_t n_private;
	bool unterminated;          /* a BEGIN without its END */
	char open_label[64];        /* ... and the label of that block */
	bool proc_encrypted;        /* PKCS#1 "Proc-Type: 4,ENCRYPTED" */
	enum pem_kind first_kind;
	char first_label[64];
	enum pem_kind bad_kind;     /* first block we refuse outright */
	char bad_label[64];
};

static enum pem_kind
pem_label_kind(const char *label)
{
	static const struct {
		const char *label;
		enum pem_kind kind;
	} table[] = {
		{ "PRIVATE KEY", PEM_PRIVATE },
		{ "RSA PRIVATE KEY", PEM_PRIVATE },
		{ "ENCRYPTED PRIVATE KEY", PEM_ENCRYPTED },
		{ "PUBLIC KEY", PEM_PUBLIC },
		{ "RSA PUBLIC KEY", PEM_PUBLIC },
		{ "EC PRIVATE KEY", PEM_OTHER_KEY },
		{ "DSA PRIVATE KEY", PEM_OTHER_KEY },
		{ "OPENSSH PRIVATE KEY", PEM_OTHER_KEY },
		{ "CERTIFICATE", PEM_CERT },
		{ "TRUSTED CERTIFICATE", PEM_CERT },
		{ "X509 CERTIFICATE", PEM_CERT },
		{ "CERTIFICATE REQUEST", PEM_CERT },
		{ "NEW CERTIFICATE REQUEST", PEM_CERT },
		{ "EC PARAMETERS", PEM_PARAMS },
		{ "DH PARAMETERS", PEM_PARAMS },
		{ "X9.42 DH PARAMETERS", PEM_PARAMS },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].label, label) == 0)
			return table[i].kind;
	return PEM_UNKNOWN;
}

/* Find "-----BEGIN LABEL-----" at a line start in [p, end); data: the text. */
static const char *
pem_next_begin(const char *data, const char *p, const char *end, char *label,
    size_t labellen)
{
	static const char begin[] = "-----BEGIN ";
	const size_t blen = sizeof(begin) - 1;

	for (; (size_t)(end - p) >= blen; p++) {
		const char *q = p + blen;
		size_t n = 0;

		if ((p != data && p[-1] != '\n') || memcmp(p, begin, blen) != 0)
			continue;
		while (q + n < end && q[n] != '-' && q[n] != '\n' &&
		    n + 1 < labellen)
			n++;
		if ((size_t)(end - (q + n)) < 5 || memcmp(q + n, "-----", 5) != 0)
			continue;
		memcpy(label, q, n);
		label[n] = '\0';
		return q + n + 5;
	}
	return NULL;
}

static void
pem_scan_text(const char *data, size_t len, struct pem_scan *scan)
{
	const char *p = data, *end = data + len;
	char label[64];

	memset(scan, 0, sizeof(*scan));
	scan->first_kind = PEM_UNKNOWN;
	scan->bad_kind = PEM_PRIVATE;
	while ((p = pem_next_begin(data, p, end, label, sizeof(label))) != NULL) {
		enum pem_kind kind = pem_label_kind(label);
		char endline[96];
		const char *stop;

		if (scan->n_blocks++ == 0) {
			scan->first_kind = kind;
			snprintf(scan->first_label, sizeof(scan->first_label),
			    "%s", label);
		}
		if (kind == PEM_PRIVATE)
			scan->n_private++;
		if ((kind == PEM_ENCRYPTED || kind == PEM_OTHER_KEY) &&
		    scan->bad_kind == PEM_PRIVATE) {
			scan->bad_kind = kind;
			snprintf(scan->bad_label, sizeof(scan->bad_label),
			    "%s", label);
		}
		snprintf(endline, sizeof(endline), "-----END %s-----", label);
		stop = memmem(p, (size_t)(end - p), endline, strlen(endline));
		if (stop == NULL) {
			scan->unterminated = true;
			snprintf(scan->open_label, sizeof(scan->open_label),
			    "%s", label);
			return;
		}
		/* RFC 1421 headers of a PKCS#1 key encrypted by OpenSSL */
		if (kind == PEM_PRIVATE &&
		    memmem(p, (size_t)(stop - p), "Proc-Type: 4,ENCRYPTED",
		    22) != NULL)
			scan->proc_encrypted = true;
		p = stop + strlen(endline);
	}
}

static void
encrypted(const char *path, sp_err *err)
{
	sp_err_set(err, "%s: is encrypted; signpost never asks for a "
	    "passphrase: decrypt it with: openssl pkey -in %s -out NEWFILE "
	    "(then chmod 0640 NEWFILE)", path, path);
}

/* Refuse (true, with the reason in err) what cannot be one usable key. */
static bool
pem_refuse(const struct pem_scan *scan, const char *path, sp_err *err)
{
	if (scan->n_blocks == 0) {
		sp_err_set(err, "%s: not a PEM file (no -----BEGIN line); a key "
		    "file holds one PEM private key (make one with dnsgen "
		    "keygen)", path);
		return true;
	}
	if (scan->bad_kind == PEM_ENCRYPTED || scan->proc_encrypted) {
		encrypted(path, err);
		return true;
	}
	if (scan->bad_kind == PEM_OTHER_KEY) {
		sp_err_set(err, "%s: holds a PEM \"%s\"; DKIM signs with RSA "
		    "or Ed25519 keys only (make one with dnsgen keygen)", path,
		    scan->bad_label);
		return true;
	}
	if (scan->n_private == 0) {
		const char *what =
		    scan->first_kind == PEM_PUBLIC ? "a public key" :
		    scan->first_kind == PEM_CERT ? "a certificate" :
		    scan->first_kind == PEM_PARAMS ? "key parameters" :
		    "no private key";

		sp_err_set(err, "%s: holds %s (PEM \"%s\"), not a private key; "
		    "point the selector at the private key file", path, what,
		    scan->first_label);
		return true;
	}
	if (scan->n_private > 1) {
		sp_err_set(err, "%s: holds %zu private keys; a key file must "
		    "hold exactly one", path, scan->n_private);
		return true;
	}
	if (scan->unterminated) {
		sp_err_set(err, "%s: PEM block \"%s\" has no END line (file "
		    "truncated?)", path, scan->open_label);
		return true;
	}
	return false;
}

/* --- parsing ------------------------------------------------------------ */

/* Never prompt: remember that a passphrase was wanted and fail. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

/* The innermost OpenSSL reason, for damaged files; clears the queue. */
static const char *
openssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "unknown error";
}

/* The general path: OpenSSL decodes (PEM already classified). */
static EVP_PKEY *
parse_pem(const char *data, size_t len, const char *path, sp_err *err)
{
	EVP_PKEY *pkey = NULL;
	bool wanted_passphrase = false;
	BIO *bio;

	if (len > (size_t)KEY_FILE_MAX)
		SP_BUG("key file of %zu bytes got past the size check", len);
	/* RSA and Ed25519 without PEM headers: the decoder this thread keeps */
	if ((pkey = key_decode_fast(data, len)) != NULL)
		return pkey;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL) {
		sp_err_set(err, "%s: out of memory", path);
		return NULL;
	}
	ERR_clear_error();
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase,
	    &wanted_passphrase, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		if (wanted_passphrase) {
			ERR_clear_error();
			encrypted(path, err);
		} else {
			sp_err_set(err, "%s: damaged or truncated PEM private "
			    "key (OpenSSL: %s); restore it or make a new one "
			    "with dnsgen keygen", path, openssl_reason());
		}
		return NULL;
	}
	ERR_clear_error();
	return pkey;
}

/* --- the key object ----------------------------------------------------- */

/* RSA p=: base64 of the SubjectPublicKeyInfo of (n, e). */
static char *
rsa_public_b64(const BIGNUM *n, const BIGNUM *e)
{
	unsigned char *der;
	char *b64;
	int len;

	if ((der = key_rsa_spki(n, e, &len)) == NULL)
		return NULL;
	b64 = sp_base64_encode(der, (size_t)len);
	OPENSSL_free(der);
	return b64;
}

/*
 * p= of the DKIM record (RFC 6376 3.6.1; RFC 8463 4 for Ed25519). RSA's
 * is built from n and e: OpenSSL's i2d_PUBKEY sets up an encoder for each
 * key, which costs more than decoding it.
 */
static char *
public_b64(EVP_PKEY *pkey, enum sp_key_type type)
{
	unsigned char raw[32];
	size_t rawlen = sizeof(raw);
	BIGNUM *n = NULL, *e = NULL;
	char *b64 = NULL;

	if (type == SP_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 ||
		    rawlen != sizeof(raw))
			return NULL;
		return sp_base64_encode(raw, rawlen);
	}
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1)
		b64 = rsa_public_b64(n, e);
	BN_free(n);
	BN_free(e);
	return b64;
}

static bool
key_type_of(EVP_PKEY *pkey, const char *path, enum sp_key_type *type,
    sp_err *err)
{
	const char *name;

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		*type = SP_KEY_RSA;
		return true;
	}
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*type = SP_KEY_ED25519;
		return true;
	}
	name = EVP_PKEY_get0_type_name(pkey);
	sp_err_set(err, "%s: holds a key of type %s; DKIM signs with RSA or "
	    "Ed25519 keys only (make one with dnsgen keygen)", path,
	    name != NULL ? name : "unknown");
	return false;
}

/*
 * The key object without its p=; takes the secret's reference. With
 * `borrow` the domain and selector are the caller's (a keyset's keys use
 * their configuration's: 200,000 copies fewer at 100,000 domains).
 */
static struct sp_key *
key_new(struct sp_key_secret *secret, int bits, const char *domain,
    const char *selector, const char *path, bool borrow)
{
	struct sp_key *key = sp_xcalloc(1, sizeof(*key));

	key->type = secret->type;
	key->secret = secret;
	key->bits = bits;
	key->names_borrowed = borrow;
	if (borrow) {
		key->domain = (char *)domain;
		key->selector = (char *)selector;
	} else {
		key->domain = domain != NULL ? sp_xstrdup(domain) : NULL;
		key->selector = selector != NULL ? sp_xstrdup(selector) : NULL;
	}
	key->path = path != NULL ? sp_xstrdup(path) : NULL;
	return key;
}

/* A key OpenSSL decoded, kept whole (owns pkey). */
static struct sp_key *
key_new_pinned(EVP_PKEY *pkey, const char *domain, const char *selector,
    const char *path, sp_err *err)
{
	enum sp_key_type type;

	if (pkey == NULL)
		SP_BUG("no key");
	if (!key_type_of(pkey, path != NULL ? path : "key", &type, err)) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return key_new(key_secret_pinned(pkey, type), EVP_PKEY_get_bits(pkey),
	    domain, selector, path, false);
}

static bool
export_failed(struct sp_key *key, sp_err *err)
{
	sp_err_set(err, "%s: cannot export the public key (%s)",
	    key->path != NULL ? key->path : "key", openssl_reason());
	return false;
}

struct sp_key *
sp_key_from_pkey(EVP_PKEY *pkey, const char *domain, const char *selector,
    const char *path, sp_err *err)
{
	struct sp_key *key = key_new_pinned(pkey, domain, selector, path, err);

	if (key == NULL)
		return NULL;
	key->public_b64 = public_b64(pkey, key->type);
	if (key->public_b64 == NULL) {
		export_failed(key, err);
		sp_key_free(key);
		return NULL;
	}
	return key;
}

/* RSA size rules of SPEC.md: 1024..4096, under 2048 only when allowed. */
static bool
check_rsa_size(const struct sp_key *key, const struct sp_key_rules *rules,
    sp_err *err)
{
	if (key->type != SP_KEY_RSA)
		return true;
	if (key->bits < RSA_MIN_BITS) {
		sp_err_set(err, "%s: is %d-bit RSA; keys under %d bits are "
		    "refused even with allow_weak_rsa: generate a new key "
		    "with dnsgen keygen", key->path, key->bits, RSA_MIN_BITS);
		return false;
	}
	if (key->bits > RSA_MAX_BITS) {
		sp_err_set(err, "%s: is %d-bit RSA; verifiers are only required "
		    "to handle up to %d bits (RFC 8301): generate a new key "
		    "with dnsgen keygen", key->path, key->bits, RSA_MAX_BITS);
		return false;
	}
	if (key->bits < RSA_GOOD_BITS && !rules->allow_weak_rsa) {
		sp_err_set(err, "%s: is %d-bit RSA; receivers treat keys under "
		    "%d bits as weak: generate a new key with dnsgen keygen, "
		    "or set allow_weak_rsa = yes", key->path, key->bits,
		    RSA_GOOD_BITS);
		return false;
	}
	return true;
}

/*
 * Sign and verify a fixed message once, so a damaged key (e.g. CRT values
 * that do not match the modulus) is refused at load time, not discovered
 * as signatures that fail at every receiver.
 */
static bool
self_test(const struct sp_key *key, EVP_PKEY *pkey, sp_err *err)
{
	static const unsigned char msg[] = "signpost key self-test";
	const EVP_MD *md = key->type == SP_KEY_RSA ? EVP_sha256() : NULL;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool good = false;

	if (ctx == NULL)
		goto done;
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) != 1)
		goto done;
	EVP_MD_CTX_free(ctx);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		goto done;
	good = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, sizeof(msg)) == 1;
done:
	EVP_MD_CTX_free(ctx);
	if (!good)
		sp_err_set(err, "%s: the private key fails a test signature "
		    "(%s); the file is damaged: restore it or make a new one "
		    "with dnsgen keygen", key->path, openssl_reason());
	ERR_clear_error();
	return good;
}

/*
 * A damaged key is refused at load time, not discovered as signatures
 * that fail at every receiver. RSA: its numbers must agree, which costs
 * microseconds where a test signature costs a millisecond (a key whose
 * numbers cannot be read, e.g. multi-prime, still takes the signature).
 * Ed25519: decoding derives the public half from the private one, so they
 * cannot disagree. With want_public, p= is made from the same numbers.
 */
static bool
inconsistent(const struct sp_key *key, sp_err *err)
{
	sp_err_set(err, "%s: the private key's numbers do not agree (RFC 8017 "
	    "section 3.2: n = p q, d, dP, dQ, qInv); the file is damaged: "
	    "restore it or make a new one with dnsgen keygen", key->path);
	return false;
}

static bool
check_and_export(struct sp_key *key, bool want_public, sp_err *err)
{
	EVP_PKEY *pkey = key->secret->pinned;
	struct key_rsa_numbers r;
	bool good = true;

	if (key->type == SP_KEY_RSA && key_rsa_numbers(pkey, &r)) {
		if (!key_rsa_consistent(&r)) {
			good = inconsistent(key, err);
		} else if (want_public &&
		    (key->public_b64 = rsa_public_b64(r.n, r.e)) == NULL) {
			good = export_failed(key, err);
		}
		key_rsa_numbers_free(&r);
		return good;
	}
	if (key->type == SP_KEY_RSA && !self_test(key, pkey, err))
		return false;
	if (want_public &&
	    (key->public_b64 = public_b64(pkey, key->type)) == NULL)
		return export_failed(key, err);
	return true;
}

static void
open_failed(const char *path, const char *domain, const char *selector,
    const struct sp_key_rules *rules, sp_err *err)
{
	sp_key_open_failed(path, domain, selector, rules, err);
}

/*
 * The same key as before a reload: the file's bytes are unchanged, so its
 * secret (and the EVP_PKEY cached for it) is shared instead of decoded and
 * checked again. The size rule is applied again, since allow_weak_rsa may
 * have changed.
 */
static struct sp_key *
key_reuse(const struct sp_key *old, const unsigned char *fingerprint,
    const char *path, const char *domain, const char *selector,
    bool borrow, const struct sp_key_rules *rules, sp_err *err)
{
	struct sp_key *key;

	if (old == NULL || old->path == NULL || strcmp(old->path, path) != 0 ||
	    CRYPTO_memcmp(old->fingerprint, fingerprint,
	    sizeof(old->fingerprint)) != 0)
		return NULL;
	key = key_new(key_secret_ref(old->secret), old->bits, domain, selector,
	    path, borrow);
	memcpy(key->fingerprint, fingerprint, sizeof(key->fingerprint));
	if (old->public_b64 != NULL)
		key->public_b64 = sp_xstrdup(old->public_b64);
	if (!check_rsa_size(key, rules, err)) {
		sp_key_free(key);
		return NULL;
	}
	return key;
}

/*
 * The key in the file's bytes, classified first so that what is not one
 * usable key is refused with its reason; the compact path for plain RSA
 * and Ed25519 keys, else OpenSSL's decoders. The size rule comes before
 * the consistency of an RSA key's numbers.
 */
static struct sp_key *
key_parse(const char *data, size_t len, const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, bool want_public,
    sp_err *err)
{
	struct sp_key_secret *secret;
	struct sp_key *key;
	struct pem_scan scan;
	enum sp_key_type type;
	enum key_compact how;
	char *pub;
	EVP_PKEY *pkey;
	int bits = 0;

	pem_scan_text(data, len, &scan);
	if (pem_refuse(&scan, path, err))
		return NULL;
	how = key_parse_compact(data, len, want_public, &secret, &type, &bits,
	    &pub);
	if (how == KEY_COMPACT_OK) {
		key = key_new(secret, bits, domain, selector, path,
		    !want_public);
		key->public_b64 = pub;
		if (check_rsa_size(key, rules, err))
			return key;
		sp_key_free(key);
		return NULL;
	}
	if (how == KEY_COMPACT_INCONSISTENT) {
		struct sp_key probe = { .type = type, .bits = bits,
		    .path = (char *)path };

		if (check_rsa_size(&probe, rules, err))
			inconsistent(&probe, err);
		return NULL;
	}
	if ((pkey = parse_pem(data, len, path, err)) == NULL ||
	    (key = key_new_pinned(pkey, domain, selector, path, err)) == NULL)
		return NULL;
	if (!check_rsa_size(key, rules, err) ||
	    !check_and_export(key, want_public, err)) {
		sp_key_free(key);
		return NULL;
	}
	return key;
}

/* The key in the bytes of an open, checked file (fingerprint set). */
static struct sp_key *
key_from_fd(int fd, const char *path, const struct stat *st,
    const char *domain, const char *selector, const struct sp_key_rules *rules,
    bool want_public, const struct sp_key *previous, bool *reused,
    sp_err *err)
{
	struct sp_key *key = NULL;
	unsigned char fingerprint[32];
	char *data = NULL;
	size_t len = 0;

	if (!read_key_file(fd, path, st, &data, &len, err))
		return NULL;
	if (EVP_Digest(data, len, fingerprint, NULL, sha256(), NULL) != 1)
		memset(fingerprint, 0, sizeof(fingerprint));
	if (previous != NULL && (key = key_reuse(previous, fingerprint, path,
	    domain, selector, !want_public, rules, err)) != NULL) {
		if (reused != NULL)
			*reused = true;
	} else if ((key = key_parse(data, len, path, domain, selector, rules,
	    want_public, err)) != NULL) {
		memcpy(key->fingerprint, fingerprint, sizeof(key->fingerprint));
	}
	wipe_free(data, len + 1);
	return key;
}

/*
 * The previous key again, when the file at `name` is the very one it was
 * read from, untouched since, and still passes the owner and mode checks:
 * one fstatat instead of open, fstat and close (a reload of 200,000 keys
 * made 600,000 system calls for that). Anything else (a changed or
 * missing file, a check that fails) returns NULL and the caller opens the
 * file, so the error reported is the one the opened file gives.
 */
static struct sp_key *
key_reuse_untouched(int dirfd, const char *name, const char *path,
    const char *domain, const char *selector, const struct sp_key_rules *rules,
    bool want_public, const struct sp_key *previous)
{
	struct sp_key_file_id id;
	struct stat st;
	sp_err quiet;
	struct sp_key *key;

	if (fstatat(dirfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	file_id_of(&st, &id);
	if (!same_file(previous, &id) || !key_stat_ok(&st, path, rules, &quiet))
		return NULL;
	key = key_reuse(previous, previous->fingerprint, path, domain,
	    selector, !want_public, rules, &quiet);
	if (key != NULL)
		key->file = id;
	return key;
}

/*
 * sp_key_load, the file opened as `name` relative to dirfd (AT_FDCWD:
 * name is the path); without want_public the key has no p= (the
 * milter's). A file the previous key was read from and that has not
 * been touched since is not read again: fstatat says it is the same, and
 * its owner and mode are checked again on that stat. Any other file is
 * opened, checked and read, and taken over if its bytes are the same.
 */
struct sp_key *
key_load(int dirfd, const char *name, const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, bool want_public,
    const struct sp_key *previous, bool *reused, sp_err *err)
{
	struct sp_key *key = NULL;
	struct sp_key_file_id id;
	struct stat st;
	int fd;

	if (rules == NULL)
		SP_BUG("no key rules for %s", path);
	if (previous != NULL && want_public && previous->public_b64 == NULL)
		previous = NULL;
	if (previous != NULL && (key = key_reuse_untouched(dirfd, name, path,
	    domain, selector, rules, want_public, previous)) != NULL) {
		if (reused != NULL)
			*reused = true;
		return key;
	}
	/* O_NONBLOCK: a FIFO must not hang us; it is refused by the check. */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		open_failed(path, domain, selector, rules, err);
		return NULL;
	}
	if (!stat_key_file(fd, path, rules, &st, err)) {
		close(fd);
		return NULL;
	}
	file_id_of(&st, &id);
	/* Not the untouched file: read, and taken over if its bytes are. */
	key = key_from_fd(fd, path, &st, domain, selector, rules, want_public,
	    previous, reused, err);
	close(fd);
	if (key != NULL)
		key->file = id;
	return key;
}

struct sp_key *
sp_key_load(const char *path, const char *domain, const char *selector,
    const struct sp_key_rules *rules, sp_err *err)
{
	return key_load(AT_FDCWD, path, path, domain, selector, rules, true,
	    NULL, NULL, err);
}

void
sp_key_free(struct sp_key *key)
{
	if (key == NULL)
		return;
	key_secret_unref(key->secret);
	if (!key->names_borrowed) {
		free(key->domain);
		free(key->selector);
	}
	free(key->path);
	free(key->public_b64);
	free(key);
}

const char *
sp_key_algorithm(const struct sp_key *key)
{
	switch (key->type) {
	case SP_KEY_RSA:
		return "rsa-sha256";
	case SP_KEY_ED25519:
		return "ed25519-sha256";
	}
	SP_BUG("key type %d", (int)key->type);
}

const char *
sp_key_dns_type(const struct sp_key *key)
{
	switch (key->type) {
	case SP_KEY_RSA:
		return "rsa";
	case SP_KEY_ED25519:
		return "ed25519";
	}
	SP_BUG("key type %d", (int)key->type);
}

char *
sp_key_dns_record(const struct sp_key *key)
{
	return sp_xasprintf("v=DKIM1; k=%s; p=%s", sp_key_dns_type(key),
	    key->public_b64);
}

/* keys_dir/DOMAIN, without doubled slashes */
static char *
domain_dir(const struct sp_config *conf, const char *domain)
{
	const char *dir = conf->signing.keys_dir;
	size_t dlen = strlen(dir);

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	return sp_xasprintf("%.*s/%s", (int)dlen, dir, domain);
}

char *
sp_key_path(const struct sp_config *conf, const char *domain,
    const char *selector)
{
	char *dir = domain_dir(conf, domain);
	char *path = sp_xasprintf("%s/%s.pem", dir, selector);

	free(dir);
	return path;
}

/* --- every key in a domain's folder (dnsgen) ---------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The selectors (file names minus .pem) in the folder dp (named dir),
 * sorted; false: error set. dp stays open: the keys are opened relative
 * to it.
 */
static bool
list_selectors(DIR *dp, const char *dir, struct sp_list *names, sp_err *err)
{
	struct dirent *de;
	const char *why;

	errno = 0;
	while ((de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);

		/* dot files: editor and backup leftovers, never selectors */
		if (de->d_name[0] == '.' || n <= 4 ||
		    strcmp(de->d_name + n - 4, ".pem") != 0)
			continue;
		if ((why = sp_selector_problem(de->d_name, n - 4)) != NULL) {
			sp_err_set(err, "%s/%s: \"%.*s\" is not a DKIM selector: "
			    "it %s; rename the file", dir, de->d_name,
			    (int)(n - 4), de->d_name, why);
			sp_list_free(names);
			return false;
		}
		sp_list_add_owned(names, sp_xstrndup(de->d_name, n - 4));
		errno = 0;
	}
	if (errno != 0) {
		sp_err_set(err, "%s: cannot read key folder: %s", dir,
		    strerror(errno));
		sp_list_free(names);
		return false;
	}
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(*names->v), cmp_names);
	return true;
}

bool
sp_keys_in_domain_dir(const struct sp_config *conf, const char *domain,
    const struct sp_key_rules *rules, struct sp_key ***keys, size_t *n,
    sp_err *err)
{
	struct sp_list names = SP_LIST_INIT;
	struct sp_key **out = NULL;
	char *dir = domain_dir(conf, domain);
	DIR *dp = opendir(dir);
	bool good;

	*keys = NULL;
	*n = 0;
	if (dp == NULL) {
		/* no folder yet: no keys published, not an error */
		good = errno == ENOENT;
		if (!good)
			sp_err_set(err, "%s: cannot read key folder: %s", dir,
			    strerror(errno));
		free(dir);
		return good;
	}
	good = list_selectors(dp, dir, &names, err);
	if (good && names.n > 0)
		out = sp_xcalloc(names.n, sizeof(*out));
	for (size_t i = 0; good && i < names.n; i++) {
		char *file = sp_xasprintf("%s.pem", names.v[i]);
		char *path = sp_xasprintf("%s/%s", dir, file);

		out[i] = key_load(dirfd(dp), file, path, domain, names.v[i],
		    rules, true, NULL, NULL, err);
		free(file);
		free(path);
		if (out[i] == NULL) {
			sp_keys_free_array(out, i);
			good = false;
		}
	}
	closedir(dp);
	free(dir);
	if (good) {
		*keys = out;
		*n = names.n;
	}
	sp_list_free(&names);
	return good;
}

void
sp_keys_free_array(struct sp_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sp_key_free(keys[i]);
	free(keys);
}

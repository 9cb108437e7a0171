/*
 * key_decode.c - the fast ways from a key file's PEM text to a key: read
 * straight from the DER into the compact form a key holds (key_secret.c),
 * or through a reused decoder into an EVP_PKEY; and the cheap checks and
 * exports keys.c runs on every key it loads.
 *
 * The compact path reads a plain PKCS#1 or PKCS#8 RSA key (two primes,
 * no attributes) and the one RFC 8410 encoding of an Ed25519 key with a
 * strict DER reader over the PEM block's bytes, which stay in OpenSSL's
 * secure heap and are wiped; numbers are copied out only into BIGNUMs
 * that are cleared when freed. It derives no Ed25519 public key unless
 * p= is wanted (the milter never wants it).
 *
 * With 100,000 domains the milter and dnsgen load 200,000 keys. OpenSSL
 * 3.0's PEM_read_bio_PrivateKey sets up a new OSSL_DECODER_CTX for every
 * key, looking through every provider's decoders under global locks:
 * most of the time went there. Here the PEM block is unwrapped once
 * (PEM_read_bio_ex, in OpenSSL's secure heap), its algorithm is read from
 * the DER, and a decoder context made once per thread for that algorithm
 * and structure is reused. Anything unusual (other algorithms, PEM
 * headers, a decoder failure) returns NULL, and keys.c takes the general
 * path, which gives the precise message.
 *
 * An RSA key is checked by arithmetic on its numbers (RFC 8017 section
 * 3.2: n = p q, d e = 1 mod p-1 and q-1, the CRT values) instead of a test
 * signature, which costs a millisecond per key; its p= (RFC 6376 section
 * 3.6.1) is built from n and e instead of through OpenSSL's encoders.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key_int.h"

enum decoder_kind {
	DEC_PKCS8_RSA,          /* PRIVATE KEY, rsaEncryption */
	DEC_PKCS8_ED25519,      /* PRIVATE KEY, id-Ed25519 (RFC 8410) */
	DEC_PKCS1_RSA,          /* RSA PRIVATE KEY */
	DEC_COUNT
};

static const struct {
	const char *structure;
	const char *keytype;
} decoder_spec[DEC_COUNT] = {
	[DEC_PKCS8_RSA] = { "PrivateKeyInfo", "RSA" },
	[DEC_PKCS8_ED25519] = { "PrivateKeyInfo", "ED25519" },
	[DEC_PKCS1_RSA] = { "type-specific", "RSA" },
};

/*
 * One set of decoder contexts per thread (a context is not thread-safe):
 * the milter's reload thread and a program's main thread each get theirs.
 * Each context writes the key it decodes into `out`.
 */
static _Thread_local struct {
	OSSL_DECODER_CTX *ctx[DEC_COUNT];
	EVP_PKEY *out;
} decoders;

static OSSL_DECODER_CTX *
decoder(enum decoder_kind kind)
{
	if (decoders.ctx[kind] == NULL)
		decoders.ctx[kind] = OSSL_DECODER_CTX_new_for_pkey(&decoders.out,
		    "DER", decoder_spec[kind].structure,
		    decoder_spec[kind].keytype, EVP_PKEY_KEYPAIR, NULL, NULL);
	return decoders.ctx[kind];
}

void
sp_keys_thread_done(void)
{
	key_decode_thread_done();
}

void
key_decode_thread_done(void)
{
	for (int i = 0; i < DEC_COUNT; i++) {
		OSSL_DECODER_CTX_free(decoders.ctx[i]);
		decoders.ctx[i] = NULL;
	}
}

/* The algorithm OID's DER near the start of a PrivateKeyInfo. */
static bool
has_oid(const unsigned char *der, size_t len, const unsigned char *oid,
    size_t oid_len)
{
	size_t span = len < 32 ? len : 32;

	for (size_t i = 0; i + oid_len <= span; i++)
		if (memcmp(der + i, oid, oid_len) == 0)
			return true;
	return false;
}

/* Which decoder fits this block; false: leave it to the general path. */
static bool
choose_decoder(const char *label, const unsigned char *der, size_t len,
    enum decoder_kind *kind)
{
	/* 1.2.840.113549.1.1.1 (RFC 8017) and 1.3.101.112 (RFC 8410) */
	static const unsigned char rsa_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
	static const unsigned char ed25519_oid[] = { 0x06, 0x03, 0x2b, 0x65,
	    0x70 };

	if (strcmp(label, "RSA PRIVATE KEY") == 0) {
		*kind = DEC_PKCS1_RSA;
		return true;
	}
	if (strcmp(label, "PRIVATE KEY") != 0)
		return false;
	if (has_oid(der, len, rsa_oid, sizeof(rsa_oid)))
		*kind = DEC_PKCS8_RSA;
	else if (has_oid(der, len, ed25519_oid, sizeof(ed25519_oid)))
		*kind = DEC_PKCS8_ED25519;
	else
		return false;
	return true;
}

/* The first private-key block: its label, headers and DER (secure heap). */
struct pem_block {
	char *label;
	char *header;
	unsigned char *der;
	long len;
};

static void
block_free(struct pem_block *b)
{
	OPENSSL_secure_free(b->label);
	OPENSSL_secure_free(b->header);
	if (b->der != NULL)
		OPENSSL_secure_clear_free(b->der, (size_t)b->len);
	memset(b, 0, sizeof(*b));
}

static bool
first_private_block(BIO *bio, struct pem_block *b)
{
	for (;;) {
		memset(b, 0, sizeof(*b));
		if (PEM_read_bio_ex(bio, &b->label, &b->header, &b->der, &b->len,
		    PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1)
			return false;
		if (strcmp(b->label, "PRIVATE KEY") == 0 ||
		    strcmp(b->label, "RSA PRIVATE KEY") == 0)
			return true;
		block_free(b);
	}
}

EVP_PKEY *
key_decode_fast(const char *pem, size_t len)
{
	struct pem_block b;
	enum decoder_kind kind;
	OSSL_DECODER_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	BIO *bio;

	if (len > 0x7fffffff || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	if (first_private_block(bio, &b)) {
		const unsigned char *p = b.der;
		size_t left = (size_t)b.len;

		if (b.header[0] == '\0' &&
		    choose_decoder(b.label, b.der, left, &kind) &&
		    (ctx = decoder(kind)) != NULL) {
			decoders.out = NULL;
			if (OSSL_DECODER_from_data(ctx, &p, &left) == 1 &&
			    left == 0)
				pkey = decoders.out;
			else
				EVP_PKEY_free(decoders.out);
			decoders.out = NULL;
		}
		block_free(&b);
	}
	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

/* --- RSA numbers -------------------------------------------------------- */

void
key_rsa_numbers_free(struct key_rsa_numbers *r)
{
	BN_free(r->n);
	BN_free(r->e);
	BN_clear_free(r->d);
	BN_clear_free(r->p);
	BN_clear_free(r->q);
	BN_clear_free(r->dp);
	BN_clear_free(r->dq);
	BN_clear_free(r->qinv);
	memset(r, 0, sizeof(*r));
}

/* Private values pass through the parameter array: wipe it. */
static void
params_clear_free(OSSL_PARAM *params)
{
	for (OSSL_PARAM *p = params; p != NULL && p->key != NULL; p++)
		if (p->data != NULL)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

static bool
get_bn(const OSSL_PARAM *params, const char *name, BIGNUM **out)
{
	const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, name);

	return p != NULL && OSSL_PARAM_get_BN(p, out) == 1;
}

bool
key_rsa_numbers(EVP_PKEY *pkey, struct key_rsa_numbers *r)
{
	OSSL_PARAM *params = NULL;
	bool good;

	memset(r, 0, sizeof(*r));
	if (EVP_PKEY_todata(pkey, EVP_PKEY_KEYPAIR, &params) != 1)
		return false;
	good = get_bn(params, OSSL_PKEY_PARAM_RSA_N, &r->n) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_E, &r->e) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_D, &r->d) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_FACTOR1, &r->p) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_FACTOR2, &r->q) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_EXPONENT1, &r->dp) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_EXPONENT2, &r->dq) &&
	    get_bn(params, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &r->qinv) &&
	    /* two primes only: a multi-prime key takes the test signature */
	    OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_FACTOR3) == NULL;
	params_clear_free(params);
	if (!good)
		key_rsa_numbers_free(r);
	ERR_clear_error();
	return good;
}

/* RFC 8017 section 3.2: the private numbers belong to n and e. */
bool
key_rsa_consistent(const struct key_rsa_numbers *r)
{
	BN_CTX *ctx = BN_CTX_secure_new();
	BIGNUM *t, *p1, *q1;
	bool good = false;

	if (ctx == NULL)
		return false;
	BN_CTX_start(ctx);
	t = BN_CTX_get(ctx);
	p1 = BN_CTX_get(ctx);
	q1 = BN_CTX_get(ctx);
	if (q1 == NULL || BN_is_one(r->p) || BN_is_one(r->q) ||
	    BN_is_zero(r->p) || BN_is_zero(r->q))
		goto done;
	if (BN_mul(t, r->p, r->q, ctx) != 1 || BN_cmp(t, r->n) != 0)
		goto done;                              /* n = p q */
	if (BN_sub(p1, r->p, BN_value_one()) != 1 ||
	    BN_sub(q1, r->q, BN_value_one()) != 1)
		goto done;
	if (BN_mod(t, r->d, p1, ctx) != 1 || BN_cmp(t, r->dp) != 0 ||
	    BN_mod(t, r->d, q1, ctx) != 1 || BN_cmp(t, r->dq) != 0)
		goto done;                              /* dP, dQ from d */
	if (BN_mod_mul(t, r->e, r->dp, p1, ctx) != 1 || !BN_is_one(t) ||
	    BN_mod_mul(t, r->e, r->dq, q1, ctx) != 1 || !BN_is_one(t))
		goto done;                              /* e d = 1 */
	if (BN_mod_mul(t, r->qinv, r->q, r->p, ctx) != 1 || !BN_is_one(t))
		goto done;                              /* q qInv = 1 mod p */
	good = true;
done:
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return good;
}

/* One DER INTEGER of an RSAPublicKey, appended at *out. */
static bool
put_integer(const BIGNUM *bn, unsigned char **out, int *len)
{
	ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
	int n;

	if (ai == NULL)
		return false;
	n = i2d_ASN1_INTEGER(ai, out);
	ASN1_INTEGER_free(ai);
	if (n <= 0)
		return false;
	if (len != NULL)
		*len += n;
	return true;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static unsigned char *
rsa_public_key_der(const BIGNUM *n, const BIGNUM *e, int *len)
{
	int body = 0, total;
	unsigned char *der, *p;

	if (!put_integer(n, NULL, &body) || !put_integer(e, NULL, &body))
		return NULL;
	total = ASN1_object_size(1, body, V_ASN1_SEQUENCE);
	if (total <= 0 || (der = OPENSSL_malloc((size_t)total)) == NULL)
		return NULL;
	p = der;
	ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	if (!put_integer(n, &p, NULL) || !put_integer(e, &p, NULL)) {
		OPENSSL_free(der);
		return NULL;
	}
	*len = total;
	return der;
}

/* SubjectPublicKeyInfo of rsaEncryption (RFC 8017 appendix A.1), DER. */
unsigned char *
key_rsa_spki(const BIGNUM *n, const BIGNUM *e, int *len)
{
	X509_PUBKEY *pub = X509_PUBKEY_new();
	unsigned char *rsa_der, *out = NULL;
	int rsa_len = 0;

	if (pub == NULL)
		return NULL;
	rsa_der = rsa_public_key_der(n, e, &rsa_len);
	/* set0_param takes rsa_der */
	if (rsa_der == NULL || X509_PUBKEY_set0_param(pub,
	    OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL, rsa_der,
	    rsa_len) != 1) {
		OPENSSL_free(rsa_der);
		X509_PUBKEY_free(pub);
		return NULL;
	}
	*len = i2d_X509_PUBKEY(pub, &out);
	X509_PUBKEY_free(pub);
	if (*len <= 0) {
		OPENSSL_free(out);
		return NULL;
	}
	return out;
}

/* --- the compact form, read straight from the DER ---------------------- */

/* One DER element of the given tag: its contents [*body, *body + *len). */
static bool
der_take(const unsigned char **p, const unsigned char *end, unsigned char tag,
    const unsigned char **body, size_t *len)
{
	size_t n;

	if (end - *p < 2 || (*p)[0] != tag)
		return false;
	n = (*p)[1];
	*p += 2;
	if (n & 0x80) {                 /* long form, at most 2 bytes here */
		size_t k = n & 0x7f;

		if (k == 0 || k > 2 || (size_t)(end - *p) < k)
			return false;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | (*p)[i];
		*p += k;
	}
	if ((size_t)(end - *p) < n)
		return false;
	*body = *p;
	*len = n;
	*p += n;
	return true;
}

/* A non-negative INTEGER, as a BIGNUM. */
static bool
der_integer(const unsigned char **p, const unsigned char *end, BIGNUM **bn)
{
	const unsigned char *body;
	size_t len;

	if (!der_take(p, end, 0x02, &body, &len) || len == 0 ||
	    (body[0] & 0x80) != 0 || len > 0x7fffffff)
		return false;
	return (*bn = BN_bin2bn(body, (int)len, NULL)) != NULL;
}

/*
 * RSAPrivateKey (RFC 8017 appendix A.1.2), version 0 (two primes) and
 * nothing after it.
 */
static bool
rsa_private_key(const unsigned char *der, size_t len, struct key_rsa_numbers *r)
{
	const unsigned char *p = der, *end = der + len, *seq, *v;
	size_t seq_len, v_len;

	memset(r, 0, sizeof(*r));
	if (!der_take(&p, end, 0x30, &seq, &seq_len) || p != end)
		return false;
	p = seq;
	end = seq + seq_len;
	if (!der_take(&p, end, 0x02, &v, &v_len) || v_len != 1 || v[0] != 0)
		return false;
	if (der_integer(&p, end, &r->n) && der_integer(&p, end, &r->e) &&
	    der_integer(&p, end, &r->d) && der_integer(&p, end, &r->p) &&
	    der_integer(&p, end, &r->q) && der_integer(&p, end, &r->dp) &&
	    der_integer(&p, end, &r->dq) && der_integer(&p, end, &r->qinv) &&
	    p == end)
		return true;
	key_rsa_numbers_free(r);
	return false;
}

/*
 * PrivateKeyInfo (RFC 5208 section 5) of rsaEncryption with NULL
 * parameters and no attributes: the RSAPrivateKey inside.
 */
static bool
pkcs8_rsa(const unsigned char *der, size_t len, const unsigned char **inner,
    size_t *inner_len)
{
	static const unsigned char version_and_algorithm[] = { 0x02, 0x01, 0x00,
	    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	    0x01, 0x01, 0x05, 0x00 };
	const unsigned char *p = der, *end = der + len, *seq;
	size_t seq_len;

	if (!der_take(&p, end, 0x30, &seq, &seq_len) || p != end ||
	    seq_len < sizeof(version_and_algorithm) ||
	    memcmp(seq, version_and_algorithm,
	    sizeof(version_and_algorithm)) != 0)
		return false;
	p = seq + sizeof(version_and_algorithm);
	end = seq + seq_len;
	return der_take(&p, end, 0x04, inner, inner_len) && p == end;
}

/* RFC 8410 section 7: the one encoding of an Ed25519 private key. */
static const unsigned char *
pkcs8_ed25519(const unsigned char *der, size_t len)
{
	static const unsigned char prefix[] = { 0x30, 0x2e, 0x02, 0x01, 0x00,
	    0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };

	if (len != sizeof(prefix) + 32 || memcmp(der, prefix,
	    sizeof(prefix)) != 0)
		return NULL;
	return der + sizeof(prefix);
}

/* e, p and q, big-endian, into a new secret. */
static struct sp_key_secret *
rsa_secret(const struct key_rsa_numbers *r)
{
	int e = BN_num_bytes(r->e), p = BN_num_bytes(r->p),
	    q = BN_num_bytes(r->q);
	struct sp_key_secret *s;

	if (e <= 0 || p <= 0 || q <= 0 || e > 0xffff || p > 0xffff ||
	    q > 0xffff)
		return NULL;
	s = key_secret_new(SP_KEY_RSA, (size_t)(e + p + q));
	s->e_len = (uint16_t)e;
	s->p_len = (uint16_t)p;
	s->q_len = (uint16_t)q;
	BN_bn2bin(r->e, s->bytes);
	BN_bn2bin(r->p, s->bytes + e);
	BN_bn2bin(r->q, s->bytes + e + p);
	return s;
}

/* p= of an RSA key: base64 of the SubjectPublicKeyInfo of (n, e). */
static char *
rsa_public_b64(const struct key_rsa_numbers *r)
{
	unsigned char *der;
	char *b64;
	int len;

	if ((der = key_rsa_spki(r->n, r->e, &len)) == NULL)
		return NULL;
	b64 = sp_base64_encode(der, (size_t)len);
	OPENSSL_free(der);
	return b64;
}

static enum key_compact
compact_rsa(const unsigned char *der, size_t len, bool want_public,
    struct sp_key_secret **secret, int *bits, char **public_b64)
{
	struct key_rsa_numbers r;
	enum key_compact result = KEY_COMPACT_NO;

	if (!rsa_private_key(der, len, &r))
		return KEY_COMPACT_NO;
	*bits = BN_num_bits(r.n);
	if (!key_rsa_consistent(&r))
		result = KEY_COMPACT_INCONSISTENT;
	else if ((*secret = rsa_secret(&r)) != NULL &&
	    (!want_public || (*public_b64 = rsa_public_b64(&r)) != NULL))
		result = KEY_COMPACT_OK;
	if (result != KEY_COMPACT_OK) {
		key_secret_unref(*secret);
		*secret = NULL;
	}
	key_rsa_numbers_free(&r);
	return result;
}

/* p= of an Ed25519 key: its 32 public bytes (RFC 8463 section 4). */
static char *
ed25519_public_b64(const struct sp_key_secret *s)
{
	EVP_PKEY *pkey = key_secret_build(s);
	unsigned char raw[32];
	size_t rawlen = sizeof(raw);
	char *b64 = NULL;

	if (pkey != NULL && EVP_PKEY_get_raw_public_key(pkey, raw,
	    &rawlen) == 1 && rawlen == sizeof(raw))
		b64 = sp_base64_encode(raw, rawlen);
	EVP_PKEY_free(pkey);
	return b64;
}

static enum key_compact
compact_ed25519(const unsigned char *seed, bool want_public,
    struct sp_key_secret **secret, int *bits, char **public_b64)
{
	struct sp_key_secret *s = key_secret_new(SP_KEY_ED25519, 32);

	memcpy(s->bytes, seed, 32);
	*bits = 256;
	if (want_public && (*public_b64 = ed25519_public_b64(s)) == NULL) {
		key_secret_unref(s);
		return KEY_COMPACT_NO;
	}
	*secret = s;
	return KEY_COMPACT_OK;
}

enum key_compact
key_parse_compact(const char *pem, size_t len, bool want_public,
    struct sp_key_secret **secret, enum sp_key_type *type, int *bits,
    char **public_b64)
{
	enum key_compact result = KEY_COMPACT_NO;
	struct pem_block b;
	enum decoder_kind kind;
	const unsigned char *inner, *seed;
	size_t inner_len;
	BIO *bio;

	*secret = NULL;
	*public_b64 = NULL;
	if (len > 0x7fffffff || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return KEY_COMPACT_NO;
	if (first_private_block(bio, &b) && b.header[0] == '\0' &&
	    choose_decoder(b.label, b.der, (size_t)b.len, &kind)) {
		*type = kind == DEC_PKCS8_ED25519 ? SP_KEY_ED25519 : SP_KEY_RSA;
		if (kind == DEC_PKCS1_RSA)
			result = compact_rsa(b.der, (size_t)b.len, want_public,
			    secret, bits, public_b64);
		else if (kind == DEC_PKCS8_RSA &&
		    pkcs8_rsa(b.der, (size_t)b.len, &inner, &inner_len))
			result = compact_rsa(inner, inner_len, want_public,
			    secret, bits, public_b64);
		else if (kind == DEC_PKCS8_ED25519 &&
		    (seed = pkcs8_ed25519(b.der, (size_t)b.len)) != NULL)
			result = compact_ed25519(seed, want_public, secret,
			    bits, public_b64);
	}
	block_free(&b);
	BIO_free(bio);
	ERR_clear_error();
	return result;
}

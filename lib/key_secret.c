/*
 * key_secret.c - a private key in compact form (lib/key_int.h says why):
 * made, shared between the keys of two snapshots across a reload, wiped
 * and freed, and turned back into an EVP_PKEY when a message needs one.
 *
 * RSA keeps e, p and q; n, d and the CRT values (RFC 8017 section 3.2)
 * are computed again from them, in OpenSSL's secure heap, when the
 * EVP_PKEY is built. PKCS#1 v1.5 signatures are deterministic, so the
 * rebuilt key signs exactly as the file's.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "key_int.h"

struct sp_key_secret *
key_secret_new(enum sp_key_type type, size_t len)
{
	struct sp_key_secret *s = sp_xcalloc(1, sizeof(*s) + len);

	atomic_init(&s->refs, 1);
	s->type = type;
	s->len = len;
	return s;
}

struct sp_key_secret *
key_secret_pinned(EVP_PKEY *pkey, enum sp_key_type type)
{
	struct sp_key_secret *s = key_secret_new(type, 0);

	s->pinned = pkey;
	return s;
}

struct sp_key_secret *
key_secret_ref(struct sp_key_secret *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
key_secret_unref(struct sp_key_secret *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	key_cache_forget(s);
	EVP_PKEY_free(s->pinned);
	OPENSSL_cleanse(s->bytes, s->len);
	free(s);
}

static EVP_PKEY *
ed25519_build(const struct sp_key_secret *s)
{
	if (s->len != 32)
		return NULL;
	return EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, s->bytes,
	    s->len);
}

/* The RSA numbers that follow from p, q and e (RFC 8017 section 3.2). */
struct rsa_derived {
	BIGNUM *e, *p, *q, *n, *d, *dp, *dq, *qinv;
};

static bool
rsa_derive(const struct sp_key_secret *s, BN_CTX *ctx, struct rsa_derived *r)
{
	const unsigned char *b = s->bytes;
	BIGNUM *p1, *q1, *g, *lambda;

	r->e = BN_CTX_get(ctx);
	r->p = BN_CTX_get(ctx);
	r->q = BN_CTX_get(ctx);
	r->n = BN_CTX_get(ctx);
	r->d = BN_CTX_get(ctx);
	r->dp = BN_CTX_get(ctx);
	r->dq = BN_CTX_get(ctx);
	r->qinv = BN_CTX_get(ctx);
	p1 = BN_CTX_get(ctx);
	q1 = BN_CTX_get(ctx);
	g = BN_CTX_get(ctx);
	lambda = BN_CTX_get(ctx);
	if (lambda == NULL ||
	    BN_bin2bn(b, s->e_len, r->e) == NULL ||
	    BN_bin2bn(b + s->e_len, s->p_len, r->p) == NULL ||
	    BN_bin2bn(b + s->e_len + s->p_len, s->q_len, r->q) == NULL)
		return false;
	/* secret numbers: the inverses and reductions run in constant time */
	BN_set_flags(r->p, BN_FLG_CONSTTIME);
	BN_set_flags(r->q, BN_FLG_CONSTTIME);
	BN_set_flags(p1, BN_FLG_CONSTTIME);
	BN_set_flags(q1, BN_FLG_CONSTTIME);
	BN_set_flags(lambda, BN_FLG_CONSTTIME);
	/* n = p q; d = e^-1 mod lcm(p-1, q-1); dP, dQ = d mod p-1, q-1 */
	return BN_mul(r->n, r->p, r->q, ctx) == 1 &&
	    BN_sub(p1, r->p, BN_value_one()) == 1 &&
	    BN_sub(q1, r->q, BN_value_one()) == 1 &&
	    BN_gcd(g, p1, q1, ctx) == 1 &&
	    BN_mul(lambda, p1, q1, ctx) == 1 &&
	    BN_div(lambda, NULL, lambda, g, ctx) == 1 &&
	    BN_mod_inverse(r->d, r->e, lambda, ctx) != NULL &&
	    BN_mod(r->dp, r->d, p1, ctx) == 1 &&
	    BN_mod(r->dq, r->d, q1, ctx) == 1 &&
	    BN_mod_inverse(r->qinv, r->q, r->p, ctx) != NULL;
}

/* The numbers as parameters (secret ones in the secure heap). */
static OSSL_PARAM *
rsa_params(const struct rsa_derived *r)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;

	if (bld != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, r->n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, r->e) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, r->d) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, r->p) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, r->q) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1,
	    r->dp) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	    r->dq) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	    r->qinv) == 1)
		params = OSSL_PARAM_BLD_to_param(bld);
	OSSL_PARAM_BLD_free(bld);
	return params;
}

static EVP_PKEY *
rsa_build(const struct sp_key_secret *s)
{
	BN_CTX *ctx = BN_CTX_secure_new();
	struct rsa_derived r;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *pkey = NULL;

	if (ctx == NULL)
		return NULL;
	BN_CTX_start(ctx);
	if (rsa_derive(s, ctx, &r) && (params = rsa_params(&r)) != NULL &&
	    (pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(pc) == 1 &&
	    EVP_PKEY_fromdata(pc, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);        /* the secure part is wiped */
	BN_CTX_end(ctx);                /* secure: wiped */
	BN_CTX_free(ctx);
	return pkey;
}

EVP_PKEY *
key_secret_build(const struct sp_key_secret *s)
{
	EVP_PKEY *pkey;

	if (s->pinned != NULL)
		return EVP_PKEY_up_ref(s->pinned) == 1 ? s->pinned : NULL;
	pkey = s->type == SP_KEY_ED25519 ? ed25519_build(s) : rsa_build(s);
	ERR_clear_error();
	return pkey;
}

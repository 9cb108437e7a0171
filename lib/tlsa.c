/*
 * tlsa.c - the SHA-256 digests of the public keys (SubjectPublicKeyInfo,
 * selector 1, matching type 1: RFC 6698 section 2.1) of an MX host's leaf
 * certificate and of its issuer, for the "3 1 1" and "2 1 1" TLSA records
 * RFC 7672 section 3.1 recommends. OpenSSL parses the PEM and the X.509;
 * nothing here reads certificate bytes by hand. See tlsa.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "signpost/tlsa.h"

/* Hex SHA-256 of the DER SubjectPublicKeyInfo; NULL on failure. */
static char *
spki_sha256(X509 *cert)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
	char *hex;

	if (len <= 0)
		return NULL;
	if (EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL)
	    != 1) {
		OPENSSL_free(der);
		return NULL;
	}
	OPENSSL_free(der);
	hex = sp_xmalloc(2 * md_len + 1);
	for (unsigned int i = 0; i < md_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

static bool
digest_pair(const char *path, X509 *leaf, X509 *issuer,
    struct sp_tlsa_chain *out, sp_err *err)
{
	if (issuer != NULL && X509_check_issued(issuer, leaf) != X509_V_OK) {
		sp_err_set(err, "%s: the second certificate did not issue the "
		    "first; put the host's certificate first and its issuer "
		    "next (a fullchain.pem)", path);
		return false;
	}
	out->leaf_spki_sha256 = spki_sha256(leaf);
	if (issuer != NULL)
		out->issuer_spki_sha256 = spki_sha256(issuer);
	if (out->leaf_spki_sha256 == NULL ||
	    (issuer != NULL && out->issuer_spki_sha256 == NULL)) {
		sp_err_set(err, "%s: cannot encode a certificate's public key",
		    path);
		sp_tlsa_chain_free(out);
		return false;
	}
	return true;
}

bool
sp_tlsa_read_chain(const char *path, struct sp_tlsa_chain *out, sp_err *err)
{
	BIO *bio;
	X509 *leaf = NULL, *issuer = NULL;
	bool good = false;

	memset(out, 0, sizeof(*out));
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		sp_err_set(err, "%s: cannot read tls_cert: %s", path,
		    strerror(errno != 0 ? errno : EIO));
		ERR_clear_error();
		return false;
	}
	leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (leaf == NULL) {
		sp_err_set(err, "%s: no PEM certificate (\"-----BEGIN "
		    "CERTIFICATE-----\") in tls_cert", path);
		goto out;
	}
	issuer = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	good = digest_pair(path, leaf, issuer, out, err);
out:
	ERR_clear_error();
	X509_free(leaf);
	X509_free(issuer);
	BIO_free(bio);
	return good;
}

void
sp_tlsa_chain_free(struct sp_tlsa_chain *c)
{
	free(c->leaf_spki_sha256);
	free(c->issuer_spki_sha256);
	memset(c, 0, sizeof(*c));
}

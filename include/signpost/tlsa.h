/*
 * tlsa.h - the digests DANE TLSA records carry for an MX host's
 * certificate chain (RFC 7672 section 3.1, RFC 6698 section 2): SHA-256 of
 * the SubjectPublicKeyInfo of the leaf ("3 1 1") and of the certificate
 * that issued it ("2 1 1"). Parsed by OpenSSL (lib/tlsa.c); used by dnsgen.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_TLSA_H
#define SIGNPOST_TLSA_H

#include <stdbool.h>

#include "signpost/util.h"

struct sp_tlsa_chain {
	char *leaf_spki_sha256;         /* lower-case hex, 64 digits */
	char *issuer_spki_sha256;       /* NULL: the file holds the leaf only */
};

/*
 * Read the PEM chain at `path`, leaf first (e.g. Let's Encrypt's
 * fullchain.pem). Fails, naming the path, when the file cannot be read,
 * holds no certificate, or its second certificate did not issue the first.
 */
bool sp_tlsa_read_chain(const char *path, struct sp_tlsa_chain *out,
    sp_err *err);
void sp_tlsa_chain_free(struct sp_tlsa_chain *c);

#endif

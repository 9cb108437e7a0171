/*
 * tsigkey.h - the TSIG key `dnsgen publish` signs its updates with (RFC
 * 8945), read from the file `update_key` names: BIND's format (as
 * tsig-keygen writes it) or Knot's (as `keymgr -t` writes it). Only
 * HMAC-SHA256 and stronger are accepted; the secret is wiped on free.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_TSIGKEY_H
#define DNSGEN_TSIGKEY_H

#include <stdbool.h>

#include "signpost/util.h"

struct tsig_key {
	char *name;             /* key name, absolute, with the trailing dot */
	char *algorithm;        /* "hmac-sha256." (ldns spells them so) */
	char *secret;           /* base64, as in the file */
};

/* Read and check the key file at path; err says "PATH[:LINE]: why". */
bool tsig_key_read(const char *path, struct tsig_key *key, sp_err *err);
/* Parse key file text (no I/O; path for messages). */
bool tsig_key_parse(const char *path, const char *text, struct tsig_key *key,
    sp_err *err);
void tsig_key_free(struct tsig_key *key);

#endif

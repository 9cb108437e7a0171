/*
 * fuzz_keys.c - libFuzzer target for the key loader (lib/keys.c): the PEM
 * scan that says what a file really is, OpenSSL's PEM and DER decoding,
 * the key-type and RSA-size checks and the signing self-test.
 *
 *   scripts/fuzz keys [SECONDS]         (seeds: tests/fuzz/corpus/keys)
 *
 * Each input is written to a key file of safe owner and mode and loaded
 * through sp_key_load, the one way keys enter signpost. Beyond "does not
 * crash" it checks: a refusal names the file; a loaded key has a type, a
 * size, and a DNS record of the form "v=DKIM1; k=TYPE; p=BASE64".
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signpost/keys.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char key_path[4200];
static struct sp_key_rules rules;

static void
check_record(const struct sp_key *key)
{
	char *rec = sp_key_dns_record(key);
	char want[64];

	snprintf(want, sizeof(want), "v=DKIM1; k=%s; p=",
	    sp_key_dns_type(key));
	if (strncmp(rec, want, strlen(want)) != 0)
		fuzz_fail("fuzz_keys", "DNS record of an unexpected form", rec);
	for (const char *p = rec + strlen(want); *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '/' ||
		    *p == '='))
			fuzz_fail("fuzz_keys", "p= is not base64", rec);
	if (key->type == SP_KEY_ED25519 ? key->bits != 256 : key->bits < 1024)
		fuzz_fail("fuzz_keys", "key of an impossible size", rec);
	free(rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_key *key;
	sp_err err;

	if (key_path[0] == '\0') {
		snprintf(key_path, sizeof(key_path), "%s/sel.pem",
		    fuzz_scratch_dir());
		rules.owners[0] = geteuid();
		rules.n_owners = 1;
	}
	fuzz_write_file(key_path, data, size, 0600);
	memset(&err, 0, sizeof(err));
	key = sp_key_load(key_path, "example.com", "sel", &rules, &err);
	if (key == NULL) {
		if (strstr(err.msg, key_path) == NULL)
			fuzz_fail("fuzz_keys", "refusal without the file name",
			    err.msg);
		return 0;
	}
	check_record(key);
	sp_key_free(key);
	return 0;
}

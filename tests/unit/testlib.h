/*
 * testlib.h - helpers shared by signpost's C unit tests: files, lists,
 * tag values, a message parser, fresh keys, a replayable random sequence
 * and dkimpy (tests/verify/dkimpy.py) as an independent verifier.
 * Each helper bails out (exit 99, via tap.h) on an error of the test
 * itself; none of them counts a check, the caller does.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_TESTLIB_H
#define SIGNPOST_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signpost/keys.h"
#include "signpost/util.h"

/* The source tree (top_srcdir from the test environment, else ".."). */
const char *tl_srcdir(void);

/* A whole file, NUL-terminated; *len (if not NULL) gets its length. */
char *read_file(const char *path, size_t *len);

/* A list from a NULL-terminated array, or from "a,b,c". */
struct sp_list list_of(const char *const *names);
struct sp_list list_of_csv(const char *csv);

/* A signature's tag value, or "(absent)"; freed by the caller. */
char *tag(const char *sig, const char *name);

/* A message: header fields split at the first colon (folding kept), body. */
struct tl_field {
	char *name, *value;
};
struct tl_message {
	struct tl_field *f;
	size_t n;
	char *body;
	size_t body_len;
};
void parse_message(const char *path, struct tl_message *m);
void free_message(struct tl_message *m);

/* A fresh key for example.com: type "RSA" (with bits) or "ED25519". */
struct sp_key *make_key(const char *type, int bits, const char *selector);

/* xorshift64*: a fixed sequence from the seed, so a failure can be replayed. */
void rng_seed(uint64_t seed);
uint64_t rng(void);

/* Is /usr/bin/python3 with dkimpy (python3-dkim) installed? */
bool have_dkimpy(void);

/*
 * Do all of the message's DKIM-Signature fields verify with dkimpy, keys
 * from the records file (lines "NAME VALUE"), and are there `want` of
 * them? dkimpy's verdicts are shown as diagnostics.
 */
bool dkimpy_verifies(const char *msg_path, const char *records_path,
    size_t want);

#endif

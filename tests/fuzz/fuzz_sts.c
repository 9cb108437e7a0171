/*
 * fuzz_sts.c - libFuzzer target for what `dnsgen check` makes of an
 * MTA-STS policy file fetched from a web server it does not control
 * (dnsgen/stsparse.c, RFC 8461 sections 3.1, 3.2 and 4.1).
 *
 *   scripts/fuzz sts [SECONDS]          (seeds: tests/fuzz/corpus/sts)
 *
 * Beyond "does not crash" (ASan and UBSan are on) it checks the reader's
 * promises: a failure has a reason; a success has a mode of the three,
 * max_age of at most a year, an mx: line unless the mode is none, and
 * every mx: pattern either matches a host built from it or is a wildcard
 * that does not match its own bare suffix. The same bytes are read as a
 * _mta-sts TXT record: an id found is 1 to 32 letters and digits.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/tlscheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_sts: %s: %s\n", what, detail);
	abort();
}

static void
check_policy(const struct sts_policy *p)
{
	if (strcmp(p->mode, "enforce") != 0 && strcmp(p->mode, "testing") != 0 &&
	    strcmp(p->mode, "none") != 0)
		fail("a mode outside the three", p->mode);
	if (p->max_age > 31557600UL)
		fail("max_age over a year", p->mode);
	if (p->mx.n == 0 && strcmp(p->mode, "none") != 0)
		fail("no mx: line", p->mode);
	for (size_t i = 0; i < p->mx.n; i++) {
		const char *pat = p->mx.v[i];

		if (strncmp(pat, "*.", 2) == 0) {
			char *host = malloc(strlen(pat) + 2);

			snprintf(host, strlen(pat) + 2, "x%s", pat + 1);
			if (pat[2] != '\0' && pat[2] != '.' &&
			    strcmp(pat + 2, ".") != 0 &&
			    !sts_mx_matches(pat, host))
				fail("a wildcard does not match one more label", pat);
			if (sts_mx_matches(pat, pat + 2))
				fail("a wildcard matches its bare suffix", pat);
			free(host);
		} else if (pat[0] != '\0' && strcmp(pat, ".") != 0 &&
		    !sts_mx_matches(pat, pat)) {
			fail("a pattern does not match itself", pat);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sts_policy p;
	sp_err err;
	char *id;

	if (sts_policy_parse((const char *)data, size, &p, &err))
		check_policy(&p);
	else if (err.msg[0] == '\0')
		fail("a refusal without a reason", "");
	sts_policy_free(&p);
	if ((id = sts_txt_id((const char *)data, size)) != NULL) {
		size_t n = strlen(id);

		if (n < 1 || n > 32 || strspn(id, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)
			fail("an id outside 1*32 letters and digits", id);
		free(id);
	}
	return 0;
}

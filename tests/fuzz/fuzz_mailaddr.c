/*
 * fuzz_mailaddr.c - libFuzzer target for the From: parser (lib/mailaddr.c)
 * and what the engine does with From: and existing DKIM-Signature fields.
 *
 *   scripts/fuzz mailaddr [SECONDS]     (seeds: tests/fuzz/corpus/mailaddr)
 *
 * Beyond "does not crash" (ASan and UBSan are on) it checks the parser's
 * promises: a failure has a reason and leaves nothing behind; every
 * mailbox found has a local part and a domain without upper-case ASCII;
 * the engine accepts From: exactly when the parser finds one mailbox.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/dkim.h"
#include "signpost/mailaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_mailaddr: %s\n", what);
	abort();
}

static void
check_list(const char *v, size_t n, struct sp_mailbox_list *l, bool *one)
{
	sp_err err = { "" };

	*one = false;
	if (!sp_mailbox_list_parse(v, n, l, &err)) {
		if (err.msg[0] == '\0')
			fail("failure without a reason");
		if (l->n != 0 || l->v != NULL)
			fail("failure left mailboxes behind");
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].local == NULL || l->v[i].domain == NULL ||
		    l->v[i].domain[0] == '\0')
			fail("mailbox without local part or domain");
		for (const char *p = l->v[i].domain; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				fail("domain not lower-cased");
	}
	*one = l->n == 1;
	sp_mailbox_list_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	struct sp_list none = SP_LIST_INIT;
	struct sp_sign_opts o = {
		.header_canon = SP_CANON_RELAXED,
		.body_canon = SP_CANON_SIMPLE,
		.sign_headers = &none,
		.oversign_headers = &none,
		.now = 1700000000,
	};
	struct sp_mailbox_list l;
	struct sp_dkim *d;
	sp_err err;
	bool one;

	check_list(v, size, &l, &one);
	d = sp_dkim_new(&o);
	sp_dkim_header(d, "DKIM-Signature", 14, v, size, &err);
	sp_dkim_has_signature(d, "example.com", "sel");
	sp_dkim_header(d, "From", 4, v, size, &err);
	if (sp_dkim_end_headers(d, &err) != one)
		fail("engine and parser disagree about From:");
	sp_dkim_free(d);
	return 0;
}

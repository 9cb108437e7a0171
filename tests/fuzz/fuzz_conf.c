/*
 * fuzz_conf.c - libFuzzer target for the signpost.conf(5) parser and the
 * CIDR parser.
 *
 *   scripts/fuzz conf [SECONDS]         (seeds: tests/fuzz/corpus/conf)
 *
 * Beyond "does not crash" (ASan and UBSan are on), it checks what the
 * parser promises: a failure names the file, a success has every domain
 * with a selector, lower-case names, and oversigned fields that are signed;
 * a CIDR that parses prints and parses back to itself.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_conf: %s: %s\n", what, detail);
	abort();
}

static void
check_config(const struct sp_config *conf)
{
	const struct sp_signing_conf *s = &conf->signing;

	if (!sp_list_contains_ci(&s->sign_headers, "from"))
		fail("sign_headers without from", conf->path);
	for (size_t i = 0; i < s->oversign_headers.n; i++)
		if (!sp_list_contains_ci(&s->sign_headers, s->oversign_headers.v[i]))
			fail("oversigned but not signed", s->oversign_headers.v[i]);
	for (size_t i = 0; i < conf->n_domains; i++) {
		const struct sp_domain *d = &conf->domains[i];
		char *sub;

		if (d->n_selectors == 0)
			fail("domain without selector", d->name);
		for (const char *c = d->name; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				fail("domain not lower-case", d->name);
		if (sp_config_domain_named(conf, d->name) != d ||
		    sp_config_find_domain(conf, d->name) != d)
			fail("domain not found by its own name", d->name);
		sub = sp_xasprintf("x.%s", d->name);
		if (d->subdomains && sp_config_find_domain(conf, sub) == NULL)
			fail("subdomain not found", sub);
		free(sub);
		for (size_t k = 0; k < d->dns.n_mx; k++)
			if (d->dns.mx[k].priority > 65535)
				fail("MX priority out of range", d->name);
	}
}

static void
check_cidr(const char *text)
{
	struct sp_cidr a, b;
	char out[SP_CIDR_TEXT_MAX];
	sp_err err;

	if (!sp_cidr_parse_err(text, &a, &err))
		return;
	sp_cidr_format(&a, out, sizeof(out));
	if (!sp_cidr_parse(out, &b) || a.family != b.family ||
	    a.prefix != b.prefix || memcmp(a.addr, b.addr, 16) != 0)
		fail("CIDR does not round-trip", out);
	/* The network address itself is inside its network. */
	*strchr(out, '/') = '\0';
	if (!sp_cidr_match_text(&a, 1, out))
		fail("network address outside its network", out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sp_err err;
	struct sp_config *conf;
	char *text;

	memset(&err, 0, sizeof(err));
	conf = sp_config_parse("fuzz.conf", (const char *)data, size, &err);
	if (conf == NULL) {
		if (strncmp(err.msg, "fuzz.conf:", 10) != 0)
			fail("message without FILE:LINE", err.msg);
	} else
		check_config(conf);
	sp_config_free(conf);

	if (size < 128) {
		text = sp_xstrndup((const char *)data, size);
		check_cidr(text);
		free(text);
	}
	return 0;
}

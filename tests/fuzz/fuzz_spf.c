/*
 * fuzz_spf.c - libFuzzer target for dnsgen's SPF evaluator
 * (dnsgen/spfeval.c, spfmacro.c): the records of a whole include tree come
 * from the input, so the parser, the macro expansion and the walk meet any
 * bytes a DNS server could send.
 *
 *   scripts/fuzz spf [SECONDS]          (seeds: tests/fuzz/corpus/spf)
 *
 * The input is split at newlines: line N is the TXT record at
 * fN.example (the walk starts at f0.example). Besides that, a.example and
 * every name under it have A 192.0.2.3 and AAAA 2001:db8::3, and every name
 * has MX "10 a.example."; anything else is NXDOMAIN. The first byte picks
 * the client (IPv4 or IPv6, inside or outside those addresses).
 * Beyond "does not crash": the result is one of RFC 7208's, the lookup
 * count stays within what the walk may spend (SPF_COUNT_MAX + 1), and the
 * reason is printable ASCII (it reaches a terminal).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/dnsname.h"
#include "dnsgen/spfeval.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tree {
	const uint8_t *data;
	size_t size;
};

static void
add_value(struct dns_result *r, const char *p, size_t len)
{
	r->values = sp_xrealloc(r->values, r->n_values + 1, sizeof(*r->values));
	r->values[r->n_values].data = sp_xstrndup(p, len);
	r->values[r->n_values].len = len;
	r->values[r->n_values++].malformed = NULL;
}

/* Line n of the input, or false. */
static bool
line_of(const struct tree *t, unsigned long n, const char **p, size_t *len)
{
	const uint8_t *s = t->data, *end = t->data + t->size;

	for (; n > 0 && s < end; n--) {
		const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));

		if (nl == NULL)
			return false;
		s = nl + 1;
	}
	if (n > 0)
		return false;
	*p = (const char *)s;
	*len = (size_t)((memchr(s, '\n', (size_t)(end - s)) ?
	    (const uint8_t *)memchr(s, '\n', (size_t)(end - s)) : end) - s);
	return true;
}

static void
tree_query(void *ctx, const char *name, int type, struct dns_result *r)
{
	const struct tree *t = ctx;
	const char *p;
	size_t len;
	char *end;
	unsigned long n;

	memset(r, 0, sizeof(*r));
	r->status = DNS_ANSWER;
	if (type == ns_t_txt && name[0] == 'f' && name[1] >= '0' &&
	    name[1] <= '9') {
		n = strtoul(name + 1, &end, 10);
		if (strcmp(end, ".example.") == 0 && line_of(t, n, &p, &len))
			add_value(r, p, len);
		else
			r->status = DNS_NXDOMAIN;
	} else if (type == ns_t_a && sp_dns_name_within(name, "a.example.")) {
		add_value(r, "192.0.2.3", 9);
	} else if (type == ns_t_aaaa &&
	    sp_dns_name_within(name, "a.example.")) {
		add_value(r, "2001:db8::3", 11);
	} else if (type == ns_t_mx) {
		add_value(r, "10 a.example.", 13);
	} else {
		r->status = DNS_NXDOMAIN;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const clients[] = { "192.0.2.3", "192.0.2.4",
	    "2001:db8::3", "2001:db8::4" };
	struct tree t = { data + (size > 0), size - (size > 0) };
	struct spf_request req = { clients[size > 0 ? data[0] % 4 : 0],
	    "f0.example", "postmaster@f0.example", "a.example", tree_query,
	    &t };
	struct spf_verdict v;

	spf_check_host(&req, &v);
	if (v.result > SPF_PERMERROR)
		fuzz_fail("spf", "a result outside RFC 7208", v.why);
	if (v.lookups > SPF_COUNT_MAX + 1)
		fuzz_fail("spf", "more lookups than the walk may spend", v.why);
	for (const char *c = v.why; c != NULL && *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)
			fuzz_fail("spf", "a reason with a byte a terminal acts "
			    "on", v.why);
	spf_verdict_free(&v);
	return 0;
}

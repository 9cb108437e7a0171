/*
 * lifecycle.c - what a rotating domain's key states change in its records
 * (SPEC.md "Key lifecycle"): every key file is printed with its state, a
 * revoked key as "v=DKIM1; k=...; p=" (RFC 6376 section 3.6.1: an empty
 * p= means the key was revoked) whether or not its file is still there,
 * and a forgotten key not at all. A domain without rotation gets exactly
 * its key files, as before.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/keystate.h"
#include "dnsgen/dnsgen.h"

static bool
selector_active(const struct sp_domain *dom, const char *selector)
{
	for (size_t i = 0; i < dom->n_selectors; i++)
		if (strcmp(dom->selectors[i].name, selector) == 0)
			return true;
	return false;
}

char *
dnsgen_revoked_record(enum sp_key_type alg)
{
	return sp_xasprintf("v=DKIM1; k=%s; p=", sp_key_type_name(alg));
}

static struct sp_dkim_pub *
add_pub(struct sp_dkim_pub **pubs, size_t *n, const char *selector,
    char *record)
{
	struct sp_dkim_pub *p;

	*pubs = sp_xrealloc(*pubs, *n + 1, sizeof(**pubs));
	p = &(*pubs)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->selector = sp_xstrdup(selector);
	p->record = record;
	return p;
}

/* A key file, with its state when the domain rotates. */
static void
add_key(struct sp_dkim_pub **pubs, size_t *n, const struct sp_domain *dom,
    const struct sp_key *key, const struct sp_kentry *e)
{
	bool revoked = e != NULL && e->state == SP_KS_REVOKED;
	struct sp_dkim_pub *p = add_pub(pubs, n, key->selector, revoked ?
	    dnsgen_revoked_record(key->type) : sp_key_dns_record(key));

	p->active = e != NULL ? e->state == SP_KS_ACTIVE :
	    selector_active(dom, key->selector);
	p->rsa = key->type == SP_KEY_RSA;
	p->bits = key->bits;
	p->revoked = revoked;
	p->state = e != NULL ? sp_kstate_name(e->state) : NULL;
}

static bool
has_file(struct sp_key *const *keys, size_t n, const char *selector)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i]->selector, selector) == 0)
			return true;
	return false;
}

bool
dnsgen_dkim_pubs(const struct sp_config *conf, const struct sp_domain *dom,
    struct sp_key *const *keys, size_t n, struct sp_dkim_pub **out,
    size_t *n_out, sp_err *err)
{
	struct sp_keystate ks;

	*out = NULL;
	*n_out = 0;
	memset(&ks, 0, sizeof(ks));
	if (dom->rotation.rotate != 0 &&
	    !sp_keystate_load(conf, dom->name, &ks, err)) {
		sp_keystate_free(&ks);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		add_key(out, n_out, dom, keys[i],
		    sp_keystate_find(&ks, keys[i]->selector));
	for (size_t i = 0; i < ks.n; i++) {
		const struct sp_kentry *e = &ks.keys[i];
		struct sp_dkim_pub *p;

		if (has_file(keys, n, e->selector))
			continue;
		if (e->state != SP_KS_REVOKED) {
			dnsgen_warn("%s: key %s is %s but its file %s.pem is "
			    "missing: no record for it (dnsgen rotate will "
			    "replace it)", ks.path, e->selector,
			    sp_kstate_name(e->state), e->selector);
			continue;
		}
		p = add_pub(out, n_out, e->selector,
		    dnsgen_revoked_record(e->alg));
		p->rsa = e->alg == SP_KEY_RSA;
		p->revoked = true;
		p->state = sp_kstate_name(e->state);
	}
	sp_keystate_free(&ks);
	return true;
}

void
dnsgen_dkim_pubs_free(struct sp_dkim_pub *pubs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)pubs[i].selector);
		free((char *)pubs[i].record);
	}
	free(pubs);
}

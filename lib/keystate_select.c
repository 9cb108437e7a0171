/*
 * keystate_select.c - which keys a rotating domain signs with: exactly
 * those its state file calls active (SPEC.md "Key lifecycle"). The milter
 * applies this to a configuration it has just loaded, before it loads the
 * keys, at start and on every reload; a domain without rotation keeps its
 * `selector` list untouched.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/keystate.h"

/* Replace d's selectors with the active keys of ks. */
static void
use_active(struct sp_domain *d, const struct sp_keystate *ks)
{
	size_t n = 0;

	for (size_t k = 0; k < d->n_selectors; k++)
		free(d->selectors[k].name);
	free(d->selectors);
	d->selectors = sp_xcalloc(ks->n + 1, sizeof(*d->selectors));
	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].state == SP_KS_ACTIVE) {
			d->selectors[n].name = sp_xstrdup(ks->keys[i].selector);
			d->selectors[n].line = d->line;
			n++;
		}
	d->n_selectors = n;
}

bool
sp_keystate_select_active(struct sp_config *conf, sp_err *err)
{
	for (size_t i = 0; i < conf->n_domains; i++) {
		struct sp_domain *d = &conf->domains[i];
		struct sp_keystate ks;

		if (d->rotation.rotate == 0)
			continue;
		if (!sp_keystate_load(conf, d->name, &ks, err)) {
			sp_keystate_free(&ks);
			return false;
		}
		if (ks.exists)
			use_active(d, &ks);
		sp_keystate_free(&ks);
	}
	return true;
}

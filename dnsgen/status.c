/*
 * status.c - `dnsgen status`: for every domain (or the -d ones) a table of
 * its keys: selector, algorithm and size, state, since when, the next step
 * and when it is due, and with --check whether its record is served by
 * every server the domain is checked at. Reads only: it changes nothing.
 * Exit 1 (with --check) when a published, active or retiring key is not
 * served; 2 when DNS could not be asked or a state file is broken.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/clock.h"
#include "dnsgen/rotate.h"

/* The next step of a key and when it is due. */
static const char *
next_step(const struct rotation *r, const struct sp_kentry *e, time_t *due)
{
	const struct sp_rotation *rot = &r->dom->rotation;

	switch (e->state) {
	case SP_KS_PENDING:
		*due = r->now;
		return "published once served";
	case SP_KS_PUBLISHED:
		*due = e->since + (time_t)e->hold;
		return "active";
	case SP_KS_ACTIVE:
		*due = e->made + (time_t)rot->rotate;
		return "successor made";
	case SP_KS_RETIRING:
		*due = e->since + (time_t)rot->retire_after;
		return "revoked";
	case SP_KS_REVOKED:
		*due = e->since + (time_t)rot->revoke_after;
		return "forgotten";
	}
	*due = r->now;
	return "?";
}

/* --check: is this key's record served everywhere? */
static const char *
served_text(struct rotation *r, const struct sp_kentry *e, int *rc)
{
	struct sp_key_rules rules;
	struct sp_key *key;
	unsigned long hold;
	char *path;
	sp_err err;
	enum served s;

	if (e->state == SP_KS_REVOKED)
		return "-";
	path = sp_key_path(r->conf, r->dom->name, e->selector);
	key = sp_key_rules_from_config(r->conf, false, &rules, &err) ?
	    sp_key_load(path, r->dom->name, e->selector, &rules, &err) : NULL;
	free(path);
	if (key == NULL) {
		*rc = DNSGEN_FAIL;
		return "no key file";
	}
	s = rotate_key_served(r, key, &hold);
	sp_key_free(key);
	if (s == SERVED_UNKNOWN) {
		*rc = DNSGEN_FAIL;
		return "DNS error";
	}
	if (s == NOT_SERVED && e->state != SP_KS_PENDING && *rc == DNSGEN_OK)
		*rc = DNSGEN_MISMATCH;
	return s == SERVED ? "served" : "not served";
}

static void
key_row(struct rotation *r, const struct sp_kentry *e, bool check, int *rc)
{
	char since[SP_TIME_TEXT], when[SP_TIME_TEXT], alg[24];
	struct sp_key_rules rules;
	struct sp_key *key = NULL;
	char *path = sp_key_path(r->conf, r->dom->name, e->selector);
	const char *next;
	time_t due;
	sp_err err;

	if (e->state != SP_KS_REVOKED &&
	    sp_key_rules_from_config(r->conf, false, &rules, &err))
		key = sp_key_load(path, r->dom->name, e->selector, &rules, &err);
	free(path);
	snprintf(alg, sizeof(alg), "%s %s", sp_key_type_name(e->alg),
	    key != NULL ? "" : "-");
	if (key != NULL)
		snprintf(alg, sizeof(alg), "%s %d", sp_key_type_name(e->alg),
		    key->bits);
	sp_key_free(key);
	next = next_step(r, e, &due);
	sp_time_format(e->since, since);
	sp_time_format(due, when);
	printf("  %-14s %-12s %-10s %-21s %-23s %-21s", e->selector, alg,
	    sp_kstate_name(e->state), since, next, when);
	if (check)
		printf(" %s", served_text(r, e, rc));
	putchar('\n');
}

static int
status_domain(const struct dnsgen_opts *o, const struct sp_config *conf,
    const struct sp_domain *dom, time_t now)
{
	struct rotation r;
	char every[32];
	sp_err err;
	int rc = DNSGEN_OK;

	if (dom->rotation.rotate == 0) {
		printf("%s: no rotation (rotate = 0): signs with", dom->name);
		for (size_t i = 0; i < dom->n_selectors; i++)
			printf("%s %s", i ? "," : "", dom->selectors[i].name);
		printf("\n\n");
		return DNSGEN_OK;
	}
	memset(&r, 0, sizeof(r));
	r.conf = conf;
	r.dom = dom;
	r.now = now;
	r.quiet = true;
	if (!sp_keystate_load(conf, dom->name, &r.ks, &err)) {
		dnsgen_error("%s", err.msg);
		sp_keystate_free(&r.ks);
		return DNSGEN_FAIL;
	}
	sp_duration_format(dom->rotation.rotate, every, sizeof(every));
	printf("%s: rotate every %s%s\n", dom->name, every, r.ks.exists ? "" :
	    " (no state yet: the next dnsgen rotate starts it)");
	printf("  %-14s %-12s %-10s %-21s %-23s %-21s%s\n", "SELECTOR",
	    "ALGORITHM", "STATE", "SINCE", "NEXT", "DUE", o->check ? " DNS" : "");
	for (size_t i = 0; i < r.ks.n; i++)
		key_row(&r, &r.ks.keys[i], o->check, &rc);
	putchar('\n');
	sp_keystate_free(&r.ks);
	return rc;
}

int
dnsgen_status(const struct dnsgen_opts *o)
{
	struct sp_config *conf;
	time_t now;
	sp_err err;
	int rc = DNSGEN_OK;

	if (!sp_clock_now(&now, &err) ||
	    (conf = sp_config_load(o->conf_path, &err)) == NULL) {
		dnsgen_error("%s", err.msg);
		return DNSGEN_FAIL;
	}
	for (size_t i = 0; i < (o->domains.n ? o->domains.n : conf->n_domains);
	    i++) {
		const struct sp_domain *d = o->domains.n ?
		    dnsgen_domain(conf, o->domains.v[i]) : &conf->domains[i];
		int one = d != NULL ? status_domain(o, conf, d, now) : DNSGEN_FAIL;

		if (one == DNSGEN_FAIL || (one == DNSGEN_MISMATCH && rc == DNSGEN_OK))
			rc = one;
	}
	fflush(stdout);
	sp_config_free(conf);
	return rc;
}

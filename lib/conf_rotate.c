/*
 * conf_rotate.c - the signpost.conf(5) names of the key lifecycle:
 * rotate, algorithms, retire_after and revoke_after (in [signing], each
 * overridable in a [domain]), and [dns] check_servers, the servers
 * `dnsgen check` and `dnsgen rotate` ask instead of the ones found by NS.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

/* Durations above this are surely a typo (and keep time_t sums small). */
#define ROTATION_MAX (10ul * 366 * 86400)

void
conf_rotation_defaults(struct sp_rotation *r)
{
	memset(r, 0, sizeof(*r));
	r->algorithms = SP_ALG_RSA | SP_ALG_ED25519;
	r->retire_after = SP_DEFAULT_RETIRE_AFTER;
	r->revoke_after = SP_DEFAULT_REVOKE_AFTER;
}

/* Copy what the [domain] did not set from [signing] (values and lines). */
void
conf_rotation_inherit(struct sp_rotation *d, const struct sp_rotation *g)
{
	if (d->line.rotate == 0)
		d->rotate = g->rotate, d->line.rotate = g->line.rotate;
	if (d->line.algorithms == 0) {
		d->algorithms = g->algorithms;
		d->line.algorithms = g->line.algorithms;
	}
	if (d->line.retire_after == 0) {
		d->retire_after = g->retire_after;
		d->line.retire_after = g->line.retire_after;
	}
	if (d->line.revoke_after == 0) {
		d->revoke_after = g->revoke_after;
		d->line.revoke_after = g->line.revoke_after;
	}
}

/*
 * A key retires only once mail signed with it has been delivered or
 * bounced, and its record outlives resolvers' caches: retire_after must
 * be longer than the record's TTL (and, as signpost.conf(5) says, than
 * Postfix's maximal_queue_lifetime).
 */
bool
conf_rotation_check(const struct sp_domain *d, sp_err *err)
{
	const struct sp_rotation *r = &d->rotation;

	if (r->rotate == 0)
		return true;
	if (r->retire_after <= d->dns.ttl) {
		sp_err_set(err, "%s:%u: retire_after: %lu seconds is not longer "
		    "than the TTL of [domain %s] (%u seconds); mail signed by a "
		    "retiring key must still verify", d->file,
		    r->line.retire_after ? r->line.retire_after : d->line,
		    r->retire_after, d->name, d->dns.ttl);
		return false;
	}
	return true;
}

static struct sp_rotation *
rotation_of(struct conf_parser *p)
{
	if (p->sec == SEC_DOMAIN)
		return &p->conf->domains[p->domain].rotation;
	return &p->conf->signing.rotation;
}

bool
conf_set_rotate(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_rotation *r = rotation_of(p);
	unsigned long secs;

	if (strcmp(v, "0") != 0 &&
	    !conf_duration(v, 3600, ROTATION_MAX, &secs, err))
		return false;
	r->rotate = strcmp(v, "0") == 0 ? 0 : secs;
	r->line.rotate = p->line;
	return true;
}

bool
conf_set_algorithms(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_rotation *r = rotation_of(p);
	struct sp_list names = SP_LIST_INIT;
	unsigned bits = 0, bit;
	bool good = true;

	conf_split_list(v, &names);
	for (size_t i = 0; good && i < names.n; i++) {
		if (sp_strcasecmp(names.v[i], "rsa") == 0)
			bit = SP_ALG_RSA;
		else if (sp_strcasecmp(names.v[i], "ed25519") == 0)
			bit = SP_ALG_ED25519;
		else {
			sp_err_set(err, "\"%s\" is not an algorithm (rsa, "
			    "ed25519)", names.v[i]);
			good = false;
			break;
		}
		if (bits & bit) {
			sp_err_set(err, "\"%s\" is listed twice", names.v[i]);
			good = false;
		}
		bits |= bit;
	}
	if (good && bits == 0) {
		sp_err_set(err, "no algorithm given (rsa, ed25519)");
		good = false;
	}
	sp_list_free(&names);
	if (good) {
		r->algorithms = bits;
		r->line.algorithms = p->line;
	}
	return good;
}

static bool
set_after(struct conf_parser *p, const char *v, unsigned long *out,
    unsigned *line, sp_err *err)
{
	if (!conf_duration(v, 3600, ROTATION_MAX, out, err))
		return false;
	*line = p->line;
	return true;
}

bool
conf_set_retire_after(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_rotation *r = rotation_of(p);

	return set_after(p, v, &r->retire_after, &r->line.retire_after, err);
}

bool
conf_set_revoke_after(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_rotation *r = rotation_of(p);

	return set_after(p, v, &r->revoke_after, &r->line.revoke_after, err);
}

bool
conf_set_check_servers(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list list = SP_LIST_INIT;

	conf_split_list(v, &list);
	for (size_t i = 0; i < list.n; i++)
		if (!conf_server_address(list.v[i], err)) {
			sp_list_free(&list);
			return false;
		}
	sp_list_free(&p->dns->check_servers);
	p->dns->check_servers = list;
	p->dns->line.check_servers = p->line;
	return true;
}

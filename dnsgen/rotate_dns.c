/*
 * rotate_dns.c - the proof `dnsgen rotate` waits for before a key may
 * sign: every server the domain is checked at (check_servers, or every
 * address of its NS) serves exactly the key's record, and how long it
 * must then stay published: the record's TTL or the zone's negative-
 * caching TTL (RFC 2308 section 5: min(SOA TTL, SOA MINIMUM)), whichever
 * is longer, so no resolver still holds "no such record" when it signs.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/judge.h"
#include "dnsgen/rotate.h"
#include "dnsgen/servers.h"

/* The negative TTL from the SOA at the domain or the closest parent. */
static bool
negative_ttl(struct dns_server *s, const char *domain, unsigned long *out,
    sp_err *err)
{
	for (const char *p = domain; p != NULL && strchr(p, '.') != NULL;) {
		struct dns_result res;
		char *q = sp_xasprintf("%s.", p);
		unsigned long minimum;
		const char *last;

		dns_query(s, q, ns_t_soa, &res);
		free(q);
		if (res.status == DNS_ERROR) {
			sp_err_set(err, "the SOA of %s: %s", domain, res.error);
			dns_result_free(&res);
			return false;
		}
		if (res.n_values > 0) {
			last = strrchr(res.values[0].data, ' ');
			minimum = last ? strtoul(last + 1, NULL, 10) : 0;
			*out = res.values[0].ttl < minimum ? res.values[0].ttl :
			    minimum;
			dns_result_free(&res);
			return true;
		}
		dns_result_free(&res);
		p = strchr(p, '.');
		p = p ? p + 1 : NULL;
	}
	sp_err_set(err, "%s serves no SOA for %s or a parent", s->label,
	    domain);
	return false;
}

/* Ask each server for the key's TXT; say what is still missing. */
static enum served
ask_each(struct rotation *r, struct askset *as, const struct sp_rr *rr)
{
	enum served verdict = SERVED;

	for (size_t i = 0; i < as->n; i++) {
		struct dns_result res;
		struct outcome o;

		dns_query(&as->servers[i], rr->name, ns_t_txt, &res);
		judge_record(rr, &res, as->authoritative, &o);
		if (o.v == V_ERROR && !r->quiet) {
			dnsgen_error("%s: %s: %s", r->dom->name,
			    as->servers[i].label, o.why);
			verdict = SERVED_UNKNOWN;
		} else if (o.v == V_ERROR) {
			verdict = SERVED_UNKNOWN;
		} else if (o.v != V_OK && verdict == SERVED) {
			verdict = NOT_SERVED;
		}
		if ((o.v == V_MISSING || o.v == V_DIFFERS) && !r->quiet)
			rotate_say(r, "%s pending: %s does not serve it yet "
			    "(%s); waiting for: %s %u IN TXT \"%s\"",
			    rr->selector, as->servers[i].label,
			    verdict_names[o.v], rr->name, rr->ttl, rr->value);
		outcome_free(&o);
		dns_result_free(&res);
	}
	return verdict;
}

enum served
rotate_key_served(struct rotation *r, const struct sp_key *key,
    unsigned long *hold)
{
	struct askset as;
	struct sp_rr rr;
	enum served verdict = SERVED_UNKNOWN;
	unsigned long neg;
	sp_err err;

	memset(&rr, 0, sizeof(rr));
	rr.name = sp_xasprintf("%s._domainkey.%s.", key->selector,
	    r->dom->name);
	rr.type = SP_RR_TXT;
	rr.role = SP_ROLE_DKIM;
	rr.ttl = r->dom->dns.ttl;
	rr.value = sp_key_dns_record(key);
	rr.selector = key->selector;
	if (!askset_choose(r->dom, r->dom->name, NULL, &as, &err) ||
	    !askset_open(&as, &err)) {
		dnsgen_error("%s: %s", r->dom->name, err.msg);
	} else if ((verdict = ask_each(r, &as, &rr)) == SERVED) {
		if (!negative_ttl(&as.servers[0], r->dom->name, &neg, &err)) {
			dnsgen_error("%s: %s", r->dom->name, err.msg);
			verdict = SERVED_UNKNOWN;
		} else
			*hold = neg > rr.ttl ? neg : rr.ttl;
	}
	askset_free(&as);
	free(rr.name);
	free(rr.value);
	return verdict;
}

/*
 * rotate_dns.c - the proof `dnsgen rotate` waits for before a key may
 * sign: every server the domain is checked at (check_servers, or every
 * address of its NS) serves exactly the key's record, and how long it
 * must then stay published: the record's TTL or the zone's negative-
 * caching TTL (RFC 2308 section 5: min(SOA TTL, SOA MINIMUM)), whichever
 * is longer, so no resolver still holds "no such record" when it signs.
 * With [dns] update_server the domain's records are first put on the
 * primary through publish.c (RFC 2136 UPDATE, TSIG), the keys forgotten
 * in this run removed.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/judge.h"
#include "dnsgen/publish.h"
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

static bool
has_pending(const struct rotation *r)
{
	for (size_t i = 0; i < r->ks.n; i++)
		if (r->ks.keys[i].state == SP_KS_PENDING)
			return true;
	return false;
}

/*
 * Move the DKIM records of the selectors being forgotten behind the first
 * *kept records (order kept), so that publish, given only those, removes
 * their RRsets; the caller restores rec->n before freeing.
 */
static size_t
keep_unforgotten(struct sp_dnsrec *rec, const struct sp_list *forgotten)
{
	size_t kept = 0;

	for (size_t i = 0; i < rec->n; i++) {
		const struct sp_rr *rr = &rec->rr[i];
		bool gone = rr->role == SP_ROLE_DKIM && rr->selector != NULL &&
		    sp_list_contains_ci(forgotten, rr->selector);

		if (!gone) {
			struct sp_rr keep = rec->rr[i];

			memmove(&rec->rr[kept + 1], &rec->rr[kept],
			    (i - kept) * sizeof(*rec->rr));
			rec->rr[kept++] = keep;
		}
	}
	return kept;
}

bool
rotate_publish(struct rotation *r)
{
	struct dnsgen_opts o;
	struct dnsgen_zone z;
	struct dnsgen_publish_req req;
	struct dnsgen_publish_result res;
	bool good = false;
	size_t all;

	memset(&o, 0, sizeof(o));
	o.conf_path = r->conf->path;
	sp_list_add(&o.domains, r->dom->name);
	if (dnsgen_load(&o, &z) && z.n == 1) {
		all = z.recs[0].n;
		z.recs[0].n = keep_unforgotten(&z.recs[0], &r->forgotten);
		memset(&req, 0, sizeof(req));
		req.conf = z.conf;
		req.domain = sp_config_domain_named(z.conf, r->dom->name);
		req.recs = &z.recs[0];
		req.remove = &r->forgotten;
		req.dry_run = r->dry_run;
		req.report = stdout;
		good = dnsgen_publish_domain(&req, &res) == DNSGEN_OK;
		z.recs[0].n = all;
	}
	if (!good)
		r->rc = DNSGEN_FAIL;
	r->published = true;
	dnsgen_zone_free(&z);
	sp_list_free(&o.domains);
	return good;
}

void
rotate_publish_due(struct rotation *r)
{
	if (dnsgen_publish_configured(r->dom) && !r->published &&
	    (r->changed || has_pending(r)))
		(void)rotate_publish(r);
}

/*
 * publish.c - `dnsgen publish`: the records of a domain onto its primary
 * server by RFC 2136 dynamic update, signed with TSIG (RFC 8945).
 *
 * For each RRset signpost owns (SELECTOR._domainkey TXT; with publish =
 * all, every name and type `records` prints) the primary is asked what it
 * serves; an RRset that differs in values or TTL is replaced whole, and a
 * selector the caller names for removal is deleted. All changes of one
 * domain go in one UPDATE, each RRset guarded by a prerequisite (RFC 2136
 * section 2.4.2 "RRset exists (value dependent)" with what was served, or
 * 2.4.5 "RRset does not exist"), so a change made by someone else in
 * between makes the server refuse the update rather than lose it. Nothing
 * outside those names and types is ever deleted.
 *
 * libldns builds, signs and parses the messages; queries go to the
 * primary itself (not a resolver), without recursion.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dnsgen/dnsgen.h"
#include "dnsgen/publish.h"
#include "dnsgen/tsigkey.h"

/* A question or the update gets this long (seconds) before the server is deemed down. */
#define PUBLISH_TIMEOUT_S 2
#define PUBLISH_UDP_TRIES 2
/* RFC 8945 section 5.2.3: the usual fudge, 300 seconds. */
#define TSIG_FUDGE 300

/* TSIG error codes (RFC 8945 section 4.3) for messages. */
static const char *
tsig_error_name(unsigned code)
{
	switch (code) {
	case 16: return "BADSIG";
	case 17: return "BADKEY";
	case 18: return "BADTIME";
	case 22: return "BADTRUNC";
	default: return NULL;
	}
}

static const char *
rcode_name(unsigned rcode)
{
	ldns_lookup_table *t = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return t != NULL ? t->name : "an unknown rcode";
}

/* The connection to one domain's primary, with its key. */
struct primary {
	const char *domain;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *label;                    /* "ADDR#PORT" */
	struct tsig_key key;
	bool have_key;
};

/* One RRset signpost owns: what it wants there and what is served. */
struct rrset {
	ldns_rdf *owner;
	ldns_rr_type type;
	ldns_rr_list *want;             /* empty: the RRset must go */
	ldns_rr_list *served;
	const char *name;               /* for messages */
};

static bool
primary_open(const struct sp_dns_update *u, const char *domain,
    struct primary *pr)
{
	const char *hash = strchr(u->server, '#');
	char *host = sp_xstrndup(u->server, hash ? (size_t)(hash - u->server) :
	    strlen(u->server));
	unsigned port = hash != NULL ? (unsigned)strtoul(hash + 1, NULL, 10) : 53;
	struct sockaddr_in *sin = (struct sockaddr_in *)&pr->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&pr->addr;
	sp_err err;

	memset(pr, 0, sizeof(*pr));
	pr->domain = domain;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		pr->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		pr->addrlen = sizeof(*sin6);
	} else
		SP_BUG("update_server was checked at load");
	pr->label = sp_xasprintf("%s#%u", host, port);
	free(host);
	if (!tsig_key_read(u->key, &pr->key, &err)) {
		dnsgen_error("%s: %s", domain, err.msg);
		return false;
	}
	pr->have_key = true;
	return true;
}

static void
primary_close(struct primary *pr)
{
	free(pr->label);
	if (pr->have_key)
		tsig_key_free(&pr->key);
	memset(pr, 0, sizeof(*pr));
}

/*
 * Send one message and read the answer: UDP (PUBLISH_UDP_TRIES tries),
 * then TCP if it came back truncated; TCP only when tcp is set.
 */
static ldns_status
exchange(const struct primary *pr, ldns_buffer *wire, bool tcp,
    uint8_t **answer, size_t *len)
{
	struct timeval tv = { PUBLISH_TIMEOUT_S, 0 };
	ldns_status st = LDNS_STATUS_NETWORK_ERR;

	*answer = NULL;
	for (int i = 0; !tcp && i < PUBLISH_UDP_TRIES; i++) {
		st = ldns_udp_send(answer, wire, &pr->addr, pr->addrlen, tv, len);
		if (st == LDNS_STATUS_OK && *len >= 3 && ((*answer)[2] & 0x02))
			tcp = true;     /* TC: RFC 1035 section 4.2.1 */
		if (st == LDNS_STATUS_OK && !tcp)
			return st;
		LDNS_FREE(*answer);
		*answer = NULL;
	}
	if (tcp)
		st = ldns_tcp_send(answer, wire, &pr->addr, pr->addrlen, tv, len);
	return st;
}

/* "the update server 192.0.2.1#53 did not answer ..." */
static void
network_error(const struct primary *pr, const char *what, ldns_status st)
{
	dnsgen_error("%s: %s: the update server %s did not answer (%s): is "
	    "it running, and is update_server right?", pr->domain, what,
	    pr->label, ldns_get_errorstr_by_id(st));
}

/*
 * Ask the primary for name/type without recursion. Returns its answer,
 * or NULL after printing why (no answer, refused, not authoritative).
 */
static ldns_pkt *
query(const struct primary *pr, const ldns_rdf *name, ldns_rr_type type)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(name), type,
	    LDNS_RR_CLASS_IN, 0), *a = NULL;
	ldns_buffer *wire = ldns_buffer_new(LDNS_MIN_BUFLEN);
	char *owner = ldns_rdf2str(name), *rtype = ldns_rr_type2str(type);
	char *what = sp_xasprintf("asking for %s %s", owner, rtype);
	uint8_t *answer = NULL;
	size_t len = 0;
	ldns_status st;

	ldns_pkt_set_random_id(q);
	if (ldns_pkt2buffer_wire(wire, q) != LDNS_STATUS_OK)
		SP_BUG("cannot build a query");
	st = exchange(pr, wire, false, &answer, &len);
	if (st != LDNS_STATUS_OK)
		network_error(pr, what, st);
	else if (ldns_wire2pkt(&a, answer, len) != LDNS_STATUS_OK ||
	    ldns_pkt_id(a) != ldns_pkt_id(q) || !ldns_pkt_qr(a)) {
		dnsgen_error("%s: %s: the update server %s sent an answer that "
		    "does not parse or does not match the question",
		    pr->domain, what, pr->label);
		ldns_pkt_free(a);
		a = NULL;
	} else if (ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR &&
	    ldns_pkt_get_rcode(a) != LDNS_RCODE_NXDOMAIN) {
		dnsgen_error("%s: %s: the update server %s answered %s", pr->domain,
		    what, pr->label, rcode_name(ldns_pkt_get_rcode(a)));
		ldns_pkt_free(a);
		a = NULL;
	} else if (!ldns_pkt_aa(a)) {
		dnsgen_error("%s: %s: the update server %s is not authoritative "
		    "for it (update_server must be the zone's primary)",
		    pr->domain, what, pr->label);
		ldns_pkt_free(a);
		a = NULL;
	}
	LDNS_FREE(answer);
	free(what);
	free(owner);
	free(rtype);
	ldns_buffer_free(wire);
	ldns_pkt_free(q);
	return a;
}

/*
 * The zone the domain is in, as its primary says: the SOA at the domain,
 * or the one in the authority section of the answer (RFC 2308 section 3).
 */
static ldns_rdf *
find_zone(const struct primary *pr, const ldns_rdf *domain)
{
	ldns_pkt *a = query(pr, domain, LDNS_RR_TYPE_SOA);
	ldns_rdf *zone = NULL;
	ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY };

	if (a == NULL)
		return NULL;
	for (size_t s = 0; s < 2 && zone == NULL; s++) {
		ldns_rr_list *l = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_SOA,
		    secs[s]);

		if (l != NULL && ldns_rr_list_rr_count(l) > 0) {
			ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(l, 0));

			if (ldns_dname_compare(owner, domain) == 0 ||
			    ldns_dname_is_subdomain(domain, owner))
				zone = ldns_rdf_clone(owner);
		}
		ldns_rr_list_deep_free(l);
	}
	if (zone == NULL)
		dnsgen_error("%s: the update server %s serves no zone that holds "
		    "%s (no SOA): update_server must be the zone's primary",
		    pr->domain, pr->label, pr->domain);
	ldns_pkt_free(a);
	return zone;
}

/* What the primary serves at the RRset's name and type. */
static bool
fetch_served(const struct primary *pr, struct rrset *set)
{
	ldns_pkt *a = query(pr, set->owner, set->type);

	if (a == NULL)
		return false;
	set->served = ldns_pkt_rr_list_by_name_and_type(a, set->owner,
	    set->type, LDNS_SECTION_ANSWER);
	if (set->served == NULL)
		set->served = ldns_rr_list_new();
	ldns_pkt_free(a);
	return true;
}

/* One record of `records` as libldns's RR (its master-file line parsed). */
static ldns_rr *
rr_from_record(const struct sp_rr *rr)
{
	struct sp_buf line = SP_BUF_INIT;
	ldns_rr *out = NULL;

	sp_buf_printf(&line, "%s %u IN %s ", rr->name, rr->ttl,
	    sp_rr_type_name(rr->type));
	if (rr->type == SP_RR_TXT)
		sp_txt_rdata(&line, rr->value, " ");
	else
		sp_buf_puts(&line, rr->value);
	if (ldns_rr_new_frm_str(&out, line.data, 0, NULL, NULL) !=
	    LDNS_STATUS_OK)
		out = NULL;
	sp_buf_free(&line);
	return out;
}

/* The bytes of a TXT record's strings, joined (what `check` compares). */
static void
txt_joined(const ldns_rr *rr, struct sp_buf *out)
{
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *d = ldns_rdf_data(f);

		if (ldns_rdf_size(f) >= 1 && (size_t)d[0] + 1 <= ldns_rdf_size(f))
			sp_buf_append(out, d + 1, d[0]);
	}
}

/* Same data? (TXT: the same joined text, however it is split) */
static bool
rr_same(const ldns_rr *a, const ldns_rr *b)
{
	struct sp_buf ta = SP_BUF_INIT, tb = SP_BUF_INIT;
	bool same;

	if (ldns_rr_get_type(a) != ldns_rr_get_type(b) ||
	    ldns_rr_ttl(a) != ldns_rr_ttl(b))
		return false;
	if (ldns_rr_get_type(a) != LDNS_RR_TYPE_TXT) {
		ldns_rr *ca = ldns_rr_clone(a), *cb = ldns_rr_clone(b);

		ldns_rr2canonical(ca);
		ldns_rr2canonical(cb);
		same = ldns_rr_compare(ca, cb) == 0;
		ldns_rr_free(ca);
		ldns_rr_free(cb);
		return same;
	}
	txt_joined(a, &ta);
	txt_joined(b, &tb);
	same = ta.len == tb.len && (ta.len == 0 ||
	    memcmp(ta.data, tb.data, ta.len) == 0);
	sp_buf_free(&ta);
	sp_buf_free(&tb);
	return same;
}

static bool
list_has(const ldns_rr_list *l, const ldns_rr *rr)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (rr_same(ldns_rr_list_rr(l, i), rr))
			return true;
	return false;
}

/* Does the primary serve exactly what is wanted (values and TTL)? */
static bool
rrset_current(const struct rrset *set)
{
	size_t nw = ldns_rr_list_rr_count(set->want);
	size_t ns = ldns_rr_list_rr_count(set->served);

	if (nw != ns)
		return false;
	for (size_t i = 0; i < nw; i++)
		if (!list_has(set->served, ldns_rr_list_rr(set->want, i)))
			return false;
	for (size_t i = 0; i < ns; i++)
		if (!list_has(set->want, ldns_rr_list_rr(set->served, i)))
			return false;
	return true;
}

/* The RRsets of one domain signpost will compare and maybe replace. */
struct plan {
	struct rrset *sets;
	size_t n, cap;
};

static struct rrset *
plan_set(struct plan *pl, const char *name, ldns_rr_type type)
{
	ldns_rdf *owner = ldns_dname_new_frm_str(name);

	if (owner == NULL)
		SP_BUG("dnsrec.c built a name libldns does not take");
	ldns_dname2canonical(owner);
	for (size_t i = 0; i < pl->n; i++)
		if (pl->sets[i].type == type &&
		    ldns_dname_compare(pl->sets[i].owner, owner) == 0) {
			ldns_rdf_deep_free(owner);
			return &pl->sets[i];
		}
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 8;
		pl->sets = sp_xrealloc(pl->sets, pl->cap, sizeof(*pl->sets));
	}
	memset(&pl->sets[pl->n], 0, sizeof(pl->sets[0]));
	pl->sets[pl->n].owner = owner;
	pl->sets[pl->n].type = type;
	pl->sets[pl->n].want = ldns_rr_list_new();
	pl->sets[pl->n].name = name;
	return &pl->sets[pl->n++];
}

static void
plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		ldns_rdf_deep_free(pl->sets[i].owner);
		ldns_rr_list_deep_free(pl->sets[i].want);
		ldns_rr_list_deep_free(pl->sets[i].served);
	}
	free(pl->sets);
	memset(pl, 0, sizeof(*pl));
}

/* Is rr one signpost may publish under the domain's `publish`? */
static bool
in_scope(const struct dnsgen_publish_req *req, const struct sp_rr *rr)
{
	if (rr->role == SP_ROLE_DKIM)
		return true;
	return req->domain->dns.update.publish == SP_PUBLISH_ALL &&
	    rr->role != SP_ROLE_PTR;
}

static bool
wants_selector(const struct sp_dnsrec *recs, const char *selector)
{
	for (size_t i = 0; i < recs->n; i++)
		if (recs->rr[i].role == SP_ROLE_DKIM &&
		    strcasecmp(recs->rr[i].selector, selector) == 0)
			return true;
	return false;
}

/*
 * The RRsets to compare: every record in scope, grouped by name and type
 * (names outside the zone skipped with a warning), and the selectors to
 * remove with nothing wanted. `names` keeps the removals' names alive.
 */
static bool
plan_build(const struct dnsgen_publish_req *req, const ldns_rdf *zone,
    struct plan *pl, struct sp_list *names)
{
	for (size_t i = 0; i < req->recs->n; i++) {
		const struct sp_rr *rr = &req->recs->rr[i];
		ldns_rr *lrr;

		if (!in_scope(req, rr))
			continue;
		lrr = rr_from_record(rr);
		if (lrr == NULL) {
			dnsgen_error("%s: %s %s: cannot encode the record",
			    req->recs->domain, rr->name, sp_rr_type_name(rr->type));
			return false;
		}
		if (!ldns_dname_is_subdomain(ldns_rr_owner(lrr), zone) &&
		    ldns_dname_compare(ldns_rr_owner(lrr), zone) != 0) {
			char *z = ldns_rdf2str(zone);

			dnsgen_warn("%s: %s %s is outside the zone %s: not "
			    "published", req->recs->domain, rr->name,
			    sp_rr_type_name(rr->type), z);
			free(z);
			ldns_rr_free(lrr);
			continue;
		}
		ldns_rr_list_push_rr(plan_set(pl, rr->name,
		    (ldns_rr_type)rr->type)->want, lrr);
	}
	for (size_t i = 0; req->remove != NULL && i < req->remove->n; i++) {
		if (wants_selector(req->recs, req->remove->v[i]))
			continue;
		sp_list_add_owned(names, sp_xasprintf("%s._domainkey.%s.",
		    req->remove->v[i], req->recs->domain));
		plan_set(pl, names->v[names->n - 1], LDNS_RR_TYPE_TXT);
	}
	return true;
}

/* An RR with no RDATA: a prerequisite or deletion of a whole RRset. */
static ldns_rr *
empty_rr(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_class class)
{
	ldns_rr *rr = ldns_rr_new();

	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, class);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

/*
 * The prerequisite and update RRs that turn what is served into what is
 * wanted: RFC 2136 section 2.4.2 (the served RRset, TTL 0) or 2.4.5 (no
 * RRset), then section 2.5.2 (delete the RRset) and 2.5.1 (add each RR).
 */
static void
add_change(const struct rrset *set, ldns_rr_list *prereq, ldns_rr_list *update)
{
	size_t ns = ldns_rr_list_rr_count(set->served);

	if (ns == 0)
		ldns_rr_list_push_rr(prereq, empty_rr(set->owner, set->type,
		    LDNS_RR_CLASS_NONE));
	for (size_t i = 0; i < ns; i++) {
		ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(set->served, i));

		ldns_rr_set_ttl(rr, 0);
		ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
		ldns_rr_list_push_rr(prereq, rr);
	}
	if (ns > 0)
		ldns_rr_list_push_rr(update, empty_rr(set->owner, set->type,
		    LDNS_RR_CLASS_ANY));
	for (size_t i = 0; i < ldns_rr_list_rr_count(set->want); i++)
		ldns_rr_list_push_rr(update,
		    ldns_rr_clone(ldns_rr_list_rr(set->want, i)));
}

/* "add", "replace" or "delete" for the report. */
static const char *
change_verb(const struct rrset *set)
{
	if (ldns_rr_list_rr_count(set->served) == 0)
		return "add";
	return ldns_rr_list_rr_count(set->want) == 0 ? "delete" : "replace";
}

/* The TSIG error of an answer's TSIG RR (RFC 8945 section 4.2), or 0. */
static unsigned
tsig_error(const ldns_pkt *a)
{
	const ldns_rr *t = ldns_pkt_tsig(a);

	if (t == NULL || ldns_rr_rd_count(t) < 6 ||
	    ldns_rdf_size(ldns_rr_rdf(t, 5)) != 2)
		return 0;
	return ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
}

/*
 * "refused the update: NOTAUTH, TSIG error BADKEY (...)": the rcode by
 * name (RFC 2136 section 2.2), the TSIG error when there is one (RFC 8945
 * section 5.2), and what to look at.
 */
static void
report_refusal(const struct primary *pr, unsigned rcode, unsigned terr)
{
	const char *tname = tsig_error_name(terr);
	char tsig[64] = "";
	const char *hint;

	if (tname != NULL)
		snprintf(tsig, sizeof(tsig), ", TSIG error %s", tname);
	else if (terr != 0)
		snprintf(tsig, sizeof(tsig), ", TSIG error %u", terr);
	if (terr == 18)
		hint = " (are the clocks of this host and the server right?)";
	else if (terr != 0)
		hint = " (does the server have update_key's key, with the same "
		    "name, algorithm and secret, and does its ACL let that key "
		    "update the zone?)";
	else if (rcode == LDNS_RCODE_NXRRSET || rcode == LDNS_RCODE_YXRRSET ||
	    rcode == LDNS_RCODE_YXDOMAIN)
		hint = " (the zone changed while we looked: run publish again)";
	else if (rcode == LDNS_RCODE_NOTAUTH || rcode == LDNS_RCODE_REFUSED)
		hint = " (may this key update these names in the zone? look at "
		    "the server's update ACL)";
	else
		hint = "";
	dnsgen_error("%s: the update server %s refused the update: %s%s%s",
	    pr->domain, pr->label, rcode_name(rcode), tsig, hint);
}

/* Judge the primary's answer to our UPDATE (RFC 2136 section 2.2). */
static bool
judge_reply(const struct primary *pr, const ldns_pkt *q, uint8_t *wire,
    size_t len)
{
	ldns_pkt *a = NULL;
	const ldns_rr *qt = ldns_pkt_tsig(q);
	unsigned terr;
	bool good = false;

	if (ldns_wire2pkt(&a, wire, len) != LDNS_STATUS_OK ||
	    ldns_pkt_id(a) != ldns_pkt_id(q) || !ldns_pkt_qr(a)) {
		dnsgen_error("%s: the update server %s sent an answer to the "
		    "UPDATE that does not parse or match it", pr->domain, pr->label);
	} else if ((terr = tsig_error(a)) != 0 ||
	    ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
		report_refusal(pr, ldns_pkt_get_rcode(a), terr);
	} else if (ldns_pkt_tsig(a) == NULL || !ldns_pkt_tsig_verify(a, wire,
	    len, pr->key.name, pr->key.secret, ldns_rr_rdf(qt, 3))) {
		dnsgen_error("%s: the update server %s answered NOERROR without "
		    "a valid TSIG signature: the update may or may not have "
		    "been made", pr->domain, pr->label);
	} else
		good = true;
	ldns_pkt_free(a);
	return good;
}

/*
 * Sign the UPDATE with TSIG, send it over TCP and judge the answer.
 * ldns_update_pkt_new copies the lists: the caller still owns them.
 */
static bool
send_update(const struct primary *pr, const ldns_rdf *zone,
    ldns_rr_list *prereq, ldns_rr_list *update)
{
	ldns_pkt *q = ldns_update_pkt_new(ldns_rdf_clone(zone),
	    LDNS_RR_CLASS_IN, prereq, update, NULL);
	ldns_buffer *wire = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	uint8_t *answer = NULL;
	size_t len = 0;
	ldns_status st;
	bool good = false;

	ldns_pkt_set_random_id(q);
	st = ldns_pkt_tsig_sign(q, pr->key.name, pr->key.secret, TSIG_FUDGE,
	    pr->key.algorithm, NULL);
	if (st != LDNS_STATUS_OK)
		dnsgen_error("%s: cannot sign the UPDATE with key %s: %s",
		    pr->domain, pr->key.name, ldns_get_errorstr_by_id(st));
	else if ((st = ldns_pkt2buffer_wire(wire, q)) != LDNS_STATUS_OK)
		dnsgen_error("%s: cannot encode the UPDATE: %s", pr->domain,
		    ldns_get_errorstr_by_id(st));
	else if ((st = exchange(pr, wire, true, &answer, &len)) !=
	    LDNS_STATUS_OK)
		network_error(pr, "sending the UPDATE", st);
	else
		good = judge_reply(pr, q, answer, len);
	LDNS_FREE(answer);
	ldns_buffer_free(wire);
	ldns_pkt_free(q);
	return good;
}

bool
dnsgen_publish_configured(const struct sp_domain *dom)
{
	return dom->dns.update.server != NULL;
}

/* Ask the primary about every RRset; collect the changes; report them. */
static bool
compare_all(const struct dnsgen_publish_req *req, const struct primary *pr,
    struct plan *pl, ldns_rr_list *prereq, ldns_rr_list *update,
    unsigned *changed, struct sp_buf *lines)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct rrset *set = &pl->sets[i];

		if (!fetch_served(pr, set))
			return false;
		if (rrset_current(set))
			continue;
		add_change(set, prereq, update);
		(*changed)++;
		sp_buf_printf(lines, "%s: %s%s %s %s\n", req->recs->domain,
		    req->dry_run ? "would " : "", change_verb(set),
		    set->name, sp_rr_type_name((enum sp_rr_type)set->type));
	}
	return true;
}

/* The domain's primary and zone, or false after saying why. */
static bool
open_domain(const struct dnsgen_publish_req *req, struct primary *pr,
    ldns_rdf **zone)
{
	const struct sp_dns_update *u = &req->domain->dns.update;
	const char *file = req->domain->file != NULL ? req->domain->file :
	    req->conf->path;
	ldns_rdf *apex;

	*zone = NULL;
	if (u->server == NULL || u->key == NULL) {
		dnsgen_error("%s: domain %s has no %s: set [dns] update_server = "
		    "ADDR[#PORT] and update_key = PATH (a TSIG key file)", file,
		    req->domain->name, u->server == NULL ? "update_server" :
		    "update_key");
		return false;
	}
	if (!primary_open(u, req->domain->name, pr))
		return false;
	apex = ldns_dname_new_frm_str(req->domain->name);
	if (apex == NULL)
		SP_BUG("a configured domain libldns does not take");
	ldns_dname2canonical(apex);
	*zone = find_zone(pr, apex);
	ldns_rdf_deep_free(apex);
	return *zone != NULL;
}

int
dnsgen_publish_domain(const struct dnsgen_publish_req *req,
    struct dnsgen_publish_result *res)
{
	struct primary pr;
	struct plan pl = { NULL, 0, 0 };
	struct sp_list names = SP_LIST_INIT;
	struct sp_buf lines = SP_BUF_INIT;
	ldns_rr_list *prereq = ldns_rr_list_new(), *update = ldns_rr_list_new();
	ldns_rdf *zone = NULL;
	unsigned changed = 0;
	bool good;

	memset(&pr, 0, sizeof(pr));
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	good = open_domain(req, &pr, &zone) &&
	    plan_build(req, zone, &pl, &names) &&
	    compare_all(req, &pr, &pl, prereq, update, &changed, &lines);
	if (good && changed > 0 && !req->dry_run) {
		good = send_update(&pr, zone, prereq, update);
		if (res != NULL)
			res->updates = 1;
	}
	/* Report what was done (or would be) only once it is done. */
	if (good && req->report != NULL && lines.len > 0)
		fwrite(lines.data, 1, lines.len, req->report);
	sp_buf_free(&lines);
	if (res != NULL)
		res->rrsets = good ? changed : 0;
	ldns_rr_list_deep_free(prereq);
	ldns_rr_list_deep_free(update);
	ldns_rdf_deep_free(zone);
	plan_free(&pl);
	sp_list_free(&names);
	primary_close(&pr);
	return good ? DNSGEN_OK : DNSGEN_FAIL;
}

/*
 * `dnsgen publish`: every chosen domain in turn (a domain that fails does
 * not stop the others), then one summary line that counts the UPDATE
 * messages sent.
 */
int
dnsgen_publish(const struct dnsgen_opts *o)
{
	struct dnsgen_zone z;
	unsigned updates = 0, rrsets = 0;
	int rc = DNSGEN_OK;

	if (!dnsgen_load(o, &z)) {
		dnsgen_zone_free(&z);
		return DNSGEN_FAIL;
	}
	for (size_t i = 0; i < z.n; i++) {
		struct dnsgen_publish_req req;
		struct dnsgen_publish_result res;

		memset(&req, 0, sizeof(req));
		req.conf = z.conf;
		req.domain = sp_config_domain_named(z.conf, z.recs[i].domain);
		req.recs = &z.recs[i];
		req.dry_run = o->dry_run;
		req.report = stdout;
		if (dnsgen_publish_domain(&req, &res) != DNSGEN_OK)
			rc = DNSGEN_FAIL;
		updates += res.updates;
		rrsets += res.rrsets;
	}
	printf("publish: %u RRset%s %s, %u UPDATE message%s sent\n", rrsets,
	    rrsets == 1 ? "" : "s", o->dry_run ? "to change" : "changed",
	    updates, updates == 1 ? "" : "s");
	if (fflush(stdout) != 0)
		rc = DNSGEN_FAIL;
	dnsgen_zone_free(&z);
	return rc;
}

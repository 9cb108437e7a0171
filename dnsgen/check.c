/*
 * check.c - `dnsgen check`: ask DNS for every record `dnsgen records` would
 * print and say, for each, ok / missing / differs (with what was expected
 * and what was found) / error, then check the reverse DNS of each address;
 * as lines for a person or (-f json) one JSON array. Asking is resolve.c's
 * job, decoding answer.c's and judging judge.c's; this file picks the
 * servers and reports, and lets no control byte reach the output.
 *
 * By default the questions go to the domain's authoritative servers
 * directly (their names from an NS query through the system resolver, each
 * of their addresses asked in turn, without recursion), so a key rotation
 * sees what is really published, not a resolver's cache; [dns]
 * check_servers names them instead, and --server sends every question to
 * one server (servers.c picks them). Exit 0 when everything matches, 1
 * when something does not, 2 when DNS could not be asked.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsgen/dnsgen.h"
#include "dnsgen/judge.h"
#include "dnsgen/resolve.h"
#include "dnsgen/spfcheck.h"
#include "dnsgen/tlscheck.h"
#include "dnsgen/servers.h"

/*
 * Where the verdicts go: lines for a person, or (-f json) one JSON array
 * of objects printed at the end. Everything from DNS is already escaped.
 */
struct tally {
	unsigned n[V_COUNT];
	struct sp_buf *json;    /* NULL: text */
	const char *domain;
};

/* Text for output: whatever slipped through, no control byte leaves. */
static char *
printable(const char *s)
{
	struct sp_buf b = SP_BUF_INIT;

	sp_txt_printable(&b, s);
	return sp_buf_steal(&b);
}

static void
json_field(struct sp_buf *b, const char *name, const char *value)
{
	char *p;

	sp_buf_printf(b, ", \"%s\": ", name);
	if (value == NULL) {
		sp_buf_puts(b, "null");
		return;
	}
	p = printable(value);
	sp_json_string(b, p);
	free(p);
}

/* One object's common fields; the caller adds more and closes it. */
static void
json_item_open(struct tally *t, const char *verdict, const char *type,
    const char *name, const char *where, const char *expected,
    const char *found, const char *why)
{
	struct sp_buf *b = t->json;

	sp_buf_puts(b, b->len > 1 ? ",\n  {\"domain\": " : "\n  {\"domain\": ");
	sp_json_string(b, t->domain);
	json_field(b, "verdict", verdict);
	json_field(b, "type", type);
	json_field(b, "name", name);
	json_field(b, "server", where);
	json_field(b, "expected", expected);
	json_field(b, "found", found);
	json_field(b, "why", why);
}

static void
json_item(struct tally *t, const char *verdict, const char *type,
    const char *name, const char *where, const char *expected,
    const char *found, const char *why)
{
	json_item_open(t, verdict, type, name, where, expected, found, why);
	sp_buf_putc(t->json, '}');
}

static void
print_value_lines(const char *label, const char *text)
{
	const char *p = text;

	do {
		size_t len = strcspn(p, "\n");
		char *line = sp_xstrndup(p, len), *shown = printable(line);

		printf("         %-9s %s\n", label, shown);
		free(line);
		free(shown);
		label = "";
		p += len + (p[len] == '\n');
	} while (*p != '\0');
}

static void
report(const struct sp_rr *rr, const struct outcome *o, const char *where,
    struct tally *t)
{
	char *expected = judge_shown(rr->type, rr->value, strlen(rr->value));

	t->n[o->v]++;
	if (t->json != NULL) {
		json_item(t, verdict_names[o->v], sp_rr_type_name(rr->type),
		    rr->name, where, expected, o->found, o->why);
		free(expected);
		return;
	}
	printf("%-8s %-5s %s", verdict_names[o->v], sp_rr_type_name(rr->type),
	    rr->name);
	if (where != NULL)
		printf("  (at %s)", where);
	if (o->v == V_OK || o->v == V_MISSING) {
		/* A matching key is not worth 400 characters of base64. */
		printf("  %s\n", rr->role == SP_ROLE_DKIM && o->v == V_OK ?
		    "(the key matches)" : expected);
	} else {
		putchar('\n');
		if (o->v == V_DIFFERS) {
			print_value_lines("expected:", expected);
			print_value_lines("found:", o->found);
		}
		if (o->why != NULL)
			print_value_lines(o->v == V_ERROR ? "error:" : "why:",
			    o->why);
	}
	free(expected);
}

/* A record a server has that dnsgen does not print. */
static void
report_extra(const struct sp_rr *rr0, const char *found, const char *where,
    struct tally *t)
{
	static const char why[] = "a record dnsgen does not print; remove it";

	t->n[V_DIFFERS]++;
	if (t->json != NULL) {
		json_item(t, "differs", sp_rr_type_name(rr0->type), rr0->name,
		    where, NULL, found, why);
		return;
	}
	printf("differs  %-5s %s", sp_rr_type_name(rr0->type), rr0->name);
	if (where != NULL)
		printf("  (at %s)", where);
	putchar('\n');
	print_value_lines("extra:", found);
	print_value_lines("why:", why);
}

/*
 * spf_report_fn: one SPF evaluation, e.g. "ok SPF example.com.
 * 192.0.2.1: pass (2 of 10 DNS lookups, 0 of 2 void)".
 */
static void
report_spf(void *ctx, const struct spf_line *l)
{
	struct tally *t = ctx;
	const char *result = spf_result_name(l->spf->result);
	char *counts = sp_xasprintf("%u of %d DNS lookups, %u of %d void",
	    l->spf->lookups, SPF_MAX_LOOKUPS, l->spf->voids, SPF_MAX_VOID);

	t->n[l->v]++;
	if (t->json != NULL) {
		json_item_open(t, verdict_names[l->v], "SPF", l->name, NULL,
		    "pass", result, l->spf->why);
		json_field(t->json, "address", l->address);
		sp_buf_printf(t->json, ", \"lookups\": %u, \"void_lookups\": "
		    "%u}", l->spf->lookups, l->spf->voids);
	} else {
		printf("%-8s SPF   %s  %s: %s (%s)\n", verdict_names[l->v],
		    l->name, l->address, result, counts);
		print_value_lines(l->v == V_OK ? "by:" : "why:", l->spf->why);
	}
	free(counts);
}

/* A check past DNS (MTA-STS over HTTPS, DANE over STARTTLS). */
static void
report_finding(void *ctx, const struct tls_finding *f)
{
	struct tally *t = ctx;

	t->n[f->v]++;
	if (t->json != NULL) {
		json_item(t, verdict_names[f->v], f->kind, f->name, f->where,
		    f->expected, f->found, f->why);
		return;
	}
	printf("%-8s %-5s %s", verdict_names[f->v], f->kind, f->name);
	if (f->where != NULL)
		printf("  (at %s)", f->where);
	putchar('\n');
	if (f->expected != NULL)
		print_value_lines("expected:", f->expected);
	if (f->found != NULL)
		print_value_lines("found:", f->found);
	if (f->why != NULL)
		print_value_lines(f->v == V_OK ? "" : "why:", f->why);
}

/* A domain that could not be checked at all. */
static void
report_domain_error(struct tally *t, const char *msg)
{
	dnsgen_error("%s: %s", t->domain, msg);
	t->n[V_ERROR]++;
	if (t->json != NULL)
		json_item(t, "error", NULL, NULL, NULL, NULL, NULL, msg);
}

/* Records in one RRset that the server has but nobody expects. */
static void
report_extras(const struct sp_dnsrec *rec, size_t first,
    const struct dns_result *res, const char *where, struct tally *t)
{
	const struct sp_rr *rr0 = &rec->rr[first];

	if (rr0->type == SP_RR_TXT || res->status != DNS_ANSWER)
		return;
	/* A record that differs has already shown what was found. */
	for (size_t i = first; i < rec->n; i++)
		if (rec->rr[i].type == rr0->type &&
		    strcmp(rec->rr[i].name, rr0->name) == 0 &&
		    !dns_result_has(res, rec->rr[i].value))
			return;
	for (size_t k = 0; k < res->n_values; k++) {
		const struct dns_value *v = &res->values[k];
		bool expected = false;

		for (size_t i = first; i < rec->n && !expected; i++)
			expected = rec->rr[i].type == rr0->type &&
			    strcmp(rec->rr[i].name, rr0->name) == 0 &&
			    strlen(rec->rr[i].value) == v->len &&
			    sp_strcasecmp(rec->rr[i].value, v->data) == 0;
		if (!expected) {
			char *found = judge_shown(rr0->type, v->data, v->len);

			report_extra(rr0, found, where, t);
			free(found);
		}
	}
}

/* Ask every server for one RRset and judge each expected record in it. */
static void
check_rrset(const struct sp_dnsrec *rec, size_t first, struct askset *as,
    struct tally *t)
{
	struct dns_result *res = sp_xcalloc(as->n, sizeof(*res));
	const struct sp_rr *rr0 = &rec->rr[first];

	for (size_t s = 0; s < as->n; s++)
		dns_query(&as->servers[s], rr0->name, (int)rr0->type, &res[s]);
	for (size_t i = first; i < rec->n; i++) {
		const struct sp_rr *rr = &rec->rr[i];
		struct outcome *o;
		bool all_ok = true;

		if (rr->type != rr0->type || strcmp(rr->name, rr0->name) != 0)
			continue;
		o = sp_xcalloc(as->n, sizeof(*o));
		for (size_t s = 0; s < as->n; s++) {
			judge_record(rr, &res[s], as->authoritative, &o[s]);
			all_ok = all_ok && o[s].v == V_OK;
		}
		if (all_ok)
			report(rr, &o[0], NULL, t);
		for (size_t s = 0; s < as->n; s++) {
			if (!all_ok)
				report(rr, &o[s], as->n > 1 ?
				    as->servers[s].label : NULL, t);
			outcome_free(&o[s]);
		}
		free(o);
	}
	for (size_t s = 0; s < as->n; s++) {
		report_extras(rec, first, &res[s], as->n > 1 ?
		    as->servers[s].label : NULL, t);
		dns_result_free(&res[s]);
	}
	free(res);
}

/*
 * Forward-confirmed reverse DNS: the address's PTR names mail_host, and
 * mail_host's A/AAAA records include the address.
 */
static void
check_ptr(const struct sp_rr *ptr, struct dns_server *via, struct tally *t)
{
	struct dns_result r, f;
	struct outcome o;
	int family_type = strchr(ptr->address, ':') ? ns_t_aaaa : ns_t_a;

	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	dns_query(via, ptr->name, ns_t_ptr, &r);
	judge_record(ptr, &r, false, &o);
	if (o.v == V_OK) {
		dns_query(via, ptr->value, family_type, &f);
		if (f.status == DNS_ERROR)
			outcome_set(&o, V_ERROR, NULL, sp_xstrdup(f.error));
		else if (!dns_result_has(&f, ptr->address))
			outcome_set(&o, V_DIFFERS, f.n_values ?
			    judge_shown_all(SP_RR_A, &f) : sp_xstrdup("(none)"),
			    sp_xasprintf("%s has no %s record for %s, so the "
			    "reverse name is not forward-confirmed", ptr->value,
			    family_type == ns_t_a ? "A" : "AAAA", ptr->address));
	}
	report(ptr, &o, NULL, t);
	outcome_free(&o);
	dns_result_free(&r);
	dns_result_free(&f);
}

/* The servers to ask: --server, check_servers, or every authoritative one. */
static bool
choose_servers(const struct dnsgen_opts *o, const struct sp_config *conf,
    const struct sp_dnsrec *rec, struct askset *as, struct tally *t)
{
	sp_err err;

	(void)askset_choose(sp_config_domain_named(conf, rec->domain),
	    rec->domain, o->server, as, &err);
	if (t->json == NULL) {
		printf("%s: asking %s", rec->domain, as->authoritative ?
		    "the authoritative servers " : "");
		for (size_t i = 0; i < as->n; i++)
			printf("%s%s", i ? ", " : "", as->servers[i].label);
		printf("%s\n", as->n == 0 ? "nobody" : "");
	}
	if (as->n == 0 || !askset_open(as, &err)) {
		report_domain_error(t, err.msg);
		return false;
	}
	return true;
}

static void
check_domain(const struct dnsgen_opts *o, const struct sp_config *conf,
    const struct sp_dnsrec *rec, struct tally *total)
{
	const struct sp_domain *dom = sp_config_domain_named(conf, rec->domain);
	struct askset as;
	struct dns_server sys;
	struct tally t;
	sp_err err;

	memset(&as, 0, sizeof(as));
	memset(&t, 0, sizeof(t));
	memset(&sys, 0, sizeof(sys));
	t.json = total->json;
	t.domain = rec->domain;
	if (choose_servers(o, conf, rec, &as, &t)) {
		for (size_t i = 0; i < rec->n; i++)
			if (!sp_dnsrec_rrset_seen(rec, i))
				check_rrset(rec, i, &as, &t);
		if (dom != NULL)
			spf_check_domain(dom, as.servers, as.n, o->server !=
			    NULL, report_spf, &t);
		if (dom != NULL && !o->dns_only)
			tls_check_domain(&(struct tls_check){ .opts = o,
			    .dns = &dom->dns, .rec = rec, .via = &as.servers[0],
			    .report = report_finding, .ctx = &t });
		/* Reverse zones live elsewhere: --server, or the system resolver. */
		if (rec->n_ptr > 0 && o->server == NULL) {
			dns_server_system(&sys);
			if (!dns_server_open(&sys, &err))
				report_domain_error(&t, err.msg);
		}
		for (size_t i = 0; i < rec->n_ptr &&
		    (o->server != NULL || sys.open); i++)
			check_ptr(&rec->ptr[i], o->server != NULL ?
			    &as.servers[0] : &sys, &t);
		dns_server_close(&sys);
	}
	if (t.json == NULL)
		printf("%s: %u ok, %u missing, %u differ, %u fail, %u errors"
		    "\n\n", rec->domain, t.n[V_OK], t.n[V_MISSING],
		    t.n[V_DIFFERS], t.n[V_FAILS], t.n[V_ERROR]);
	for (int v = 0; v < V_COUNT; v++)
		total->n[v] += t.n[v];
	askset_free(&as);
}

/* -f: text (none given) or json. */
static bool
check_format(const struct dnsgen_opts *o, bool *json)
{
	*json = o->format_given;
	if (o->format_given && o->format != SP_FMT_JSON) {
		dnsgen_error("check -f: the only other format is json (the "
		    "default is text)");
		return false;
	}
	return true;
}

int
dnsgen_check(const struct dnsgen_opts *o)
{
	struct dnsgen_zone z;
	struct tally total;
	struct dns_server probe;
	struct sp_buf json = SP_BUF_INIT;
	bool as_json;
	sp_err err;

	memset(&total, 0, sizeof(total));
	if (!check_format(o, &as_json))
		return DNSGEN_FAIL;
	if (o->server != NULL) {
		/* A bad --server is a usage error before anything is asked. */
		if (!dns_server_parse(o->server, &probe, &err)) {
			dnsgen_error("%s", err.msg);
			return DNSGEN_FAIL;
		}
		dns_server_close(&probe);
	}
	if (!dnsgen_load(o, &z)) {
		dnsgen_zone_free(&z);
		return DNSGEN_FAIL;
	}
	if (as_json) {
		total.json = &json;
		sp_buf_putc(&json, '[');
	}
	dns_run_start();
	for (size_t i = 0; i < z.n; i++)
		check_domain(o, z.conf, &z.recs[i], &total);
	if (as_json) {
		sp_buf_puts(&json, json.len > 1 ? "\n]\n" : "]\n");
		fwrite(json.data, 1, json.len, stdout);
		sp_buf_free(&json);
	}
	fflush(stdout);
	dnsgen_zone_free(&z);
	if (total.n[V_ERROR] > 0)
		return DNSGEN_FAIL;
	return total.n[V_MISSING] + total.n[V_DIFFERS] + total.n[V_FAILS] > 0 ?
	    DNSGEN_MISMATCH :
	    DNSGEN_OK;
}

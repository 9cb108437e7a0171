/*
 * judge.c - the comparison `dnsgen check` makes between a record dnsgen
 * prints and what one server answered: bytes against bytes (a TXT value
 * carries its length, so a NUL inside it cannot cut it short), SPF, DMARC
 * and DKIM through lib/dnstxt.c's rules, and every value that came from
 * DNS escaped before anyone sees it. Pure; see judge.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dnsgen/judge.h"

const char *const verdict_names[V_COUNT] = { "ok", "missing", "differs",
	"error", "fails" };

void
outcome_set(struct outcome *o, enum verdict v, char *found, char *why)
{
	o->v = v;
	o->found = found;
	o->why = why;
}

void
outcome_free(struct outcome *o)
{
	free(o->found);
	free(o->why);
	memset(o, 0, sizeof(*o));
}

char *
judge_shown(enum sp_rr_type type, const char *data, size_t len)
{
	struct sp_buf b = SP_BUF_INIT;

	/* Names come escaped from ns_name_uncompress, addresses from inet_ntop. */
	if (type != SP_RR_TXT)
		return sp_xstrndup(data, len);
	sp_txt_escape(&b, data, len);
	return sp_buf_steal(&b);
}

static void
shown_line(struct sp_buf *b, enum sp_rr_type type, const struct dns_value *v)
{
	char *s = judge_shown(type, v->data, v->len);

	if (b->len > 0)
		sp_buf_putc(b, '\n');
	sp_buf_puts(b, s);
	free(s);
}

char *
judge_shown_all(enum sp_rr_type type, const struct dns_result *res)
{
	struct sp_buf b = SP_BUF_INIT;

	for (size_t i = 0; i < res->n_values; i++)
		shown_line(&b, type, &res->values[i]);
	return sp_buf_steal(&b);
}

/* TXT: is this value of the kind the record is (SPF, DMARC, any for DKIM)? */
static bool
txt_candidate(const struct sp_rr *rr, const struct dns_value *v)
{
	/* The version tag is at the start: a NUL later does not hide it. */
	return rr->role == SP_ROLE_DKIM ||
	    (rr->role == SP_ROLE_MTA_STS && strncmp(v->data, "v=STSv1", 7) == 0) ||
	    (rr->role == SP_ROLE_TLS_RPT &&
	    strncmp(v->data, "v=TLSRPTv1", 10) == 0) ||
	    (rr->role == SP_ROLE_SPF && sp_txt_is_spf(v->data)) ||
	    (rr->role == SP_ROLE_DMARC && sp_txt_is_dmarc(v->data));
}

static const char *
several_reason(const struct sp_rr *rr)
{
	return rr->role == SP_ROLE_SPF ? "several SPF records: receivers "
	    "treat that as a permanent error (RFC 7208 section 4.5)" :
	    rr->role == SP_ROLE_DMARC ? "several DMARC records: receivers "
	    "ignore them all (RFC 7489 section 6.6.3)" :
	    "several TXT records where one key record belongs";
}

/* One TXT value of the right kind against the expected text. */
static void
judge_one_txt(const struct sp_rr *rr, const struct dns_value *v,
    struct outcome *o)
{
	const char *nul = memchr(v->data, '\0', v->len);
	char *shown = judge_shown(SP_RR_TXT, v->data, v->len);
	sp_err why;

	if (v->malformed != NULL) {
		outcome_set(o, V_DIFFERS, shown, sp_xstrdup(v->malformed));
	} else if (nul != NULL) {
		outcome_set(o, V_DIFFERS, shown, sp_xasprintf("the record holds "
		    "a NUL byte (at byte %zu of %zu): receivers may read only "
		    "what comes before it, or all of it",
		    (size_t)(nul - v->data) + 1, v->len));
	} else if (rr->role == SP_ROLE_DKIM) {
		if (sp_dkim_same_key(rr->value, v->data, &why)) {
			outcome_set(o, V_OK, NULL, NULL);
			free(shown);
		} else {
			struct sp_buf b = SP_BUF_INIT;

			/* The reason may quote the record: escape it too. */
			sp_txt_printable(&b, why.msg);
			outcome_set(o, V_DIFFERS, shown, sp_buf_steal(&b));
		}
	} else if (rr->role == SP_ROLE_MTA_STS || rr->role == SP_ROLE_TLS_RPT ?
	    strlen(rr->value) == v->len && memcmp(rr->value, v->data, v->len)
	    == 0 : rr->role == SP_ROLE_SPF ? sp_spf_same(rr->value, v->data) :
	    sp_dmarc_same(rr->value, v->data)) {
		outcome_set(o, V_OK, NULL, NULL);
		free(shown);
	} else {
		outcome_set(o, V_DIFFERS, shown, NULL);
	}
}

static void
judge_txt(const struct sp_rr *rr, const struct dns_result *res,
    struct outcome *o)
{
	struct sp_buf all = SP_BUF_INIT;
	const struct dns_value *only = NULL;
	size_t n = 0;

	for (size_t i = 0; i < res->n_values; i++)
		if (txt_candidate(rr, &res->values[i])) {
			only = &res->values[i];
			shown_line(&all, SP_RR_TXT, only);
			n++;
		}
	if (n == 0)
		outcome_set(o, V_MISSING, NULL, NULL);
	else if (n > 1)
		outcome_set(o, V_DIFFERS, sp_buf_steal(&all),
		    sp_xstrdup(several_reason(rr)));
	else
		judge_one_txt(rr, only, o);
	sp_buf_free(&all);
}

void
judge_record(const struct sp_rr *rr, const struct dns_result *res,
    bool need_aa, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	if (res->status == DNS_ERROR) {
		outcome_set(o, V_ERROR, NULL, sp_xstrdup(res->error));
	} else if (need_aa && !res->authoritative) {
		outcome_set(o, V_ERROR, NULL, sp_xstrdup("the server is not "
		    "authoritative for this name (a lame or missing "
		    "delegation?)"));
	} else if (res->status == DNS_ANSWER && res->n_values == 0 &&
	    res->cname_loop != NULL) {
		outcome_set(o, V_DIFFERS, sp_xasprintf("CNAME %s", res->alias),
		    sp_xasprintf("a CNAME loop (%s): no resolver gets through "
		    "it", res->cname_loop));
	} else if (res->status == DNS_ANSWER && res->n_values == 0 &&
	    res->alias != NULL) {
		outcome_set(o, V_DIFFERS, sp_xasprintf("CNAME %s", res->alias),
		    sp_xstrdup("an alias where the record itself belongs"));
	} else if (res->status == DNS_NXDOMAIN || res->n_values == 0) {
		outcome_set(o, V_MISSING, NULL, NULL);
	} else if (rr->type == SP_RR_TXT) {
		judge_txt(rr, res, o);
	} else if (dns_result_has(res, rr->value)) {
		outcome_set(o, V_OK, NULL, NULL);
	} else {
		outcome_set(o, V_DIFFERS, judge_shown_all(rr->type, res), NULL);
	}
}

/*
 * conf_policy.c - the [dns] names for the records receivers and CAs read
 * besides SPF, DKIM and DMARC: mta_sts, mta_sts_max_age, mta_sts_host
 * (RFC 8461), tls_rpt (RFC 8460), tls_cert (DANE TLSA, RFC 7672), caa and
 * caa_iodef (RFC 8659). Each setter checks its value and records its line;
 * the defaults and the [dns] -> [domain] inheritance of struct
 * sp_dns_policy live here too, so conf.c only calls in.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "signpost/dnsname.h"

void
conf_policy_defaults(struct sp_dns_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->mta_sts = SP_MTA_STS_NONE;
	pol->mta_sts_max_age = SP_MTA_STS_DEFAULT_MAX_AGE;
}

void
conf_policy_free(struct sp_dns_policy *pol)
{
	sp_list_free(&pol->mta_sts_host);
	sp_list_free(&pol->tls_rpt);
	free(pol->tls_cert);
	sp_list_free(&pol->caa);
	free(pol->caa_iodef);
	memset(pol, 0, sizeof(*pol));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sp_xstrdup(s) : NULL;
}

/* Copy what the domain did not set (line 0) from [dns]. */
void
conf_policy_inherit(struct sp_dns_policy *d, const struct sp_dns_policy *g)
{
	if (d->line.mta_sts == 0)
		d->mta_sts = g->mta_sts, d->line.mta_sts = g->line.mta_sts;
	if (d->line.mta_sts_max_age == 0) {
		d->mta_sts_max_age = g->mta_sts_max_age;
		d->line.mta_sts_max_age = g->line.mta_sts_max_age;
	}
	if (d->line.mta_sts_host == 0) {
		sp_list_copy(&d->mta_sts_host, &g->mta_sts_host);
		d->line.mta_sts_host = g->line.mta_sts_host;
	}
	if (d->line.tls_rpt == 0) {
		sp_list_copy(&d->tls_rpt, &g->tls_rpt);
		d->line.tls_rpt = g->line.tls_rpt;
	}
	if (d->line.tls_cert == 0) {
		d->tls_cert = dup_or_null(g->tls_cert);
		d->line.tls_cert = g->line.tls_cert;
	}
	if (d->line.caa == 0)
		sp_list_copy(&d->caa, &g->caa), d->line.caa = g->line.caa;
	if (d->line.caa_iodef == 0) {
		d->caa_iodef = dup_or_null(g->caa_iodef);
		d->line.caa_iodef = g->line.caa_iodef;
	}
}

/* mta_sts = none | testing | enforce (RFC 8461 section 5) */
bool
conf_set_mta_sts(struct conf_parser *p, const char *v, sp_err *err)
{
	static const char *const modes[] = { "none", "testing", "enforce" };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(v, modes[i]) == 0) {
			p->dns->policy.mta_sts = (enum sp_mta_sts_mode)i;
			p->dns->policy.line.mta_sts = p->line;
			return true;
		}
	sp_err_set(err, "\"%.64s\" is not a mode (none, testing or enforce)", v);
	return false;
}

/* RFC 8461 section 3.2: max_age is at most 31557600 seconds (a year). */
bool
conf_set_mta_sts_max_age(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_duration(v, 1, SP_MTA_STS_MAX_MAX_AGE,
	    &p->dns->policy.mta_sts_max_age, err))
		return false;
	p->dns->policy.line.mta_sts_max_age = p->line;
	return true;
}

/* IPv4 and IPv6 addresses of mta-sts.DOMAIN, in any order. */
bool
conf_set_mta_sts_host(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT, canon = SP_LIST_INIT;

	conf_split_list(v, &words);
	for (size_t i = 0; i < words.n; i++) {
		int af = 0;
		char *c = sp_dns_canon_address(words.v[i], &af);

		if (c == NULL) {
			sp_err_set(err, "\"%.64s\" is not an IPv4 or IPv6 "
			    "address (mta_sts_host lists the addresses of "
			    "mta-sts.DOMAIN)", words.v[i]);
			sp_list_free(&words);
			sp_list_free(&canon);
			return false;
		}
		sp_list_add_owned(&canon, c);
	}
	sp_list_free(&words);
	sp_list_free(&p->dns->policy.mta_sts_host);
	p->dns->policy.mta_sts_host = canon;
	p->dns->policy.line.mta_sts_host = p->line;
	return true;
}

/* A list of report URIs, each checked by sp_report_uri_problem(). */
static bool
uri_list(const char *v, struct sp_list *out, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT;
	const char *why;

	conf_split_list(v, &words);
	for (size_t i = 0; i < words.n; i++)
		if ((why = sp_report_uri_problem(words.v[i])) != NULL) {
			sp_err_set(err, "\"%.128s\" %s", words.v[i], why);
			sp_list_free(&words);
			return false;
		}
	*out = words;
	return true;
}

/* tls_rpt = mailto:... | https://... (RFC 8460 section 3, rua=) */
bool
conf_set_tls_rpt(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list uris;

	if (!uri_list(v, &uris, err))
		return false;
	sp_list_free(&p->dns->policy.tls_rpt);
	p->dns->policy.tls_rpt = uris;
	p->dns->policy.line.tls_rpt = p->line;
	return true;
}

/* tls_cert = PATH: the MX's PEM chain; read by dnsgen, not at load. */
bool
conf_set_tls_cert(struct conf_parser *p, const char *v, sp_err *err)
{
	if (*v != '\0' && !conf_abs_path(v, err))
		return false;
	free(p->dns->policy.tls_cert);
	p->dns->policy.tls_cert = *v != '\0' ? sp_xstrdup(v) : NULL;
	p->dns->policy.line.tls_cert = p->line;
	return true;
}

/* caa = ISSUER, ... (RFC 8659 section 4.2: issuer-domain-name) */
bool
conf_set_caa(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT, names = SP_LIST_INIT;

	conf_split_list(v, &words);
	for (size_t i = 0; i < words.n; i++) {
		char *name = conf_host_name(words.v[i], "CA domain", err);

		if (name == NULL) {
			sp_list_free(&words);
			sp_list_free(&names);
			return false;
		}
		sp_list_add_owned(&names, name);
	}
	sp_list_free(&words);
	sp_list_free(&p->dns->policy.caa);
	p->dns->policy.caa = names;
	p->dns->policy.line.caa = p->line;
	return true;
}

/* caa_iodef = mailto:... | https://... (RFC 8659 section 4.4) */
bool
conf_set_caa_iodef(struct conf_parser *p, const char *v, sp_err *err)
{
	const char *why;

	if (*v != '\0' && (why = sp_report_uri_problem(v)) != NULL) {
		sp_err_set(err, "\"%.128s\" %s", v, why);
		return false;
	}
	free(p->dns->policy.caa_iodef);
	p->dns->policy.caa_iodef = *v != '\0' ? sp_xstrdup(v) : NULL;
	p->dns->policy.line.caa_iodef = p->line;
	return true;
}

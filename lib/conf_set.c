/*
 * conf_set.c - every name signpost.conf(5) knows: the table of names, the
 * sections each may appear in, and the one small function per name that
 * checks its value (conf_value.c) and stores it.
 *
 * A [dns] name writes into the parser's current sp_dns_conf, which is the
 * global [dns] or the [domain]'s own overrides, and records its line so
 * later messages (and dnsgen's) can point at it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static void
replace_str(char **slot, const char *value)
{
	free(*slot);
	*slot = value != NULL ? sp_xstrdup(value) : NULL;
}

/* [milter] */

static bool
set_socket(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_socket(v, err))
		return false;
	replace_str(&p->conf->milter.socket, v);
	return true;
}

static bool
set_socket_mode(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_mode(v, &p->conf->milter.socket_mode, err);
}

static bool
set_user(struct conf_parser *p, const char *v, sp_err *err)
{
	if (*v != '\0' && !conf_user_name(v, err))
		return false;
	replace_str(&p->conf->milter.user, *v != '\0' ? v : NULL);
	return true;
}

static bool
set_pidfile(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_abs_path(v, err))
		return false;
	replace_str(&p->conf->milter.pidfile, v);
	return true;
}

static bool
set_internal_hosts(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_milter_conf *m = &p->conf->milter;
	struct sp_cidr *list;
	size_t n;

	if (!conf_cidr_list(v, &list, &n, err))
		return false;
	free(m->internal_hosts);
	m->internal_hosts = list;
	m->n_internal_hosts = n;
	return true;
}

static bool
set_sign_authenticated(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_bool(v, &p->conf->milter.sign_authenticated, err);
}

static bool
set_on_error(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_on_error(v, &p->conf->milter.on_error, err);
}

static bool
set_log_level(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_log_level(v, &p->conf->milter.log_level, err);
}

/* The header limits (struct sp_header_limits). */
static bool
set_limit(const char *v, bool bytes, unsigned long min, unsigned long max,
    size_t *out, sp_err *err)
{
	unsigned long n;

	if (!conf_size(v, bytes, min, max, &n, err))
		return false;
	*out = n;
	return true;
}

static bool
set_max_header_fields(struct conf_parser *p, const char *v, sp_err *err)
{
	return set_limit(v, false, 100, 10000000,
	    &p->conf->milter.limits.fields, err);
}

static bool
set_max_header_bytes(struct conf_parser *p, const char *v, sp_err *err)
{
	return set_limit(v, true, 16384, 1073741824,
	    &p->conf->milter.limits.bytes, err);
}

static bool
set_max_field_bytes(struct conf_parser *p, const char *v, sp_err *err)
{
	return set_limit(v, true, 1024, 1073741824,
	    &p->conf->milter.limits.field_bytes, err);
}

static bool
set_max_connections(struct conf_parser *p, const char *v, sp_err *err)
{
	unsigned long n;

	if (!conf_size(v, false, 1, 100000, &n, err))
		return false;
	p->conf->milter.max_connections = (unsigned)n;
	return true;
}

static bool
set_max_packet_size(struct conf_parser *p, const char *v, sp_err *err)
{
	/* At least one body chunk of 65535 bytes, as every MTA sends. */
	return conf_size(v, true, 65536, 64ul * 1024 * 1024,
	    &p->conf->milter.max_packet_size, err);
}

static bool
set_metrics_file(struct conf_parser *p, const char *v, sp_err *err)
{
	if (*v != '\0' && !conf_abs_path(v, err))
		return false;
	if (*v != '\0' && v[strlen(v) - 1] == '/') {
		sp_err_set(err, "\"%s\" names a directory: give a file name, "
		    "e.g. %ssignpost.prom", v, v);
		return false;
	}
	replace_str(&p->conf->milter.metrics_file, *v != '\0' ? v : NULL);
	return true;
}

static bool
set_metrics_per_domain(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_bool(v, &p->conf->milter.metrics_per_domain, err);
}

/* [signing] */

static bool
set_keys_dir(struct conf_parser *p, const char *v, sp_err *err)
{
	size_t len = strlen(v);

	if (!conf_abs_path(v, err))
		return false;
	while (len > 1 && v[len - 1] == '/')
		len--;
	free(p->conf->signing.keys_dir);
	p->conf->signing.keys_dir = sp_xstrndup(v, len);
	return true;
}

static bool
set_canonicalization(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_signing_conf *s = &p->conf->signing;

	return conf_canonicalization(v, &s->header_canon, &s->body_canon, err);
}

static bool
set_sign_headers(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list list;

	if (!conf_header_list(v, true, &list, err))
		return false;
	sp_list_free(&p->conf->signing.sign_headers);
	p->conf->signing.sign_headers = list;
	return true;
}

static bool
set_oversign_headers(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_list list;

	if (!conf_header_list(v, false, &list, err))
		return false;
	sp_list_free(&p->conf->signing.oversign_headers);
	p->conf->signing.oversign_headers = list;
	p->oversign_line = p->line;
	return true;
}

static bool
set_expire(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_duration(v, 0, 2147483647, &p->conf->signing.expire, err);
}

static bool
set_allow_weak_rsa(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_bool(v, &p->conf->signing.allow_weak_rsa, err);
}

/* [dns] and [domain NAME] */

static bool
set_ttl(struct conf_parser *p, const char *v, sp_err *err)
{
	unsigned long ttl;

	/* RFC 2181 section 8: a TTL is at most 2^31 - 1. */
	if (!conf_duration(v, 1, 2147483647, &ttl, err))
		return false;
	p->dns->ttl = (unsigned)ttl;
	p->dns->line.ttl = p->line;
	return true;
}

static bool
set_mail_host(struct conf_parser *p, const char *v, sp_err *err)
{
	char *host = NULL;

	if (*v != '\0' && (host = conf_host_name(v, "host", err)) == NULL)
		return false;
	free(p->dns->mail_host);
	p->dns->mail_host = host;
	p->dns->line.mail_host = p->line;
	return true;
}

static bool
set_addresses(struct conf_parser *p, const char *v, int family, sp_err *err)
{
	struct sp_list *slot = family == AF_INET ? &p->dns->ipv4 : &p->dns->ipv6;
	struct sp_list list;

	if (!conf_address_list(v, family, &list, err))
		return false;
	sp_list_free(slot);
	*slot = list;
	if (family == AF_INET)
		p->dns->line.ipv4 = p->line;
	else
		p->dns->line.ipv6 = p->line;
	return true;
}

static bool
set_ipv4(struct conf_parser *p, const char *v, sp_err *err)
{
	return set_addresses(p, v, AF_INET, err);
}

static bool
set_ipv6(struct conf_parser *p, const char *v, sp_err *err)
{
	return set_addresses(p, v, AF_INET6, err);
}

static bool
set_mx(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_mx *mx;
	size_t n;

	if (!conf_mx_list(v, &mx, &n, err))
		return false;
	for (size_t i = 0; i < p->dns->n_mx; i++)
		free(p->dns->mx[i].host);
	free(p->dns->mx);
	p->dns->mx = mx;
	p->dns->n_mx = n;
	p->dns->line.mx = p->line;
	return true;
}

static bool
set_spf(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_txt_value(v, "v=spf1", err))
		return false;
	replace_str(&p->dns->spf, v);
	p->dns->line.spf = p->line;
	return true;
}

static bool
set_dmarc(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_txt_value(v, "v=DMARC1", err))
		return false;
	replace_str(&p->dns->dmarc, v);
	p->dns->line.dmarc = p->line;
	return true;
}

static bool
set_services(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_services(v, &p->dns->services, err))
		return false;
	p->dns->line.services = p->line;
	return true;
}

static bool
set_autodiscover(struct conf_parser *p, const char *v, sp_err *err)
{
	if (!conf_bool(v, &p->dns->autodiscover, err))
		return false;
	p->dns->line.autodiscover = p->line;
	return true;
}

/* [domain NAME] only */

static bool
set_selector(struct conf_parser *p, const char *v, sp_err *err)
{
	struct sp_domain *d = &p->conf->domains[p->domain];
	struct sp_list names = SP_LIST_INIT;
	bool good = true;

	conf_split_list(v, &names);
	if (names.n == 0) {
		sp_err_set(err, "no selector given (e.g. selector = 2026r)");
		good = false;
	}
	for (size_t i = 0; good && i < names.n; i++) {
		struct sp_list before = { names.v, i, i };

		if (!conf_selector(names.v[i], err))
			good = false;
		else if (sp_list_contains_ci(&before, names.v[i])) {
			sp_err_set(err, "\"%s\" is listed twice", names.v[i]);
			good = false;
		}
	}
	if (good) {
		d->selectors = sp_xcalloc(names.n, sizeof(*d->selectors));
		for (size_t i = 0; i < names.n; i++) {
			d->selectors[i].name = names.v[i];
			d->selectors[i].line = p->line;
		}
		d->n_selectors = names.n;
		free(names.v);
	} else
		sp_list_free(&names);
	return good;
}

static bool
set_subdomains(struct conf_parser *p, const char *v, sp_err *err)
{
	return conf_bool(v, &p->conf->domains[p->domain].subdomains, err);
}

const struct conf_rule conf_rules[] = {
	{ "socket", IN_MILTER, set_socket },
	{ "socket_mode", IN_MILTER, set_socket_mode },
	{ "user", IN_MILTER, set_user },
	{ "pidfile", IN_MILTER, set_pidfile },
	{ "internal_hosts", IN_MILTER, set_internal_hosts },
	{ "sign_authenticated", IN_MILTER, set_sign_authenticated },
	{ "on_error", IN_MILTER, set_on_error },
	{ "log_level", IN_MILTER, set_log_level },
	{ "max_header_fields", IN_MILTER, set_max_header_fields },
	{ "max_header_bytes", IN_MILTER, set_max_header_bytes },
	{ "max_field_bytes", IN_MILTER, set_max_field_bytes },
	{ "max_connections", IN_MILTER, set_max_connections },
	{ "max_packet_size", IN_MILTER, set_max_packet_size },
	{ "metrics_file", IN_MILTER, set_metrics_file },
	{ "metrics_per_domain", IN_MILTER, set_metrics_per_domain },
	{ "keys_dir", IN_SIGNING, set_keys_dir },
	{ "canonicalization", IN_SIGNING, set_canonicalization },
	{ "sign_headers", IN_SIGNING, set_sign_headers },
	{ "oversign_headers", IN_SIGNING, set_oversign_headers },
	{ "expire", IN_SIGNING, set_expire },
	{ "allow_weak_rsa", IN_SIGNING, set_allow_weak_rsa },
	{ "ttl", IN_DNS, set_ttl },
	{ "mail_host", IN_DNS, set_mail_host },
	{ "ipv4", IN_DNS, set_ipv4 },
	{ "ipv6", IN_DNS, set_ipv6 },
	{ "mx", IN_DNS, set_mx },
	{ "spf", IN_DNS, set_spf },
	{ "dmarc", IN_DNS, set_dmarc },
	{ "services", IN_DNS, set_services },
	{ "autodiscover", IN_DNS, set_autodiscover },
	{ "mta_sts", IN_DNS, conf_set_mta_sts },
	{ "mta_sts_max_age", IN_DNS, conf_set_mta_sts_max_age },
	{ "mta_sts_host", IN_DNS, conf_set_mta_sts_host },
	{ "tls_rpt", IN_DNS, conf_set_tls_rpt },
	{ "tls_cert", IN_DNS, conf_set_tls_cert },
	{ "caa", IN_DNS, conf_set_caa },
	{ "caa_iodef", IN_DNS, conf_set_caa_iodef },
	{ "check_servers", IN_DNS, conf_set_check_servers },
	{ "update_server", IN_DNS, conf_set_update_server },
	{ "update_key", IN_DNS, conf_set_update_key },
	{ "publish", IN_DNS, conf_set_publish },
	{ "selector", IN_DOMAIN, set_selector },
	{ "subdomains", IN_DOMAIN, set_subdomains },
	{ "rotate", IN_ROTATION, conf_set_rotate },
	{ "algorithms", IN_ROTATION, conf_set_algorithms },
	{ "retire_after", IN_ROTATION, conf_set_retire_after },
	{ "revoke_after", IN_ROTATION, conf_set_revoke_after },
};

const size_t conf_n_rules = sizeof(conf_rules) / sizeof(conf_rules[0]);

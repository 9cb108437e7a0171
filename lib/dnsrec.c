/*
 * dnsrec.c - the records one signpost domain needs, built from its [dns]
 * settings and the public halves of its keys, and validated on the way:
 * addresses of mail_host, MX, SPF, one DKIM key record per key file, DMARC,
 * the RFC 6186 / RFC 8314 SRV records, autodiscover names, the HELO
 * name's SPF, MTA-STS, TLS-RPT, DANE TLSA and CAA, and the PTR records each
 * address needs (guidance only). Pure; see dnsrec.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signpost/dnsname.h"
#include "signpost/dnsrec.h"
#include "signpost/dnstxt.h"
#include "signpost/grammar.h"
#include "signpost/mtasts.h"

const char *
sp_rr_type_name(enum sp_rr_type type)
{
	switch (type) {
	case SP_RR_A: return "A";
	case SP_RR_CNAME: return "CNAME";
	case SP_RR_PTR: return "PTR";
	case SP_RR_MX: return "MX";
	case SP_RR_TXT: return "TXT";
	case SP_RR_AAAA: return "AAAA";
	case SP_RR_SRV: return "SRV";
	case SP_RR_TLSA: return "TLSA";
	case SP_RR_CAA: return "CAA";
	}
	SP_BUG("unknown record type %d", (int)type);
}

/* What the builder works with while it runs. */
struct build {
	const struct sp_dnsrec_input *in;
	const struct sp_dns_conf *dns;
	const char *domain;
	char *mail_host;                /* lower-case, no dot; NULL: unset */
	struct sp_list v4, v6;          /* canonical addresses */
	struct sp_dnsrec *out;
	struct sp_list *warnings, *errors;
};

static void problem(struct build *b, struct sp_list *to, unsigned line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "FILE:LINE: domain D: ..." (a default value blames the [domain] line). */
static void
problem(struct build *b, struct sp_list *to, unsigned line,
    const char *fmt, ...)
{
	struct sp_buf m = SP_BUF_INIT;
	va_list ap;
	int n;

	sp_buf_printf(&m, "%s:%u: domain %s: ", b->in->conf_path,
	    line ? line : b->in->domain->line, b->domain);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		SP_BUG("bad format \"%s\"", fmt);
	sp_buf_reserve(&m, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(m.data + m.len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	m.len += (size_t)n;
	sp_list_add_owned(to, sp_buf_steal(&m));
}

static struct sp_rr *
add_rr(struct build *b, char *name, enum sp_rr_type type,
    enum sp_rr_role role, char *value)
{
	struct sp_dnsrec *out = b->out;
	struct sp_rr *rr;

	out->rr = sp_xrealloc(out->rr, out->n + 1, sizeof(*out->rr));
	rr = &out->rr[out->n++];
	memset(rr, 0, sizeof(*rr));
	rr->name = name;
	rr->type = type;
	rr->role = role;
	rr->ttl = b->dns->ttl;
	rr->value = value;
	return rr;
}

static bool
host_ok(struct build *b, const char *what, const char *host, unsigned line)
{
	const char *why;

	if (sp_is_address_literal(host)) {
		problem(b, b->errors, line, "%s %s is an address; it must be a "
		    "host name (an MX or SRV target is looked up by name, "
		    "RFC 5321 section 5.1, RFC 2782)", what, host);
		return false;
	}
	if ((why = sp_host_name_problem(host)) != NULL) {
		problem(b, b->errors, line, "%s \"%s\" is not a host name: "
		    "it %s", what, host, why);
		return false;
	}
	return true;
}

static void
canon_addresses(struct build *b, const struct sp_list *in, int family,
    struct sp_list *out, unsigned line)
{
	for (size_t i = 0; i < in->n; i++) {
		int af = 0;
		char *c = sp_dns_canon_address(in->v[i], &af);

		if (c == NULL || af != family) {
			problem(b, b->errors, line, "%s \"%s\" is not an %s "
			    "address", family == AF_INET ? "ipv4" : "ipv6",
			    in->v[i], family == AF_INET ? "IPv4" : "IPv6");
			free(c);
			continue;
		}
		sp_list_add_owned(out, c);
	}
}

/* A / AAAA for mail_host, when it lies inside the domain. */
static void
add_addresses(struct build *b)
{
	if (b->mail_host == NULL || !sp_dns_name_within(b->mail_host, b->domain))
		return;
	if (b->v4.n == 0 && b->v6.n == 0)
		problem(b, b->warnings, b->dns->line.mail_host, "mail_host %s "
		    "lies inside the domain but neither ipv4 nor ipv6 is set: "
		    "no A or AAAA record is printed for it", b->mail_host);
	for (size_t i = 0; i < b->v4.n; i++)
		add_rr(b, sp_xasprintf("%s.", b->mail_host), SP_RR_A,
		    SP_ROLE_ADDRESS, sp_xstrdup(b->v4.v[i]));
	for (size_t i = 0; i < b->v6.n; i++)
		add_rr(b, sp_xasprintf("%s.", b->mail_host), SP_RR_AAAA,
		    SP_ROLE_ADDRESS, sp_xstrdup(b->v6.v[i]));
}

/* Would this host be one of the autodiscover CNAMEs? */
static const char *
alias_clash(struct build *b, const char *host)
{
	static const char *const labels[] = { "autoconfig", "autodiscover" };

	if (!b->dns->autodiscover)
		return NULL;
	for (size_t i = 0; i < 2; i++) {
		size_t ll = strlen(labels[i]);

		if (strncmp(host, labels[i], ll) == 0 && host[ll] == '.' &&
		    strcmp(host + ll + 1, b->domain) == 0)
			return labels[i];
	}
	return NULL;
}

static void
add_mx(struct build *b)
{
	const struct sp_dns_conf *dns = b->dns;
	unsigned line = dns->line.mx;

	if (dns->n_mx == 0) {
		if (b->mail_host != NULL)
			add_rr(b, sp_xasprintf("%s.", b->domain), SP_RR_MX,
			    SP_ROLE_MX, sp_xasprintf("0 %s.", b->mail_host));
		return;
	}
	for (size_t i = 0; i < dns->n_mx; i++) {
		char *host = sp_host_name_lower(dns->mx[i].host);
		const char *clash = alias_clash(b, host);

		if (dns->mx[i].priority > 65535)
			problem(b, b->errors, line, "mx priority %u is over "
			    "65535", dns->mx[i].priority);
		else if (!host_ok(b, "mx host", host, line))
			;
		else if (clash != NULL)
			problem(b, b->errors, line, "mx host %s would be the "
			    "%s CNAME, but an MX target must not be an alias "
			    "(RFC 2181 section 10.3): set autodiscover = no or "
			    "use another host", host, clash);
		else
			add_rr(b, sp_xasprintf("%s.", b->domain), SP_RR_MX,
			    SP_ROLE_MX, sp_xasprintf("%u %s.",
			    dns->mx[i].priority, host));
		free(host);
	}
}

static bool
spf_names_hosts(const char *terms, unsigned lookups)
{
	const char *p;

	if (lookups > 0)
		return true;
	for (p = terms; (p = strstr(p, "ip")) != NULL; p++)
		if ((p[2] == '4' || p[2] == '6') && p[3] == ':')
			return true;
	return false;
}

/* " ip4:A ip6:B" for every configured address. */
static void
address_terms(struct build *b, struct sp_buf *rec)
{
	for (size_t i = 0; i < b->v4.n; i++)
		sp_buf_printf(rec, " ip4:%s", b->v4.v[i]);
	for (size_t i = 0; i < b->v6.n; i++)
		sp_buf_printf(rec, " ip6:%s", b->v6.v[i]);
}

/* v=spf1 ip4:... ip6:... <spf> (RFC 7208 sections 4.6.4 and 3.4). */
static void
add_spf(struct build *b)
{
	const struct sp_dns_conf *dns = b->dns;
	const char *terms = dns->spf ? dns->spf : "";
	struct sp_buf rec = SP_BUF_INIT;
	unsigned lookups = 0;
	sp_err err;

	if (!sp_spf_check_terms(terms, &lookups, &err)) {
		problem(b, b->errors, dns->line.spf, "spf: %s", err.msg);
		return;
	}
	if (lookups > SP_SPF_MAX_LOOKUPS)
		problem(b, b->warnings, dns->line.spf, "spf has %u terms that "
		    "cost a DNS lookup (include, a, mx, ptr, exists, redirect); "
		    "receivers give up after %d, counting nested includes, and "
		    "the result is a permanent error (RFC 7208 section 4.6.4)",
		    lookups, SP_SPF_MAX_LOOKUPS);
	if (b->v4.n == 0 && b->v6.n == 0 && !spf_names_hosts(terms, lookups))
		problem(b, b->warnings, dns->line.spf, "neither ipv4, ipv6 nor "
		    "spf names a host: the SPF record authorizes no sender");
	sp_buf_puts(&rec, "v=spf1");
	address_terms(b, &rec);
	for (const char *p = terms; *p != '\0'; ) {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (len > 0)
			sp_buf_printf(&rec, " %.*s", (int)len, p);
		p += len;
	}
	if (rec.len > SP_SPF_MAX_BYTES)
		problem(b, b->warnings, dns->line.spf, "the SPF record is %zu "
		    "bytes; keep it under %d so that the answer fits in one "
		    "UDP packet (RFC 7208 section 3.4)", rec.len,
		    SP_SPF_MAX_BYTES);
	add_rr(b, sp_xasprintf("%s.", b->domain), SP_RR_TXT, SP_ROLE_SPF,
	    sp_buf_steal(&rec));
}

/*
 * RFC 7208 section 2.3: receivers check SPF for the HELO name too. The
 * mail host sends as itself only from its own addresses: "ip4:... ip6:...
 * -all" needs no DNS lookup (the "a -all" form needs one, and is printed
 * only when no address is configured). At the apex the domain's record
 * already speaks for it.
 */
static void
add_helo_spf(struct build *b)
{
	struct sp_buf rec = SP_BUF_INIT;
	struct sp_rr *rr;

	if (b->mail_host == NULL || strcmp(b->mail_host, b->domain) == 0 ||
	    !sp_dns_name_within(b->mail_host, b->domain))
		return;
	sp_buf_puts(&rec, "v=spf1");
	if (b->v4.n == 0 && b->v6.n == 0)
		sp_buf_puts(&rec, " a");
	else
		address_terms(b, &rec);
	sp_buf_puts(&rec, " -all");
	rr = add_rr(b, sp_xasprintf("%s.", b->mail_host), SP_RR_TXT,
	    SP_ROLE_SPF, sp_buf_steal(&rec));
	rr->comment = sp_xasprintf("SPF for the HELO name %s (RFC 7208 "
	    "section 2.3)", b->mail_host);
}

/* A / AAAA for mta-sts.DOMAIN: mta_sts_host, else the mail host's. */
static void
add_mta_sts_addresses(struct build *b)
{
	const struct sp_list *own = &b->dns->policy.mta_sts_host;
	char *name = sp_xasprintf("mta-sts.%s", b->domain);

	if (b->mail_host != NULL && strcmp(b->mail_host, name) == 0) {
		free(name);
		return;         /* its A / AAAA are printed already */
	}
	for (size_t i = 0; i < own->n; i++)
		add_rr(b, sp_xasprintf("%s.", name), strchr(own->v[i], ':') ?
		    SP_RR_AAAA : SP_RR_A, SP_ROLE_MTA_STS,
		    sp_xstrdup(own->v[i]));
	for (size_t i = 0; own->n == 0 && i < b->v4.n; i++)
		add_rr(b, sp_xasprintf("%s.", name), SP_RR_A, SP_ROLE_MTA_STS,
		    sp_xstrdup(b->v4.v[i]));
	for (size_t i = 0; own->n == 0 && i < b->v6.n; i++)
		add_rr(b, sp_xasprintf("%s.", name), SP_RR_AAAA,
		    SP_ROLE_MTA_STS, sp_xstrdup(b->v6.v[i]));
	if (own->n == 0 && b->v4.n == 0 && b->v6.n == 0)
		problem(b, b->warnings, b->dns->policy.line.mta_sts, "mta_sts "
		    "is on but neither mta_sts_host, ipv4 nor ipv6 is set: no "
		    "address is printed for %s, where the policy must be served "
		    "over HTTPS", name);
	free(name);
}

/* RFC 8461 section 3.1: _mta-sts TXT "v=STSv1; id=..." */
static void
add_mta_sts(struct build *b)
{
	char *policy, *id;
	struct sp_rr *rr;

	if (b->dns->policy.mta_sts == SP_MTA_STS_NONE) {
		if (b->dns->policy.mta_sts_host.n > 0)
			problem(b, b->warnings, b->dns->policy.line.mta_sts_host,
			    "mta_sts_host is set but mta_sts is none: no "
			    "MTA-STS record is printed (set mta_sts = testing "
			    "or enforce)");
		return;
	}
	if ((policy = sp_mta_sts_policy(b->dns)) == NULL) {
		problem(b, b->errors, b->dns->policy.line.mta_sts, "mta_sts "
		    "needs an MX host (mx or mail_host) for the policy's mx: "
		    "lines");
		return;
	}
	id = sp_mta_sts_id(policy);
	rr = add_rr(b, sp_xasprintf("_mta-sts.%s.", b->domain), SP_RR_TXT,
	    SP_ROLE_MTA_STS, sp_xasprintf("v=STSv1; id=%s", id));
	rr->comment = sp_xasprintf("MTA-STS (RFC 8461): serve the output of "
	    "\"dnsgen mta-sts-policy -d %s\" at https://mta-sts.%s/"
	    ".well-known/mta-sts.txt", b->domain, b->domain);
	add_mta_sts_addresses(b);
	free(id);
	free(policy);
}

/* RFC 8460 section 3: _smtp._tls TXT "v=TLSRPTv1; rua=URI,URI" */
static void
add_tls_rpt(struct build *b)
{
	const struct sp_list *uris = &b->dns->policy.tls_rpt;
	struct sp_buf rec = SP_BUF_INIT;

	if (uris->n == 0)
		return;
	sp_buf_puts(&rec, "v=TLSRPTv1; rua=");
	for (size_t i = 0; i < uris->n; i++)
		sp_buf_printf(&rec, "%s%s", i > 0 ? "," : "", uris->v[i]);
	add_rr(b, sp_xasprintf("_smtp._tls.%s.", b->domain), SP_RR_TXT,
	    SP_ROLE_TLS_RPT, sp_buf_steal(&rec));
}

/* One MX host's "3 1 1" and "2 1 1" (RFC 7672 section 3.1). */
static void
add_tlsa_host(struct build *b, const char *host, bool first)
{
	struct sp_rr *rr;

	rr = add_rr(b, sp_xasprintf("_25._tcp.%s.", host), SP_RR_TLSA,
	    SP_ROLE_TLSA, sp_xasprintf("3 1 1 %s", b->in->tlsa_leaf));
	if (first)
		rr->comment = sp_xstrdup("DANE TLSA (RFC 7672): receivers use "
		    "it only when the zone is DNSSEC-signed; publish \"2 1 1\" "
		    "too so that a new key from the same CA keeps mail "
		    "flowing");
	if (b->in->tlsa_issuer != NULL)
		add_rr(b, sp_xasprintf("_25._tcp.%s.", host), SP_RR_TLSA,
		    SP_ROLE_TLSA, sp_xasprintf("2 1 1 %s", b->in->tlsa_issuer));
}

/* TLSA for every MX host inside the domain (mail_host when no mx). */
static void
add_tlsa(struct build *b)
{
	const struct sp_dns_conf *dns = b->dns;
	unsigned line = dns->policy.line.tls_cert;
	size_t printed = 0;

	if (b->in->tlsa_leaf == NULL)
		return;
	if (b->in->tlsa_issuer == NULL)
		problem(b, b->warnings, line, "tls_cert %s holds no issuer "
		    "certificate: only \"3 1 1\" is printed, and a new key "
		    "breaks delivery until the TLSA record follows (use the "
		    "full chain)", dns->policy.tls_cert);
	for (size_t i = 0; i < dns->n_mx; i++) {
		char *host = sp_host_name_lower(dns->mx[i].host);

		if (sp_dns_name_within(host, b->domain) &&
		    sp_host_name_problem(host) == NULL)
			add_tlsa_host(b, host, printed++ == 0);
		free(host);
	}
	if (dns->n_mx == 0 && b->mail_host != NULL &&
	    sp_dns_name_within(b->mail_host, b->domain))
		add_tlsa_host(b, b->mail_host, printed++ == 0);
	if (printed == 0)
		problem(b, b->warnings, line, "tls_cert is set but no MX host "
		    "lies inside the domain: TLSA records belong in the zone "
		    "of the MX host");
}

/* RFC 8659 section 4: 0 issue "CA" per issuer, 0 iodef "URI". */
static void
add_caa(struct build *b)
{
	const struct sp_dns_policy *pol = &b->dns->policy;

	for (size_t i = 0; i < pol->caa.n; i++)
		add_rr(b, sp_xasprintf("%s.", b->domain), SP_RR_CAA,
		    SP_ROLE_CAA, sp_xasprintf("0 issue \"%s\"", pol->caa.v[i]));
	if (pol->caa_iodef != NULL)
		add_rr(b, sp_xasprintf("%s.", b->domain), SP_RR_CAA,
		    SP_ROLE_CAA, sp_xasprintf("0 iodef \"%s\"",
		    pol->caa_iodef));
}

static bool
selector_has_key(const struct sp_dnsrec_input *in, const char *selector)
{
	for (size_t i = 0; i < in->n_keys; i++)
		if (strcmp(in->keys[i].selector, selector) == 0)
			return true;
	return false;
}

static void
add_dkim(struct build *b)
{
	const struct sp_dnsrec_input *in = b->in;
	const struct sp_domain *dom = in->domain;

	for (size_t i = 0; i < dom->n_selectors; i++)
		if (!selector_has_key(in, dom->selectors[i].name))
			problem(b, b->warnings, dom->selectors[i].line,
			    "selector %s is active but has no key file %s.pem: "
			    "the milter cannot sign with it (make one with "
			    "dnsgen keygen)", dom->selectors[i].name,
			    dom->selectors[i].name);
	for (size_t i = 0; i < in->n_keys; i++) {
		const struct sp_dkim_pub *k = &in->keys[i];
		const char *why;
		struct sp_rr *rr;

		if ((why = sp_dkim_key_name_problem(k->selector, b->domain))
		    != NULL) {
			problem(b, b->errors, 0, "key file %s.pem: selector %s "
			    "%s", k->selector, k->selector, why);
			continue;
		}
		if (k->rsa && k->bits < 2048 && !k->revoked) {
			problem(b, in->allow_weak_rsa ? b->warnings : b->errors,
			    0,
			    "key %s is RSA %d bits; RSA keys under 2048 bits "
			    "are weak (RFC 8301 section 3.2)%s", k->selector,
			    k->bits, in->allow_weak_rsa ? ": replace it "
			    "with dnsgen keygen" : " and allow_weak_rsa is no");
			if (!in->allow_weak_rsa)
				continue;
		}
		rr = add_rr(b, sp_xasprintf("%s._domainkey.%s.", k->selector,
		    b->domain), SP_RR_TXT, SP_ROLE_DKIM, sp_xstrdup(k->record));
		rr->selector = sp_xstrdup(k->selector);
		if (k->revoked)
			rr->comment = sp_xasprintf("DKIM selector %s: revoked, "
			    "key deleted (%s)", k->selector, k->rsa ? "rsa" :
			    "ed25519");
		else
			rr->comment = sp_xasprintf("DKIM selector %s: %s (%s, "
			    "%d bits)", k->selector, k->state != NULL ?
			    k->state : k->active ? "active, signs mail" :
			    "published only, not signing", k->rsa ? "rsa" :
			    "ed25519", k->bits);
	}
	if (in->n_keys == 0)
		problem(b, b->warnings, dom->line, "no key in the domain's key "
		    "folder: no DKIM record is printed (make one with dnsgen "
		    "keygen)");
}

static void
add_dmarc(struct build *b)
{
	const char *tags = b->dns->dmarc ? b->dns->dmarc : "";
	char *t;
	size_t len;
	sp_err err;

	if (!sp_dmarc_check_tags(tags, &err)) {
		problem(b, b->errors, b->dns->line.dmarc, "dmarc: %s", err.msg);
		return;
	}
	while (*tags == ' ' || *tags == '\t')
		tags++;
	len = strlen(tags);
	while (len > 0 && (tags[len - 1] == ' ' || tags[len - 1] == '\t'))
		len--;
	t = sp_xstrndup(tags, len);
	add_rr(b, sp_xasprintf("_dmarc.%s.", b->domain), SP_RR_TXT,
	    SP_ROLE_DMARC, sp_xasprintf("v=DMARC1; %s", t));
	free(t);
}

/* RFC 6186 section 3, RFC 8314 section 5.1: "0 0 0 ." = not offered. */
static void
add_srv(struct build *b)
{
	if (b->mail_host == NULL)
		return;
	for (size_t i = 0; i < SP_SVC_COUNT; i++) {
		const struct sp_service_info *s = &sp_services[i];
		bool offered = (b->dns->services & s->bit) != 0;
		char *value;

		value = offered ? sp_xasprintf("0 1 %u %s.", s->port,
		    b->mail_host) : sp_xstrdup("0 0 0 .");
		add_rr(b, sp_xasprintf("_%s._tcp.%s.", s->name, b->domain),
		    SP_RR_SRV, SP_ROLE_SRV, value);
	}
}

/*
 * Outlook's _autodiscover._tcp SRV points at mail_host itself (an SRV
 * target must not be an alias, RFC 2782); the autoconfig and autodiscover
 * names (Thunderbird, Outlook) are CNAMEs to mail_host.
 */
static void
add_autodiscover(struct build *b)
{
	const char *clash;

	if (!b->dns->autodiscover || b->mail_host == NULL)
		return;
	clash = alias_clash(b, b->mail_host);
	if (clash != NULL) {
		problem(b, b->errors, b->dns->line.mail_host, "mail_host %s "
		    "would be the %s CNAME, but it is the target of the MX and "
		    "SRV records, which must not be an alias (RFC 2181 section "
		    "10.3, RFC 2782): choose another mail_host or set "
		    "autodiscover = no", b->mail_host, clash);
		return;
	}
	add_rr(b, sp_xasprintf("_autodiscover._tcp.%s.", b->domain), SP_RR_SRV,
	    SP_ROLE_SRV, sp_xasprintf("0 1 443 %s.", b->mail_host));
	add_rr(b, sp_xasprintf("autoconfig.%s.", b->domain), SP_RR_CNAME,
	    SP_ROLE_ALIAS, sp_xasprintf("%s.", b->mail_host));
	add_rr(b, sp_xasprintf("autodiscover.%s.", b->domain), SP_RR_CNAME,
	    SP_ROLE_ALIAS, sp_xasprintf("%s.", b->mail_host));
}

static void
add_ptr_list(struct build *b, const struct sp_list *addrs)
{
	struct sp_dnsrec *out = b->out;

	for (size_t i = 0; i < addrs->n; i++) {
		struct sp_rr *rr;

		out->ptr = sp_xrealloc(out->ptr, out->n_ptr + 1,
		    sizeof(*out->ptr));
		rr = &out->ptr[out->n_ptr++];
		memset(rr, 0, sizeof(*rr));
		rr->name = sp_dns_reverse_name(addrs->v[i]);
		rr->type = SP_RR_PTR;
		rr->role = SP_ROLE_PTR;
		rr->ttl = b->dns->ttl;
		rr->value = sp_xasprintf("%s.", b->mail_host);
		rr->address = sp_xstrdup(addrs->v[i]);
		rr->comment = sp_xasprintf("set by the provider of %s",
		    addrs->v[i]);
	}
}

static void
check_mail_host(struct build *b)
{
	const char *mh = b->dns->mail_host;

	if (mh == NULL || *mh == '\0') {
		problem(b, b->errors, 0, "mail_host is not set: set it in [dns] "
		    "or in [domain %s] to the host that sends and receives the "
		    "domain's mail", b->domain);
		return;
	}
	b->mail_host = sp_host_name_lower(mh);
	if (!host_ok(b, "mail_host", b->mail_host, b->dns->line.mail_host)) {
		free(b->mail_host);
		b->mail_host = NULL;
	}
}

bool
sp_dnsrec_build(const struct sp_dnsrec_input *in, struct sp_dnsrec *out,
    struct sp_list *warnings, struct sp_list *errors)
{
	struct build b;
	size_t errors_before = errors->n;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.in = in;
	b.dns = &in->domain->dns;
	b.domain = in->domain->name;
	b.out = out;
	b.warnings = warnings;
	b.errors = errors;
	out->domain = sp_xstrdup(b.domain);

	check_mail_host(&b);
	canon_addresses(&b, &b.dns->ipv4, AF_INET, &b.v4, b.dns->line.ipv4);
	canon_addresses(&b, &b.dns->ipv6, AF_INET6, &b.v6, b.dns->line.ipv6);
	add_addresses(&b);
	add_mx(&b);
	add_spf(&b);
	add_helo_spf(&b);
	add_dkim(&b);
	add_dmarc(&b);
	add_srv(&b);
	add_autodiscover(&b);
	add_mta_sts(&b);
	add_tls_rpt(&b);
	add_tlsa(&b);
	add_caa(&b);
	if (b.mail_host != NULL) {
		add_ptr_list(&b, &b.v4);
		add_ptr_list(&b, &b.v6);
	}
	free(b.mail_host);
	sp_list_free(&b.v4);
	sp_list_free(&b.v6);
	return errors->n == errors_before;
}

static void
rr_free(struct sp_rr *rr)
{
	free(rr->name);
	free(rr->value);
	free(rr->comment);
	free(rr->selector);
	free(rr->address);
}

bool
sp_dnsrec_rrset_seen(const struct sp_dnsrec *rec, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (rec->rr[j].type == rec->rr[i].type &&
		    strcmp(rec->rr[j].name, rec->rr[i].name) == 0)
			return true;
	return false;
}

void
sp_dnsrec_free(struct sp_dnsrec *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		rr_free(&rec->rr[i]);
	for (size_t i = 0; i < rec->n_ptr; i++)
		rr_free(&rec->ptr[i]);
	free(rec->rr);
	free(rec->ptr);
	free(rec->domain);
	memset(rec, 0, sizeof(*rec));
}

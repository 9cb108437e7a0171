/*
 * stscheck.c - the MTA-STS half of `dnsgen check`: fetch the policy as a
 * sending MTA does (RFC 8461 section 3.3: HTTPS to mta-sts.DOMAIN, the
 * certificate verified, no redirects, bounded in time and size) with
 * libcurl, connecting to the mta-sts host's addresses found in the
 * domain's DNS, then judge it: it parses (stsparse.c), it is the policy
 * dnsgen prints, the _mta-sts TXT id is the one dnsgen derives from the
 * bytes served, and every MX host matches an mx: line (section 4.1).
 *
 * libcurl is linked into dnsgen only; the milter never fetches anything.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dnsgen/tlscheck.h"
#include "signpost/mtasts.h"

#define STS "MTA-STS"

/* The body as it arrives, cut off (and the transfer stopped) past the limit. */
struct body {
	struct sp_buf b;
	bool too_big;
};

static size_t
body_write(char *data, size_t size, size_t n, void *ctx)
{
	struct body *body = ctx;

	if (body->b.len + n > STS_POLICY_MAX) {
		body->too_big = true;
		return 0;       /* libcurl stops with CURLE_WRITE_ERROR */
	}
	sp_buf_append(&body->b, data, n * size);
	return n * size;
}

/* "mta-sts.example.com:443:192.0.2.1,[2001:db8::1]" for CURLOPT_RESOLVE. */
static char *
resolve_entry(const char *host, long port, const struct sp_list *addrs)
{
	struct sp_buf b = SP_BUF_INIT;

	sp_buf_printf(&b, "%s:%ld:", host, port);
	for (size_t i = 0; i < addrs->n; i++)
		sp_buf_printf(&b, strchr(addrs->v[i], ':') ? "%s[%s]" : "%s%s",
		    i ? "," : "", addrs->v[i]);
	return sp_buf_steal(&b);
}

static void
set_options(CURL *h, const struct tls_check *c, const char *url,
    struct curl_slist *resolve, struct body *body, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	if (c->opts->https_port != 0)
		curl_easy_setopt(h, CURLOPT_PORT, (long)c->opts->https_port);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);        /* 3.3 */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->opts->ca_file != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->opts->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, tls_limit_ms(TLS_CONNECT_MS));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, tls_limit_ms(STS_FETCH_MS));
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)STS_POLICY_MAX);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME " dnsgen check");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* After the transfer: why the policy cannot be used, or NULL. */
static char *
transfer_problem(CURL *h, CURLcode rc, const struct body *body,
    const char *errbuf)
{
	long status = 0;
	char *type = NULL;

	if (body->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return sp_xasprintf("the policy is larger than %d bytes, the "
		    "most senders read", STS_POLICY_MAX);
	if (rc != CURLE_OK)
		return sp_xasprintf("%s", *errbuf ? errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300 && status < 400)
		return sp_xasprintf("HTTP %ld: a redirect, which senders must "
		    "not follow (RFC 8461 section 3.3)", status);
	if (status != 200)
		return sp_xasprintf("HTTP %ld instead of 200", status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
	if (type == NULL || sp_strncasecmp(type, "text/plain", 10) != 0 ||
	    (type[10] != '\0' && type[10] != ';' && type[10] != ' '))
		return sp_xasprintf("media type \"%s\" instead of text/plain "
		    "(RFC 8461 section 3.2)", type ? type : "(none)");
	return NULL;
}

/* GET the policy; its bytes in body, or false after reporting why not. */
static bool
fetch_policy(const struct tls_check *c, const char *host, const char *url,
    struct body *body)
{
	char *dotted = sp_xasprintf("%s.", host);
	char errbuf[CURL_ERROR_SIZE] = "", *entry, *problem, *why;
	struct sp_list addrs = SP_LIST_INIT;
	struct curl_slist *resolve;
	char *ip = NULL;
	CURL *h;
	CURLcode rc;
	long port = c->opts->https_port != 0 ? (long)c->opts->https_port : 443;

	tls_addresses(c, dotted, &addrs);
	free(dotted);
	if (addrs.n == 0) {
		why = sp_xasprintf("%s has no A or AAAA record: senders cannot "
		    "fetch the policy", host);
		tls_report(c, V_FAILS, STS, url, NULL, why);
		free(why);
		return false;
	}
	entry = resolve_entry(host, port, &addrs);
	resolve = curl_slist_append(NULL, entry);
	if (resolve == NULL || (h = curl_easy_init()) == NULL)
		SP_BUG("libcurl cannot allocate");
	set_options(h, c, url, resolve, body, errbuf);
	rc = curl_easy_perform(h);
	problem = transfer_problem(h, rc, body, errbuf);
	curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
	why = problem != NULL ? problem : sp_xasprintf("%zu bytes over HTTPS, "
	    "the certificate verified for %s", body->b.len, host);
	tls_report(c, problem != NULL ? V_FAILS : V_OK, STS, url,
	    ip != NULL && *ip != '\0' ? ip : addrs.v[0], why);
	free(why);
	curl_easy_cleanup(h);
	curl_slist_free_all(resolve);
	free(entry);
	sp_list_free(&addrs);
	return problem == NULL;
}

/* Policy text to show: each CRLF as one line end, so no \r is printed. */
static char *
policy_lines(const char *text, size_t len)
{
	struct sp_buf b = SP_BUF_INIT;

	for (size_t i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			sp_buf_putc(&b, text[i]);
	sp_buf_putc(&b, '\0');
	return sp_buf_steal(&b);
}

/* The policy served is the one dnsgen prints (mta-sts-policy). */
static void
judge_policy(const struct tls_check *c, const char *body, size_t len,
    const struct sts_policy *p)
{
	char *want = sp_mta_sts_policy(c->dns), *why;
	struct tls_finding f;

	memset(&f, 0, sizeof(f));
	f.kind = STS;
	f.name = "policy";
	if (want != NULL && strlen(want) == len && memcmp(want, body, len) == 0) {
		f.v = V_OK;
		why = sp_xasprintf("mode %s, max_age %lu, %zu mx: line%s, as "
		    "dnsgen mta-sts-policy prints it", p->mode, p->max_age,
		    p->mx.n, p->mx.n == 1 ? "" : "s");
	} else {
		char *shown_want = policy_lines(want ? want : "", want ?
		    strlen(want) : 0), *shown_body = policy_lines(body, len);

		f.v = V_DIFFERS;
		f.expected = shown_want;
		f.found = shown_body;
		why = sp_xstrdup(strcmp(shown_want, shown_body) == 0 ?
		    "the same lines, but not each ending in CRLF (RFC 8461 "
		    "section 3.2): serve dnsgen mta-sts-policy's output byte "
		    "for byte" : "not the policy dnsgen mta-sts-policy prints: "
		    "serve its output byte for byte");
	}
	f.why = why;
	c->report(c->ctx, &f);
	if (f.v == V_DIFFERS) {
		free((char *)f.expected);
		free((char *)f.found);
	}
	free(want);
	free(why);
}

/*
 * The id in the _mta-sts TXT record published is the one dnsgen derives
 * from the bytes served: senders fetch a new policy only when it changes
 * (RFC 8461 section 3.1).
 */
static void
judge_id(const struct tls_check *c, const char *body)
{
	char *txt_name = sp_xasprintf("_mta-sts.%s.", c->rec->domain);
	char *served = sp_mta_sts_id(body), *published = NULL, *why;
	struct dns_result r;
	enum verdict v;

	dns_query(c->via, txt_name, ns_t_txt, &r);
	for (size_t i = 0; i < r.n_values && published == NULL; i++)
		published = sts_txt_id(r.values[i].data, r.values[i].len);
	if (published == NULL) {
		v = V_MISSING;
		why = sp_xasprintf("no \"v=STSv1; id=...\" record at %s: senders "
		    "never look for the policy", txt_name);
	} else if (strcmp(published, served) == 0) {
		v = V_OK;
		why = sp_xasprintf("id=%s is the digest of the policy served",
		    served);
	} else {
		v = V_DIFFERS;
		why = sp_xasprintf("the TXT record says id=%s but the policy "
		    "served has id=%s: senders keep their cached policy until "
		    "the id changes", published, served);
	}
	tls_report(c, v, STS, txt_name, NULL, why);
	free(why);
	free(published);
	free(served);
	free(txt_name);
	dns_result_free(&r);
}

/* Every MX host published matches an mx: line (RFC 8461 section 4.1). */
static void
judge_mx(const struct tls_check *c, const struct sts_policy *p)
{
	struct sp_list hosts = SP_LIST_INIT;

	tls_mx_hosts(c, &hosts);
	for (size_t i = 0; i < hosts.n; i++) {
		const char *match = NULL;
		char *name = sp_xasprintf("mx %s", hosts.v[i]), *why;

		for (size_t k = 0; k < p->mx.n && match == NULL; k++)
			if (sts_mx_matches(p->mx.v[k], hosts.v[i]))
				match = p->mx.v[k];
		why = match != NULL ? sp_xasprintf("matches \"mx: %s\"", match) :
		    sp_xasprintf("no mx: line of the policy matches it: senders "
		    "%s", strcmp(p->mode, "enforce") == 0 ? "will not deliver "
		    "to it" : "report failures for it");
		tls_report(c, match != NULL ? V_OK : V_DIFFERS, STS, name, NULL,
		    why);
		free(name);
		free(why);
	}
	sp_list_free(&hosts);
}

void
sts_check(const struct tls_check *c)
{
	char *host = sp_xasprintf("mta-sts.%s", c->rec->domain);
	char *url = sp_xasprintf("https://%s/.well-known/mta-sts.txt", host);
	struct body body;
	struct sts_policy p;
	sp_err err;

	memset(&body, 0, sizeof(body));
	if (fetch_policy(c, host, url, &body)) {
		size_t len = body.b.len;

		sp_buf_putc(&body.b, '\0');
		if (!sts_policy_parse(body.b.data, len, &p, &err)) {
			tls_report(c, V_FAILS, STS, "policy", NULL, err.msg);
		} else {
			judge_policy(c, body.b.data, len, &p);
			judge_mx(c, &p);
		}
		judge_id(c, body.b.data);
		sts_policy_free(&p);
	}
	sp_buf_free(&body.b);
	free(url);
	free(host);
}

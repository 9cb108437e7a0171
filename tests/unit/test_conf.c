/*
 * test_conf.c - signpost.conf(5): every name with good values beside bad
 * ones (the parsed value, or the exact FILE:LINE and reason), the defaults,
 * [domain] overrides and inheritance in either order, the reader's own
 * errors, domain lookup, loading from disk (including the shipped sample)
 * and a parser that survives every prefix and byte change of a valid file.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/conf.h"
#include "../tap.h"

#define FILE_NAME "t.conf"

static struct sp_config *
parse(const char *text, sp_err *err)
{
	memset(err, 0, sizeof(*err));
	return sp_config_parse(FILE_NAME, text, strlen(text), err);
}

static void
join(struct sp_buf *b, const char *s)
{
	sp_buf_printf(b, "%s%s", b->len ? ", " : "", s);
}

static const char *
yes_no(bool v)
{
	return v ? "yes" : "no";
}

static const char *
canon_name(enum sp_canon c)
{
	return c == SP_CANON_RELAXED ? "relaxed" : "simple";
}

static void
join_list(struct sp_buf *b, const struct sp_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		join(b, l->v[i]);
}

/* MTA-STS, TLS-RPT, TLSA and CAA names; false: not one of them. */
static bool
render_policy(const struct sp_dns_policy *pol, const char *name,
    struct sp_buf *b)
{
	static const char *const modes[] = { "none", "testing", "enforce" };

	if (strcmp(name, "mta_sts") == 0)
		sp_buf_puts(b, modes[pol->mta_sts]);
	else if (strcmp(name, "mta_sts_max_age") == 0)
		sp_buf_printf(b, "%lu", pol->mta_sts_max_age);
	else if (strcmp(name, "mta_sts_host") == 0)
		join_list(b, &pol->mta_sts_host);
	else if (strcmp(name, "tls_rpt") == 0)
		join_list(b, &pol->tls_rpt);
	else if (strcmp(name, "tls_cert") == 0)
		sp_buf_puts(b, pol->tls_cert ? pol->tls_cert : "(unset)");
	else if (strcmp(name, "caa") == 0)
		join_list(b, &pol->caa);
	else if (strcmp(name, "caa_iodef") == 0)
		sp_buf_puts(b, pol->caa_iodef ? pol->caa_iodef : "(unset)");
	else
		return false;
	return true;
}

/* The `dnsgen publish` names (struct sp_dns_update) as text. */
static bool
render_update(const struct sp_dns_update *u, const char *name,
    struct sp_buf *b)
{
	if (strcmp(name, "update_server") == 0)
		sp_buf_puts(b, u->server ? u->server : "(unset)");
	else if (strcmp(name, "update_key") == 0)
		sp_buf_puts(b, u->key ? u->key : "(unset)");
	else if (strcmp(name, "publish") == 0)
		sp_buf_puts(b, u->publish == SP_PUBLISH_ALL ? "all" : "dkim");
	else
		return false;
	return true;
}

/* A [dns] value as text, the way the tables below write it. */
static void
render_dns(const struct sp_dns_conf *dns, const char *name, struct sp_buf *b)
{
	if (strcmp(name, "ttl") == 0)
		sp_buf_printf(b, "%u", dns->ttl);
	else if (strcmp(name, "mail_host") == 0)
		sp_buf_puts(b, dns->mail_host ? dns->mail_host : "(unset)");
	else if (strcmp(name, "ipv4") == 0 || strcmp(name, "ipv6") == 0) {
		const struct sp_list *l = name[3] == '4' ? &dns->ipv4 : &dns->ipv6;

		for (size_t i = 0; i < l->n; i++)
			join(b, l->v[i]);
	} else if (strcmp(name, "mx") == 0) {
		for (size_t i = 0; i < dns->n_mx; i++) {
			char entry[300];

			snprintf(entry, sizeof(entry), "%u %s", dns->mx[i].priority,
			    dns->mx[i].host);
			join(b, entry);
		}
	} else if (strcmp(name, "spf") == 0)
		sp_buf_puts(b, dns->spf);
	else if (strcmp(name, "dmarc") == 0)
		sp_buf_puts(b, dns->dmarc);
	else if (strcmp(name, "services") == 0) {
		for (size_t i = 0; i < SP_SVC_COUNT; i++)
			if (dns->services & sp_services[i].bit)
				join(b, sp_services[i].name);
	} else if (strcmp(name, "autodiscover") == 0)
		sp_buf_puts(b, yes_no(dns->autodiscover));
	else if (!render_policy(&dns->policy, name, b) &&
	    !render_update(&dns->update, name, b))
		bail_out("render_dns: unknown name %s", name);
}

static void
render_list(const struct sp_list *l, struct sp_buf *b)
{
	for (size_t i = 0; i < l->n; i++)
		join(b, l->v[i]);
}

/* Any value as text; `d` selects a domain's [dns] values and own names. */
static char *
render(const struct sp_config *c, const struct sp_domain *d, const char *name)
{
	const struct sp_milter_conf *m = &c->milter;
	const struct sp_signing_conf *s = &c->signing;
	struct sp_buf b = SP_BUF_INIT;

	if (strcmp(name, "socket") == 0)
		sp_buf_puts(&b, m->socket);
	else if (strcmp(name, "socket_mode") == 0)
		sp_buf_printf(&b, "%04o", m->socket_mode);
	else if (strcmp(name, "user") == 0)
		sp_buf_puts(&b, m->user ? m->user : "(unset)");
	else if (strcmp(name, "pidfile") == 0)
		sp_buf_puts(&b, m->pidfile);
	else if (strcmp(name, "internal_hosts") == 0) {
		for (size_t i = 0; i < m->n_internal_hosts; i++) {
			char text[SP_CIDR_TEXT_MAX];

			sp_cidr_format(&m->internal_hosts[i], text, sizeof(text));
			join(&b, text);
		}
	} else if (strcmp(name, "sign_authenticated") == 0)
		sp_buf_puts(&b, yes_no(m->sign_authenticated));
	else if (strcmp(name, "on_error") == 0)
		sp_buf_puts(&b, m->on_error == SP_ON_ERROR_ACCEPT ? "accept" :
		    "tempfail");
	else if (strcmp(name, "log_level") == 0)
		sp_buf_puts(&b, sp_log_level_name(m->log_level));
	else if (strcmp(name, "max_header_fields") == 0)
		sp_buf_printf(&b, "%zu", m->limits.fields);
	else if (strcmp(name, "max_header_bytes") == 0)
		sp_buf_printf(&b, "%zu", m->limits.bytes);
	else if (strcmp(name, "max_field_bytes") == 0)
		sp_buf_printf(&b, "%zu", m->limits.field_bytes);
	else if (strcmp(name, "metrics_file") == 0)
		sp_buf_puts(&b, m->metrics_file ? m->metrics_file : "(unset)");
	else if (strcmp(name, "metrics_per_domain") == 0)
		sp_buf_puts(&b, yes_no(m->metrics_per_domain));
	else if (strcmp(name, "keys_dir") == 0)
		sp_buf_puts(&b, s->keys_dir);
	else if (strcmp(name, "canonicalization") == 0)
		sp_buf_printf(&b, "%s/%s", canon_name(s->header_canon),
		    canon_name(s->body_canon));
	else if (strcmp(name, "sign_headers") == 0)
		render_list(&s->sign_headers, &b);
	else if (strcmp(name, "oversign_headers") == 0)
		render_list(&s->oversign_headers, &b);
	else if (strcmp(name, "expire") == 0)
		sp_buf_printf(&b, "%lu", s->expire);
	else if (strcmp(name, "allow_weak_rsa") == 0)
		sp_buf_puts(&b, yes_no(s->allow_weak_rsa));
	else if (strcmp(name, "selector") == 0) {
		for (size_t i = 0; d != NULL && i < d->n_selectors; i++)
			join(&b, d->selectors[i].name);
	} else if (strcmp(name, "subdomains") == 0)
		sp_buf_puts(&b, d != NULL ? yes_no(d->subdomains) : "(none)");
	else
		render_dns(d != NULL ? &d->dns : &c->dns, name, &b);
	return sp_buf_steal(&b);
}

/*
 * One value of one name. `want` is the parsed value rendered as text, or
 * NULL when the value must be refused with a message that starts
 * "t.conf:LINE: NAME: " and contains `why`.
 */
struct value_case {
	const char *section;    /* milter, signing, dns (also run in a domain), domain */
	const char *name;
	const char *value;
	const char *want;
	const char *why;
};

static const struct value_case value_cases[] = {
	/* [milter] */
	{ "milter", "socket", "inet:8891@127.0.0.1", "inet:8891@127.0.0.1", NULL },
	{ "milter", "socket", "inet:8891@localhost", "inet:8891@localhost", NULL },
	{ "milter", "socket", "inet:1@mail.example.com", "inet:1@mail.example.com", NULL },
	{ "milter", "socket", "inet:65535@127.0.0.1", "inet:65535@127.0.0.1", NULL },
	{ "milter", "socket", "inet6:8891@::1", "inet6:8891@::1", NULL },
	{ "milter", "socket", "inet6:8891@[::1]", "inet6:8891@[::1]", NULL },
	{ "milter", "socket", "inet6:8891@[127.0.0.1]", NULL, "is not an IPv6 address in brackets" },
	{ "milter", "socket", "inet:8891@[::1]", NULL, "is not an IPv4 address or host name" },
	{ "milter", "socket", "unix:/run/signpost/milter.sock", "unix:/run/signpost/milter.sock", NULL },
	{ "milter", "socket", "local:/run/signpost/m.sock", "local:/run/signpost/m.sock", NULL },
	{ "milter", "socket", "inet:8891@127.0.0.1\t# a tab, then a comment", "inet:8891@127.0.0.1", NULL },
	{ "milter", "socket", "inet:0@127.0.0.1", NULL, "port \"0\" is not a number from 1 to 65535" },
	{ "milter", "socket", "inet:65536@127.0.0.1", NULL, "port \"65536\" is not a number from 1 to 65535" },
	{ "milter", "socket", "inet:88a1@127.0.0.1", NULL, "port \"88a1\" is not a number" },
	{ "milter", "socket", "inet:@127.0.0.1", NULL, "needs a port and a host" },
	{ "milter", "socket", "inet:8891", NULL, "needs a port and a host" },
	{ "milter", "socket", "inet:8891@", NULL, "needs a port and a host" },
	{ "milter", "socket", "inet:8891@::1", NULL, "is an IPv6 address (use inet6:PORT@::1)" },
	{ "milter", "socket", "inet6:8891@192.0.2.1", NULL, "\"192.0.2.1\" is not an IPv6 address or host name" },
	{ "milter", "socket", "inet:8891@bad_host", NULL, "\"bad_host\" is not an IPv4 address or host name" },
	{ "milter", "socket", "unix:run/milter.sock", NULL, "the socket path must be absolute" },
	{ "milter", "socket", "unix:/run/signpost/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock", NULL, "socket path is longer than 107 bytes" },
	{ "milter", "socket", "tcp:8891@127.0.0.1", NULL, "is not a socket (unix:/PATH, local:/PATH, inet:PORT@HOST or inet6:PORT@HOST)" },
	{ "milter", "socket", "", NULL, "\"\" is not a socket" },
	{ "milter", "socket_mode", "0660", "0660", NULL },
	{ "milter", "socket_mode", "660", "0660", NULL },
	{ "milter", "socket_mode", "0777", "0777", NULL },
	{ "milter", "socket_mode", "0", "0000", NULL },
	{ "milter", "socket_mode", "0778", NULL, "\"0778\" is not an octal mode (0000 to 0777" },
	{ "milter", "socket_mode", "01000", NULL, "is not an octal mode" },
	{ "milter", "socket_mode", "0x1ff", NULL, "is not an octal mode" },
	{ "milter", "socket_mode", "-1", NULL, "is not an octal mode" },
	{ "milter", "socket_mode", "rw-rw----", NULL, "is not an octal mode" },
	{ "milter", "socket_mode", "", NULL, "is not an octal mode" },
	{ "milter", "user", "signpost", "signpost", NULL },
	{ "milter", "user", "_signpost", "_signpost", NULL },
	{ "milter", "user", "dkim-signer.1", "dkim-signer.1", NULL },
	{ "milter", "user", "", "(unset)", NULL },
	{ "milter", "user", "-signpost", NULL, "is not a user name" },
	{ "milter", "user", "root:root", NULL, "is not a user name" },
	{ "milter", "user", "sign post", NULL, "is not a user name" },
	{ "milter", "user", "abcdefghijklmnopqrstuvwxyz0123456", NULL, "is longer than 32 characters" },
	{ "milter", "pidfile", "/run/signpost/signpost-milter.pid", "/run/signpost/signpost-milter.pid", NULL },
	{ "milter", "pidfile", "run/signpost.pid", NULL, "\"run/signpost.pid\" is not an absolute path" },
	{ "milter", "pidfile", "", NULL, "is not an absolute path" },
	{ "milter", "metrics_file", "/var/lib/prometheus/node-exporter/signpost.prom", "/var/lib/prometheus/node-exporter/signpost.prom", NULL },
	{ "milter", "metrics_file", "", "(unset)", NULL },
	{ "milter", "metrics_file", "signpost.prom", NULL, "\"signpost.prom\" is not an absolute path" },
	{ "milter", "metrics_file", "/var/lib/node-exporter/", NULL, "\"/var/lib/node-exporter/\" names a directory: give a file name, e.g. /var/lib/node-exporter/signpost.prom" },
	{ "milter", "metrics_per_domain", "yes", "yes", NULL },
	{ "milter", "metrics_per_domain", "no", "no", NULL },
	{ "milter", "metrics_per_domain", "some", NULL, "\"some\" is not a boolean" },
	{ "milter", "internal_hosts", "127.0.0.0/8, ::1", "127.0.0.0/8, ::1/128", NULL },
	{ "milter", "internal_hosts", "10.0.0.0/8 192.168.0.0/16,172.16.0.0/12", "10.0.0.0/8, 192.168.0.0/16, 172.16.0.0/12", NULL },
	{ "milter", "internal_hosts", "2001:db8::/32,,  ::ffff:192.0.2.0/120", "2001:db8::/32, 192.0.2.0/24", NULL },
	{ "milter", "internal_hosts", "", "", NULL },
	{ "milter", "internal_hosts", "10.1.2.3/8", NULL, "\"10.1.2.3/8\" has host bits set after the /8 prefix (write the network: 10.0.0.0/8)" },
	{ "milter", "internal_hosts", "10.0.0.0/8, bogus", NULL, "\"bogus\" is not an IPv4 or IPv6 address" },
	{ "milter", "internal_hosts", "::1/129", NULL, "bad prefix length \"/129\" (0 to 128)" },
	{ "milter", "sign_authenticated", "yes", "yes", NULL },
	{ "milter", "sign_authenticated", "no", "no", NULL },
	{ "milter", "sign_authenticated", "true", "yes", NULL },
	{ "milter", "sign_authenticated", "false", "no", NULL },
	{ "milter", "sign_authenticated", "on", "yes", NULL },
	{ "milter", "sign_authenticated", "OFF", "no", NULL },
	{ "milter", "sign_authenticated", "maybe", NULL, "\"maybe\" is not a boolean (yes, no, true, false, on or off)" },
	{ "milter", "sign_authenticated", "1", NULL, "is not a boolean" },
	{ "milter", "sign_authenticated", "", NULL, "is not a boolean" },
	{ "milter", "on_error", "tempfail", "tempfail", NULL },
	{ "milter", "on_error", "accept", "accept", NULL },
	{ "milter", "on_error", "Accept", "accept", NULL },
	{ "milter", "on_error", "reject", NULL, "\"reject\" is not allowed (tempfail or accept)" },
	{ "milter", "on_error", "", NULL, "is not allowed (tempfail or accept)" },
	{ "milter", "log_level", "error", "error", NULL },
	{ "milter", "log_level", "warning", "warning", NULL },
	{ "milter", "log_level", "notice", "notice", NULL },
	{ "milter", "log_level", "info", "info", NULL },
	{ "milter", "log_level", "DEBUG", "debug", NULL },
	{ "milter", "log_level", "warn", NULL, "\"warn\" is not a log level (error, warning, notice, info or debug)" },
	{ "milter", "log_level", "verboseverboseverbose", NULL, "is not a log level" },
	{ "milter", "log_level", "", NULL, "is not a log level" },
	{ "milter", "max_header_fields", "100", "100", NULL },
	{ "milter", "max_header_fields", "10000000", "10000000", NULL },
	{ "milter", "max_header_fields", "99", NULL, "\"99\" is out of range (100 to 10000000)" },
	{ "milter", "max_header_fields", "10000001", NULL, "is out of range" },
	{ "milter", "max_header_fields", "1k", NULL, "\"1k\" is not a number (digits)" },
	{ "milter", "max_header_fields", "", NULL, "is not a number" },
	{ "milter", "max_header_bytes", "16384", "16384", NULL },
	{ "milter", "max_header_bytes", "16k", "16384", NULL },
	{ "milter", "max_header_bytes", "8M", "8388608", NULL },
	{ "milter", "max_header_bytes", "1024m", "1073741824", NULL },
	{ "milter", "max_header_bytes", "16383", NULL, "\"16383\" is out of range (16384 to 1073741824 bytes)" },
	{ "milter", "max_header_bytes", "1025m", NULL, "is out of range" },
	{ "milter", "max_header_bytes", "2g", NULL, "\"2g\" is not a size (digits, optionally followed by k or m, e.g. 2m)" },
	{ "milter", "max_header_bytes", "-1", NULL, "is not a size" },
	{ "milter", "max_field_bytes", "1k", "1024", NULL },
	{ "milter", "max_field_bytes", "1023", NULL, "is out of range (1024 to 1073741824 bytes)" },
	{ "milter", "max_field_bytes", "1 m", NULL, "is not a size" },
	/* [signing] */
	{ "signing", "keys_dir", "/etc/signpost/keys", "/etc/signpost/keys", NULL },
	{ "signing", "keys_dir", "/srv/dkim//", "/srv/dkim", NULL },
	{ "signing", "keys_dir", "/", "/", NULL },
	{ "signing", "keys_dir", "keys", NULL, "\"keys\" is not an absolute path" },
	{ "signing", "keys_dir", "", NULL, "is not an absolute path" },
	{ "signing", "canonicalization", "relaxed/relaxed", "relaxed/relaxed", NULL },
	{ "signing", "canonicalization", "simple/simple", "simple/simple", NULL },
	{ "signing", "canonicalization", "relaxed/simple", "relaxed/simple", NULL },
	{ "signing", "canonicalization", "simple/relaxed", "simple/relaxed", NULL },
	{ "signing", "canonicalization", "relaxed", "relaxed/simple", NULL },
	{ "signing", "canonicalization", "simple", "simple/simple", NULL },
	{ "signing", "canonicalization", "Relaxed/RELAXED", "relaxed/relaxed", NULL },
	{ "signing", "canonicalization", "relaxed/", NULL, "\"relaxed/\" is not a canonicalization (HEADER/BODY" },
	{ "signing", "canonicalization", "/relaxed", NULL, "is not a canonicalization" },
	{ "signing", "canonicalization", "relaxed/relaxed/relaxed", NULL, "is not a canonicalization" },
	{ "signing", "canonicalization", "nofws", NULL, "is not a canonicalization" },
	{ "signing", "canonicalization", "", NULL, "is not a canonicalization" },
	{ "signing", "sign_headers", "From, To,Subject  Date", "from, to, subject, date", NULL },
	{ "signing", "sign_headers", "from", "from", NULL },
	{ "signing", "sign_headers", "from, x-mailer", "from, x-mailer", NULL },
	{ "signing", "sign_headers", "to, subject", NULL, "the list must contain \"from\"" },
	{ "signing", "sign_headers", "", NULL, "the list must contain \"from\"" },
	{ "signing", "sign_headers", "from, received", NULL, "\"received\" must not be signed (Postfix and every later hop add Received: fields after signing)" },
	{ "signing", "sign_headers", "from, Return-Path", NULL, "\"return-path\" must not be signed (the receiving server adds Return-Path: at delivery)" },
	{ "signing", "sign_headers", "from, dkim-signature", NULL, "\"dkim-signature\" must not be signed" },
	{ "signing", "sign_headers", "from, subject, From", NULL, "\"from\" is listed twice" },
	{ "signing", "sign_headers", "from, x:y", NULL, "\"x:y\" is not a header field name" },
	{ "signing", "sign_headers", "from, caf\xc3\xa9", NULL, "is not a header field name: it has a byte that is not printable ASCII" },
	{ "signing", "sign_headers", "from, x;y", NULL, "\"x;y\" is not a header field name: it contains ';', which would end the h= tag of a DKIM-Signature (RFC 6376 section 3.2)" },
	{ "signing", "sign_headers", "from;subject", NULL, "\"from;subject\" is not a header field name: it contains ';'" },
	{ "signing", "sign_headers", "from, x!#$%&'*+^`|~", "from, x!#$%&'*+^`|~", NULL },
	{ "signing", "oversign_headers", "from, subject", "from, subject", NULL },
	{ "signing", "oversign_headers", "", "", NULL },
	{ "signing", "oversign_headers", "from, received", NULL, "\"received\" must not be signed" },
	{ "signing", "oversign_headers", "from, x;y", NULL, "\"x;y\" is not a header field name: it contains ';'" },
	{ "signing", "oversign_headers", "from, x-custom", NULL, "\"x-custom\" is not in sign_headers (only signed fields can be oversigned)" },
	{ "signing", "expire", "0", "0", NULL },
	{ "signing", "expire", "3600", "3600", NULL },
	{ "signing", "expire", "30s", "30", NULL },
	{ "signing", "expire", "90m", "5400", NULL },
	{ "signing", "expire", "1h", "3600", NULL },
	{ "signing", "expire", "7d", "604800", NULL },
	{ "signing", "expire", "2W", "1209600", NULL },
	{ "signing", "expire", "2147483647", "2147483647", NULL },
	{ "signing", "expire", "-1", NULL, "\"-1\" is not a number of seconds (digits, optionally followed by s, m, h, d or w" },
	{ "signing", "expire", "1y", NULL, "is not a number of seconds" },
	{ "signing", "expire", "1 h", NULL, "is not a number of seconds" },
	{ "signing", "expire", "1hh", NULL, "is not a number of seconds" },
	{ "signing", "expire", "", NULL, "is not a number of seconds" },
	{ "signing", "expire", "2147483648", NULL, "\"2147483648\" is out of range (0 to 2147483647 seconds)" },
	{ "signing", "expire", "99999999999999999999999", NULL, "is out of range" },
	{ "signing", "expire", "3551w", NULL, "is out of range" },
	{ "signing", "allow_weak_rsa", "no", "no", NULL },
	{ "signing", "allow_weak_rsa", "yes", "yes", NULL },
	{ "signing", "allow_weak_rsa", "1024", NULL, "is not a boolean" },
	/* [dns], each also tried as a [domain] override */
	{ "dns", "ttl", "3600", "3600", NULL },
	{ "dns", "ttl", "1", "1", NULL },
	{ "dns", "ttl", "2147483647", "2147483647", NULL },
	{ "dns", "ttl", "1h", "3600", NULL },
	{ "dns", "ttl", "1d", "86400", NULL },
	{ "dns", "ttl", "1w", "604800", NULL },
	{ "dns", "ttl", "0", NULL, "\"0\" is out of range (1 to 2147483647 seconds)" },
	{ "dns", "ttl", "0h", NULL, "is out of range" },
	{ "dns", "ttl", "2147483648", NULL, "is out of range" },
	{ "dns", "ttl", "-5", NULL, "is not a number of seconds" },
	{ "dns", "ttl", "1.5h", NULL, "is not a number of seconds" },
	{ "dns", "mail_host", "mail.example.com", "mail.example.com", NULL },
	{ "dns", "mail_host", "MAIL.Example.COM.", "mail.example.com", NULL },
	{ "dns", "mail_host", "xn--bcher-kva.example", "xn--bcher-kva.example", NULL },
	{ "dns", "mail_host", "", "(unset)", NULL },
	{ "dns", "mail_host", "mail_1.example.com", NULL, "host \"mail_1.example.com\" has a character other than letters, digits, '-' and '.'" },
	{ "dns", "mail_host", "192.0.2.25", NULL, "ends in an all-numeric label (no top-level domain is all digits; an IP address is not a host name)" },
	{ "dns", "mail_host", "mail..example.com", NULL, "has an empty label" },
	{ "dns", "mail_host", "-mail.example.com", NULL, "has a label that starts with '-'" },
	{ "dns", "mail_host", "mail-.example.com", NULL, "has a label that ends with '-'" },
	{ "dns", "mail_host", "b\xc3\xbc" "cher.example", NULL, "is not ASCII (write an internationalised name in its xn-- form)" },
	{ "dns", "mail_host", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", NULL, "has a label longer than 63 characters" },
	{ "dns", "mail_host", ".", NULL, "has an empty label" },
	{ "dns", "ipv4", "203.0.113.25", "203.0.113.25", NULL },
	{ "dns", "ipv4", "203.0.113.25, 203.0.113.26", "203.0.113.25, 203.0.113.26", NULL },
	{ "dns", "ipv4", "", "", NULL },
	{ "dns", "ipv4", "2001:db8::25", NULL, "\"2001:db8::25\" is not an IPv4 address" },
	{ "dns", "ipv4", "203.0.113.256", NULL, "is not an IPv4 address" },
	{ "dns", "ipv4", "203.0.113.0/24", NULL, "is not an IPv4 address" },
	{ "dns", "ipv6", "2001:db8::25", "2001:db8::25", NULL },
	{ "dns", "ipv6", "2001:db8::25 2001:db8::26", "2001:db8::25, 2001:db8::26", NULL },
	{ "dns", "ipv6", "203.0.113.25", NULL, "\"203.0.113.25\" is not an IPv6 address" },
	{ "dns", "ipv6", "2001:db8::/64", NULL, "is not an IPv6 address" },
	{ "dns", "ipv6", "fe80::1%eth0", NULL, "is not an IPv6 address" },
	{ "dns", "mx", "10 mail.example.com", "10 mail.example.com", NULL },
	{ "dns", "mx", "10 mail.example.com, 20 backup.example.net.", "10 mail.example.com, 20 backup.example.net", NULL },
	{ "dns", "mx", "0 MX.Example.COM,", "0 mx.example.com", NULL },
	{ "dns", "mx", "65535\ta.example.com", "65535 a.example.com", NULL },
	{ "dns", "mx", "", "", NULL },
	{ "dns", "mx", "mail.example.com", NULL, "\"mail.example.com\" is not one \"PRIORITY HOST\" entry" },
	{ "dns", "mx", "10 a.example.com 20 b.example.com", NULL, "is not one \"PRIORITY HOST\" entry" },
	{ "dns", "mx", "mail.example.com 10", NULL, "MX priority \"mail.example.com\" is not a number from 0 to 65535" },
	{ "dns", "mx", "65536 a.example.com", NULL, "MX priority \"65536\" is not a number from 0 to 65535" },
	{ "dns", "mx", "-1 a.example.com", NULL, "is not a number from 0 to 65535" },
	{ "dns", "mx", "10 192.0.2.1", NULL, "MX host \"192.0.2.1\" is an IP address (an MX record names a host, RFC 5321 section 5.1" },
	{ "dns", "mx", "10 [192.0.2.1]", NULL, "is an IP address" },
	{ "dns", "mx", "10 2001:db8::1", NULL, "is an IP address" },
	{ "dns", "mx", "10 mail_x.example.com", NULL, "MX host \"mail_x.example.com\" has a character" },
	{ "dns", "spf", "-all", "-all", NULL },
	{ "dns", "spf", "include:_spf.example.net ~all", "include:_spf.example.net ~all", NULL },
	{ "dns", "spf", "a:mx#1.example.com -all", "a:mx#1.example.com -all", NULL },
	{ "dns", "spf", "v=spf1 -all", NULL, "\"v=spf1 -all\" starts with \"v=spf1\" (write only what follows it" },
	{ "dns", "spf", "", NULL, "is empty (it follows \"v=spf1\" in the record)" },
	{ "dns", "spf", "caf\xc3\xa9 -all", NULL, "is not printable ASCII" },
	{ "dns", "dmarc", "p=reject; rua=mailto:dmarc@example.com", "p=reject; rua=mailto:dmarc@example.com", NULL },
	{ "dns", "dmarc", "p=none; sp=reject   # a comment after it", "p=none; sp=reject", NULL },
	{ "dns", "dmarc", "V=DMARC1; p=none", NULL, "starts with \"v=DMARC1\"" },
	{ "dns", "dmarc", "", NULL, "is empty (it follows \"v=DMARC1\" in the record)" },
	{ "dns", "services", "submissions, submission, imaps", "submissions, submission, imaps", NULL },
	{ "dns", "services", "pop3 imap pop3s", "imap, pop3s, pop3", NULL },
	{ "dns", "services", "IMAPS", "imaps", NULL },
	{ "dns", "services", "", "", NULL },
	{ "dns", "services", "smtp", NULL, "unknown service \"smtp\" (submissions, submission, imaps, imap, pop3s, pop3)" },
	{ "dns", "services", "imaps, http", NULL, "unknown service \"http\"" },
	{ "dns", "autodiscover", "yes", "yes", NULL },
	{ "dns", "autodiscover", "off", "no", NULL },
	{ "dns", "autodiscover", "maybe", NULL, "is not a boolean" },
	/* MTA-STS (RFC 8461) */
	{ "dns", "mta_sts", "enforce", "enforce", NULL },
	{ "dns", "mta_sts", "testing", "testing", NULL },
	{ "dns", "mta_sts", "none", "none", NULL },
	{ "dns", "mta_sts", "Enforce", NULL, "is not a mode (none, testing or enforce)" },
	{ "dns", "mta_sts", "yes", NULL, "is not a mode" },
	{ "dns", "mta_sts", "", NULL, "is not a mode" },
	{ "dns", "mta_sts_max_age", "86400", "86400", NULL },
	{ "dns", "mta_sts_max_age", "1w", "604800", NULL },
	{ "dns", "mta_sts_max_age", "31557600", "31557600", NULL },
	{ "dns", "mta_sts_max_age", "31557601", NULL, "is out of range (1 to 31557600 seconds)" },
	{ "dns", "mta_sts_max_age", "0", NULL, "is out of range" },
	{ "dns", "mta_sts_max_age", "week", NULL, "is not a number of seconds" },
	{ "dns", "mta_sts_host", "192.0.2.80, 2001:DB8::80", "192.0.2.80, 2001:db8::80", NULL },
	{ "dns", "mta_sts_host", "", "", NULL },
	{ "dns", "mta_sts_host", "www.example.com", NULL, "\"www.example.com\" is not an IPv4 or IPv6 address" },
	{ "dns", "mta_sts_host", "192.0.2.300", NULL, "is not an IPv4 or IPv6 address" },
	/* TLS-RPT (RFC 8460) */
	{ "dns", "tls_rpt", "mailto:tlsrpt@example.com", "mailto:tlsrpt@example.com", NULL },
	{ "dns", "tls_rpt", "mailto:a@example.com, https://r.example.net/tls", "mailto:a@example.com, https://r.example.net/tls", NULL },
	{ "dns", "tls_rpt", "https://r.example.net:8443/v1/tls?x=1", "https://r.example.net:8443/v1/tls?x=1", NULL },
	{ "dns", "tls_rpt", "http://r.example.net/tls", NULL, "is neither a mailto: nor an https: URI" },
	{ "dns", "tls_rpt", "tlsrpt@example.com", NULL, "is neither a mailto: nor an https: URI" },
	{ "dns", "tls_rpt", "mailto:tlsrpt", NULL, "is not mailto:LOCAL@DOMAIN" },
	{ "dns", "tls_rpt", "mailto:@example.com", NULL, "is not mailto:LOCAL@DOMAIN" },
	{ "dns", "tls_rpt", "mailto:a@bad_host", NULL, "does not name a valid host" },
	{ "dns", "tls_rpt", "mailto:a!b@example.com", NULL, "holds '!'" },
	{ "dns", "tls_rpt", "mailto:a;b@example.com", NULL, "holds a space, '\"', ';', ','" },
	{ "dns", "tls_rpt", "https://", NULL, "has no host after https://" },
	{ "dns", "tls_rpt", "https://192.0.2.1/x", NULL, "does not name a valid host" },
	/* DANE (RFC 7672) */
	{ "dns", "tls_cert", "/etc/letsencrypt/live/mail/fullchain.pem", "/etc/letsencrypt/live/mail/fullchain.pem", NULL },
	{ "dns", "tls_cert", "", "(unset)", NULL },
	{ "dns", "tls_cert", "fullchain.pem", NULL, "absolute" },
	/* CAA (RFC 8659) */
	{ "dns", "caa", "letsencrypt.org", "letsencrypt.org", NULL },
	{ "dns", "caa", "LetsEncrypt.org, sectigo.com.", "letsencrypt.org, sectigo.com", NULL },
	{ "dns", "caa", "", "", NULL },
	{ "dns", "caa", "lets_encrypt.org", NULL, "CA domain \"lets_encrypt.org\"" },
	{ "dns", "caa", "192.0.2.1", NULL, "all-numeric" },
	{ "dns", "caa_iodef", "mailto:security@example.com", "mailto:security@example.com", NULL },
	{ "dns", "caa_iodef", "https://iodef.example.com/", "https://iodef.example.com/", NULL },
	{ "dns", "caa_iodef", "", "(unset)", NULL },
	{ "dns", "caa_iodef", "security@example.com", NULL, "is neither a mailto: nor an https: URI" },
	{ "dns", "update_server", "192.0.2.53", "192.0.2.53", NULL },
	{ "dns", "update_server", "2001:db8::53#5353", "2001:db8::53#5353", NULL },
	{ "dns", "update_server", "127.0.0.1#65535", "127.0.0.1#65535", NULL },
	{ "dns", "update_server", "", "(unset)", NULL },
	{ "dns", "update_server", "ns1.example.com", NULL, "\"ns1.example.com\" is not ADDR[#PORT] (an IPv4 or IPv6 address, e.g. 192.0.2.53 or 2001:db8::53#5353)" },
	{ "dns", "update_server", "192.0.2.53#0", NULL, "\"192.0.2.53#0\" is not ADDR[#PORT]" },
	{ "dns", "update_server", "192.0.2.53#65536", NULL, "is not ADDR[#PORT]" },
	{ "dns", "update_server", "192.0.2.53#", NULL, "is not ADDR[#PORT]" },
	{ "dns", "update_server", "192.0.2.53#53x", NULL, "is not ADDR[#PORT]" },
	{ "dns", "update_server", "192.0.2.53:53", NULL, "is not ADDR[#PORT]" },
	{ "dns", "update_key", "/etc/signpost/update.key", "/etc/signpost/update.key", NULL },
	{ "dns", "update_key", "", "(unset)", NULL },
	{ "dns", "update_key", "update.key", NULL, "is not an absolute path" },
	{ "dns", "publish", "dkim", "dkim", NULL },
	{ "dns", "publish", "all", "all", NULL },
	{ "dns", "publish", "DKIM", NULL, "\"DKIM\" is not dkim or all" },
	{ "dns", "publish", "", NULL, "is not dkim or all" },
	/* [domain NAME] only */
	{ "domain", "selector", "2026r, 2026e", "2026r, 2026e", NULL },
	{ "domain", "selector", "s1", "s1", NULL },
	{ "domain", "selector", "mail.2026", "mail.2026", NULL },
	{ "domain", "selector", "Sel-1", "Sel-1", NULL },
	{ "domain", "selector", "", NULL, "no selector given (e.g. selector = 2026r)" },
	{ "domain", "selector", "s_1", NULL, "\"s_1\" is not a selector: it has a character other than letters, digits, '-' and '.' (labels of letters, digits and inner '-'" },
	{ "domain", "selector", "../etc", NULL, "\"../etc\" is not a selector" },
	{ "domain", "selector", "a/b", NULL, "is not a selector" },
	{ "domain", "selector", "a..b", NULL, "is not a selector" },
	{ "domain", "selector", "-s", NULL, "is not a selector" },
	{ "domain", "selector", "s-", NULL, "is not a selector" },
	{ "domain", "selector", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, "is not a selector" },
	{ "domain", "selector", "s1, s2, S1", NULL, "\"S1\" is listed twice" },
	{ "domain", "subdomains", "yes", "yes", NULL },
	{ "domain", "subdomains", "no", "no", NULL },
	{ "domain", "subdomains", "sometimes", NULL, "is not a boolean" },
};

/*
 * Build "[SECTION]\nNAME = VALUE\n" (a domain also gets a selector line
 * first, unless the case is about selector) and return the value's line.
 */
static unsigned
value_text(const struct value_case *c, bool in_domain, struct sp_buf *b)
{
	unsigned line = 2;

	sp_buf_reset(b);
	if (in_domain) {
		sp_buf_puts(b, "[domain example.com]\n");
		if (strcmp(c->name, "selector") != 0) {
			sp_buf_puts(b, "selector = s1\n");
			line = 3;
		}
	} else
		sp_buf_printf(b, "[%s]\n", c->section);
	sp_buf_printf(b, "%s = %s\n", c->name, c->value);
	return line;
}

/* The value for a TAP line: ASCII only, other bytes as \xNN. */
static char *
shown(const char *v)
{
	struct sp_buf b = SP_BUF_INIT;

	for (; *v != '\0'; v++)
		if ((unsigned char)*v >= 0x20 && (unsigned char)*v < 0x7f)
			sp_buf_putc(&b, *v);
		else
			sp_buf_printf(&b, "\\x%02x", (unsigned char)*v);
	return sp_buf_steal(&b);
}

static void
run_value_case(const struct value_case *c, bool in_domain)
{
	struct sp_buf text = SP_BUF_INIT;
	unsigned line = value_text(c, in_domain, &text);
	const char *where = in_domain ? "[domain]" : c->section;
	char *value = shown(c->value);
	sp_err err;
	struct sp_config *conf = parse(text.data, &err);

	if (c->want != NULL) {
		char *got;

		if (!ok(conf != NULL, "%s %s = \"%s\": accepted", where, c->name,
		    value)) {
			diag("  refused: %s", err.msg);
			goto out;
		}
		got = render(conf, in_domain ? &conf->domains[0] : NULL, c->name);
		is_str(got, c->want, "%s %s = \"%s\": is \"%s\"", where, c->name,
		    value, c->want);
		free(got);
	} else {
		char prefix[200];

		snprintf(prefix, sizeof(prefix), FILE_NAME ":%u: %s: ", line,
		    c->name);
		if (!ok(conf == NULL && strncmp(err.msg, prefix, strlen(prefix))
		    == 0 && strstr(err.msg, c->why) != NULL,
		    "%s %s = \"%s\": refused at line %u: %s", where, c->name,
		    value, line, c->why))
			diag("  got: %s", conf != NULL ? "(accepted)" : err.msg);
	}
out:
	free(value);
	sp_config_free(conf);
	sp_buf_free(&text);
}

static void
test_values(void)
{
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];
		bool is_dns = strcmp(c->section, "dns") == 0;

		run_value_case(c, strcmp(c->section, "domain") == 0);
		if (is_dns)
			run_value_case(c, true);
	}
}

/* What an empty file gives: SPEC.md's defaults. */
static void
test_defaults(void)
{
	static const struct {
		const char *name, *want;
	} defaults[] = {
		{ "socket", "unix:/var/spool/postfix/signpost/milter.sock" },
		{ "socket_mode", "0660" },
		{ "user", "(unset)" },
		{ "pidfile", RUNSTATEDIR "/signpost/signpost-milter.pid" },
		{ "internal_hosts", "127.0.0.0/8, ::1/128" },
		{ "sign_authenticated", "yes" },
		{ "on_error", "tempfail" },
		{ "log_level", "info" },
		{ "max_header_fields", "10000" },
		{ "max_header_bytes", "4194304" },
		{ "max_field_bytes", "2097152" },
		{ "metrics_file", "(unset)" },
		{ "metrics_per_domain", "no" },
		{ "keys_dir", SYSCONFDIR "/signpost/keys" },
		{ "canonicalization", "relaxed/relaxed" },
		{ "sign_headers", "from, reply-to, subject, date, to, cc, "
		    "resent-date, resent-from, resent-to, resent-cc, "
		    "in-reply-to, references, list-id, list-help, "
		    "list-unsubscribe, list-subscribe, list-post, list-owner, "
		    "list-archive, mime-version, content-type, "
		    "content-transfer-encoding, message-id" },
		{ "oversign_headers", "from, reply-to, subject, to, cc, date, "
		    "message-id, content-type, mime-version" },
		{ "expire", "0" },
		{ "allow_weak_rsa", "no" },
		{ "ttl", "3600" },
		{ "mail_host", "(unset)" },
		{ "ipv4", "" },
		{ "ipv6", "" },
		{ "mx", "" },
		{ "spf", "-all" },
		{ "dmarc", "p=quarantine" },
		{ "services", "submissions, submission, imaps" },
		{ "autodiscover", "yes" },
	};
	sp_err err;
	struct sp_config *conf = parse("", &err);
	const struct sp_dns_conf *dns;

	if (conf == NULL)
		bail_out("an empty file is refused: %s", err.msg);
	is_str(conf->path, FILE_NAME, "defaults: path is the name given");
	ok(conf->n_domains == 0 && conf->domains == NULL,
	    "defaults: no domains");
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		char *got = render(conf, NULL, defaults[i].name);

		is_str(got, defaults[i].want, "defaults: %s", defaults[i].name);
		free(got);
	}
	dns = &conf->dns;
	ok(dns->line.ttl == 0 && dns->line.mail_host == 0 &&
	    dns->line.ipv4 == 0 && dns->line.ipv6 == 0 && dns->line.mx == 0 &&
	    dns->line.spf == 0 && dns->line.dmarc == 0 &&
	    dns->line.services == 0 && dns->line.autodiscover == 0,
	    "defaults: every [dns] line is 0");
	sp_config_free(conf);

	/* The default oversign list follows a shorter sign_headers quietly. */
	conf = parse("[signing]\nsign_headers = date, subject, from, x-a\n", &err);
	if (ok(conf != NULL, "defaults: shorter sign_headers accepted")) {
		char *got = render(conf, NULL, "oversign_headers");

		is_str(got, "from, subject, date",
		    "defaults: oversign_headers keeps only signed fields");
		free(got);
	} else
		diag("  refused: %s", err.msg);
	sp_config_free(conf);

	is_str(sp_config_default_path(), SYSCONFDIR "/signpost/signpost.conf",
	    "defaults: the configuration's own path");
}

/* The services table dnsgen prints from, in its order. */
static void
test_services_table(void)
{
	static const struct sp_service_info want[SP_SVC_COUNT] = {
		{ SP_SVC_SUBMISSIONS, "submissions", 465 },
		{ SP_SVC_SUBMISSION, "submission", 587 },
		{ SP_SVC_IMAPS, "imaps", 993 },
		{ SP_SVC_IMAP, "imap", 143 },
		{ SP_SVC_POP3S, "pop3s", 995 },
		{ SP_SVC_POP3, "pop3", 110 },
	};

	for (size_t i = 0; i < SP_SVC_COUNT; i++)
		ok(sp_services[i].bit == want[i].bit &&
		    strcmp(sp_services[i].name, want[i].name) == 0 &&
		    sp_services[i].port == want[i].port,
		    "services table %zu: %s %u", i, want[i].name, want[i].port);
}

/* [dns] text placed before, between or after the domains. */
static const char dns_block[] =
	"[dns]\n"
	"ttl = 7200\n"
	"mail_host = mail.example.net\n"
	"ipv4 = 192.0.2.1\n"
	"ipv6 = 2001:db8::1\n"
	"spf = ~all\n";
static const char domain_a[] =
	"[domain a.example]\n"
	"selector = s1\n"
	"ttl = 300\n"
	"mx = 5 mx.a.example\n"
	"ipv6 =\n"
	"subdomains = yes\n";
static const char domain_b[] =
	"[domain b.example]\n"
	"selector = s2, s3\n"
	"services = imaps\n";

static const char *const dns_names[] = {
	"ttl", "mail_host", "ipv4", "ipv6", "mx", "spf", "dmarc", "services",
	"autodiscover", "mta_sts", "mta_sts_max_age", "mta_sts_host", "tls_rpt",
	"tls_cert", "caa", "caa_iodef", "update_server", "update_key", "publish",
};

static struct sp_config *
parse_parts(const char *p1, const char *p2, const char *p3)
{
	char *text = sp_xasprintf("%s%s%s", p1, p2, p3);
	sp_err err;
	struct sp_config *conf = parse(text, &err);

	if (conf == NULL)
		bail_out("inheritance file refused: %s", err.msg);
	free(text);
	return conf;
}

static void
check_dns_value(const struct sp_config *conf, const struct sp_domain *d,
    const char *name, const char *want, unsigned want_line, unsigned line)
{
	char *got = render(conf, d, name);

	is_str(got, want, "inherit: %s %s is \"%s\"", d ? d->name : "[dns]",
	    name, want);
	if (!ok(line == want_line, "inherit: %s %s comes from line %u",
	    d ? d->name : "[dns]", name, want_line))
		diag("  got line %u", line);
	free(got);
}

static void
test_inheritance(void)
{
	/* domain a (lines 1-6), [dns] (7-12), domain b (13-15) */
	struct sp_config *conf = parse_parts(domain_a, dns_block, domain_b);
	const struct sp_domain *a = &conf->domains[0], *b = &conf->domains[1];

	ok(conf->n_domains == 2 && a->line == 1 && b->line == 13,
	    "inherit: two domains at their header lines");
	ok(a->n_selectors == 1 && a->selectors[0].line == 2 &&
	    b->n_selectors == 2 && b->selectors[1].line == 14,
	    "inherit: selectors remember their line");
	check_dns_value(conf, a, "ttl", "300", 3, a->dns.line.ttl);
	check_dns_value(conf, a, "mail_host", "mail.example.net", 9,
	    a->dns.line.mail_host);
	check_dns_value(conf, a, "ipv4", "192.0.2.1", 10, a->dns.line.ipv4);
	check_dns_value(conf, a, "ipv6", "", 5, a->dns.line.ipv6);
	check_dns_value(conf, a, "mx", "5 mx.a.example", 4, a->dns.line.mx);
	check_dns_value(conf, a, "spf", "~all", 12, a->dns.line.spf);
	check_dns_value(conf, a, "dmarc", "p=quarantine", 0, a->dns.line.dmarc);
	check_dns_value(conf, a, "services", "submissions, submission, imaps",
	    0, a->dns.line.services);
	check_dns_value(conf, a, "autodiscover", "yes", 0,
	    a->dns.line.autodiscover);
	check_dns_value(conf, b, "ttl", "7200", 8, b->dns.line.ttl);
	check_dns_value(conf, b, "ipv6", "2001:db8::1", 11, b->dns.line.ipv6);
	check_dns_value(conf, b, "mx", "", 0, b->dns.line.mx);
	check_dns_value(conf, b, "services", "imaps", 15, b->dns.line.services);
	check_dns_value(conf, NULL, "ttl", "7200", 8, conf->dns.line.ttl);
	check_dns_value(conf, NULL, "ipv6", "2001:db8::1", 11,
	    conf->dns.line.ipv6);
	ok(a->subdomains && !b->subdomains, "inherit: subdomains is per domain");
	ok(a->dns.mail_host != conf->dns.mail_host &&
	    a->dns.spf != b->dns.spf, "inherit: each domain owns its copies");
	sp_config_free(conf);
}

/* [dns] before, between or after the domains: the same values. */
static void
test_order(void)
{
	struct sp_config *orders[3] = {
		parse_parts(dns_block, domain_a, domain_b),
		parse_parts(domain_a, dns_block, domain_b),
		parse_parts(domain_a, domain_b, dns_block),
	};

	for (size_t o = 1; o < 3; o++) {
		bool same = true;

		for (size_t d = 0; d < 2; d++)
			for (size_t i = 0; i < sizeof(dns_names) /
			    sizeof(dns_names[0]); i++) {
				char *x = render(orders[0], &orders[0]->domains[d],
				    dns_names[i]);
				char *y = render(orders[o], &orders[o]->domains[d],
				    dns_names[i]);

				if (strcmp(x, y) != 0) {
					diag("  %s %s: \"%s\" vs \"%s\"",
					    orders[0]->domains[d].name,
					    dns_names[i], x, y);
					same = false;
				}
				free(x);
				free(y);
			}
		ok(same, "order: [dns] %s the domains gives the same values",
		    o == 1 ? "between" : "after");
	}
	for (size_t o = 0; o < 3; o++)
		sp_config_free(orders[o]);
}

/* The reader's own messages, exactly. */
struct file_case {
	const char *name;
	const char *text;
	const char *want;       /* the whole message */
};

static const struct file_case file_cases[] = {
	{ "unknown section", "[milter]\n[foo]\n",
	    FILE_NAME ":2: unknown section [foo] (sections: [milter], [signing], [dns], [domain NAME])" },
	{ "section names are lower-case", "[Milter]\n",
	    FILE_NAME ":1: unknown section [Milter] (sections: [milter], [signing], [dns], [domain NAME])" },
	{ "unknown name", "[dns]\nttl = 5\nbogus = 1\n",
	    FILE_NAME ":3: unknown name \"bogus\" in [dns] (names there: ttl, mail_host, ipv4, ipv6, mx, spf, dmarc, services, autodiscover, mta_sts, mta_sts_max_age, mta_sts_host, tls_rpt, tls_cert, caa, caa_iodef, check_servers, update_server, update_key, publish)" },
	{ "unknown name in a domain", "[domain example.com]\nselector = s\nselectors = t\n",
	    FILE_NAME ":3: unknown name \"selectors\" in [domain example.com] (names there: ttl, mail_host, ipv4, ipv6, mx, spf, dmarc, services, autodiscover, mta_sts, mta_sts_max_age, mta_sts_host, tls_rpt, tls_cert, caa, caa_iodef, check_servers, update_server, update_key, publish, selector, subdomains, rotate, algorithms, retire_after, revoke_after)" },
	{ "names are lower-case", "[dns]\nTTL = 5\n",
	    FILE_NAME ":2: unknown name \"TTL\" (names are lower-case: ttl)" },
	{ "name in the wrong section", "[milter]\nttl = 5\n",
	    FILE_NAME ":2: ttl does not belong in [milter] (it goes in [dns] or [domain NAME])" },
	{ "selector outside a domain", "[dns]\nselector = s\n",
	    FILE_NAME ":2: selector does not belong in [dns] (it goes in [domain NAME])" },
	{ "signing name in [milter]", "[milter]\nexpire = 5\n",
	    FILE_NAME ":2: expire does not belong in [milter] (it goes in [signing])" },
	{ "missing =", "[milter]\nsocket inet:8891@127.0.0.1   # comment\n",
	    FILE_NAME ":2: \"socket inet:8891@127.0.0.1\" has no '=' (write NAME = VALUE)" },
	{ "no name", "[milter]\n  = inet:8891@127.0.0.1\n",
	    FILE_NAME ":2: no name before '=' (write NAME = VALUE)" },
	{ "before any section", "# top\nttl = 5\n",
	    FILE_NAME ":2: ttl is set before any section (start with [milter], [signing], [dns] or [domain NAME])" },
	{ "name twice", "[milter]\nuser = a\n\nuser = b\n",
	    FILE_NAME ":4: user is set twice in [milter] (the first is at line 2)" },
	{ "name twice in a domain", "[domain example.com]\nselector = a\nttl = 5\nttl = 6\n",
	    FILE_NAME ":4: ttl is set twice in [domain example.com] (the first is at line 3)" },
	{ "selector twice", "[domain example.com]\nselector = a\nselector = b\n",
	    FILE_NAME ":3: selector is set twice in [domain example.com] (the first is at line 2)" },
	{ "section twice", "[dns]\nttl = 5\n[milter]\n[dns]\n",
	    FILE_NAME ":4: [dns] appears twice (the first is at line 1; put all its names in one section)" },
	{ "domain twice, written differently", "[domain example.com]\nselector = a\n[domain Example.COM.]\nselector = b\n",
	    FILE_NAME ":3: duplicate [domain example.com] (the first is at line 1; one section per domain)" },
	{ "domain without selector", "[domain example.com]\nttl = 5\n[domain example.net]\nselector = a\n",
	    FILE_NAME ":1: [domain example.com] has no selector (add \"selector = NAME\" for the key NAME.pem in the domain's key folder, or \"rotate = 90d\" to let dnsgen rotate make keys)" },
	{ "last domain without selector", "[domain example.net]\nselector = a\n\n[domain example.com]\n",
	    FILE_NAME ":4: [domain example.com] has no selector (add \"selector = NAME\" for the key NAME.pem in the domain's key folder, or \"rotate = 90d\" to let dnsgen rotate make keys)" },
	{ "domain without a name", "[domain]\n",
	    FILE_NAME ":1: [domain]: a domain section names one domain (write [domain example.com])" },
	{ "domain with two names", "[domain a.example b.example]\n",
	    FILE_NAME ":1: [domain a.example b.example]: a domain section names one domain (write [domain example.com])" },
	{ "bad domain name", "[domain exa_mple.com]\n",
	    FILE_NAME ":1: domain \"exa_mple.com\" has a character other than letters, digits, '-' and '.'" },
	{ "IP address as a domain", "[domain 192.0.2.1]\n",
	    FILE_NAME ":1: domain \"192.0.2.1\" ends in an all-numeric label (no top-level domain is all digits; an IP address is not a host name)" },
	{ "domain glued to its keyword", "[domainexample.com]\n",
	    FILE_NAME ":1: unknown section [domainexample.com] (sections: [milter], [signing], [dns], [domain NAME])" },
	{ "missing ]", "[milter\n",
	    FILE_NAME ":1: section header without ']' (write [milter], [signing], [dns] or [domain NAME])" },
	{ "text after ]", "[dns] ttl = 5\n",
	    FILE_NAME ":1: text after ']' (only a # comment may follow a section header)" },
	{ "; after ] is not a comment", "[dns] ; defaults\n",
	    FILE_NAME ":1: text after ']' (only a # comment may follow a section header)" },
	{ "quoted value", "[dns]\nspf = \"-all\"\n",
	    FILE_NAME ":2: spf: write the value without quotes" },
	{ "single-quoted value", "[milter]\nuser = 'signpost'\n",
	    FILE_NAME ":2: user: write the value without quotes" },
	{ "control character", "[dns]\nspf = -all\x01\n",
	    FILE_NAME ":2: control character 0x01 (only text and tabs are allowed)" },
	{ "lone CR inside a line", "[dns]\r\nttl = 5\rx\r\n",
	    FILE_NAME ":2: control character 0x0d (only text and tabs are allowed)" },
	{ "escape character", "# \x1b[31mred\n",
	    FILE_NAME ":1: control character 0x1b (only text and tabs are allowed)" },
	{ "Latin-1 byte", "# caf\xe9\n",
	    FILE_NAME ":1: not valid UTF-8 (the file must be UTF-8 text)" },
	{ "overlong UTF-8", "[dns]\n# \xc0\xaf\n",
	    FILE_NAME ":2: not valid UTF-8 (the file must be UTF-8 text)" },
	{ "UTF-8 surrogate", "# \xed\xa0\x80\n",
	    FILE_NAME ":1: not valid UTF-8 (the file must be UTF-8 text)" },
	{ "truncated UTF-8", "# \xe2\x82",
	    FILE_NAME ":1: not valid UTF-8 (the file must be UTF-8 text)" },
	{ "UTF-8 beyond U+10FFFF", "# \xf4\x90\x80\x80\n",
	    FILE_NAME ":1: not valid UTF-8 (the file must be UTF-8 text)" },
	{ "explicit oversign list not signed", "[signing]\noversign_headers = from, cc\nsign_headers = from, to\n",
	    FILE_NAME ":2: oversign_headers: \"cc\" is not in sign_headers (only signed fields can be oversigned)" },
	{ "';' in a signed field name", "[signing]\nsign_headers = from, x;y\n",
	    FILE_NAME ":2: sign_headers: \"x;y\" is not a header field name: it contains ';', which would end the h= tag of a DKIM-Signature (RFC 6376 section 3.2)" },
	{ "selector too long for DNS",
	    "[domain aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.example]\n"
	    "# the domain alone is 200 characters\n"
	    "selector = sssssssssssssssssssssssssssssssssssssssssss\n",
	    FILE_NAME ":3: selector: \"sssssssssssssssssssssssssssssssssssssssssss._domainkey.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.example\" is longer than 253 characters (use a shorter selector)" },
};

static void
test_file_errors(void)
{
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *c = &file_cases[i];
		sp_err err;
		struct sp_config *conf = parse(c->text, &err);

		if (!ok(conf == NULL, "file: %s: refused", c->name)) {
			sp_config_free(conf);
			continue;
		}
		is_str(err.msg, c->want, "file: %s: message", c->name);
	}
	{
		static const char text[] = "[dns]\nttl = 5\0\n";
		sp_err err;
		struct sp_config *conf = sp_config_parse(FILE_NAME, text,
		    sizeof(text) - 1, &err);

		ok(conf == NULL, "file: NUL byte: refused");
		sp_config_free(conf);
		is_str(err.msg, FILE_NAME ":2: NUL byte (the file must be UTF-8 "
		    "text)", "file: NUL byte: message");
	}
}

/* Comments, blank lines, CRLF, a byte order mark: none of them matter. */
static void
test_layout(void)
{
	static const char text[] =
	    "\xef\xbb\xbf# signpost.conf \xe2\x80\x94 UTF-8 comments are fine\r\n"
	    "; a semicolon comment\r\n"
	    "   # an indented comment\r\n"
	    "\t\r\n"
	    "  [ milter ]   # section comment\r\n"
	    "\tsocket=unix:/run/s.sock#not-a-comment\r\n"
	    "user\t=\tsignpost\t# trailing comment\r\n"
	    "[domain\texample.com]#glued comment\r\n"
	    "selector = s1 ;still-a-selector-list? no: see below\r\n";
	static const char text2[] =
	    "[dns]\n"
	    "dmarc = p=reject; rua=mailto:d@example.com; ruf=mailto:f@example.com # c\n"
	    "spf = include:a.example ~all";       /* no final newline */
	sp_err err;
	struct sp_config *conf = parse(text, &err);

	/* ";still..." is not a comment after a value, so it is a selector. */
	if (!ok(conf == NULL, "layout: ';' after a value is not a comment"))
		sp_config_free(conf);
	else
		is_str(err.msg, FILE_NAME ":9: selector: \";still-a-selector-list?\" "
		    "is not a selector: it has a character other than letters, "
		    "digits, '-' and '.' (labels of letters, digits and inner '-', "
		    "separated by dots, at most 63 characters each, e.g. 2026r)",
		    "layout: ';' reported as part of the value");

	{
		char *fixed = sp_xstrdup(text);
		char *semi = strstr(fixed, " ;still");

		strcpy(semi, "  # a comment\r\n");
		conf = parse(fixed, &err);
		free(fixed);
	}
	if (!ok(conf != NULL, "layout: comments, CRLF, BOM and tabs accepted")) {
		diag("  refused: %s", err.msg);
		return;
	}
	is_str(conf->milter.socket, "unix:/run/s.sock#not-a-comment",
	    "layout: '#' without white space before it stays in the value");
	is_str(conf->milter.user, "signpost", "layout: tabs around '=' and value");
	ok(conf->n_domains == 1 && strcmp(conf->domains[0].name,
	    "example.com") == 0 && conf->domains[0].line == 8,
	    "layout: [domain<TAB>NAME] with a comment glued to ']'");
	sp_config_free(conf);

	conf = parse(text2, &err);
	if (!ok(conf != NULL, "layout: ';' inside a value, no final newline")) {
		diag("  refused: %s", err.msg);
		return;
	}
	is_str(conf->dns.dmarc,
	    "p=reject; rua=mailto:d@example.com; ruf=mailto:f@example.com",
	    "layout: dmarc keeps its ';' and loses its comment");
	is_str(conf->dns.spf, "include:a.example ~all",
	    "layout: the last line without a newline is read");
	ok(conf->dns.line.spf == 3, "layout: the last line is line 3");
	sp_config_free(conf);
}

/* sp_config_find_domain / sp_config_domain_named. */
static const char lookup_conf[] =
	"[domain example.com]\nselector = s\nsubdomains = yes\n"
	"[domain deep.sub.example.com]\nselector = s\n"
	"[domain example.org]\nselector = s\n"
	"[domain sub.example.org]\nselector = s\nsubdomains = yes\n"
	"[domain example.net]\nselector = s\nsubdomains = no\n";

static const struct {
	const char *from;
	const char *want;       /* NULL: not ours */
} find_cases[] = {
	{ "example.com", "example.com" },
	{ "mail.example.com", "example.com" },
	{ "a.b.c.example.com", "example.com" },
	{ "deep.sub.example.com", "deep.sub.example.com" },
	{ "sub.example.com", "example.com" },
	{ "x.deep.sub.example.com", "example.com" },
	{ "evilexample.com", NULL },
	{ "example.com.evil.net", NULL },
	{ "xexample.com", NULL },
	{ "EXAMPLE.COM", "example.com" },
	{ "Mail.Example.Com", "example.com" },
	{ "example.com.", "example.com" },
	{ "mail.example.com.", "example.com" },
	{ "example.org", "example.org" },
	{ "www.example.org", NULL },
	{ "sub.example.org", "sub.example.org" },
	{ "x.sub.example.org", "sub.example.org" },
	{ "x.y.sub.example.org", "sub.example.org" },
	{ "example.net", "example.net" },
	{ "www.example.net", NULL },
	{ "com", NULL },
	{ "", NULL },
	{ ".", NULL },
	{ ".example.com", NULL },
	{ "a..example.com", NULL },
	{ "example.com..", NULL },
};

static const struct {
	const char *name;
	const char *want;
} named_cases[] = {
	{ "example.com", "example.com" },
	{ "EXAMPLE.com.", "example.com" },
	{ "mail.example.com", NULL },
	{ "evilexample.com", NULL },
	{ "sub.example.org", "sub.example.org" },
	{ "x.sub.example.org", NULL },
	{ "", NULL },
};

static void
test_lookup(void)
{
	sp_err err;
	struct sp_config *conf = parse(lookup_conf, &err);

	if (conf == NULL)
		bail_out("lookup configuration refused: %s", err.msg);
	for (size_t i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++) {
		const struct sp_domain *d =
		    sp_config_find_domain(conf, find_cases[i].from);

		is_str(d ? d->name : NULL, find_cases[i].want,
		    "find_domain \"%s\" -> %s", find_cases[i].from,
		    find_cases[i].want ? find_cases[i].want : "none");
	}
	ok(sp_config_find_domain(conf, NULL) == NULL, "find_domain NULL -> none");
	for (size_t i = 0; i < sizeof(named_cases) / sizeof(named_cases[0]); i++) {
		const struct sp_domain *d =
		    sp_config_domain_named(conf, named_cases[i].name);

		is_str(d ? d->name : NULL, named_cases[i].want,
		    "domain_named \"%s\" -> %s", named_cases[i].name,
		    named_cases[i].want ? named_cases[i].want : "none");
	}
	sp_config_free(conf);
}

static char *
write_temp(const char *dir, const char *name, const char *text)
{
	char *path = sp_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		bail_out("cannot write %s: %s", path, strerror(errno));
	return path;
}

static void
test_load(const char *dir)
{
	char *missing = sp_xasprintf("%s/missing.conf", dir);
	char *good = write_temp(dir, "good.conf",
	    "[domain example.com]\nselector = s\n");
	char *bad = write_temp(dir, "bad.conf", "[dns]\nttl = never\n");
	char *empty = write_temp(dir, "empty.conf", "");
	char *want;
	sp_err err;
	struct sp_config *conf;

	conf = sp_config_load(missing, &err);
	want = sp_xasprintf("%s: %s", missing, strerror(ENOENT));
	ok(conf == NULL, "load: a missing file is refused");
	is_str(err.msg, want, "load: missing file: \"PATH: strerror\"");
	free(want);

	conf = sp_config_load(dir, &err);
	want = sp_xasprintf("%s: %s", dir, strerror(EISDIR));
	ok(conf == NULL, "load: a directory is refused");
	is_str(err.msg, want, "load: directory: \"PATH: strerror\"");
	free(want);

	if (geteuid() != 0) {
		char *locked = write_temp(dir, "locked.conf", "");

		chmod(locked, 0);
		conf = sp_config_load(locked, &err);
		want = sp_xasprintf("%s: %s", locked, strerror(EACCES));
		ok(conf == NULL, "load: an unreadable file is refused");
		is_str(err.msg, want, "load: unreadable: \"PATH: strerror\"");
		free(want);
		unlink(locked);
		free(locked);
	} else
		diag("running as root: every file is readable, so the "
		    "unreadable-file case is not tried");

	conf = sp_config_load(bad, &err);
	want = sp_xasprintf("%s:2: ttl: \"never\" is not a number of seconds "
	    "(digits, optionally followed by s, m, h, d or w, e.g. 3600 or 1h)",
	    bad);
	ok(conf == NULL, "load: a bad file is refused");
	is_str(err.msg, want, "load: messages name the path and line");
	free(want);

	conf = sp_config_load(good, &err);
	if (ok(conf != NULL, "load: a good file loads")) {
		is_str(conf->path, good, "load: path remembered");
		ok(conf->n_domains == 1, "load: its domain is there");
	} else
		diag("  refused: %s", err.msg);
	sp_config_free(conf);

	conf = sp_config_load(empty, &err);
	ok(conf != NULL && conf->dns.ttl == 3600, "load: an empty file is all defaults");
	sp_config_free(conf);

	unlink(good);
	unlink(bad);
	unlink(empty);
	free(missing);
	free(good);
	free(bad);
	free(empty);
}

/* The annotated sample we ship must load and say what SPEC.md says. */
static void
test_sample(void)
{
	const char *top = getenv("top_srcdir");
	char *path;
	sp_err err;
	struct sp_config *conf;
	const struct sp_domain *d;

	if (top == NULL)
		bail_out("top_srcdir is not set (run through make check)");
	path = sp_xasprintf("%s/etc/signpost.conf", top);
	conf = sp_config_load(path, &err);
	free(path);
	if (!ok(conf != NULL, "sample: etc/signpost.conf loads")) {
		diag("  refused: %s", err.msg);
		return;
	}
	is_str(conf->milter.socket, "unix:/var/spool/postfix/signpost/milter.sock",
	    "sample: socket");
	ok(conf->milter.on_error == SP_ON_ERROR_TEMPFAIL, "sample: on_error");
	ok(conf->signing.header_canon == SP_CANON_RELAXED &&
	    conf->signing.body_canon == SP_CANON_RELAXED,
	    "sample: relaxed/relaxed");
	is_str(conf->dns.mail_host, "mail.example.com", "sample: mail_host");
	d = sp_config_domain_named(conf, "example.com");
	if (ok(d != NULL, "sample: [domain example.com]")) {
		char *sel = render(conf, d, "selector");

		is_str(sel, "2026r, 2026e", "sample: its selectors");
		free(sel);
		ok(!d->subdomains, "sample: subdomains = no");
	}
	sp_config_free(conf);
}

/*
 * The configuration examples in signpost.conf(5): every literal block under
 * EXAMPLES that starts with a section header, read together as one file.
 */
static void
test_manual_examples(void)
{
	const char *top = getenv("top_srcdir");
	char *path, line[512];
	struct sp_buf text = SP_BUF_INIT;
	bool in_examples = false, in_block = false, keep = false;
	size_t blocks = 0;
	sp_err err;
	struct sp_config *conf;
	FILE *f;

	if (top == NULL)
		bail_out("top_srcdir is not set (run through make check)");
	path = sp_xasprintf("%s/etc/signpost.conf.5", top);
	if ((f = fopen(path, "r")) == NULL)
		bail_out("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".Sh ", 4) == 0)
			in_examples = strcmp(line, ".Sh EXAMPLES\n") == 0;
		else if (in_examples && strncmp(line, ".Bd -literal", 12) == 0)
			in_block = true, keep = false;
		else if (in_block && strcmp(line, ".Ed\n") == 0)
			in_block = false;
		else if (in_block) {
			if (!keep && line[0] == '[') {
				keep = true;
				blocks++;
			}
			if (keep)
				sp_buf_puts(&text, line);
		}
	}
	fclose(f);
	free(path);
	ok(blocks == 2, "manual: two configuration examples found (%zu)",
	    blocks);
	conf = parse(text.data ? text.data : "", &err);
	if (ok(conf != NULL, "manual: the EXAMPLES parse")) {
		ok(conf->n_domains == 2 &&
		    sp_config_find_domain(conf, "a.example.com") != NULL &&
		    conf->domains[1].dns.services == 0 &&
		    conf->domains[1].dns.n_mx == 2,
		    "manual: the examples mean what the page says");
	} else
		diag("  refused: %s", err.msg);
	sp_config_free(conf);
	sp_buf_free(&text);
}

/* A file that sets every name, for the robustness checks. */
static const char full_conf[] =
	"# every name\n"
	"[milter]\n"
	"socket = inet:8891@127.0.0.1   # or unix:/run/signpost/milter.sock\n"
	"socket_mode = 0660\n"
	"user = signpost\n"
	"pidfile = /run/signpost/signpost-milter.pid\n"
	"internal_hosts = 127.0.0.0/8, ::1, 2001:db8::/32\n"
	"sign_authenticated = yes\n"
	"on_error = tempfail\n"
	"log_level = info\n"
	"[signing]\n"
	"keys_dir = /etc/signpost/keys\n"
	"canonicalization = relaxed/relaxed\n"
	"sign_headers = from, to, subject, date, message-id\n"
	"oversign_headers = from, subject\n"
	"expire = 1w\n"
	"allow_weak_rsa = no\n"
	"[domain example.com]\n"
	"selector = 2026r, 2026e\n"
	"subdomains = yes\n"
	"mx = 10 mx1.example.com, 20 mx2.example.com\n"
	"[dns]\n"
	"ttl = 3600\n"
	"mail_host = mail.example.com\n"
	"ipv4 = 203.0.113.25\n"
	"ipv6 = 2001:db8::25\n"
	"mx = 10 mail.example.com\n"
	"spf = -all\n"
	"dmarc = p=reject; rua=mailto:dmarc@example.com\n"
	"services = submissions, submission, imaps\n"
	"autodiscover = yes\n"
	"[domain example.org]\n"
	"selector = s1\n";

/* Either a configuration or a message that names the file and a line. */
static bool
sane_result(struct sp_config *conf, const sp_err *err)
{
	bool good = conf != NULL || strncmp(err->msg, FILE_NAME ":", 6) == 0;

	sp_config_free(conf);
	return good;
}

static void
test_robustness(void)
{
	size_t len = sizeof(full_conf) - 1, bad = 0, loaded = 0;
	static const char bytes[] = { '\0', '\n', '[', ']', '=', '#', ';', ',',
	    ' ', '/', ':', '.', '\xff', '\xc3', 'A' };
	char *copy = sp_xmalloc(len);
	sp_err err;

	memset(&err, 0, sizeof(err));
	if (!ok(sane_result(sp_config_parse(FILE_NAME, full_conf, len, &err),
	    &err) && err.msg[0] == '\0', "robust: the full file loads"))
		diag("  refused: %s", err.msg);
	/* Every prefix, each in its own allocation so ASan sees overreads. */
	for (size_t n = 0; n <= len; n++) {
		char *prefix = sp_xmalloc(n ? n : 1);
		struct sp_config *conf;

		memcpy(prefix, full_conf, n);
		memset(&err, 0, sizeof(err));
		conf = sp_config_parse(FILE_NAME, prefix, n, &err);
		loaded += conf != NULL;
		if (!sane_result(conf, &err)) {
			diag("  prefix %zu: %s", n, err.msg);
			bad++;
		}
		free(prefix);
	}
	ok(bad == 0 && loaded > 0, "robust: all %zu prefixes load or name "
	    "FILE:LINE (%zu loaded)", len + 1, loaded);
	/* Every byte replaced by each troublesome byte. */
	bad = loaded = 0;
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(bytes); k++) {
			struct sp_config *conf;

			memcpy(copy, full_conf, len);
			copy[i] = bytes[k];
			memset(&err, 0, sizeof(err));
			conf = sp_config_parse(FILE_NAME, copy, len, &err);
			loaded += conf != NULL;
			if (!sane_result(conf, &err)) {
				diag("  byte %zu = 0x%02x: %s", i,
				    (unsigned char)bytes[k], err.msg);
				bad++;
			}
		}
	ok(bad == 0, "robust: %zu one-byte changes load or name FILE:LINE "
	    "(%zu loaded)", len * sizeof(bytes), loaded);
	free(copy);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *template = sp_xasprintf("%s/test_conf.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");

	test_values();
	test_defaults();
	test_services_table();
	test_inheritance();
	test_order();
	test_file_errors();
	test_layout();
	test_lookup();
	if (mkdtemp(template) == NULL)
		bail_out("mkdtemp %s: %s", template, strerror(errno));
	test_load(template);
	rmdir(template);
	free(template);
	test_sample();
	test_manual_examples();
	test_robustness();
	return done_testing();
}

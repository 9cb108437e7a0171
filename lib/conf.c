/*
 * conf.c - signpost.conf(5): reads the file line by line into one struct
 * sp_config, starting from the defaults in SPEC.md, then checks what only
 * the whole file can tell (every domain has a selector, oversigned fields
 * are signed) and gives each [domain] the [dns] values it did not override.
 *
 * The first problem ends the load with "FILE:LINE: what is wrong (what is
 * allowed)" and everything read so far is freed: a caller gets a complete
 * configuration or none. The syntax of values lives in conf_value.c and the
 * table of names in conf_set.c.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

/* A configuration larger than this is not a configuration. */
#define CONF_MAX_SIZE (16u << 20)

static bool
too_large(const char *path, sp_err *err)
{
	sp_err_set(err, "%s: larger than %u MiB (is this the configuration "
	    "file?)", path, CONF_MAX_SIZE >> 20);
	return false;
}

const struct sp_service_info sp_services[SP_SVC_COUNT] = {
	{ SP_SVC_SUBMISSIONS, "submissions", 465 },
	{ SP_SVC_SUBMISSION, "submission", 587 },
	{ SP_SVC_IMAPS, "imaps", 993 },
	{ SP_SVC_IMAP, "imap", 143 },
	{ SP_SVC_POP3S, "pop3s", 995 },
	{ SP_SVC_POP3, "pop3", 110 },
};

/* RFC 6376 section 5.4.1, plus the MIME fields and Message-ID. */
static const char *const default_sign_headers[] = {
	"from", "reply-to", "subject", "date", "to", "cc",
	"resent-date", "resent-from", "resent-to", "resent-cc",
	"in-reply-to", "references", "list-id", "list-help",
	"list-unsubscribe", "list-subscribe", "list-post", "list-owner",
	"list-archive", "mime-version", "content-type",
	"content-transfer-encoding", "message-id",
};

static const char *const default_oversign_headers[] = {
	"from", "reply-to", "subject", "to", "cc", "date", "message-id",
	"content-type", "mime-version",
};

static const char *const section_names[SEC_COUNT] = {
	[SEC_NONE] = "",
	[SEC_MILTER] = "milter",
	[SEC_SIGNING] = "signing",
	[SEC_DNS] = "dns",
	[SEC_DOMAIN] = "domain NAME",
};

const char *
sp_config_default_path(void)
{
	return SYSCONFDIR "/signpost/signpost.conf";
}

static void
dns_defaults(struct sp_dns_conf *dns)
{
	memset(dns, 0, sizeof(*dns));
	dns->ttl = 3600;
	dns->spf = sp_xstrdup("-all");
	dns->dmarc = sp_xstrdup("p=quarantine");
	dns->services = SP_SVC_SUBMISSIONS | SP_SVC_SUBMISSION | SP_SVC_IMAPS;
	dns->autodiscover = true;
	conf_policy_defaults(&dns->policy);
	conf_update_defaults(&dns->update);
}

static struct sp_config *
config_new(const char *path)
{
	struct sp_config *conf = sp_xcalloc(1, sizeof(*conf));
	struct sp_milter_conf *m = &conf->milter;
	struct sp_signing_conf *s = &conf->signing;

	conf->path = sp_xstrdup(path);
	/* Reachable by Debian's chrooted smtpd as unix:signpost/milter.sock. */
	m->socket = sp_xstrdup("unix:/var/spool/postfix/signpost/milter.sock");
	m->socket_mode = 0660;
	m->pidfile = sp_xstrdup(RUNSTATEDIR "/signpost/signpost-milter.pid");
	m->internal_hosts = sp_xcalloc(2, sizeof(*m->internal_hosts));
	if (!sp_cidr_parse("127.0.0.0/8", &m->internal_hosts[0]) ||
	    !sp_cidr_parse("::1", &m->internal_hosts[1]))
		SP_BUG("default internal_hosts do not parse");
	m->n_internal_hosts = 2;
	m->sign_authenticated = true;
	m->on_error = SP_ON_ERROR_TEMPFAIL;
	m->log_level = SP_LOG_INFO;
	m->limits.fields = SP_DEFAULT_MAX_HEADER_FIELDS;
	m->limits.bytes = SP_DEFAULT_MAX_HEADER_BYTES;
	m->limits.field_bytes = SP_DEFAULT_MAX_FIELD_BYTES;
	m->max_connections = 1000;
	m->max_packet_size = 4ul * 1024 * 1024;

	s->keys_dir = sp_xstrdup(SYSCONFDIR "/signpost/keys");
	s->header_canon = SP_CANON_RELAXED;
	s->body_canon = SP_CANON_RELAXED;
	for (size_t i = 0; i < sizeof(default_sign_headers) /
	    sizeof(default_sign_headers[0]); i++)
		sp_list_add(&s->sign_headers, default_sign_headers[i]);
	for (size_t i = 0; i < sizeof(default_oversign_headers) /
	    sizeof(default_oversign_headers[0]); i++)
		sp_list_add(&s->oversign_headers, default_oversign_headers[i]);
	s->expire = 0;
	s->allow_weak_rsa = false;
	conf_rotation_defaults(&s->rotation);

	dns_defaults(&conf->dns);
	return conf;
}

void
conf_dns_free(struct sp_dns_conf *dns)
{
	free(dns->mail_host);
	sp_list_free(&dns->ipv4);
	sp_list_free(&dns->ipv6);
	for (size_t i = 0; i < dns->n_mx; i++)
		free(dns->mx[i].host);
	free(dns->mx);
	free(dns->spf);
	free(dns->dmarc);
	conf_policy_free(&dns->policy);
	conf_update_free(&dns->update);
	sp_list_free(&dns->check_servers);
	memset(dns, 0, sizeof(*dns));
}

void
sp_config_free(struct sp_config *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->milter.socket);
	free(conf->milter.user);
	free(conf->milter.pidfile);
	free(conf->milter.metrics_file);
	free(conf->milter.internal_hosts);
	free(conf->signing.keys_dir);
	sp_list_free(&conf->signing.sign_headers);
	sp_list_free(&conf->signing.oversign_headers);
	sp_list_free(&conf->included);
	conf_dns_free(&conf->dns);
	for (size_t i = 0; i < conf->n_domains; i++) {
		struct sp_domain *d = &conf->domains[i];

		free(d->name);
		for (size_t k = 0; k < d->n_selectors; k++)
			free(d->selectors[k].name);
		free(d->selectors);
		conf_dns_free(&d->dns);
	}
	free(conf->domains);
	free(conf->domain_table);
	free(conf);
}

/* Text only: UTF-8, no control characters but tab. */
static bool
check_line_text(const struct conf_parser *p, const char *line, size_t len,
    sp_err *err)
{
	const unsigned char *s = (const unsigned char *)line;

	for (size_t i = 0; i < len; i++) {
		size_t seq;

		if (s[i] == '\t' || (s[i] >= 0x20 && s[i] < 0x7f))
			continue;
		if (s[i] < 0x80) {
			sp_err_set(err, "%s:%u: control character 0x%02x (only "
			    "text and tabs are allowed)", p->file, p->line, s[i]);
			return false;
		}
		if ((seq = sp_utf8_sequence(s + i, len - i)) == 0) {
			sp_err_set(err, "%s:%u: not valid UTF-8 (the file must "
			    "be UTF-8 text)", p->file, p->line);
			return false;
		}
		i += seq - 1;
	}
	return true;
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* Trim white space at both ends, in place. */
static char *
trim(char *s)
{
	size_t len;

	while (is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* Cut a trailing comment: white space, then '#', then anything. */
static void
cut_comment(char *s)
{
	for (char *c = s; *c != '\0'; c++)
		if (*c == '#' && c > s && is_space((unsigned char)c[-1])) {
			*c = '\0';
			return;
		}
}

/* "[milter]" or "[domain example.com]" for messages about the section. */
static const char *
current_section(const struct conf_parser *p, char *buf, size_t size)
{
	if (p->sec == SEC_DOMAIN)
		snprintf(buf, size, "[domain %s]",
		    p->conf->domains[p->domain].name);
	else
		snprintf(buf, size, "[%s]", section_names[p->sec]);
	return buf;
}

/*
 * FNV-1a over the lower-cased name: spreads domain names over the table
 * that finds duplicates while reading and the From: domain per message.
 */
static uint64_t
name_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211ull;
	}
	return h;
}

/* Is `name` (len bytes, no trailing dot) the domain d, ignoring case? */
static bool
domain_is(const struct sp_domain *d, const char *name, size_t len)
{
	return sp_strncasecmp(d->name, name, len) == 0 && d->name[len] == '\0';
}

/*
 * The slot of `name` in the table of domains: the slot holding it, or the
 * empty slot where it belongs (linear probing). A slot keeps half of the
 * hash, so probing past other names reads only the table, not the domains:
 * with 100,000 domains each one read is a cache miss. The table is never
 * full: see domain_set_grow.
 */
static struct sp_domain_slot *
domain_slot(const struct sp_config *conf, const char *name, size_t len)
{
	uint64_t h = name_hash(name, len);
	size_t mask = conf->domain_cap - 1, i = (size_t)h & mask;
	uint32_t tag = (uint32_t)(h >> 32);
	struct sp_domain_slot *t = conf->domain_table;

	while (t[i].index != 0 && (t[i].hash != tag ||
	    !domain_is(&conf->domains[t[i].index - 1], name, len)))
		i = (i + 1) & mask;
	return &t[i];
}

/* Fill an empty slot that domain_slot returned for `name`. */
static void
slot_fill(struct sp_domain_slot *slot, const char *name, size_t index)
{
	slot->hash = (uint32_t)(name_hash(name, strlen(name)) >> 32);
	slot->index = (uint32_t)(index + 1);
}

/* Room for one more domain at a load factor of at most one half. */
static void
domain_set_grow(struct sp_config *conf)
{
	struct sp_domain_slot *old = conf->domain_table;
	size_t old_cap = conf->domain_cap;

	if ((conf->n_domains + 1) * 2 <= conf->domain_cap)
		return;
	conf->domain_cap = old_cap ? old_cap * 2 : 64;
	conf->domain_table = sp_xcalloc(conf->domain_cap,
	    sizeof(*conf->domain_table));
	for (size_t i = 0; i < old_cap; i++) {
		const char *name;

		if (old[i].index == 0)
			continue;
		name = conf->domains[old[i].index - 1].name;
		slot_fill(domain_slot(conf, name, strlen(name)), name,
		    old[i].index - 1);
	}
	free(old);
}

static bool
start_domain(struct conf_parser *p, const char *raw, sp_err *err)
{
	struct sp_config *conf = p->conf;
	struct sp_domain *d;
	struct sp_domain_slot *slot;
	char *name;

	if ((name = conf_host_name(raw, "domain", err)) == NULL) {
		sp_err_prefix(err, "%s:%u", p->file, p->line);
		return false;
	}
	domain_set_grow(conf);
	slot = domain_slot(conf, name, strlen(name));
	if (slot->index != 0) {
		const struct sp_domain *first = &conf->domains[slot->index - 1];
		bool here = strcmp(first->file, p->file) == 0;

		sp_err_set(err, "%s:%u: duplicate [domain %s] (the first is at "
		    "%s%s%u; one section per domain)", p->file, p->line, name,
		    here ? "line " : first->file, here ? "" : ":", first->line);
		free(name);
		return false;
	}
	/* Doubling (sp_xgrow): 100,000 domains must not move it each time. */
	conf->domains = sp_xgrow(conf->domains, &conf->domains_room,
	    conf->n_domains + 1, sizeof(*conf->domains));
	d = &conf->domains[conf->n_domains];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->file = p->file;
	d->line = p->line;
	p->domain = conf->n_domains++;
	p->dns = &d->dns;
	slot_fill(slot, name, conf->n_domains - 1);
	return true;
}

/* "[NAME]" with an optional "# comment" after it. */
static bool
section_header(struct conf_parser *p, char *line, sp_err *err)
{
	char *end = strchr(line, ']'), *inner, *after;
	enum conf_section sec = SEC_NONE;

	if (end == NULL) {
		sp_err_set(err, "%s:%u: section header without ']' (write "
		    "[milter], [signing], [dns] or [domain NAME])", p->file,
		    p->line);
		return false;
	}
	*end = '\0';
	after = trim(end + 1);
	if (*after != '\0' && *after != '#') {
		sp_err_set(err, "%s:%u: text after ']' (only a # comment may "
		    "follow a section header)", p->file, p->line);
		return false;
	}
	inner = trim(line + 1);
	for (int s = SEC_MILTER; s < SEC_DOMAIN; s++)
		if (strcmp(inner, section_names[s]) == 0)
			sec = (enum conf_section)s;
	if (strncmp(inner, "domain", 6) == 0 &&
	    (inner[6] == '\0' || is_space((unsigned char)inner[6]))) {
		char *name = trim(inner + 6);

		if (*name == '\0' || strpbrk(name, " \t") != NULL) {
			sp_err_set(err, "%s:%u: [%s]: a domain section names "
			    "one domain (write [domain example.com])", p->file,
			    p->line, inner);
			return false;
		}
		memset(p->seen, 0, conf_n_rules * sizeof(*p->seen));
		p->sec = SEC_DOMAIN;
		p->sec_line = p->line;
		return start_domain(p, name, err);
	}
	if (sec == SEC_NONE) {
		sp_err_set(err, "%s:%u: unknown section [%.100s] (sections: "
		    "[milter], [signing], [dns], [domain NAME])", p->file,
		    p->line, inner);
		return false;
	}
	if (p->depth > 0) {
		sp_err_set(err, "%s:%u: [%s] in an included file (included "
		    "files hold [domain NAME] sections only; put [%s] in %s)",
		    p->file, p->line, inner, inner, p->conf->path);
		return false;
	}
	if (p->section_line[sec] != 0) {
		sp_err_set(err, "%s:%u: [%s] appears twice (the first is at "
		    "line %u; put all its names in one section)", p->file,
		    p->line, inner, p->section_line[sec]);
		return false;
	}
	memset(p->seen, 0, conf_n_rules * sizeof(*p->seen));
	p->section_line[sec] = p->line;
	p->sec = sec;
	p->sec_line = p->line;
	p->dns = &p->conf->dns;
	return true;
}

/* The names a section takes, "a, b, c", for "unknown name" messages. */
static void
names_in(enum conf_section sec, struct sp_buf *b)
{
	for (size_t i = 0; i < conf_n_rules; i++) {
		if (!(conf_rules[i].sections & (1u << sec)))
			continue;
		sp_buf_printf(b, "%s%s", b->len ? ", " : "", conf_rules[i].name);
	}
}

/* The rule for `name` in the current section, or NULL with a message. */
static const struct conf_rule *
find_rule(const struct conf_parser *p, const char *name, sp_err *err)
{
	struct sp_buf b = SP_BUF_INIT;
	char sec[300], *lower;

	for (size_t i = 0; i < conf_n_rules; i++) {
		if (strcmp(conf_rules[i].name, name) != 0)
			continue;
		if (conf_rules[i].sections & (1u << p->sec))
			return &conf_rules[i];
		for (int s = SEC_MILTER; s < SEC_COUNT; s++)
			if (conf_rules[i].sections & (1u << s))
				sp_buf_printf(&b, "%s[%s]", b.len ? " or " : "",
				    section_names[s]);
		sp_err_set(err, "%s:%u: %s does not belong in %s (it goes in "
		    "%s)", p->file, p->line, name,
		    current_section(p, sec, sizeof(sec)), b.data);
		sp_buf_free(&b);
		return NULL;
	}
	lower = sp_xstrdup(name);
	sp_str_lower(lower);
	for (size_t i = 0; i < conf_n_rules; i++)
		if (strcmp(conf_rules[i].name, lower) == 0) {
			sp_err_set(err, "%s:%u: unknown name \"%.100s\" (names "
			    "are lower-case: %s)", p->file, p->line, name, lower);
			free(lower);
			return NULL;
		}
	free(lower);
	names_in(p->sec, &b);
	sp_err_set(err, "%s:%u: unknown name \"%.100s\" in %s (names there: "
	    "%s)", p->file, p->line, name, current_section(p, sec, sizeof(sec)),
	    b.data);
	sp_buf_free(&b);
	return NULL;
}

/* "name = value" with an optional " # comment" after the value. */
static bool
assignment(struct conf_parser *p, char *line, sp_err *err)
{
	char *eq = strchr(line, '='), *name, *value;
	const struct conf_rule *rule;
	size_t idx;

	if (eq == NULL) {
		cut_comment(line);
		sp_err_set(err, "%s:%u: \"%.100s\" has no '=' (write NAME = "
		    "VALUE)", p->file, p->line, trim(line));
		return false;
	}
	*eq = '\0';
	name = trim(line);
	value = eq + 1;
	cut_comment(value);
	value = trim(value);
	if (*name == '\0') {
		sp_err_set(err, "%s:%u: no name before '=' (write NAME = "
		    "VALUE)", p->file, p->line);
		return false;
	}
	if (strcmp(name, CONF_INCLUDE_NAME) == 0)
		return conf_include(p, value, err);
	if (p->sec == SEC_NONE) {
		sp_err_set(err, "%s:%u: %.100s is set before any section (start "
		    "with %s)", p->file, p->line, name, p->depth > 0 ?
		    "[domain NAME]" : p->line_after_include != 0 ?
		    "a section header: names after an include line belong "
		    "to no section" : "[milter], [signing], [dns] or "
		    "[domain NAME]");
		return false;
	}
	if ((rule = find_rule(p, name, err)) == NULL)
		return false;
	idx = (size_t)(rule - conf_rules);
	if (p->seen[idx] != 0) {
		char sec[300];

		sp_err_set(err, "%s:%u: %s is set twice in %s (the first is at "
		    "line %u)", p->file, p->line, name,
		    current_section(p, sec, sizeof(sec)), p->seen[idx]);
		return false;
	}
	if (value[0] == '"' || value[0] == '\'') {
		sp_err_set(err, "%s:%u: %s: write the value without quotes",
		    p->file, p->line, name);
		return false;
	}
	p->seen[idx] = p->line;
	if (!rule->set(p, value, err)) {
		sp_err_prefix(err, "%s:%u: %s", p->file, p->line, name);
		return false;
	}
	return true;
}

static bool
parse_line(struct conf_parser *p, char *line, size_t len, sp_err *err)
{
	char *s;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL) {
		sp_err_set(err, "%s:%u: NUL byte (the file must be UTF-8 text)",
		    p->file, p->line);
		return false;
	}
	if (!check_line_text(p, line, len, err))
		return false;
	s = line;
	while (is_space((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '#' || *s == ';')
		return true;
	if (*s == '[')
		return section_header(p, s, err);
	return assignment(p, s, err);
}

/* Copy what the domain did not set from [dns] (values and lines). */
static void
dns_inherit(struct sp_dns_conf *d, const struct sp_dns_conf *g)
{
	if (d->line.ttl == 0)
		d->ttl = g->ttl, d->line.ttl = g->line.ttl;
	if (d->line.mail_host == 0) {
		d->mail_host = g->mail_host ? sp_xstrdup(g->mail_host) : NULL;
		d->line.mail_host = g->line.mail_host;
	}
	if (d->line.ipv4 == 0)
		sp_list_copy(&d->ipv4, &g->ipv4), d->line.ipv4 = g->line.ipv4;
	if (d->line.ipv6 == 0)
		sp_list_copy(&d->ipv6, &g->ipv6), d->line.ipv6 = g->line.ipv6;
	if (d->line.mx == 0) {
		d->mx = g->n_mx ? sp_xcalloc(g->n_mx, sizeof(*d->mx)) : NULL;
		for (size_t i = 0; i < g->n_mx; i++) {
			d->mx[i].priority = g->mx[i].priority;
			d->mx[i].host = sp_xstrdup(g->mx[i].host);
		}
		d->n_mx = g->n_mx;
		d->line.mx = g->line.mx;
	}
	if (d->line.spf == 0)
		d->spf = sp_xstrdup(g->spf), d->line.spf = g->line.spf;
	if (d->line.dmarc == 0)
		d->dmarc = sp_xstrdup(g->dmarc), d->line.dmarc = g->line.dmarc;
	if (d->line.services == 0)
		d->services = g->services, d->line.services = g->line.services;
	if (d->line.autodiscover == 0) {
		d->autodiscover = g->autodiscover;
		d->line.autodiscover = g->line.autodiscover;
	}
	conf_policy_inherit(&d->policy, &g->policy);
	conf_update_inherit(&d->update, &g->update);
	if (d->line.check_servers == 0) {
		sp_list_copy(&d->check_servers, &g->check_servers);
		d->line.check_servers = g->line.check_servers;
	}
}

/* Every domain names at least one selector, and each fits in DNS. */
static bool
check_domains(const struct conf_parser *p, sp_err *err)
{
	for (size_t i = 0; i < p->conf->n_domains; i++) {
		const struct sp_domain *d = &p->conf->domains[i];

		if (d->n_selectors == 0 && d->rotation.rotate == 0) {
			sp_err_set(err, "%s:%u: [domain %s] has no selector (add "
			    "\"selector = NAME\" for the key NAME.pem in the "
			    "domain's key folder, or \"rotate = 90d\" to let "
			    "dnsgen rotate make keys)", d->file, d->line, d->name);
			return false;
		}
		for (size_t k = 0; k < d->n_selectors; k++) {
			const struct sp_selector *s = &d->selectors[k];

			if (sp_dkim_key_name_problem(s->name, d->name) != NULL) {
				sp_err_set(err, "%s:%u: selector: \"%s._domainkey."
				    "%s\" is longer than 253 characters (use "
				    "a shorter selector)", d->file, s->line,
				    s->name, d->name);
				return false;
			}
		}
	}
	return true;
}

/*
 * Oversigning adds to a signed field, so an oversigned field must be signed.
 * The default list quietly follows a shortened sign_headers; a list the
 * file gives must agree with it.
 */
static bool
check_oversign(const struct conf_parser *p, sp_err *err)
{
	struct sp_signing_conf *s = &p->conf->signing;
	struct sp_list kept = SP_LIST_INIT;

	for (size_t i = 0; i < s->oversign_headers.n; i++) {
		const char *h = s->oversign_headers.v[i];

		if (sp_list_contains_ci(&s->sign_headers, h))
			sp_list_add(&kept, h);
		else if (p->oversign_line != 0) {
			sp_err_set(err, "%s:%u: oversign_headers: \"%s\" is not "
			    "in sign_headers (only signed fields can be "
			    "oversigned)", p->file, p->oversign_line, h);
			sp_list_free(&kept);
			return false;
		}
	}
	sp_list_free(&s->oversign_headers);
	s->oversign_headers = kept;
	return true;
}

static bool
finish(struct conf_parser *p, sp_err *err)
{
	for (size_t i = 0; i < p->conf->n_domains; i++)
		conf_rotation_inherit(&p->conf->domains[i].rotation,
		    &p->conf->signing.rotation);
	if (!check_domains(p, err) || !check_oversign(p, err))
		return false;
	for (size_t i = 0; i < p->conf->n_domains; i++)
		dns_inherit(&p->conf->domains[i].dns, &p->conf->dns);
	for (size_t i = 0; i < p->conf->n_domains; i++)
		if (!conf_rotation_check(&p->conf->domains[i], err))
			return false;
	return true;
}

bool
conf_parse_text(struct conf_parser *p, const char *text, size_t len,
    sp_err *err)
{
	struct sp_buf line = SP_BUF_INIT;
	const char *end = text + len;
	bool good = true;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;      /* a byte order mark some editors write */
	while (good && text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl != NULL ? (size_t)(nl - text) : (size_t)(end - text);

		p->line++;
		sp_buf_reset(&line);
		sp_buf_append(&line, text, n);
		good = parse_line(p, line.data, n, err);
		text += n + (nl != NULL);
	}
	sp_buf_free(&line);
	return good;
}

struct sp_config *
sp_config_parse(const char *name, const char *text, size_t len, sp_err *err)
{
	struct conf_parser p;
	bool good;

	if (text == NULL)
		text = "", len = 0;
	memset(&p, 0, sizeof(p));
	p.conf = config_new(name);
	p.file = p.conf->path;
	p.dns = &p.conf->dns;
	p.seen = sp_xcalloc(conf_n_rules, sizeof(*p.seen));
	good = conf_parse_text(&p, text, len, err);
	if (good)
		good = finish(&p, err);
	free(p.seen);
	free(p.stack);
	if (!good) {
		sp_config_free(p.conf);
		return NULL;
	}
	return p.conf;
}

/* What is left of a file whose size is not known (a pipe): to its end. */
static bool
read_to_end(int fd, const char *path, struct sp_buf *b, sp_err *err)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sp_err_set(err, "%s: %s", path, strerror(errno));
			return false;
		}
		if (b->len + (size_t)n > CONF_MAX_SIZE)
			return too_large(path, err);
		sp_buf_append(b, chunk, (size_t)n);
	}
	return true;
}

/*
 * A regular file: st_size bytes into a buffer sized once, without the
 * read that would only report the end (100,000 included files make that
 * 100,000 system calls). A file that shrank meanwhile ends where it ends.
 */
static bool
read_sized(int fd, const char *path, size_t size, struct sp_buf *b,
    sp_err *err)
{
	if (size > CONF_MAX_SIZE)
		return too_large(path, err);
	sp_buf_reserve(b, size);
	while (b->len < size) {
		ssize_t n = read(fd, b->data + b->len, size - b->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sp_err_set(err, "%s: %s", path, strerror(errno));
			return false;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = '\0';
	return true;
}

/*
 * The whole file into memory, and its identity (for include cycles) from
 * the same open descriptor; "PATH: why" on failure. Per file: open,
 * fstat, read, close.
 */
bool
conf_read_file(const char *path, struct sp_buf *b, struct conf_file_id *id,
    sp_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	bool good;

	if (fd < 0 || fstat(fd, &st) != 0) {
		sp_err_set(err, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (id != NULL) {
		id->dev = (unsigned long long)st.st_dev;
		id->ino = (unsigned long long)st.st_ino;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		good = read_sized(fd, path, (size_t)st.st_size, b, err);
	else
		good = read_to_end(fd, path, b, err);
	close(fd);
	return good;
}

struct sp_config *
sp_config_load(const char *path, sp_err *err)
{
	struct sp_buf b = SP_BUF_INIT;
	struct sp_config *conf = NULL;

	if (conf_read_file(path, &b, NULL, err))
		conf = sp_config_parse(path, b.data ? b.data : "", b.len, err);
	sp_buf_free(&b);
	return conf;
}

/* One probe sequence in the table: as fast with 100,000 domains as with 1. */
static const struct sp_domain *
domain_lookup(const struct sp_config *conf, const char *name, size_t len)
{
	const struct sp_domain_slot *slot;

	if (conf->domain_cap == 0)
		return NULL;
	slot = domain_slot(conf, name, len);
	return slot->index != 0 ? &conf->domains[slot->index - 1] : NULL;
}

/* Length without one trailing dot; 0 for names we never match. */
static size_t
lookup_length(const char *name)
{
	size_t len;

	if (name == NULL)
		return 0;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || name[0] == '.')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (name[i] == '.' && name[i - 1] == '.')
			return 0;
	return len;
}

void
sp_config_index_domains(struct sp_config *conf)
{
	size_t n = conf->n_domains;

	free(conf->domain_table);
	conf->domain_table = NULL;
	conf->domain_cap = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = conf->domains[i].name;
		struct sp_domain_slot *slot;

		conf->n_domains = i;    /* domain_set_grow sizes for i + 1 */
		domain_set_grow(conf);
		conf->n_domains = i + 1;
		slot = domain_slot(conf, name, strlen(name));
		if (slot->index == 0)
			slot_fill(slot, name, i);
	}
}

const struct sp_domain *
sp_config_domain_named(const struct sp_config *conf, const char *name)
{
	size_t len = lookup_length(name);

	return len == 0 ? NULL : domain_lookup(conf, name, len);
}

const struct sp_domain *
sp_config_find_domain(const struct sp_config *conf, const char *from_domain)
{
	size_t len = lookup_length(from_domain);
	const struct sp_domain *d;

	if (len == 0)
		return NULL;
	if ((d = domain_lookup(conf, from_domain, len)) != NULL)
		return d;
	/* Parents, closest first, cut at label boundaries only. */
	for (size_t i = 0; i < len; i++) {
		if (from_domain[i] != '.')
			continue;
		d = domain_lookup(conf, from_domain + i + 1, len - i - 1);
		if (d != NULL && d->subdomains)
			return d;
	}
	return NULL;
}

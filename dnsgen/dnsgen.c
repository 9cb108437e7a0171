/*
 * dnsgen.c - dnsgen(1): the command line, and loading the configuration
 * and keys through the same lib/ code the milter uses. records.c prints
 * the records of the chosen domains in one of four formats; keygen.c,
 * check.c and the others hold the other subcommands.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signpost/keystate.h"
#include "dnsgen/dnsgen.h"
#include "dnsgen/rotate.h"
#include "dnsgen/publish.h"
#include "signpost/mtasts.h"
#include "signpost/tlsa.h"

static const char usage_text[] =
    "usage: dnsgen [-c FILE] [-d DOMAIN]... [-f zone|nsupdate|json|table] [records]\n"
    "       dnsgen [-c FILE] keygen -d DOMAIN -s SELECTOR [-a rsa|ed25519] [-b BITS]\n"
    "       dnsgen [-c FILE] check [-d DOMAIN]... [--server ADDR[#PORT]] [-f json]\n"
    "                    [--dns-only] [--ca FILE] [--https-port PORT] [--smtp-port PORT]\n"
    "       dnsgen [-c FILE] rotate [-d DOMAIN]... [-n|--dry-run]\n"
    "       dnsgen [-c FILE] status [-d DOMAIN]... [--check]\n"
    "       dnsgen [-c FILE] publish [-d DOMAIN]... [-n|--dry-run]\n"
    "       dnsgen [-c FILE] mta-sts-policy [-d DOMAIN]\n"
    "       dnsgen -h | -V\n";

/* Where this thread's messages go instead of stderr; see dnsgen_capture. */
static _Thread_local struct sp_buf *captured;

void
dnsgen_capture(struct sp_buf *messages)
{
	captured = messages;
}

static void __attribute__((format(printf, 2, 0)))
vmessage(const char *what, const char *fmt, va_list ap)
{
	if (captured != NULL) {
		char *text = sp_xvasprintf(fmt, ap);

		sp_buf_printf(captured, "dnsgen: %s%s%s\n", what != NULL ?
		    what : "", what != NULL ? ": " : "", text);
		free(text);
		return;
	}
	fputs("dnsgen: ", stderr);
	if (what != NULL)
		fprintf(stderr, "%s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
dnsgen_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

void
dnsgen_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
	fputs(usage_text, stderr);
	return DNSGEN_FAIL;
}

const struct sp_domain *
dnsgen_domain(const struct sp_config *conf, const char *name)
{
	const struct sp_domain *dom = sp_config_domain_named(conf, name);

	if (dom == NULL)
		dnsgen_error("%s: domain %s is not configured: add a [domain %s] "
		    "section with its selector", conf->path, name, name);
	return dom;
}

/* tls_cert's digests for the TLSA records (RFC 7672), when it is set. */
static bool
tlsa_digests(const struct sp_domain *dom, struct sp_tlsa_chain *chain)
{
	sp_err err;

	memset(chain, 0, sizeof(*chain));
	if (dom->dns.policy.tls_cert == NULL)
		return true;
	if (!sp_tlsa_read_chain(dom->dns.policy.tls_cert, chain, &err)) {
		dnsgen_error("domain %s: %s", dom->name, err.msg);
		return false;
	}
	return true;
}

/* The records of a domain from its keys (which it frees). */
static bool
build_domain(const struct sp_config *conf, const struct sp_domain *dom,
    struct sp_key **keys, size_t n, struct sp_dnsrec *out)
{
	struct sp_list warnings = SP_LIST_INIT, errors = SP_LIST_INIT;
	struct sp_dnsrec_input in;
	struct sp_dkim_pub *pubs = NULL;
	struct sp_tlsa_chain chain;
	size_t n_pubs;
	sp_err err;
	bool good;

	if (!dnsgen_dkim_pubs(conf, dom, keys, n, &pubs, &n_pubs, &err)) {
		dnsgen_error("%s", err.msg);
		sp_keys_free_array(keys, n);
		return false;
	}
	if (!tlsa_digests(dom, &chain)) {
		dnsgen_dkim_pubs_free(pubs, n_pubs);
		sp_keys_free_array(keys, n);
		return false;
	}
	memset(&in, 0, sizeof(in));
	in.tlsa_leaf = chain.leaf_spki_sha256;
	in.tlsa_issuer = chain.issuer_spki_sha256;
	in.conf_path = dom->file != NULL ? dom->file : conf->path;
	in.domain = dom;
	in.keys = pubs;
	in.n_keys = n_pubs;
	in.allow_weak_rsa = conf->signing.allow_weak_rsa;
	good = sp_dnsrec_build(&in, out, &warnings, &errors);
	for (size_t i = 0; i < warnings.n; i++)
		dnsgen_warn("%s", warnings.v[i]);
	for (size_t i = 0; i < errors.n; i++)
		dnsgen_error("%s", errors.v[i]);
	dnsgen_dkim_pubs_free(pubs, n_pubs);
	sp_tlsa_chain_free(&chain);
	sp_keys_free_array(keys, n);
	sp_list_free(&warnings);
	sp_list_free(&errors);
	return good;
}

bool
dnsgen_domain_records(const struct sp_config *conf, const struct sp_domain *dom,
    const struct sp_key_rules *rules, struct sp_dnsrec *out)
{
	struct sp_key **keys = NULL;
	size_t n = 0;
	sp_err err;

	memset(out, 0, sizeof(*out));
	if (!sp_keys_in_domain_dir(conf, dom->name, rules, &keys, &n, &err)) {
		dnsgen_error("%s", err.msg);
		return false;
	}
	return build_domain(conf, dom, keys, n, out);
}

/*
 * The configuration and key rules, and how many domains will be acted on;
 * 0 after printing why there are none.
 */
size_t
dnsgen_open_config(const struct dnsgen_opts *o, struct dnsgen_zone *z,
    struct sp_key_rules *rules)
{
	sp_err err;
	size_t want;

	memset(z, 0, sizeof(*z));
	z->conf = sp_config_load(o->conf_path, &err);
	if (z->conf == NULL) {
		dnsgen_error("%s", err.msg);
		return false;
	}
	if (!sp_key_rules_from_config(z->conf, false, rules, &err) ||
	    !sp_keystate_select_active(z->conf, &err)) {
		dnsgen_error("%s", err.msg);
		return 0;
	}
	want = o->domains.n > 0 ? o->domains.n : z->conf->n_domains;
	if (want == 0)
		dnsgen_error("%s: no [domain NAME] section: nothing to publish",
		    z->conf->path);
	return want;
}

const struct sp_domain *
dnsgen_chosen_domain(const struct dnsgen_opts *o, const struct sp_config *conf,
    size_t i)
{
	return o->domains.n > 0 ? dnsgen_domain(conf, o->domains.v[i]) :
	    &conf->domains[i];
}

bool
dnsgen_load(const struct dnsgen_opts *o, struct dnsgen_zone *z)
{
	struct sp_key_rules rules;
	bool good = true;
	size_t want = dnsgen_open_config(o, z, &rules);

	if (want == 0)
		return false;
	z->recs = sp_xcalloc(want, sizeof(*z->recs));
	for (size_t i = 0; i < want; i++) {
		const struct sp_domain *dom = dnsgen_chosen_domain(o, z->conf, i);

		if (dom == NULL || !dnsgen_domain_records(z->conf, dom, &rules,
		    &z->recs[z->n++]))
			good = false;
	}
	return good;
}

void
dnsgen_zone_free(struct dnsgen_zone *z)
{
	for (size_t i = 0; i < z->n; i++)
		sp_dnsrec_free(&z->recs[i]);
	free(z->recs);
	sp_config_free(z->conf);
	memset(z, 0, sizeof(*z));
}

/* -d twice for one domain means it once. */
static void
add_domain(struct sp_list *domains, const char *arg)
{
	char *d = sp_host_name_lower(arg);

	if (sp_list_contains_ci(domains, d))
		free(d);
	else
		sp_list_add_owned(domains, d);
}

enum { OPT_SERVER = 256, OPT_CA, OPT_HTTPS_PORT, OPT_SMTP_PORT, OPT_DNS_ONLY,
	OPT_CHECK };

static const struct option long_options[] = {
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "https-port", required_argument, NULL, OPT_HTTPS_PORT },
	{ "smtp-port", required_argument, NULL, OPT_SMTP_PORT },
	{ "dns-only", no_argument, NULL, OPT_DNS_ONLY },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Which options each subcommand takes (besides -c). */
struct command {
	const char *name;
	const char *opts;       /* option letters; see long_name() */
	int (*run)(const struct dnsgen_opts *);
};

static const struct command commands[] = {
	{ "records", "df", dnsgen_records },
	{ "keygen", "dsab", dnsgen_keygen },
	{ "check", "dfSAHPN", dnsgen_check },
	{ "rotate", "dn", dnsgen_rotate },
	{ "status", "dK", dnsgen_status },
	{ "publish", "dn", dnsgen_publish },
	{ "mta-sts-policy", "d", dnsgen_mta_sts_policy },
};

static int
parse_bits(const char *arg, int *bits)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || v <= 0 || v > INT_MAX)
		return usage_error("-b %s: not a number of bits", arg);
	*bits = (int)v;
	return DNSGEN_OK;
}

/* --https-port, --smtp-port: 1 to 65535. */
static int
parse_port(const char *opt, const char *arg, unsigned *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || v < 1 || v > 65535)
		return usage_error("%s %s: not a port number (1-65535)", opt, arg);
	*port = (unsigned)v;
	return DNSGEN_OK;
}

/* The letter parse_args records for a long option, as the user wrote it. */
static const char *
long_name(char letter)
{
	switch (letter) {
	case 'S': return "--server";
	case 'A': return "--ca";
	case 'H': return "--https-port";
	case 'P': return "--smtp-port";
	case 'N': return "--dns-only";
	case 'K': return "--check";
	default: return NULL;
	}
}

/* Parse argv into o; returns DNSGEN_OK or an exit status. */
static int
parse_args(int argc, char **argv, struct dnsgen_opts *o, const char **used,
    const char **cmd)
{
	static char seen[16];
	size_t nseen = 0;
	int c, fmt;

	while ((c = getopt_long(argc, argv, ":c:d:f:s:a:b:nhV", long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'c': o->conf_path = optarg; break;
		case 'd': add_domain(&o->domains, optarg); break;
		case 'f':
			if ((fmt = sp_dns_format_parse(optarg)) < 0)
				return usage_error("-f %s: the formats are zone, "
				    "nsupdate, json and table", optarg);
			o->format = (enum sp_dns_format)fmt;
			o->format_given = true;
			break;
		case 's': o->selector = optarg; break;
		case 'a': o->algorithm = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'b':
			if (parse_bits(optarg, &o->bits) != DNSGEN_OK)
				return DNSGEN_FAIL;
			break;
		case OPT_SERVER: o->server = optarg; c = 'S'; break;
		case OPT_CA:
			if (access(optarg, R_OK) != 0)
				return usage_error("--ca %s: %s", optarg,
				    strerror(errno));
			o->ca_file = optarg;
			c = 'A';
			break;
		case OPT_HTTPS_PORT:
			if (parse_port("--https-port", optarg, &o->https_port) !=
			    DNSGEN_OK)
				return DNSGEN_FAIL;
			c = 'H';
			break;
		case OPT_SMTP_PORT:
			if (parse_port("--smtp-port", optarg, &o->smtp_port) !=
			    DNSGEN_OK)
				return DNSGEN_FAIL;
			c = 'P';
			break;
		case OPT_DNS_ONLY: o->dns_only = true; c = 'N'; break;
		case OPT_CHECK: o->check = true; c = 'K'; break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case 'V':
			printf("dnsgen (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return -1;
		case ':':
			return usage_error("option %s needs a value",
			    argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
		if (c != 'c' && strchr(seen, c) == NULL && nseen + 1 < sizeof(seen))
			seen[nseen++] = (char)c;
	}
	*used = seen;
	if (optind < argc)
		*cmd = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	return DNSGEN_OK;
}

int
main(int argc, char **argv)
{
	struct dnsgen_opts o;
	const struct command *cmd = NULL;
	const char *used = "", *name = "records";
	int rc;

	memset(&o, 0, sizeof(o));
	o.conf_path = sp_config_default_path();
	o.format = SP_FMT_ZONE;
	rc = parse_args(argc, argv, &o, &used, &name);
	if (rc != DNSGEN_OK) {
		sp_list_free(&o.domains);
		return rc < 0 ? DNSGEN_OK : rc;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		rc = usage_error("unknown command \"%s\" (records, keygen, "
		    "check, rotate, status, publish, mta-sts-policy)", name);
	} else {
		for (const char *u = used; *u != '\0' && rc == DNSGEN_OK; u++) {
			char opt[3] = { '-', *u, '\0' };

			if (strchr(cmd->opts, *u) == NULL)
				rc = usage_error("%s does not apply to %s",
				    long_name(*u) ? long_name(*u) : opt, cmd->name);
		}
		if (rc == DNSGEN_OK)
			rc = cmd->run(&o);
	}
	sp_list_free(&o.domains);
	return rc;
}

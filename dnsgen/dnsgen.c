/*
 * dnsgen.c - dnsgen(1): the command line, loading the configuration and
 * keys through the same lib/ code the milter uses, and the `records`
 * subcommand, which prints every record of the chosen domains in one of
 * four formats. keygen.c and check.c hold the other two subcommands.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/dnsgen.h"
#include "signpost/mtasts.h"
#include "signpost/tlsa.h"

static const char usage_text[] =
    "usage: dnsgen [-c FILE] [-d DOMAIN]... [-f zone|nsupdate|json|table] [records]\n"
    "       dnsgen [-c FILE] keygen -d DOMAIN -s SELECTOR [-a rsa|ed25519] [-b BITS]\n"
    "       dnsgen [-c FILE] check [-d DOMAIN]... [--server ADDR[#PORT]] [-f json]\n"
    "       dnsgen [-c FILE] mta-sts-policy [-d DOMAIN]\n"
    "       dnsgen -h | -V\n";

static void
vmessage(const char *what, const char *fmt, va_list ap)
{
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

static bool
selector_active(const struct sp_domain *dom, const char *selector)
{
	for (size_t i = 0; i < dom->n_selectors; i++)
		if (strcmp(dom->selectors[i].name, selector) == 0)
			return true;
	return false;
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

/* Every key in the domain's folder, then its records. */
static bool
load_domain(const struct sp_config *conf, const struct sp_domain *dom,
    const struct sp_key_rules *rules, struct sp_dnsrec *out)
{
	struct sp_list warnings = SP_LIST_INIT, errors = SP_LIST_INIT;
	struct sp_dnsrec_input in;
	struct sp_dkim_pub *pubs = NULL;
	struct sp_tlsa_chain chain;
	struct sp_key **keys = NULL;
	size_t n = 0;
	sp_err err;
	bool good;

	memset(out, 0, sizeof(*out));
	if (!tlsa_digests(dom, &chain))
		return false;
	if (!sp_keys_in_domain_dir(conf, dom->name, rules, &keys, &n, &err)) {
		dnsgen_error("%s", err.msg);
		sp_tlsa_chain_free(&chain);
		return false;
	}
	if (n > 0)
		pubs = sp_xcalloc(n, sizeof(*pubs));
	for (size_t i = 0; i < n; i++) {
		pubs[i].selector = keys[i]->selector;
		pubs[i].record = sp_key_dns_record(keys[i]);
		pubs[i].active = selector_active(dom, keys[i]->selector);
		pubs[i].rsa = keys[i]->type == SP_KEY_RSA;
		pubs[i].bits = keys[i]->bits;
	}
	memset(&in, 0, sizeof(in));
	in.tlsa_leaf = chain.leaf_spki_sha256;
	in.tlsa_issuer = chain.issuer_spki_sha256;
	in.conf_path = conf->path;
	in.domain = dom;
	in.keys = pubs;
	in.n_keys = n;
	in.allow_weak_rsa = conf->signing.allow_weak_rsa;
	good = sp_dnsrec_build(&in, out, &warnings, &errors);
	for (size_t i = 0; i < warnings.n; i++)
		dnsgen_warn("%s", warnings.v[i]);
	for (size_t i = 0; i < errors.n; i++)
		dnsgen_error("%s", errors.v[i]);
	for (size_t i = 0; i < n; i++)
		free((char *)pubs[i].record);
	free(pubs);
	sp_tlsa_chain_free(&chain);
	sp_keys_free_array(keys, n);
	sp_list_free(&warnings);
	sp_list_free(&errors);
	return good;
}

bool
dnsgen_load(const struct dnsgen_opts *o, struct dnsgen_zone *z)
{
	struct sp_key_rules rules;
	sp_err err;
	bool good = true;
	size_t want;

	memset(z, 0, sizeof(*z));
	z->conf = sp_config_load(o->conf_path, &err);
	if (z->conf == NULL) {
		dnsgen_error("%s", err.msg);
		return false;
	}
	if (!sp_key_rules_from_config(z->conf, false, &rules, &err)) {
		dnsgen_error("%s", err.msg);
		return false;
	}
	want = o->domains.n > 0 ? o->domains.n : z->conf->n_domains;
	if (want == 0) {
		dnsgen_error("%s: no [domain NAME] section: nothing to publish",
		    z->conf->path);
		return false;
	}
	z->recs = sp_xcalloc(want, sizeof(*z->recs));
	for (size_t i = 0; i < want; i++) {
		const struct sp_domain *dom = o->domains.n > 0 ?
		    dnsgen_domain(z->conf, o->domains.v[i]) :
		    &z->conf->domains[i];

		if (dom == NULL || !load_domain(z->conf, dom, &rules,
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

/* Print to stdout, or fail (a full disk or a closed pipe is an error). */
static bool
write_stdout(const struct sp_buf *b)
{
	if ((b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len) ||
	    fflush(stdout) != 0) {
		dnsgen_error("writing the output: %s", strerror(errno));
		return false;
	}
	return true;
}

int
dnsgen_records(const struct dnsgen_opts *o)
{
	struct dnsgen_zone z;
	struct sp_buf out = SP_BUF_INIT;
	int rc = DNSGEN_FAIL;

	if (dnsgen_load(o, &z)) {
		sp_dnsrec_format(&out, z.recs, z.n, o->format);
		if (write_stdout(&out))
			rc = DNSGEN_OK;
	}
	sp_buf_free(&out);
	dnsgen_zone_free(&z);
	return rc;
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

enum { OPT_SERVER = 256 };

static const struct option long_options[] = {
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Which options each subcommand takes (besides -c). */
struct command {
	const char *name;
	const char *opts;       /* option letters; 'S' is --server */
	int (*run)(const struct dnsgen_opts *);
};

static const struct command commands[] = {
	{ "records", "df", dnsgen_records },
	{ "keygen", "dsab", dnsgen_keygen },
	{ "check", "dfS", dnsgen_check },
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

/* Parse argv into o; returns DNSGEN_OK or an exit status. */
static int
parse_args(int argc, char **argv, struct dnsgen_opts *o, const char **used,
    const char **cmd)
{
	static char seen[8];
	size_t nseen = 0;
	int c, fmt;

	while ((c = getopt_long(argc, argv, ":c:d:f:s:a:b:hV", long_options,
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
		case 'b':
			if (parse_bits(optarg, &o->bits) != DNSGEN_OK)
				return DNSGEN_FAIL;
			break;
		case OPT_SERVER: o->server = optarg; c = 'S'; break;
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
		    "check, mta-sts-policy)", name);
	} else {
		for (const char *u = used; *u != '\0' && rc == DNSGEN_OK; u++) {
			char opt[3] = { '-', *u, '\0' };

			if (strchr(cmd->opts, *u) == NULL)
				rc = usage_error("%s does not apply to %s",
				    *u == 'S' ? "--server" : opt, cmd->name);
		}
		if (rc == DNSGEN_OK)
			rc = cmd->run(&o);
	}
	sp_list_free(&o.domains);
	return rc;
}

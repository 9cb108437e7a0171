/*
 * dnsgen.h - what the parts of dnsgen(1) share: the parsed command line,
 * the records of the chosen domains (built by lib/dnsrec.c from the same
 * configuration and key files the milter uses), and the subcommands.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_DNSGEN_H
#define DNSGEN_DNSGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "signpost/dnsfmt.h"
#include "signpost/dnsname.h"
#include "signpost/dnsrec.h"
#include "signpost/dnstxt.h"
#include "signpost/grammar.h"
#include "signpost/keys.h"

/* Exit statuses of SPEC.md. */
#define DNSGEN_OK 0
#define DNSGEN_MISMATCH 1
#define DNSGEN_FAIL 2

struct dnsgen_opts {
	const char *conf_path;
	struct sp_list domains;         /* -d, lower-case, no trailing dot */
	enum sp_dns_format format;      /* -f */
	bool format_given;              /* -f was on the command line */
	const char *selector;           /* keygen -s */
	const char *algorithm;          /* keygen -a */
	int bits;                       /* keygen -b; 0: default */
	const char *server;             /* check --server */
	const char *ca_file;            /* check --ca: trust only these CAs */
	unsigned https_port;            /* check --https-port; 0: 443 */
	unsigned smtp_port;             /* check --smtp-port; 0: 25 */
	bool dns_only;                  /* check --dns-only: no HTTPS, no SMTP */
	bool dry_run;                   /* rotate, publish -n, --dry-run */
	bool check;                     /* status --check */
};

/* The records of the domains to act on, with the config they came from. */
struct dnsgen_zone {
	struct sp_config *conf;
	struct sp_dnsrec *recs;
	size_t n;
};

/*
 * Load the configuration and every key of the chosen domains (all of them
 * when none was named), and build their records. Warnings go to stderr;
 * false after printing the errors.
 */
bool dnsgen_load(const struct dnsgen_opts *o, struct dnsgen_zone *z);
void dnsgen_zone_free(struct dnsgen_zone *z);

/*
 * dnsgen_load's steps, for records.c, which builds and formats the
 * domains in threads: the configuration and key rules and how many
 * domains to act on (0 after printing why none); the i-th of them (a -d,
 * or every configured one in order; NULL after printing why); and one
 * domain's records from every key in its folder (false after printing
 * the errors).
 */
size_t dnsgen_open_config(const struct dnsgen_opts *o, struct dnsgen_zone *z,
    struct sp_key_rules *rules);
const struct sp_domain *dnsgen_chosen_domain(const struct dnsgen_opts *o,
    const struct sp_config *conf, size_t i);
bool dnsgen_domain_records(const struct sp_config *conf,
    const struct sp_domain *dom, const struct sp_key_rules *rules,
    struct sp_dnsrec *out);

/* The domain a -d names, or NULL after printing why not. */
const struct sp_domain *dnsgen_domain(const struct sp_config *conf,
    const char *name);

void dnsgen_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dnsgen_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The calling thread's warnings and errors are appended to messages (as
 * they would be printed) instead of going to stderr; NULL: stderr again.
 */
void dnsgen_capture(struct sp_buf *messages);

/*
 * Make keys_dir/DOMAIN/SELECTOR.pem as `keygen` does (never over an
 * existing file) and load it back; NULL after printing why.
 */
struct sp_key *dnsgen_make_key(const struct sp_config *conf,
    const struct sp_domain *dom, const char *selector, bool rsa, int bits);

/*
 * lifecycle.c: the DKIM keys of dom for its records, from its key files
 * and (rotating) its state file; revoked keys as "v=DKIM1; k=...; p=".
 */
bool dnsgen_dkim_pubs(const struct sp_config *conf,
    const struct sp_domain *dom, struct sp_key *const *keys, size_t n,
    struct sp_dkim_pub **out, size_t *n_out, sp_err *err);
void dnsgen_dkim_pubs_free(struct sp_dkim_pub *pubs, size_t n);
/* "v=DKIM1; k=ALG; p=" (caller frees) */
char *dnsgen_revoked_record(enum sp_key_type alg);

/* keys_dir/DOMAIN made as keygen makes it, if missing; false after a message. */
bool dnsgen_key_folder(const struct sp_config *conf, const char *domain);

int dnsgen_records(const struct dnsgen_opts *o);
int dnsgen_keygen(const struct dnsgen_opts *o);
int dnsgen_check(const struct dnsgen_opts *o);
int dnsgen_mta_sts_policy(const struct dnsgen_opts *o);
/* publish.h has dnsgen_publish() and the API rotate uses. */

#endif

/*
 * conf_int.h - what the parts of the signpost.conf(5) parser share, and
 * nothing else sees: the parser's state while it walks the file, the table
 * of names (conf_set.c) and the value checkers (conf_value.c).
 *
 * Every checker and setter reports only "what is wrong (what is allowed)";
 * the reader (conf.c) puts "FILE:LINE: NAME: " in front.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_CONF_INT_H
#define SIGNPOST_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "signpost/grammar.h"
#include "signpost/util.h"

enum conf_section {
	SEC_NONE,               /* before the first section header */
	SEC_MILTER,
	SEC_SIGNING,
	SEC_DNS,
	SEC_DOMAIN,
	SEC_COUNT
};

#define IN_MILTER (1u << SEC_MILTER)
#define IN_SIGNING (1u << SEC_SIGNING)
#define IN_DNS ((1u << SEC_DNS) | (1u << SEC_DOMAIN))
#define IN_DOMAIN (1u << SEC_DOMAIN)
#define IN_ROTATION ((1u << SEC_SIGNING) | (1u << SEC_DOMAIN))

/* How far the reader is, and where values go. */
struct conf_parser {
	const char *file;               /* name used in messages */
	unsigned line;                  /* current line, from 1 */
	struct sp_config *conf;         /* being filled */
	enum conf_section sec;
	unsigned sec_line;              /* line of the current section header */
	size_t domain;                  /* conf->domains index in [domain] */
	struct sp_dns_conf *dns;        /* conf->dns, or the domain's own */
	unsigned section_line[SEC_COUNT]; /* first [milter], [signing], [dns] */
	unsigned *seen;                 /* per conf_rules entry: line set here */
	unsigned oversign_line;         /* 0: oversign_headers is the default */
	unsigned depth;                 /* 0: the main file; n: n includes deep */
	unsigned line_after_include;    /* last include line of this file */
	struct conf_file_id *stack;     /* the files being read, outermost first */
};

/* A file being read, to refuse an include that leads back to it. */
struct conf_file_id {
	unsigned long long dev, ino;
};

/* One name: the sections it may appear in and what sets it. */
struct conf_rule {
	const char *name;
	unsigned sections;
	bool (*set)(struct conf_parser *p, const char *value, sp_err *err);
};

extern const struct conf_rule conf_rules[];
extern const size_t conf_n_rules;

/* conf_value.c: value syntax. Each returns false and fills err. */
bool conf_bool(const char *v, bool *out, sp_err *err);
bool conf_duration(const char *v, unsigned long min, unsigned long max,
    unsigned long *out, sp_err *err);
bool conf_size(const char *v, bool bytes, unsigned long min,
    unsigned long max, unsigned long *out, sp_err *err);
bool conf_mode(const char *v, unsigned *out, sp_err *err);
bool conf_socket(const char *v, sp_err *err);
bool conf_abs_path(const char *v, sp_err *err);
bool conf_user_name(const char *v, sp_err *err);
bool conf_canonicalization(const char *v, enum sp_canon *header,
    enum sp_canon *body, sp_err *err);
bool conf_on_error(const char *v, enum sp_on_error *out, sp_err *err);
bool conf_log_level(const char *v, enum sp_log_level *out, sp_err *err);
bool conf_services(const char *v, unsigned *out, sp_err *err);
bool conf_cidr_list(const char *v, struct sp_cidr **out, size_t *n,
    sp_err *err);
bool conf_header_list(const char *v, bool for_signing, struct sp_list *out,
    sp_err *err);
bool conf_address_list(const char *v, int family, struct sp_list *out,
    sp_err *err);
bool conf_mx_list(const char *v, struct sp_mx **out, size_t *n, sp_err *err);
bool conf_selector(const char *v, sp_err *err);
bool conf_txt_value(const char *v, const char *tag, sp_err *err);
/* A host name, lower-cased without its trailing dot (caller frees). */
char *conf_host_name(const char *v, const char *what, sp_err *err);
/* Split a list at commas and white space (empty items dropped). */
void conf_split_list(const char *v, struct sp_list *out);

/* conf_policy.c: the sp_dns_policy names (MTA-STS, TLS-RPT, TLSA, CAA). */
void conf_policy_defaults(struct sp_dns_policy *pol);
void conf_policy_free(struct sp_dns_policy *pol);
void conf_policy_inherit(struct sp_dns_policy *d, const struct sp_dns_policy *g);
bool conf_set_mta_sts(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_mta_sts_max_age(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_mta_sts_host(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_tls_rpt(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_tls_cert(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_caa(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_caa_iodef(struct conf_parser *p, const char *v, sp_err *err);

/* conf_update.c: the sp_dns_update names (`dnsgen publish`). */
void conf_update_defaults(struct sp_dns_update *u);
void conf_update_free(struct sp_dns_update *u);
void conf_update_inherit(struct sp_dns_update *d, const struct sp_dns_update *g);
/* ADDR[#PORT], as update_server and check_servers take it (one checker). */
bool conf_server_address(const char *v, sp_err *err);
bool conf_set_update_server(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_update_key(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_publish(struct conf_parser *p, const char *v, sp_err *err);

/* conf_rotate.c: the key lifecycle names and [dns] check_servers. */
void conf_rotation_defaults(struct sp_rotation *r);
void conf_rotation_inherit(struct sp_rotation *d, const struct sp_rotation *g);
bool conf_rotation_check(const struct sp_domain *d, sp_err *err);
bool conf_set_rotate(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_algorithms(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_retire_after(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_revoke_after(struct conf_parser *p, const char *v, sp_err *err);
bool conf_set_check_servers(struct conf_parser *p, const char *v, sp_err *err);

/* conf.c: the [dns] struct's lifetime, shared with the setters. */
void conf_dns_free(struct sp_dns_conf *dns);
/* conf.c: read text line by line into the parser (p->file, p->line set). */
bool conf_parse_text(struct conf_parser *p, const char *text, size_t len,
    sp_err *err);
/*
 * conf.c: a whole file into b and, when id is not NULL, its device and
 * inode from the same descriptor; "PATH: why" on failure.
 */
bool conf_read_file(const char *path, struct sp_buf *b, struct conf_file_id *id,
    sp_err *err);

/*
 * conf_include.c: "include = PATH-OR-GLOB" on the current line. The one
 * name outside the section table: it stands anywhere, even before the
 * first section.
 */
#define CONF_INCLUDE_NAME "include"
bool conf_include(struct conf_parser *p, const char *pattern, sp_err *err);

#endif

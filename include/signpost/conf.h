/*
 * conf.h - signpost.conf(5): the one configuration both programs read.
 *
 * sp_config_load() parses the whole file into one struct sp_config, with the
 * defaults SPEC.md gives, or fails with "FILE:LINE: what is wrong" and
 * returns NULL: nothing half-loaded is ever handed out. The struct is
 * read-only after loading, so the milter can share it between threads.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_CONF_H
#define SIGNPOST_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "signpost/cidr.h"
#include "signpost/log.h"
#include "signpost/util.h"

enum sp_canon {
	SP_CANON_SIMPLE,
	SP_CANON_RELAXED,
};

enum sp_on_error {
	SP_ON_ERROR_TEMPFAIL,
	SP_ON_ERROR_ACCEPT,
};

/* RFC 6186 / RFC 8314 services, in the order dnsgen prints them. */
enum sp_service {
	SP_SVC_SUBMISSIONS = 1u << 0,   /* _submissions._tcp 465 */
	SP_SVC_SUBMISSION = 1u << 1,    /* _submission._tcp 587 */
	SP_SVC_IMAPS = 1u << 2,         /* _imaps._tcp 993 */
	SP_SVC_IMAP = 1u << 3,          /* _imap._tcp 143 */
	SP_SVC_POP3S = 1u << 4,         /* _pop3s._tcp 995 */
	SP_SVC_POP3 = 1u << 5,          /* _pop3._tcp 110 */
};
#define SP_SVC_COUNT 6
struct sp_service_info {
	enum sp_service bit;
	const char *name;       /* "submissions" */
	unsigned port;          /* 465 */
};
extern const struct sp_service_info sp_services[SP_SVC_COUNT];

struct sp_mx {
	unsigned priority;
	char *host;             /* lower-case, no trailing dot */
};

/* RFC 8461 section 5: what a sender does with the MTA-STS policy. */
enum sp_mta_sts_mode {
	SP_MTA_STS_NONE,                /* default: no MTA-STS records */
	SP_MTA_STS_TESTING,
	SP_MTA_STS_ENFORCE,
};

/*
 * The [dns] names for what receivers and CAs read besides SPF, DKIM and
 * DMARC: MTA-STS (RFC 8461), TLS-RPT (RFC 8460), DANE TLSA (RFC 7672) and
 * CAA (RFC 8659). Kept together so conf_policy.c owns them alone.
 */
struct sp_dns_policy {
	enum sp_mta_sts_mode mta_sts;   /* default none */
	unsigned long mta_sts_max_age;  /* seconds; default 604800 */
	struct sp_list mta_sts_host;    /* canonical addresses; empty: mail host's */
	struct sp_list tls_rpt;         /* mailto: / https: URIs, as written */
	char *tls_cert;                 /* PEM chain, leaf first; NULL: no TLSA */
	struct sp_list caa;             /* issuer domain names, lower-case */
	char *caa_iodef;                /* mailto: / https: URI; NULL: none */
	struct {
		unsigned mta_sts, mta_sts_max_age, mta_sts_host, tls_rpt,
		    tls_cert, caa, caa_iodef;
	} line;
};
#define SP_MTA_STS_DEFAULT_MAX_AGE 604800ul
#define SP_MTA_STS_MAX_MAX_AGE 31557600ul       /* RFC 8461 section 3.2 */

/* Which records `dnsgen publish` may touch. */
enum sp_publish_scope {
	SP_PUBLISH_DKIM,                /* default: SELECTOR._domainkey TXT only */
	SP_PUBLISH_ALL,                 /* every RRset `records` prints */
};

/* The [dns] names of `dnsgen publish` (RFC 2136 UPDATE, TSIG). */
struct sp_dns_update {
	char *server;                   /* "ADDR[#PORT]" (checked); NULL: none */
	char *key;                      /* TSIG key file; NULL: none */
	enum sp_publish_scope publish;
	struct {
		unsigned server, key, publish;
	} line;
};

/*
 * The key lifecycle (SPEC.md "Key lifecycle"): set in [signing], each name
 * overridable in a [domain]. Algorithms are bits 1 << enum sp_key_type.
 */
#define SP_ALG_RSA (1u << 0)
#define SP_ALG_ED25519 (1u << 1)
struct sp_rotation {
	unsigned long rotate;           /* seconds a key signs; 0: no rotation (default) */
	unsigned algorithms;            /* SP_ALG_* bits; default rsa, ed25519 */
	unsigned long retire_after;     /* default 7d */
	unsigned long revoke_after;     /* default 7d */
	struct {
		unsigned rotate, algorithms, retire_after, revoke_after;
	} line;
};
#define SP_DEFAULT_RETIRE_AFTER (7ul * 86400)
#define SP_DEFAULT_REVOKE_AFTER (7ul * 86400)

/* The [dns] names; a [domain] section starts from [dns] and overrides. */
struct sp_dns_conf {
	unsigned ttl;                   /* default 3600 */
	char *mail_host;                /* NULL when not configured */
	struct sp_list ipv4;            /* addresses, as written */
	struct sp_list ipv6;
	struct sp_mx *mx;               /* n_mx == 0: "0 <mail_host>" */
	size_t n_mx;
	char *spf;                      /* default "-all" */
	char *dmarc;                    /* default "p=quarantine" */
	unsigned services;              /* sp_service bits; default submissions, submission, imaps */
	bool autodiscover;              /* default yes */
	struct sp_dns_policy policy;    /* MTA-STS, TLS-RPT, TLSA, CAA */
	struct sp_dns_update update;    /* update_server, update_key, publish */
	struct sp_list check_servers;   /* ADDR[#PORT] as written; empty: find the NS */
	/* Config line where each value was set (0: the default), for messages. */
	struct {
		unsigned ttl, mail_host, ipv4, ipv6, mx, spf, dmarc, services,
		    autodiscover, check_servers;
	} line;
};

struct sp_selector {
	char *name;
	unsigned line;                  /* config line that names it */
};

struct sp_domain {
	char *name;                     /* lower-case, no trailing dot */
	const char *file;               /* the file that holds the section */
	unsigned line;                  /* line of "[domain NAME]" there */
	struct sp_selector *selectors;  /* active selectors; none only when rotating */
	size_t n_selectors;
	bool subdomains;                /* default no */
	struct sp_rotation rotation;    /* effective: [signing] with overrides */
	struct sp_dns_conf dns;         /* effective values for this domain */
};

/*
 * What one message's header may make the signing engine take in
 * (signpost.conf(5) [milter]); past any of them the message passes
 * unsigned. The engine keeps only what it may sign, so the memory one
 * message holds stays below these too.
 */
struct sp_header_limits {
	size_t fields;                  /* max_header_fields */
	size_t bytes;                   /* max_header_bytes: names, values, line ends */
	size_t field_bytes;             /* max_field_bytes: one field, name and value */
};
#define SP_DEFAULT_MAX_HEADER_FIELDS 10000
#define SP_DEFAULT_MAX_HEADER_BYTES (4u * 1024 * 1024)
#define SP_DEFAULT_MAX_FIELD_BYTES (2u * 1024 * 1024)
/* A slot of the domain table: part of the name's hash and where it is. */
struct sp_domain_slot {
	uint32_t hash;                  /* the hash's high half */
	uint32_t index;                 /* conf->domains index + 1; 0: empty */
};

struct sp_milter_conf {
	char *socket;                   /* default "unix:/var/spool/postfix/signpost/milter.sock" */
	unsigned socket_mode;           /* default 0660 */
	char *user;                     /* NULL: keep the starting user */
	char *pidfile;                  /* default RUNSTATEDIR "/signpost/signpost-milter.pid" */
	struct sp_cidr *internal_hosts; /* default 127.0.0.0/8, ::1 */
	size_t n_internal_hosts;
	bool sign_authenticated;        /* default yes */
	enum sp_on_error on_error;      /* default tempfail */
	enum sp_log_level log_level;    /* default info */
	struct sp_header_limits limits; /* default SP_DEFAULT_MAX_* */
	unsigned max_connections;       /* MTA connections at once; default 1000 */
	unsigned long max_packet_size;  /* bytes of one milter packet; default 4 MiB */
	char *metrics_file;             /* Prometheus text file; NULL: none */
	bool metrics_per_domain;        /* key series per domain; default no */
};

struct sp_signing_conf {
	char *keys_dir;                 /* default SYSCONFDIR "/signpost/keys" */
	enum sp_canon header_canon;     /* default relaxed */
	enum sp_canon body_canon;       /* default relaxed */
	struct sp_list sign_headers;    /* lower-case field names */
	struct sp_list oversign_headers;/* lower-case field names */
	unsigned long expire;           /* seconds; 0: no x= */
	bool allow_weak_rsa;            /* default no */
	struct sp_rotation rotation;    /* the defaults for every domain */
};

struct sp_config {
	char *path;                     /* the file it came from */
	struct sp_list included;        /* files read through include, in order */
	struct sp_milter_conf milter;
	struct sp_signing_conf signing;
	struct sp_dns_conf dns;         /* the [dns] section with defaults */
	struct sp_domain *domains;      /* in file order */
	size_t n_domains;
	size_t domains_room;            /* elements allocated at `domains` */
	/* Finds a domain by name in constant time (conf.c owns it). */
	struct sp_domain_slot *domain_table;
	size_t domain_cap;              /* a power of two, or 0 */
};

/* SYSCONFDIR "/signpost/signpost.conf" */
const char *sp_config_default_path(void);

struct sp_config *sp_config_load(const char *path, sp_err *err);
/* Parse text already in memory; `name` is used in messages as the file. */
struct sp_config *sp_config_parse(const char *name, const char *text,
    size_t len, sp_err *err);
void sp_config_free(struct sp_config *conf);

/*
 * The domain whose key signs mail From: `from_domain` (lower-case): an exact
 * match, else the closest parent with subdomains = yes. NULL: not ours.
 */
const struct sp_domain *sp_config_find_domain(const struct sp_config *conf,
    const char *from_domain);
/*
 * (Re)build the lookup table of a configuration filled in by hand (tests);
 * sp_config_load and sp_config_parse build it themselves.
 */
void sp_config_index_domains(struct sp_config *conf);
const struct sp_domain *sp_config_domain_named(const struct sp_config *conf,
    const char *name);

#endif

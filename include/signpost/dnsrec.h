/*
 * dnsrec.h - the DNS records a signpost domain needs, built from its
 * configuration and the public halves of its keys (lib/dnsrec.c). Their
 * output formats are in dnsfmt.h, their TXT text and its checks in
 * dnstxt.h, names and addresses in dnsname.h.
 *
 * Pure: no I/O, no DNS queries, no key files. dnsgen and the tests drive it
 * the same way.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_DNSREC_H
#define SIGNPOST_DNSREC_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "signpost/util.h"

/* The record types dnsgen prints; the values are the RR type codes. */
enum sp_rr_type {
	SP_RR_A = 1,
	SP_RR_CNAME = 5,
	SP_RR_PTR = 12,
	SP_RR_MX = 15,
	SP_RR_TXT = 16,
	SP_RR_AAAA = 28,
	SP_RR_SRV = 33,
	SP_RR_TLSA = 52,
	SP_RR_CAA = 257,
};
/* "A", "MX", ... */
const char *sp_rr_type_name(enum sp_rr_type type);

/* What a record is for: decides how `check` compares it. */
enum sp_rr_role {
	SP_ROLE_ADDRESS,        /* A / AAAA of mail_host */
	SP_ROLE_MX,
	SP_ROLE_SPF,
	SP_ROLE_DKIM,
	SP_ROLE_DMARC,
	SP_ROLE_SRV,            /* RFC 6186 / RFC 8314 and _autodiscover._tcp */
	SP_ROLE_ALIAS,          /* autoconfig / autodiscover CNAME */
	SP_ROLE_PTR,            /* guidance: set at the address's provider */
	SP_ROLE_MTA_STS,        /* _mta-sts TXT and the mta-sts A / AAAA */
	SP_ROLE_TLS_RPT,        /* _smtp._tls TXT */
	SP_ROLE_TLSA,           /* _25._tcp.MXHOST TLSA */
	SP_ROLE_CAA,
};

struct sp_rr {
	char *name;             /* absolute, lower-case, with the trailing dot */
	enum sp_rr_type type;
	enum sp_rr_role role;
	unsigned ttl;
	/*
	 * RDATA in presentation form with absolute names ("10 mail.example.com.");
	 * for TXT the text itself, joined and unquoted (what a provider API wants).
	 */
	char *value;
	char *comment;          /* NULL, or a note printed with the record */
	char *selector;         /* SP_ROLE_DKIM: its selector */
	char *address;          /* SP_ROLE_PTR: the address, canonical form */
};

/* All records of one domain, in the order dnsgen prints them. */
struct sp_dnsrec {
	char *domain;           /* "example.com", no trailing dot */
	struct sp_rr *rr;
	size_t n;
	struct sp_rr *ptr;      /* PTR guidance: not in the domain's zone */
	size_t n_ptr;
};

/* The public half of a key in keys_dir/DOMAIN, as dnsgen found it. */
struct sp_dkim_pub {
	const char *selector;
	const char *record;     /* sp_key_dns_record(): "v=DKIM1; k=...; p=..." */
	bool active;            /* named in the domain's `selector =` */
	bool rsa;               /* false: Ed25519 */
	int bits;               /* 0 when revoked and its file is gone */
	bool revoked;           /* record is "p=" (RFC 6376 section 3.6.1) */
	const char *state;      /* a rotating domain's key state, or NULL */
};

struct sp_dnsrec_input {
	const char *conf_path;  /* for "FILE:LINE:" in messages */
	const struct sp_domain *domain;
	const struct sp_dkim_pub *keys;
	size_t n_keys;
	bool allow_weak_rsa;
	/* tls_cert's digests (tlsa.h), read by the caller; NULL: none. */
	const char *tlsa_leaf, *tlsa_issuer;
};

/*
 * Build and validate a domain's records. Problems that make a record wrong
 * (bad DMARC tags, an MX at an address literal, a CNAME where an SRV or MX
 * target must be) go to `errors` and the result is false; problems that
 * receivers survive but the operator should fix (SPF over 10 lookups or 450
 * bytes, weak RSA, an active selector without a key) go to `warnings`.
 * Each message starts with "FILE:LINE: " when a config line is to blame.
 * `out` is filled (and must be freed) even when errors were found.
 */
bool sp_dnsrec_build(const struct sp_dnsrec_input *in, struct sp_dnsrec *out,
    struct sp_list *warnings, struct sp_list *errors);
void sp_dnsrec_free(struct sp_dnsrec *rec);
/* Has an earlier record of rec the same owner name and type as rr[i]? */
bool sp_dnsrec_rrset_seen(const struct sp_dnsrec *rec, size_t i);

#endif

/*
 * dnsrec.h - the DNS records a signpost domain needs, built from its
 * configuration and the public halves of its keys, and everything about
 * their text: TXT splitting and escaping, the four output formats of
 * dnsgen(1), SPF and DMARC validation, and the comparisons `dnsgen check`
 * makes between what it expects and what DNS serves.
 *
 * Pure: no I/O, no DNS queries, no key files. dnsgen and the tests drive it
 * the same way.
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
	int bits;
};

struct sp_dnsrec_input {
	const char *conf_path;  /* for "FILE:LINE:" in messages */
	const struct sp_domain *domain;
	const struct sp_dkim_pub *keys;
	size_t n_keys;
	bool allow_weak_rsa;
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

/* Output formats of dnsgen(1). */
enum sp_dns_format {
	SP_FMT_ZONE,
	SP_FMT_NSUPDATE,
	SP_FMT_JSON,
	SP_FMT_TABLE,
};
/* "zone" ... ; -1 for an unknown name. */
int sp_dns_format_parse(const char *name);

/* Append all domains' records in one format (json: one array for all). */
void sp_dnsrec_format(struct sp_buf *out, const struct sp_dnsrec *recs,
    size_t n, enum sp_dns_format fmt);
/* One record as a master-file line (used by keygen's "publish this"). */
void sp_rr_format_zone(struct sp_buf *out, const struct sp_rr *rr);

/*
 * TXT text: split into <character-string>s of at most 255 bytes (RFC 1035
 * section 3.3.14), quote one string for a master file ("\"" and "\\"
 * escaped, bytes outside printable ASCII as \DDD), and the whole RDATA:
 * one quoted string, or several separated by `sep`.
 */
#define SP_TXT_STRING_MAX 255
void sp_txt_split(const char *text, struct sp_list *out);
void sp_txt_quote(struct sp_buf *out, const char *s, size_t len);
/* The same escaping without the quotes, for bytes shown to a person. */
void sp_txt_escape(struct sp_buf *out, const void *data, size_t len);
/* Only the bytes outside printable ASCII as \DDD (for messages). */
void sp_txt_printable(struct sp_buf *out, const char *s);
void sp_txt_rdata(struct sp_buf *out, const char *text, const char *sep);
/* A JSON string literal (UTF-8 kept, controls and bad bytes as \u00XX). */
void sp_json_string(struct sp_buf *out, const char *s);

/*
 * SPF (RFC 7208): `terms` is what follows "v=spf1 ". Counts the terms that
 * cost a DNS lookup (include, a, mx, ptr, exists, redirect; section 4.6.4).
 * False with a message for a term that is not SPF at all.
 */
bool sp_spf_check_terms(const char *terms, unsigned *lookups, sp_err *err);
#define SP_SPF_MAX_LOOKUPS 10
#define SP_SPF_MAX_BYTES 450

/*
 * DMARC (RFC 7489 section 6.3): `tags` is what follows "v=DMARC1; ".
 * p required (none|quarantine|reject); sp/np likewise; adkim/aspf r|s;
 * pct 0..100; fo 0|1|d|s joined by ':'; rf afrf; ri a 32-bit number;
 * rua/ruf comma-separated mailto: URIs with an optional !SIZE; no tag twice,
 * no unknown tag.
 */
bool sp_dmarc_check_tags(const char *tags, sp_err *err);

/* Is this TXT text an SPF / DMARC record (by its version tag)? */
bool sp_txt_is_spf(const char *text);
bool sp_txt_is_dmarc(const char *text);

/*
 * Comparisons for `check`. SPF: the same terms in the same order (case and
 * runs of spaces ignored). DMARC: the same tags with the same values in any
 * order, whitespace ignored. DKIM: the same key (k=, default rsa, and p=,
 * whitespace ignored) and v=DKIM1 if v= is present; `why` says what differs.
 */
bool sp_spf_same(const char *expected, const char *found);
bool sp_dmarc_same(const char *expected, const char *found);
bool sp_dkim_same_key(const char *expected, const char *found, sp_err *why);

/* Domain names: all lower-case, without the trailing dot unless said. */
/* Is `name` the domain or below it? */
bool sp_dns_name_within(const char *name, const char *domain);
/* "@", "mail", "_dmarc"; a name outside the domain: absolute with a dot. */
char *sp_dns_relative(const char *name, const char *domain);
/* A host name of LDH labels (RFC 1123) of at most 63 bytes, 253 in all. */
bool sp_dns_hostname_ok(const char *name);
/* A DKIM selector (RFC 6376 section 3.1: sub-domain labels joined by '.'). */
bool sp_dns_selector_ok(const char *selector);
/* Does the text look like an address (IPv4, IPv6 or "[...]" literal)? */
bool sp_dns_is_address_literal(const char *text);
/*
 * Canonical text of an IPv4 or IPv6 address ("2001:DB8:0::25" ->
 * "2001:db8::25"); family AF_INET or AF_INET6. NULL if it is not one.
 */
char *sp_dns_canon_address(const char *text, int *family);
/* "25.113.0.203.in-addr.arpa." / nibbles ".ip6.arpa."; NULL if not an address. */
char *sp_dns_reverse_name(const char *address);

#endif

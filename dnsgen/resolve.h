/*
 * resolve.h - the DNS questions `dnsgen check` asks: one server at a time,
 * recursive or not, each question bounded in time, and every answer
 * decoded (dns_answer_decode, pure and network-free) into length-carrying
 * values in the presentation form dnsrec.c uses.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_RESOLVE_H
#define DNSGEN_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <resolv.h>
#include <sys/socket.h>

#include "signpost/util.h"

/*
 * What a server can make us spend, written down in dnsgen(1): per question
 * at most DNS_UDP_TRIES tries over UDP within DNS_UDP_MS in all, then, if
 * the answer was truncated (TC), one TCP exchange of at most DNS_TCP_MS;
 * the whole `check` stops asking after DNS_RUN_MS. An answer is at most
 * DNS_ANSWER_MAX bytes and DNS_ANSWER_RECORDS_MAX records (all sections).
 */
#define DNS_UDP_TRIES 2
#define DNS_UDP_TRY_MS 2000
#define DNS_UDP_MS (DNS_UDP_TRIES * DNS_UDP_TRY_MS)
#define DNS_TCP_MS 4000
#define DNS_QUESTION_MS (DNS_UDP_MS + DNS_TCP_MS)
#define DNS_RUN_MS 60000
#define DNS_ANSWER_MAX 32768
#define DNS_ANSWER_RECORDS_MAX 256

/* Where questions go: one address, or the system's resolv.conf servers. */
struct dns_server {
	char *label;                    /* for messages: "192.0.2.1#53" */
	bool system;                    /* use /etc/resolv.conf */
	bool recurse;                   /* set RD; false for authoritative servers */
	struct sockaddr_storage addr;   /* not system: the one address */
	socklen_t addrlen;
	struct sockaddr_storage addrs[MAXNS];   /* once open: whom to ask */
	socklen_t addrlens[MAXNS];
	size_t n_addrs;
	struct __res_state st;          /* for res_nmkquery and resolv.conf */
	bool open;
	char *dead;                     /* why it stopped answering, or NULL */
};

enum dns_status {
	DNS_ANSWER,                     /* NOERROR: values may be empty (NODATA) */
	DNS_NXDOMAIN,
	DNS_ERROR,                      /* no usable answer: see error */
};

/*
 * One record's value: A/AAAA canonical addresses, names lower-case with a
 * trailing dot ("10 mx.example."), TXT the raw bytes of its strings joined
 * (which may hold a NUL). data is NUL-terminated for convenience, but len
 * is the truth. A TXT record whose string lengths do not fit its RDATA
 * keeps what could be read and says why in malformed.
 */
struct dns_value {
	char *data;
	size_t len;
	const char *malformed;          /* static text, or NULL */
	unsigned long ttl;              /* SOA only: the record's TTL */
};

struct dns_result {
	enum dns_status status;
	bool authoritative;             /* AA was set */
	struct dns_value *values;       /* the records of the asked type */
	size_t n_values;
	char *alias;                    /* a CNAME at the name instead, or NULL */
	char *cname_loop;               /* "a. -> b. -> a." when the chain loops */
	char *error;
};

/* ADDR[#PORT] (IPv4 or IPv6; port 53 by default). */
bool dns_server_parse(const char *arg, struct dns_server *s, sp_err *err);
/* An address found for a name server (port 53, not recursive). */
void dns_server_from_sockaddr(struct dns_server *s, const char *name,
    const struct sockaddr *sa, socklen_t len);
/* The resolvers in /etc/resolv.conf (recursive). */
void dns_server_system(struct dns_server *s);
bool dns_server_open(struct dns_server *s, sp_err *err);
void dns_server_close(struct dns_server *s);

/*
 * A test-only variable that shortens a time limit (SIGNPOST_CHECK_SECONDS,
 * SIGNPOST_TLS_SECONDS): its whole seconds, 1 to max; 0 when unset or
 * anything else, and the limit stays as it is.
 */
long dns_env_seconds(const char *name, long max);

/* Start the DNS_RUN_MS clock of one `check` run. */
void dns_run_start(void);

/* type: ns_t_a, ns_t_txt, ... ; name absolute (trailing dot). */
void dns_query(struct dns_server *s, const char *name, int type,
    struct dns_result *r);
void dns_result_free(struct dns_result *r);

/*
 * Decode one whole DNS message that answers `qname`/`qtype` (RFC 1035
 * section 4.1): the question must be the one asked, the rcode, AA flag and
 * the answer's records at the name (CNAME chains and loops, referrals,
 * records for another name, the limits above) end up in r. `label` names
 * the server in messages. No network, no state: a fuzz target can call it
 * with any bytes.
 */
void dns_answer_decode(const unsigned char *msg, size_t len,
    const char *label, const char *qname, int qtype, struct dns_result *r);

/* Is `value` (a C string) one of r's values? (case-insensitive, bytes) */
bool dns_result_has(const struct dns_result *r, const char *value);
/* "TXT", "MX", ... for messages. */
const char *dns_type_name(int type);

#endif

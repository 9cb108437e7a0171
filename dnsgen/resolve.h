/*
 * resolve.h - the DNS questions `dnsgen check` asks, through the C
 * library's resolver (libresolv): one server at a time, recursive or not,
 * with every answer decoded into the presentation form dnsrec.c uses.
 */
#ifndef DNSGEN_RESOLVE_H
#define DNSGEN_RESOLVE_H

#include <stdbool.h>
#include <resolv.h>
#include <sys/socket.h>

#include "signpost/util.h"

/* Where questions go: one address, or the system's resolv.conf servers. */
struct dns_server {
	char *label;                    /* for messages: "192.0.2.1#53" */
	bool system;                    /* use /etc/resolv.conf */
	bool recurse;                   /* set RD; false for authoritative servers */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct __res_state st;
	bool open;
	char *dead;                     /* why it stopped answering, or NULL */
};

enum dns_status {
	DNS_ANSWER,                     /* NOERROR: values may be empty (NODATA) */
	DNS_NXDOMAIN,
	DNS_ERROR,                      /* no usable answer: see error */
};

struct dns_result {
	enum dns_status status;
	bool authoritative;             /* AA was set */
	/*
	 * The records of the asked type at the name: A/AAAA canonical
	 * addresses, names lower-case with a trailing dot ("10 mx.example."),
	 * TXT strings joined.
	 */
	struct sp_list values;
	char *alias;                    /* a CNAME at the name instead, or NULL */
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

/* type: ns_t_a, ns_t_txt, ... ; name absolute (trailing dot). */
void dns_query(struct dns_server *s, const char *name, int type,
    struct dns_result *r);
void dns_result_free(struct dns_result *r);

#endif

/*
 * cidr.h - IPv4/IPv6 network lists (internal_hosts): parsing "10.0.0.0/8",
 * "2001:db8::/32" or a bare address, formatting them back, and matching a
 * client address against a list. Implemented in lib/cidr.c.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_CIDR_H
#define SIGNPOST_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/util.h"

struct sockaddr;

/* One entry of internal_hosts: an IPv4 or IPv6 network. */
struct sp_cidr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char addr[16];     /* network address, host bits zero */
	unsigned prefix;            /* 0..32 or 0..128 */
};

/* "10.0.0.0/8", "::1", "192.0.2.7" (a bare address is a /32 or /128). */
bool sp_cidr_parse(const char *text, struct sp_cidr *out);
/* Does the address match any entry? IPv4-mapped IPv6 counts as IPv4. */
bool sp_cidr_match_sockaddr(const struct sp_cidr *list, size_t n,
    const struct sockaddr *sa);
bool sp_cidr_match_text(const struct sp_cidr *list, size_t n,
    const char *address);
/*
 * sp_cidr_parse, saying what is wrong: "10.1.2.3/8: host bits set (write
 * 10.0.0.0/8)". Host bits are refused, never silently cleared. An entry in
 * IPv4-mapped form (::ffff:10.0.0.0/104) is stored as IPv4 (10.0.0.0/8).
 */
bool sp_cidr_parse_err(const char *text, struct sp_cidr *out, sp_err *err);
/* "10.0.0.0/8", "2001:db8::/32" into buf (SP_CIDR_TEXT_MAX bytes suffice). */
#define SP_CIDR_TEXT_MAX 56
void sp_cidr_format(const struct sp_cidr *cidr, char *buf, size_t size);

#endif

/*
 * dnsname.h - domain names and addresses for dnsgen's records
 * (lib/dnsname.c): names inside a domain, relative names, canonical
 * addresses and reverse (PTR) names. Host name and selector syntax are
 * grammar.h's. Pure.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_DNSNAME_H
#define SIGNPOST_DNSNAME_H

#include <stdbool.h>

/* Domain names: all lower-case, without the trailing dot unless said. */
/* Is `name` the domain or below it? */
bool sp_dns_name_within(const char *name, const char *domain);
/* "@", "mail", "_dmarc"; a name outside the domain: absolute with a dot. */
char *sp_dns_relative(const char *name, const char *domain);
/*
 * Canonical text of an IPv4 or IPv6 address ("2001:DB8:0::25" ->
 * "2001:db8::25"); family AF_INET or AF_INET6. NULL if it is not one.
 */
char *sp_dns_canon_address(const char *text, int *family);
/* "25.113.0.203.in-addr.arpa." / nibbles ".ip6.arpa."; NULL if not an address. */
char *sp_dns_reverse_name(const char *address);

#endif

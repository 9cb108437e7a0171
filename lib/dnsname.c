/*
 * dnsname.c - domain names and addresses for dnsgen's records: is a name
 * inside a domain, its host part relative to the domain, canonical
 * addresses and the reverse (PTR) names of addresses. Host name and
 * selector syntax live in grammar.c. Pure; see dnsname.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signpost/dnsname.h"
#include "signpost/util.h"

bool
sp_dns_name_within(const char *name, const char *domain)
{
	size_t nl = strlen(name), dl = strlen(domain);

	if (nl == dl)
		return sp_strcasecmp(name, domain) == 0;
	if (nl < dl + 1 || name[nl - dl - 1] != '.')
		return false;
	return sp_strcasecmp(name + nl - dl, domain) == 0;
}

char *
sp_dns_relative(const char *name, const char *domain)
{
	size_t nl = strlen(name), dl = strlen(domain);
	char *bare, *rel;

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	bare = sp_xstrndup(name, nl);
	if (!sp_dns_name_within(bare, domain))
		rel = sp_xasprintf("%s.", bare);
	else if (nl == dl)
		rel = sp_xstrdup("@");
	else
		rel = sp_xstrndup(bare, nl - dl - 1);
	free(bare);
	return rel;
}

char *
sp_dns_canon_address(const char *text, int *family)
{
	unsigned char addr[16];
	char buf[INET6_ADDRSTRLEN];
	int af;

	if (inet_pton(AF_INET, text, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		af = AF_INET6;
	else
		return NULL;
	if (inet_ntop(af, addr, buf, sizeof(buf)) == NULL)
		return NULL;
	if (family != NULL)
		*family = af;
	return sp_xstrdup(buf);
}

/* RFC 1035 section 3.5 (in-addr.arpa) and RFC 3596 section 2.5 (ip6.arpa). */
char *
sp_dns_reverse_name(const char *address)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	struct sp_buf b = SP_BUF_INIT;

	if (inet_pton(AF_INET, address, a) == 1) {
		sp_buf_printf(&b, "%u.%u.%u.%u.in-addr.arpa.", a[3], a[2],
		    a[1], a[0]);
		return sp_buf_steal(&b);
	}
	if (inet_pton(AF_INET6, address, a) != 1)
		return NULL;
	for (int i = 15; i >= 0; i--) {
		sp_buf_putc(&b, hex[a[i] & 0x0f]);
		sp_buf_putc(&b, '.');
		sp_buf_putc(&b, hex[a[i] >> 4]);
		sp_buf_putc(&b, '.');
	}
	sp_buf_puts(&b, "ip6.arpa.");
	return sp_buf_steal(&b);
}

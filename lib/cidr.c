/*
 * cidr.c - IPv4/IPv6 network lists (internal_hosts): parsing "10.0.0.0/8",
 * "2001:db8::/32" or a bare address, and matching a client address against
 * a list.
 *
 * IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, what a dual-stack socket
 * reports for an IPv4 client) are IPv4 here, both in the list and in the
 * address being matched, so "10.0.0.0/8" covers them and "::/0" does not.
 * A network with host bits set ("10.1.2.3/8") is refused rather than
 * silently widened or narrowed: it is almost always a typing mistake.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "signpost/cidr.h"

/* Longest address text we accept: an IPv6 address with an IPv4 tail. */
#define ADDR_TEXT_MAX 64

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

static unsigned
family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Do the first `prefix` bits of a and b agree? */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;
	unsigned char mask;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

/* Clear every bit after the first `prefix`; true if any was set. */
static bool
clear_host_bits(unsigned char *addr, unsigned bits, unsigned prefix)
{
	bool had = false;

	for (unsigned i = prefix; i < bits; i++) {
		unsigned char bit = (unsigned char)(0x80 >> (i % 8));

		if (addr[i / 8] & bit) {
			had = true;
			addr[i / 8] &= (unsigned char)~bit;
		}
	}
	return had;
}

/* The prefix length after '/': decimal, no sign, no leading zeros. */
static bool
parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/*
 * One address, optionally in brackets ("[2001:db8::1]"), into family and
 * 16 bytes (IPv4 in the first four).
 */
static bool
parse_address(const char *text, size_t len, int *family, unsigned char *addr)
{
	char buf[ADDR_TEXT_MAX + 1];

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len > ADDR_TEXT_MAX)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(addr, 0, 16);
	if (memchr(buf, ':', len) != NULL) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, buf, addr) == 1;
}

static bool
is_v4mapped(const unsigned char *addr)
{
	return memcmp(addr, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

bool
sp_cidr_parse_err(const char *text, struct sp_cidr *out, sp_err *err)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	struct sp_cidr c;
	unsigned bits;

	memset(&c, 0, sizeof(c));
	if (!parse_address(text, alen, &c.family, c.addr)) {
		sp_err_set(err, "\"%.*s\" is not an IPv4 or IPv6 address",
		    (int)(alen > 80 ? 80 : alen), text);
		return false;
	}
	bits = family_bits(c.family);
	c.prefix = bits;
	if (slash != NULL && !parse_prefix(slash + 1, bits, &c.prefix)) {
		sp_err_set(err, "bad prefix length \"/%.20s\" (0 to %u)",
		    slash + 1, bits);
		return false;
	}
	if (c.family == AF_INET6 && is_v4mapped(c.addr) && c.prefix >= 96) {
		/* ::ffff:10.0.0.0/104 is the IPv4 network 10.0.0.0/8. */
		memmove(c.addr, c.addr + 12, 4);
		memset(c.addr + 4, 0, 12);
		c.family = AF_INET;
		c.prefix -= 96;
		bits = 32;
	}
	{
		struct sp_cidr net = c;
		char fixed[SP_CIDR_TEXT_MAX];

		if (clear_host_bits(net.addr, bits, net.prefix)) {
			sp_cidr_format(&net, fixed, sizeof(fixed));
			sp_err_set(err, "\"%.80s\" has host bits set after "
			    "the /%u prefix (write the network: %s)", text,
			    c.prefix, fixed);
			return false;
		}
	}
	*out = c;
	return true;
}

bool
sp_cidr_parse(const char *text, struct sp_cidr *out)
{
	return sp_cidr_parse_err(text, out, NULL);
}

void
sp_cidr_format(const struct sp_cidr *cidr, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (inet_ntop(cidr->family, cidr->addr, addr, sizeof(addr)) == NULL)
		SP_BUG("bad address family %d", cidr->family);
	snprintf(buf, size, "%s/%u", addr, cidr->prefix);
}

/* An address (family + 16 bytes) against the list; mapped = IPv4. */
static bool
match_address(const struct sp_cidr *list, size_t n, int family,
    const unsigned char *addr)
{
	unsigned char v4[16];

	if (family == AF_INET6 && is_v4mapped(addr)) {
		memset(v4, 0, sizeof(v4));
		memcpy(v4, addr + 12, 4);
		family = AF_INET;
		addr = v4;
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].family == family &&
		    prefix_equal(list[i].addr, addr, list[i].prefix))
			return true;
	return false;
}

bool
sp_cidr_match_sockaddr(const struct sp_cidr *list, size_t n,
    const struct sockaddr *sa)
{
	unsigned char addr[16];

	if (sa == NULL)
		return false;
	memset(addr, 0, sizeof(addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		memcpy(addr, &sin->sin_addr, 4);
		return match_address(list, n, AF_INET, addr);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)sa;

		memcpy(addr, &sin6->sin6_addr, 16);
		return match_address(list, n, AF_INET6, addr);
	}
	return false;   /* AF_UNIX and the rest: no address to match */
}

bool
sp_cidr_match_text(const struct sp_cidr *list, size_t n, const char *address)
{
	unsigned char addr[16];
	int family;

	if (address == NULL)
		return false;
	/* Postfix writes IPv6 clients as "IPv6:2001:db8::1" in some places. */
	if (sp_strncasecmp(address, "IPv6:", 5) == 0)
		address += 5;
	if (!parse_address(address, strlen(address), &family, addr))
		return false;
	return match_address(list, n, family, addr);
}

/*
 * grammar.c - the syntax rules several parts of signpost share, each
 * written once: host names (RFC 1123, RFC 3696), DKIM selectors and key
 * record names (RFC 6376), header field names (RFC 5322, and what of them
 * fits a DKIM h= tag) and address literals (RFC 5321). Every checker
 * returns NULL or the reason the text breaks the rule; see grammar.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signpost/grammar.h"
#include "signpost/util.h"

/* The "._domainkey." between a selector and its domain. */
#define DOMAINKEY_INFIX "._domainkey."

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_let_dig(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
}

/* label = let-dig [*(let-dig / "-") let-dig], 1..63 bytes (RFC 1123 2.1). */
static const char *
ldh_label_problem(const char *s, size_t len)
{
	if (len == 0)
		return "has an empty label";
	if (len > SP_DNS_LABEL_MAX)
		return "has a label longer than 63 characters";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return "is not ASCII (write an internationalised name "
			    "in its xn-- form)";
		if (!is_let_dig(c) && c != '-')
			return "has a character other than letters, digits, "
			    "'-' and '.'";
	}
	if (s[0] == '-')
		return "has a label that starts with '-'";
	if (s[len - 1] == '-')
		return "has a label that ends with '-'";
	return NULL;
}

/* Every '.'-separated label of s[0..len) is LDH; `last` gets the last one. */
static const char *
ldh_labels_problem(const char *s, size_t len, const char **last,
    size_t *last_len)
{
	const char *end = s + len, *why;

	for (;;) {
		const char *dot = memchr(s, '.', (size_t)(end - s));
		size_t n = dot != NULL ? (size_t)(dot - s) : (size_t)(end - s);

		if ((why = ldh_label_problem(s, n)) != NULL)
			return why;
		if (dot == NULL) {
			*last = s;
			*last_len = n;
			return NULL;
		}
		s = dot + 1;
	}
}

const char *
sp_host_name_problem(const char *name)
{
	size_t len = strlen(name), tld_len = 0;
	const char *tld = NULL, *why;

	if (len == 0)
		return "is empty";
	if (len > SP_DNS_NAME_MAX)
		return "is longer than 253 characters";
	if ((why = ldh_labels_problem(name, len, &tld, &tld_len)) != NULL)
		return why;
	/* RFC 3696 section 2: a top-level domain is never all-numeric. */
	for (size_t i = 0; i < tld_len; i++)
		if (!is_digit((unsigned char)tld[i]))
			return NULL;
	return "ends in an all-numeric label (no top-level domain is all "
	    "digits; an IP address is not a host name)";
}

char *
sp_host_name_lower(const char *text)
{
	size_t len = strlen(text);
	char *name;

	if (len > 1 && text[len - 1] == '.')
		len--;
	name = sp_xstrndup(text, len);
	sp_str_lower(name);
	return name;
}

const char *
sp_selector_problem(const char *selector, size_t len)
{
	const char *last;
	size_t last_len;

	if (len == 0)
		return "is empty";
	if (len > SP_DNS_NAME_MAX)
		return "is longer than 253 characters";
	return ldh_labels_problem(selector, len, &last, &last_len);
}

const char *
sp_dkim_key_name_problem(const char *selector, const char *domain)
{
	const char *why = sp_selector_problem(selector, strlen(selector));

	if (why != NULL)
		return why;
	if (strlen(selector) + strlen(DOMAINKEY_INFIX) + strlen(domain) >
	    SP_DNS_NAME_MAX)
		return "is too long: SELECTOR._domainkey.DOMAIN, the name of "
		    "its key record, would exceed 253 characters";
	return NULL;
}

const char *
sp_field_name_problem(const char *name, size_t len)
{
	if (len == 0)
		return "is empty";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ':')
			return "contains ':', which ends a field name";
		if (c < 33 || c > 126)
			return "has a byte that is not printable ASCII "
			    "(a space, a control or a non-ASCII byte)";
	}
	return NULL;
}

const char *
sp_dkim_field_name_problem(const char *name, size_t len)
{
	const char *why = sp_field_name_problem(name, len);

	if (why != NULL)
		return why;
	if (memchr(name, ';', len) != NULL)
		return "contains ';', which would end the h= tag of a "
		    "DKIM-Signature (RFC 6376 section 3.2)";
	return NULL;
}

bool
sp_is_address_literal(const char *text)
{
	unsigned char addr[16];
	size_t len = strlen(text);

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
		return true;
	return inet_pton(AF_INET, text, addr) == 1 ||
	    inet_pton(AF_INET6, text, addr) == 1 ||
	    sp_strncasecmp(text, "IPv6:", 5) == 0;
}

/* The host part of a URI, up to the first of `stops`. */
static const char *
uri_host_problem(const char *start, const char *stops)
{
	size_t len = strcspn(start, stops);
	char *host = sp_xstrndup(start, len);
	const char *why = sp_host_name_problem(host);

	free(host);
	return why == NULL ? NULL : "does not name a valid host";
}

const char *
sp_report_uri_problem(const char *uri)
{
	const char *at, *p;

	for (p = uri; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\";,", *p) != NULL)
			return "holds a space, '\"', ';', ',' or a byte outside "
			    "printable ASCII (write it %-encoded)";
	if (sp_strncasecmp(uri, "mailto:", 7) == 0) {
		at = strrchr(uri + 7, '@');
		if (at == NULL || at == uri + 7)
			return "is not mailto:LOCAL@DOMAIN";
		if (strchr(uri + 7, '!') != NULL)
			return "holds '!', which ends the address in a report "
			    "URI list (write it %21)";
		return uri_host_problem(at + 1, "?");
	}
	if (sp_strncasecmp(uri, "https://", 8) == 0) {
		p = uri + 8;
		if (strcspn(p, ":/?#") == 0)
			return "has no host after https://";
		return uri_host_problem(p, ":/?#");
	}
	return "is neither a mailto: nor an https: URI";
}

/*
 * stsparse.c - reading an MTA-STS policy as a sending MTA does: the
 * policy file's fields (RFC 8461 section 3.2), the mx: pattern match
 * (section 4.1) and the id of the _mta-sts TXT record (section 3.1).
 * Pure: no network, so the unit test feeds it any bytes.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dnsgen/tlscheck.h"

#define STS_MAX_AGE_MAX 31557600UL      /* section 3.2: at most a year */

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static char *
trimmed(const char *p, size_t len)
{
	while (len > 0 && is_wsp(*p)) {
		p++;
		len--;
	}
	while (len > 0 && is_wsp(p[len - 1]))
		len--;
	return sp_xstrndup(p, len);
}

/* max_age = 1*10DIGIT, at most 31557600 (section 3.2). */
static bool
parse_max_age(const char *v, unsigned long *out, sp_err *err)
{
	size_t n = strspn(v, "0123456789");
	unsigned long age = 0;

	if (n == 0 || n > 10 || v[n] != '\0') {
		sp_err_set(err, "max_age \"%s\" is not a number of seconds", v);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		age = age * 10 + (unsigned long)(v[i] - '0');
	if (age > STS_MAX_AGE_MAX) {
		sp_err_set(err, "max_age %lu is more than %lu (a year; RFC 8461 "
		    "section 3.2)", age, STS_MAX_AGE_MAX);
		return false;
	}
	*out = age;
	return true;
}

/* One "key: value" line into p; seen counts version, mode, max_age. */
static bool
policy_field(const char *line, size_t len, struct sts_policy *p,
    unsigned seen[3], sp_err *err)
{
	const char *colon = memchr(line, ':', len);
	char *key, *value;
	bool good = true;

	if (colon == NULL) {
		sp_err_set(err, "a line without \"key: value\"");
		return false;
	}
	key = sp_xstrndup(line, (size_t)(colon - line));
	value = trimmed(colon + 1, len - (size_t)(colon - line) - 1);
	if (strcmp(key, "version") == 0) {
		if ((good = strcmp(value, "STSv1") == 0) == false)
			sp_err_set(err, "version \"%s\" is not STSv1", value);
		seen[0]++;
	} else if (strcmp(key, "mode") == 0) {
		good = strcmp(value, "enforce") == 0 ||
		    strcmp(value, "testing") == 0 || strcmp(value, "none") == 0;
		if (!good)
			sp_err_set(err, "mode \"%s\" is none of enforce, testing, "
			    "none", value);
		free(p->mode);
		p->mode = sp_xstrdup(value);
		seen[1]++;
	} else if (strcmp(key, "max_age") == 0) {
		good = parse_max_age(value, &p->max_age, err);
		seen[2]++;
	} else if (strcmp(key, "mx") == 0) {
		sp_list_add(&p->mx, value);
	}       /* other keys are extensions: ignored (section 3.2) */
	free(key);
	free(value);
	return good;
}

static bool
policy_complete(const struct sts_policy *p, const unsigned seen[3],
    sp_err *err)
{
	static const char *const names[3] = { "version", "mode", "max_age" };

	for (int i = 0; i < 3; i++) {
		if (seen[i] == 0) {
			sp_err_set(err, "no %s field", names[i]);
			return false;
		}
		if (seen[i] > 1) {
			sp_err_set(err, "the %s field appears %u times", names[i],
			    seen[i]);
			return false;
		}
	}
	if (p->mx.n == 0 && strcmp(p->mode, "none") != 0) {
		sp_err_set(err, "mode %s without any mx: line", p->mode);
		return false;
	}
	return true;
}

/* Lines end in CRLF; a bare LF is read too, as senders do. */
bool
sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
    sp_err *err)
{
	unsigned seen[3] = { 0, 0, 0 }, line_no = 0;
	size_t off = 0;

	memset(p, 0, sizeof(*p));
	if (memchr(body, '\0', len) != NULL) {
		sp_err_set(err, "the policy holds a NUL byte");
		return false;
	}
	while (off < len) {
		const char *line = body + off, *nl = memchr(line, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - off;

		off += n + (nl != NULL);
		line_no++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (!policy_field(line, n, p, seen, err)) {
			sp_err_prefix(err, "line %u", line_no);
			return false;
		}
	}
	return policy_complete(p, seen, err);
}

void
sts_policy_free(struct sts_policy *p)
{
	free(p->mode);
	sp_list_free(&p->mx);
	memset(p, 0, sizeof(*p));
}

/* Compare two names, ignoring case and a trailing dot. */
static bool
same_host(const char *a, size_t la, const char *b, size_t lb)
{
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && la > 0 && sp_strncasecmp(a, b, la) == 0;
}

/*
 * Section 4.1: "mail.example.com" matches itself; "*.example.com" matches
 * one more label on the left ("mx1.example.com", not "a.b.example.com"
 * nor "example.com").
 */
bool
sts_mx_matches(const char *pattern, const char *host)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return same_host(pattern, strlen(pattern), host, strlen(host));
	dot = strchr(host, '.');
	if (dot == NULL || dot == host)
		return false;
	return same_host(pattern + 2, strlen(pattern + 2), dot + 1,
	    strlen(dot + 1));
}

/* Section 3.1: fields separated by ';', optional spaces; id = 1*32 alnum. */
char *
sts_txt_id(const char *txt, size_t len)
{
	const char *p = txt, *end = txt + len;

	if (len < 7 || strncmp(txt, "v=STSv1", 7) != 0)
		return NULL;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *fend = semi != NULL ? semi : end;

		while (p < fend && is_wsp(*p))
			p++;
		if (fend - p > 3 && strncmp(p, "id=", 3) == 0) {
			char *id = trimmed(p + 3, (size_t)(fend - p - 3));
			size_t n = strlen(id);

			if (n >= 1 && n <= 32 && strspn(id, "abcdefghijklmnopqrstu"
			    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n)
				return id;
			free(id);
			return NULL;
		}
		p = fend + 1;
	}
	return NULL;
}

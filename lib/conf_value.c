/*
 * conf_value.c - the syntax of each kind of value in signpost.conf(5):
 * booleans, durations, modes, milter sockets, paths, host names, selectors,
 * header-field lists, address lists, MX lists and keywords.
 *
 * Every checker takes the value as written (trimmed, comment removed) and
 * either accepts it or says what is wrong and what is allowed. None of them
 * touches the configuration struct: conf_set.c does that.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "conf_int.h"
#include "signpost/grammar.h"

/* Quote at most this much of a bad value in a message. */
#define SHOW 100

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_list_sep(int c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* Decimal digits only, at most max. */
static bool
parse_number(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!is_digit((unsigned char)*s))
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > max)
			return false;
	}
	*out = n;
	return true;
}

void
conf_split_list(const char *v, struct sp_list *out)
{
	while (*v != '\0') {
		size_t n = 0;

		while (is_list_sep((unsigned char)*v))
			v++;
		while (v[n] != '\0' && !is_list_sep((unsigned char)v[n]))
			n++;
		if (n > 0)
			sp_list_add_owned(out, sp_xstrndup(v, n));
		v += n;
	}
}

bool
conf_bool(const char *v, bool *out, sp_err *err)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = {
		{ "yes", true }, { "no", false }, { "true", true },
		{ "false", false }, { "on", true }, { "off", false },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (sp_strcasecmp(v, words[i].word) == 0) {
			*out = words[i].value;
			return true;
		}
	sp_err_set(err, "\"%.*s\" is not a boolean (yes, no, true, false, "
	    "on or off)", SHOW, v);
	return false;
}

/* A unit a number may carry: its letter (either case) and its factor. */
struct unit {
	char letter;
	unsigned long factor;
};

static const struct unit seconds_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	{ '\0', 0 },
};
static const struct unit size_units[] = {
	{ 'k', 1024 }, { 'm', 1024 * 1024 }, { '\0', 0 },
};
static const struct unit no_units[] = { { '\0', 0 } };

enum number_problem { NUMBER_OK, NUMBER_BAD, NUMBER_RANGE };

/*
 * Decimal digits, then at most one letter of `units`; the product between
 * min and max. No sign, no spaces inside, no overflow on the way.
 */
static enum number_problem
number_with_unit(const char *v, const struct unit *units, unsigned long min,
    unsigned long max, unsigned long *out)
{
	unsigned long n = 0, factor = 1;
	const char *s = v;

	if (!is_digit((unsigned char)*s))
		return NUMBER_BAD;
	for (; is_digit((unsigned char)*s); s++) {
		if (n > (max - (unsigned long)(*s - '0')) / 10)
			return NUMBER_RANGE;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (*s != '\0') {
		const struct unit *u = units;
		char letter = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		while (u->letter != '\0' && u->letter != letter)
			u++;
		if (u->letter == '\0' || s[1] != '\0')
			return NUMBER_BAD;
		factor = u->factor;
	}
	if (n > max / factor || n * factor < min)
		return NUMBER_RANGE;
	*out = n * factor;
	return NUMBER_OK;
}

/*
 * A number of seconds, optionally with one unit: s, m, h, d or w
 * ("3600", "1h", "2w"). Decimal only; no sign, no spaces inside.
 */
bool
conf_duration(const char *v, unsigned long min, unsigned long max,
    unsigned long *out, sp_err *err)
{
	switch (number_with_unit(v, seconds_units, min, max, out)) {
	case NUMBER_OK:
		return true;
	case NUMBER_BAD:
		sp_err_set(err, "\"%.*s\" is not a number of seconds (digits, "
		    "optionally followed by s, m, h, d or w, e.g. 3600 or 1h)",
		    SHOW, v);
		return false;
	case NUMBER_RANGE:
		break;
	}
	sp_err_set(err, "\"%.*s\" is out of range (%lu to %lu seconds)",
	    SHOW, v, min, max);
	return false;
}

/*
 * A count or a size in bytes: digits, for a size optionally followed by
 * k or m (KiB, MiB), e.g. 10000, 2m. Between min and max.
 */
bool
conf_size(const char *v, bool bytes, unsigned long min, unsigned long max,
    unsigned long *out, sp_err *err)
{
	switch (number_with_unit(v, bytes ? size_units : no_units, min, max,
	    out)) {
	case NUMBER_OK:
		return true;
	case NUMBER_BAD:
		sp_err_set(err, "\"%.*s\" is not %s", SHOW, v, bytes ?
		    "a size (digits, optionally followed by k or m, e.g. 2m)" :
		    "a number (digits)");
		return false;
	case NUMBER_RANGE:
		break;
	}
	sp_err_set(err, "\"%.*s\" is out of range (%lu to %lu%s)", SHOW, v,
	    min, max, bytes ? " bytes" : "");
	return false;
}

/* An octal permission mode for the milter's unix socket. */
bool
conf_mode(const char *v, unsigned *out, sp_err *err)
{
	unsigned n = 0;
	const char *s = v;

	if (*s == '\0')
		goto bad;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '7')
			goto bad;
		n = n * 8 + (unsigned)(*s - '0');
		if (n > 0777)
			goto bad;
	}
	*out = n;
	return true;
bad:
	sp_err_set(err, "\"%.*s\" is not an octal mode (0000 to 0777, "
	    "e.g. 0660)", SHOW, v);
	return false;
}

char *
conf_host_name(const char *v, const char *what, sp_err *err)
{
	char *name = sp_host_name_lower(v);
	const char *why;

	if ((why = sp_host_name_problem(name)) != NULL) {
		sp_err_set(err, "%s \"%.*s\" %s", what, SHOW, v, why);
		free(name);
		return NULL;
	}
	return name;
}

/* The host of "PORT@HOST": an address of the family, or a host name. */
static bool
socket_host(const char *host, int family, sp_err *err)
{
	unsigned char addr[16];
	size_t len = strlen(host);

	if (inet_pton(family, host, addr) == 1)
		return true;
	/* libmilter also takes inet6:PORT@[ADDRESS]. */
	if (family == AF_INET6 && len > 2 && host[0] == '[' &&
	    host[len - 1] == ']') {
		char *inner = sp_xstrndup(host + 1, len - 2);
		bool good = inet_pton(AF_INET6, inner, addr) == 1;

		free(inner);
		if (good)
			return true;
		sp_err_set(err, "\"%.*s\" is not an IPv6 address in brackets",
		    SHOW, host);
		return false;
	}
	if (family == AF_INET && inet_pton(AF_INET6, host, addr) == 1) {
		sp_err_set(err, "\"%.*s\" is an IPv6 address (use "
		    "inet6:PORT@%.*s)", SHOW, host, SHOW, host);
		return false;
	}
	if (sp_host_name_problem(host) != NULL) {
		sp_err_set(err, "\"%.*s\" is not an %s address or host name",
		    SHOW, host, family == AF_INET ? "IPv4" : "IPv6");
		return false;
	}
	return true;
}

/* "inet:PORT@HOST" / "inet6:PORT@HOST" after the colon. */
static bool
socket_inet(const char *rest, int family, sp_err *err)
{
	const char *at = strchr(rest, '@');
	unsigned long port = 0;
	char *digits;
	bool good;

	if (at == NULL || at == rest || at[1] == '\0') {
		sp_err_set(err, "\"%.*s\" needs a port and a host "
		    "(e.g. inet:8891@127.0.0.1; a milter listening on every "
		    "address would sign for anyone who reaches it)", SHOW,
		    rest);
		return false;
	}
	digits = sp_xstrndup(rest, (size_t)(at - rest));
	good = parse_number(digits, 65535, &port) && port >= 1;
	if (!good)
		sp_err_set(err, "port \"%.*s\" is not a number from 1 to 65535",
		    SHOW, digits);
	free(digits);
	return good && socket_host(at + 1, family, err);
}

/* The milter socket, in the forms libmilter's smfi_setconn() knows. */
bool
conf_socket(const char *v, sp_err *err)
{
	static const char allowed[] = "(unix:/PATH, local:/PATH, "
	    "inet:PORT@HOST or inet6:PORT@HOST)";
	const char *path = NULL;

	if (strncmp(v, "unix:", 5) == 0)
		path = v + 5;
	else if (strncmp(v, "local:", 6) == 0)
		path = v + 6;
	else if (strncmp(v, "inet:", 5) == 0)
		return socket_inet(v + 5, AF_INET, err);
	else if (strncmp(v, "inet6:", 6) == 0)
		return socket_inet(v + 6, AF_INET6, err);
	if (path == NULL) {
		sp_err_set(err, "\"%.*s\" is not a socket %s", SHOW, v, allowed);
		return false;
	}
	if (path[0] != '/') {
		sp_err_set(err, "\"%.*s\": the socket path must be absolute "
		    "(unix:/run/signpost/milter.sock)", SHOW, v);
		return false;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		sp_err_set(err, "socket path is longer than %zu bytes",
		    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return false;
	}
	return true;
}

bool
conf_abs_path(const char *v, sp_err *err)
{
	if (v[0] != '/') {
		sp_err_set(err, "\"%.*s\" is not an absolute path (it must "
		    "start with /)", SHOW, v);
		return false;
	}
	return true;
}

/* POSIX portable user names (plus a trailing '$', as Samba writes). */
bool
conf_user_name(const char *v, sp_err *err)
{
	size_t len = strlen(v);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (is_alnum(c) || c == '_' || c == '.' ||
		    (c == '-' && i > 0) || (c == '$' && i == len - 1 && i > 0))
			continue;
		sp_err_set(err, "\"%.*s\" is not a user name (letters, digits, "
		    "'.', '_' and '-', not starting with '-')", SHOW, v);
		return false;
	}
	if (len > 32) {
		sp_err_set(err, "\"%.*s\" is longer than 32 characters", SHOW, v);
		return false;
	}
	return true;
}

static bool
canon_word(const char *s, size_t n, enum sp_canon *out)
{
	if (n == 6 && sp_strncasecmp(s, "simple", 6) == 0)
		*out = SP_CANON_SIMPLE;
	else if (n == 7 && sp_strncasecmp(s, "relaxed", 7) == 0)
		*out = SP_CANON_RELAXED;
	else
		return false;
	return true;
}

/*
 * "header/body", each simple or relaxed. One word alone names the header
 * canonicalization and the body's is simple (RFC 6376 section 3.5, c=).
 */
bool
conf_canonicalization(const char *v, enum sp_canon *header,
    enum sp_canon *body, sp_err *err)
{
	const char *slash = strchr(v, '/');
	enum sp_canon h, b = SP_CANON_SIMPLE;

	if (!canon_word(v, slash ? (size_t)(slash - v) : strlen(v), &h) ||
	    (slash != NULL && !canon_word(slash + 1, strlen(slash + 1), &b))) {
		sp_err_set(err, "\"%.*s\" is not a canonicalization (HEADER/BODY, "
		    "each simple or relaxed, e.g. relaxed/relaxed; one word "
		    "alone means WORD/simple)", SHOW, v);
		return false;
	}
	*header = h;
	*body = b;
	return true;
}

bool
conf_on_error(const char *v, enum sp_on_error *out, sp_err *err)
{
	if (sp_strcasecmp(v, "tempfail") == 0)
		*out = SP_ON_ERROR_TEMPFAIL;
	else if (sp_strcasecmp(v, "accept") == 0)
		*out = SP_ON_ERROR_ACCEPT;
	else {
		sp_err_set(err, "\"%.*s\" is not allowed (tempfail or accept)",
		    SHOW, v);
		return false;
	}
	return true;
}

bool
conf_log_level(const char *v, enum sp_log_level *out, sp_err *err)
{
	char word[16];
	int level = -1;

	if (strlen(v) < sizeof(word)) {
		strcpy(word, v);
		sp_str_lower(word);
		level = sp_log_level_parse(word);
	}
	if (level < 0) {
		sp_err_set(err, "\"%.*s\" is not a log level (error, warning, "
		    "notice, info or debug)", SHOW, v);
		return false;
	}
	*out = (enum sp_log_level)level;
	return true;
}

/* A list of RFC 6186 / RFC 8314 service names; empty: none offered. */
bool
conf_services(const char *v, unsigned *out, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT;
	unsigned bits = 0;
	bool good = true;

	conf_split_list(v, &words);
	for (size_t i = 0; good && i < words.n; i++) {
		size_t k;

		for (k = 0; k < SP_SVC_COUNT; k++)
			if (sp_strcasecmp(words.v[i], sp_services[k].name) == 0)
				break;
		if (k == SP_SVC_COUNT) {
			sp_err_set(err, "unknown service \"%.*s\" (submissions, "
			    "submission, imaps, imap, pop3s, pop3)", SHOW,
			    words.v[i]);
			good = false;
		} else
			bits |= sp_services[k].bit;
	}
	sp_list_free(&words);
	if (good)
		*out = bits;
	return good;
}

bool
conf_cidr_list(const char *v, struct sp_cidr **out, size_t *n, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT;
	struct sp_cidr *list;
	bool good = true;

	conf_split_list(v, &words);
	list = sp_xcalloc(words.n, sizeof(*list));
	for (size_t i = 0; good && i < words.n; i++)
		good = sp_cidr_parse_err(words.v[i], &list[i], err);
	if (good) {
		*out = list;
		*n = words.n;
	} else
		free(list);
	sp_list_free(&words);
	return good;
}

/* Fields a signature must never cover, and why. */
static const char *
unsignable_reason(const char *name)
{
	if (strcmp(name, "received") == 0)
		return "Postfix and every later hop add Received: fields "
		    "after signing";
	if (strcmp(name, "return-path") == 0)
		return "the receiving server adds Return-Path: at delivery";
	if (strcmp(name, "dkim-signature") == 0)
		return "signatures are added and removed in transit; each "
		    "one covers itself already";
	return NULL;
}

/*
 * sign_headers / oversign_headers: field names, stored lower-case, each
 * once. For signing, From: must be there (RFC 6376 section 5.4).
 */
bool
conf_header_list(const char *v, bool for_signing, struct sp_list *out,
    sp_err *err)
{
	struct sp_list words = SP_LIST_INIT, names = SP_LIST_INIT;
	const char *why;

	conf_split_list(v, &words);
	for (size_t i = 0; i < words.n; i++) {
		char *name = words.v[i];

		sp_str_lower(name);
		if ((why = sp_dkim_field_name_problem(name, strlen(name)))
		    != NULL) {
			sp_err_set(err, "\"%.*s\" is not a header field name: "
			    "it %s", SHOW, name, why);
			goto fail;
		}
		if ((why = unsignable_reason(name)) != NULL) {
			sp_err_set(err, "\"%s\" must not be signed (%s)", name,
			    why);
			goto fail;
		}
		if (sp_list_contains_ci(&names, name)) {
			sp_err_set(err, "\"%.*s\" is listed twice", SHOW, name);
			goto fail;
		}
		sp_list_add(&names, name);
	}
	if (for_signing && !sp_list_contains_ci(&names, "from")) {
		sp_err_set(err, "the list must contain \"from\" (RFC 6376 "
		    "section 5.4: From: is always signed)");
		goto fail;
	}
	sp_list_free(&words);
	*out = names;
	return true;
fail:
	sp_list_free(&words);
	sp_list_free(&names);
	return false;
}

/* ipv4 / ipv6: addresses of one family, kept as written. */
bool
conf_address_list(const char *v, int family, struct sp_list *out,
    sp_err *err)
{
	struct sp_list words = SP_LIST_INIT;
	unsigned char addr[16];

	conf_split_list(v, &words);
	for (size_t i = 0; i < words.n; i++)
		if (inet_pton(family, words.v[i], addr) != 1) {
			sp_err_set(err, "\"%.*s\" is not an %s address", SHOW,
			    words.v[i], family == AF_INET ? "IPv4" : "IPv6");
			sp_list_free(&words);
			return false;
		}
	*out = words;
	return true;
}

/* One "PRIORITY HOST" entry of the mx list. */
static bool
mx_entry(const char *entry, struct sp_mx *mx, sp_err *err)
{
	struct sp_list words = SP_LIST_INIT;
	unsigned long prio = 0;
	bool good = false;

	conf_split_list(entry, &words);
	if (words.n != 2) {
		sp_err_set(err, "\"%.*s\" is not one \"PRIORITY HOST\" entry "
		    "(e.g. \"10 mail.example.com\"; separate entries with "
		    "commas)", SHOW, entry);
		goto out;
	}
	if (!parse_number(words.v[0], 65535, &prio)) {
		sp_err_set(err, "MX priority \"%.*s\" is not a number from 0 "
		    "to 65535 (write \"PRIORITY HOST\", e.g. \"10 %.*s\")", SHOW,
		    words.v[0], SHOW, words.v[1]);
		goto out;
	}
	if (sp_is_address_literal(words.v[1])) {
		sp_err_set(err, "MX host \"%.*s\" is an IP address (an MX "
		    "record names a host, RFC 5321 section 5.1: use mail_host "
		    "and ipv4/ipv6)", SHOW, words.v[1]);
		goto out;
	}
	if ((mx->host = conf_host_name(words.v[1], "MX host", err)) == NULL)
		goto out;
	mx->priority = (unsigned)prio;
	good = true;
out:
	sp_list_free(&words);
	return good;
}

/* mx: comma-separated "PRIORITY HOST" entries; empty: "0 <mail_host>". */
bool
conf_mx_list(const char *v, struct sp_mx **out, size_t *n, sp_err *err)
{
	struct sp_mx *list = NULL;
	size_t count = 0;

	while (*v != '\0') {
		size_t len = strcspn(v, ",");
		char *entry = sp_xstrndup(v, len);
		bool blank = strspn(entry, " \t") == len, good = true;

		if (!blank) {
			list = sp_xrealloc(list, count + 1, sizeof(*list));
			good = mx_entry(entry, &list[count], err);
			if (good)
				count++;
		}
		free(entry);
		if (!good) {
			for (size_t i = 0; i < count; i++)
				free(list[i].host);
			free(list);
			return false;
		}
		v += len + (v[len] == ',');
	}
	*out = list;
	*n = count;
	return true;
}

/*
 * A DKIM selector (RFC 6376 section 3.1). It becomes a file name too,
 * which the rule keeps safe: no '/', no "..".
 */
bool
conf_selector(const char *v, sp_err *err)
{
	const char *why = sp_selector_problem(v, strlen(v));

	if (why == NULL)
		return true;
	sp_err_set(err, "\"%.*s\" is not a selector: it %s (labels of "
	    "letters, digits and inner '-', separated by dots, at most 63 "
	    "characters each, e.g. 2026r)", SHOW, v, why);
	return false;
}

/*
 * spf / dmarc: printable ASCII for a TXT record, without the "v=" tag that
 * dnsgen writes itself.
 */
bool
conf_txt_value(const char *v, const char *tag, sp_err *err)
{
	size_t taglen = strlen(tag);

	if (*v == '\0') {
		sp_err_set(err, "is empty (it follows \"%s\" in the record)",
		    tag);
		return false;
	}
	for (const char *s = v; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126) {
			sp_err_set(err, "\"%.*s\" is not printable ASCII", SHOW,
			    v);
			return false;
		}
	if (sp_strncasecmp(v, tag, taglen) == 0) {
		sp_err_set(err, "\"%.*s\" starts with \"%s\" (write only what "
		    "follows it; it is added for you)", SHOW, v, tag);
		return false;
	}
	return true;
}

/*
 * spfmacro.c - SPF macros (RFC 7208 section 7): expanding a macro-string
 * such as "%{ir}.%{v}._spf.%{d2}" for one evaluation, cutting an expanded
 * name to what a query can carry (section 4.8), and matching an address
 * against a CIDR network (section 5.6). Pure: no DNS, no output.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "dnsgen/spfeval.h"

/* Section 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
static bool
is_delimiter(char c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

/* Section 7.3: "i" is dotted nibbles for IPv6, "v" names the family. */
static void
address_text(const struct spf_macro_env *env, struct sp_buf *out)
{
	if (env->family == AF_INET) {
		sp_buf_printf(out, "%u.%u.%u.%u", env->addr[0], env->addr[1],
		    env->addr[2], env->addr[3]);
		return;
	}
	for (int i = 0; i < 16; i++)
		sp_buf_printf(out, "%s%x.%x", i ? "." : "", env->addr[i] >> 4,
		    env->addr[i] & 0x0f);
}

/* The value of one macro letter, before transformers; false: unknown. */
static bool
letter_value(const struct spf_macro_env *env, char letter, struct sp_buf *v,
    sp_err *err)
{
	const char *at = strrchr(env->sender, '@');

	switch (tolower((unsigned char)letter)) {
	case 's': sp_buf_puts(v, env->sender); return true;
	case 'l':
		if (at == NULL)
			sp_buf_puts(v, "postmaster");
		else
			sp_buf_append(v, env->sender,
			    (size_t)(at - env->sender));
		return true;
	case 'o': sp_buf_puts(v, at ? at + 1 : env->sender); return true;
	case 'd': sp_buf_puts(v, env->domain); return true;
	case 'i': address_text(env, v); return true;
	case 'v': sp_buf_puts(v, env->family == AF_INET ? "in-addr" : "ip6");
		return true;
	case 'h': sp_buf_puts(v, env->helo ? env->helo : ""); return true;
	case 'p':
		sp_err_set(err, "macro %%{%c} needs validated PTR lookups that "
		    "dnsgen does not make, and RFC 7208 section 7.3 says not "
		    "to use it", letter);
		return false;
	case 'c': case 'r': case 't':
		sp_err_set(err, "macro %%{%c} is allowed only in an exp= "
		    "explanation (RFC 7208 section 7.3)", letter);
		return false;
	default:
		sp_err_set(err, "\"%%{%c\" is not a macro letter (RFC 7208 "
		    "section 7.1)", letter);
		return false;
	}
}

/* Section 7.3: split on the delimiters, reverse, keep the right `keep`. */
static void
transform(const char *value, const char *delims, size_t n_delims,
    bool reverse, unsigned keep, struct sp_buf *out)
{
	struct sp_list parts = SP_LIST_INIT;
	const char *p = value;
	size_t first;
	char set[8] = ".";

	if (n_delims > 0) {
		memcpy(set, delims, n_delims);
		set[n_delims] = '\0';
	}
	for (;;) {
		size_t len = strcspn(p, set);

		sp_list_add_owned(&parts, sp_xstrndup(p, len));
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (reverse)
		for (size_t i = 0; i < parts.n / 2; i++) {
			char *t = parts.v[i];

			parts.v[i] = parts.v[parts.n - 1 - i];
			parts.v[parts.n - 1 - i] = t;
		}
	first = keep > 0 && keep < parts.n ? parts.n - keep : 0;
	for (size_t i = first; i < parts.n; i++)
		sp_buf_printf(out, "%s%s", i > first ? "." : "", parts.v[i]);
	sp_list_free(&parts);
}

/* Section 7.3: an upper-case letter's value is URL-escaped (RFC 3986). */
static void
url_escape(const char *s, struct sp_buf *out)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			sp_buf_putc(out, (char)c);
		else
			sp_buf_printf(out, "%%%02X", c);
	}
}

/* "%{" letter *DIGIT ["r"] *delimiter "}" at spec[i]; *used: its length. */
static bool
macro_expand_one(const struct spf_macro_env *env, const char *spec,
    size_t len, size_t *used, struct sp_buf *out, sp_err *err)
{
	struct sp_buf value = SP_BUF_INIT, shaped = SP_BUF_INIT;
	size_t i = 2, digits_at, delims_at;
	unsigned long keep = 0;
	bool reverse = false, good;

	if (len < 4) {
		sp_err_set(err, "\"%.*s\": unfinished macro (RFC 7208 section "
		    "7.1)", (int)len, spec);
		return false;
	}
	if (!letter_value(env, spec[i], &value, err)) {
		sp_buf_free(&value);
		return false;
	}
	digits_at = ++i;
	while (i < len && isdigit((unsigned char)spec[i]) && i - digits_at < 3)
		keep = keep * 10 + (unsigned long)(spec[i++] - '0');
	if (i < len && (spec[i] == 'r' || spec[i] == 'R')) {
		reverse = true;
		i++;
	}
	delims_at = i;
	while (i < len && is_delimiter(spec[i]) && i - delims_at < 7)
		i++;
	good = i < len && spec[i] == '}' && (i == digits_at ||
	    !isdigit((unsigned char)spec[digits_at]) || keep > 0);
	if (!good) {
		sp_err_set(err, "\"%.*s\": a bad macro; write %%{LETTER[DIGITS]"
		    "[r][DELIMITERS]} with DIGITS above 0 (RFC 7208 section 7.1)",
		    (int)(i < len ? i + 1 : len), spec);
	} else {
		transform(value.data, spec + delims_at, i - delims_at, reverse,
		    (unsigned)keep, &shaped);
		if (isupper((unsigned char)spec[2]))
			url_escape(shaped.data, out);
		else
			sp_buf_puts(out, shaped.data);
		*used = i + 1;
	}
	sp_buf_free(&value);
	sp_buf_free(&shaped);
	return good;
}

bool
spf_macro_expand(const struct spf_macro_env *env, const char *spec,
    size_t len, struct sp_buf *out, sp_err *err)
{
	sp_buf_puts(out, "");
	for (size_t i = 0; i < len; ) {
		unsigned char c = (unsigned char)spec[i];
		size_t used = 0;

		if (c != '%') {
			if (c < 0x21 || c > 0x7e) {
				sp_err_set(err, "byte 0x%02x in \"%.*s\" is not "
				    "allowed in a macro-string (RFC 7208 "
				    "section 7.1)", c, (int)len, spec);
				return false;
			}
			sp_buf_putc(out, (char)c);
			i++;
			continue;
		}
		/* Section 7.1: "%%", "%_", "%-" and "%{...}" */
		if (i + 1 < len && spec[i + 1] == '%')
			sp_buf_putc(out, '%');
		else if (i + 1 < len && spec[i + 1] == '_')
			sp_buf_putc(out, ' ');
		else if (i + 1 < len && spec[i + 1] == '-')
			sp_buf_puts(out, "%20");
		else if (i + 1 < len && spec[i + 1] == '{') {
			if (!macro_expand_one(env, spec + i, len - i, &used,
			    out, err))
				return false;
			i += used;
			continue;
		} else {
			sp_err_set(err, "\"%.*s\": a '%%' must start %%{...}, "
			    "%%%%, %%_ or %%- (RFC 7208 section 7.1)", (int)len,
			    spec);
			return false;
		}
		i += 2;
	}
	return true;
}

/* Every label 1..63 bytes (RFC 1035 section 2.3.4); at least two. */
static bool
name_ok(const char *name)
{
	size_t labels = 0;

	for (const char *p = name; ; ) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n > 63)
			return false;
		labels++;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return labels >= 2;
}

bool
spf_target_name(const struct spf_macro_env *env, const char *spec,
    size_t len, struct sp_buf *out, sp_err *err)
{
	struct sp_buf raw = SP_BUF_INIT;
	const char *p;

	if (!spf_macro_expand(env, spec, len, &raw, err)) {
		sp_buf_free(&raw);
		return false;
	}
	if (raw.len > 0 && raw.data[raw.len - 1] == '.')
		raw.data[--raw.len] = '\0';
	p = raw.data;
	/* Section 4.8: drop labels on the left until it fits. */
	while (strlen(p) > SPF_NAME_MAX && strchr(p, '.') != NULL)
		p = strchr(p, '.') + 1;
	if (strlen(p) > SPF_NAME_MAX || !name_ok(p)) {
		sp_err_set(err, "\"%.*s\" expands to \"%s\", which is not a "
		    "domain name", (int)len, spec, p);
		sp_buf_free(&raw);
		return false;
	}
	sp_buf_puts(out, p);
	sp_buf_free(&raw);
	return true;
}

bool
spf_addr_in(int family, const unsigned char *addr, const unsigned char *net,
    unsigned prefix)
{
	unsigned bits = family == AF_INET ? 32 : 128;
	unsigned whole = (prefix > bits ? bits : prefix) / 8, rest = prefix % 8;

	if (memcmp(addr, net, whole) != 0)
		return false;
	if (rest == 0 || whole * 8 >= bits)
		return true;
	return ((addr[whole] ^ net[whole]) & (0xff00u >> rest) & 0xff) == 0;
}

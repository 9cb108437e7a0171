/*
 * dnstxt.c - the text inside dnsgen's TXT records: splitting into
 * <character-string>s and quoting them for master files (RFC 1035), JSON
 * strings, SPF term checking (RFC 7208), DMARC tag checking (RFC 7489) and
 * the comparisons `dnsgen check` makes between an expected record and one
 * found in DNS, including DKIM key records (RFC 6376 section 3.6.1).
 * Pure; see dnstxt.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signpost/dnstxt.h"
#include "signpost/grammar.h"
#include "signpost/taglist.h"

/* ---- character-strings (RFC 1035 sections 3.3 and 5.1) ---- */

size_t
sp_txt_count(size_t len)
{
	return len == 0 ? 1 : (len + SP_TXT_STRING_MAX - 1) / SP_TXT_STRING_MAX;
}

void
sp_txt_split(const char *text, struct sp_list *out)
{
	size_t len = strlen(text), off = 0;

	if (len == 0) {
		sp_list_add(out, "");
		return;
	}
	while (off < len) {
		size_t n = len - off;

		if (n > SP_TXT_STRING_MAX)
			n = SP_TXT_STRING_MAX;
		sp_list_add_owned(out, sp_xstrndup(text + off, n));
		off += n;
	}
}

/*
 * RFC 1035 section 5.1 escaping, one rule for everything dnsgen writes or
 * shows: '"' and '\\' escaped with a backslash, every byte outside
 * printable ASCII (controls, DEL, 8-bit) as \\DDD (decimal), so the text is
 * plain printable ASCII whatever the bytes hold (a NUL, a terminal escape).
 */
void
sp_txt_escape(struct sp_buf *out, const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t plain = 0;       /* bytes before s[i] that need no escape */

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c != '"' && c != '\\' && c >= 0x20 && c <= 0x7e) {
			plain++;
			continue;
		}
		sp_buf_append(out, s + i - plain, plain);
		plain = 0;
		if (c == '"' || c == '\\') {
			sp_buf_putc(out, '\\');
			sp_buf_putc(out, (char)c);
		} else {
			sp_buf_printf(out, "\\%03u", c);
		}
	}
	sp_buf_append(out, s + len - plain, plain);
}

/*
 * Only the bytes outside printable ASCII as \DDD: for a message that
 * quotes text it found, so that no control byte reaches a terminal.
 */
void
sp_txt_printable(struct sp_buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			sp_buf_printf(out, "\\%03u", *p);
		else
			sp_buf_putc(out, (char)*p);
	}
}

/* A quoted <character-string> for a master file. */
void
sp_txt_quote(struct sp_buf *out, const char *s, size_t len)
{
	sp_buf_putc(out, '"');
	sp_txt_escape(out, s, len);
	sp_buf_putc(out, '"');
}

void
sp_txt_rdata(struct sp_buf *out, const char *text, const char *sep)
{
	size_t len = strlen(text), n = sp_txt_count(len);

	/* the strings sp_txt_split makes, quoted in place */
	for (size_t i = 0; i < n; i++) {
		size_t off = i * SP_TXT_STRING_MAX, part = len - off;

		if (part > SP_TXT_STRING_MAX)
			part = SP_TXT_STRING_MAX;
		if (i > 0)
			sp_buf_puts(out, sep);
		sp_txt_quote(out, text + off, part);
	}
}

/* ---- JSON strings (RFC 8259 section 7) ---- */

void
sp_json_string(struct sp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	sp_buf_putc(out, '"');
	while (i < len) {
		size_t plain = 0, n;

		/* printable ASCII other than '"' and '\\' goes as it is */
		while (i + plain < len && p[i + plain] >= 0x20 &&
		    p[i + plain] < 0x7f && p[i + plain] != '"' &&
		    p[i + plain] != '\\')
			plain++;
		sp_buf_append(out, p + i, plain);
		i += plain;
		if (i == len)
			break;
		n = sp_utf8_sequence(p + i, len - i);

		if (p[i] == '"' || p[i] == '\\')
			sp_buf_printf(out, "\\%c", p[i]);
		else if (p[i] == '\n')
			sp_buf_puts(out, "\\n");
		else if (p[i] == '\t')
			sp_buf_puts(out, "\\t");
		else if (n == 0 || p[i] < 0x20 || p[i] == 0x7f)
			/* A byte that is no character: keep it visible. */
			sp_buf_printf(out, "\\u%04x", p[i]);
		else {
			sp_buf_append(out, p + i, n);
			i += n;
			continue;
		}
		i++;
	}
	sp_buf_putc(out, '"');
}

/* ---- tag=value lists: see taglist.c ---- */

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* DMARC and DKIM record tags, compared with lower-case names. */
static bool
taglist_parse(const char *text, struct sp_taglist *tl, sp_err *err)
{
	if (!sp_taglist_parse(text, strlen(text), tl, err))
		return false;
	for (size_t i = 0; i < tl->n; i++)
		sp_str_lower(tl->v[i].name);
	return true;
}

/* ---- SPF (RFC 7208 sections 4.6 and 5) ---- */

static bool
digits_upto(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && v <= max;
}

/* A CIDR length in SPF: digits without a leading zero, at most max. */
static bool
spf_cidr_ok(const char *s, unsigned max)
{
	return digits_upto(s, max) && !(s[0] == '0' && s[1] != '\0');
}

/* ip4:ADDR[/N] or ip6:ADDR[/N] */
static bool
spf_ip_ok(const char *arg, int family)
{
	unsigned char buf[16];
	const char *slash = strchr(arg, '/');
	char *addr = sp_xstrndup(arg, slash ? (size_t)(slash - arg) : strlen(arg));
	bool good = inet_pton(family, addr, buf) == 1;

	free(addr);
	if (good && slash != NULL)
		good = spf_cidr_ok(slash + 1, family == AF_INET ? 32 : 128);
	return good;
}

/* a / mx: [":" domain-spec] [ip4-cidr-length] [ "/" ip6-cidr-length ] */
static bool
spf_dual_cidr_ok(const char *s)
{
	const char *p = s;
	char *v4, *v6 = NULL;
	bool good;

	if (*p == '\0')
		return true;
	if (*p != '/')
		return false;
	p++;
	if (*p == '/')
		return spf_cidr_ok(p + 1, 128);
	v4 = sp_xstrdup(p);
	if ((v6 = strstr(v4, "//")) != NULL) {
		*v6 = '\0';
		v6 += 2;
	}
	good = spf_cidr_ok(v4, 32) && (v6 == NULL || spf_cidr_ok(v6, 128));
	free(v4);
	return good;
}

static bool
spf_domain_spec_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static bool
spf_mechanism_ok(const char *term, const char *name, size_t nlen,
    unsigned *lookups, sp_err *err)
{
	const char *arg = term + nlen;

	if (nlen == 3 && sp_strncasecmp(name, "all", 3) == 0 && *arg == '\0')
		return true;
	if ((nlen == 7 && sp_strncasecmp(name, "include", 7) == 0) ||
	    (nlen == 6 && sp_strncasecmp(name, "exists", 6) == 0)) {
		if (*arg != ':' || !spf_domain_spec_ok(arg + 1, strlen(arg + 1)))
			goto bad;
		(*lookups)++;
		return true;
	}
	if ((nlen == 1 && sp_strncasecmp(name, "a", 1) == 0) ||
	    (nlen == 2 && sp_strncasecmp(name, "mx", 2) == 0)) {
		if (*arg == ':') {
			const char *slash = strchr(arg, '/');
			size_t dl = slash ? (size_t)(slash - arg - 1) : strlen(arg + 1);

			if (!spf_domain_spec_ok(arg + 1, dl))
				goto bad;
			arg += 1 + dl;
		}
		if (!spf_dual_cidr_ok(arg))
			goto bad;
		(*lookups)++;
		return true;
	}
	if (nlen == 3 && sp_strncasecmp(name, "ptr", 3) == 0) {
		if (*arg != '\0' &&
		    (*arg != ':' || !spf_domain_spec_ok(arg + 1, strlen(arg + 1))))
			goto bad;
		(*lookups)++;
		return true;
	}
	if (nlen == 3 && sp_strncasecmp(name, "ip4", 3) == 0) {
		if (*arg != ':' || !spf_ip_ok(arg + 1, AF_INET))
			goto bad;
		return true;
	}
	if (nlen == 3 && sp_strncasecmp(name, "ip6", 3) == 0) {
		if (*arg != ':' || !spf_ip_ok(arg + 1, AF_INET6))
			goto bad;
		return true;
	}
	sp_err_set(err, "\"%s\" is not an SPF mechanism (all, include, a, mx, "
	    "ptr, ip4, ip6, exists) or modifier (name=value)", term);
	return false;
bad:
	sp_err_set(err, "SPF term \"%s\" is malformed (RFC 7208 section 5)",
	    term);
	return false;
}

/* One term; modifiers are name=value, everything else a mechanism. */
static bool
spf_term_ok(const char *term, bool *seen_redirect, bool *seen_exp,
    unsigned *lookups, sp_err *err)
{
	size_t nlen = strcspn(term, ":/=");
	const char *name = term;

	if (term[nlen] == '=') {
		if (sp_strcasecmp(term, "v=spf1") == 0) {
			sp_err_set(err, "leave \"v=spf1\" out: dnsgen adds it");
			return false;
		}
		if (nlen == 0 || !spf_domain_spec_ok(term + nlen + 1,
		    strlen(term + nlen + 1))) {
			sp_err_set(err, "SPF modifier \"%s\" is malformed", term);
			return false;
		}
		if (nlen == 8 && sp_strncasecmp(term, "redirect", 8) == 0) {
			if (*seen_redirect)
				goto twice;
			*seen_redirect = true;
			(*lookups)++;
		} else if (nlen == 3 && sp_strncasecmp(term, "exp", 3) == 0) {
			if (*seen_exp)
				goto twice;
			*seen_exp = true;
		}
		return true;
	}
	if (*name == '+' || *name == '-' || *name == '~' || *name == '?') {
		name++;
		nlen--;
	}
	return spf_mechanism_ok(name, name, nlen, lookups, err);
twice:
	sp_err_set(err, "SPF modifier \"%.*s\" may appear only once "
	    "(RFC 7208 section 6)", (int)nlen, term);
	return false;
}

bool
sp_spf_check_terms(const char *terms, unsigned *lookups, sp_err *err)
{
	bool seen_redirect = false, seen_exp = false;
	const char *p = terms;

	*lookups = 0;
	while (*p != '\0') {
		size_t len;
		char *term;
		bool good;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " ");
		term = sp_xstrndup(p, len);
		good = spf_term_ok(term, &seen_redirect, &seen_exp, lookups,
		    err);
		free(term);
		if (!good)
			return false;
		p += len;
	}
	return true;
}

bool
sp_txt_is_spf(const char *text)
{
	/* RFC 7208 4.5: exactly "v=spf1" followed by a space or the end. */
	return sp_strncasecmp(text, "v=spf1", 6) == 0 &&
	    (text[6] == '\0' || text[6] == ' ');
}

/* Terms split on spaces, compared without regard to case. */
bool
sp_spf_same(const char *expected, const char *found)
{
	const char *a = expected, *b = found;

	for (;;) {
		size_t la, lb;

		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		la = strcspn(a, " ");
		lb = strcspn(b, " ");
		if (la != lb || sp_strncasecmp(a, b, la) != 0)
			return false;
		a += la;
		b += lb;
	}
}

/* ---- DMARC (RFC 7489 section 6.3) ---- */

static bool
one_of(const char *value, const char *const *words)
{
	for (; *words != NULL; words++)
		if (sp_strcasecmp(value, *words) == 0)
			return true;
	return false;
}

/* fo = 0 / 1 / d / s, joined by ':' */
static bool
dmarc_fo_ok(const char *v)
{
	for (;;) {
		while (is_wsp((unsigned char)*v))
			v++;
		if (*v != '0' && *v != '1' && *v != 'd' && *v != 's' &&
		    *v != 'D' && *v != 'S')
			return false;
		v++;
		while (is_wsp((unsigned char)*v))
			v++;
		if (*v == '\0')
			return true;
		if (*v++ != ':')
			return false;
	}
}

/* mailto:LOCAL@DOMAIN [ "!" 1*DIGIT [ k / m / g / t ] ] */
static bool
dmarc_uri_ok(const char *uri, sp_err *err)
{
	char *u = sp_xstrdup(uri), *bang, *at;
	bool good = false;

	if ((bang = strrchr(u, '!')) != NULL) {
		char *size = bang + 1;
		size_t n = strspn(size, "0123456789");

		*bang = '\0';
		if (n == 0 || (size[n] != '\0' && (strchr("kmgtKMGT", size[n]) ==
		    NULL || size[n + 1] != '\0'))) {
			sp_err_set(err, "\"%s\": the size after '!' must be "
			    "digits with an optional k, m, g or t", uri);
			goto out;
		}
	}
	if (sp_strncasecmp(u, "mailto:", 7) != 0) {
		sp_err_set(err, "\"%s\" is not a mailto: URI (receivers send "
		    "reports only by mail)", uri);
		goto out;
	}
	at = strrchr(u + 7, '@');
	if (at == NULL || at == u + 7 || sp_host_name_problem(at + 1) != NULL ||
	    strpbrk(u + 7, " \t\"<>,;") != NULL) {
		sp_err_set(err, "\"%s\" is not mailto:LOCAL@DOMAIN (a ',' or "
		    "'!' inside the address must be written %%2C or %%21)", uri);
		goto out;
	}
	good = true;
out:
	free(u);
	return good;
}

static bool
dmarc_uris_ok(const char *tag, const char *value, sp_err *err)
{
	const char *p = value;

	for (;;) {
		size_t len = strcspn(p, ",");
		char *uri = sp_xstrndup_trim(p, len);
		bool good = *uri != '\0' && dmarc_uri_ok(uri, err);

		if (*uri == '\0')
			sp_err_set(err, "empty URI in the list");
		free(uri);
		if (!good) {
			sp_err_prefix(err, "%s=", tag);
			return false;
		}
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
}

static const char *const dmarc_policies[] = { "none", "quarantine", "reject", NULL };
static const char *const dmarc_align[] = { "r", "s", NULL };
static const char *const dmarc_psd[] = { "y", "n", "u", NULL };
static const char *const dmarc_yn[] = { "y", "n", NULL };
static const char *const dmarc_rf[] = { "afrf", NULL };

static bool
dmarc_tag_ok(const struct sp_tag *t, sp_err *err)
{
	const char *n = t->name, *v = t->value;

	if (strcmp(n, "v") == 0) {
		sp_err_set(err, "leave \"v=DMARC1\" out: dnsgen adds it");
		return false;
	}
	if (strcmp(n, "p") == 0 || strcmp(n, "sp") == 0 || strcmp(n, "np") == 0) {
		if (one_of(v, dmarc_policies))
			return true;
		sp_err_set(err, "%s=%s: the policy must be none, quarantine or "
		    "reject", n, v);
		return false;
	}
	if (strcmp(n, "adkim") == 0 || strcmp(n, "aspf") == 0) {
		if (one_of(v, dmarc_align))
			return true;
		sp_err_set(err, "%s=%s: alignment must be r (relaxed) or s "
		    "(strict)", n, v);
		return false;
	}
	if (strcmp(n, "pct") == 0) {
		if (digits_upto(v, 100))
			return true;
		sp_err_set(err, "pct=%s: must be a whole number from 0 to 100", v);
		return false;
	}
	if (strcmp(n, "fo") == 0) {
		if (dmarc_fo_ok(v))
			return true;
		sp_err_set(err, "fo=%s: must be 0, 1, d or s, joined by ':'", v);
		return false;
	}
	if (strcmp(n, "rf") == 0) {
		if (one_of(v, dmarc_rf))
			return true;
		sp_err_set(err, "rf=%s: the only report format is afrf", v);
		return false;
	}
	if (strcmp(n, "ri") == 0) {
		if (digits_upto(v, 4294967295UL))
			return true;
		sp_err_set(err, "ri=%s: must be a number of seconds", v);
		return false;
	}
	if (strcmp(n, "rua") == 0 || strcmp(n, "ruf") == 0)
		return dmarc_uris_ok(n, v, err);
	if (strcmp(n, "psd") == 0 || strcmp(n, "t") == 0) {
		if (one_of(v, n[0] == 'p' ? dmarc_psd : dmarc_yn))
			return true;
		sp_err_set(err, "%s=%s: not a valid value", n, v);
		return false;
	}
	sp_err_set(err, "unknown DMARC tag %s= (known: p, sp, np, adkim, aspf, "
	    "pct, fo, rf, ri, rua, ruf, psd, t)", n);
	return false;
}

bool
sp_dmarc_check_tags(const char *tags, sp_err *err)
{
	struct sp_taglist tl;
	bool good = true;

	if (!taglist_parse(tags, &tl, err))
		return false;
	for (size_t i = 0; i < tl.n && good; i++)
		good = dmarc_tag_ok(&tl.v[i], err);
	if (good && sp_taglist_find(&tl, "p") == NULL) {
		sp_err_set(err, "the p= tag (none, quarantine or reject) is "
		    "required (RFC 7489 section 6.3)");
		good = false;
	}
	sp_taglist_free(&tl);
	return good;
}

bool
sp_txt_is_dmarc(const char *text)
{
	const char *p = text;

	/* RFC 7489 6.6.3: the record starts with the v=DMARC1 tag. */
	while (is_wsp((unsigned char)*p))
		p++;
	if (*p++ != 'v')
		return false;
	while (is_wsp((unsigned char)*p))
		p++;
	if (*p++ != '=')
		return false;
	while (is_wsp((unsigned char)*p))
		p++;
	if (strncmp(p, "DMARC1", 6) != 0)
		return false;
	p += 6;
	while (is_wsp((unsigned char)*p))
		p++;
	return *p == ';' || *p == '\0';
}

bool
sp_dmarc_same(const char *expected, const char *found)
{
	struct sp_taglist a, b;
	bool same;

	if (!sp_txt_is_dmarc(found) || !taglist_parse(expected, &a, NULL))
		return false;
	if (!taglist_parse(found, &b, NULL)) {
		sp_taglist_free(&a);
		return false;
	}
	same = a.n == b.n;
	for (size_t i = 0; i < a.n && same; i++) {
		const struct sp_tag *t = sp_taglist_find(&b, a.v[i].name);

		if (t == NULL) {
			same = false;
			break;
		}
		sp_taglist_squeeze(a.v[i].value);
		sp_taglist_squeeze(t->value);
		if (strcmp(a.v[i].name, "rua") == 0 ||
		    strcmp(a.v[i].name, "ruf") == 0)
			same = strcmp(a.v[i].value, t->value) == 0;
		else
			same = sp_strcasecmp(a.v[i].value, t->value) == 0;
	}
	sp_taglist_free(&a);
	sp_taglist_free(&b);
	return same;
}

/* ---- DKIM key records (RFC 6376 section 3.6.1) ---- */

static bool
dkim_record_parse(const char *text, struct sp_taglist *tl, sp_err *err)
{
	const struct sp_tag *v;

	if (!taglist_parse(text, tl, err))
		return false;
	for (size_t i = 0; i < tl->n; i++)
		sp_taglist_squeeze(tl->v[i].value);
	v = sp_taglist_find(tl, "v");
	if (v != NULL && (v != &tl->v[0] || strcmp(v->value, "DKIM1") != 0)) {
		sp_err_set(err, "v= must come first and be DKIM1");
		sp_taglist_free(tl);
		return false;
	}
	return true;
}

static const char *
dkim_k(const struct sp_taglist *tl)
{
	const struct sp_tag *k = sp_taglist_find(tl, "k");

	return k != NULL ? k->value : "rsa";
}

bool
sp_dkim_same_key(const char *expected, const char *found, sp_err *why)
{
	struct sp_taglist a, b;
	const struct sp_tag *pa, *pb, *s;
	bool same = false;

	if (!dkim_record_parse(expected, &a, why))
		SP_BUG("dnsgen built a bad DKIM record: %s", why ? why->msg : "");
	if (!dkim_record_parse(found, &b, why)) {
		sp_err_prefix(why, "not a DKIM key record");
		sp_taglist_free(&a);
		return false;
	}
	pa = sp_taglist_find(&a, "p");
	pb = sp_taglist_find(&b, "p");
	s = sp_taglist_find(&b, "s");
	if (pb == NULL)
		sp_err_set(why, "no p= tag");
	else if (*pb->value == '\0')
		sp_err_set(why, "the key is revoked (empty p=)");
	else if (sp_strcasecmp(dkim_k(&a), dkim_k(&b)) != 0)
		sp_err_set(why, "key type k=%s, expected k=%s", dkim_k(&b),
		    dkim_k(&a));
	else if (pa == NULL || strcmp(pa->value, pb->value) != 0)
		sp_err_set(why, "a different public key (p=)");
	else if (s != NULL && strstr(s->value, "email") == NULL &&
	    strchr(s->value, '*') == NULL)
		sp_err_set(why, "s=%s does not allow email", s->value);
	else
		same = true;
	sp_taglist_free(&a);
	sp_taglist_free(&b);
	return same;
}

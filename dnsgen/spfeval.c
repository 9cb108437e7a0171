/*
 * spfeval.c - RFC 7208's check_host() (sections 4 to 6): find the one SPF
 * record of a domain, check the whole record's syntax, then walk its
 * mechanisms in order (include, a, mx, ptr, exists, ip4, ip6, all) and
 * the redirect modifier, counting the DNS lookups (at most 10) and the
 * lookups that found nothing (at most 2) of section 4.6.4. Past the lookup
 * limit the result is permerror, but the walk goes on (up to
 * SPF_COUNT_MAX) so the report can say how many lookups the record needs
 * and where the eleventh was.
 *
 * Written here because Debian's only SPF C library, libspf2, is no longer
 * maintained and cannot be pointed at a server on a test port; the DNS
 * comes through the caller's spf_query_fn. Records and terms come from
 * outsiders: everything is bounded by the lookup counts above and by the
 * answer limits of resolve.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsgen/spfeval.h"

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/* Section 5: the mechanisms. */
enum mech { M_ALL, M_INCLUDE, M_A, M_MX, M_PTR, M_IP4, M_IP6, M_EXISTS };

struct term {
	char qualifier;                 /* '+', '-', '~', '?' */
	enum mech mech;
	const char *spec;               /* domain-spec, or NULL */
	size_t spec_len;
	unsigned cidr4, cidr6;          /* section 5.6 */
	unsigned char net[16];          /* ip4 / ip6 */
	const char *text;               /* the whole term, for messages */
	size_t text_len;
};

struct record {
	struct term *terms;
	size_t n;
	const char *redirect;           /* section 6.1, or NULL */
	size_t redirect_len;
};

/* One evaluation: the client, the counts, and what decided. */
struct eval {
	const struct spf_request *req;
	int family;
	unsigned char addr[16];
	unsigned lookups, voids;
	char *eleventh;                 /* where the limit was passed */
	char *error;                    /* why permerror / temperror */
	bool gave_up;                   /* a hard limit stopped the walk */
	char *decided;                  /* the term that matched */
};

enum step { STEP_ON, STEP_TEMP, STEP_PERM };
enum match { NO_MATCH, MATCH, MATCH_TEMP, MATCH_PERM };

static enum spf_result check_host(struct eval *e, const char *domain);

static void
set_error(struct eval *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
set_error(struct eval *e, const char *fmt, ...)
{
	va_list ap;

	if (e->error != NULL)
		return;         /* the first error is the one to fix */
	va_start(ap, fmt);
	e->error = sp_xvasprintf(fmt, ap);
	va_end(ap);
}

static void
set_decided(struct eval *e, char *text)
{
	free(e->decided);
	e->decided = text;
}

static void
macro_env(const struct eval *e, const char *domain, struct spf_macro_env *m)
{
	m->sender = e->req->sender;
	m->domain = domain;
	m->family = e->family;
	memcpy(m->addr, e->addr, sizeof(m->addr));
	m->helo = e->req->helo;
}

/* ---- DNS ---- */

/*
 * One question, CNAMEs followed (SPF_CNAME_MAX links); an answer with
 * nothing in it is a void lookup (section 4.6.4). r is filled either way.
 */
static enum step
lookup(struct eval *e, const char *name, int type, struct dns_result *r)
{
	char *at = sp_xasprintf("%s.", name);

	e->req->query(e->req->ctx, at, type, r);
	for (int hop = 0; r->status == DNS_ANSWER && r->n_values == 0 &&
	    r->alias != NULL && r->cname_loop == NULL; hop++) {
		free(at);
		at = sp_xstrdup(r->alias);
		dns_result_free(r);
		if (hop == SPF_CNAME_MAX) {
			set_error(e, "%s %s: more than %d CNAMEs in a row", name,
			    dns_type_name(type), SPF_CNAME_MAX);
			free(at);
			return STEP_PERM;
		}
		e->req->query(e->req->ctx, at, type, r);
	}
	free(at);
	if (r->status == DNS_ERROR) {
		set_error(e, "%s %s: %s", name, dns_type_name(type), r->error);
		return STEP_TEMP;
	}
	if (r->cname_loop != NULL) {
		set_error(e, "%s %s: a CNAME loop (%s)", name,
		    dns_type_name(type), r->cname_loop);
		return STEP_PERM;
	}
	if (r->status == DNS_NXDOMAIN || r->n_values == 0) {
		if (++e->voids > SPF_MAX_VOID) {
			set_error(e, "%u DNS lookups found nothing (limit %d, RFC "
			    "7208 section 4.6.4); the last was %s %s", e->voids,
			    SPF_MAX_VOID, name, dns_type_name(type));
			e->gave_up = true;
			return STEP_PERM;
		}
	}
	return STEP_ON;
}

/* A term that costs a lookup (section 4.6.4). */
static enum step
count_lookup(struct eval *e, const struct term *t, const char *domain)
{
	if (++e->lookups == SPF_MAX_LOOKUPS + 1)
		e->eleventh = sp_xasprintf("%.*s in the SPF record of %s",
		    (int)t->text_len, t->text, domain);
	if (e->lookups > SPF_COUNT_MAX) {
		e->gave_up = true;
		return STEP_PERM;
	}
	return STEP_ON;
}

/* Is this A / AAAA value the client, within the term's CIDR? */
static bool
address_matches(const struct eval *e, const char *value, unsigned prefix)
{
	unsigned char a[16];

	if (inet_pton(e->family, value, a) != 1)
		return false;
	return spf_addr_in(e->family, e->addr, a, prefix);
}

static unsigned
term_prefix(const struct eval *e, const struct term *t)
{
	return e->family == AF_INET ? t->cidr4 : t->cidr6;
}

/* The client's address family: A or AAAA (section 5.3). */
static int
address_type(const struct eval *e)
{
	return e->family == AF_INET ? ns_t_a : ns_t_aaaa;
}

/* Does `host` have an address in the term's network? */
static enum match
host_matches(struct eval *e, const char *host, unsigned prefix)
{
	struct dns_result r;
	enum step s = lookup(e, host, address_type(e), &r);
	bool hit = false;

	for (size_t i = 0; s == STEP_ON && i < r.n_values && !hit; i++)
		hit = address_matches(e, r.values[i].data, prefix);
	dns_result_free(&r);
	if (s != STEP_ON)
		return s == STEP_TEMP ? MATCH_TEMP : MATCH_PERM;
	return hit ? MATCH : NO_MATCH;
}

/* The name a term targets: its domain-spec expanded, or <domain>. */
static bool
term_target(struct eval *e, const struct term *t, const char *domain,
    struct sp_buf *out)
{
	struct spf_macro_env m;
	sp_err err;

	if (t->spec == NULL) {
		sp_buf_puts(out, domain);
		return true;
	}
	macro_env(e, domain, &m);
	if (spf_target_name(&m, t->spec, t->spec_len, out, &err))
		return true;
	set_error(e, "%.*s in the SPF record of %s: %s", (int)t->text_len,
	    t->text, domain, err.msg);
	return false;
}

/* Section 5.4: each MX host's addresses; more than 10 MX is permerror. */
static enum match
mx_matches(struct eval *e, const struct term *t, const char *target,
    const char *domain)
{
	struct dns_result r;
	enum step s = lookup(e, target, ns_t_mx, &r);
	enum match m = NO_MATCH;

	if (s == STEP_ON && r.n_values > SPF_MAX_NAMES) {
		set_error(e, "%.*s in the SPF record of %s: %s has %zu MX "
		    "records (limit %d, RFC 7208 section 4.6.4)",
		    (int)t->text_len, t->text, domain, target, r.n_values,
		    SPF_MAX_NAMES);
		s = STEP_PERM;
	}
	for (size_t i = 0; s == STEP_ON && i < r.n_values && m == NO_MATCH;
	    i++) {
		const char *host = strchr(r.values[i].data, ' ');
		char *name;

		/* "PREF NAME." (resolve.h); "0 ." is RFC 7505's null MX. */
		if (host == NULL || strlen(host + 1) < 2)
			continue;
		name = sp_xstrndup(host + 1, strlen(host + 1) - 1);
		m = host_matches(e, name, term_prefix(e, t));
		free(name);
	}
	dns_result_free(&r);
	if (s != STEP_ON)
		return s == STEP_TEMP ? MATCH_TEMP : MATCH_PERM;
	return m;
}

/* The reverse name of the client (RFC 1035 3.5, RFC 3596 2.5). */
static char *
reverse_name(const struct eval *e)
{
	struct sp_buf b = SP_BUF_INIT;

	if (e->family == AF_INET) {
		sp_buf_printf(&b, "%u.%u.%u.%u.in-addr.arpa", e->addr[3],
		    e->addr[2], e->addr[1], e->addr[0]);
		return sp_buf_steal(&b);
	}
	for (int i = 15; i >= 0; i--)
		sp_buf_printf(&b, "%x.%x.", e->addr[i] & 0x0f, e->addr[i] >> 4);
	sp_buf_puts(&b, "ip6.arpa");
	return sp_buf_steal(&b);
}

/* Is `name` (trailing dot) the target or below it? */
static bool
name_within(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == t)
		return sp_strncasecmp(name, target, t) == 0;
	return n > t && name[n - t - 1] == '.' &&
	    sp_strncasecmp(name + n - t, target, t) == 0;
}

/*
 * Section 5.5: a PTR name of the client that points back at it and lies
 * within the target. Lookup errors only make it not match.
 */
static enum match
ptr_matches(struct eval *e, const char *target)
{
	struct dns_result r;
	char *rev = reverse_name(e);
	enum step s = lookup(e, rev, ns_t_ptr, &r);
	enum match m = NO_MATCH;

	for (size_t i = 0; s == STEP_ON && i < r.n_values &&
	    i < SPF_MAX_NAMES && m == NO_MATCH; i++) {
		const char *name = r.values[i].data;
		char *host;

		if (strlen(name) < 2 || !name_within(name, target))
			continue;
		host = sp_xstrndup(name, strlen(name) - 1);
		m = host_matches(e, host, e->family == AF_INET ? 32 : 128);
		if (m == MATCH_TEMP)
			m = NO_MATCH;
		free(host);
	}
	free(rev);
	dns_result_free(&r);
	if (s == STEP_PERM || m == MATCH_PERM)
		return MATCH_PERM;      /* the void limit */
	return m == MATCH ? MATCH : NO_MATCH;
}

/* Section 5.7: any A record at all. */
static enum match
exists_matches(struct eval *e, const char *target)
{
	struct dns_result r;
	enum step s = lookup(e, target, ns_t_a, &r);
	bool hit = s == STEP_ON && r.n_values > 0;

	dns_result_free(&r);
	if (s != STEP_ON)
		return s == STEP_TEMP ? MATCH_TEMP : MATCH_PERM;
	return hit ? MATCH : NO_MATCH;
}

/* Section 5.2: include's result mapped onto match / no match / error. */
static enum match
include_matches(struct eval *e, const struct term *t, const char *target,
    const char *domain)
{
	enum spf_result r = check_host(e, target);

	switch (r) {
	case SPF_PASS:
		set_decided(e, sp_xasprintf("%.*s in the SPF record of %s, "
		    "then %s", (int)t->text_len, t->text, domain,
		    e->decided ? e->decided : "?"));
		return MATCH;
	case SPF_FAIL: case SPF_SOFTFAIL: case SPF_NEUTRAL:
		set_decided(e, NULL);
		return NO_MATCH;
	case SPF_TEMPERROR:
		return MATCH_TEMP;
	case SPF_NONE:
		set_error(e, "%.*s in the SPF record of %s: %s has no SPF "
		    "record (RFC 7208 section 5.2: permerror)",
		    (int)t->text_len, t->text, domain, target);
		return MATCH_PERM;
	default:
		return MATCH_PERM;
	}
}

static bool
costs_lookup(enum mech m)
{
	return m != M_ALL && m != M_IP4 && m != M_IP6;
}

/* Section 5: does one mechanism match the client? */
static enum match
term_matches(struct eval *e, const struct term *t, const char *domain)
{
	struct sp_buf target = SP_BUF_INIT;
	enum match m = NO_MATCH;

	if (costs_lookup(t->mech) && count_lookup(e, t, domain) != STEP_ON)
		return MATCH_PERM;
	if (costs_lookup(t->mech) && !term_target(e, t, domain, &target)) {
		sp_buf_free(&target);
		return MATCH_PERM;
	}
	switch (t->mech) {
	case M_ALL: m = MATCH; break;
	case M_INCLUDE:
		m = include_matches(e, t, target.data, domain);
		break;
	case M_A: m = host_matches(e, target.data, term_prefix(e, t)); break;
	case M_MX: m = mx_matches(e, t, target.data, domain); break;
	case M_PTR: m = ptr_matches(e, target.data); break;
	case M_EXISTS: m = exists_matches(e, target.data); break;
	case M_IP4: case M_IP6:
		m = (e->family == AF_INET) == (t->mech == M_IP4) &&
		    spf_addr_in(e->family, e->addr, t->net,
		    term_prefix(e, t)) ? MATCH : NO_MATCH;
		break;
	}
	sp_buf_free(&target);
	return m;
}

/* ---- record syntax (section 4.6.1, section 12) ---- */

static bool
parse_cidr(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return v <= max;
}

/* Where a domain-spec ends and a dual-cidr-length starts ('/' outside %{}). */
static size_t
spec_end(const char *s, size_t len)
{
	bool in_macro = false;

	for (size_t i = 0; i < len; i++) {
		if (in_macro && s[i] == '}')
			in_macro = false;
		else if (!in_macro && s[i] == '%' && i + 1 < len &&
		    s[i + 1] == '{')
			in_macro = true;
		else if (!in_macro && s[i] == '/')
			return i;
	}
	return len;
}

/* [ "/" ip4-cidr ] [ "//" ip6-cidr ] (section 5.6). */
static bool
parse_dual_cidr(const char *s, size_t len, struct term *t)
{
	const char *dbl;

	t->cidr4 = 32;
	t->cidr6 = 128;
	if (len == 0)
		return true;
	for (dbl = s; dbl + 1 < s + len && !(dbl[0] == '/' && dbl[1] == '/');)
		dbl++;
	if (dbl + 1 >= s + len)
		dbl = s + len;
	if (dbl > s && (s[0] != '/' || !parse_cidr(s + 1, (size_t)(dbl - s - 1),
	    32, &t->cidr4)))
		return false;
	return dbl == s + len || parse_cidr(dbl + 2,
	    (size_t)(s + len - dbl - 2), 128, &t->cidr6);
}

/* "ip4:" / "ip6:" network [ "/" length ] */
static bool
parse_network(const char *s, size_t len, struct term *t)
{
	int family = t->mech == M_IP4 ? AF_INET : AF_INET6;
	unsigned max = family == AF_INET ? 32 : 128;
	size_t slash = strcspn(s, "/");
	char *addr;
	bool good;

	if (slash > len)
		slash = len;
	addr = sp_xstrndup(s, slash);
	good = inet_pton(family, addr, t->net) == 1;
	free(addr);
	if (family == AF_INET)
		t->cidr4 = 32;
	else
		t->cidr6 = 128;
	if (!good || slash == len)
		return good;
	return parse_cidr(s + slash + 1, len - slash - 1, max,
	    family == AF_INET ? &t->cidr4 : &t->cidr6);
}

static const struct {
	const char *name;
	enum mech mech;
	int spec;               /* 0 none, 1 optional, 2 required */
	bool cidr;
} mechs[] = {
	{ "all", M_ALL, 0, false }, { "include", M_INCLUDE, 2, false },
	{ "a", M_A, 1, true }, { "mx", M_MX, 1, true },
	{ "ptr", M_PTR, 1, false }, { "ip4", M_IP4, 2, false },
	{ "ip6", M_IP6, 2, false }, { "exists", M_EXISTS, 2, false },
};

/* One directive: [qualifier] mechanism (section 4.6.1). */
static bool
parse_directive(const char *s, size_t len, struct term *t, sp_err *err)
{
	size_t name_len, k, rest;
	const char *arg;
	bool good;

	memset(t, 0, sizeof(*t));
	t->text = s;
	t->text_len = len;
	t->qualifier = '+';
	if (len > 0 && strchr("+-~?", s[0]) != NULL) {
		t->qualifier = s[0];
		s++;
		len--;
	}
	name_len = 0;
	while (name_len < len && s[name_len] != ':' && s[name_len] != '/')
		name_len++;
	for (k = 0; k < sizeof(mechs) / sizeof(mechs[0]); k++)
		if (strlen(mechs[k].name) == name_len &&
		    sp_strncasecmp(s, mechs[k].name, name_len) == 0)
			break;
	if (k == sizeof(mechs) / sizeof(mechs[0])) {
		sp_err_set(err, "\"%.*s\" is not a mechanism (RFC 7208 section "
		    "5)", (int)t->text_len, t->text);
		return false;
	}
	t->mech = mechs[k].mech;
	arg = s + name_len;
	rest = len - name_len;
	if (rest > 0 && arg[0] == ':' && mechs[k].spec > 0) {
		size_t end = t->mech == M_IP4 || t->mech == M_IP6 ? rest - 1 :
		    spec_end(arg + 1, rest - 1);

		t->spec = arg + 1;
		t->spec_len = end;
		arg += 1 + end;
		rest -= 1 + end;
	}
	if (mechs[k].spec == 2 && t->spec == NULL)
		good = false;
	else if (t->spec != NULL && t->spec_len == 0)
		good = false;
	else if (t->mech == M_IP4 || t->mech == M_IP6)
		good = rest == 0 && parse_network(t->spec, t->spec_len, t);
	else if (mechs[k].cidr)
		good = parse_dual_cidr(arg, rest, t);
	else
		good = rest == 0;
	if (!good) {
		sp_err_set(err, "\"%.*s\" is not a valid %s mechanism (RFC 7208 "
		    "section 5)", (int)t->text_len, t->text, mechs[k].name);
		return false;
	}
	if (t->mech == M_IP4 || t->mech == M_IP6)
		t->spec = NULL;         /* not a name to look up */
	return true;
}

/* Section 4.6.1: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) "=" */
static size_t
modifier_name(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' ||
	    s[i] == '_' || s[i] == '.'))
		i++;
	return i < len && s[i] == '=' ? i : 0;
}

/* A modifier: redirect= and exp= at most once each (section 6). */
static bool
parse_modifier(const char *s, size_t len, size_t name_len,
    struct record *rec, bool *seen_exp, sp_err *err)
{
	if (name_len == 8 && sp_strncasecmp(s, "redirect", 8) == 0) {
		if (rec->redirect != NULL || len == 9) {
			sp_err_set(err, "\"%.*s\": %s (RFC 7208 section 6)",
			    (int)len, s, len == 9 ? "an empty redirect" :
			    "a second redirect=");
			return false;
		}
		rec->redirect = s + 9;
		rec->redirect_len = len - 9;
	} else if (name_len == 3 && sp_strncasecmp(s, "exp", 3) == 0) {
		if (*seen_exp) {
			sp_err_set(err, "\"%.*s\": a second exp= (RFC 7208 "
			    "section 6)", (int)len, s);
			return false;
		}
		*seen_exp = true;
	}
	return true;            /* unknown modifiers are ignored (6) */
}

/* Every domain-spec and modifier value must be a good macro-string. */
static bool
check_macros(const struct spf_macro_env *m, const char *s, size_t len,
    sp_err *err)
{
	struct sp_buf scratch = SP_BUF_INIT;
	bool good = spf_macro_expand(m, s, len, &scratch, err);

	sp_buf_free(&scratch);
	return good;
}

static void
record_free(struct record *rec)
{
	free(rec->terms);
	memset(rec, 0, sizeof(*rec));
}

/*
 * Section 4.6: the whole record is checked before anything is evaluated;
 * a syntax error anywhere is permerror. `text` is "v=spf1 ...".
 */
static bool
parse_record(const struct spf_macro_env *m, const char *text, size_t len,
    struct record *rec, sp_err *err)
{
	bool seen_exp = false;
	size_t i = 6;

	memset(rec, 0, sizeof(*rec));
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)text[k] < 0x20 || (unsigned char)text[k] > 0x7e) {
			sp_err_set(err, "byte 0x%02x at offset %zu is not allowed "
			    "(RFC 7208 section 12)", (unsigned char)text[k], k);
			return false;
		}
	while (i < len) {
		const char *s;
		size_t n, name_len;

		while (i < len && text[i] == ' ')
			i++;
		s = text + i;
		n = strcspn(s, " ");
		if (n > len - i)
			n = len - i;
		i += n;
		if (n == 0)
			continue;
		if ((name_len = modifier_name(s, n)) > 0) {
			if (!parse_modifier(s, n, name_len, rec, &seen_exp,
			    err) || !check_macros(m, s + name_len + 1,
			    n - name_len - 1, err))
				return false;
			continue;
		}
		rec->terms = sp_xrealloc(rec->terms, rec->n + 1,
		    sizeof(*rec->terms));
		if (!parse_directive(s, n, &rec->terms[rec->n], err))
			return false;
		if (rec->terms[rec->n].spec != NULL && !check_macros(m,
		    rec->terms[rec->n].spec, rec->terms[rec->n].spec_len, err))
			return false;
		rec->n++;
	}
	return true;
}

/* Section 4.5: "v=spf1" alone or followed by a space, any case. */
static bool
is_spf_record(const struct dns_value *v)
{
	return v->len >= 6 && sp_strncasecmp(v->data, "v=spf1", 6) == 0 &&
	    (v->len == 6 || v->data[6] == ' ');
}

static enum spf_result
qualifier_result(char q)
{
	switch (q) {
	case '-': return SPF_FAIL;
	case '~': return SPF_SOFTFAIL;
	case '?': return SPF_NEUTRAL;
	default: return SPF_PASS;
	}
}

/* Section 6.1: no mechanism matched; follow redirect=, if any. */
static enum spf_result
follow_redirect(struct eval *e, const struct record *rec, const char *domain)
{
	struct term t;
	struct sp_buf target = SP_BUF_INIT;
	enum spf_result res = SPF_PERMERROR;

	memset(&t, 0, sizeof(t));
	t.spec = rec->redirect;
	t.spec_len = rec->redirect_len;
	t.text = rec->redirect - 9;
	t.text_len = rec->redirect_len + 9;
	if (count_lookup(e, &t, domain) == STEP_ON &&
	    term_target(e, &t, domain, &target)) {
		res = check_host(e, target.data);
		if (res == SPF_NONE) {
			set_error(e, "%.*s in the SPF record of %s: %s has no "
			    "SPF record (RFC 7208 section 6.1: permerror)",
			    (int)t.text_len, t.text, domain, target.data);
			res = SPF_PERMERROR;
		}
	}
	sp_buf_free(&target);
	return res;
}

/* Section 4.6.2: the first mechanism that matches decides. */
static enum spf_result
evaluate(struct eval *e, const char *domain, const struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		const struct term *t = &rec->terms[i];

		switch (term_matches(e, t, domain)) {
		case MATCH_TEMP: return SPF_TEMPERROR;
		case MATCH_PERM: return SPF_PERMERROR;
		case NO_MATCH: continue;
		case MATCH: break;
		}
		if (t->mech != M_INCLUDE)
			set_decided(e, sp_xasprintf("%.*s in the SPF record of "
			    "%s", (int)t->text_len, t->text, domain));
		return qualifier_result(t->qualifier);
	}
	if (rec->redirect != NULL)
		return follow_redirect(e, rec, domain);
	set_decided(e, sp_xasprintf("no term matched in the SPF record of %s "
	    "(neutral by default, RFC 7208 section 4.7)", domain));
	return SPF_NEUTRAL;
}

/* Sections 4.3 to 4.7 for one domain. */
static enum spf_result
check_host(struct eval *e, const char *domain)
{
	struct dns_result r;
	const struct dns_value *spf = NULL;
	struct spf_macro_env m;
	struct record rec;
	enum spf_result res;
	size_t n_spf = 0;
	enum step s = lookup(e, domain, ns_t_txt, &r);
	sp_err err;

	for (size_t i = 0; s == STEP_ON && i < r.n_values; i++)
		if (is_spf_record(&r.values[i])) {
			spf = &r.values[i];
			n_spf++;
		}
	macro_env(e, domain, &m);
	if (s != STEP_ON) {
		res = s == STEP_TEMP ? SPF_TEMPERROR : SPF_PERMERROR;
	} else if (n_spf == 0) {
		res = SPF_NONE;
	} else if (n_spf > 1) {
		set_error(e, "%s has %zu SPF records; RFC 7208 section 4.5 "
		    "allows one (permerror)", domain, n_spf);
		res = SPF_PERMERROR;
	} else if (!parse_record(&m, spf->data, spf->len, &rec, &err)) {
		set_error(e, "the SPF record of %s: %s", domain, err.msg);
		record_free(&rec);
		res = SPF_PERMERROR;
	} else {
		res = evaluate(e, domain, &rec);
		record_free(&rec);
	}
	dns_result_free(&r);
	return res;
}

/* The client as check_host sees it: IPv4-mapped IPv6 is IPv4 (5.6). */
static bool
client_address(struct eval *e, const char *ip)
{
	unsigned char a6[16];

	if (inet_pton(AF_INET, ip, e->addr) == 1) {
		e->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, ip, a6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a6)) {
		e->family = AF_INET;
		memcpy(e->addr, a6 + 12, 4);
	} else {
		e->family = AF_INET6;
		memcpy(e->addr, a6, 16);
	}
	return true;
}

/* Why the verdict is what it is, in one sentence. */
static char *
verdict_reason(struct eval *e, enum spf_result res)
{
	char *why;

	if (e->lookups > SPF_MAX_LOOKUPS)
		return sp_xasprintf("the SPF record of %s needs %s%u DNS lookups "
		    "(limit %d, RFC 7208 section 4.6.4); the 11th is %s",
		    e->req->domain, e->gave_up ? "at least " : "", e->lookups,
		    SPF_MAX_LOOKUPS, e->eleventh);
	if (res == SPF_NONE)
		return sp_xasprintf("%s has no SPF record", e->req->domain);
	why = res == SPF_PERMERROR || res == SPF_TEMPERROR ? e->error :
	    e->decided;
	if (why == NULL)
		return sp_xstrdup("?");
	if (why == e->error)
		e->error = NULL;
	else
		e->decided = NULL;
	return why;
}

void
spf_check_host(const struct spf_request *req, struct spf_verdict *v)
{
	struct eval e;
	enum spf_result res;

	memset(&e, 0, sizeof(e));
	memset(v, 0, sizeof(*v));
	e.req = req;
	if (!client_address(&e, req->ip)) {
		v->result = SPF_PERMERROR;
		v->why = sp_xasprintf("\"%s\" is not an IP address", req->ip);
		return;
	}
	res = check_host(&e, req->domain);
	if (e.lookups > SPF_MAX_LOOKUPS)
		res = SPF_PERMERROR;
	v->result = res;
	v->lookups = e.lookups;
	v->voids = e.voids;
	v->why = verdict_reason(&e, res);
	free(e.eleventh);
	free(e.error);
	free(e.decided);
}

void
spf_verdict_free(struct spf_verdict *v)
{
	free(v->why);
	memset(v, 0, sizeof(*v));
}

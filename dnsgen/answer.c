/*
 * answer.c - decoding one DNS answer for `dnsgen check` (RFC 1035 section
 * 4.1), with no network and no state, so that a fuzz target can feed it any
 * bytes. The message is walked with libresolv's ns_initparse / ns_parserr /
 * ns_name_uncompress (which escapes every odd byte of a name); our own
 * parsing is limited to each record type's RDATA. What a server controls
 * is bounded (DNS_ANSWER_MAX bytes, DNS_ANSWER_RECORDS_MAX records) and
 * anything that is not an answer to the question asked is said plainly.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/resolve.h"

const char *
dns_type_name(int type)
{
	switch (type) {
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_mx: return "MX";
	case ns_t_txt: return "TXT";
	case ns_t_srv: return "SRV";
	case ns_t_ptr: return "PTR";
	case ns_t_ns: return "NS";
	case ns_t_cname: return "CNAME";
	case ns_t_soa: return "SOA";
	case ns_t_tlsa: return "TLSA";
	case ns_t_caa: return "CAA";
	default: return "another type";
	}
}

/* RFC 1035 section 4.1.1, RFC 2136 section 2.2 */
static const char *
rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
	    "NOTAUTH", "NOTZONE" };

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	return "an unknown error code";
}

static void set_error(struct dns_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_error(struct dns_result *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->status = DNS_ERROR;
	free(r->error);
	r->error = sp_xstrdup(buf);
}

/* "mail.example.com" -> "mail.example.com."; the root stays ".". */
static char *
lower_name(const char *name)
{
	size_t len = strlen(name);
	char *n = len > 0 && name[len - 1] == '.' ? sp_xstrdup(name) :
	    sp_xasprintf("%s.", name);

	sp_str_lower(n);
	return n;
}

static bool
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && sp_strncasecmp(a, b, la) == 0;
}

static bool
rdata_name(ns_msg *msg, const unsigned char *p, char *out, size_t outlen)
{
	return ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), p, out,
	    outlen) >= 0;
}

static void
add_value(struct dns_result *r, char *data, size_t len, const char *malformed)
{
	r->values = sp_xrealloc(r->values, r->n_values + 1, sizeof(*r->values));
	r->values[r->n_values].data = data;
	r->values[r->n_values].len = len;
	r->values[r->n_values].malformed = malformed;
	r->n_values++;
}

/*
 * TXT RDATA: one or more <character-string>s, each a length byte and that
 * many bytes (RFC 1035 section 3.3.14), joined byte for byte. A length
 * that runs past the RDATA, or no string at all, makes the record
 * malformed: what fits is kept to be shown.
 */
static void
txt_value(const unsigned char *p, size_t len, struct dns_result *r)
{
	struct sp_buf b = SP_BUF_INIT;
	const char *malformed = NULL;
	size_t off = 0, joined;

	if (len == 0)
		malformed = "a TXT record without any character-string "
		    "(RFC 1035 section 3.3.14)";
	while (off < len) {
		size_t n = p[off++];

		if (n > len - off) {
			malformed = "a character-string length runs past the end "
			    "of the TXT record (RFC 1035 section 3.3.14)";
			n = len - off;
		}
		sp_buf_append(&b, p + off, n);
		off += n;
	}
	joined = b.len;
	sp_buf_putc(&b, '\0');
	add_value(r, sp_buf_steal(&b), joined, malformed);
}

/* A name-bearing RDATA in presentation form, or NULL when malformed. */
static char *
name_value(ns_msg *msg, const ns_rr *rr)
{
	const unsigned char *p = ns_rr_rdata(*rr);
	size_t len = ns_rr_rdlen(*rr);
	char name[NS_MAXDNAME], *n, *v;

	switch (ns_rr_type(*rr)) {
	case ns_t_mx:
		if (len < 3 || !rdata_name(msg, p + 2, name, sizeof(name)))
			return NULL;
		n = lower_name(name);
		v = sp_xasprintf("%u %s", ns_get16(p), n);
		free(n);
		return v;
	case ns_t_srv:
		if (len < 7 || !rdata_name(msg, p + 6, name, sizeof(name)))
			return NULL;
		n = lower_name(name);
		v = sp_xasprintf("%u %u %u %s", ns_get16(p), ns_get16(p + 2),
		    ns_get16(p + 4), n);
		free(n);
		return v;
	default:        /* CNAME, NS, PTR: one name */
		if (len < 1 || !rdata_name(msg, p, name, sizeof(name)))
			return NULL;
		return lower_name(name);
	}
}

/*
 * TLSA RDATA (RFC 6698 section 2.1): usage, selector and matching type,
 * one byte each, then the association data, shown as the master file
 * shows it (section 2.2): "3 1 1 " and lower-case hex. No data is malformed.
 */
static char *
tlsa_value(const unsigned char *p, size_t len)
{
	struct sp_buf b = SP_BUF_INIT;

	if (len < 4)
		return NULL;
	sp_buf_printf(&b, "%u %u %u ", p[0], p[1], p[2]);
	for (size_t i = 3; i < len; i++)
		sp_buf_printf(&b, "%02x", p[i]);
	return sp_buf_steal(&b);
}

/*
 * CAA RDATA (RFC 8659 section 4.1): flags, a tag of 1 to 15 letters and
 * digits, and the value, shown as `0 issue "letsencrypt.org"`, the value
 * quoted with every byte outside printable ASCII, '"' and '\' escaped
 * (RFC 1035 section 5.1), so nothing a server sends reaches a terminal raw.
 */
static char *
caa_value(const unsigned char *p, size_t len)
{
	struct sp_buf b = SP_BUF_INIT;
	size_t taglen;

	if (len < 2 || (taglen = p[1]) < 1 || taglen > 15 || taglen > len - 2)
		return NULL;
	for (size_t i = 0; i < taglen; i++)
		if (!((p[2 + i] | 0x20) >= 'a' && (p[2 + i] | 0x20) <= 'z') &&
		    !(p[2 + i] >= '0' && p[2 + i] <= '9'))
			return NULL;
	sp_buf_printf(&b, "%u %.*s \"", p[0], (int)taglen, (const char *)p + 2);
	for (size_t i = 2 + taglen; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			sp_buf_printf(&b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] > 0x7e)
			sp_buf_printf(&b, "\\%03u", p[i]);
		else
			sp_buf_putc(&b, (char)p[i]);
	}
	sp_buf_putc(&b, '"');
	return sp_buf_steal(&b);
}

/*
 * SOA RDATA (RFC 1035 section 3.3.13) as "MNAME RNAME SERIAL REFRESH
 * RETRY EXPIRE MINIMUM", or NULL when malformed.
 */
static char *
soa_value(ns_msg *msg, const ns_rr *rr)
{
	const unsigned char *p = ns_rr_rdata(*rr), *end = p + ns_rr_rdlen(*rr);
	char mname[NS_MAXDNAME], rname[NS_MAXDNAME];
	int n;

	if ((n = dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), p, mname,
	    sizeof(mname))) < 0 || (p += n) >= end)
		return NULL;
	if ((n = dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), p, rname,
	    sizeof(rname))) < 0 || (p += n) + 20 != end)
		return NULL;
	return sp_xasprintf("%s. %s. %lu %lu %lu %lu %lu", mname, rname,
	    (unsigned long)ns_get32(p), (unsigned long)ns_get32(p + 4),
	    (unsigned long)ns_get32(p + 8), (unsigned long)ns_get32(p + 12),
	    (unsigned long)ns_get32(p + 16));
}

/* One RR of the asked type into r; false when its RDATA is malformed. */
static bool
rr_value(ns_msg *msg, const ns_rr *rr, struct dns_result *r)
{
	const unsigned char *p = ns_rr_rdata(*rr);
	size_t len = ns_rr_rdlen(*rr);
	char addr[INET6_ADDRSTRLEN], *v;

	switch (ns_rr_type(*rr)) {
	case ns_t_a:
	case ns_t_aaaa:
		if (len != (ns_rr_type(*rr) == ns_t_a ? 4u : 16u) ||
		    !inet_ntop(ns_rr_type(*rr) == ns_t_a ? AF_INET : AF_INET6,
		    p, addr, sizeof(addr)))
			return false;
		v = sp_xstrdup(addr);
		break;
	case ns_t_txt:
		txt_value(p, len, r);
		return true;
	case ns_t_tlsa:
	case ns_t_caa:
		v = ns_rr_type(*rr) == ns_t_tlsa ? tlsa_value(p, len) :
		    caa_value(p, len);
		if (v == NULL)
			return false;
		break;
	case ns_t_mx:
	case ns_t_srv:
	case ns_t_cname:
	case ns_t_ns:
	case ns_t_ptr:
		if ((v = name_value(msg, rr)) == NULL)
			return false;
		break;
	case ns_t_soa:
		if ((v = soa_value(msg, rr)) == NULL)
			return false;
		add_value(r, v, strlen(v), NULL);
		r->values[r->n_values - 1].ttl = ns_rr_ttl(*rr);
		return true;
	default:
		return true;    /* a type we never ask for: ignored */
	}
	add_value(r, v, strlen(v), NULL);
	return true;
}

/* The question section must be the question asked (RFC 1035 4.1.2). */
static bool
question_matches(ns_msg *msg, const char *label, const char *qname,
    int qtype, struct dns_result *r)
{
	ns_rr q;

	if (ns_msg_count(*msg, ns_s_qd) == 0 &&
	    ns_msg_getflag(*msg, ns_f_rcode) != ns_r_noerror)
		return true;    /* an error reply may leave it out */
	if (ns_msg_count(*msg, ns_s_qd) != 1 ||
	    ns_parserr(msg, ns_s_qd, 0, &q) != 0) {
		set_error(r, "%s answered without the question asked (%s %s)",
		    label, qname, dns_type_name(qtype));
		return false;
	}
	if (!same_name(ns_rr_name(q), qname) || (int)ns_rr_type(q) != qtype ||
	    ns_rr_class(q) != ns_c_in) {
		char *other = lower_name(ns_rr_name(q));

		set_error(r, "%s answered another question (%s %s) than the one "
		    "asked (%s %s)", label, other, dns_type_name(ns_rr_type(q)),
		    qname, dns_type_name(qtype));
		free(other);
		return false;
	}
	return true;
}

/* The target of the CNAME owned by `name` in the answer, or NULL. */
static char *
cname_target(ns_msg *msg, const char *name)
{
	int count = ns_msg_count(*msg, ns_s_an);

	for (int i = 0; i < count; i++) {
		ns_rr rr;

		if (ns_parserr(msg, ns_s_an, i, &rr) == 0 &&
		    ns_rr_type(rr) == ns_t_cname &&
		    same_name(ns_rr_name(rr), name))
			return name_value(msg, &rr);
	}
	return NULL;
}

/*
 * Follow the CNAMEs from `start` within the answer (RFC 1034 section
 * 3.6.2); a name met twice is a loop, which no resolver can get through.
 */
static void
follow_cnames(ns_msg *msg, const char *qname, const char *start,
    struct dns_result *r)
{
	struct sp_list chain = SP_LIST_INIT;
	size_t limit = (size_t)ns_msg_count(*msg, ns_s_an) + 1;
	char *next = sp_xstrdup(start);

	sp_list_add(&chain, qname);
	while (next != NULL) {
		bool seen = false;

		for (size_t k = 0; k < chain.n; k++)
			seen = seen || same_name(chain.v[k], next);
		sp_list_add_owned(&chain, next);
		if (seen) {
			struct sp_buf b = SP_BUF_INIT;

			for (size_t k = 0; k < chain.n; k++)
				sp_buf_printf(&b, "%s%s", k ? " -> " : "",
				    chain.v[k]);
			r->cname_loop = sp_buf_steal(&b);
			break;
		}
		next = chain.n > limit ? NULL :
		    cname_target(msg, chain.v[chain.n - 1]);
	}
	sp_list_free(&chain);
}

/* NOERROR: the records of the asked type at the name, or why there are none. */
static void
read_answer(ns_msg *msg, const char *label, const char *qname, int qtype,
    struct dns_result *r)
{
	int count = ns_msg_count(*msg, ns_s_an);
	char *other = NULL;

	r->status = DNS_ANSWER;
	for (int i = 0; i < count && r->status == DNS_ANSWER; i++) {
		ns_rr rr;

		if (ns_parserr(msg, ns_s_an, i, &rr) != 0) {
			set_error(r, "%s sent an answer whose record %d cannot be "
			    "parsed (RFC 1035 section 4.1.3)", label, i + 1);
		} else if (ns_rr_class(rr) != ns_c_in) {
			continue;
		} else if (!same_name(ns_rr_name(rr), qname)) {
			if (other == NULL)
				other = lower_name(ns_rr_name(rr));
		} else if (ns_rr_type(rr) == ns_t_cname && qtype != (int)ns_t_cname) {
			free(r->alias);
			if ((r->alias = name_value(msg, &rr)) == NULL)
				set_error(r, "%s sent a malformed CNAME record for "
				    "%s", label, qname);
		} else if ((int)ns_rr_type(rr) == qtype &&
		    !rr_value(msg, &rr, r)) {
			set_error(r, "%s sent a malformed %s record for %s",
			    label, dns_type_name(qtype), qname);
		}
	}
	if (r->status == DNS_ANSWER && r->alias != NULL)
		follow_cnames(msg, qname, r->alias, r);
	if (r->status == DNS_ANSWER && r->n_values == 0 && r->alias == NULL &&
	    other != NULL)
		set_error(r, "%s answered %s %s with records for %s only",
		    label, qname, dns_type_name(qtype), other);
	free(other);
}

/* No answer, no AA, NS records in authority: a referral (RFC 1034 4.3.2). */
static bool
is_referral(ns_msg *msg, char *ns_name, size_t len)
{
	int count = ns_msg_count(*msg, ns_s_ns);

	if (ns_msg_count(*msg, ns_s_an) != 0 || ns_msg_getflag(*msg, ns_f_aa))
		return false;
	for (int i = 0; i < count; i++) {
		ns_rr rr;

		if (ns_parserr(msg, ns_s_ns, i, &rr) == 0 &&
		    ns_rr_type(rr) == ns_t_ns &&
		    rdata_name(msg, ns_rr_rdata(rr), ns_name, len))
			return true;
	}
	return false;
}

void
dns_answer_decode(const unsigned char *msg_bytes, size_t len,
    const char *label, const char *qname, int qtype, struct dns_result *r)
{
	char ns_name[NS_MAXDNAME];
	ns_msg msg;
	int rcode;
	unsigned records;

	memset(r, 0, sizeof(*r));
	if (len > DNS_ANSWER_MAX) {
		set_error(r, "%s sent an answer of %zu bytes, more than the %d "
		    "dnsgen reads", label, len, DNS_ANSWER_MAX);
		return;
	}
	if (ns_initparse(msg_bytes, (int)len, &msg) != 0) {
		set_error(r, "%s sent an answer that cannot be parsed (RFC 1035 "
		    "section 4.1)", label);
		return;
	}
	records = (unsigned)ns_msg_count(msg, ns_s_an) +
	    ns_msg_count(msg, ns_s_ns) + ns_msg_count(msg, ns_s_ar);
	if (records > DNS_ANSWER_RECORDS_MAX) {
		set_error(r, "%s sent %u records in one answer, more than the %d "
		    "dnsgen reads", label, records, DNS_ANSWER_RECORDS_MAX);
		return;
	}
	if (!question_matches(&msg, label, qname, qtype, r))
		return;
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	r->authoritative = ns_msg_getflag(msg, ns_f_aa) != 0;
	if (rcode == ns_r_nxdomain)
		r->status = DNS_NXDOMAIN;
	else if (rcode == ns_r_refused)
		set_error(r, "%s answered REFUSED for %s %s: it will not answer "
		    "for this name (is it a server for the zone, and may this "
		    "host ask it?)", label, qname, dns_type_name(qtype));
	else if (rcode == ns_r_servfail)
		set_error(r, "%s answered SERVFAIL for %s %s: the server failed "
		    "(is the zone loaded and valid?)", label, qname,
		    dns_type_name(qtype));
	else if (rcode != ns_r_noerror)
		set_error(r, "%s answered %s for %s %s", label, rcode_name(rcode),
		    qname, dns_type_name(qtype));
	else if (is_referral(&msg, ns_name, sizeof(ns_name)))
		set_error(r, "%s is not authoritative for %s: it refers the "
		    "question to %s (a lame delegation)", label, qname, ns_name);
	else
		read_answer(&msg, label, qname, qtype, r);
}

bool
dns_result_has(const struct dns_result *r, const char *value)
{
	size_t len = strlen(value);

	for (size_t i = 0; i < r->n_values; i++)
		if (r->values[i].len == len &&
		    sp_strncasecmp(r->values[i].data, value, len) == 0)
			return true;
	return false;
}

void
dns_result_free(struct dns_result *r)
{
	for (size_t i = 0; i < r->n_values; i++)
		free(r->values[i].data);
	free(r->values);
	free(r->alias);
	free(r->cname_loop);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

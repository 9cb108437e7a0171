/*
 * test_dnsanswer.c - dnsgen/answer.c and dnsgen/judge.c without a network:
 * DNS messages built byte by byte here are decoded by dns_answer_decode and
 * judged as `dnsgen check` would. TXT values keep their length (a NUL
 * inside is a difference, a string length past the RDATA is malformed),
 * values shown are escaped, the answer must be to the question asked, and
 * the limits on records (256) and bytes (32768) hold at and past the
 * limit. Every prefix of a good message is refused, not half-read.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/judge.h"
#include "dnsgen/resolve.h"
#include "../tap.h"

/* ---- a tiny message builder (RFC 1035 section 4.1) ---- */

struct msg {
	unsigned char b[70000];
	size_t len;
	size_t counts[4];       /* qd an ns ar */
};

static void
put16(struct msg *m, unsigned v)
{
	m->b[m->len++] = (unsigned char)(v >> 8);
	m->b[m->len++] = (unsigned char)v;
}

static void
put_name(struct msg *m, const char *name)
{
	while (*name != '\0') {
		size_t n = strcspn(name, ".");

		m->b[m->len++] = (unsigned char)n;
		memcpy(m->b + m->len, name, n);
		m->len += n;
		name += n + (name[n] == '.');
	}
	m->b[m->len++] = 0;
}

/* Header: ID 0x1234, QR, flags (AA 0x0400), rcode; counts set at the end. */
static void
msg_start(struct msg *m, unsigned flags, unsigned rcode, const char *qname,
    unsigned qtype)
{
	memset(m, 0, sizeof(*m));
	put16(m, 0x1234);
	put16(m, 0x8000 | flags | rcode);
	m->len += 8;
	if (qname != NULL) {
		put_name(m, qname);
		put16(m, qtype);
		put16(m, ns_c_in);
		m->counts[0] = 1;
	}
}

static void
msg_rr(struct msg *m, int section, const char *owner, unsigned type,
    const void *rdata, size_t rdlen)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, ns_c_in);
	put16(m, 0);
	put16(m, 3600);
	put16(m, (unsigned)rdlen);
	memcpy(m->b + m->len, rdata, rdlen);
	m->len += rdlen;
	m->counts[section]++;
}

static void
msg_end(struct msg *m)
{
	for (int i = 0; i < 4; i++) {
		m->b[4 + 2 * i] = (unsigned char)(m->counts[i] >> 8);
		m->b[5 + 2 * i] = (unsigned char)m->counts[i];
	}
}

static void
name_rdata(const char *name, unsigned char *out, size_t *len)
{
	struct msg t;

	t.len = 0;
	put_name(&t, name);
	memcpy(out, t.b, t.len);
	*len = t.len;
}

static struct dns_result
decode(const struct msg *m, const char *qname, int qtype)
{
	struct dns_result r;

	dns_answer_decode(m->b, m->len, "srv", qname, qtype, &r);
	return r;
}

static struct sp_rr
spf_rr(void)
{
	struct sp_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.name = "example.com.";
	rr.type = SP_RR_TXT;
	rr.role = SP_ROLE_SPF;
	rr.value = "v=spf1 -all";
	return rr;
}

/* ---- TXT bytes ---- */

static void
judge_txt(const char *name, const void *rdata, size_t rdlen,
    enum verdict want, const char *want_found, const char *want_why)
{
	struct sp_rr rr = spf_rr();
	struct dns_result r;
	struct outcome o;
	struct msg m;

	msg_start(&m, 0x0400, 0, "example.com", ns_t_txt);
	msg_rr(&m, 1, "example.com", ns_t_txt, rdata, rdlen);
	msg_end(&m);
	r = decode(&m, "example.com.", ns_t_txt);
	judge_record(&rr, &r, true, &o);
	ok(o.v == want, "%s: %s (got %s)", name, verdict_names[want],
	    verdict_names[o.v]);
	if (want_found != NULL)
		is_str(o.found ? o.found : "(null)", want_found,
		    "%s: shown escaped", name);
	if (want_why != NULL)
		ok(o.why != NULL && strstr(o.why, want_why) != NULL,
		    "%s: why says \"%s\" (%s)", name, want_why,
		    o.why ? o.why : "(null)");
	outcome_free(&o);
	dns_result_free(&r);
}

static void
test_txt_bytes(void)
{
	static const unsigned char good[] = "\x07v=spf1 \x04-all";
	static const unsigned char nul[] = "\x11v=spf1 -all\0 +all";
	static const unsigned char past[] = "\xc8v=spf1 -a";
	static const unsigned char esc[] = "\x16v=spf1 \x1b]0;x\x07\x1b[2J -all";
	static const unsigned char high[] = "\x0fv=spf1 \xff\"\\ -all";

	judge_txt("two strings joined", good, sizeof(good) - 1, V_OK, NULL,
	    NULL);
	judge_txt("a NUL inside", nul, sizeof(nul) - 1, V_DIFFERS,
	    "v=spf1 -all\\000 +all", "NUL byte (at byte 12 of 17)");
	judge_txt("a length past the RDATA", past, sizeof(past) - 1,
	    V_DIFFERS, "v=spf1 -a", "runs past the end of the TXT record");
	judge_txt("an empty RDATA", "", 0, V_MISSING, NULL, NULL);
	judge_txt("terminal escapes", esc, sizeof(esc) - 1, V_DIFFERS,
	    "v=spf1 \\027]0;x\\007\\027[2J -all", NULL);
	judge_txt("8-bit, quote, backslash", high, sizeof(high) - 1,
	    V_DIFFERS, "v=spf1 \\255\\\"\\\\ -all", NULL);
}

/* ---- answers that are not the answer ---- */

static void
want_error(const char *name, const struct msg *m, const char *qname,
    int qtype, const char *want)
{
	struct dns_result r = decode(m, qname, qtype);

	ok(r.status == DNS_ERROR && r.error != NULL &&
	    strstr(r.error, want) != NULL, "%s: error \"%s\" (%s)", name, want,
	    r.error ? r.error : "no error");
	dns_result_free(&r);
}

static void
test_wrong_answers(void)
{
	unsigned char rd[300];
	size_t rdlen;
	struct msg m;

	msg_start(&m, 0x0400, ns_r_refused, "example.com", ns_t_mx);
	msg_end(&m);
	want_error("REFUSED", &m, "example.com.", ns_t_mx,
	    "srv answered REFUSED for example.com. MX");
	msg_start(&m, 0, ns_r_servfail, NULL, 0);
	msg_end(&m);
	want_error("SERVFAIL without a question", &m, "example.com.", ns_t_mx,
	    "srv answered SERVFAIL for example.com. MX");
	msg_start(&m, 0x0400, 0, "other.example.com", ns_t_mx);
	msg_end(&m);
	want_error("another question", &m, "example.com.", ns_t_mx,
	    "answered another question (other.example.com. MX) than the one "
	    "asked (example.com. MX)");
	msg_start(&m, 0x0400, 0, "example.com", ns_t_a);
	msg_end(&m);
	want_error("another type", &m, "example.com.", ns_t_mx,
	    "answered another question (example.com. A)");
	msg_start(&m, 0x0400, 0, "example.com", ns_t_a);
	msg_rr(&m, 1, "other.example.com", ns_t_a, "\xc0\x00\x02\x01", 4);
	msg_end(&m);
	want_error("records for another name", &m, "example.com.", ns_t_a,
	    "answered example.com. A with records for other.example.com. only");
	name_rdata("ns.elsewhere.example", rd, &rdlen);
	msg_start(&m, 0, 0, "example.com", ns_t_a);
	msg_rr(&m, 2, "example.com", ns_t_ns, rd, rdlen);
	msg_end(&m);
	want_error("a referral", &m, "example.com.", ns_t_a,
	    "srv is not authoritative for example.com.: it refers the question "
	    "to ns.elsewhere.example (a lame delegation)");
	msg_start(&m, 0x0400, 0, "example.com", ns_t_a);
	msg_rr(&m, 1, "example.com", ns_t_a, "\xc0\x00\x02", 3);
	msg_end(&m);
	want_error("an A record of 3 bytes", &m, "example.com.", ns_t_a,
	    "sent a malformed A record");
}

static void
test_cname_loop(void)
{
	unsigned char rd[300];
	size_t rdlen;
	struct dns_result r;
	struct sp_rr rr = spf_rr();
	struct outcome o;
	struct msg m;

	msg_start(&m, 0x0400, 0, "example.com", ns_t_txt);
	name_rdata("a.example.com", rd, &rdlen);
	msg_rr(&m, 1, "example.com", ns_t_cname, rd, rdlen);
	name_rdata("b.example.com", rd, &rdlen);
	msg_rr(&m, 1, "a.example.com", ns_t_cname, rd, rdlen);
	name_rdata("example.com", rd, &rdlen);
	msg_rr(&m, 1, "b.example.com", ns_t_cname, rd, rdlen);
	msg_end(&m);
	r = decode(&m, "example.com.", ns_t_txt);
	is_str(r.cname_loop ? r.cname_loop : "(none)",
	    "example.com. -> a.example.com. -> b.example.com. -> example.com.",
	    "a CNAME loop is followed round once and named");
	judge_record(&rr, &r, true, &o);
	ok(o.v == V_DIFFERS && strstr(o.why, "a CNAME loop") != NULL,
	    "a CNAME loop differs, saying so");
	outcome_free(&o);
	dns_result_free(&r);

	msg_start(&m, 0x0400, 0, "example.com", ns_t_txt);
	name_rdata("example.com", rd, &rdlen);
	msg_rr(&m, 1, "example.com", ns_t_cname, rd, rdlen);
	msg_end(&m);
	r = decode(&m, "example.com.", ns_t_txt);
	is_str(r.cname_loop ? r.cname_loop : "(none)",
	    "example.com. -> example.com.", "a CNAME to itself is a loop");
	dns_result_free(&r);
}

/* ---- limits ---- */

static void
records_answer(struct msg *m, size_t n)
{
	msg_start(m, 0x0400, 0, "example.com", ns_t_txt);
	msg_rr(m, 1, "example.com", ns_t_txt, "\x0bv=spf1 -all", 12);
	for (size_t i = 1; i < n; i++)
		msg_rr(m, 1, "example.com", ns_t_txt, "\x03pad", 4);
	msg_end(m);
}

static void
test_limits(void)
{
	static struct msg m;
	struct dns_result r;

	records_answer(&m, DNS_ANSWER_RECORDS_MAX);
	r = decode(&m, "example.com.", ns_t_txt);
	ok(r.status == DNS_ANSWER && r.n_values == DNS_ANSWER_RECORDS_MAX,
	    "%d records (the limit) are read", DNS_ANSWER_RECORDS_MAX);
	dns_result_free(&r);
	records_answer(&m, DNS_ANSWER_RECORDS_MAX + 1);
	want_error("one record past the limit", &m, "example.com.", ns_t_txt,
	    "sent 257 records in one answer, more than the 256 dnsgen reads");

	/* Bytes: one TXT record padded to make the message the size. */
	for (size_t size = DNS_ANSWER_MAX; size <= DNS_ANSWER_MAX + 1; size++) {
		unsigned char *rd = sp_xcalloc(1, size);
		size_t rdlen, left;

		msg_start(&m, 0x0400, 0, "example.com", ns_t_txt);
		rdlen = size - m.len - (13 + 10);       /* owner + fixed part */
		for (left = rdlen; left > 0; ) {
			size_t n = left > 256 ? 255 : left - 1;

			rd[rdlen - left] = (unsigned char)n;
			memset(rd + rdlen - left + 1, 'x', n);
			left -= n + 1;
		}
		msg_rr(&m, 1, "example.com", ns_t_txt, rd, rdlen);
		msg_end(&m);
		r = decode(&m, "example.com.", ns_t_txt);
		if (size == DNS_ANSWER_MAX)
			ok(m.len == size && r.status == DNS_ANSWER &&
			    r.n_values == 1, "an answer of %zu bytes (the "
			    "limit) is read", m.len);
		else
			ok(m.len == size && r.status == DNS_ERROR &&
			    strstr(r.error, "more than the 32768") != NULL,
			    "an answer of %zu bytes is refused: %s", m.len,
			    r.error ? r.error : "no error");
		dns_result_free(&r);
		free(rd);
	}
}

/* Every prefix of a good message is an error, never a partial answer. */
static void
test_prefixes(void)
{
	struct msg m;
	size_t bad = 0, full;
	struct dns_result r;

	msg_start(&m, 0x0400, 0, "example.com", ns_t_txt);
	msg_rr(&m, 1, "example.com", ns_t_txt, "\x07v=spf1 \x04-all", 13);
	msg_rr(&m, 1, "example.com", ns_t_txt, "\x03pad", 4);
	msg_end(&m);
	full = m.len;
	for (m.len = 0; m.len < full; m.len++) {
		r = decode(&m, "example.com.", ns_t_txt);
		if (r.status != DNS_ERROR)
			bad++;
		dns_result_free(&r);
	}
	ok(bad == 0, "all %zu prefixes of a %zu-byte answer are errors (%zu "
	    "were not)", full, full, bad);
	m.len = full;
	r = decode(&m, "example.com.", ns_t_txt);
	ok(r.status == DNS_ANSWER && r.n_values == 2 && r.values[0].len == 11,
	    "the whole answer: two values, the first 11 bytes");
	dns_result_free(&r);
}

/* ---- TLSA and CAA RDATA in presentation form ---- */

static void
decoded_as(const char *name, unsigned type, const void *rdata, size_t rdlen,
    const char *want)
{
	struct dns_result r;
	struct msg m;

	msg_start(&m, 0x0400, 0, "example.com", type);
	msg_rr(&m, 1, "example.com", type, rdata, rdlen);
	msg_end(&m);
	r = decode(&m, "example.com.", (int)type);
	if (want == NULL)
		ok(r.status == DNS_ERROR && r.error != NULL &&
		    strstr(r.error, "malformed") != NULL,
		    "%s: malformed (%s)", name, r.error ? r.error : "no error");
	else
		ok(r.status == DNS_ANSWER && r.n_values == 1 &&
		    strcmp(r.values[0].data, want) == 0 &&
		    r.values[0].len == strlen(want), "%s: \"%s\" (%s)", name,
		    want, r.n_values ? r.values[0].data : "none");
	dns_result_free(&r);
}

static void
test_tlsa_caa(void)
{
	static const unsigned char tlsa[] = { 3, 1, 1, 0xab, 0x0c, 0xFF };
	static const unsigned char caa[] = "\x00\x05issueletsencrypt.org";
	static const unsigned char iodef[] =
	    "\x80\x05iodefmailto:a@example.com";
	static const unsigned char odd[] = "\x00\x05issuea\"b\\c\x1b\xff";
	static const unsigned char badtag[] = "\x00\x05is-uex";
	static const unsigned char longtag[] = "\x00\x10issueissueissuex";

	decoded_as("TLSA 3 1 1", ns_t_tlsa, tlsa, sizeof(tlsa), "3 1 1 ab0cff");
	decoded_as("TLSA without data", ns_t_tlsa, tlsa, 3, NULL);
	decoded_as("CAA issue", ns_t_caa, caa, sizeof(caa) - 1,
	    "0 issue \"letsencrypt.org\"");
	decoded_as("CAA critical iodef", ns_t_caa, iodef, sizeof(iodef) - 1,
	    "128 iodef \"mailto:a@example.com\"");
	decoded_as("CAA value escaped", ns_t_caa, odd, sizeof(odd) - 1,
	    "0 issue \"a\\\"b\\\\c\\027\\255\"");
	decoded_as("CAA tag with a hyphen", ns_t_caa, badtag,
	    sizeof(badtag) - 1, NULL);
	decoded_as("CAA tag of 16 bytes", ns_t_caa, longtag,
	    sizeof(longtag) - 1, NULL);
	decoded_as("CAA tag past the RDATA", ns_t_caa, caa, 4, NULL);
}

int
main(void)
{
	test_tlsa_caa();
	test_txt_bytes();
	test_wrong_answers();
	test_cname_loop();
	test_limits();
	test_prefixes();
	return done_testing();
}

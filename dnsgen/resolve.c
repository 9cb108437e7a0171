/*
 * resolve.c - DNS queries for `dnsgen check` through libresolv.
 *
 * Each server gets its own resolver state (res_ninit). For a chosen server
 * the state's name server list is replaced: an IPv4 address goes into
 * nsaddr_list; glibc keeps IPv6 servers in _u._ext.nsaddrs (a malloc'd
 * sockaddr_in6 that res_nclose frees) with nsaddr_list[n].sin_family == 0,
 * which is how res_ninit itself stores an IPv6 "nameserver" line; glibc has
 * no res_setservers. Questions are built by res_nmkquery and sent by
 * res_nsend (which retries over TCP when an answer is truncated), and
 * answers are read with ns_initparse / ns_parserr / ns_name_uncompress: no
 * packet parsing of our own beyond walking a TXT record's strings.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsgen/resolve.h"

#define ANSWER_MAX 65536

static bool
parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return false;
	*port = (unsigned)v;
	return true;
}

bool
dns_server_parse(const char *arg, struct dns_server *s, sp_err *err)
{
	const char *hash = strchr(arg, '#');
	char *host = sp_xstrndup(arg, hash ? (size_t)(hash - arg) : strlen(arg));
	unsigned port = NS_DEFAULTPORT;
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->addr;
	bool good = true;

	memset(s, 0, sizeof(*s));
	s->recurse = true;
	if (hash != NULL && !parse_port(hash + 1, &port)) {
		sp_err_set(err, "--server %s: \"%s\" is not a port", arg, hash + 1);
		good = false;
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		s->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		s->addrlen = sizeof(*sin6);
	} else {
		sp_err_set(err, "--server %s: \"%s\" is not an IPv4 or IPv6 "
		    "address (write ADDR or ADDR#PORT)", arg, host);
		good = false;
	}
	if (good)
		s->label = sp_xasprintf("%s#%u", host, port);
	free(host);
	return good;
}

void
dns_server_from_sockaddr(struct dns_server *s, const char *name,
    const struct sockaddr *sa, socklen_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	memset(s, 0, sizeof(*s));
	memcpy(&s->addr, sa, len);
	s->addrlen = len;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr;

		sin->sin_port = htons(NS_DEFAULTPORT);
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->addr;

		sin6->sin6_port = htons(NS_DEFAULTPORT);
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
	}
	s->label = sp_xasprintf("%s %s", name, addr);
}

void
dns_server_system(struct dns_server *s)
{
	memset(s, 0, sizeof(*s));
	s->system = true;
	s->recurse = true;
	s->label = sp_xstrdup("the system resolver");
}

bool
dns_server_open(struct dns_server *s, sp_err *err)
{
	struct __res_state *st = &s->st;

	memset(st, 0, sizeof(*st));
	if (res_ninit(st) != 0) {
		sp_err_set(err, "cannot set up the resolver (res_ninit)");
		return false;
	}
	s->open = true;
	st->retrans = 3;
	st->retry = 2;
	if (!s->recurse)
		st->options &= ~(unsigned long)RES_RECURSE;
	if (s->system)
		return true;
	/* Forget resolv.conf's servers (and free glibc's IPv6 copies). */
	res_nclose(st);
	memset(st->nsaddr_list, 0, sizeof(st->nsaddr_list));
	st->_u._ext.nscount = 0;
	st->nscount = 1;
	if (s->addr.ss_family == AF_INET) {
		memcpy(&st->nsaddr_list[0], &s->addr, sizeof(struct sockaddr_in));
	} else {
		struct sockaddr_in6 *sin6 = malloc(sizeof(*sin6));

		if (sin6 == NULL) {
			sp_err_set(err, "out of memory");
			return false;
		}
		memcpy(sin6, &s->addr, sizeof(*sin6));
		st->_u._ext.nsaddrs[0] = sin6;
	}
	return true;
}

void
dns_server_close(struct dns_server *s)
{
	if (s->open)
		res_nclose(&s->st);
	s->open = false;
	free(s->label);
	free(s->dead);
	s->label = NULL;
	s->dead = NULL;
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
rdata_name(ns_msg *msg, const unsigned char *p, char *out, size_t outlen)
{
	return ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), p, out,
	    outlen) >= 0;
}

/* TXT RDATA: <character-string>s, joined (RFC 1035 section 3.3.14). */
static char *
txt_joined(const unsigned char *p, size_t len)
{
	struct sp_buf b = SP_BUF_INIT;
	size_t off = 0;

	while (off < len) {
		size_t n = p[off++];

		if (n > len - off)
			n = len - off;
		sp_buf_append(&b, p + off, n);
		off += n;
	}
	return sp_buf_steal(&b);
}

/* One RR of the asked type, in dnsrec.c's presentation form. */
static char *
rr_value(ns_msg *msg, const ns_rr *rr)
{
	const unsigned char *p = ns_rr_rdata(*rr);
	size_t len = ns_rr_rdlen(*rr);
	char name[NS_MAXDNAME], addr[INET6_ADDRSTRLEN];

	switch (ns_rr_type(*rr)) {
	case ns_t_a:
		if (len != 4 || !inet_ntop(AF_INET, p, addr, sizeof(addr)))
			return NULL;
		return sp_xstrdup(addr);
	case ns_t_aaaa:
		if (len != 16 || !inet_ntop(AF_INET6, p, addr, sizeof(addr)))
			return NULL;
		return sp_xstrdup(addr);
	case ns_t_mx:
		if (len < 3 || !rdata_name(msg, p + 2, name, sizeof(name)))
			return NULL;
		{
			char *n = lower_name(name);
			char *v = sp_xasprintf("%u %s", ns_get16(p), n);

			free(n);
			return v;
		}
	case ns_t_srv:
		if (len < 7 || !rdata_name(msg, p + 6, name, sizeof(name)))
			return NULL;
		{
			char *n = lower_name(name);
			char *v = sp_xasprintf("%u %u %u %s", ns_get16(p),
			    ns_get16(p + 2), ns_get16(p + 4), n);

			free(n);
			return v;
		}
	case ns_t_cname:
	case ns_t_ns:
	case ns_t_ptr:
		if (!rdata_name(msg, p, name, sizeof(name)))
			return NULL;
		return lower_name(name);
	case ns_t_txt:
		return txt_joined(p, len);
	default:
		return NULL;
	}
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

static void
read_answer(ns_msg *msg, const char *qname, int type, struct dns_result *r)
{
	int count = ns_msg_count(*msg, ns_s_an);

	for (int i = 0; i < count; i++) {
		ns_rr rr;
		char *v;

		if (ns_parserr(msg, ns_s_an, i, &rr) != 0)
			continue;
		if (!same_name(ns_rr_name(rr), qname) ||
		    ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_type(rr) == ns_t_cname && type != (int)ns_t_cname) {
			free(r->alias);
			r->alias = rr_value(msg, &rr);
			continue;
		}
		if ((int)ns_rr_type(rr) != type)
			continue;
		if ((v = rr_value(msg, &rr)) != NULL)
			sp_list_add_owned(&r->values, v);
	}
}

static void
set_error(struct dns_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_error(struct dns_result *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->status = DNS_ERROR;
	free(r->error);
	r->error = sp_xstrdup(buf);
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

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * res_nsend returns -1 both when nothing answered and when the server said
 * SERVFAIL or REFUSED (errno ETIMEDOUT either way): the time it took tells
 * them apart. A server that timed out or refused the connection is not
 * asked again.
 */
static void
send_failed(struct dns_server *s, struct dns_result *r, const char *name,
    int err, double took)
{
	if (err == ECONNREFUSED)
		set_error(r, "no answer from %s: nothing listens there", s->label);
	else if ((err == ETIMEDOUT || err == 0) && took < 1.0)
		set_error(r, "%s refused or failed to answer for %s (is it "
		    "authoritative for it?)", s->label, name);
	else if (err == ETIMEDOUT || err == 0)
		set_error(r, "no answer from %s: timed out", s->label);
	else
		set_error(r, "no answer from %s: %s", s->label, strerror(err));
	if (err == ECONNREFUSED || ((err == ETIMEDOUT || err == 0) &&
	    took >= 1.0))
		s->dead = sp_xstrdup(r->error);
}

void
dns_query(struct dns_server *s, const char *name, int type,
    struct dns_result *r)
{
	unsigned char query[NS_PACKETSZ];
	unsigned char *answer = sp_xmalloc(ANSWER_MAX);
	struct timespec start;
	ns_msg msg;
	int qlen, alen, rcode;

	memset(r, 0, sizeof(*r));
	if (s->dead != NULL) {
		/* Do not wait for every question to time out again. */
		set_error(r, "%s", s->dead);
		goto out;
	}
	qlen = res_nmkquery(&s->st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, query, sizeof(query));
	if (qlen < 0) {
		set_error(r, "cannot build a query for %s", name);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	errno = 0;
	alen = res_nsend(&s->st, query, qlen, answer, ANSWER_MAX);
	if (alen < 0) {
		send_failed(s, r, name, errno, seconds_since(&start));
		goto out;
	}
	if (ns_initparse(answer, alen, &msg) != 0) {
		set_error(r, "%s sent an answer that cannot be parsed", s->label);
		goto out;
	}
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	r->authoritative = ns_msg_getflag(msg, ns_f_aa) != 0;
	if (rcode == ns_r_nxdomain) {
		r->status = DNS_NXDOMAIN;
	} else if (rcode != ns_r_noerror) {
		set_error(r, "%s answered %s", s->label, rcode_name(rcode));
	} else {
		r->status = DNS_ANSWER;
		read_answer(&msg, name, type, r);
	}
out:
	free(answer);
}

void
dns_result_free(struct dns_result *r)
{
	sp_list_free(&r->values);
	free(r->alias);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

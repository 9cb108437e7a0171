/*
 * resolve.c - asking one DNS server one question for `dnsgen check`.
 *
 * The question is built by libresolv's res_nmkquery; the exchange is ours,
 * because res_nsend cannot be bounded or told apart: it has no time limit
 * of its own on TCP, reports SERVFAIL, REFUSED and silence alike as ETIMEDOUT,
 * and drops an answer to another question without a word. Here each
 * question gets DNS_UDP_TRIES tries over UDP (DNS_UDP_TRY_MS each, within
 * DNS_UDP_MS), then one TCP exchange (DNS_TCP_MS) when the answer came
 * truncated (RFC 7766 section 5), all within the DNS_RUN_MS of the run.
 * Answers are matched by source (a connected socket) and ID, read up to
 * DNS_ANSWER_MAX bytes, and decoded by answer.c. A server that did not
 * answer in time is not asked again (its dns_server lives for one domain).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnsgen/resolve.h"

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

/* The name servers res_ninit read from resolv.conf (IPv6 ones: _u._ext). */
static void
system_addresses(struct dns_server *s)
{
	struct __res_state *st = &s->st;

	for (int i = 0; i < st->nscount && s->n_addrs < MAXNS; i++) {
		struct sockaddr_in6 *sin6 = st->_u._ext.nsaddrs[i];

		if (st->nsaddr_list[i].sin_family == AF_INET) {
			memcpy(&s->addrs[s->n_addrs], &st->nsaddr_list[i],
			    sizeof(struct sockaddr_in));
			s->addrlens[s->n_addrs++] = sizeof(struct sockaddr_in);
		} else if (sin6 != NULL && sin6->sin6_family == AF_INET6) {
			memcpy(&s->addrs[s->n_addrs], sin6, sizeof(*sin6));
			s->addrlens[s->n_addrs++] = sizeof(*sin6);
		}
	}
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
	if (!s->recurse)
		st->options &= ~(unsigned long)RES_RECURSE;
	s->n_addrs = 0;
	if (s->system) {
		system_addresses(s);
	} else {
		memcpy(&s->addrs[0], &s->addr, s->addrlen);
		s->addrlens[0] = s->addrlen;
		s->n_addrs = 1;
	}
	if (s->n_addrs == 0) {
		sp_err_set(err, "%s: no name server in /etc/resolv.conf",
		    s->label);
		return false;
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

/* ---- time ---- */

static long long run_deadline_ms;       /* 0: dns_run_start not called */
static long long run_limit = DNS_RUN_MS;  /* of this run: run_limit_ms() */

static long long
now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

long
dns_env_seconds(const char *name, long max)
{
	const char *v = getenv(name);
	char *end;
	long secs;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	secs = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || secs < 1 || secs > max)
		return 0;
	return secs;
}

/*
 * The run's limit: DNS_RUN_MS, or fewer seconds when the environment asks
 * (SIGNPOST_CHECK_SECONDS, 1 to 60, for tests of the limit itself; it can
 * only shorten the run, never lengthen it).
 */
static long long
run_limit_ms(void)
{
	long secs = dns_env_seconds("SIGNPOST_CHECK_SECONDS", DNS_RUN_MS / 1000);

	return secs > 0 ? secs * 1000LL : DNS_RUN_MS;
}

void
dns_run_start(void)
{
	run_limit = run_limit_ms();
	run_deadline_ms = now_ms() + run_limit;
}

static long long
within_run(long long deadline)
{
	return run_deadline_ms != 0 && run_deadline_ms < deadline ?
	    run_deadline_ms : deadline;
}

/* Wait for `events` on fd until the deadline: false when it passed. */
static bool
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int n;

		if (left <= 0)
			return false;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

/* ---- one exchange ---- */

enum xfer {
	XFER_ANSWER,            /* a reply to our query is in the buffer */
	XFER_TIMEOUT,           /* nothing (of ours) in time */
	XFER_UNREACHABLE,       /* nothing listens: ICMP or RST */
	XFER_BROKEN,            /* see *why */
};

/* RFC 1035 section 4.1.1: a reply (QR) carrying our query's ID. */
static bool
reply_to(const unsigned char *q, const unsigned char *a, size_t alen)
{
	return alen >= NS_HFIXEDSZ && a[0] == q[0] && a[1] == q[1] &&
	    (a[2] & 0x80) != 0;
}

static bool
truncated(const unsigned char *a)
{
	return (a[2] & 0x02) != 0;
}

/* Classify errno after a failed socket call (the caller closes). */
static enum xfer
sock_failed(char **why, const char *what)
{
	int e = errno;

	if (e == ECONNREFUSED || e == ECONNRESET || e == EHOSTUNREACH ||
	    e == ENETUNREACH)
		return XFER_UNREACHABLE;
	*why = sp_xasprintf("%s: %s", what, strerror(e));
	return XFER_BROKEN;
}

static enum xfer
udp_exchange(const struct sockaddr *sa, socklen_t salen,
    const unsigned char *q, size_t qlen, long long deadline,
    unsigned char *ans, size_t *alen, char **why)
{
	int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	enum xfer x = XFER_TIMEOUT;

	if (fd < 0)
		return sock_failed(why, "socket");
	/* Connected: the kernel drops datagrams from anyone else. */
	if (connect(fd, sa, salen) != 0 || send(fd, q, qlen, 0) < 0) {
		x = sock_failed(why, "sending over UDP");
		close(fd);
		return x;
	}
	while (wait_fd(fd, POLLIN, deadline)) {
		ssize_t n = recv(fd, ans, DNS_ANSWER_MAX, MSG_TRUNC);

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			x = sock_failed(why, "reading over UDP");
			break;
		}
		if (!reply_to(q, ans, (size_t)n > DNS_ANSWER_MAX ?
		    DNS_ANSWER_MAX : (size_t)n))
			continue;       /* not ours: a stray or forged datagram */
		close(fd);
		if ((size_t)n > DNS_ANSWER_MAX) {
			*why = sp_xasprintf("it sent a UDP answer of %zd bytes, "
			    "more than the %d dnsgen reads", n, DNS_ANSWER_MAX);
			return XFER_BROKEN;
		}
		*alen = (size_t)n;
		return XFER_ANSWER;
	}
	close(fd);
	return x;
}

/* Read exactly len bytes: 1 done, 0 deadline passed, -1 closed or error. */
static int
read_full(int fd, unsigned char *p, size_t len, long long deadline)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (!wait_fd(fd, POLLIN, deadline))
			return 0;
		n = recv(fd, p + got, len - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 1;
}

/* Connect and send the query with its two-byte length (RFC 1035 4.2.2). */
static enum xfer
tcp_send(int fd, const struct sockaddr *sa, socklen_t salen,
    const unsigned char *q, size_t qlen, long long deadline, char **why)
{
	unsigned char msg[2 + NS_PACKETSZ];
	size_t sent = 0;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, sa, salen) != 0 && errno != EINPROGRESS)
		return sock_failed(why, "connecting over TCP");
	if (!wait_fd(fd, POLLOUT, deadline))
		return XFER_TIMEOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
		errno = soerr ? soerr : errno;
		return sock_failed(why, "connecting over TCP");
	}
	ns_put16((unsigned)qlen, msg);
	memcpy(msg + 2, q, qlen);
	while (sent < qlen + 2) {
		ssize_t n = send(fd, msg + sent, qlen + 2 - sent, MSG_NOSIGNAL);

		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (!wait_fd(fd, POLLOUT, deadline))
				return XFER_TIMEOUT;
			continue;
		}
		if (n < 0)
			return sock_failed(why, "sending over TCP");
		sent += (size_t)n;
	}
	return XFER_ANSWER;
}

static enum xfer
tcp_exchange(const struct sockaddr *sa, socklen_t salen,
    const unsigned char *q, size_t qlen, long long deadline,
    unsigned char *ans, size_t *alen, char **why)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	unsigned char lenbuf[2];
	enum xfer x;
	size_t len;
	int got;

	if (fd < 0)
		return sock_failed(why, "socket");
	x = tcp_send(fd, sa, salen, q, qlen, deadline, why);
	if (x != XFER_ANSWER) {
		close(fd);
		return x;
	}
	got = read_full(fd, lenbuf, 2, deadline);
	len = ns_get16(lenbuf);
	if (got == 1 && len > DNS_ANSWER_MAX) {
		*why = sp_xasprintf("it announced a TCP answer of %zu bytes, "
		    "more than the %d dnsgen reads", len, DNS_ANSWER_MAX);
		close(fd);
		return XFER_BROKEN;
	}
	if (got == 1)
		got = read_full(fd, ans, len, deadline);
	close(fd);
	if (got == 0)
		return XFER_TIMEOUT;
	if (got < 0 || !reply_to(q, ans, len)) {
		*why = sp_xstrdup(got < 0 ? "it closed the TCP connection "
		    "before a whole answer" : "its TCP answer is not a reply "
		    "to the question (another ID)");
		return XFER_BROKEN;
	}
	*alen = len;
	return XFER_ANSWER;
}

/*
 * UDP to each address in turn, DNS_UDP_TRIES rounds within DNS_UDP_MS;
 * the first reply wins. A truncated one is asked again over TCP.
 */
static enum xfer
exchange(struct dns_server *s, const unsigned char *q, size_t qlen,
    unsigned char *ans, size_t *alen, char **why, bool *over_tcp)
{
	long long udp_end = within_run(now_ms() + DNS_UDP_MS);
	bool unreachable[MAXNS] = { false };
	size_t n_unreachable = 0;

	for (int t = 0; t < DNS_UDP_TRIES && n_unreachable < s->n_addrs; t++)
		for (size_t a = 0; a < s->n_addrs; a++) {
			const struct sockaddr *sa =
			    (const struct sockaddr *)&s->addrs[a];
			long long end = now_ms() + DNS_UDP_TRY_MS;
			enum xfer x;

			if (unreachable[a])
				continue;
			x = udp_exchange(sa, s->addrlens[a], q, qlen,
			    end < udp_end ? end : udp_end, ans, alen, why);
			if (x == XFER_ANSWER && truncated(ans)) {
				*over_tcp = true;
				x = tcp_exchange(sa, s->addrlens[a], q, qlen,
				    within_run(now_ms() + DNS_TCP_MS), ans,
				    alen, why);
			}
			if (x == XFER_ANSWER || x == XFER_BROKEN || *over_tcp)
				return x;
			if (x == XFER_UNREACHABLE) {
				unreachable[a] = true;
				n_unreachable++;
			}
			if (now_ms() >= udp_end)
				return XFER_TIMEOUT;
		}
	return n_unreachable == s->n_addrs ? XFER_UNREACHABLE : XFER_TIMEOUT;
}

static void
query_error(struct dns_result *r, char *msg)
{
	r->status = DNS_ERROR;
	free(r->error);
	r->error = msg;
}

void
dns_query(struct dns_server *s, const char *name, int type,
    struct dns_result *r)
{
	unsigned char query[NS_PACKETSZ];
	unsigned char *answer;
	size_t alen = 0;
	char *why = NULL;
	bool over_tcp = false;
	int qlen;
	enum xfer x;

	memset(r, 0, sizeof(*r));
	if (s->dead != NULL) {
		/* Do not wait for every question to time out again. */
		query_error(r, sp_xstrdup(s->dead));
		return;
	}
	if (run_deadline_ms != 0 && now_ms() >= run_deadline_ms) {
		query_error(r, sp_xasprintf("%s %s not asked: dnsgen check "
		    "stops asking after %lld s in all", name,
		    dns_type_name(type), run_limit / 1000));
		return;
	}
	qlen = res_nmkquery(&s->st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, query, sizeof(query));
	if (qlen < 0) {
		query_error(r, sp_xasprintf("cannot build a query for %s", name));
		return;
	}
	answer = sp_xmalloc(DNS_ANSWER_MAX);
	x = exchange(s, query, (size_t)qlen, answer, &alen, &why, &over_tcp);
	if (x == XFER_ANSWER) {
		dns_answer_decode(answer, alen, s->label, name, type, r);
	} else if (x == XFER_UNREACHABLE) {
		query_error(r, sp_xasprintf("no answer from %s: nothing listens "
		    "there", s->label));
	} else if (x == XFER_TIMEOUT && over_tcp) {
		query_error(r, sp_xasprintf("no answer from %s over TCP after a "
		    "truncated UDP answer: timed out (%d s)", s->label,
		    DNS_TCP_MS / 1000));
	} else if (x == XFER_TIMEOUT) {
		query_error(r, sp_xasprintf("no answer from %s: timed out (%d "
		    "tries over UDP in %d s)", s->label, DNS_UDP_TRIES,
		    DNS_UDP_MS / 1000));
	} else {
		query_error(r, sp_xasprintf("no usable answer from %s: %s",
		    s->label, why));
	}
	if (x == XFER_UNREACHABLE || x == XFER_TIMEOUT)
		s->dead = sp_xstrdup(r->error);
	free(why);
	free(answer);
}

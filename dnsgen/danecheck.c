/*
 * danecheck.c - the DANE half of `dnsgen check` (RFC 7672): for each MX
 * host with TLSA records at _25._tcp.HOST, connect to each of its
 * addresses on port 25, EHLO, STARTTLS (RFC 3207), and let OpenSSL's own
 * DANE verifier (SSL_dane_enable, SSL_dane_tlsa_add) decide whether the
 * chain the server presents matches a published TLSA record; say which
 * one did. Only DANE-TA(2) and DANE-EE(3) records count for SMTP (RFC
 * 7672 section 3.1.3), and a DANE-EE match needs no name check (section
 * 3.2.2). Every read and write is bounded (tlscheck.h).
 *
 * libssl is linked into dnsgen only; the milter makes no TLS connection.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dnsgen/tlscheck.h"

#define DANE "DANE"

/* One TLSA record from DNS, "U S M hex", as bytes. */
struct tlsa {
	unsigned usage, selector, mtype;
	unsigned char *data;
	size_t len;
};

static bool
tlsa_parse(const char *text, struct tlsa *t)
{
	int used = 0;
	size_t hex;

	memset(t, 0, sizeof(*t));
	if (sscanf(text, "%u %u %u %n", &t->usage, &t->selector, &t->mtype,
	    &used) != 3 || used == 0)
		return false;
	hex = strlen(text + used);
	if (hex == 0 || hex % 2 != 0 || strspn(text + used,
	    "0123456789abcdefABCDEF") != hex)
		return false;
	t->len = hex / 2;
	t->data = sp_xmalloc(t->len);
	for (size_t i = 0; i < t->len; i++) {
		unsigned byte;

		sscanf(text + used + 2 * i, "%2x", &byte);
		t->data[i] = (unsigned char)byte;
	}
	return true;
}

/* A TCP connection to addr:port, with every read and write bounded. */
static int
smtp_connect(const char *addr, unsigned port, char **why)
{
	struct addrinfo hints, *res = NULL;
	long io_ms = tls_limit_ms(TLS_IO_MS);
	struct timeval tv = { io_ms / 1000, (io_ms % 1000) * 1000 };
	char service[16];
	int fd = -1, gai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", port);
	if ((gai = getaddrinfo(addr, service, &hints, &res)) != 0) {
		*why = sp_xasprintf("%s: %s", addr, gai_strerror(gai));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* On Linux SO_SNDTIMEO bounds connect() too. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) != 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) != 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		*why = sp_xasprintf("cannot connect: %s", errno == EINPROGRESS ||
		    errno == EAGAIN ? "timed out" : strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One SMTP reply (RFC 5321 section 4.2): its code, and in `text` its
 * lines; -1 with why set when the server breaks the grammar or a limit,
 * or the dialogue runs past `deadline` (a server dripping bytes).
 */
static int
smtp_reply(int fd, struct sp_buf *text, long long deadline, char **why)
{
	for (int lines = 0; lines < SMTP_REPLY_LINES_MAX; lines++) {
		char line[SMTP_LINE_MAX + 1];
		size_t n = 0;

		while (n < SMTP_LINE_MAX) {
			ssize_t got;

			if (now_ms() > deadline) {
				*why = sp_xasprintf("the SMTP dialogue took more "
				    "than %ld s",
				    tls_limit_ms(SMTP_DIALOGUE_MS) / 1000);
				return -1;
			}
			got = recv(fd, line + n, 1, 0);

			if (got <= 0) {
				*why = sp_xasprintf("the SMTP server %s",
				    got == 0 ? "closed the connection" :
				    errno == EAGAIN ? "did not answer in time" :
				    strerror(errno));
				return -1;
			}
			if (line[n++] == '\n')
				break;
		}
		line[n] = '\0';
		if (n < 4 || line[n - 1] != '\n' || strspn(line, "0123456789")
		    != 3 || (line[3] != ' ' && line[3] != '-' && line[3] != '\r')) {
			*why = sp_xstrdup("the SMTP server sent a line that is not "
			    "a reply (RFC 5321 section 4.2), or one over 512 "
			    "bytes");
			return -1;
		}
		sp_buf_append(text, line, n);
		if (line[3] != '-')
			return atoi(line);
	}
	*why = sp_xasprintf("an SMTP reply of more than %d lines",
	    SMTP_REPLY_LINES_MAX);
	return -1;
}

static bool
smtp_send(int fd, const char *cmd, char **why)
{
	size_t len = strlen(cmd);

	if (send(fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len) {
		*why = sp_xasprintf("sending %.4s: %s", cmd, strerror(errno));
		return false;
	}
	return true;
}

/* Does an EHLO reply announce STARTTLS? (RFC 3207 section 4) */
static bool
offers_starttls(const char *reply)
{
	for (const char *p = reply; p != NULL && *p != '\0';
	    p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strlen(p) >= 12 && sp_strncasecmp(p + 4, "STARTTLS", 8) == 0 &&
		    (p[12] == '\r' || p[12] == '\n' || p[12] == ' '))
			return true;
	return false;
}

/* Greeting, EHLO, STARTTLS: true when the TLS handshake may begin. */
static bool
smtp_starttls(int fd, char **why)
{
	struct sp_buf reply = SP_BUF_INIT;
	char host[256] = "localhost", *ehlo;
	int code;
	bool good = false;
	long long deadline = now_ms() + tls_limit_ms(SMTP_DIALOGUE_MS);

	if (gethostname(host, sizeof(host) - 1) != 0 || strchr(host, '.') == NULL)
		snprintf(host, sizeof(host), "localhost");
	ehlo = sp_xasprintf("EHLO %s\r\n", host);
	if ((code = smtp_reply(fd, &reply, deadline, why)) < 0)
		goto out;
	if (code != 220) {
		*why = sp_xasprintf("the greeting is %d, not 220", code);
		goto out;
	}
	sp_buf_reset(&reply);
	if (!smtp_send(fd, ehlo, why) ||
	    (code = smtp_reply(fd, &reply, deadline, why)) < 0)
		goto out;
	sp_buf_putc(&reply, '\0');
	if (code != 250 || !offers_starttls(reply.data)) {
		*why = sp_xasprintf(code != 250 ? "EHLO was answered %d" :
		    "the server does not offer STARTTLS", code);
		goto out;
	}
	sp_buf_reset(&reply);
	if (!smtp_send(fd, "STARTTLS\r\n", why) ||
	    (code = smtp_reply(fd, &reply, deadline, why)) < 0)
		goto out;
	if (code != 220)
		*why = sp_xasprintf("STARTTLS was answered %d", code);
	good = code == 220;
out:
	free(ehlo);
	sp_buf_free(&reply);
	return good;
}

/* The TLSA records OpenSSL can use; the count, or -1 after setting why. */
static int
add_tlsa(SSL *ssl, const struct tlsa *t, size_t n, char **why)
{
	int usable = 0;

	for (size_t i = 0; i < n; i++) {
		/* PKIX-TA(0) and PKIX-EE(1): not for SMTP (RFC 7672 3.1.3). */
		if (t[i].usage != 2 && t[i].usage != 3)
			continue;
		if (SSL_dane_tlsa_add(ssl, (uint8_t)t[i].usage,
		    (uint8_t)t[i].selector, (uint8_t)t[i].mtype, t[i].data,
		    t[i].len) > 0)
			usable++;
	}
	if (usable == 0)
		*why = sp_xstrdup("no TLSA record is usable for SMTP: DANE-TA(2) "
		    "or DANE-EE(3), selector 0 or 1, matching type 0, 1 or 2 "
		    "(RFC 7672 section 3.1)");
	return usable > 0 ? usable : -1;
}

/* After the handshake: which record matched, or why none did. */
static enum verdict
dane_result(SSL *ssl, char **why)
{
	long verify = SSL_get_verify_result(ssl);
	uint8_t usage = 0, selector = 0, mtype = 0;
	const unsigned char *data = NULL;
	size_t len = 0;
	X509 *mcert = NULL;
	EVP_PKEY *mspki = NULL;
	int depth = SSL_get0_dane_authority(ssl, &mcert, &mspki);
	struct sp_buf b = SP_BUF_INIT;

	if (verify != X509_V_OK || depth < 0 ||
	    SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, &data, &len) < 0) {
		*why = sp_xasprintf("no TLSA record matches the certificate chain "
		    "presented: %s", X509_verify_cert_error_string(verify));
		return V_FAILS;
	}
	sp_buf_printf(&b, "the chain matches TLSA %u %u %u ", usage, selector,
	    mtype);
	for (size_t i = 0; i < len; i++)
		sp_buf_printf(&b, "%02x", data[i]);
	sp_buf_printf(&b, " (certificate at depth %d, %s)", depth,
	    SSL_get_version(ssl));
	*why = sp_buf_steal(&b);
	return V_OK;
}

static SSL_CTX *
dane_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL || SSL_CTX_dane_enable(ctx) <= 0 ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		SP_BUG("OpenSSL cannot set up a DANE context");
	/* The verdict is read after the handshake, not made by aborting it. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* STARTTLS done on fd: the handshake with DANE, and its verdict. */
static enum verdict
dane_handshake(int fd, const char *host, const struct tlsa *t, size_t n,
    char **why)
{
	SSL_CTX *ctx = dane_ctx();
	SSL *ssl = SSL_new(ctx);
	enum verdict v = V_FAILS;

	if (ssl == NULL)
		SP_BUG("OpenSSL cannot allocate a connection");
	/* The name comes from DNS: one OpenSSL will not take is a failure. */
	if (SSL_dane_enable(ssl, host) <= 0 ||
	    SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set_fd(ssl, fd) != 1) {
		*why = sp_xasprintf("OpenSSL cannot use %s as a DANE name (SNI)",
		    host);
		goto out;
	}
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	if (add_tlsa(ssl, t, n, why) < 0)
		goto out;
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_peek_last_error();

		*why = sp_xasprintf("the TLS handshake failed: %s", e != 0 ?
		    ERR_reason_error_string(e) : "the connection was closed");
		goto out;
	}
	v = dane_result(ssl, why);
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return v;
}

/* One MX address: connect, STARTTLS, DANE; one report line. */
static void
dane_address(const struct tls_check *c, const char *name, const char *host,
    const char *addr, const struct tlsa *t, size_t n)
{
	unsigned port = c->opts->smtp_port != 0 ? c->opts->smtp_port : 25;
	char *where = sp_xasprintf(strchr(addr, ':') ? "[%s]:%u" : "%s:%u",
	    addr, port), *why = NULL;
	enum verdict v = V_FAILS;
	int fd = smtp_connect(addr, port, &why);

	if (fd >= 0 && smtp_starttls(fd, &why))
		v = dane_handshake(fd, host, t, n, &why);
	if (fd >= 0)
		close(fd);
	tls_report(c, v, DANE, name, where, why);
	free(why);
	free(where);
}

/* The TLSA records published for one MX host, as bytes; their count. */
static size_t
published_tlsa(const struct tls_check *c, const char *name,
    struct tlsa **out)
{
	struct dns_result r;
	size_t n = 0;

	dns_query(c->via, name, ns_t_tlsa, &r);
	*out = sp_xcalloc(r.n_values + 1, sizeof(**out));
	for (size_t i = 0; i < r.n_values; i++)
		if (tlsa_parse(r.values[i].data, &(*out)[n]))
			n++;
	dns_result_free(&r);
	return n;
}

static void
dane_host(const struct tls_check *c, const char *mx)
{
	char *name = sp_xasprintf("_25._tcp.%s", mx);
	char *host = sp_xstrndup(mx, strlen(mx) - (mx[strlen(mx) - 1] == '.'));
	struct sp_list addrs = SP_LIST_INIT;
	struct tlsa *t;
	size_t n = published_tlsa(c, name, &t);

	if (n == 0) {
		/* dnsgen prints TLSA only for MX hosts inside the domain. */
		if (sp_dns_name_within(host, c->rec->domain))
			tls_report(c, V_MISSING, DANE, name, NULL, "no TLSA "
			    "record: receivers do not use DANE for this host");
	} else {
		tls_addresses(c, mx, &addrs);
		if (addrs.n == 0)
			tls_report(c, V_FAILS, DANE, name, NULL, "the MX host has "
			    "no A or AAAA record");
		for (size_t i = 0; i < addrs.n; i++)
			dane_address(c, name, host, addrs.v[i], t, n);
	}
	for (size_t i = 0; i < n; i++)
		free(t[i].data);
	free(t);
	sp_list_free(&addrs);
	free(host);
	free(name);
}

void
dane_check(const struct tls_check *c)
{
	struct sp_list hosts = SP_LIST_INIT;

	tls_mx_hosts(c, &hosts);
	for (size_t i = 0; i < hosts.n; i++)
		dane_host(c, hosts.v[i]);
	sp_list_free(&hosts);
}

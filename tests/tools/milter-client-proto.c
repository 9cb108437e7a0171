/*
 * milter-client-proto.c - the wire side of milter-client: packets, socket
 * I/O with timeouts, option negotiation and macros, the way Postfix's
 * milter8 client does them. The per-message conversation lives in
 * milter-client-txn.c; message parsing in milter-client-msg.c.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milter-client-internal.h"

/* Postfix 3.x defaults (postconf -d milter_*_macros), in SMFIM_* order. */
static const char *const default_macros[MC_STAGE_COUNT] = {
	[MC_STAGE_CONNECT] = "j {daemon_name} {daemon_addr} v _",
	[MC_STAGE_HELO] = "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	[MC_STAGE_MAIL] = "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
	[MC_STAGE_RCPT] = "i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
	[MC_STAGE_DATA] = "i",
	[MC_STAGE_EOM] = "i",
	[MC_STAGE_EOH] = "i",
};

void
mc_conn_init(struct mc_conn *c, int timeout_ms, int verbose)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->state = MC_ST_CLOSED;
	c->timeout_ms = timeout_ms;
	c->verbose = verbose;
	c->mta_version = MC_MTA_VERSION;
	c->mta_actions = MC_MTA_ACTIONS;
	c->mta_events = MC_MTA_EVENTS;
	sp_buf_init(&c->out);
}

void
mc_conn_free(struct mc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	for (int i = 0; i < MC_STAGE_COUNT; i++) {
		free(c->symlist[i]);
		c->symlist[i] = NULL;
	}
	free(c->con_text);
	c->con_text = NULL;
	sp_buf_free(&c->out);
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_off = c->in_cap = 0;
}

int
mc_fail(struct mc_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	if (c->fd >= 0) {
		shutdown(c->fd, SHUT_RDWR);
		close(c->fd);
	}
	c->fd = -1;
	c->state = MC_ST_ERROR;
	return -1;
}

/* --- connecting ------------------------------------------------------- */

static int
connect_unix(struct mc_conn *c, const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return mc_fail(c, "socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return mc_fail(c, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return mc_fail(c, "connect %s: %s", path, strerror(errno));
	return 0;
}

static int
connect_inet(struct mc_conn *c, const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return mc_fail(c, "%s port %s: %s", host, port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (c->fd < 0)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return mc_fail(c, "connect %s port %s: %s", host, port, strerror(saved));
	return 0;
}

int
mc_connect(struct mc_conn *c, const char *spec)
{
	char *copy, *at, *host, *port;
	int rc;

	if (strncmp(spec, "unix:", 5) == 0)
		return connect_unix(c, spec + 5);
	if (strncmp(spec, "local:", 6) == 0)
		return connect_unix(c, spec + 6);
	if (spec[0] == '/')
		return connect_unix(c, spec);
	if (strncmp(spec, "inet:", 5) != 0 && strncmp(spec, "inet6:", 6) != 0)
		return mc_fail(c, "bad socket %s (unix:PATH, inet:PORT@HOST or inet:HOST:PORT)", spec);
	copy = sp_xstrdup(strchr(spec, ':') + 1);
	if ((at = strchr(copy, '@')) != NULL) {        /* libmilter: PORT@HOST */
		*at = '\0';
		port = copy;
		host = at + 1;
	} else if ((at = strrchr(copy, ':')) != NULL) { /* Postfix: HOST:PORT */
		*at = '\0';
		host = copy;
		port = at + 1;
	} else {
		host = (char *)"127.0.0.1";
		port = copy;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	rc = connect_inet(c, host, port);
	free(copy);
	return rc;
}

/* --- packets ---------------------------------------------------------- */

size_t
mc_pkt_begin(struct mc_conn *c, char cmd)
{
	size_t off = c->out.len;
	char hdr[5] = { 0, 0, 0, 0, cmd };

	sp_buf_append(&c->out, hdr, sizeof(hdr));
	return off;
}

void
mc_pkt_end(struct mc_conn *c, size_t off)
{
	uint32_t len = htonl((uint32_t)(c->out.len - off - 4));

	memcpy(c->out.data + off, &len, 4);
}

void
mc_put_u32(struct mc_conn *c, uint32_t v)
{
	v = htonl(v);
	sp_buf_append(&c->out, &v, 4);
}

void
mc_put_str(struct mc_conn *c, const char *s)
{
	sp_buf_append(&c->out, s, strlen(s) + 1);
}

static int
wait_fd(struct mc_conn *c, short events, const char *what)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int n;

	while ((n = poll(&p, 1, c->timeout_ms)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return mc_fail(c, "poll: %s", strerror(errno));
	if (n == 0)
		return mc_fail(c, "timeout after %d ms %s", c->timeout_ms, what);
	return 0;
}

int
mc_flush(struct mc_conn *c)
{
	size_t done = 0;
	ssize_t n;

	if (c->fd < 0)
		return -1;
	while (done < c->out.len) {
		n = send(c->fd, c->out.data + done, c->out.len - done,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "writing to the milter") < 0)
				return -1;
			continue;
		}
		return mc_fail(c, "write to milter: %s", strerror(errno));
	}
	sp_buf_reset(&c->out);
	return 0;
}

/* Send what is buffered, then len bytes at data, without copying them:
 * body chunks go out straight from the message. */
int
mc_flush_with(struct mc_conn *c, const void *data, size_t len)
{
	struct iovec iov[2] = { { c->out.data, c->out.len }, { (void *)data, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	if (c->fd < 0)
		return -1;
	while (iov[0].iov_len + iov[1].iov_len > 0) {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "writing to the milter") < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return mc_fail(c, "write to milter: %s", strerror(errno));
		for (int i = 0; i < 2 && n > 0; i++) {
			size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			n -= (ssize_t)k;
		}
		if (iov[0].iov_len == 0) {       /* skip the drained vector */
			mh.msg_iov = &iov[1];
			mh.msg_iovlen = 1;
		}
	}
	sp_buf_reset(&c->out);
	return 0;
}

/* Make n bytes available at c->in + c->in_off. */
static int
fill(struct mc_conn *c, size_t n)
{
	ssize_t got;

	if (c->in_off > 0 && c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	if (c->in_off + n > c->in_cap) {
		if (c->in_len > c->in_off)
			memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
		if (n > c->in_cap) {
			c->in_cap = n < 8192 ? 8192 : n;
			c->in = sp_xrealloc(c->in, c->in_cap, 1);
		}
	}
	while (c->in_len - c->in_off < n) {
		got = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (got > 0) {
			c->in_len += (size_t)got;
			continue;
		}
		if (got == 0)
			return mc_fail(c, "milter closed the connection");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return mc_fail(c, "read from milter: %s", strerror(errno));
		if (wait_fd(c, POLLIN, "waiting for the milter's reply") < 0)
			return -1;
	}
	return 0;
}

int
mc_read_packet(struct mc_conn *c, char *cmd, const unsigned char **data, size_t *len)
{
	uint32_t n;

	if (c->fd < 0)
		return -1;
	if (mc_flush(c) < 0 || fill(c, 4) < 0)
		return -1;
	memcpy(&n, c->in + c->in_off, 4);
	n = ntohl(n);
	if (n < 1 || n > MC_MAX_PACKET)
		return mc_fail(c, "bad reply packet length %lu", (unsigned long)n);
	if (fill(c, 4 + (size_t)n) < 0)
		return -1;
	*cmd = (char)c->in[c->in_off + 4];
	*data = c->in + c->in_off + 5;
	*len = n - 1;
	c->in_off += 4 + (size_t)n;
	if (c->verbose > 1)
		fprintf(stderr, "milter-client: <- '%c' %zu bytes\n", *cmd, *len);
	return 0;
}

/* --- negotiation ------------------------------------------------------ */

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* The optional tail of the OPTNEG reply: (stage, "macro list") pairs. */
static int
read_symlists(struct mc_conn *c, const unsigned char *p, size_t len)
{
	while (len > 0) {
		uint32_t stage;
		const unsigned char *nul;

		if (len < 5)
			return mc_fail(c, "truncated macro list in SMFIC_OPTNEG reply");
		stage = get_u32(p);
		nul = memchr(p + 4, '\0', len - 4);
		if (nul == NULL)
			return mc_fail(c, "unterminated macro list in SMFIC_OPTNEG reply");
		if (stage < MC_STAGE_COUNT) {
			free(c->symlist[stage]);
			c->symlist[stage] = sp_xstrdup((const char *)p + 4);
		} else if (c->verbose) {
			fprintf(stderr, "milter-client: ignoring macro list for unknown stage %u\n",
			    (unsigned)stage);
		}
		len -= (size_t)(nul + 1 - p);
		p = nul + 1;
	}
	return 0;
}

int
mc_negotiate(struct mc_conn *c)
{
	const unsigned char *data;
	size_t off, len;
	char cmd;

	off = mc_pkt_begin(c, SMFIC_OPTNEG);
	mc_put_u32(c, c->mta_version);
	mc_put_u32(c, c->mta_actions);
	mc_put_u32(c, c->mta_events);
	mc_pkt_end(c, off);
	if (mc_read_packet(c, &cmd, &data, &len) < 0)
		return -1;
	if (cmd != SMFIC_OPTNEG || len < MILTER_OPTLEN)
		return mc_fail(c, "unexpected reply '%c' (%zu bytes) to SMFIC_OPTNEG", cmd, len);
	c->version = get_u32(data);
	c->actions = get_u32(data + 4);
	c->events = get_u32(data + 8);
	if (c->version > c->mta_version || c->version < 2)
		return mc_fail(c, "milter protocol version %u conflicts with ours (%u)",
		    (unsigned)c->version, (unsigned)c->mta_version);
	if ((c->actions & c->mta_actions) != c->actions)
		return mc_fail(c, "milter request mask 0x%x conflicts with MTA mask 0x%x",
		    (unsigned)c->actions, (unsigned)c->mta_actions);
	if (c->verbose)
		fprintf(stderr, "milter-client: milter version %u actions 0x%x events 0x%x\n",
		    (unsigned)c->version, (unsigned)c->actions, (unsigned)c->events);
	return read_symlists(c, data + MILTER_OPTLEN, len - MILTER_OPTLEN);
}

/* --- macros ----------------------------------------------------------- */

static const char *
user_macro(const struct mc_env *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = env->extra.n; i-- > 0;) {
		const char *kv = env->extra.v[i];

		if (strncmp(kv, name, n) == 0 && kv[n] == '=')
			return kv + n + 1;
	}
	return NULL;
}

static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : NULL;
}

/* The value Postfix would give macro NAME now, or NULL when undefined. */
static const char *
macro_value(const struct mc_env *env, const char *name, const char *rcpt,
    char *tmp, size_t tmpsize)
{
	const char *v = user_macro(env, name);
	bool authed = env->auth_user != NULL && env->auth_user[0] != '\0';
	bool in_mail = env->queue_id[0] != '\0';

	if (v != NULL)
		return v[0] ? v : NULL;
	if (strcmp(name, "j") == 0 || strcmp(name, "{daemon_name}") == 0)
		return env->myhostname;
	if (strcmp(name, "{daemon_addr}") == 0 || strcmp(name, "{if_addr}") == 0)
		return env->daemon_addr;
	if (strcmp(name, "v") == 0)
		return "Postfix 3.7.11";
	if (strcmp(name, "_") == 0) {
		snprintf(tmp, tmpsize, "%s [%s]", env->client_name, env->client_addr);
		return tmp;
	}
	if (strcmp(name, "{client_addr}") == 0)
		return env->client_addr;
	if (strcmp(name, "{client_name}") == 0 || strcmp(name, "{client_ptr}") == 0)
		return env->client_name;
	if (strcmp(name, "{client_port}") == 0) {
		snprintf(tmp, tmpsize, "%u", env->client_port);
		return tmp;
	}
	if (strcmp(name, "i") == 0)
		return in_mail && env->queue_file_open ? env->queue_id : NULL;
	if (strcmp(name, "{auth_type}") == 0)
		return authed && in_mail ? env->auth_type : NULL;
	if (strcmp(name, "{auth_authen}") == 0)
		return authed && in_mail ? env->auth_user : NULL;
	if (strcmp(name, "{mail_addr}") == 0)
		return in_mail ? env->mail_from : NULL;
	if (strcmp(name, "{mail_host}") == 0)
		return in_mail ? domain_of(env->mail_from) : NULL;
	if (strcmp(name, "{mail_mailer}") == 0 || strcmp(name, "{rcpt_mailer}") == 0)
		return in_mail ? "smtp" : NULL;
	if (strcmp(name, "{rcpt_addr}") == 0)
		return rcpt;
	if (strcmp(name, "{rcpt_host}") == 0)
		return rcpt ? domain_of(rcpt) : NULL;
	return NULL;   /* TLS macros and the rest: undefined here */
}

/* SMFIC_MACRO for one stage, as Postfix sends it before every event. */
void
mc_put_macros(struct mc_conn *c, const struct mc_env *env, enum mc_stage stage,
    char event, const char *rcpt)
{
	const char *list = c->symlist[stage] ? c->symlist[stage]
	    : env->macro_lists[stage] ? env->macro_lists[stage] : default_macros[stage];
	char name[256], tmp[1100];
	size_t off = mc_pkt_begin(c, SMFIC_MACRO);

	sp_buf_putc(&c->out, event);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ,\t");
		const char *v;

		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if ((v = macro_value(env, name, rcpt, tmp, sizeof(tmp))) != NULL) {
				mc_put_str(c, name);
				mc_put_str(c, v);
			}
		}
		p += n;
		p += strspn(p, " ,\t");
	}
	mc_pkt_end(c, off);
}

void
mc_next_queue_id(struct mc_env *env)
{
	static unsigned long counter;
	unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	snprintf(env->queue_id, sizeof(env->queue_id), "%05lX%05lX",
	    (unsigned long)getpid() & 0xfffff, n & 0xfffff);
}

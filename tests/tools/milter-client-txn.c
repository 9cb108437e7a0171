/*
 * milter-client-txn.c - the MTA's conversation with a milter: the session
 * events (CONNECT, HELO), one message from MAIL to the ABORT that Postfix
 * sends after it, the replies and modification requests, and the scripted
 * interruptions (abort, drop, pause) that tests ask for.
 *
 * State follows Postfix's milter8.c: a connect-stage accept or reject
 * closes the milter connection and decides every later message; a
 * message-stage accept or discard stops the events for that message only.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milter-client-internal.h"

/* Outcome of one event. */
enum ev { EV_CONTINUE, EV_FINAL, EV_ERROR };

void
mc_result_init(struct mc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = MC_V_CONTINUE;
	sp_buf_init(&r->new_body);
}

void
mc_result_free(struct mc_result *r)
{
	for (size_t i = 0; i < r->nmods; i++) {
		free(r->mods[i].name);
		free(r->mods[i].value);
	}
	free(r->mods);
	free(r->text);
	sp_buf_free(&r->new_body);
	mc_result_init(r);
}

const char *
mc_verdict_name(enum mc_verdict v)
{
	static const char *const names[] = {
		[MC_V_CONTINUE] = "continue", [MC_V_ACCEPT] = "accept",
		[MC_V_TEMPFAIL] = "tempfail", [MC_V_REJECT] = "reject",
		[MC_V_DISCARD] = "discard", [MC_V_REPLYCODE] = "replycode",
		[MC_V_SHUTDOWN] = "shutdown", [MC_V_ABORTED] = "aborted",
		[MC_V_DROPPED] = "dropped", [MC_V_ERROR] = "error",
	};

	return names[v];
}

static enum ev
final(struct mc_result *res, enum mc_verdict v, char event, const char *text)
{
	res->verdict = v;
	res->stage = event;
	free(res->text);
	res->text = text ? sp_xstrdup(text) : NULL;
	return EV_FINAL;
}

static enum ev
ev_error(struct mc_conn *c, struct mc_result *res, char event)
{
	final(res, MC_V_ERROR, event, c->err);
	return EV_ERROR;
}

/* --- modification requests (end of message only) --------------------- */

/* Split "u32? name\0 value\0?" into a new mc_mod. */
static int
parse_mod(struct mc_mod *m, char code, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *nul;

	memset(m, 0, sizeof(*m));
	m->code = code;
	m->type = code == SMFIR_INSHEADER ? MC_MOD_INSHEADER
	    : code == SMFIR_ADDHEADER ? MC_MOD_ADDHEADER
	    : code == SMFIR_CHGHEADER ? MC_MOD_CHGHEADER : MC_MOD_OTHER;
	if (code == SMFIR_INSHEADER || code == SMFIR_CHGHEADER) {
		uint32_t v;

		if (len < 4)
			return -1;
		memcpy(&v, p, 4);
		m->index = ntohl(v);
		p += 4;
	}
	if (code == SMFIR_REPLBODY)
		return 0;
	if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
		return -1;
	m->name = sp_xstrdup((const char *)p);
	p = nul + 1;
	if (p < end) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL || nul + 1 != end)
			return -1;
		m->value = sp_xstrdup((const char *)p);
	} else if (m->type != MC_MOD_OTHER) {
		return -1;
	}
	return 0;
}

static uint32_t
action_needed(char code)
{
	switch (code) {
	case SMFIR_ADDHEADER: case SMFIR_INSHEADER: return MC_SMFIF_ADDHDRS;
	case SMFIR_CHGHEADER: return MC_SMFIF_CHGHDRS;
	case SMFIR_REPLBODY: return 0x02;
	case SMFIR_ADDRCPT: return 0x04;
	case SMFIR_DELRCPT: return 0x08;
	case SMFIR_CHGFROM: return 0x40;
	case SMFIR_ADDRCPT_PAR: return 0x80;
	default: return 0;
	}
}

static int
take_mod(struct mc_conn *c, struct mc_result *res, char code,
    const unsigned char *data, size_t len)
{
	uint32_t need = action_needed(code);
	struct mc_mod m;

	if (need == 0)
		return mc_fail(c, "unexpected reply '%c' at end of message", code);
	if ((c->actions & need) == 0)
		return mc_fail(c, "milter sent '%c' without negotiating action 0x%x",
		    code, (unsigned)need);
	if (parse_mod(&m, code, data, len) < 0)
		return mc_fail(c, "malformed '%c' request (%zu bytes)", code, len);
	if (code == SMFIR_REPLBODY) {
		sp_buf_append(&res->new_body, data, len);
		res->body_replaced = true;
	}
	if (c->verbose)
		fprintf(stderr, "milter-client: mod '%c' index %u %s: %s\n", code,
		    (unsigned)m.index, m.name ? m.name : "", m.value ? m.value : "");
	res->mods = sp_xrealloc(res->mods, res->nmods + 1, sizeof(*res->mods));
	res->mods[res->nmods++] = m;
	return 0;
}

/* --- one event and its replies ---------------------------------------- */

static bool
valid_replycode(const char *t)
{
	return (t[0] == '4' || t[0] == '5') && t[1] >= '0' && t[1] <= '9'
	    && t[2] >= '0' && t[2] <= '9' && (t[3] == ' ' || t[3] == '-');
}

static enum ev
read_replies(struct mc_conn *c, char event, struct mc_result *res)
{
	const unsigned char *data;
	size_t len;
	char rc;

	for (;;) {
		if (mc_read_packet(c, &rc, &data, &len) < 0)
			return ev_error(c, res, event);
		if (rc == SMFIR_REPLYCODE || rc == SMFIR_QUARANTINE) {
			char *text = sp_xstrndup((const char *)data, len);
			bool ok = rc == SMFIR_QUARANTINE || valid_replycode(text);

			if (rc == SMFIR_QUARANTINE)
				res->quarantined = true;
			else if (ok)
				final(res, MC_V_REPLYCODE, event, text);
			free(text);
			if (!ok) {
				mc_fail(c, "malformed SMFIR_REPLYCODE");
				return ev_error(c, res, event);
			}
			if (rc == SMFIR_REPLYCODE)
				return EV_FINAL;
			continue;
		}
		if (event == SMFIC_BODYEOB && action_needed(rc) != 0) {
			if (take_mod(c, res, rc, data, len) < 0)
				return ev_error(c, res, event);
			continue;
		}
		if (len != 0) {
			mc_fail(c, "reply '%c' to '%c' followed by %zu data bytes", rc, event, len);
			return ev_error(c, res, event);
		}
		switch (rc) {
		case SMFIR_PROGRESS: continue;
		case SMFIR_CONTINUE: return EV_CONTINUE;
		case SMFIR_SKIP: c->skip_event = event; return EV_CONTINUE;
		case SMFIR_ACCEPT: return final(res, MC_V_ACCEPT, event, NULL);
		case SMFIR_DISCARD: return final(res, MC_V_DISCARD, event, NULL);
		case SMFIR_REJECT: return final(res, MC_V_REJECT, event, "550 5.7.1 Command rejected");
		case SMFIR_TEMPFAIL:
			return final(res, MC_V_TEMPFAIL, event,
			    "451 4.7.1 Service unavailable - try again later");
		case SMFIR_SHUTDOWN: return final(res, MC_V_SHUTDOWN, event, NULL);
		default:
			mc_fail(c, "unexpected reply '%c' after event '%c'", rc, event);
			return ev_error(c, res, event);
		}
	}
}

/*
 * Send one event the way milter8_event() does: its macros always, the
 * event unless the milter asked to skip it, then wait for the replies
 * unless the milter said it sends none.
 */
static enum ev
event(struct mc_conn *c, const struct mc_env *env, int stage, char cmd,
    uint32_t skip_flag, uint32_t noreply_flag, const void *data, size_t len,
    const char *rcpt, struct mc_result *res)
{
	size_t off;

	if (c->fd < 0 || c->state == MC_ST_ERROR) {
		mc_fail(c, "no milter connection");
		return ev_error(c, res, cmd);
	}
	if (c->skip_event != 0) {
		if (c->skip_event == cmd)
			return EV_CONTINUE;
		c->skip_event = 0;
	}
	if (stage >= 0)
		mc_put_macros(c, env, (enum mc_stage)stage, cmd, rcpt);
	if (c->events & skip_flag)
		return EV_CONTINUE;
	off = mc_pkt_begin(c, cmd);
	if (len > 4096) {            /* a body chunk: no copy, send it now */
		uint32_t n = htonl((uint32_t)len + 1);

		memcpy(c->out.data + off, &n, 4);
		if (mc_flush_with(c, data, len) < 0)
			return ev_error(c, res, cmd);
	} else {
		sp_buf_append(&c->out, data, len);
		mc_pkt_end(c, off);
	}
	if (c->events & noreply_flag)
		return EV_CONTINUE;
	return read_replies(c, cmd, res);
}

/* --- session ---------------------------------------------------------- */

/* A connect-stage verdict decides the whole connection; Postfix closes. */
static int
connection_decided(struct mc_conn *c, struct mc_result *res)
{
	c->con_verdict = res->verdict;
	free(c->con_text);
	c->con_text = res->text ? sp_xstrdup(res->text) : NULL;
	if (res->verdict == MC_V_ERROR)
		return -1;
	c->state = res->verdict == MC_V_ACCEPT ? MC_ST_ACCEPT_CON : MC_ST_REJECT_CON;
	close(c->fd);
	c->fd = -1;
	return 0;
}

int
mc_open_session(struct mc_conn *c, const struct mc_env *env)
{
	struct mc_result res;
	struct sp_buf b = SP_BUF_INIT;
	uint16_t port = htons((uint16_t)env->client_port);
	enum ev e;
	int rc = 0;

	if (mc_negotiate(c) < 0)
		return -1;
	c->state = MC_ST_READY;
	mc_result_init(&res);
	/* Postfix shows an unknown client name as "[addr]" (Sendmail form). */
	if (strcmp(env->client_name, "unknown") == 0)
		sp_buf_printf(&b, "[%s]", env->client_addr);
	else
		sp_buf_puts(&b, env->client_name);
	sp_buf_putc(&b, '\0');
	sp_buf_putc(&b, strchr(env->client_addr, ':') ? SMFIA_INET6 : SMFIA_INET);
	sp_buf_append(&b, &port, 2);
	sp_buf_append(&b, env->client_addr, strlen(env->client_addr) + 1);
	e = event(c, env, MC_STAGE_CONNECT, SMFIC_CONNECT, SMFIP_NOCONNECT,
	    SMFIP_NR_CONN, b.data, b.len, NULL, &res);
	c->state = MC_ST_ENVELOPE;
	if (e == EV_CONTINUE)
		e = event(c, env, MC_STAGE_HELO, SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO,
		    env->helo, strlen(env->helo) + 1, NULL, &res);
	if (e != EV_CONTINUE)
		rc = connection_decided(c, &res);
	sp_buf_free(&b);
	mc_result_free(&res);
	return rc;
}

void
mc_quit(struct mc_conn *c)
{
	if (c->fd >= 0 && c->state == MC_ST_ENVELOPE) {
		size_t off = mc_pkt_begin(c, SMFIC_ABORT);

		mc_pkt_end(c, off);
		off = mc_pkt_begin(c, SMFIC_QUIT);
		mc_pkt_end(c, off);
		(void)mc_flush(c);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = MC_ST_CLOSED;
}

/* --- scripted interruptions ------------------------------------------- */

static void
sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
wait_for_file(const char *path)
{
	char *reached = sp_xasprintf("%s.reached", path);
	int fd = open(reached, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
	free(reached);
	for (int i = 0; i < 60000 && access(path, F_OK) != 0; i++)
		sleep_seconds(0.01);
}

/* 0 carry on, 1 aborted (verdict set), -1 connection dropped. */
static int
run_hooks(struct mc_conn *c, const struct mc_hook *hooks, size_t nhooks,
    unsigned msg_no, enum mc_point point, size_t body_sent, bool *fired,
    struct mc_result *res)
{
	for (size_t i = 0; i < nhooks; i++) {
		const struct mc_hook *h = &hooks[i];

		if (h->msg_no != msg_no || h->point != point || fired[i])
			continue;
		if (point == MC_AT_BODY && body_sent < h->body_bytes)
			continue;
		fired[i] = true;
		if (mc_flush(c) < 0)
			return -1;
		switch (h->action) {
		case MC_DO_PAUSE: sleep_seconds(h->seconds); break;
		case MC_DO_WAIT: wait_for_file(h->path); break;
		case MC_DO_ABORT:
			final(res, MC_V_ABORTED, 0, NULL);
			return 1;
		case MC_DO_DROP:
			final(res, MC_V_DROPPED, 0, NULL);
			shutdown(c->fd, SHUT_RDWR);
			close(c->fd);
			c->fd = -1;
			c->state = MC_ST_CLOSED;
			return -1;
		case MC_DO_NOTHING: break;
		}
	}
	return 0;
}

/* --- one message ------------------------------------------------------ */

struct txn {
	struct mc_conn *c;
	struct mc_env *env;
	const struct mc_hook *hooks;
	size_t nhooks;
	unsigned msg_no;
	bool *fired;
	struct mc_result *res;
};

/* Run the hooks for a point: 0 go on, 1 stop the message, -1 dropped. */
static int
at(struct txn *t, enum mc_point point, size_t body_sent)
{
	if (t->nhooks == 0)
		return 0;
	return run_hooks(t->c, t->hooks, t->nhooks, t->msg_no, point, body_sent,
	    t->fired, t->res);
}

/* MAIL and RCPT: 0 go on, 1 the message is decided. */
static int
envelope(struct txn *t)
{
	struct sp_buf b = SP_BUF_INIT;
	size_t accepted = 0;
	enum ev e;

	/* argv as smtpd passes it: "<sender>" then each ESMTP parameter. */
	sp_buf_printf(&b, "<%s>", t->env->mail_from);
	for (size_t i = 0; i < t->env->mail_args.n; i++) {
		sp_buf_putc(&b, '\0');
		sp_buf_puts(&b, t->env->mail_args.v[i]);
	}
	e = event(t->c, t->env, MC_STAGE_MAIL, SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL,
	    b.data, b.len + 1, NULL, t->res);
	if (e != EV_CONTINUE || at(t, MC_AT_MAIL, 0) != 0) {
		sp_buf_free(&b);
		return 1;
	}
	for (size_t i = 0; i < t->env->nrcpts; i++) {
		sp_buf_reset(&b);
		sp_buf_printf(&b, "<%s>", t->env->rcpts[i]);
		e = event(t->c, t->env, MC_STAGE_RCPT, SMFIC_RCPT, SMFIP_NORCPT,
		    SMFIP_NR_RCPT, b.data, b.len + 1, t->env->rcpts[i], t->res);
		if (e == EV_ERROR || t->res->verdict == MC_V_ACCEPT
		    || t->res->verdict == MC_V_DISCARD || t->res->verdict == MC_V_SHUTDOWN) {
			sp_buf_free(&b);
			return 1;
		}
		if (e == EV_CONTINUE)
			accepted++;
		/* smtpd_delay_open_until_valid_rcpt: the queue file, and with it
		 * the queue id, exists once a recipient was accepted. */
		t->env->queue_file_open = accepted > 0;
	}
	sp_buf_free(&b);
	if (accepted == 0)          /* every recipient refused: no DATA */
		return 1;
	t->res->verdict = MC_V_CONTINUE;
	return at(t, MC_AT_RCPT, 0) != 0;
}

static enum ev
headers(struct txn *t, const struct mc_msg *msg)
{
	struct sp_buf b = SP_BUF_INIT;
	bool leadspc = (t->c->events & SMFIP_HDR_LEADSPC) != 0;
	enum ev e = EV_CONTINUE;

	for (size_t i = 0; i < msg->nhdr && e == EV_CONTINUE; i++) {
		const char *v = msg->hdr[i].value;

		if (!leadspc && v[0] == ' ')   /* Sendmail eats one space */
			v++;
		sp_buf_reset(&b);
		sp_buf_append(&b, msg->hdr[i].name, strlen(msg->hdr[i].name) + 1);
		sp_buf_append(&b, v, strlen(v) + 1);
		e = event(t->c, t->env, MC_STAGE_EOH, SMFIC_HEADER, SMFIP_NOHDRS,
		    SMFIP_NR_HDR, b.data, b.len, NULL, t->res);
	}
	sp_buf_free(&b);
	return e;
}

static enum ev
body(struct txn *t, const struct mc_msg *msg, int *hook)
{
	const struct sp_buf *bb = &msg->body;
	size_t sent = 0;
	enum ev e = EV_CONTINUE;

	while (sent < bb->len && e == EV_CONTINUE) {
		size_t n = bb->len - sent;

		if ((*hook = at(t, MC_AT_BODY, sent)) != 0)
			return EV_CONTINUE;
		if (n > MILTER_CHUNK_SIZE)
			n = MILTER_CHUNK_SIZE;
		e = event(t->c, t->env, MC_STAGE_EOM, SMFIC_BODY, SMFIP_NOBODY,
		    SMFIP_NR_BODY, bb->data + sent, n, NULL, t->res);
		sent += n;
	}
	if (e == EV_CONTINUE)
		*hook = at(t, MC_AT_BODY, sent);
	return e;
}

/* DATA, headers, EOH, body, EOB: the part Postfix's cleanup server sends. */
static void
content(struct txn *t, const struct mc_msg *msg)
{
	enum ev e;
	int hook = 0;

	e = event(t->c, t->env, MC_STAGE_DATA, SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA,
	    NULL, 0, NULL, t->res);
	if (e != EV_CONTINUE || at(t, MC_AT_DATA, 0) != 0)
		return;
	if ((e = headers(t, msg)) != EV_CONTINUE || at(t, MC_AT_HEADERS, 0) != 0)
		return;
	e = event(t->c, t->env, MC_STAGE_EOH, SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH,
	    NULL, 0, NULL, t->res);
	if (e != EV_CONTINUE || at(t, MC_AT_EOH, 0) != 0)
		return;
	if ((e = body(t, msg, &hook)) != EV_CONTINUE || hook != 0)
		return;
	if (at(t, MC_AT_EOB, 0) != 0)
		return;
	e = event(t->c, t->env, MC_STAGE_EOM, SMFIC_BODYEOB, 0, 0, NULL, 0, NULL, t->res);
	if (e == EV_CONTINUE)
		final(t->res, MC_V_CONTINUE, SMFIC_BODYEOB, NULL);
}

/* What a connection already decided says about this message. */
static int
decided_connection(struct mc_conn *c, struct mc_result *res)
{
	if (c->state == MC_ST_ACCEPT_CON || c->state == MC_ST_REJECT_CON) {
		final(res, c->con_verdict, SMFIC_CONNECT, c->con_text);
		return 0;
	}
	final(res, MC_V_ERROR, 0, c->err[0] ? c->err : "no milter connection");
	return -1;
}

int
mc_transaction(struct mc_conn *c, struct mc_env *env, const struct mc_msg *msg,
    const struct mc_hook *hooks, size_t nhooks, unsigned msg_no,
    struct mc_result *res)
{
	bool fired[nhooks + 1];
	struct txn t = { c, env, hooks, nhooks, msg_no, fired, res };
	size_t off;

	memset(fired, 0, sizeof(fired));
	mc_result_init(res);
	if (c->state != MC_ST_ENVELOPE)
		return decided_connection(c, res);
	if (at(&t, MC_AT_START, 0) == 0) {
		mc_next_queue_id(env);
		if (envelope(&t) == 0)
			content(&t, msg);
		env->queue_id[0] = '\0';
		env->queue_file_open = false;
	}
	if (c->fd < 0 || c->state == MC_ST_ERROR)
		return res->verdict == MC_V_DROPPED ? 0 : -1;
	if (res->verdict == MC_V_SHUTDOWN) {
		c->state = MC_ST_REJECT_CON;
		c->con_verdict = MC_V_SHUTDOWN;
		close(c->fd);
		c->fd = -1;
		return 0;
	}
	/* Postfix's smtpd resets the milter after every message. */
	off = mc_pkt_begin(c, SMFIC_ABORT);
	mc_pkt_end(c, off);
	return 0;
}

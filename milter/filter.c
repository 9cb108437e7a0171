/*
 * filter.c - the libmilter callbacks of signpost-milter.
 *
 * One struct mt_conn per MTA connection (the client address; at most
 * max_connections of them, counted from negotiation to close), one struct
 * mt_msg per message, created at MAIL FROM and destroyed by message_end()
 * whatever ends it (end of message, our ACCEPT at end of header, abort,
 * close), so nothing carries over from one message to the next.
 *
 * A message moves through one state:
 *   MSG_COLLECT  the client may be ours: header fields go to the engine
 *   MSG_PASS     not ours, the reason is known; end of header says ACCEPT
 *                (so the MTA sends us no body) and logs why
 *   MSG_SIGN     ours: the body streams into the engine, end of message
 *                inserts the DKIM-Signature fields
 *   MSG_FAILED   something inside us broke; every callback returns early
 *                and the next reply is the configured on_error
 *                (reply_on_error, the one place that turns a failure into
 *                TEMPFAIL or ACCEPT)
 *
 * Each message is counted once for the metrics, by message_end(), with
 * the outcome its last reply set (aborted if none did).
 *
 * What we negotiate (mt_negotiate): only the add-header action (plus
 * SETSYMLIST, without which the MTA ignores our macro lists), no HELO, RCPT,
 * DATA or unknown-command events, no replies to connect, MAIL, header or
 * body events (SMFIP_NR_*: libmilter answers for us if the MTA cannot do
 * without), and SMFIP_HDR_LEADSPC so header values arrive exactly as they
 * are in the message, leading space and folding included.
 *
 * An MTA that does not offer SMFIP_HDR_LEADSPC (Sendmail, Postfix before
 * with milter protocol 2) eats the first space after the colon, so
 * "Subject:x" and "Subject: x" reach us alike: "simple" header
 * canonicalization (RFC 6376 section 3.4.1), which keeps that space, cannot
 * be reproduced. On such a connection we sign with "relaxed" header
 * canonicalization instead (section 3.4.2 deletes the white space after
 * the colon, so the lost space does not matter) and say so in the log:
 * the mail is still signed, and the signature verifies.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "signpost/dkim.h"
#include "signpost/log.h"
#include "signpost/policy.h"
#include "milter.h"
#include "metrics.h"

/* Body lines longer than this are folded by Postfix's smtp client. */
#define RFC5322_LINE_MAX 998
/* At most one "max_connections" warning per this many seconds. */
#define MT_LIMIT_LOG_SECONDS 10

enum mt_msg_state {
	MSG_COLLECT,
	MSG_PASS,
	MSG_SIGN,
	MSG_FAILED,
};

struct mt_msg {
	enum mt_msg_state state;
	struct mt_snapshot *snap;       /* the keys this message signs with */
	struct sp_sign_opts opts;       /* points into snap->conf */
	struct sp_dkim *dkim;
	char *auth_authen;
	struct sp_policy_result policy;
	struct sp_buf reason;           /* MSG_PASS / MSG_FAILED: why */
	enum mt_unsigned_reason why;    /* MSG_PASS: why, for the metrics */
	enum mt_outcome outcome;        /* for the metrics, at message_end */
	bool in_flight;                 /* counted for SIGTERM's drain */
	bool relaxed_for_mta;           /* simple -> relaxed: no LEADSPC */
};

struct mt_conn {
	struct sockaddr_storage addr;
	bool have_addr;
	char *addr_text;                /* {client_addr}, when sent */
	unsigned long pflags;           /* protocol flags we negotiated */
	struct mt_msg *msg;
	char *broken_msg;               /* queue id of a message aborted mid-way */
};

/* ---- messages in flight, for SIGTERM ---- */

static pthread_mutex_t flight_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flight_done = PTHREAD_COND_INITIALIZER;
static unsigned in_flight;
static bool draining;

static bool
flight_begin(void)
{
	bool ok;

	pthread_mutex_lock(&flight_lock);
	ok = !draining;
	if (ok)
		in_flight++;
	pthread_mutex_unlock(&flight_lock);
	return ok;
}

static void
flight_end(void)
{
	pthread_mutex_lock(&flight_lock);
	if (in_flight == 0)
		SP_BUG("more messages ended than began");
	if (--in_flight == 0)
		pthread_cond_broadcast(&flight_done);
	pthread_mutex_unlock(&flight_lock);
}

static bool
is_draining(void)
{
	bool d;

	pthread_mutex_lock(&flight_lock);
	d = draining;
	pthread_mutex_unlock(&flight_lock);
	return d;
}

unsigned
mt_filter_drain(unsigned seconds)
{
	struct timespec deadline;
	unsigned left;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&flight_lock);
	draining = true;
	while (in_flight > 0) {
		if (pthread_cond_timedwait(&flight_done, &flight_lock,
		    &deadline) == ETIMEDOUT)
			break;
	}
	left = in_flight;
	pthread_mutex_unlock(&flight_lock);
	return left;
}

unsigned
mt_filter_in_flight(void)
{
	unsigned n;

	pthread_mutex_lock(&flight_lock);
	n = in_flight;
	pthread_mutex_unlock(&flight_lock);
	return n;
}

/* ---- MTA connections at once: max_connections ---- */

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned open_conns;
static unsigned long refused_since_log;
static time_t refused_logged_at;

/*
 * A new MTA connection, if fewer than `max` are open. A refusal is logged
 * at most once per MT_LIMIT_LOG_SECONDS, with the count since the last.
 */
static bool
conn_admit(unsigned max)
{
	time_t now = time(NULL);
	unsigned long refused = 0;
	bool ok;

	pthread_mutex_lock(&conns_lock);
	ok = open_conns < max;
	if (ok) {
		open_conns++;
	} else {
		refused_since_log++;
		if (now - refused_logged_at >= MT_LIMIT_LOG_SECONDS) {
			refused = refused_since_log;
			refused_since_log = 0;
			refused_logged_at = now;
		}
	}
	pthread_mutex_unlock(&conns_lock);
	if (refused > 0)
		sp_log(SP_LOG_WARNING, "refused %lu MTA connection(s): %u are "
		    "open, max_connections = %u (the MTA applies "
		    "milter_default_action)", refused, max, max);
	return ok;
}

unsigned
mt_filter_connections(void)
{
	unsigned n;

	pthread_mutex_lock(&conns_lock);
	n = open_conns;
	pthread_mutex_unlock(&conns_lock);
	return n;
}

static void
conn_leave(void)
{
	pthread_mutex_lock(&conns_lock);
	if (open_conns == 0)
		SP_BUG("more MTA connections closed than opened");
	open_conns--;
	pthread_mutex_unlock(&conns_lock);
}

/* ---- message life ---- */

static const char *
queue_id(SMFICTX *ctx)
{
	const char *id = smfi_getsymval(ctx, "i");

	return id != NULL && id[0] != '\0' ? id : "NOQUEUE";
}

static void
message_end(struct mt_conn *conn)
{
	struct mt_msg *msg = conn->msg;

	if (msg == NULL)
		return;
	conn->msg = NULL;
	mt_metrics_message(msg->outcome, msg->why);
	sp_dkim_free(msg->dkim);
	sp_policy_result_clear(&msg->policy);
	sp_buf_free(&msg->reason);
	free(msg->auth_authen);
	mt_snapshot_release(msg->snap);
	if (msg->in_flight)
		flight_end();
	free(msg);
}

/*
 * Set the message aside with a reason (the first reason given wins):
 * msg_fail for MSG_FAILED, msg_pass for MSG_PASS with the reason's class.
 */
static void msg_vset(struct mt_msg *msg, enum mt_msg_state state,
    enum mt_unsigned_reason why, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void
msg_vset(struct mt_msg *msg, enum mt_msg_state state,
    enum mt_unsigned_reason why, const char *fmt, va_list ap)
{
	char text[1200];

	if (msg->state == MSG_PASS || msg->state == MSG_FAILED)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	msg->state = state;
	msg->why = why;
	sp_buf_reset(&msg->reason);
	sp_buf_puts(&msg->reason, text);
}

static void msg_fail(struct mt_msg *msg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
msg_fail(struct mt_msg *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vset(msg, MSG_FAILED, MT_UNSIGNED_INCOMPLETE, fmt, ap);
	va_end(ap);
}

static void msg_pass(struct mt_msg *msg, enum mt_unsigned_reason why,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
msg_pass(struct mt_msg *msg, enum mt_unsigned_reason why, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vset(msg, MSG_PASS, why, fmt, ap);
	va_end(ap);
}

/*
 * The one place a failure becomes a reply: on_error = tempfail asks the
 * client to retry (nothing is lost), on_error = accept lets the message
 * through unsigned. Either way the log says why.
 */
static sfsistat
reply_on_error(SMFICTX *ctx, struct mt_conn *conn, const char *why)
{
	struct mt_snapshot *snap;
	enum sp_on_error action;
	enum mt_outcome outcome;
	sfsistat r;

	if (why == NULL || why[0] == '\0')
		why = "internal error";
	snap = conn != NULL && conn->msg != NULL ? conn->msg->snap : NULL;
	if (snap != NULL) {
		action = snap->conf->milter.on_error;
	} else {
		struct mt_snapshot *cur = mt_snapshot_acquire();

		action = cur->conf->milter.on_error;
		mt_snapshot_release(cur);
	}
	if (action == SP_ON_ERROR_ACCEPT) {
		sp_log(SP_LOG_ERROR, "%s: not signed: %s (on_error = accept: "
		    "passed on unsigned)", queue_id(ctx), why);
		r = SMFIS_ACCEPT;
		outcome = MT_OUTCOME_ERROR_ACCEPT;
	} else {
		sp_log(SP_LOG_ERROR, "%s: not signed: %s (on_error = tempfail: "
		    "the client is asked to try again)", queue_id(ctx), why);
		(void)smfi_setreply(ctx, "451", "4.7.1",
		    "cannot DKIM-sign this message now, try again later");
		r = SMFIS_TEMPFAIL;
		outcome = MT_OUTCOME_ERROR_TEMPFAIL;
	}
	if (conn != NULL && conn->msg != NULL) {
		conn->msg->outcome = outcome;
		message_end(conn);
	} else
		mt_metrics_message(outcome, MT_UNSIGNED_INCOMPLETE);
	return r;
}

/* Not ours: say why once, and tell the MTA to stop sending us this message. */
static sfsistat
reply_pass(SMFICTX *ctx, struct mt_conn *conn)
{
	const struct sp_buf *why = &conn->msg->reason;

	sp_log(SP_LOG_INFO, "%s: not signed: %s", queue_id(ctx),
	    why->len > 0 ? why->data : "the message ended before its header");
	conn->msg->outcome = MT_OUTCOME_UNSIGNED;
	message_end(conn);
	return SMFIS_ACCEPT;
}

/* SMFIS_NOREPLY when we negotiated "no reply" for this step. */
static sfsistat
no_reply(const struct mt_conn *conn, unsigned long nr_bit)
{
	return conn != NULL && (conn->pflags & nr_bit) != 0 ?
	    SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static struct mt_conn *
conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* ---- callbacks ---- */

static sfsistat
mt_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long skip = SMFIP_NOHELO | SMFIP_NORCPT |
	    SMFIP_NODATA | SMFIP_NOUNKNOWN;
	const unsigned long no_replies = SMFIP_NR_CONN | SMFIP_NR_MAIL |
	    SMFIP_NR_HDR | SMFIP_NR_BODY;
	struct mt_conn *conn;
	struct mt_snapshot *snap;
	unsigned max;

	(void)f2, (void)f3;
	if (is_draining()) {
		sp_log(SP_LOG_INFO, "refusing a new MTA connection: stopping");
		return SMFIS_REJECT;
	}
	snap = mt_snapshot_acquire();
	max = snap->conf->milter.max_connections;
	mt_snapshot_release(snap);
	if (!conn_admit(max))
		return SMFIS_REJECT;
	if ((f0 & SMFIF_ADDHDRS) == 0) {
		sp_log(SP_LOG_ERROR, "the MTA does not allow adding header "
		    "fields (actions 0x%lx): cannot sign", f0);
		conn_leave();
		return SMFIS_REJECT;
	}
	*pf0 = SMFIF_ADDHDRS | (f0 & SMFIF_SETSYMLIST);
	/* libmilter offers the NR_* bits even to an MTA without them. */
	*pf1 = (skip & f1) | (no_replies & f1) | (SMFIP_HDR_LEADSPC & f1);
	*pf2 = 0;
	*pf3 = 0;

	conn = sp_xcalloc(1, sizeof(*conn));
	conn->pflags = *pf1;
	if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
		free(conn);
		conn_leave();
		sp_log(SP_LOG_ERROR, "smfi_setpriv failed");
		return SMFIS_REJECT;
	}
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		(void)smfi_setsymlist(ctx, SMFIM_CONNECT, "{client_addr}");
		(void)smfi_setsymlist(ctx, SMFIM_ENVFROM, "{auth_authen} i");
		(void)smfi_setsymlist(ctx, SMFIM_EOH, "i");
		(void)smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
mt_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct mt_conn *conn = conn_of(ctx);
	const char *text;

	(void)hostname;
	if (conn == NULL)
		return SMFIS_CONTINUE;
	conn->have_addr = false;
	if (hostaddr != NULL && hostaddr->sa_family == AF_INET) {
		memcpy(&conn->addr, hostaddr, sizeof(struct sockaddr_in));
		conn->have_addr = true;
	} else if (hostaddr != NULL && hostaddr->sa_family == AF_INET6) {
		memcpy(&conn->addr, hostaddr, sizeof(struct sockaddr_in6));
		conn->have_addr = true;
	}
	free(conn->addr_text);
	text = smfi_getsymval(ctx, "{client_addr}");
	conn->addr_text = text != NULL ? sp_xstrdup(text) : NULL;
	return no_reply(conn, SMFIP_NR_CONN);
}

/* Once per process: why the configured "simple" is not used. */
static void
note_relaxed_for_mta(void)
{
	static bool said;
	static pthread_mutex_t said_lock = PTHREAD_MUTEX_INITIALIZER;
	bool first;

	pthread_mutex_lock(&said_lock);
	first = !said;
	said = true;
	pthread_mutex_unlock(&said_lock);
	if (first)
		sp_log(SP_LOG_WARNING, "the MTA does not offer "
		    "SMFIP_HDR_LEADSPC (header values arrive without their "
		    "leading space): \"simple\" header canonicalization cannot "
		    "be reproduced; signing with \"relaxed\" header "
		    "canonicalization on such connections");
}

/* The signing options of this message, from its snapshot. */
static void
message_opts(struct mt_msg *msg, const struct mt_conn *conn)
{
	const struct sp_signing_conf *s = &msg->snap->conf->signing;

	msg->opts.header_canon = s->header_canon;
	if (s->header_canon == SP_CANON_SIMPLE &&
	    (conn->pflags & SMFIP_HDR_LEADSPC) == 0) {
		msg->opts.header_canon = SP_CANON_RELAXED;
		msg->relaxed_for_mta = true;
		note_relaxed_for_mta();
	}
	msg->opts.body_canon = s->body_canon;
	msg->opts.sign_headers = &s->sign_headers;
	msg->opts.oversign_headers = &s->oversign_headers;
	msg->opts.now = time(NULL);
	msg->opts.expire = s->expire;
	msg->opts.limits = &msg->snap->conf->milter.limits;
}

static sfsistat
mt_envfrom(SMFICTX *ctx, char **argv)
{
	struct mt_conn *conn = conn_of(ctx);
	struct mt_msg *msg;
	struct sp_policy_client client;
	const char *auth;
	char reason[SP_POLICY_REASON_MAX];

	(void)argv;
	if (conn == NULL)
		return SMFIS_CONTINUE;
	message_end(conn);              /* a message the MTA never closed */
	free(conn->broken_msg);
	conn->broken_msg = NULL;
	msg = sp_xcalloc(1, sizeof(*msg));
	conn->msg = msg;
	msg->snap = mt_snapshot_acquire();
	msg->state = MSG_COLLECT;
	msg->outcome = MT_OUTCOME_ABORTED;      /* until a reply says otherwise */
	msg->in_flight = flight_begin();
	if (!msg->in_flight) {
		msg_fail(msg, "signpost-milter is stopping");
		return no_reply(conn, SMFIP_NR_MAIL);
	}
	auth = smfi_getsymval(ctx, "{auth_authen}");
	msg->auth_authen = auth != NULL ? sp_xstrdup(auth) : NULL;

	client.addr = conn->have_addr ? (struct sockaddr *)&conn->addr : NULL;
	client.addr_text = conn->addr_text;
	client.auth_authen = msg->auth_authen;
	if (!sp_policy_client_ok(msg->snap->conf, &client, reason,
	    sizeof(reason))) {
		msg_pass(msg, MT_UNSIGNED_CLIENT, "%s", reason);
		return no_reply(conn, SMFIP_NR_MAIL);
	}
	message_opts(msg, conn);
	msg->dkim = sp_dkim_new(&msg->opts);
	if (msg->dkim == NULL)
		msg_fail(msg, "cannot start the signing engine");
	return no_reply(conn, SMFIP_NR_MAIL);
}

static sfsistat
mt_header(SMFICTX *ctx, char *name, char *value)
{
	struct mt_conn *conn = conn_of(ctx);
	struct mt_msg *msg = conn != NULL ? conn->msg : NULL;
	sp_err err;
	bool ok;

	if (msg == NULL || msg->state != MSG_COLLECT)
		return no_reply(conn, SMFIP_NR_HDR);
	if ((conn->pflags & SMFIP_HDR_LEADSPC) != 0) {
		ok = sp_dkim_header(msg->dkim, name, strlen(name), value,
		    strlen(value), &err);
	} else {
		/*
		 * The MTA dropped one leading space (if there was one): put
		 * one back. Only "relaxed" is used here (message_opts), which
		 * ignores that space anyway.
		 */
		char *v = sp_xasprintf(" %s", value);

		ok = sp_dkim_header(msg->dkim, name, strlen(name), v,
		    strlen(v), &err);
		free(v);
	}
	if (!ok)
		msg_pass(msg, sp_dkim_over_limit(msg->dkim) ?
		    MT_UNSIGNED_HEADER_LIMIT : MT_UNSIGNED_BAD_HEADER, "%s",
		    err.msg);
	return no_reply(conn, SMFIP_NR_HDR);
}

/* End of header: the whole policy decision, then the signers. */
static sfsistat
mt_eoh(SMFICTX *ctx)
{
	struct mt_conn *conn = conn_of(ctx);
	struct mt_msg *msg = conn != NULL ? conn->msg : NULL;
	struct sp_policy_client client;
	sp_err err;

	if (msg == NULL)
		return SMFIS_CONTINUE;
	if (msg->state == MSG_FAILED)
		return reply_on_error(ctx, conn, msg->reason.data);
	if (msg->state == MSG_PASS)
		return reply_pass(ctx, conn);
	if (!sp_dkim_end_headers(msg->dkim, &err)) {
		msg_pass(msg, sp_dkim_over_limit(msg->dkim) ?
		    MT_UNSIGNED_HEADER_LIMIT : MT_UNSIGNED_FROM, "%s", err.msg);
		return reply_pass(ctx, conn);
	}
	client.addr = conn->have_addr ? (struct sockaddr *)&conn->addr : NULL;
	client.addr_text = conn->addr_text;
	client.auth_authen = msg->auth_authen;
	/* Signatures already there are checked at the end (sp_dkim_final). */
	sp_policy_decide(msg->snap->conf, &client, sp_dkim_from_domain(msg->dkim),
	    &msg->policy);
	if (!msg->policy.sign) {
		msg_pass(msg, MT_UNSIGNED_DOMAIN, "%s", msg->policy.reason);
		return reply_pass(ctx, conn);
	}
	for (size_t i = 0; i < msg->policy.n_selectors; i++) {
		const char *d = msg->policy.domain->name;
		const char *s = msg->policy.selectors[i]->name;
		const struct sp_key *key = sp_keyset_find(msg->snap->keys, d, s);

		if (key == NULL)
			return reply_on_error(ctx, conn, "no key loaded for "
			    "the active selector (a bug)");
		if (!sp_dkim_add_signer(msg->dkim, d, key, &err))
			return reply_on_error(ctx, conn, err.msg);
	}
	msg->state = MSG_SIGN;
	return SMFIS_CONTINUE;
}

static sfsistat
mt_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct mt_conn *conn = conn_of(ctx);
	struct mt_msg *msg = conn != NULL ? conn->msg : NULL;

	if (msg != NULL && msg->state == MSG_SIGN)
		sp_dkim_body(msg->dkim, chunk, len);
	return no_reply(conn, SMFIP_NR_BODY);
}

/*
 * The engine folds with CRLF; the MTA wants bare LF between the lines of
 * an inserted field (it writes its own line ends), and without
 * SMFIP_HDR_LEADSPC it adds the space after the colon itself.
 */
static char *
field_for_mta(const char *value, bool leadspc)
{
	struct sp_buf b = SP_BUF_INIT;

	if (!leadspc && *value == ' ')
		value++;
	for (const char *p = value; *p != '\0'; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			sp_buf_putc(&b, *p);
	return sp_buf_steal(&b);
}

static void
log_signed(SMFICTX *ctx, struct mt_msg *msg)
{
	struct sp_buf line = SP_BUF_INIT;
	size_t longest = sp_dkim_longest_line(msg->dkim), shown = 0;

	sp_buf_printf(&line, "%s: signed", queue_id(ctx));
	for (size_t i = 0; i < msg->policy.n_selectors; i++) {
		const char *d = msg->policy.domain->name;
		const char *s = msg->policy.selectors[i]->name;

		if (sp_dkim_signer_skipped(msg->dkim, i))
			continue;       /* already signed: the note says so */
		sp_buf_printf(&line, "%s d=%s s=%s a=%s",
		    shown++ > 0 ? "," : "", d, s,
		    sp_key_algorithm(sp_keyset_find(msg->snap->keys, d, s)));
	}
	if (msg->relaxed_for_mta)
		sp_buf_puts(&line, " (header canonicalization relaxed, not "
		    "simple: the MTA does not send the leading space)");
	sp_log(SP_LOG_INFO, "%s", line.data);
	sp_buf_free(&line);
	if (longest > RFC5322_LINE_MAX)
		sp_log(SP_LOG_WARNING, "%s: body line of %zu bytes (over %d): "
		    "an SMTP client that folds long lines will break the "
		    "signature", queue_id(ctx), longest, RFC5322_LINE_MAX);
}

static uint64_t
elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u +
	    (uint64_t)t1.tv_nsec - (uint64_t)t0->tv_nsec;
}

/* Signed: the outcome and each signature's algorithm, for the metrics. */
static void
count_signed(struct mt_msg *msg)
{
	for (size_t i = 0; i < msg->policy.n_selectors; i++) {
		const struct sp_key *key = sp_keyset_find(msg->snap->keys,
		    msg->policy.domain->name, msg->policy.selectors[i]->name);

		if (key != NULL && !sp_dkim_signer_skipped(msg->dkim, i))
			mt_metrics_signature(key->type);
	}
	msg->outcome = MT_OUTCOME_SIGNED;
}

static sfsistat
mt_eom(SMFICTX *ctx)
{
	struct mt_conn *conn = conn_of(ctx);
	struct mt_msg *msg = conn != NULL ? conn->msg : NULL;
	struct sp_list sigs = SP_LIST_INIT;
	struct timespec t0;
	bool leadspc;
	sp_err err;

	if (msg == NULL)
		return SMFIS_CONTINUE;
	if (msg->state == MSG_FAILED)
		return reply_on_error(ctx, conn, msg->reason.data);
	if (msg->state != MSG_SIGN)
		return reply_pass(ctx, conn);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!sp_dkim_final(msg->dkim, &sigs, &err))
		return reply_on_error(ctx, conn, err.msg);
	if (sigs.n > 0)
		mt_metrics_signing_time(elapsed_ns(&t0));
	for (size_t i = 0; i < sp_dkim_notes(msg->dkim)->n; i++)
		sp_log(SP_LOG_NOTICE, "%s: %s", queue_id(ctx),
		    sp_dkim_notes(msg->dkim)->v[i]);
	if (sigs.n == 0) {      /* every selector: ours is there and verifies */
		msg_pass(msg, MT_UNSIGNED_ALREADY_SIGNED, "%s", err.msg);
		return reply_pass(ctx, conn);
	}
	leadspc = (conn->pflags & SMFIP_HDR_LEADSPC) != 0;
	/* Insert from the last so the first selector ends up on top. */
	for (size_t i = sigs.n; i-- > 0;) {
		char *value = field_for_mta(sigs.v[i], leadspc);
		int rc = smfi_insheader(ctx, 0, "DKIM-Signature", value);

		free(value);
		if (rc != MI_SUCCESS) {
			sp_list_free(&sigs);
			return reply_on_error(ctx, conn, "the MTA refused the "
			    "DKIM-Signature field (smfi_insheader failed)");
		}
	}
	sp_list_free(&sigs);
	log_signed(ctx, msg);
	count_signed(msg);
	message_end(conn);
	return SMFIS_CONTINUE;
}

static sfsistat
mt_abort(SMFICTX *ctx)
{
	struct mt_conn *conn = conn_of(ctx);

	if (conn != NULL && conn->msg != NULL) {
		sp_log(SP_LOG_DEBUG, "%s: message aborted by the MTA",
		    queue_id(ctx));
		free(conn->broken_msg);
		conn->broken_msg = sp_xstrdup(queue_id(ctx));
		message_end(conn);
	}
	return SMFIS_CONTINUE;
}

/*
 * A message aborted and then its connection closed. libmilter reports
 * neither a read error nor a packet over max_packet_size (it calls abort
 * and close and drops the connection, silently), so this line is the only
 * trace of either in our log; it also follows an SMTP client that went
 * away in the middle of DATA.
 */
static void
log_broken_off(const char *qid)
{
	struct mt_snapshot *snap = mt_snapshot_acquire();

	sp_log(SP_LOG_NOTICE, "%s: not signed: the message was aborted and "
	    "the MTA connection closed (the client went away or the MTA "
	    "refused the message, or the MTA sent a milter packet over "
	    "max_packet_size = %lu bytes and got milter_default_action)", qid,
	    snap->conf->milter.max_packet_size);
	mt_snapshot_release(snap);
}

static sfsistat
mt_close(SMFICTX *ctx)
{
	struct mt_conn *conn = conn_of(ctx);

	if (conn == NULL)
		return SMFIS_CONTINUE;
	if (conn->msg != NULL)
		sp_log(SP_LOG_DEBUG, "%s: connection closed in the middle of "
		    "a message", queue_id(ctx));
	if (conn->broken_msg != NULL)
		log_broken_off(conn->broken_msg);
	message_end(conn);
	free(conn->broken_msg);
	free(conn->addr_text);
	free(conn);
	(void)smfi_setpriv(ctx, NULL);
	conn_leave();
	return SMFIS_CONTINUE;
}

bool
mt_filter_register(sp_err *err)
{
	struct smfiDesc desc;

	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = MT_NAME;
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = SMFIF_ADDHDRS;
	desc.xxfi_connect = mt_connect;
	desc.xxfi_envfrom = mt_envfrom;
	desc.xxfi_header = mt_header;
	desc.xxfi_eoh = mt_eoh;
	desc.xxfi_body = mt_body;
	desc.xxfi_eom = mt_eom;
	desc.xxfi_abort = mt_abort;
	desc.xxfi_close = mt_close;
	desc.xxfi_negotiate = mt_negotiate;
	if (smfi_register(desc) != MI_SUCCESS) {
		sp_err_set(err, "smfi_register failed");
		return false;
	}
	return true;
}

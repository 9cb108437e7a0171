/*
 * fuzz_milter.c - libFuzzer target for signpost-milter's libmilter
 * callbacks (milter/filter.c), driven the way an MTA drives them but with
 * events in any order and with any data. libmilter is replaced by a small
 * stand-in (milter_standin.c); the callbacks, the snapshot, the policy and
 * the signing engine are the real ones, with two Ed25519 keys.
 *
 *   scripts/fuzz milter [SECONDS]       (seeds: tests/fuzz/corpus/milter)
 *
 * Input: two bytes choose what the MTA offers at negotiation (actions,
 * protocol flags); then commands, each an op byte and, for most, data of
 * one length byte (255: a two-byte little-endian length follows):
 *   0 connect (data[0]: none / IPv4 / IPv6 / unix; then the address)
 *   1 helo  2 mail (arguments split at NUL)  3 header (NAME:VALUE)
 *   4 eoh  5 body  6 eom  7 abort  8 quit, a new connection follows on
 *   the same context (SMFIC_QUIT_NC)  9 macro (data[0]: {client_addr} /
 *   {auth_authen} / i; rest the value, empty: not sent)  10 the MTA
 *   refuses header changes from now on  11 reload the configuration
 *   (SIGHUP; twice at most)  12 rcpt  13 data  14 unknown  15 quit (then a new
 *   connection, negotiated again)
 * The MTA may send them in any order; what reaches the callbacks is what
 * libmilter's engine (engine.c, mi_engine) lets through: a command its
 * state table does not allow is dropped after an abort callback when a
 * message was open, unless it can start from HELO; ACCEPT, REJECT,
 * DISCARD and TEMPFAIL end the message (not for rcpt and unknown); the
 * close callback runs at the end of every connection.
 *
 * Beyond "does not crash, leak or misuse libmilter" it checks that every
 * reply is one libmilter knows, NOREPLY only where it was negotiated, and
 * that once the connection is closed no message holds a snapshot.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "signpost/log.h"
#include "milter.h"
#include "milter_standin.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char conf_path[4200];

/* The input, consumed from the front. */
struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned
take_byte(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

/* A length-prefixed piece of data, NUL-terminated (caller frees). */
static char *
take_data(struct input *in, size_t *len)
{
	size_t n = take_byte(in);
	char *d;

	if (n == 255) {
		n = take_byte(in);
		n |= (size_t)take_byte(in) << 8;
	}
	if (n > in->left)
		n = in->left;
	d = sp_xmalloc(n + 1);
	memcpy(d, in->p, n);
	d[n] = '\0';
	in->p += n;
	in->left -= n;
	*len = n;
	return d;
}

/*
 * libmilter's engine states and the commands each may be followed by
 * (engine.c: ST_*, NX_*); a state the milter negotiated away (SMFIP_NO*)
 * may be skipped over.
 */
enum st { ST_OPTS = 1, ST_CONN, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_HDRS,
	ST_EOHS, ST_BODY, ST_ENDM, ST_QUIT, ST_ABRT, ST_UNKN, ST_Q_NC, ST_COUNT };
#define M(s) (1u << (s))
#define SKIPPABLE (1u << 16)
static const unsigned next_states[ST_COUNT] = {
	[ST_OPTS] = M(ST_CONN) | M(ST_UNKN),
	[ST_CONN] = M(ST_HELO) | M(ST_MAIL) | M(ST_UNKN),
	[ST_HELO] = M(ST_HELO) | M(ST_MAIL) | M(ST_UNKN),
	[ST_MAIL] = M(ST_RCPT) | M(ST_ABRT) | M(ST_UNKN),
	[ST_RCPT] = M(ST_HDRS) | M(ST_EOHS) | M(ST_DATA) | M(ST_BODY) |
	    M(ST_ENDM) | M(ST_RCPT) | M(ST_ABRT) | M(ST_UNKN),
	[ST_DATA] = M(ST_EOHS) | M(ST_HDRS) | M(ST_ABRT),
	[ST_HDRS] = M(ST_EOHS) | M(ST_HDRS) | M(ST_ABRT),
	[ST_EOHS] = M(ST_BODY) | M(ST_ENDM) | M(ST_ABRT),
	[ST_BODY] = M(ST_ENDM) | M(ST_BODY) | M(ST_ABRT),
	[ST_ENDM] = M(ST_QUIT) | M(ST_MAIL) | M(ST_UNKN) | M(ST_Q_NC),
	[ST_UNKN] = M(ST_HELO) | M(ST_MAIL) | M(ST_RCPT) | M(ST_ABRT) |
	    M(ST_DATA) | M(ST_BODY) | M(ST_UNKN) | M(ST_QUIT) | M(ST_Q_NC),
	[ST_Q_NC] = M(ST_CONN) | M(ST_UNKN),
};

/* The state each op moves to (0: none); see the comment at the top. */
static const enum st op_state[16] = { ST_CONN, ST_HELO, ST_MAIL, ST_HDRS,
	ST_EOHS, ST_BODY, ST_ENDM, ST_ABRT, ST_Q_NC, 0, 0, 0, ST_RCPT, ST_DATA,
	ST_UNKN, ST_QUIT };

/* One connection as the stand-in MTA and libmilter see it. */
struct mta {
	SMFICTX ctx;
	unsigned long f0, f1;           /* offered at negotiation */
	unsigned long pf1;              /* protocol flags the milter took */
	unsigned skip;                  /* states it asked not to be sent */
	enum st state;
	bool open;
	unsigned reloads;
};

static bool
in_mail(enum st s)
{
	return s >= ST_MAIL && s < ST_ENDM;
}

static bool
trans_ok(const struct mta *m, enum st from, enum st to)
{
	for (enum st s = from; s < ST_COUNT; s++) {
		if ((next_states[s] & M(to)) != 0)
			return true;
		if (s + 1 >= ST_COUNT || (m->skip & M(s + 1)) == 0)
			return false;
	}
	return false;
}

static void
check_reply(const struct mta *m, sfsistat r, unsigned long nr_bit,
    const char *event)
{
	if (r != SMFIS_CONTINUE && r != SMFIS_REJECT && r != SMFIS_DISCARD &&
	    r != SMFIS_ACCEPT && r != SMFIS_TEMPFAIL && r != SMFIS_NOREPLY &&
	    r != SMFIS_SKIP)
		fuzz_fail("fuzz_milter", "a reply libmilter does not know",
		    event);
	if (r == SMFIS_NOREPLY && (nr_bit == 0 || (m->pf1 & nr_bit) == 0))
		fuzz_fail("fuzz_milter", "NOREPLY without negotiating it", event);
	if (r == SMFIS_SKIP && (strcmp(event, "body") != 0 ||
	    (m->f1 & SMFIP_SKIP) == 0))
		fuzz_fail("fuzz_milter", "SKIP where it is not allowed", event);
}

/* Option negotiation (st_optionneg): the NR_* bits are always offered. */
static bool
mta_open(struct mta *m)
{
	static const unsigned long fake = SMFIP_NR_CONN | SMFIP_NR_HELO |
	    SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN |
	    SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
	unsigned long pf0 = 0, pf1 = 0, pf2 = 0, pf3 = 0;
	sfsistat r;

	m->ctx.priv = NULL;
	m->open = true;
	m->state = ST_OPTS;
	r = standin_desc.xxfi_negotiate(&m->ctx, m->f0, m->f1 | fake, 0, 0,
	    &pf0, &pf1, &pf2, &pf3);
	check_reply(m, r, 0, "negotiate");
	if (r != SMFIS_CONTINUE) {
		/* libmilter aborts the connection, and closes it. */
		check_reply(m, standin_desc.xxfi_close(&m->ctx), 0, "close");
		m->open = false;
		return false;
	}
	if ((pf0 & ~m->f0) != 0 || (pf1 & ~(m->f1 | fake)) != 0)
		fuzz_fail("fuzz_milter", "took what the MTA did not offer", NULL);
	m->pf1 = pf1;
	m->skip = (pf1 & SMFIP_NOHELO ? M(ST_HELO) : 0) |
	    (pf1 & SMFIP_NORCPT ? M(ST_RCPT) : 0) |
	    (pf1 & SMFIP_NODATA ? M(ST_DATA) : 0) |
	    (pf1 & SMFIP_NOUNKNOWN ? M(ST_UNKN) : 0);
	return true;
}

/* End of a connection: abort an open message, then close. */
static void
mta_close(struct mta *m)
{
	if (!m->open)
		return;
	if (in_mail(m->state))
		check_reply(m, standin_desc.xxfi_abort(&m->ctx), 0, "abort");
	check_reply(m, standin_desc.xxfi_close(&m->ctx), 0, "close");
	m->open = false;
	m->ctx.priv = NULL;
	standin_clear(&m->ctx);
}

static sfsistat
event_connect(struct mta *m, const char *d, size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;

	(void)m;
	memset(&ss, 0, sizeof(ss));
	switch (len > 0 ? d[0] % 4 : 0) {
	case 1:
		ss.ss_family = AF_INET;
		memcpy(&((struct sockaddr_in *)sa)->sin_addr, d + 1,
		    len - 1 < 4 ? len - 1 : 4);
		break;
	case 2:
		ss.ss_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)sa)->sin6_addr, d + 1,
		    len - 1 < 16 ? len - 1 : 16);
		break;
	case 3:
		ss.ss_family = AF_UNIX;
		break;
	default:
		sa = NULL;
	}
	return standin_desc.xxfi_connect(&m->ctx, "client.example", sa);
}

static sfsistat
event_args(struct mta *m, int op, char *d, size_t len)
{
	char *argv[16];
	size_t n = 0;

	for (char *p = d; p <= d + len && n < 15; p += strlen(p) + 1)
		argv[n++] = p;
	argv[n] = NULL;
	if (op == 2)
		return standin_desc.xxfi_envfrom(&m->ctx, argv);
	if (op == 12 && standin_desc.xxfi_envrcpt != NULL)
		return standin_desc.xxfi_envrcpt(&m->ctx, argv);
	if (op == 1 && standin_desc.xxfi_helo != NULL)
		return standin_desc.xxfi_helo(&m->ctx, d);
	if (op == 14 && standin_desc.xxfi_unknown != NULL)
		return standin_desc.xxfi_unknown(&m->ctx, d);
	return SMFIS_CONTINUE;
}

static sfsistat
event_header(struct mta *m, char *d)
{
	char *colon = strchr(d, ':');
	char *value = colon != NULL ? colon + 1 : d + strlen(d);

	if (colon != NULL)
		*colon = '\0';
	return standin_desc.xxfi_header(&m->ctx, d, value);
}

static sfsistat
event_eom(struct mta *m)
{
	sfsistat r;

	m->ctx.in_eom = true;
	r = standin_desc.xxfi_eom(&m->ctx);
	m->ctx.in_eom = false;
	return r;
}

/* Run one command's callback; returns its reply. */
static sfsistat
callback(struct mta *m, int op, char *d, size_t len)
{
	switch (op) {
	case 0:
		return event_connect(m, d, len);
	case 3:
		return event_header(m, d);
	case 4:
		return standin_desc.xxfi_eoh(&m->ctx);
	case 5:
		return standin_desc.xxfi_body(&m->ctx, (unsigned char *)d, len);
	case 6:
		return event_eom(m);
	case 7:
		return standin_desc.xxfi_abort(&m->ctx);
	case 8:
	case 15:
		return standin_desc.xxfi_close(&m->ctx);
	case 13:
		return standin_desc.xxfi_data != NULL ?
		    standin_desc.xxfi_data(&m->ctx) : SMFIS_CONTINUE;
	default:
		return event_args(m, op, d, len);
	}
}

static unsigned long
nr_bit(enum st s)
{
	static const unsigned long bits[ST_COUNT] = { [ST_CONN] = SMFIP_NR_CONN,
	    [ST_HELO] = SMFIP_NR_HELO, [ST_MAIL] = SMFIP_NR_MAIL,
	    [ST_RCPT] = SMFIP_NR_RCPT, [ST_DATA] = SMFIP_NR_DATA,
	    [ST_UNKN] = SMFIP_NR_UNKN, [ST_HDRS] = SMFIP_NR_HDR,
	    [ST_EOHS] = SMFIP_NR_EOH, [ST_BODY] = SMFIP_NR_BODY };

	return bits[s];
}

/* One command through libmilter's state table (mi_engine). */
static void
command(struct mta *m, int op, char *d, size_t len)
{
	static const char *const names[16] = { "connect", "helo", "mail",
	    "header", "eoh", "body", "eom", "abort", "quit_nc", "", "", "",
	    "rcpt", "data", "unknown", "quit" };
	enum st next = op_state[op];
	sfsistat r;

	if (!trans_ok(m, m->state, next)) {
		if (in_mail(m->state))
			check_reply(m, standin_desc.xxfi_abort(&m->ctx), 0,
			    "abort");
		m->state = ST_HELO;
		if (!trans_ok(m, m->state, next))
			return;
	}
	m->state = next;
	r = callback(m, op, d, len);
	check_reply(m, r, nr_bit(next), names[op]);
	if (op == 8 || op == 15) {
		standin_clear(&m->ctx);
		if (op == 15) {
			m->open = false;
			m->ctx.priv = NULL;
			(void)mta_open(m);
		}
	} else if (r == SMFIS_ACCEPT || ((r == SMFIS_REJECT ||
	    r == SMFIS_DISCARD || r == SMFIS_TEMPFAIL) && op != 12 && op != 14))
		m->state = ST_HELO;
}

static void
event(struct mta *m, int op, struct input *in)
{
	size_t len = 0;
	char *d = op == 4 || op == 6 || op == 7 || op == 8 || op == 10 ||
	    op == 11 || op == 13 || op == 15 ? NULL : take_data(in, &len);

	if (op == 9)
		standin_set_macro(&m->ctx, len > 0 ? (enum standin_macro)
		    ((unsigned char)d[0] % MACRO_COUNT) : MACRO_QUEUE_ID,
		    len > 1 ? d + 1 : NULL, len > 1 ? len - 1 : 0);
	else if (op == 10)
		m->ctx.refuse_changes = true;
	else if (op == 11 && m->reloads++ < 2)     /* each reads every key */
		(void)mt_snapshot_reload(conf_path);
	else if (m->open)
		command(m, op, d, len);
	free(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir();
	char keys[4200], *conf;
	struct sp_config *c;
	struct mt_snapshot *snap;
	sp_err err;

	(void)argc, (void)argv;
	sp_log_open("fuzz_milter", false, false);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/signpost.conf", dir);
	fuzz_make_key(keys, "example.com", "a");
	fuzz_make_key(keys, "example.com", "b");
	fuzz_make_key(keys, "example.org", "s");
	conf = sp_xasprintf(
	    "[milter]\nsocket = unix:%s/milter.sock\n"
	    "internal_hosts = 127.0.0.0/8, ::1\nsign_authenticated = yes\n"
	    "on_error = tempfail\n"
	    "[signing]\nkeys_dir = %s\n"
	    "[domain example.com]\nselector = a, b\n"
	    "[domain example.org]\nselector = s\nsubdomains = yes\n", dir, keys);
	fuzz_write_file(conf_path, conf, strlen(conf), 0644);
	free(conf);
	if ((c = sp_config_load(conf_path, &err)) == NULL ||
	    (snap = mt_snapshot_build(c, &err)) == NULL)
		fuzz_fail("fuzz_milter", "cannot load the configuration",
		    err.msg);
	mt_snapshot_install(snap);
	if (!mt_filter_register(&err) || !standin_registered)
		fuzz_fail("fuzz_milter", "the callbacks were not registered",
		    NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long offers[] = { SMFIP_NOHELO, SMFIP_NORCPT,
	    SMFIP_NR_CONN, SMFIP_NR_MAIL, SMFIP_NR_HDR, SMFIP_NR_BODY,
	    SMFIP_HDR_LEADSPC, SMFIP_SKIP };
	struct input in = { data, size };
	struct mta m;
	struct mt_snapshot *snap;
	unsigned a, p;

	memset(&m, 0, sizeof(m));
	a = take_byte(&in);
	p = take_byte(&in);
	m.f0 = (a & 1 ? SMFIF_ADDHDRS : 0) | (a & 2 ? SMFIF_SETSYMLIST : 0) |
	    (a & 4 ? SMFIF_CHGHDRS : 0);
	for (unsigned i = 0; i < 8; i++)
		if (p & (1u << i))
			m.f1 |= offers[i];
	if (mta_open(&m))
		while (in.left > 0)
			event(&m, (int)(take_byte(&in) % 16), &in);
	mta_close(&m);
	snap = mt_snapshot_acquire();
	if (snap->refs != 2)
		fuzz_fail("fuzz_milter", "a closed connection still holds a "
		    "snapshot", NULL);
	mt_snapshot_release(snap);
	return 0;
}

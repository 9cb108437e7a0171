/*
 * milter-client-proto.h - the MTA side of the milter protocol (version 6),
 * spoken the way Postfix's milter8 client speaks it, for signpost's tests
 * and benchmarks. One struct mc_conn is one MTA-to-milter connection; one
 * struct mc_msg is a parsed message as Postfix's cleanup would present it;
 * mc_transaction() runs MAIL ... EOM ... ABORT for one message.
 *
 * What "as Postfix does" means here (Postfix 3.x, src/milter/milter8.c):
 * - SMFIC_OPTNEG offers version 6, every action (0x1ff) and every protocol
 *   step (0x1fffff); the milter's reply says what to skip, which replies it
 *   will not send, and may override the macro lists (smfi_setsymlist).
 * - Every event is preceded by SMFIC_MACRO for its stage, even when the
 *   milter asked for the event itself to be skipped; headers carry the
 *   end-of-header macros and body chunks the end-of-data macros.
 * - Header values are sent byte for byte after the colon (one leading space
 *   dropped unless SMFIP_HDR_LEADSPC), folded lines joined by a bare LF.
 * - The body goes in chunks of exactly 65,535 bytes (the last one shorter),
 *   every line ending in CRLF; then SMFIC_BODYEOB, whose reply may be
 *   preceded by modification requests.
 * - The macro i (queue id) only once smtpd has opened the queue file, after
 *   the first accepted RCPT (smtpd_delay_open_until_valid_rcpt = yes).
 * - SMFIC_ABORT after every message, and once more before SMFIC_QUIT.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef MILTER_CLIENT_PROTO_H
#define MILTER_CLIENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signpost/util.h"

/* Macro stages, numbered as smfi_setsymlist() numbers them (SMFIM_*). */
enum mc_stage {
	MC_STAGE_CONNECT, MC_STAGE_HELO, MC_STAGE_MAIL, MC_STAGE_RCPT,
	MC_STAGE_DATA, MC_STAGE_EOM, MC_STAGE_EOH, MC_STAGE_COUNT
};

/* Where in a message a test can abort, drop the connection, or pause. */
enum mc_point {
	MC_AT_NONE, MC_AT_START, MC_AT_MAIL, MC_AT_RCPT, MC_AT_DATA,
	MC_AT_HEADERS, MC_AT_EOH, MC_AT_BODY, MC_AT_EOB
};

enum mc_action { MC_DO_NOTHING, MC_DO_ABORT, MC_DO_DROP, MC_DO_PAUSE, MC_DO_WAIT };

/* One scripted interruption of message number msg_no (1-based). */
struct mc_hook {
	enum mc_action action;
	unsigned msg_no;
	enum mc_point point;
	size_t body_bytes;          /* MC_AT_BODY: after this many body bytes */
	double seconds;             /* MC_DO_PAUSE */
	char *path;                 /* MC_DO_WAIT: create PATH.reached, wait for PATH */
};

/* A message as the MTA holds it: headers split, body with CRLF line ends. */
struct mc_header {
	char *name;                 /* without trailing blanks and colon */
	char *value;                /* after the colon; folds joined by "\n" */
	char *raw;                  /* the header as written, CRLF line ends */
};

struct mc_msg {
	struct mc_header *hdr;
	size_t nhdr, hdr_cap;
	struct sp_buf body;         /* exactly what the milter is sent */
};

/* The final verdict on one message and the edits the milter asked for. */
enum mc_verdict {
	MC_V_CONTINUE, MC_V_ACCEPT, MC_V_TEMPFAIL, MC_V_REJECT, MC_V_DISCARD,
	MC_V_REPLYCODE, MC_V_SHUTDOWN, MC_V_ABORTED, MC_V_DROPPED, MC_V_ERROR
};

enum mc_mod_type { MC_MOD_INSHEADER, MC_MOD_ADDHEADER, MC_MOD_CHGHEADER,
	MC_MOD_OTHER };

struct mc_mod {
	enum mc_mod_type type;
	char code;                  /* the SMFIR_* letter */
	uint32_t index;
	char *name;
	char *value;
};

struct mc_result {
	enum mc_verdict verdict;
	char stage;                 /* the SMFIC_* event that got the verdict */
	char *text;                 /* SMFIR_REPLYCODE text or error reason */
	struct mc_mod *mods;
	size_t nmods;
	bool quarantined;
	struct sp_buf new_body;     /* SMFIR_REPLBODY chunks, if any */
	bool body_replaced;
};

/* The SMTP session and envelope that the macros and events describe. */
struct mc_env {
	const char *client_addr;    /* "127.0.0.1", "::1" */
	const char *client_name;    /* reverse name or "unknown" */
	unsigned client_port;
	const char *helo;
	const char *auth_user;      /* NULL: not authenticated */
	const char *auth_type;      /* SASL mechanism when auth_user is set */
	const char *mail_from;      /* without angle brackets; "" for <> */
	struct sp_list mail_args;   /* ESMTP parameters of MAIL FROM, as sent */
	const char *const *rcpts;
	size_t nrcpts;
	const char *myhostname;     /* j, {daemon_name} */
	const char *daemon_addr;
	struct sp_list extra;       /* NAME=VALUE pairs given by the user */
	char *macro_lists[MC_STAGE_COUNT]; /* user override or NULL: Postfix default */
	char queue_id[16];          /* i, set per message */
	bool queue_file_open;       /* smtpd opens it after the first valid RCPT:
	                               only then is i defined */
};

enum mc_state { MC_ST_CLOSED, MC_ST_READY, MC_ST_ENVELOPE, MC_ST_ACCEPT_CON,
	MC_ST_REJECT_CON, MC_ST_ERROR };

struct mc_conn {
	int fd;
	enum mc_state state;
	enum mc_verdict con_verdict;  /* for ACCEPT_CON / REJECT_CON */
	char *con_text;
	uint32_t mta_version, mta_actions, mta_events;  /* what we offer */
	uint32_t version, actions, events;              /* what the milter wants */
	char *symlist[MC_STAGE_COUNT];                  /* milter's macro lists */
	char skip_event;             /* SMFIR_SKIP: further events of this type */
	int timeout_ms;
	int verbose;
	struct sp_buf out;
	unsigned char *in;
	size_t in_len, in_off, in_cap;
	char err[256];
};

/* Parse a message file's bytes; raw_body keeps the body bytes untouched. */
void mc_msg_parse(struct mc_msg *msg, const char *data, size_t len, bool raw_body);
void mc_msg_free(struct mc_msg *msg);
/* The message with the milter's header edits applied, CRLF line ends.
 * received: a Received: value the milter did not see (Postfix's own), or NULL. */
void mc_msg_render(struct sp_buf *out, const struct mc_msg *msg,
    const struct mc_result *res, bool leadspc, const char *received);

void mc_conn_init(struct mc_conn *c, int timeout_ms, int verbose);
/* Connect to "unix:/path", "/path", "inet:PORT@HOST", "inet:HOST:PORT",
 * "inet6:PORT@HOST". Returns 0, or -1 with c->err set. */
int mc_connect(struct mc_conn *c, const char *spec);
/* SMFIC_OPTNEG, CONNECT, HELO. Returns 0, or -1 with c->err set. */
int mc_open_session(struct mc_conn *c, const struct mc_env *env);
/* One message from MAIL to the ABORT that Postfix sends after it. Returns 0
 * when the milter conversation is still usable, -1 when it is not. */
int mc_transaction(struct mc_conn *c, struct mc_env *env, const struct mc_msg *msg,
    const struct mc_hook *hooks, size_t nhooks, unsigned msg_no,
    struct mc_result *res);
/* SMFIC_ABORT and SMFIC_QUIT (smtpd resets the milter once more when the
 * client leaves), then close. */
void mc_quit(struct mc_conn *c);
void mc_conn_free(struct mc_conn *c);

void mc_result_init(struct mc_result *r);
void mc_result_free(struct mc_result *r);
const char *mc_verdict_name(enum mc_verdict v);

/* Postfix's queue ids: 10 hex digits here, unique per process. */
void mc_next_queue_id(struct mc_env *env);

#endif

/*
 * milter-client-internal.h - what the milter-client source files share with
 * each other and nobody else: the offer we make in SMFIC_OPTNEG and the
 * packet helpers of milter-client-proto.c.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef MILTER_CLIENT_INTERNAL_H
#define MILTER_CLIENT_INTERNAL_H

#include "milter-client-proto.h"

/* What Postfix 3.x offers with milter_protocol = 6. */
#define MC_MTA_VERSION  6u
#define MC_MTA_ACTIONS  0x1ffu      /* every SMFIF_* up to SETSYMLIST */
#define MC_MTA_EVENTS   0x1fffffu   /* every SMFIP_* up to HDR_LEADSPC */

/* Replies larger than this are a broken milter (Postfix allows more). */
#define MC_MAX_PACKET   (64u * 1024 * 1024)

/* SMFIF_* flags used here (mfapi.h declares libmilter's API as well). */
#define MC_SMFIF_ADDHDRS  0x01u
#define MC_SMFIF_CHGHDRS  0x10u

int mc_fail(struct mc_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t mc_pkt_begin(struct mc_conn *c, char cmd);
void mc_pkt_end(struct mc_conn *c, size_t off);
void mc_put_u32(struct mc_conn *c, uint32_t v);
void mc_put_str(struct mc_conn *c, const char *s);
int mc_flush(struct mc_conn *c);
int mc_flush_with(struct mc_conn *c, const void *data, size_t len);
int mc_read_packet(struct mc_conn *c, char *cmd, const unsigned char **data, size_t *len);
int mc_negotiate(struct mc_conn *c);
void mc_put_macros(struct mc_conn *c, const struct mc_env *env, enum mc_stage stage,
    char event, const char *rcpt);

/* Load mode (milter-client-load.c). */
struct mc_load_opts {
	const char *socket;
	unsigned connections;
	unsigned messages;          /* per connection, when seconds == 0 */
	double seconds;
	bool hold;                  /* all connections open before any message */
	double rate;                /* messages per second in all; 0: back to back */
	int timeout_ms;
	int verbose;
};

int mc_load_run(const struct mc_load_opts *o, const struct mc_env *env,
    const struct mc_msg *msg);

#endif

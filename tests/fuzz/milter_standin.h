/*
 * milter_standin.h - a stand-in for the libmilter functions the milter's
 * callbacks call (milter_standin.c), so a fuzz target can run the real
 * callbacks of milter/filter.c without an MTA or libmilter's threads.
 *
 * It keeps what smfi_register was given, one connection's private pointer,
 * the macros the "MTA" has sent, and what the callbacks asked of it; it
 * checks what libmilter would refuse (changing the header outside end of
 * message, a reply that is not 4xx/5xx).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_MILTER_STANDIN_H
#define SIGNPOST_MILTER_STANDIN_H

#include <stdbool.h>

#include <libmilter/mfapi.h>

enum standin_macro { MACRO_CLIENT_ADDR, MACRO_AUTH_AUTHEN, MACRO_QUEUE_ID,
	MACRO_COUNT };

struct smfi_str {
	void *priv;
	char *macros[MACRO_COUNT];      /* NULL: not sent */
	bool in_eom;                    /* header changes are allowed */
	bool refuse_changes;            /* smfi_insheader etc. fail */
	unsigned long inserted;         /* header fields added */
};

/* What the program under test registered (zeroed until it does). */
extern struct smfiDesc standin_desc;
extern bool standin_registered;

void standin_set_macro(SMFICTX *ctx, enum standin_macro m, const char *value,
    size_t len);
/* Forget the connection's macros (the private pointer stays). */
void standin_clear(SMFICTX *ctx);

#endif

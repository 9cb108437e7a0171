/*
 * milter_standin.c - the libmilter functions signpost-milter's callbacks
 * call, standing in for the real library in the milter fuzz target (see
 * milter_standin.h). Anything libmilter would refuse, or a callback could
 * only do by mistake, stops the run with a message.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/util.h"
#include "milter_standin.h"

struct smfiDesc standin_desc;
bool standin_registered;

static void
misuse(const char *what, const char *detail)
{
	fprintf(stderr, "milter stand-in: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

void
standin_set_macro(SMFICTX *ctx, enum standin_macro m, const char *value,
    size_t len)
{
	free(ctx->macros[m]);
	ctx->macros[m] = value != NULL ? sp_xstrndup(value, len) : NULL;
}

void
standin_clear(SMFICTX *ctx)
{
	for (int m = 0; m < MACRO_COUNT; m++) {
		free(ctx->macros[m]);
		ctx->macros[m] = NULL;
	}
}

int
smfi_register(struct smfiDesc desc)
{
	if (desc.xxfi_name == NULL || desc.xxfi_version != SMFI_VERSION)
		misuse("smfi_register: no name or a different version", NULL);
	standin_desc = desc;
	standin_registered = true;
	return MI_SUCCESS;
}

size_t
smfi_setmaxdatasize(size_t size)
{
	return size;
}

void *
smfi_getpriv(SMFICTX *ctx)
{
	return ctx->priv;
}

int
smfi_setpriv(SMFICTX *ctx, void *priv)
{
	ctx->priv = priv;
	return MI_SUCCESS;
}

char *
smfi_getsymval(SMFICTX *ctx, char *name)
{
	static const char *const names[MACRO_COUNT][2] = {
		{ "{client_addr}", "client_addr" },
		{ "{auth_authen}", "auth_authen" },
		{ "i", "{i}" },
	};

	for (int m = 0; m < MACRO_COUNT; m++)
		if (strcmp(name, names[m][0]) == 0 ||
		    strcmp(name, names[m][1]) == 0)
			return ctx->macros[m];
	return NULL;
}

int
smfi_setsymlist(SMFICTX *ctx, int stage, char *macros)
{
	(void)ctx;
	if (stage < SMFIM_FIRST || stage > SMFIM_LAST || macros == NULL)
		misuse("smfi_setsymlist: bad stage or no list", NULL);
	return MI_SUCCESS;
}

/* libmilter allows header changes at end of message only. */
static int
change(SMFICTX *ctx, const char *fn, const char *name, const char *value)
{
	if (!ctx->in_eom)
		misuse(fn, "called outside end of message");
	if (name == NULL || name[0] == '\0' || strchr(name, ':') != NULL)
		misuse(fn, "no field name, or one with a colon");
	if (value != NULL && strchr(value, '\r') != NULL)
		misuse(fn, "a CR in the value (the MTA writes its own line ends)");
	if (ctx->refuse_changes)
		return MI_FAILURE;
	ctx->inserted++;
	return MI_SUCCESS;
}

int
smfi_insheader(SMFICTX *ctx, int index, char *name, char *value)
{
	if (index < 0 || value == NULL)
		misuse("smfi_insheader", "negative index or no value");
	return change(ctx, "smfi_insheader", name, value);
}

int
smfi_addheader(SMFICTX *ctx, char *name, char *value)
{
	if (value == NULL)
		misuse("smfi_addheader", "no value");
	return change(ctx, "smfi_addheader", name, value);
}

int
smfi_chgheader(SMFICTX *ctx, char *name, int index, char *value)
{
	if (index < 0)
		misuse("smfi_chgheader", "negative index");
	return change(ctx, "smfi_chgheader", name, value);
}

int
smfi_setreply(SMFICTX *ctx, char *rcode, char *xcode, char *message)
{
	(void)ctx, (void)xcode;
	if (rcode == NULL || strlen(rcode) != 3 ||
	    (rcode[0] != '4' && rcode[0] != '5') || message == NULL)
		misuse("smfi_setreply: not a 4xx/5xx reply", rcode);
	return MI_SUCCESS;
}

int
smfi_progress(SMFICTX *ctx)
{
	(void)ctx;
	return MI_SUCCESS;
}

int
smfi_stop(void)
{
	return MI_SUCCESS;
}

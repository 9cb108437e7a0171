/*
 * keystate.h - the key lifecycle's state file: one per rotating domain,
 * keys_dir/DOMAIN/keystate, human-readable, read by the milter and by
 * dnsgen through this code alone and written only by `dnsgen rotate`.
 *
 * A key moves pending -> published -> active -> retiring -> revoked and is
 * then forgotten (SPEC.md "Key lifecycle"). The file is replaced whole and
 * atomically (temporary file, fsync, rename, fsync of the folder), so a
 * reader sees the old state or the new one, never a mix. A file that does
 * not parse, or that lacks its closing "end" line (truncated), is an error
 * naming PATH:LINE; nothing is ever deleted because of it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_KEYSTATE_H
#define SIGNPOST_KEYSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "signpost/conf.h"
#include "signpost/keys.h"
#include "signpost/util.h"

#define SP_KEYSTATE_FILE "keystate"

enum sp_kstate {
	SP_KS_PENDING,          /* made; printed by records; not yet seen served */
	SP_KS_PUBLISHED,        /* every authoritative server serves it */
	SP_KS_ACTIVE,           /* signs */
	SP_KS_RETIRING,         /* a newer key signs; still published */
	SP_KS_REVOKED,          /* published as p= (RFC 6376 3.6.1); key wiped */
};
#define SP_KS_COUNT 5

struct sp_kentry {
	char *selector;
	enum sp_key_type alg;
	enum sp_kstate state;
	time_t since;           /* when it entered `state` */
	time_t made;            /* when the key was made or adopted */
	unsigned long hold;     /* published: seconds to stay before active */
};

struct sp_keystate {
	char *domain;
	char *path;             /* keys_dir/DOMAIN/keystate */
	bool exists;            /* the file was there when loaded */
	struct sp_kentry *keys; /* in file order: oldest first */
	size_t n;
};

const char *sp_kstate_name(enum sp_kstate s);
bool sp_kstate_parse(const char *name, enum sp_kstate *out);
/* "rsa" / "ed25519", as in the record's k= and in `algorithms`. */
const char *sp_key_type_name(enum sp_key_type t);
bool sp_key_type_parse(const char *name, enum sp_key_type *out);

/* keys_dir/DOMAIN/keystate (caller frees). */
char *sp_keystate_path(const struct sp_config *conf, const char *domain);
/*
 * Read the domain's state file. A missing file is an empty state with
 * exists == false; any other failure is "PATH:LINE: why" in err.
 */
bool sp_keystate_load(const struct sp_config *conf, const char *domain,
    struct sp_keystate *ks, sp_err *err);
/* Parse text (tests, fuzzing); `path` names it in messages. */
bool sp_keystate_parse(const char *path, const char *text, size_t len,
    struct sp_keystate *ks, sp_err *err);
/* Write the whole state atomically (mode 0640, the folder's group). */
bool sp_keystate_save(struct sp_keystate *ks, sp_err *err);
/* The file's text, as sp_keystate_save writes it (caller frees). */
char *sp_keystate_text(const struct sp_keystate *ks);
void sp_keystate_free(struct sp_keystate *ks);

struct sp_kentry *sp_keystate_find(const struct sp_keystate *ks,
    const char *selector);
struct sp_kentry *sp_keystate_add(struct sp_keystate *ks,
    const char *selector, enum sp_key_type alg, enum sp_kstate state,
    time_t now);
void sp_keystate_remove(struct sp_keystate *ks, size_t index);

/*
 * For the milter: every rotating domain whose state file exists signs
 * with exactly its active keys (none: the domain's mail passes unsigned
 * and the log says why). Domains without rotation, or rotating ones
 * without a state file yet, keep their `selector` list.
 */
bool sp_keystate_select_active(struct sp_config *conf, sp_err *err);

#endif

/*
 * keyperm.h - who may own a DKIM key file and with what mode.
 *
 * Key files must be owned by root, the milter user or the running user and
 * must not be writable by group nor readable or writable by others. Every
 * refusal names the path and the chown/chmod that fixes it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_KEYPERM_H
#define SIGNPOST_KEYPERM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "signpost/conf.h"
#include "signpost/util.h"

/* Who may own a key file, and whether weak RSA is accepted. */
struct sp_key_rules {
	bool allow_weak_rsa;
	uid_t owners[3];        /* root, the milter user, the running user */
	size_t n_owners;
	const char *owner_name; /* the milter's user name for messages, or NULL */
	/*
	 * The milter re-reads keys as its user after dropping privileges:
	 * every folder from keys_dir down must let that user in, and each
	 * key let it read (checked when check_reader is set).
	 */
	bool check_reader;
	uid_t reader_uid;
	gid_t reader_groups[64];        /* its groups, as initgroups gives */
	size_t n_reader_groups;
	const char *keys_dir;           /* borrowed from the configuration */
};

/*
 * Owners allowed: root, the configured milter user (looked up by name) and
 * the effective user. Fails when the configured user does not exist and
 * `need_user` is true. With `need_user` (the milter) and a user other than
 * root, keys are also checked for that user's way to them, and keys_dir
 * itself is checked here: a folder it cannot enter is refused with the
 * chown/chmod that fixes it.
 */
bool sp_key_rules_from_config(const struct sp_config *conf, bool need_user,
    struct sp_key_rules *rules, sp_err *err);

/*
 * Check owner and mode of an open key file (path for messages) and, when
 * the rules say so, the milter user's way to it.
 */
bool sp_key_check_file(int fd, const char *path,
    const struct sp_key_rules *rules, sp_err *err);
/* The same for the fstat() of the open file (one system call, not two). */
bool sp_key_check_stat(const struct stat *st, const char *path,
    const struct sp_key_rules *rules, sp_err *err);

/*
 * Explain why open(path) failed (errno as open left it): a missing key
 * says how to make one, a refused one what lets the milter user read it.
 */
void sp_key_open_failed(const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, sp_err *err);

/*
 * The group through which `user` reads keys (mode 0640) and enters key
 * folders (0750): a group of the same name (adduser --system --group),
 * else the user's primary group. False when neither exists.
 */
bool sp_key_user_group(const char *user, gid_t *gid, char *name,
    size_t namelen);

/* A user's or group's name for messages: "signpost", or "uid 123". */
void sp_uid_text(uid_t uid, char *out, size_t outlen);
void sp_gid_text(gid_t gid, char *out, size_t outlen);

#endif

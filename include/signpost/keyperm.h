/*
 * keyperm.h - who may own a DKIM key file and with what mode.
 *
 * Key files must be owned by root, the milter user or the running user and
 * must not be writable by group nor readable or writable by others. Every
 * refusal names the path and the chown/chmod that fixes it.
 */
#ifndef SIGNPOST_KEYPERM_H
#define SIGNPOST_KEYPERM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "signpost/conf.h"
#include "signpost/util.h"

/* Who may own a key file, and whether weak RSA is accepted. */
struct sp_key_rules {
	bool allow_weak_rsa;
	uid_t owners[3];        /* root, the milter user, the running user */
	size_t n_owners;
	const char *owner_name; /* the milter's user name for messages, or NULL */
};

/*
 * Owners allowed: root, the configured milter user (looked up by name) and
 * the effective user. Fails when the configured user does not exist and
 * `need_user` is true.
 */
bool sp_key_rules_from_config(const struct sp_config *conf, bool need_user,
    struct sp_key_rules *rules, sp_err *err);

/* Check owner and mode of an open key file (path for messages). */
bool sp_key_check_file(int fd, const char *path,
    const struct sp_key_rules *rules, sp_err *err);

/*
 * Explain why open(path) failed (errno as open left it): a missing key
 * says how to make one, a refused one what lets the milter user read it.
 */
void sp_key_open_failed(const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, sp_err *err);

#endif

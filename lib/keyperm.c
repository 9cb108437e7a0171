/*
 * keyperm.c - who may own a key file and with what mode; and what to tell
 * the operator when a key file cannot be opened or is unsafe.
 *
 * Checks run on the open descriptor (no race with a rename); a key that a
 * reload takes over without reading it is checked on the stat of its path,
 * and only when that is the very file, untouched, it was read from (keys.c
 * key_reuse_untouched), so a file renamed into place is opened. Every refusal
 * names the path and the chown/chmod that fixes it. User and group names are
 * looked up with the reentrant get*_r calls: SIGHUP reloads may run in
 * threads.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/keyperm.h"

/* --- user and group names (reentrant: SIGHUP reloads may run in threads) */

enum lookup_by { BY_UID, BY_USER, BY_GID, BY_GROUP };

struct ident {
	bool found;
	int error;              /* from the get*_r call when not found */
	uid_t uid;
	gid_t gid;              /* the user's primary group, or the group */
	char name[256];
};

/* getpw*_r and getgr*_r want scratch space: grow it on ERANGE. */
static void
lookup(enum lookup_by by, const char *name, unsigned long id,
    struct ident *out)
{
	size_t cap = 1024;

	memset(out, 0, sizeof(*out));
	for (;;) {
		char *buf = sp_xmalloc(cap);
		struct passwd pw, *pres = NULL;
		struct group gr, *gres = NULL;
		int rc = 0;

		switch (by) {
		case BY_UID:
			rc = getpwuid_r((uid_t)id, &pw, buf, cap, &pres);
			break;
		case BY_USER:
			rc = getpwnam_r(name, &pw, buf, cap, &pres);
			break;
		case BY_GID:
			rc = getgrgid_r((gid_t)id, &gr, buf, cap, &gres);
			break;
		case BY_GROUP:
			rc = getgrnam_r(name, &gr, buf, cap, &gres);
			break;
		}
		if (rc == ERANGE && cap < 1024 * 1024) {
			free(buf);
			cap *= 4;
			continue;
		}
		out->error = rc;
		if (rc == 0 && pres != NULL) {
			out->found = true;
			out->uid = pw.pw_uid;
			out->gid = pw.pw_gid;
			snprintf(out->name, sizeof(out->name), "%s", pw.pw_name);
		} else if (rc == 0 && gres != NULL) {
			out->found = true;
			out->gid = gr.gr_gid;
			snprintf(out->name, sizeof(out->name), "%s", gr.gr_name);
		}
		free(buf);
		return;
	}
}

static bool
uid_name(uid_t uid, char *out, size_t outlen)
{
	struct ident id;

	lookup(BY_UID, NULL, (unsigned long)uid, &id);
	if (id.found)
		snprintf(out, outlen, "%s", id.name);
	return id.found;
}

/*
 * The group a key file should carry so that `user` can read it through mode
 * 0640: a group of the same name (adduser --system --group), else the
 * user's primary group.
 */
bool
sp_key_user_group(const char *user, gid_t *gid, char *out, size_t outlen)
{
	struct ident id;

	lookup(BY_GROUP, user, 0, &id);
	if (!id.found) {
		lookup(BY_USER, user, 0, &id);
		if (!id.found)
			return false;
		lookup(BY_GID, NULL, (unsigned long)id.gid, &id);
		if (!id.found)
			return false;
	}
	if (gid != NULL)
		*gid = id.gid;
	snprintf(out, outlen, "%s", id.name);
	return true;
}

static bool
user_group_name(const char *user, char *out, size_t outlen)
{
	return sp_key_user_group(user, NULL, out, outlen);
}

void
sp_gid_text(gid_t gid, char *out, size_t outlen)
{
	struct ident id;

	lookup(BY_GID, NULL, (unsigned long)gid, &id);
	if (id.found)
		snprintf(out, outlen, "%s", id.name);
	else
		snprintf(out, outlen, "gid %lu", (unsigned long)gid);
}

void
sp_uid_text(uid_t uid, char *out, size_t outlen)
{
	if (!uid_name(uid, out, outlen))
		snprintf(out, outlen, "uid %lu", (unsigned long)uid);
}

static void
add_owner(struct sp_key_rules *rules, uid_t uid)
{
	for (size_t i = 0; i < rules->n_owners; i++)
		if (rules->owners[i] == uid)
			return;
	if (rules->n_owners >= sizeof(rules->owners) / sizeof(rules->owners[0]))
		SP_BUG("more than %zu key owners", rules->n_owners);
	rules->owners[rules->n_owners++] = uid;
}

/* --- the milter user's way to each key ---------------------------------- */

static bool
reader_in_group(const struct sp_key_rules *rules, gid_t gid)
{
	for (size_t i = 0; i < rules->n_reader_groups; i++)
		if (rules->reader_groups[i] == gid)
			return true;
	return false;
}

/*
 * May the milter user have every bit of `want` (4 read, 1 search) on a file
 * with this stat? The kernel uses one class: owner, else group, else other.
 */
static bool
reader_may(const struct sp_key_rules *rules, const struct stat *st,
    unsigned want)
{
	unsigned bits = (unsigned)st->st_mode;

	if (st->st_uid == rules->reader_uid)
		bits >>= 6;
	else if (reader_in_group(rules, st->st_gid))
		bits >>= 3;
	return (bits & want) == want;
}

/* "mode 0700, owner root, group root" */
static void
describe_stat(const struct stat *st, char *out, size_t outlen)
{
	char owner[256], group[256];

	sp_uid_text(st->st_uid, owner, sizeof(owner));
	sp_gid_text(st->st_gid, group, sizeof(group));
	snprintf(out, outlen, "mode %04o, owner %s, group %s",
	    (unsigned)(st->st_mode & 07777), owner, group);
}

/* The group to give what the milter user must read: its own, else its name. */
static void
reader_group(const struct sp_key_rules *rules, char *out, size_t outlen)
{
	if (!user_group_name(rules->owner_name, out, outlen))
		snprintf(out, outlen, "%s", rules->owner_name);
}

/* A directory the milter user must search; a missing one is the open's to report. */
static bool
check_reader_dir(const struct sp_key_rules *rules, const char *dir,
    sp_err *err)
{
	struct stat st;
	char how[600], group[256];

	if (stat(dir, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return true;
		sp_err_set(err, "%s: cannot stat the key folder: %s", dir,
		    strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || reader_may(rules, &st, 1))
		return true;
	describe_stat(&st, how, sizeof(how));
	reader_group(rules, group, sizeof(group));
	sp_err_set(err, "%s: key folder %s: the milter user %s cannot enter "
	    "it, so it cannot read the keys below it after dropping "
	    "privileges and every reload would fail; run: chown root:%s %s "
	    "&& chmod 0750 %s", dir, how, rules->owner_name, group, dir, dir);
	return false;
}

static bool
check_keys_dir(const struct sp_key_rules *rules, sp_err *err)
{
	return rules->keys_dir == NULL ||
	    check_reader_dir(rules, rules->keys_dir, err);
}

/*
 * Every directory between keys_dir and the key (keys_dir itself is checked
 * once, when the rules are made), then the key: the milter user must get
 * through all of them on every reload.
 */
static bool
check_reader_path(const struct stat *st, const char *path,
    const struct sp_key_rules *rules, sp_err *err)
{
	size_t kl = rules->keys_dir != NULL ? strlen(rules->keys_dir) : 0;
	char how[600], group[256];

	if (!rules->check_reader)
		return true;
	while (kl > 1 && rules->keys_dir[kl - 1] == '/')
		kl--;
	if (kl > 0 && strncmp(path, rules->keys_dir, kl) == 0 &&
	    path[kl] == '/') {
		for (const char *s = strchr(path + kl + 1, '/'); s != NULL;
		    s = strchr(s + 1, '/')) {
			char *dir = sp_xstrndup(path, (size_t)(s - path));
			bool good = check_reader_dir(rules, dir, err);

			free(dir);
			if (!good)
				return false;
		}
	}
	if (reader_may(rules, st, 4))
		return true;
	describe_stat(st, how, sizeof(how));
	reader_group(rules, group, sizeof(group));
	sp_err_set(err, "%s: key file %s: the milter user %s cannot read it, "
	    "so every reload after dropping privileges would fail; run: "
	    "chown root:%s %s && chmod 0640 %s", path, how, rules->owner_name,
	    group, path, path);
	return false;
}

/*
 * The milter user re-reads every key after dropping privileges (reload),
 * with its own groups (initgroups): when root loads keys for it (start-up,
 * -t), remember who it is and where keys live.
 */
static void
set_reader(struct sp_key_rules *rules, const struct sp_config *conf,
    const char *user, const struct ident *id)
{
	int n = (int)(sizeof(rules->reader_groups) /
	    sizeof(rules->reader_groups[0]));

	/* only root can become the user; as the user, the open itself tells */
	if (id->uid == 0 || geteuid() != 0)
		return;
	rules->check_reader = true;
	rules->reader_uid = id->uid;
	/* glibc fills what fits and returns -1 when there are more */
	if (getgrouplist(user, id->gid, rules->reader_groups, &n) < 0)
		n = (int)(sizeof(rules->reader_groups) /
		    sizeof(rules->reader_groups[0]));
	rules->n_reader_groups = (size_t)n;
	rules->keys_dir = conf->signing.keys_dir;
}

bool
sp_key_rules_from_config(const struct sp_config *conf, bool need_user,
    struct sp_key_rules *rules, sp_err *err)
{
	const char *user = conf != NULL ? conf->milter.user : NULL;

	memset(rules, 0, sizeof(*rules));
	rules->allow_weak_rsa = conf != NULL && conf->signing.allow_weak_rsa;
	add_owner(rules, 0);
	if (user != NULL && *user != '\0') {
		struct ident id;
		bool odd;

		lookup(BY_USER, user, 0, &id);
		odd = id.error != 0 && id.error != ENOENT && id.error != ESRCH;
		if (id.found) {
			add_owner(rules, id.uid);
			rules->owner_name = user;
			if (need_user)
				set_reader(rules, conf, user, &id);
		} else if (need_user) {
			sp_err_set(err, "%s: [milter] user %s does not exist%s%s; "
			    "create it (e.g. adduser --system --group %s) or "
			    "change the setting",
			    conf->path != NULL ? conf->path : "configuration",
			    user, odd ? ": " : "", odd ? strerror(id.error) : "",
			    user);
			return false;
		}
	}
	add_owner(rules, geteuid());
	return rules->check_reader ? check_keys_dir(rules, err) : true;
}

/* --- owner and mode ---------------------------------------------------- */

/* "root or signpost", "root, signpost or alice" */
static void
describe_owners(const struct sp_key_rules *rules, struct sp_buf *b)
{
	for (size_t i = 0; i < rules->n_owners; i++) {
		char name[256];

		if (i > 0)
			sp_buf_puts(b, i + 1 == rules->n_owners ? " or " : ", ");
		if (uid_name(rules->owners[i], name, sizeof(name)))
			sp_buf_puts(b, name);
		else
			sp_buf_printf(b, "uid %lu", (unsigned long)rules->owners[i]);
	}
}

/*
 * The owner to suggest: "root:signpost" when the milter has its own user
 * (it reads the key through the group), else the running user when that
 * is not root (it must read the key itself), else "root".
 */
static void
describe_chown(const struct sp_key_rules *rules, struct sp_buf *b)
{
	char name[256];

	if (rules->owner_name != NULL) {
		sp_buf_puts(b, "root");
		if (user_group_name(rules->owner_name, name, sizeof(name)))
			sp_buf_printf(b, ":%s", name);
		return;
	}
	for (size_t i = rules->n_owners; i-- > 0;) {
		if (rules->owners[i] == 0)
			continue;
		if (uid_name(rules->owners[i], name, sizeof(name)))
			sp_buf_puts(b, name);
		else
			sp_buf_printf(b, "%lu", (unsigned long)rules->owners[i]);
		return;
	}
	sp_buf_puts(b, "root");
}

static bool
check_owner(const struct stat *st, const char *path,
    const struct sp_key_rules *rules, sp_err *err)
{
	struct sp_buf owners = SP_BUF_INIT, fix = SP_BUF_INIT;
	char name[256];

	for (size_t i = 0; i < rules->n_owners; i++)
		if (rules->owners[i] == st->st_uid)
			return true;
	describe_owners(rules, &owners);
	describe_chown(rules, &fix);
	if (uid_name(st->st_uid, name, sizeof(name)))
		sp_err_set(err, "%s: owned by uid %lu (%s), not %s; run: chown %s %s",
		    path, (unsigned long)st->st_uid, name, owners.data,
		    fix.data, path);
	else
		sp_err_set(err, "%s: owned by uid %lu, not %s; run: chown %s %s",
		    path, (unsigned long)st->st_uid, owners.data, fix.data,
		    path);
	sp_buf_free(&owners);
	sp_buf_free(&fix);
	return false;
}

/* Refuse group write and any access by others (read or write). */
static bool
check_mode(const struct stat *st, const char *path, sp_err *err)
{
	mode_t mode = st->st_mode & 07777;
	bool gw = (mode & S_IWGRP) != 0;
	bool orr = (mode & S_IROTH) != 0, ow = (mode & S_IWOTH) != 0;
	const char *others;

	if (!gw && !orr && !ow)
		return true;
	others = orr && ow ? "readable and writable by others" :
	    orr ? "readable by others" : ow ? "writable by others" : NULL;
	sp_err_set(err, "%s: mode %04o is %s%s%s; run: chmod %04o %s", path,
	    (unsigned)mode, gw ? "writable by group" : "",
	    gw && others != NULL ? " and " : "", others != NULL ? others : "",
	    (unsigned)(mode & 0750), path);
	return false;
}

static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

bool
sp_key_check_file(int fd, const char *path, const struct sp_key_rules *rules,
    sp_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		sp_err_set(err, "%s: cannot stat: %s", path, strerror(errno));
		return false;
	}
	return sp_key_check_stat(&st, path, rules, err);
}

bool
sp_key_check_stat(const struct stat *st, const char *path,
    const struct sp_key_rules *rules, sp_err *err)
{
	if (rules == NULL)
		SP_BUG("no key rules for %s", path);
	if (!S_ISREG(st->st_mode)) {
		sp_err_set(err, "%s: is %s, not a key file", path,
		    file_kind(st->st_mode));
		return false;
	}
	return check_mode(st, path, err) &&
	    check_owner(st, path, rules, err) &&
	    check_reader_path(st, path, rules, err);
}

/* --- open failures ----------------------------------------------------- */

/* The first directory on path the running user cannot search (caller frees). */
static char *
first_closed_dir(const char *path)
{
	for (const char *s = strchr(path + 1, '/'); s != NULL;
	    s = strchr(s + 1, '/')) {
		char *dir = sp_xstrndup(path, (size_t)(s - path));

		if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) != 0 &&
		    errno == EACCES)
			return dir;
		free(dir);
	}
	return NULL;
}

/* EACCES because a directory on the way is closed: name it, and the fix. */
static bool
closed_dir_failed(const char *path, const char *user, const char *group,
    sp_err *err)
{
	char *dir = first_closed_dir(path);
	struct stat st;
	char how[600];

	if (dir == NULL)
		return false;
	if (stat(dir, &st) == 0)
		describe_stat(&st, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "unknown mode");
	if (group != NULL)
		sp_err_set(err, "%s: cannot open key file as user %s: the "
		    "folder %s (%s) does not let it in; run: chown root:%s %s "
		    "&& chmod 0750 %s", path, user, dir, how, group, dir, dir);
	else
		sp_err_set(err, "%s: cannot open key file as user %s: the "
		    "folder %s (%s) does not let it in", path, user, dir, how);
	free(dir);
	return true;
}

void
sp_key_open_failed(const char *path, const char *domain,
    const char *selector, const struct sp_key_rules *rules, sp_err *err)
{
	int e = errno;
	uid_t uid = geteuid();
	char name[256], group[256];
	bool milter_user = e == EACCES && uid != 0 &&
	    rules->owner_name != NULL && uid_name(uid, name, sizeof(name)) &&
	    strcmp(name, rules->owner_name) == 0 &&
	    user_group_name(name, group, sizeof(group));

	if (e == EACCES && !milter_user)
		sp_uid_text(uid, name, sizeof(name));
	if (e == EACCES && closed_dir_failed(path, name,
	    milter_user ? group : NULL, err))
		return;
	if (e == ENOENT && domain != NULL && selector != NULL) {
		sp_err_set(err, "%s: cannot open key file: %s; make one with: "
		    "dnsgen keygen -d %s -s %s", path, strerror(e), domain,
		    selector);
	} else if (milter_user) {
		/* the milter re-reading keys after dropping to its user */
		sp_err_set(err, "%s: cannot open key file as user %s: %s; "
		    "let its group read the key: run: chown root:%s %s && "
		    "chmod 0640 %s", path, name, strerror(e), group, path,
		    path);
	} else if (e == EACCES) {
		sp_err_set(err, "%s: cannot open key file as user %s: %s",
		    path, name, strerror(e));
	} else {
		sp_err_set(err, "%s: cannot open key file: %s", path,
		    strerror(e));
	}
}

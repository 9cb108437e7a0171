/*
 * rundir.c - the files signpost-milter leaves in the file system while it
 * runs, and the directories they live in: the pidfile and the unix socket.
 *
 * The daemon starts as root and these directories may be writable by the
 * milter's user, which is the user an attacker gets if the worker is ever
 * taken over. So root never acts on a name there that such a user could
 * have swapped: every file is reached through a descriptor of its
 * directory, opened once and checked with fstat(2) (what was checked is
 * what is used, whatever happens to the path later), and
 *
 * - a directory that anyone but root, the starting user and the milter's
 *   user (or its group) can write is refused outright;
 * - the pidfile is created with O_NOFOLLOW and must then be a regular file
 *   with one link, owned by us, before it is locked and truncated: a
 *   symlink or a hard link to another file is refused, never written;
 * - unix sockets: see listen.c, which uses the same checks;
 * - at exit the supervisor removes each file through its directory's
 *   descriptor, and only when it is still the very file we made (device
 *   and inode), logging what it could not remove.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/keyperm.h"
#include "signpost/log.h"
#include "milter.h"

/* "/a/b/c" -> dir "/a/b", base "c"; "/c" -> "/", "c". */
static char *
split_path(const char *path, char **base)
{
	char *dir = sp_xstrdup(path);
	char *slash = strrchr(dir, '/');

	*base = sp_xstrdup(slash + 1);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

int
mt_dir_open(const char *file, char **dir, char **base, struct stat *st,
    sp_err *err)
{
	int fd;

	*dir = split_path(file, base);
	if ((*base)[0] == '\0') {
		sp_err_set(err, "%s: names a directory, not a file", file);
		goto fail;
	}
	/* O_PATH: only search permission is needed, as for a path. */
	fd = open(*dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		sp_err_set(err, "directory %s: %s: create it (owned by root, "
		    "mode 0755, or see signpost-milter(8), FILES)", *dir,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, st) != 0) {
		sp_err_set(err, "directory %s: %s", *dir, strerror(errno));
		close(fd);
		goto fail;
	}
	return fd;
fail:
	free(*dir);
	free(*base);
	*dir = *base = NULL;
	return -1;
}

/*
 * Who may write the directory: its owner (always, through chmod), its
 * group when g+w, everyone when o+w. Safe when each of them is root, the
 * user we run as, or the milter's user `uid` / group `gid` (-1: none).
 */
bool
mt_dir_safe(const char *dir, const struct stat *st, uid_t uid, gid_t gid,
    sp_err *err)
{
	char who[64];

	if ((st->st_mode & S_IWOTH) != 0) {
		sp_err_set(err, "directory %s is writable by every user: "
		    "chmod o-w %s, or use a directory that only root (and "
		    "the milter's user) can write", dir, dir);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid() &&
	    (uid == (uid_t)-1 || st->st_uid != uid)) {
		sp_uid_text(st->st_uid, who, sizeof(who));
		sp_err_set(err, "directory %s is owned by %s, who could "
		    "replace what we create there: chown root %s", dir, who,
		    dir);
		return false;
	}
	if ((st->st_mode & S_IWGRP) != 0 && st->st_gid != 0 &&
	    st->st_gid != getegid() && (gid == (gid_t)-1 || st->st_gid != gid)) {
		sp_gid_text(st->st_gid, who, sizeof(who));
		sp_err_set(err, "directory %s is writable by group %s: "
		    "chmod g-w %s", dir, who, dir);
		return false;
	}
	return true;
}

/* The owner counts whatever the mode says: it can chmod u+w. */
bool
mt_dir_writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid != (uid_t)-1 && st->st_uid == uid)
		return true;
	return gid != (gid_t)-1 && st->st_gid == gid &&
	    (st->st_mode & S_IWGRP) != 0;
}

/* ---- removal at exit ---- */

void
mt_runfile_forget(struct mt_runfile *rf)
{
	if (rf->dirfd >= 0)
		close(rf->dirfd);
	free(rf->path);
	free(rf->base);
	memset(rf, 0, sizeof(*rf));
	rf->dirfd = -1;
}

bool
mt_runfile_remember(struct mt_runfile *rf, const char *path, sp_err *err)
{
	struct stat dst, st;
	char *dir;

	mt_runfile_forget(rf);
	rf->dirfd = mt_dir_open(path, &dir, &rf->base, &dst, err);
	if (rf->dirfd < 0)
		return false;
	free(dir);
	rf->path = sp_xstrdup(path);
	if (fstatat(rf->dirfd, rf->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		sp_err_set(err, "%s: %s", path, strerror(errno));
		mt_runfile_forget(rf);
		return false;
	}
	rf->dev = st.st_dev;
	rf->ino = st.st_ino;
	return true;
}

/* Remove `rf` if it is still the file we made; say so when we cannot. */
void
mt_runfile_remove(struct mt_runfile *rf, const char *what)
{
	struct stat st;

	if (rf->path == NULL)
		return;
	if (fstatat(rf->dirfd, rf->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			sp_log_errno(SP_LOG_WARNING, "cannot check the %s %s "
			    "before removing it", what, rf->path);
	} else if (st.st_dev != rf->dev || st.st_ino != rf->ino) {
		sp_log(SP_LOG_NOTICE, "%s %s was replaced by another file: "
		    "left in place", what, rf->path);
	} else if (unlinkat(rf->dirfd, rf->base, 0) != 0 && errno != ENOENT) {
		sp_log_errno(SP_LOG_WARNING, "cannot remove the %s %s; remove "
		    "it by hand", what, rf->path);
	}
	mt_runfile_forget(rf);
}

/* ---- pidfile ---- */

/* The PID written in an open pidfile, or -1. */
static long
read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return end != buf && pid > 0 ? pid : -1;
}

/* A regular file with one link that we own: not a link to someone else's. */
static bool
pidfile_is_ours(int fd, const char *path, sp_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		sp_err_set(err, "pidfile %s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		sp_err_set(err, "pidfile %s is not a plain file of ours (a "
		    "hard link, or made by another user): not touched; "
		    "remove it", path);
		return false;
	}
	return true;
}

/*
 * The pidfile's directory: only root (or the user we run as) may write it.
 * Not even the milter's user: the PID in the file is trusted by root
 * (systemd, "kill -HUP $(cat pidfile)", dnsgen rotate), so a worker taken
 * over must not be able to point it at another process.
 */
static bool
pidfile_dir_safe(const char *dir, const struct stat *st, uid_t uid,
    gid_t gid, sp_err *err)
{
	if (uid != geteuid() && mt_dir_writable_by(st, uid, gid)) {
		sp_err_set(err, "directory %s of the pidfile is writable by the "
		    "milter's user: make it root's (install -d -o root -m 0755 "
		    "%s; systemd's RuntimeDirectory= does this)", dir, dir);
		return false;
	}
	return mt_dir_safe(dir, st, (uid_t)-1, (gid_t)-1, err);
}

bool
mt_pidfile_check_dir(const char *path, uid_t uid, gid_t gid, sp_err *err)
{
	char *dir, *base;
	struct stat st;
	bool ok;
	int fd = mt_dir_open(path, &dir, &base, &st, err);

	if (fd < 0)
		return false;
	ok = pidfile_dir_safe(dir, &st, uid, gid, err);
	close(fd);
	free(dir);
	free(base);
	return ok;
}

int
mt_pidfile_open(struct mt_pidfile *pf, const char *path, uid_t uid,
    gid_t gid, sp_err *err)
{
	struct stat dst;
	char *dir;
	int fd;

	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	pf->file.dirfd = mt_dir_open(path, &dir, &pf->file.base, &dst, err);
	if (pf->file.dirfd < 0)
		return 2;
	pf->file.path = sp_xstrdup(path);
	if (!pidfile_dir_safe(dir, &dst, uid, gid, err)) {
		free(dir);
		goto fail;
	}
	free(dir);
	/* No O_TRUNC: nothing is written before the checks below. */
	fd = openat(pf->file.dirfd, pf->file.base, O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		sp_err_set(err, "cannot create pidfile %s: %s%s", path,
		    strerror(errno), errno == ELOOP ? " (a symbolic link: "
		    "remove it)" : "");
		goto fail;
	}
	pf->fd = fd;
	if (!pidfile_is_ours(fd, path, err))
		goto fail;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		long other = read_pid(fd);

		sp_err_set(err, "already running as PID %ld (pidfile %s)",
		    other, path);
		goto fail;
	}
	return 0;
fail:
	mt_pidfile_close(pf);
	return 2;
}

bool
mt_pidfile_write(struct mt_pidfile *pf, sp_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	struct stat st;

	if (ftruncate(pf->fd, 0) != 0 ||
	    pwrite(pf->fd, buf, (size_t)n, 0) != n) {
		sp_err_set(err, "writing pidfile %s: %s", pf->file.path,
		    strerror(errno));
		return false;
	}
	if (fstat(pf->fd, &st) == 0) {
		pf->file.dev = st.st_dev;
		pf->file.ino = st.st_ino;
	}
	return true;
}

void
mt_pidfile_close(struct mt_pidfile *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	pf->fd = -1;
	mt_runfile_forget(&pf->file);
}

void
mt_pidfile_remove(struct mt_pidfile *pf)
{
	if (pf->fd < 0)
		return;
	mt_runfile_remove(&pf->file, "pidfile");
	close(pf->fd);                  /* releases the lock last */
	pf->fd = -1;
}

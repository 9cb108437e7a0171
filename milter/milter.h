/*
 * milter.h - the parts of signpost-milter and how they meet:
 *
 *   main.c      options, start-up order, -t
 *   process.c   the two processes: a supervisor that owns the signals and
 *               a worker that runs libmilter (why: see process.c)
 *   snapshot.c  the configuration and keys in force, refcounted, swapped
 *               whole on reload
 *   filter.c    the libmilter callbacks: one state per message, the
 *               signing policy, the on_error reply, the log line
 *   listen.c    the listening socket (stale unix socket, socket_mode,
 *               its owner), the open-file limit, dropping privileges
 *   rundir.c    the pidfile and the directories of the run-time files:
 *               checked, created without following links, removed at exit
 *   check.c     what -t prints
 *   metrics.c   the counters and metrics_file (metrics.h)
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_MILTER_H
#define SIGNPOST_MILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "signpost/conf.h"
#include "signpost/keys.h"
#include "signpost/util.h"

#define MT_NAME "signpost-milter"

/* How long SIGTERM waits for messages in flight before stopping anyway. */
#define MT_DRAIN_SECONDS 60

/* ---- snapshot.c ---- */

/* One configuration and the keys it names, shared read-only by messages. */
struct mt_snapshot {
	struct sp_config *conf;
	struct sp_keyset *keys;
	unsigned long generation;       /* 1 at start, +1 per successful reload */
	unsigned refs;                  /* guarded by the snapshot lock */
	bool retired;                   /* replaced by a reload (same lock) */
};

/* Load the keys of `conf` (taking ownership of it) into a new snapshot. */
struct mt_snapshot *mt_snapshot_build(struct sp_config *conf, sp_err *err);
/* Make `snap` the current one; messages already running keep theirs. */
void mt_snapshot_install(struct mt_snapshot *snap);
/* The current snapshot, with a reference the caller must release. */
struct mt_snapshot *mt_snapshot_acquire(void);
void mt_snapshot_release(struct mt_snapshot *snap);
/* SIGHUP: re-read `path` and its keys; on any error log it, keep the old. */
bool mt_snapshot_reload(const char *path);
/* At exit: drop the current snapshot. */
void mt_snapshot_shutdown(void);

/* ---- filter.c ---- */

/* Register the callbacks with libmilter (before smfi_main). */
bool mt_filter_register(sp_err *err);
/* SIGTERM: refuse new connections and messages, wait (at most `seconds`)
 * for messages in flight; returns how many were still running. */
unsigned mt_filter_drain(unsigned seconds);
/* For the metrics: messages in flight, MTA connections open. */
unsigned mt_filter_in_flight(void);
unsigned mt_filter_connections(void);

/* ---- listen.c ---- */

/*
 * Prepare the socket `spec` (unix:/local:PATH, inet:PORT@HOST,
 * inet6:PORT@HOST) and open it with libmilter: a stale unix socket left by
 * a dead instance is removed, a live one or a non-socket is refused.
 */
bool mt_listen_open(const char *spec, unsigned mode, uid_t uid, gid_t gid,
    sp_err *err);
/* The path of a unix socket spec, or NULL for inet/inet6. */
const char *mt_listen_unix_path(const char *spec);
/*
 * -t and start-up: the socket's directory exists and only root and the
 * milter's user can write it.
 */
bool mt_listen_check_dir(const char *spec, uid_t uid, gid_t gid, sp_err *err);
/*
 * Connect to our own socket and hang up: wakes libmilter's listener, which
 * otherwise notices smfi_stop() only at its next 5-second poll timeout.
 */
void mt_listen_knock(const char *spec);
/* Raise RLIMIT_NOFILE as far as allowed; returns the soft limit. */
unsigned long mt_raise_nofile(void);
/* Look up `user` (NULL: none) for mt_drop_privileges. */
bool mt_lookup_user(const char *user, uid_t *uid, gid_t *gid, sp_err *err);
/* initgroups/setgid/setuid to `user`, and check root cannot be regained. */
bool mt_drop_privileges(const char *user, uid_t uid, gid_t gid, sp_err *err);

/* ---- rundir.c ---- */

/* A file we created, to remove at exit only if it is still that file. */
struct mt_runfile {
	int dirfd;                      /* its directory, opened once */
	char *path;
	char *base;                     /* its name in that directory */
	dev_t dev;
	ino_t ino;
};

/*
 * Open the directory of `file` (*dir, *base: its parts, to free) and fstat
 * it into `st`; the descriptor, or -1 with err set.
 */
int mt_dir_open(const char *file, char **dir, char **base, struct stat *st,
    sp_err *err);
/* Only root, we, and the milter's user `uid` / group `gid` can write it. */
bool mt_dir_safe(const char *dir, const struct stat *st, uid_t uid,
    gid_t gid, sp_err *err);
/* The milter's user (or its group) can write the directory. */
bool mt_dir_writable_by(const struct stat *st, uid_t uid, gid_t gid);
/* Note the file now at `path` (it must exist) for mt_runfile_remove. */
bool mt_runfile_remember(struct mt_runfile *rf, const char *path,
    sp_err *err);
/* Remove it if it is still the same file; log what could not be removed. */
void mt_runfile_remove(struct mt_runfile *rf, const char *what);
void mt_runfile_forget(struct mt_runfile *rf);

struct mt_pidfile {
	int fd;                         /* open and locked while we run */
	struct mt_runfile file;
};

/*
 * Create and lock the pidfile (no symlinks, no hard links, in a directory
 * only root can write when root starts us for `uid`); 0, or 2 with err set
 * ("already running as PID n" when another instance holds it).
 */
int mt_pidfile_open(struct mt_pidfile *pf, const char *path, uid_t uid,
    gid_t gid, sp_err *err);
/* -t: the pidfile's directory passes mt_pidfile_open's checks. */
bool mt_pidfile_check_dir(const char *path, uid_t uid, gid_t gid,
    sp_err *err);
bool mt_pidfile_write(struct mt_pidfile *pf, sp_err *err);
/* In a child: close it without removing it. */
void mt_pidfile_close(struct mt_pidfile *pf);
/* At exit: remove it (if still ours) and release the lock. */
void mt_pidfile_remove(struct mt_pidfile *pf);

/* ---- check.c ---- */

/* -t: check config and keys, print the signing plan; exit status 0 or 2. */
int mt_check(const char *path);

/* ---- process.c ---- */

struct mt_options {
	const char *config_path;
	bool foreground;
};

/* Run the daemon; returns the exit status. */
int mt_run(const struct mt_options *opts, struct sp_config *conf);

#endif

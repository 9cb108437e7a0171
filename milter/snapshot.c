/*
 * snapshot.c - the configuration and keys in force, as one refcounted
 * snapshot. Each message takes a reference when it starts and drops it when
 * it ends, so a reload (SIGHUP) swaps the whole snapshot at once: messages
 * in flight finish with the keys they started with, the next message gets
 * the new ones, and a snapshot is freed when its last message lets go.
 * A reload that fails (bad config line, unreadable or unsafe key) changes
 * nothing.
 *
 * With 100,000 domains a snapshot holds 200,000 keys: building one takes
 * seconds and freeing one a good fraction of a second. The new snapshot
 * (configuration included) is built by a thread of its own while the old
 * one keeps signing, its keys by a few loader threads, and unchanged keys
 * are taken over from the old one rather than read and decoded again; a
 * snapshot whose last reference a message drops is freed by a thread of
 * its own, so that message's reply does not wait for it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "signpost/keystate.h"
#include "signpost/log.h"
#include "milter.h"

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mt_snapshot *current;
static unsigned long generation;

static void
snapshot_free(struct mt_snapshot *snap)
{
	sp_keyset_free(snap->keys);
	sp_config_free(snap->conf);
	free(snap);
}

/*
 * The freed snapshot's pages go back to the system: without this the
 * worker keeps the memory of two snapshots after every reload. malloc_trim
 * gives back whole free pages only, each arena under its own lock for a
 * moment, so messages being signed meanwhile wait little.
 */
static void *
reaper_main(void *arg)
{
	snapshot_free(arg);
	malloc_trim(0);
	return NULL;
}

/* Free a snapshot off the caller's thread (inline if no thread starts). */
static void
snapshot_free_later(struct mt_snapshot *snap)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (pthread_attr_init(&attr) != 0) {
		snapshot_free(snap);
		return;
	}
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, reaper_main, snap);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		snapshot_free(snap);
}

/* The snapshot of conf; keys unchanged since `previous` are taken over. */
static struct mt_snapshot *
snapshot_build(struct sp_config *conf, const struct sp_keyset *previous,
    size_t threads, sp_err *err)
{
	struct sp_key_rules rules;
	struct sp_keyset *keys;
	struct mt_snapshot *snap;

	/* A rotating domain signs with the keys its state file calls active. */
	if (!sp_keystate_select_active(conf, err) ||
	    !sp_key_rules_from_config(conf, conf->milter.user != NULL, &rules,
	    err)) {
		sp_config_free(conf);
		return NULL;
	}
	keys = sp_keyset_reload(conf, &rules, previous, threads, err);
	if (keys == NULL) {
		sp_config_free(conf);
		return NULL;
	}
	snap = sp_xcalloc(1, sizeof(*snap));
	snap->conf = conf;
	snap->keys = keys;
	return snap;
}

struct mt_snapshot *
mt_snapshot_build(struct sp_config *conf, sp_err *err)
{
	return snapshot_build(conf, NULL, SP_KEYSET_ALL_CPUS, err);
}

void
mt_snapshot_install(struct mt_snapshot *snap)
{
	struct mt_snapshot *old;

	pthread_mutex_lock(&snap_lock);
	snap->generation = ++generation;
	snap->refs++;                   /* the "current" reference */
	old = current;
	if (old != NULL)
		old->retired = true;    /* a message may drop it last */
	current = snap;
	pthread_mutex_unlock(&snap_lock);
	sp_log_set_level(snap->conf->milter.log_level);
	/* libmilter refuses larger packets; it applies to the next one read. */
	(void)smfi_setmaxdatasize((size_t)snap->conf->milter.max_packet_size);
	if (old != NULL)
		mt_snapshot_release(old);
}

struct mt_snapshot *
mt_snapshot_acquire(void)
{
	struct mt_snapshot *snap;

	pthread_mutex_lock(&snap_lock);
	snap = current;
	if (snap == NULL)
		SP_BUG("no configuration installed");
	snap->refs++;
	pthread_mutex_unlock(&snap_lock);
	return snap;
}

void
mt_snapshot_release(struct mt_snapshot *snap)
{
	bool last, later;

	if (snap == NULL)
		return;
	pthread_mutex_lock(&snap_lock);
	if (snap->refs == 0)
		SP_BUG("snapshot %lu released more often than taken",
		    snap->generation);
	last = --snap->refs == 0;
	later = snap->retired;
	pthread_mutex_unlock(&snap_lock);
	if (last && later)
		snapshot_free_later(snap);
	else if (last)
		snapshot_free(snap);
}

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Settings bound at start-up: a reload cannot apply them, so say so. */
static void
warn_fixed_settings(const struct sp_config *old, const struct sp_config *new)
{
	if (!same_text(old->milter.socket, new->milter.socket))
		sp_log(SP_LOG_WARNING, "reload: socket changed to %s; "
		    "still listening on %s until restarted",
		    new->milter.socket, old->milter.socket);
	if (old->milter.socket_mode != new->milter.socket_mode)
		sp_log(SP_LOG_WARNING, "reload: socket_mode applies at the "
		    "next restart");
	if (!same_text(old->milter.user, new->milter.user))
		sp_log(SP_LOG_WARNING, "reload: user applies at the next "
		    "restart");
	if (!same_text(old->milter.pidfile, new->milter.pidfile))
		sp_log(SP_LOG_WARNING, "reload: pidfile applies at the next "
		    "restart");
	if (!same_text(old->milter.metrics_file, new->milter.metrics_file))
		sp_log(SP_LOG_WARNING, "reload: metrics_file applies at the "
		    "next restart");
}

/* What a reload's builder thread gets and gives back. */
struct reload_build {
	const char *path;
	const struct sp_keyset *previous;
	struct mt_snapshot *snap;
	bool conf_failed;               /* else the keys failed */
	sp_err err;
};

/*
 * Loader threads for the keys (the builder waits for them): at most half
 * the CPUs less one, and at least one, so that at least half the CPUs stay
 * with the mail. On 2 CPUs a second loader ended the keys phase sooner but
 * left the signing threads and the MTA no CPU in it: under steady mail the
 * longest waits came from that phase (tests/bench/README.md, "One loader
 * on 2 CPUs").
 */
static size_t
reload_threads(void)
{
	long half = sysconf(_SC_NPROCESSORS_ONLN) / 2;

	return half > 1 ? (size_t)(half - 1) : 1;
}

/*
 * The configuration and keys of a reload, built by one thread (and its
 * loaders for the keys) at the signing threads' own priority:
 * at nice 10 a reload beside steady mail got a tenth of a CPU and took
 * four times as long as a start, and a loader holding a lock the signing
 * threads need (the allocator's, OpenSSL's) waited that long to release
 * it. Normal priority and a short reload keep the messages flowing instead.
 */
static void *
reload_build_main(void *arg)
{
	struct reload_build *b = arg;
	struct sp_config *conf = sp_config_load(b->path, &b->err);

	if (conf == NULL) {
		b->conf_failed = true;
		return NULL;
	}
	b->snap = snapshot_build(conf, b->previous, reload_threads(), &b->err);
	return NULL;
}

static struct mt_snapshot *
build_in_background(struct reload_build *b)
{
	pthread_t tid;

	if (pthread_create(&tid, NULL, reload_build_main, b) != 0)
		reload_build_main(b);
	else
		pthread_join(tid, NULL);
	return b->snap;
}

bool
mt_snapshot_reload(const char *path)
{
	struct reload_build b = { .path = path };
	struct mt_snapshot *snap;
	struct mt_snapshot *old;

	old = mt_snapshot_acquire();
	b.previous = old->keys;
	snap = build_in_background(&b);
	if (snap == NULL) {
		mt_snapshot_release(old);
		sp_log(SP_LOG_ERROR, "reload failed, keeping the configuration "
		    "%sin force: %s", b.conf_failed ? "" : "and keys ",
		    b.err.msg);
		return false;
	}
	warn_fixed_settings(old->conf, snap->conf);
	mt_snapshot_release(old);
	mt_snapshot_install(snap);
	sp_log(SP_LOG_NOTICE, "reloaded %s: %zu domain(s), %zu key(s), %zu "
	    "unchanged (generation %lu)", path, snap->conf->n_domains,
	    snap->keys->n, snap->keys->reused, snap->generation);
	return true;
}

void
mt_snapshot_shutdown(void)
{
	struct mt_snapshot *old;

	pthread_mutex_lock(&snap_lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&snap_lock);
	mt_snapshot_release(old);
}

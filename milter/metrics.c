/*
 * metrics.c - the milter's counters and metrics_file.
 *
 * Counters are C11 atomics updated with relaxed ordering from libmilter's
 * threads: a message pays a few uncontended atomic adds, never a lock.
 * One writer thread in the worker reads them every MT_METRICS_INTERVAL
 * seconds (and once at start and at exit) and writes the Prometheus text
 * exposition format (version 0.0.4) that node_exporter's textfile
 * collector reads. The file is replaced atomically: a new file in the
 * same directory, written, fsync'ed, then rename(2)d over the old one, so
 * a reader sees the old file or the new one, never a part.
 *
 * Series stay bounded: outcomes and reasons are fixed lists, and the key
 * ages are one aggregate (the oldest active key) unless metrics_per_domain
 * = yes asks for one series per key.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signpost/keyperm.h"
#include "signpost/log.h"
#include "milter.h"
#include "metrics.h"

/* ---- the counters ---- */

/* Signing time buckets, in seconds: Ed25519 ~0.1 ms, RSA-2048 ~1-2 ms. */
static const double sign_buckets[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 1.0,
};
#define N_SIGN_BUCKETS (sizeof(sign_buckets) / sizeof(sign_buckets[0]))

static _Atomic uint64_t messages[MT_OUTCOME_COUNT];
static _Atomic uint64_t unsigned_why[MT_UNSIGNED_COUNT];
static _Atomic uint64_t signatures[2];          /* by enum sp_key_type */
static _Atomic uint64_t sign_hist[N_SIGN_BUCKETS + 1];  /* last: +Inf */
static _Atomic uint64_t sign_ns_sum;
static _Atomic uint64_t reloads_ok, reloads_failed;
static _Atomic int64_t last_reload_ok_time;
static atomic_bool last_reload_ok;

static const char *const outcome_names[MT_OUTCOME_COUNT] = {
	"signed", "unsigned", "error_tempfail", "error_accept", "aborted",
};
static const char *const reason_names[MT_UNSIGNED_COUNT] = {
	"incomplete", "client", "header_limit", "bad_header", "from",
	"domain", "already_signed",
};
static const char *const algorithm_names[2] = {
	"rsa-sha256", "ed25519-sha256",
};

static void
bump(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t
get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
mt_metrics_message(enum mt_outcome outcome, enum mt_unsigned_reason reason)
{
	if ((unsigned)outcome >= MT_OUTCOME_COUNT ||
	    (unsigned)reason >= MT_UNSIGNED_COUNT)
		SP_BUG("outcome %d, reason %d", (int)outcome, (int)reason);
	bump(&messages[outcome]);
	if (outcome == MT_OUTCOME_UNSIGNED)
		bump(&unsigned_why[reason]);
}

void
mt_metrics_signature(enum sp_key_type type)
{
	bump(&signatures[type == SP_KEY_ED25519 ? 1 : 0]);
}

void
mt_metrics_signing_time(uint64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i = 0;

	while (i < N_SIGN_BUCKETS && s > sign_buckets[i])
		i++;
	bump(&sign_hist[i]);
	atomic_fetch_add_explicit(&sign_ns_sum, ns, memory_order_relaxed);
}

/* The configuration in force was loaded now (at start, or a reload). */
static void
note_loaded(void)
{
	atomic_store_explicit(&last_reload_ok, true, memory_order_relaxed);
	atomic_store_explicit(&last_reload_ok_time, (int64_t)time(NULL),
	    memory_order_relaxed);
}

void
mt_metrics_reload(bool ok)
{
	bump(ok ? &reloads_ok : &reloads_failed);
	if (ok)
		note_loaded();
	else
		atomic_store_explicit(&last_reload_ok, false,
		    memory_order_relaxed);
}

/* ---- key ages ---- */

/*
 * When a key was made: its file's modification time (0: unknown). The
 * one place that decides, so a key state file can later answer instead.
 */
static time_t
key_created(const struct sp_key *key)
{
	struct stat st;

	if (key->path == NULL || stat(key->path, &st) != 0)
		return 0;
	return st.st_mtime;
}

/* Seconds since `made`; a file dated in the future is 0 s old. */
static time_t
age_of(time_t made, time_t now)
{
	return now > made ? now - made : 0;
}

/*
 * The creation times of the keys of one snapshot, looked up once per
 * snapshot (not at every write: a host may have 200,000 keys). Only the
 * writer thread touches it.
 */
static struct {
	unsigned long generation;
	time_t *created;                /* by keyset index */
} key_times;

static void
key_times_update(const struct mt_snapshot *snap)
{
	const struct sp_keyset *ks = snap->keys;

	if (key_times.generation == snap->generation && key_times.created)
		return;
	free(key_times.created);
	key_times.created = sp_xcalloc(ks->n + 1, sizeof(time_t));
	for (size_t i = 0; i < ks->n; i++)
		key_times.created[i] = key_created(ks->keys[i]);
	key_times.generation = snap->generation;
}

/* ---- the text ---- */

static void
family(struct sp_buf *b, const char *name, const char *type,
    const char *help)
{
	sp_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* A label value: backslash, double quote and line feed escaped. */
static void
label_value(struct sp_buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			sp_buf_putc(b, '\\');
		if (*v == '\n')
			sp_buf_puts(b, "\\n");
		else
			sp_buf_putc(b, *v);
	}
}

static void
format_messages(struct sp_buf *b)
{
	family(b, "signpost_messages_total", "counter", "Messages the milter "
	    "finished, by outcome (each message counted once, at its end).");
	for (size_t i = 0; i < MT_OUTCOME_COUNT; i++)
		sp_buf_printf(b, "signpost_messages_total{outcome=\"%s\"} "
		    "%llu\n", outcome_names[i],
		    (unsigned long long)get(&messages[i]));
	family(b, "signpost_messages_unsigned_total", "counter", "Messages "
	    "passed on unsigned, by reason.");
	for (size_t i = 0; i < MT_UNSIGNED_COUNT; i++)
		sp_buf_printf(b, "signpost_messages_unsigned_total{reason="
		    "\"%s\"} %llu\n", reason_names[i],
		    (unsigned long long)get(&unsigned_why[i]));
	family(b, "signpost_signatures_total", "counter", "DKIM-Signature "
	    "fields added, by algorithm.");
	for (size_t i = 0; i < 2; i++)
		sp_buf_printf(b, "signpost_signatures_total{algorithm=\"%s\"} "
		    "%llu\n", algorithm_names[i],
		    (unsigned long long)get(&signatures[i]));
}

static void
format_signing_time(struct sp_buf *b)
{
	uint64_t total = 0;

	family(b, "signpost_signing_seconds", "histogram", "Time to compute "
	    "the signatures of a signed message at its end (body and header "
	    "hashes, private-key operations).");
	for (size_t i = 0; i < N_SIGN_BUCKETS; i++) {
		total += get(&sign_hist[i]);
		sp_buf_printf(b, "signpost_signing_seconds_bucket{le=\"%g\"} "
		    "%llu\n", sign_buckets[i], (unsigned long long)total);
	}
	total += get(&sign_hist[N_SIGN_BUCKETS]);
	sp_buf_printf(b, "signpost_signing_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "signpost_signing_seconds_sum %.9f\n"
	    "signpost_signing_seconds_count %llu\n",
	    (unsigned long long)total, (double)get(&sign_ns_sum) / 1e9,
	    (unsigned long long)total);
}

static void
format_state(struct sp_buf *b)
{
	family(b, "signpost_messages_in_flight", "gauge", "Messages between "
	    "MAIL FROM and their end right now.");
	sp_buf_printf(b, "signpost_messages_in_flight %u\n",
	    mt_filter_in_flight());
	family(b, "signpost_connections_open", "gauge", "MTA connections "
	    "open right now (max_connections caps them).");
	sp_buf_printf(b, "signpost_connections_open %u\n",
	    mt_filter_connections());
	family(b, "signpost_reloads_total", "counter", "SIGHUP reloads of "
	    "the configuration and keys, by result.");
	sp_buf_printf(b, "signpost_reloads_total{result=\"ok\"} %llu\n"
	    "signpost_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)get(&reloads_ok),
	    (unsigned long long)get(&reloads_failed));
	family(b, "signpost_last_reload_successful", "gauge", "1 if the last "
	    "load of the configuration (start or SIGHUP) succeeded, else 0.");
	sp_buf_printf(b, "signpost_last_reload_successful %d\n",
	    atomic_load_explicit(&last_reload_ok, memory_order_relaxed) ?
	    1 : 0);
	family(b, "signpost_last_reload_success_timestamp_seconds", "gauge",
	    "When the configuration in force was loaded (start or SIGHUP), "
	    "in Unix seconds.");
	sp_buf_printf(b, "signpost_last_reload_success_timestamp_seconds "
	    "%lld\n", (long long)atomic_load_explicit(&last_reload_ok_time,
	    memory_order_relaxed));
}

static void
format_keys(struct sp_buf *b, const struct mt_snapshot *snap, time_t now)
{
	const struct sp_keyset *ks = snap->keys;
	bool per_key = snap->conf->milter.metrics_per_domain;
	time_t oldest = 0;

	key_times_update(snap);
	if (per_key)
		family(b, "signpost_key_age_seconds", "gauge", "Age of each "
		    "active key (since its file was written).");
	for (size_t i = 0; i < ks->n; i++) {
		const struct sp_key *k = ks->keys[i];
		time_t made = key_times.created[i];

		if (made == 0)
			continue;
		if (oldest == 0 || made < oldest)
			oldest = made;
		if (!per_key)
			continue;
		sp_buf_puts(b, "signpost_key_age_seconds{domain=\"");
		label_value(b, k->domain);
		sp_buf_puts(b, "\",selector=\"");
		label_value(b, k->selector);
		sp_buf_printf(b, "\",algorithm=\"%s\"} %lld\n",
		    sp_key_algorithm(k), (long long)age_of(made, now));
	}
	family(b, "signpost_keys_active", "gauge", "Active keys (selectors "
	    "the milter signs with).");
	sp_buf_printf(b, "signpost_keys_active %zu\n", ks->n);
	family(b, "signpost_key_age_max_seconds", "gauge", "Age of the "
	    "oldest active key (since its file was written).");
	sp_buf_printf(b, "signpost_key_age_max_seconds %lld\n",
	    (long long)(oldest != 0 ? age_of(oldest, now) : 0));
}

static void
format_all(struct sp_buf *b)
{
	struct mt_snapshot *snap = mt_snapshot_acquire();

	family(b, "signpost_build_info", "gauge", "The running version.");
	sp_buf_puts(b, "signpost_build_info{version=\"" PACKAGE_VERSION
	    "\"} 1\n");
	format_messages(b);
	format_signing_time(b);
	format_state(b);
	format_keys(b, snap, time(NULL));
	mt_snapshot_release(snap);
}

/* ---- the file ---- */

/* keyperm's name for uid, returned for use inside a message. */
static const char *
uid_text(uid_t uid, char *buf, size_t size)
{
	sp_uid_text(uid, buf, size);
	return buf;
}

static const char *
group_name(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		snprintf(buf, size, "%s", gr->gr_name);
	else
		snprintf(buf, size, "%u", (unsigned)gid);
	return buf;
}

/* `user` (primary group `gid`) is in group `g`, supplementary included. */
static bool
user_in_group(const char *user, gid_t gid, gid_t g)
{
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));

	if (g == gid)
		return true;
	if (getgrouplist(user, gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == g)
			return true;
	return false;
}

/*
 * Whether `user` can write and search `dir`. Root asks the kernel as that
 * user, in a child process, so ACLs and every group count; anyone else
 * can only read the mode bits.
 */
static bool
dir_writable_by(const char *dir, const struct stat *st, const char *user,
    uid_t uid, gid_t gid)
{
	mode_t need;
	pid_t pid;
	int status;

	if (uid == geteuid())
		return access(dir, W_OK | X_OK) == 0;
	if (uid == 0)
		return true;
	if (geteuid() == 0 && (pid = fork()) >= 0) {
		if (pid == 0)
			_exit(initgroups(user, gid) == 0 && setgid(gid) == 0 &&
			    setuid(uid) == 0 && access(dir, W_OK | X_OK) == 0 ?
			    0 : 1);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	if (st->st_uid == uid)
		need = S_IWUSR | S_IXUSR;
	else if (user_in_group(user, gid, st->st_gid))
		need = S_IWGRP | S_IXGRP;
	else
		need = S_IWOTH | S_IXOTH;
	return (st->st_mode & need) == need;
}

bool
mt_metrics_check_dir(const char *path, const char *user, uid_t uid,
    gid_t gid, sp_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == path ? sp_xstrdup("/") :
	    sp_xstrndup(path, (size_t)(slash - path));
	char who[64];
	struct stat st;
	bool ok = false;

	if (stat(dir, &st) != 0)
		sp_err_set(err, "metrics_file %s: directory %s: %s: create it, "
		    "writable by the milter's user", path, dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		sp_err_set(err, "metrics_file %s: %s is not a directory", path,
		    dir);
	else if (user == NULL && access(dir, W_OK | X_OK) != 0)
		sp_err_set(err, "metrics_file %s: directory %s is not writable "
		    "by %s, who runs signpost-milter: %s", path, dir,
		    uid_text(geteuid(), who, sizeof(who)), strerror(errno));
	else if (user != NULL && !dir_writable_by(dir, &st, user, uid, gid))
		sp_err_set(err, "metrics_file %s: directory %s is not writable "
		    "by user %s: e.g. chgrp %s %s && chmod g+w %s", path, dir,
		    user, group_name(gid, who, sizeof(who)), dir, dir);
	else
		ok = true;
	free(dir);
	return ok;
}

static char *metrics_path;
static pthread_t writer_tid;
static bool writer_running;
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_wake;
static bool writer_stop;


/* Write `text` to a new file beside `path`, then rename it over `path`. */
static bool
replace_file(const char *path, const struct sp_buf *text, sp_err *err)
{
	const char *slash = strrchr(path, '/');
	char *tmp = sp_xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path,
	    slash + 1);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		sp_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return false;
	}
	/* node_exporter runs as another user: it must read the file. */
	if (fchmod(fd, 0644) != 0 || !sp_write_all(fd, text->data, text->len) ||
	    fsync(fd) != 0) {
		sp_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		sp_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		sp_err_set(err, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	free(tmp);
	return true;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	free(tmp);
	return false;
}

static bool
write_metrics(sp_err *err)
{
	struct sp_buf text = SP_BUF_INIT;
	bool ok;

	format_all(&text);
	ok = replace_file(metrics_path, &text, err);
	sp_buf_free(&text);
	return ok;
}

/* Write; log a failure once, and the recovery, not every 5 seconds. */
static void
write_and_report(void)
{
	static bool failing;
	sp_err err;

	if (!write_metrics(&err)) {
		if (!failing)
			sp_log(SP_LOG_WARNING, "metrics_file: %s (retrying every "
			    "%d s)", err.msg, MT_METRICS_INTERVAL);
		failing = true;
	} else if (failing) {
		sp_log(SP_LOG_NOTICE, "metrics_file: %s written again",
		    metrics_path);
		failing = false;
	}
}

static void *
writer_main(void *arg)
{
	struct timespec next;

	(void)arg;
	pthread_mutex_lock(&writer_lock);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!writer_stop) {
		next.tv_sec += MT_METRICS_INTERVAL;
		while (!writer_stop && pthread_cond_timedwait(&writer_wake,
		    &writer_lock, &next) != ETIMEDOUT)
			;
		if (writer_stop)
			break;
		pthread_mutex_unlock(&writer_lock);
		write_and_report();
		pthread_mutex_lock(&writer_lock);
	}
	pthread_mutex_unlock(&writer_lock);
	return NULL;
}

static bool
start_writer(sp_err *err)
{
	pthread_condattr_t attr;
	int rc;

	if (pthread_condattr_init(&attr) != 0 ||
	    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&writer_wake, &attr) != 0) {
		sp_err_set(err, "metrics_file: cannot set up the writer thread");
		return false;
	}
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&writer_tid, NULL, writer_main, NULL);
	if (rc != 0) {
		sp_err_set(err, "metrics_file: cannot start the writer thread: "
		    "%s", strerror(rc));
		return false;
	}
	writer_running = true;
	return true;
}

bool
mt_metrics_start(const char *path, sp_err *err)
{
	sp_err why;
	char who[64];

	note_loaded();                  /* the first load: not a reload */
	if (path == NULL)
		return true;
	metrics_path = sp_xstrdup(path);
	if (!write_metrics(&why)) {
		sp_err_set(err, "metrics_file %s: %s: make its directory "
		    "writable by user %s (see signpost-milter(8), METRICS)",
		    path, why.msg, uid_text(geteuid(), who, sizeof(who)));
		return false;
	}
	return start_writer(err);
}

void
mt_metrics_stop(void)
{
	if (metrics_path == NULL)
		return;
	if (writer_running) {
		pthread_mutex_lock(&writer_lock);
		writer_stop = true;
		pthread_cond_signal(&writer_wake);
		pthread_mutex_unlock(&writer_lock);
		pthread_join(writer_tid, NULL);
		writer_running = false;
	}
	write_and_report();
	free(key_times.created);
	key_times.created = NULL;
	free(metrics_path);
	metrics_path = NULL;
}

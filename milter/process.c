/*
 * process.c - the two processes of signpost-milter, and why there are two.
 *
 * libmilter owns SIGHUP, SIGTERM and SIGINT in any process that calls
 * smfi_main(): it blocks them in every thread and starts a thread that
 * sigwait()s for them (libmilter/signal.c). Any of the three makes it call
 * mi_stop_milters(): the listening socket is closed and smfi_main()
 * returns. SIGHUP is not a reload there, and with the worker pool Debian's
 * libmilter is built with (worker.c) the pool stops serving sessions as
 * soon as the stop flag is set, so messages in flight are cut off, not
 * finished. A second sigwait() (or signalfd, or a handler) in the same
 * process does not help: the kernel hands a process-directed signal to
 * whichever waiting thread it likes, so libmilter would still win some of
 * the time.
 *
 * So the signals never reach the process that runs libmilter:
 *
 * - The supervisor is the process that was started: its PID is the one in
 *   the pidfile and systemd's MAINPID. It runs no libmilter and no other
 *   thread; it takes SIGHUP, SIGTERM, SIGINT and SIGCHLD with
 *   sigwaitinfo() and forwards them to the worker as one byte on a pipe:
 *   'H' reload, 'T' stop. It exits with the worker's exit status, except
 *   that a worker that dies unasked (killed, crashed) is replaced by a new
 *   one, started as the first was; for that the supervisor stays root.
 * - The worker is forked from it, in a session of its own (a terminal's ^C
 *   reaches only the supervisor). It loads the keys and opens the socket as
 *   root, drops privileges, starts a control thread that reads the pipe,
 *   and calls smfi_main(). 'H' swaps the configuration snapshot: open
 *   connections and messages in flight are untouched. 'T' (or end of file:
 *   the supervisor is gone) refuses new connections and messages, waits up
 *   to MT_DRAIN_SECONDS for the messages in flight to finish, and only then
 *   calls smfi_stop(). libmilter's own signal thread still exists in the
 *   worker, but nothing sends it anything; a SIGTERM sent to the worker
 *   directly (systemd's KillMode=control-group) stops it the libmilter
 *   way, which is why the unit uses KillMode=mixed.
 *
 * The supervisor keeps the user it was started as (root, normally) while
 * the worker drops to `user`: at exit it removes the pidfile and the unix
 * socket, which live in directories the milter's user may not write
 * (the pidfile's must not be: see rundir.c). It reads nothing from the
 * network or the MTA, only signals, its worker's exit status and one byte
 * at start-up, so keeping root there exposes nothing the worker handles.
 *
 * Start-up errors (bad key, socket in use) happen in the worker before it
 * says "ready" on a second pipe; the supervisor (and, without -f, the
 * original process waiting for the daemon) exits with the worker's status,
 * so "signpost-milter" exits 2 with the reason on the terminal.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "signpost/log.h"
#include "milter.h"
#include "metrics.h"

static const char *config_path;
static char *listen_spec;              /* the worker's socket, for knocking */

static void *
stop_main(void *arg)
{
	(void)arg;
	(void)smfi_stop();
	return NULL;
}

/*
 * smfi_stop() sets libmilter's stop flag and then waits for the listener,
 * which sits in poll() for up to 5 seconds between checks of that flag.
 * So stop from a second thread, and meanwhile knock on our own socket: the
 * listener wakes up, sees the flag and returns from smfi_main() at once.
 * (The knocks are refused in negotiation: we are draining.) The process
 * exits when smfi_main() returns, which ends this loop too.
 */
static void
stop_listener(void)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t tid;

	if (pthread_create(&tid, NULL, stop_main, NULL) != 0) {
		(void)smfi_stop();
		return;
	}
	(void)pthread_detach(tid);
	for (int i = 0; i < 200; i++) {
		nanosleep(&pause, NULL);
		mt_listen_knock(listen_spec);
	}
}

/* ---- worker ---- */

static void *
control_main(void *arg)
{
	int fd = *(int *)arg;
	unsigned left;
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 1 && c == 'H') {
			sp_log(SP_LOG_NOTICE, "SIGHUP: reloading %s", config_path);
			mt_metrics_reload(mt_snapshot_reload(config_path));
			continue;
		}
		if (n != 1 || c != 'T')
			sp_log(SP_LOG_WARNING, "the supervisor went away: stopping");
		break;
	}
	sp_log(SP_LOG_NOTICE, "stopping: no new connections, waiting for "
	    "messages in flight (at most %d s)", MT_DRAIN_SECONDS);
	left = mt_filter_drain(MT_DRAIN_SECONDS);
	if (left > 0)
		sp_log(SP_LOG_WARNING, "%u message(s) still in flight after "
		    "%d s: stopping anyway (the MTA applies "
		    "milter_default_action to them)", left, MT_DRAIN_SECONDS);
	stop_listener();
	return NULL;
}

/* Everything the worker does as root, then the switch to `user`. */
static bool
worker_setup(struct sp_config *conf, uid_t uid, gid_t gid, sp_err *err)
{
	struct mt_snapshot *snap;
	unsigned long nofile;
	char *socket_spec = sp_xstrdup(conf->milter.socket);
	unsigned mode = conf->milter.socket_mode;
	char *user = conf->milter.user != NULL ?
	    sp_xstrdup(conf->milter.user) : NULL;
	char *metrics_file = conf->milter.metrics_file != NULL ?
	    sp_xstrdup(conf->milter.metrics_file) : NULL;
	bool ok = false;

	snap = mt_snapshot_build(conf, err);    /* takes conf */
	if (snap == NULL)
		goto done;
	mt_snapshot_install(snap);
	nofile = mt_raise_nofile();
	if (nofile < 2048)
		sp_log(SP_LOG_WARNING, "open-file limit is %lu: fewer than "
		    "about %lu MTA connections at once will work", nofile,
		    nofile > 64 ? nofile - 64 : 0);
	if (!mt_filter_register(err) ||
	    (metrics_file != NULL && !mt_metrics_check_dir(metrics_file, user,
	    uid, gid, err)) ||
	    !mt_listen_open(socket_spec, mode, uid, gid, err) ||
	    !mt_drop_privileges(user, uid, gid, err) ||
	    !mt_metrics_start(metrics_file, err))  /* as `user`: it writes */
		goto done;
	ok = true;
done:
	free(socket_spec);
	free(user);
	free(metrics_file);
	return ok;
}

static void detach_stdio(void);

static int
worker_main(struct sp_config *conf, uid_t uid, gid_t gid, int ctl_fd,
    int ready_fd, bool foreground)
{
	static int ctl;
	char *socket_spec = sp_xstrdup(conf->milter.socket);

	pthread_t tid;
	sigset_t chld;
	sp_err err;
	int rc;

	/* HUP/TERM/INT stay blocked (inherited): only libmilter waits on them. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
	(void)setsid();
	if (!worker_setup(conf, uid, gid, &err)) {
		sp_log(SP_LOG_ERROR, "%s", err.msg);
		free(socket_spec);
		return 2;
	}
	ctl = ctl_fd;
	rc = pthread_create(&tid, NULL, control_main, &ctl);
	if (rc != 0) {
		sp_log(SP_LOG_ERROR, "cannot start the control thread: %s",
		    strerror(rc));
		free(socket_spec);
		return 2;
	}
	(void)pthread_detach(tid);
	sp_log(SP_LOG_NOTICE, "started (worker pid %ld), listening on %s",
	    (long)getpid(), socket_spec);
	listen_spec = socket_spec;
	if (write(ready_fd, "R", 1) != 1)
		return 2;
	close(ready_fd);
	if (!foreground) {
		sp_log_open(MT_NAME, false, true);
		detach_stdio();
	}
	rc = smfi_main();
	mt_metrics_stop();
	sp_log(SP_LOG_NOTICE, "stopped");
	return rc == MI_SUCCESS ? 0 : 2;
}

/* ---- supervisor ---- */

/* Without -f: fork, and let the original process exit with our status. */
static int
daemonize(void)
{
	int p[2];
	pid_t pid;
	unsigned char status;

	if (pipe2(p, O_CLOEXEC) != 0) {
		sp_log_errno(SP_LOG_ERROR, "pipe");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		sp_log_errno(SP_LOG_ERROR, "fork");
		exit(2);
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &status, 1) != 1)
			status = 2;
		_exit(status);
	}
	close(p[0]);
	(void)setsid();
	if (chdir("/") != 0)
		sp_log_errno(SP_LOG_WARNING, "chdir /");
	return p[1];
}

static void
notify_started(int *fd, unsigned char status)
{
	if (*fd < 0)
		return;
	if (write(*fd, &status, 1) != 1)
		sp_log_errno(SP_LOG_WARNING, "telling the starting process");
	close(*fd);
	*fd = -1;
}

/* After start-up: no more stderr without -f (the terminal may be gone). */
static void
detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static int
exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		sp_log(SP_LOG_ERROR, "the worker process was killed by signal "
		    "%d", WTERMSIG(wstatus));
	return 2;
}

static void
forward(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		sp_log_errno(SP_LOG_WARNING, "cannot reach the worker");
}

/*
 * sigwaitinfo loop until the worker exits; returns its wait status.
 * *stopping is set once SIGTERM or SIGINT was passed on (and stays set
 * across restarts: a stop asked for is never undone).
 */
static int
supervise(pid_t worker, int ctl_fd, const sigset_t *set, bool *stopping)
{
	int wstatus;

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(set, &info);

		if (sig < 0)
			continue;       /* EINTR */
		switch (sig) {
		case SIGHUP:
			if (!*stopping)
				forward(ctl_fd, 'H');
			break;
		case SIGTERM:
		case SIGINT:
			if (!*stopping) {
				sp_log(SP_LOG_NOTICE, "%s: stopping after the "
				    "messages in flight", sig == SIGTERM ?
				    "SIGTERM" : "SIGINT");
				forward(ctl_fd, 'T');
			}
			*stopping = true;
			break;
		case SIGCHLD:
			if (waitpid(worker, &wstatus, WNOHANG) == worker)
				return wstatus;
			break;
		default:
			break;
		}
	}
}

/* The supervisor's side of the worker: its PID and the two pipe ends. */
struct worker {
	pid_t pid;
	int ctl_fd;                     /* we write 'H' / 'T' */
	int ready_fd;                   /* it writes 'R' once listening */
};

/*
 * Fork the worker; the child never returns. The configuration goes with
 * it (the worker owns it from here); the supervisor frees its copy.
 */
static bool
start_worker(const struct mt_options *opts, struct sp_config *conf,
    uid_t uid, gid_t gid, struct mt_pidfile *pf, int notify_fd,
    struct worker *w)
{
	int ctl[2], ready[2];

	if (pipe2(ctl, O_CLOEXEC) != 0) {
		sp_log_errno(SP_LOG_ERROR, "pipe");
		return false;
	}
	if (pipe2(ready, O_CLOEXEC) != 0) {
		sp_log_errno(SP_LOG_ERROR, "pipe");
		close(ctl[0]), close(ctl[1]);
		return false;
	}
	w->pid = fork();
	if (w->pid < 0) {
		sp_log_errno(SP_LOG_ERROR, "fork");
		close(ctl[0]), close(ctl[1]), close(ready[0]), close(ready[1]);
		return false;
	}
	if (w->pid == 0) {
		close(ctl[1]);
		close(ready[0]);
		if (notify_fd >= 0)
			close(notify_fd);
		mt_pidfile_close(pf);
		_exit(worker_main(conf, uid, gid, ctl[0], ready[1],
		    opts->foreground));
	}
	close(ctl[0]);
	close(ready[1]);
	w->ctl_fd = ctl[1];
	w->ready_fd = ready[0];
	return true;
}

/* Wait for the worker's 'R'; 0, or its exit status when it failed. */
static int
await_ready(struct worker *w)
{
	int wstatus;
	char c;

	if (read(w->ready_fd, &c, 1) == 1) {
		close(w->ready_fd);
		return 0;
	}
	/* The worker failed to start and has said why. */
	while (waitpid(w->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	close(w->ready_fd);
	close(w->ctl_fd);
	return exit_status_of(wstatus);
}

/*
 * A worker that dies without being asked to (killed, or smfi_main()
 * failed) is replaced at once, at most MT_RESTART_BURST times within
 * MT_RESTART_WINDOW seconds. Not after a stop was asked for, and not after
 * a clean exit: that is a SIGTERM sent to the worker directly, and whoever
 * sent it wants it stopped.
 */
#define MT_RESTART_BURST 5
#define MT_RESTART_WINDOW 60

static bool
should_restart(pid_t pid, int wstatus, bool stopping)
{
	static time_t window_start;
	static unsigned restarts;
	time_t now = time(NULL);

	if (stopping || (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0))
		return false;
	if (now - window_start > MT_RESTART_WINDOW) {
		window_start = now;
		restarts = 0;
	}
	if (restarts >= MT_RESTART_BURST) {
		sp_log(SP_LOG_ERROR, "the worker died %u times within %d s: "
		    "giving up (see the reasons logged above)", restarts + 1,
		    MT_RESTART_WINDOW);
		return false;
	}
	restarts++;
	if (WIFSIGNALED(wstatus))
		sp_log(SP_LOG_ERROR, "the worker process (pid %ld) was killed "
		    "by signal %d: starting a new one", (long)pid,
		    WTERMSIG(wstatus));
	else
		sp_log(SP_LOG_ERROR, "the worker process (pid %ld) exited %d: "
		    "starting a new one", (long)pid, WEXITSTATUS(wstatus));
	return true;
}

/*
 * Start a worker the way the first one started: configuration and keys
 * read anew (as root), the socket opened again (*spec: the socket it was
 * told to open). 0 once it is ready, else the status to exit with.
 */
static int
restart_worker(const struct mt_options *opts, struct mt_pidfile *pf,
    struct worker *w, char **spec)
{
	struct sp_config *conf;
	uid_t uid;
	gid_t gid;
	sp_err err;

	close(w->ctl_fd);
	conf = sp_config_load(config_path, &err);
	if (conf == NULL) {
		sp_log(SP_LOG_ERROR, "cannot start a new worker: %s", err.msg);
		return 2;
	}
	if (!mt_lookup_user(conf->milter.user, &uid, &gid, &err)) {
		sp_log(SP_LOG_ERROR, "%s: %s", conf->path, err.msg);
		sp_config_free(conf);
		return 2;
	}
	free(*spec);
	*spec = sp_xstrdup(conf->milter.socket);
	if (!start_worker(opts, conf, uid, gid, pf, -1, w)) {
		sp_config_free(conf);
		return 2;
	}
	sp_config_free(conf);
	return await_ready(w);
}

/* The pidfile, or exit status 2 with the reason logged. */
static int
open_pidfile(struct mt_pidfile *pf, const struct sp_config *conf, uid_t uid,
    gid_t gid)
{
	sp_err err;

	if (mt_pidfile_open(pf, conf->milter.pidfile, uid, gid, &err) != 0) {
		sp_log(SP_LOG_ERROR, "%s", err.msg);
		return 2;
	}
	return 0;
}

/* Once the worker listens: note its unix socket, to remove it at exit. */
static void
remember_socket(struct mt_runfile *sock, const char *spec)
{
	const char *path = mt_listen_unix_path(spec);
	sp_err err;

	if (path != NULL && !mt_runfile_remember(sock, path, &err))
		sp_log(SP_LOG_WARNING, "cannot note the socket to remove it at "
		    "exit: %s", err.msg);
}

int
mt_run(const struct mt_options *opts, struct sp_config *conf)
{
	sigset_t set;
	struct mt_pidfile pf;
	struct mt_runfile sock = { .dirfd = -1 };
	struct worker w;
	int notify_fd = -1;
	bool stopping = false;
	uid_t uid;
	gid_t gid;
	char *spec;
	sp_err err;
	int status = 2;

	config_path = opts->config_path;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (!mt_lookup_user(conf->milter.user, &uid, &gid, &err)) {
		sp_log(SP_LOG_ERROR, "%s: %s", conf->path, err.msg);
		sp_config_free(conf);
		return 2;
	}
	if (conf->milter.user == NULL && geteuid() == 0)
		sp_log(SP_LOG_WARNING, "running as root: set \"user\" in "
		    "[milter] of %s to drop privileges", conf->path);
	if (open_pidfile(&pf, conf, uid, gid) != 0) {
		sp_config_free(conf);
		return 2;
	}
	if (!opts->foreground)
		notify_fd = daemonize();
	spec = sp_xstrdup(conf->milter.socket);
	if (!start_worker(opts, conf, uid, gid, &pf, notify_fd, &w)) {
		sp_config_free(conf);
		goto done;
	}
	sp_config_free(conf);
	if (!mt_pidfile_write(&pf, &err))
		sp_log(SP_LOG_WARNING, "%s", err.msg);
	status = await_ready(&w);
	if (status != 0)
		goto done;
	remember_socket(&sock, spec);
	notify_started(&notify_fd, 0);
	if (!opts->foreground) {
		sp_log_open(MT_NAME, false, true);
		detach_stdio();
	}
	for (;;) {
		int wstatus = supervise(w.pid, w.ctl_fd, &set, &stopping);

		if (!should_restart(w.pid, wstatus, stopping)) {
			close(w.ctl_fd);
			status = exit_status_of(wstatus);
			break;
		}
		status = restart_worker(opts, &pf, &w, &spec);
		if (status != 0)
			break;
		/* The new worker made the socket anew. */
		remember_socket(&sock, spec);
	}
done:
	free(spec);
	mt_runfile_remove(&sock, "socket");
	mt_pidfile_remove(&pf);
	notify_started(&notify_fd, (unsigned char)status);
	return status;
}

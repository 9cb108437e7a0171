/*
 * listen.c - what the worker does as root before it drops privileges:
 * open the listening socket through libmilter (removing a unix socket left
 * behind by a dead instance, never one a live process listens on, never a
 * file that is not a socket), create a unix socket with its socket_mode
 * and the milter user's ownership without a window for a symlink (see
 * create_unix_socket), turn off Nagle's algorithm on a TCP socket, raise
 * the open-file limit so a thousand MTA connections fit, and switch to the
 * configured user.
 *
 * Socket specifications are libmilter's: unix:PATH or local:PATH (or a bare
 * PATH), inet:PORT@HOST, inet6:PORT@HOST (HOST may be [ADDRESS]).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "signpost/log.h"
#include "milter.h"

/* Listen queue: room for a burst of MTA connections (the kernel caps it). */
#define MT_BACKLOG 1024
/* What we ask for RLIMIT_NOFILE when the hard limit is lower and we may. */
#define MT_NOFILE_WANT 65536

const char *
mt_listen_unix_path(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL)
		return spec;
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0)
		return colon + 1;
	return NULL;
}

/* A socket file at `path`: stale (nobody listening) is removed. */
static bool
clear_stale_socket(const char *path, sp_err *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;
	int rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		sp_err_set(err, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		sp_err_set(err, "%s exists and is not a socket: move it away "
		    "or choose another socket", path);
		return false;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sp_err_set(err, "socket: %s", strerror(errno));
		return false;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		sp_err_set(err, "%s: another process is listening on it "
		    "(another signpost-milter with a different pidfile?)", path);
		return false;
	}
	if (errno != ECONNREFUSED) {
		sp_err_set(err, "%s: cannot tell whether it is in use: %s",
		    path, strerror(errno));
		return false;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		sp_err_set(err, "%s: cannot remove the stale socket: %s",
		    path, strerror(errno));
		return false;
	}
	sp_log(SP_LOG_NOTICE, "removed stale socket %s", path);
	return true;
}

static bool
check_unix_path(const char *path, sp_err *err)
{
	struct sockaddr_un sun;

	if (path[0] != '/') {
		sp_err_set(err, "unix socket %s: use an absolute path", path);
		return false;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		sp_err_set(err, "unix socket %s: path longer than %zu bytes",
		    path, sizeof(sun.sun_path) - 1);
		return false;
	}
	return true;
}

bool
mt_listen_check_dir(const char *spec, uid_t uid, gid_t gid, sp_err *err)
{
	const char *path = mt_listen_unix_path(spec);
	char *dir, *base;
	struct stat st;
	bool ok;
	int fd;

	if (path == NULL)
		return true;
	if (!check_unix_path(path, err))
		return false;
	fd = mt_dir_open(path, &dir, &base, &st, err);
	if (fd < 0)
		return false;
	ok = mt_dir_safe(dir, &st, uid, gid, err);
	if (!ok)
		sp_err_prefix(err, "unix socket %s", path);
	close(fd);
	free(dir);
	free(base);
	return ok;
}

/*
 * The address of an inet/inet6 spec (PORT@HOST; no HOST: the wildcard,
 * or the loopback address when `for_connect`). NULL with err set on error.
 */
static struct addrinfo *
inet_address(const char *spec, bool for_connect, sp_err *err)
{
	const char *colon = strchr(spec, ':');
	const char *at = strchr(spec, '@');
	bool v6 = strncmp(spec, "inet6:", 6) == 0;
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	char *port;
	char *host;
	int rc;

	if (colon == NULL) {
		sp_err_set(err, "socket %s: not a milter socket", spec);
		return NULL;
	}
	if (at != NULL) {
		port = sp_xstrndup(colon + 1, (size_t)(at - colon - 1));
		host = sp_xstrdup(at + 1);
	} else {
		port = sp_xstrdup(colon + 1);
		host = NULL;
	}
	if (host != NULL && host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (host == NULL && for_connect)
		host = sp_xstrdup(v6 ? "::1" : "127.0.0.1");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		sp_err_set(err, "socket %s: %s", spec, gai_strerror(rc));
		res = NULL;
	}
	free(port);
	free(host);
	return res;
}

/*
 * Try the bind ourselves first for inet sockets: libmilter only logs its
 * reason to syslog, and an operator starting us by hand wants it on the
 * terminal ("address already in use").
 */
static bool
probe_inet(const char *spec, sp_err *err)
{
	struct addrinfo *res = inet_address(spec, false, err);
	int one = 1;
	int fd;

	if (res == NULL)
		return false;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
			sp_err_set(err, "socket %s: %s", spec, strerror(errno));
			close(fd);
			freeaddrinfo(res);
			return false;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return true;
}

void
mt_listen_knock(const char *spec)
{
	const char *path = mt_listen_unix_path(spec);
	struct sockaddr_un sun;
	struct addrinfo *res = NULL;
	sp_err err;
	int fd;

	if (path != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			(void)connect(fd, (struct sockaddr *)&sun, sizeof(sun));
			close(fd);
		}
		return;
	}
	res = inet_address(spec, true, &err);
	if (res == NULL)
		return;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		(void)connect(fd, res->ai_addr, res->ai_addrlen);
		close(fd);
	}
	freeaddrinfo(res);
}

/*
 * libmilter answers end-of-message with two small packets (the header
 * insertion, then the verdict) and never sets TCP_NODELAY, so on a TCP
 * socket Nagle's algorithm holds the verdict until the MTA's delayed ACK:
 * about 40 ms per message, whatever the CPU. libmilter keeps its listening
 * descriptor to itself; it is the only listening TCP socket the worker
 * has, so find it and set the option there: Linux copies it to every
 * connection accept() returns.
 */
static void
nodelay_on_listener(const char *spec)
{
	int found = 0;

	for (int fd = 0; fd < 1024; fd++) {
		int v = 0, one = 1;
		socklen_t len = sizeof(v);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) != 0 ||
		    v == 0)
			continue;
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) != 0 ||
		    v != IPPROTO_TCP)
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one)) != 0)
			sp_log_errno(SP_LOG_WARNING, "socket %s: TCP_NODELAY",
			    spec);
		else
			found++;
	}
	if (found != 1)
		sp_log(SP_LOG_WARNING, "socket %s: found %d listening TCP "
		    "sockets for TCP_NODELAY, expected 1; replies may be "
		    "delayed by about 40 ms", spec, found);
	else
		sp_log(SP_LOG_DEBUG, "socket %s: TCP_NODELAY set", spec);
}

/* Hand `spec` to libmilter and bind it, with `mode` for a unix socket. */
static bool
open_with_libmilter(const char *spec, unsigned mode, sp_err *err)
{
	char *conn = sp_xstrdup(spec);
	mode_t old_umask;
	int rc;

	if (smfi_setconn(conn) != MI_SUCCESS ||
	    smfi_setbacklog(MT_BACKLOG) != MI_SUCCESS) {
		sp_err_set(err, "socket %s: not a valid milter socket", spec);
		free(conn);
		return false;
	}
	free(conn);
	/* bind(2) gives a unix socket 0777 & ~umask: socket_mode from birth. */
	old_umask = umask((mode_t)(~mode & 0777));
	rc = smfi_opensocket(false);
	umask(old_umask);
	if (rc != MI_SUCCESS) {
		sp_err_set(err, "cannot listen on %s (libmilter's reason is "
		    "in the mail log)", spec);
		return false;
	}
	return true;
}

/* Root takes the milter user's effective ids for a while. */
static bool
act_as(uid_t uid, gid_t gid, sp_err *err)
{
	if (setgroups(1, &gid) != 0 || setegid(gid) != 0 ||
	    seteuid(uid) != 0) {
		sp_err_set(err, "cannot act as uid %u: %s", (unsigned)uid,
		    strerror(errno));
		return false;
	}
	return true;
}

/* And back (the real and saved ids are still root's). */
static bool
act_as_root(void)
{
	return seteuid(0) == 0 && setegid(0) == 0;
}

/*
 * A unix socket, with socket_mode and the milter user's ownership, and no
 * moment at which root uses a name in its directory in a way that follows
 * a link (a symlink swapped in after bind once made a chown by path hand a
 * root-owned file to the milter's user):
 *
 * - the mode comes from the umask at bind(2) time: no chmod at all;
 * - in a directory the milter's user can write, the stale-socket check and
 *   bind run with that user's effective uid and gid: the socket is born
 *   with its owner, and nothing happens there that the user could not do
 *   itself, so swapping names gains it nothing;
 * - in a directory only root can write, bind runs as root and the owner is
 *   set with fchownat(AT_SYMLINK_NOFOLLOW) through the descriptor of the
 *   directory we checked: nobody else can change a name in it (if its path
 *   was swapped after the check, the bind lands elsewhere and fchownat
 *   finds no socket: start-up fails, nothing is chowned);
 * - a directory anyone else can write is refused (mt_dir_safe).
 */
static bool
create_unix_socket(const char *spec, const char *path, unsigned mode,
    uid_t uid, gid_t gid, sp_err *err)
{
	char *dir, *base;
	struct stat st;
	bool as_user, ok = false;
	int dirfd;

	dirfd = mt_dir_open(path, &dir, &base, &st, err);
	if (dirfd < 0)
		return false;
	if (!mt_dir_safe(dir, &st, uid, gid, err)) {
		sp_err_prefix(err, "unix socket %s", path);
		goto done;
	}
	as_user = geteuid() == 0 && uid != (uid_t)-1 && uid != 0 &&
	    mt_dir_writable_by(&st, uid, gid);
	if (as_user && !act_as(uid, gid, err))
		goto done;
	ok = clear_stale_socket(path, err) &&
	    open_with_libmilter(spec, mode, err);
	if (as_user && !act_as_root())
		SP_BUG("cannot return to root after binding as uid %u",
		    (unsigned)uid);
	if (!ok)
		goto done;
	ok = false;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode)) {
		sp_err_set(err, "unix socket %s is not there after bind: was "
		    "its directory moved?", path);
		goto done;
	}
	if (!as_user && geteuid() == 0 && uid != (uid_t)-1 &&
	    (st.st_uid != uid || st.st_gid != gid) &&
	    fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
		sp_err_set(err, "chown %s: %s", path, strerror(errno));
		goto done;
	}
	ok = true;
done:
	close(dirfd);
	free(dir);
	free(base);
	return ok;
}

bool
mt_listen_open(const char *spec, unsigned mode, uid_t uid, gid_t gid,
    sp_err *err)
{
	const char *path = mt_listen_unix_path(spec);

	if (path != NULL)
		return check_unix_path(path, err) &&
		    create_unix_socket(spec, path, mode, uid, gid, err);
	if (!probe_inet(spec, err) || !open_with_libmilter(spec, mode, err))
		return false;
	nodelay_on_listener(spec);
	return true;
}

unsigned long
mt_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < MT_NOFILE_WANT &&
	    geteuid() == 0) {
		struct rlimit want = { MT_NOFILE_WANT, MT_NOFILE_WANT };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return MT_NOFILE_WANT;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	return (unsigned long)rl.rlim_cur;
}

bool
mt_lookup_user(const char *user, uid_t *uid, gid_t *gid, sp_err *err)
{
	struct passwd *pw;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (user == NULL)
		return true;
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		sp_err_set(err, "user %s does not exist: create it (adduser "
		    "--system --group %s) or remove \"user\" from [milter]",
		    user, user);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

bool
mt_drop_privileges(const char *user, uid_t uid, gid_t gid, sp_err *err)
{
	if (user == NULL)
		return true;
	if (geteuid() != 0) {
		if (geteuid() == uid)
			return true;
		sp_err_set(err, "running as uid %u, cannot become user %s: "
		    "start as root or as %s", (unsigned)geteuid(), user, user);
		return false;
	}
	if (initgroups(user, gid) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0) {
		sp_err_set(err, "cannot become user %s: %s", user,
		    strerror(errno));
		return false;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		sp_err_set(err, "could become root again after switching to "
		    "%s: refusing to run", user);
		return false;
	}
	return true;
}

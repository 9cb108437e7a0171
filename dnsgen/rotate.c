/*
 * rotate.c - `dnsgen rotate`: one pass of the key lifecycle over every
 * rotating domain (or the -d ones), one line per change, under a lock so
 * two runs never overlap, then SIGHUP to the milter when the set of
 * active keys changed. Run hourly by signpost-rotate.timer; a pass with
 * nothing due changes nothing and prints nothing.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/clock.h"
#include "dnsgen/rotate.h"

#define LOCK_FILE ".rotate.lock"

/* keys_dir/.rotate.lock, held for the whole run; -1 after a message. */
static int
take_lock(const struct sp_config *conf)
{
	char *path = sp_xasprintf("%s/" LOCK_FILE, conf->signing.keys_dir);
	int fd;

	if (mkdir(conf->signing.keys_dir, 0750) != 0 && errno != EEXIST) {
		dnsgen_error("%s: %s", conf->signing.keys_dir, strerror(errno));
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		dnsgen_error("%s: %s", path, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		dnsgen_error("%s: another dnsgen rotate is running (%s); "
		    "nothing was done, the next run continues", path,
		    errno == EWOULDBLOCK ? "the lock is held" : strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* Tell the milter to read the new active keys (SIGHUP to its pidfile). */
static void
reload_milter(const struct sp_config *conf)
{
	const char *path = conf->milter.pidfile;
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f == NULL) {
		printf("signpost-milter: no %s (not running?): it reads the "
		    "active keys when it starts\n", path);
		return;
	}
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		dnsgen_warn("%s: no process id in it: reload signpost-milter "
		    "by hand (systemctl reload signpost-milter)", path);
	} else if (kill((pid_t)pid, SIGHUP) != 0) {
		dnsgen_warn("signpost-milter (pid %ld from %s): %s: reload it "
		    "by hand (systemctl reload signpost-milter)", pid, path,
		    strerror(errno));
	} else {
		printf("signpost-milter (pid %ld): told to reload (SIGHUP)\n",
		    pid);
	}
	fclose(f);
}

/* The domains to rotate: -d (each must rotate), or every rotating one. */
static bool
chosen(const struct dnsgen_opts *o, const struct sp_config *conf,
    const struct sp_domain ***out, size_t *n)
{
	*n = 0;
	*out = sp_xcalloc(conf->n_domains + o->domains.n + 1, sizeof(**out));
	for (size_t i = 0; i < o->domains.n; i++) {
		const struct sp_domain *d = dnsgen_domain(conf, o->domains.v[i]);

		if (d == NULL)
			return false;
		if (d->rotation.rotate == 0) {
			dnsgen_error("domain %s does not rotate its keys (set "
			    "rotate in [signing] or its [domain] section)",
			    d->name);
			return false;
		}
		(*out)[(*n)++] = d;
	}
	for (size_t i = 0; o->domains.n == 0 && i < conf->n_domains; i++)
		if (conf->domains[i].rotation.rotate != 0)
			(*out)[(*n)++] = &conf->domains[i];
	return true;
}

static int
rotate_all(const struct dnsgen_opts *o, const struct sp_config *conf,
    time_t now)
{
	const struct sp_domain **doms;
	size_t n;
	int rc = DNSGEN_OK;
	bool changed = false;

	if (!chosen(o, conf, &doms, &n)) {
		free(doms);
		return DNSGEN_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		struct rotation r;

		memset(&r, 0, sizeof(r));
		r.conf = conf;
		r.dom = doms[i];
		r.now = now;
		r.dry_run = o->dry_run;
		rotate_domain(&r);
		changed = changed || r.active_changed;
		if (r.rc != DNSGEN_OK)
			rc = r.rc;
		sp_keystate_free(&r.ks);
		sp_list_free(&r.forgotten);
	}
	free(doms);
	if (changed && !o->dry_run)
		reload_milter(conf);
	return rc;
}

int
dnsgen_rotate(const struct dnsgen_opts *o)
{
	struct sp_config *conf;
	time_t now;
	sp_err err;
	int lock = -1, rc;

	if (!sp_clock_now(&now, &err)) {
		dnsgen_error("%s", err.msg);
		return DNSGEN_FAIL;
	}
	if ((conf = sp_config_load(o->conf_path, &err)) == NULL) {
		dnsgen_error("%s", err.msg);
		return DNSGEN_FAIL;
	}
	if (!o->dry_run && (lock = take_lock(conf)) < 0) {
		sp_config_free(conf);
		return DNSGEN_FAIL;
	}
	rc = rotate_all(o, conf, now);
	if (lock >= 0)
		close(lock);
	sp_config_free(conf);
	return rc;
}

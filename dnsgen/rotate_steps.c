/*
 * rotate_steps.c - one domain's pass through the key lifecycle, in the
 * order of SPEC.md's table: adopt the hand-made keys the first time, make
 * the keys that are due, move pending keys that every server serves to
 * published, published keys that have been served long enough to active
 * (the older active key of the algorithm to retiring), retiring keys past
 * retire_after to revoked (private key wiped and removed), and revoked
 * keys past revoke_after out of the records.
 *
 * Every step is saved to the state file before the next one starts, and
 * each is written so that a run killed between the save and the work it
 * announces finds that work still to do: a pending key without its file
 * gets one, a revoked key whose file is still there is wiped.
 *
 * SIGNPOST_TEST_KILL_AFTER=STEP (test drills only, see dnsgen(1)) kills
 * the run with SIGKILL right after STEP: adopt, pending, keygen,
 * published, active, revoked, wiped, forgotten.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "signpost/clock.h"
#include "dnsgen/publish.h"
#include "dnsgen/rotate.h"

void
rotate_say(const struct rotation *r, const char *fmt, ...)
{
	va_list ap;

	printf("%s%s: ", r->dry_run ? "(dry run) " : "", r->dom->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
test_kill_point(const char *step)
{
	const char *at = getenv("SIGNPOST_TEST_KILL_AFTER");

	if (at != NULL && strcmp(at, step) == 0)
		raise(SIGKILL);
}

bool
rotate_save(struct rotation *r, const char *step)
{
	sp_err err;

	if (r->dry_run)
		return true;
	if (!r->ks.exists && !dnsgen_key_folder(r->conf, r->dom->name)) {
		r->rc = DNSGEN_FAIL;
		return false;
	}
	if (!sp_keystate_save(&r->ks, &err)) {
		dnsgen_error("%s (the step \"%s\" is done again by the next "
		    "run)", err.msg, step);
		r->rc = DNSGEN_FAIL;
		return false;
	}
	r->changed = true;
	test_kill_point(step);
	return true;
}

/* The key file of a state entry, loaded as the milter will; NULL: none. */
static struct sp_key *
load_key(struct rotation *r, const char *selector, bool *missing)
{
	struct sp_key_rules rules;
	struct sp_key *key = NULL;
	char *path = sp_key_path(r->conf, r->dom->name, selector);
	sp_err err;

	*missing = access(path, F_OK) != 0 && errno == ENOENT;
	if (!*missing && (!sp_key_rules_from_config(r->conf, false, &rules,
	    &err) || (key = sp_key_load(path, r->dom->name, selector, &rules,
	    &err)) == NULL)) {
		dnsgen_error("%s", err.msg);
		r->rc = DNSGEN_FAIL;
	}
	free(path);
	return key;
}

/* First run with rotation on: the `selector` list becomes the active keys. */
static void
adopt(struct rotation *r)
{
	const struct sp_domain *d = r->dom;
	bool missing;

	if (r->ks.exists || d->n_selectors == 0)
		return;
	for (size_t i = 0; i < d->n_selectors; i++) {
		struct sp_key *key = load_key(r, d->selectors[i].name, &missing);

		if (key == NULL) {
			if (missing)
				dnsgen_error("%s:%u: selector %s has no key file: "
				    "nothing adopted (make it with dnsgen keygen, "
				    "or remove it from the list)", d->file,
				    d->selectors[i].line, d->selectors[i].name);
			r->rc = DNSGEN_FAIL;
			return;
		}
		sp_keystate_add(&r->ks, key->selector, key->type, SP_KS_ACTIVE,
		    r->now);
		rotate_say(r, "%s adopted as active (%s %d)", key->selector,
		    sp_key_type_name(key->type), key->bits);
		sp_key_free(key);
	}
	(void)rotate_save(r, "adopt");
}

/* Wipe a private key file (overwrite, fsync), then remove it. */
static bool
wipe_key_file(const char *path)
{
	static const char zeros[4096];
	struct stat st;
	off_t left;
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return false;
	}
	for (left = st.st_size; left > 0;) {
		ssize_t n = write(fd, zeros, left < (off_t)sizeof(zeros) ?
		    (size_t)left : sizeof(zeros));

		if (n <= 0)
			break;
		left -= n;
	}
	if (left > 0 || fsync(fd) != 0) {
		close(fd);
		return false;
	}
	close(fd);
	return unlink(path) == 0;
}

/* A revoked key's file must be gone (a killed run may have left it). */
static void
wipe_revoked(struct rotation *r, const struct sp_kentry *e)
{
	char *path = sp_key_path(r->conf, r->dom->name, e->selector);

	if (access(path, F_OK) == 0) {
		if (r->dry_run)
			rotate_say(r, "%s: would wipe and remove %s", e->selector,
			    path);
		else if (!wipe_key_file(path)) {
			dnsgen_error("%s: cannot wipe and remove the revoked key: "
			    "%s", path, strerror(errno));
			r->rc = DNSGEN_FAIL;
		} else {
			rotate_say(r, "%s key file %s wiped and removed",
			    e->selector, path);
			test_kill_point("wiped");
		}
	}
	free(path);
}

/* Key files that went missing: make them again or stop using them. */
static void
check_files(struct rotation *r)
{
	for (size_t i = 0; i < r->ks.n; i++) {
		struct sp_kentry *e = &r->ks.keys[i];
		char *path;

		if (e->state == SP_KS_REVOKED) {
			wipe_revoked(r, e);
			continue;
		}
		path = sp_key_path(r->conf, r->dom->name, e->selector);
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			if (e->state == SP_KS_PUBLISHED) {
				rotate_say(r, "%s: key file %s is missing: a new "
				    "key under this selector must be seen served "
				    "again (back to pending)", e->selector, path);
				e->state = SP_KS_PENDING;
				e->since = r->now;
				(void)rotate_save(r, "pending");
			} else if (e->state == SP_KS_ACTIVE) {
				rotate_say(r, "%s: key file %s of an active key "
				    "is missing: it cannot sign; retiring it now "
				    "and making a successor", e->selector, path);
				e->state = SP_KS_RETIRING;
				e->since = r->now;
				r->active_changed = true;
				(void)rotate_save(r, "retiring");
			}
		}
		free(path);
	}
}

/* The key's file for a pending entry that has none yet. */
static void
make_file(struct rotation *r, struct sp_kentry *e)
{
	struct sp_key *key;
	char *rec;

	if (r->dry_run) {
		rotate_say(r, "%s: would make the %s key", e->selector,
		    sp_key_type_name(e->alg));
		return;
	}
	key = dnsgen_make_key(r->conf, r->dom, e->selector,
	    e->alg == SP_KEY_RSA, ROTATE_RSA_BITS);
	if (key == NULL) {
		r->rc = DNSGEN_FAIL;
		return;
	}
	rec = sp_key_dns_record(key);
	rotate_say(r, "%s made (%s %d), pending: publish %s._domainkey.%s. "
	    "%u IN TXT \"%s\"", e->selector, sp_key_type_name(e->alg),
	    key->bits, e->selector, r->dom->name, r->dom->dns.ttl, rec);
	free(rec);
	sp_key_free(key);
	test_kill_point("keygen");
}

/* "20261130r", or with a letter appended when taken. */
static char *
new_selector(const struct rotation *r, enum sp_key_type alg)
{
	char date[SP_TIME_TEXT], base[16];

	sp_time_format(r->now, date);
	snprintf(base, sizeof(base), "%.4s%.2s%.2s%c", date, date + 5,
	    date + 8, alg == SP_KEY_RSA ? 'r' : 'e');
	for (int c = 0; c <= 26; c++) {
		char *sel = c == 0 ? sp_xstrdup(base) :
		    sp_xasprintf("%s%c", base, 'a' + c - 1);
		char *path = sp_key_path(r->conf, r->dom->name, sel);
		bool taken = sp_keystate_find(&r->ks, sel) != NULL ||
		    access(path, F_OK) == 0;

		free(path);
		if (!taken)
			return sel;
		free(sel);
	}
	return NULL;
}

/* Is a new key of this algorithm due (none coming, the active one old)? */
static bool
key_due(const struct rotation *r, enum sp_key_type alg)
{
	time_t newest = 0;
	bool any = false;

	for (size_t i = 0; i < r->ks.n; i++) {
		const struct sp_kentry *e = &r->ks.keys[i];

		if (e->alg != alg)
			continue;
		if (e->state == SP_KS_PENDING || e->state == SP_KS_PUBLISHED)
			return false;
		if (e->state == SP_KS_ACTIVE) {
			any = true;
			if (e->made > newest)
				newest = e->made;
		}
	}
	return !any || r->now - newest >= (time_t)r->dom->rotation.rotate;
}

static void
make_due(struct rotation *r)
{
	static const enum sp_key_type algs[] = { SP_KEY_RSA, SP_KEY_ED25519 };

	for (size_t a = 0; a < 2 && r->rc == DNSGEN_OK; a++) {
		char *sel;

		if (!(r->dom->rotation.algorithms & (1u << algs[a])) ||
		    !key_due(r, algs[a]))
			continue;
		if ((sel = new_selector(r, algs[a])) == NULL) {
			dnsgen_error("%s: every selector of today is taken",
			    r->dom->name);
			r->rc = DNSGEN_FAIL;
			return;
		}
		sp_keystate_add(&r->ks, sel, algs[a], SP_KS_PENDING, r->now);
		free(sel);
		if (!rotate_save(r, "pending"))
			return;
	}
	for (size_t i = 0; i < r->ks.n && r->rc == DNSGEN_OK; i++) {
		char *path = sp_key_path(r->conf, r->dom->name,
		    r->ks.keys[i].selector);

		if (r->ks.keys[i].state == SP_KS_PENDING &&
		    access(path, F_OK) != 0)
			make_file(r, &r->ks.keys[i]);
		free(path);
	}
}

/* pending -> published: every server serves exactly the record. */
static void
check_pending(struct rotation *r)
{
	for (size_t i = 0; i < r->ks.n; i++) {
		struct sp_kentry *e = &r->ks.keys[i];
		struct sp_key *key;
		unsigned long hold = 0;
		enum served s;
		bool missing;

		if (e->state != SP_KS_PENDING)
			continue;
		if ((key = load_key(r, e->selector, &missing)) == NULL)
			continue;       /* a dry run that made no file */
		s = rotate_key_served(r, key, &hold);
		sp_key_free(key);
		if (s == SERVED_UNKNOWN)
			r->rc = DNSGEN_FAIL;
		if (s != SERVED)
			continue;
		e->state = SP_KS_PUBLISHED;
		e->since = r->now;
		e->hold = hold;
		rotate_say(r, "%s published: every server serves it; active "
		    "after %lu seconds", e->selector, hold);
		if (!rotate_save(r, "published"))
			return;
	}
}

/* published -> active once held; older active keys of it -> retiring. */
static void
activate(struct rotation *r)
{
	char until[SP_TIME_TEXT];

	for (size_t i = 0; i < r->ks.n; i++) {
		struct sp_kentry *e = &r->ks.keys[i];

		if (e->state != SP_KS_PUBLISHED ||
		    r->now - e->since < (time_t)e->hold)
			continue;
		e->state = SP_KS_ACTIVE;
		e->since = r->now;
		rotate_say(r, "%s active: signs from now on", e->selector);
		for (size_t k = 0; k < r->ks.n; k++) {
			struct sp_kentry *o = &r->ks.keys[k];

			if (k == i || o->alg != e->alg || o->state != SP_KS_ACTIVE)
				continue;
			o->state = SP_KS_RETIRING;
			o->since = r->now;
			sp_time_format(r->now +
			    (time_t)r->dom->rotation.retire_after, until);
			rotate_say(r, "%s retiring: published until %s, no "
			    "longer signing", o->selector, until);
		}
		r->active_changed = true;
		if (!rotate_save(r, "active"))
			return;
	}
}

/* retiring -> revoked after retire_after: record p=, key wiped. */
static void
revoke_retired(struct rotation *r)
{
	for (size_t i = 0; i < r->ks.n; i++) {
		struct sp_kentry *e = &r->ks.keys[i];

		if (e->state != SP_KS_RETIRING || r->now - e->since <
		    (time_t)r->dom->rotation.retire_after)
			continue;
		e->state = SP_KS_REVOKED;
		e->since = r->now;
		rotate_say(r, "%s revoked: its record is now \"v=DKIM1; k=%s; "
		    "p=\"", e->selector, sp_key_type_name(e->alg));
		if (!rotate_save(r, "revoked"))
			return;
		wipe_revoked(r, e);
	}
}

/*
 * revoked -> gone after revoke_after. With an update server the records
 * leave DNS first: a key is forgotten only once the primary took the
 * update, so a refused or lost update is tried again by the next run.
 */
static void
forget(struct rotation *r)
{
	for (size_t i = 0; i < r->ks.n; i++) {
		const struct sp_kentry *e = &r->ks.keys[i];

		if (e->state == SP_KS_REVOKED && r->now - e->since >=
		    (time_t)r->dom->rotation.revoke_after)
			sp_list_add(&r->forgotten, e->selector);
	}
	if (r->forgotten.n == 0 || (dnsgen_publish_configured(r->dom) &&
	    !rotate_publish(r)))
		return;
	for (size_t f = 0; f < r->forgotten.n; f++) {
		for (size_t i = 0; i < r->ks.n; i++)
			if (strcmp(r->ks.keys[i].selector, r->forgotten.v[f]) == 0) {
				sp_keystate_remove(&r->ks, i);
				break;
			}
		rotate_say(r, "%s forgotten: remove %s._domainkey.%s. TXT",
		    r->forgotten.v[f], r->forgotten.v[f], r->dom->name);
		if (!rotate_save(r, "forgotten"))
			return;
	}
}

void
rotate_domain(struct rotation *r)
{
	sp_err err;

	if (!sp_keystate_load(r->conf, r->dom->name, &r->ks, &err)) {
		dnsgen_error("%s", err.msg);
		r->rc = DNSGEN_FAIL;
		return;
	}
	adopt(r);
	if (r->rc != DNSGEN_OK)
		return;
	check_files(r);
	make_due(r);
	revoke_retired(r);
	forget(r);
	if (r->rc != DNSGEN_OK)
		return;
	rotate_publish_due(r);
	check_pending(r);
	activate(r);
}

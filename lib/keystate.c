/*
 * keystate.c - the key lifecycle's state file (see keystate.h): its names,
 * reading it with PATH:LINE errors, and replacing it atomically.
 *
 * The file, one key a line, oldest first, closed by "end" so that a
 * truncated file is told from a short one:
 *
 *     signpost-keystate 1
 *     key 20261130r rsa active 2026-11-30T04:50:00Z 2026-11-20T04:50:00Z
 *     key 20270228r rsa published 2027-02-28T05:00:00Z 2027-02-28T04:00:00Z hold=3600
 *     end
 *
 * Fields: selector, algorithm, state, since (entered the state), made,
 * and for a published key hold=SECONDS, how long it must stay published.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/clock.h"
#include "signpost/grammar.h"
#include "signpost/keystate.h"

#define MAGIC "signpost-keystate 1"

static const char *const state_names[SP_KS_COUNT] = {
	"pending", "published", "active", "retiring", "revoked",
};

const char *
sp_kstate_name(enum sp_kstate s)
{
	return (unsigned)s < SP_KS_COUNT ? state_names[s] : "?";
}

bool
sp_kstate_parse(const char *name, enum sp_kstate *out)
{
	for (int i = 0; i < SP_KS_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum sp_kstate)i;
			return true;
		}
	return false;
}

const char *
sp_key_type_name(enum sp_key_type t)
{
	return t == SP_KEY_ED25519 ? "ed25519" : "rsa";
}

bool
sp_key_type_parse(const char *name, enum sp_key_type *out)
{
	if (strcmp(name, "rsa") == 0)
		*out = SP_KEY_RSA;
	else if (strcmp(name, "ed25519") == 0)
		*out = SP_KEY_ED25519;
	else
		return false;
	return true;
}

struct sp_kentry *
sp_keystate_find(const struct sp_keystate *ks, const char *selector)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->keys[i].selector, selector) == 0)
			return &ks->keys[i];
	return NULL;
}

struct sp_kentry *
sp_keystate_add(struct sp_keystate *ks, const char *selector,
    enum sp_key_type alg, enum sp_kstate state, time_t now)
{
	struct sp_kentry *e;

	ks->keys = sp_xrealloc(ks->keys, ks->n + 1, sizeof(*ks->keys));
	e = &ks->keys[ks->n++];
	memset(e, 0, sizeof(*e));
	e->selector = sp_xstrdup(selector);
	e->alg = alg;
	e->state = state;
	e->since = now;
	e->made = now;
	return e;
}

void
sp_keystate_remove(struct sp_keystate *ks, size_t index)
{
	if (index >= ks->n)
		SP_BUG("index %zu of %zu", index, ks->n);
	free(ks->keys[index].selector);
	memmove(&ks->keys[index], &ks->keys[index + 1],
	    (ks->n - index - 1) * sizeof(*ks->keys));
	ks->n--;
}

void
sp_keystate_free(struct sp_keystate *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->keys[i].selector);
	free(ks->keys);
	free(ks->domain);
	free(ks->path);
	memset(ks, 0, sizeof(*ks));
}

/* --- reading ------------------------------------------------------------ */

/* "key SEL ALG STATE SINCE MADE [hold=N]" split into words (in place). */
static bool
parse_key_line(char *line, struct sp_keystate *ks, sp_err *err)
{
	char *w[8], *save = NULL, *end;
	size_t n = 0;
	enum sp_key_type alg;
	enum sp_kstate state;
	time_t since, made;
	unsigned long hold = 0;

	for (char *t = strtok_r(line, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save))
		if (n < 8)
			w[n++] = t;
		else
			n++;
	if (n < 6 || n > 7) {
		sp_err_set(err, "expected \"key SELECTOR ALGORITHM STATE SINCE "
		    "MADE [hold=SECONDS]\"");
		return false;
	}
	if (sp_selector_problem(w[1], strlen(w[1])) != NULL) {
		sp_err_set(err, "\"%s\" is not a selector (%s)", w[1],
		    sp_selector_problem(w[1], strlen(w[1])));
		return false;
	}
	if (!sp_key_type_parse(w[2], &alg)) {
		sp_err_set(err, "\"%s\" is not an algorithm (rsa, ed25519)", w[2]);
		return false;
	}
	if (!sp_kstate_parse(w[3], &state)) {
		sp_err_set(err, "\"%s\" is not a state (pending, published, "
		    "active, retiring, revoked)", w[3]);
		return false;
	}
	if (!sp_time_parse(w[4], &since) || !sp_time_parse(w[5], &made)) {
		sp_err_set(err, "\"%s\" / \"%s\": times are YYYY-MM-DDTHH:MM:SSZ",
		    w[4], w[5]);
		return false;
	}
	if (n == 7) {
		errno = 0;
		hold = strncmp(w[6], "hold=", 5) == 0 && w[6][5] >= '0' &&
		    w[6][5] <= '9' ? strtoul(w[6] + 5, &end, 10) : 0;
		if (strncmp(w[6], "hold=", 5) != 0 || w[6][5] < '0' ||
		    w[6][5] > '9' || *end != '\0' || errno != 0 ||
		    hold > 2147483647ul) {
			sp_err_set(err, "\"%s\" is not hold=SECONDS", w[6]);
			return false;
		}
	}
	if (sp_keystate_find(ks, w[1]) != NULL) {
		sp_err_set(err, "selector \"%s\" is listed twice", w[1]);
		return false;
	}
	sp_keystate_add(ks, w[1], alg, state, since)->made = made;
	ks->keys[ks->n - 1].hold = hold;
	return true;
}

/* One line (NUL-terminated, no newline); *done after "end". */
static bool
parse_line(char *line, bool *magic_seen, bool *done,
    struct sp_keystate *ks, sp_err *err)
{
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return true;
	if (*done) {
		sp_err_set(err, "text after the \"end\" line");
		return false;
	}
	if (!*magic_seen) {
		if (strcmp(line, MAGIC) != 0) {
			sp_err_set(err, "not a signpost key state file (the "
			    "first line must be \"%s\")", MAGIC);
			return false;
		}
		*magic_seen = true;
		return true;
	}
	if (strcmp(line, "end") == 0) {
		*done = true;
		return true;
	}
	if (strncmp(line, "key ", 4) != 0 && strncmp(line, "key\t", 4) != 0) {
		sp_err_set(err, "expected \"key ...\" or \"end\"");
		return false;
	}
	return parse_key_line(line, ks, err);
}

bool
sp_keystate_parse(const char *path, const char *text, size_t len,
    struct sp_keystate *ks, sp_err *err)
{
	bool magic_seen = false, done = false, good = true;
	unsigned lineno = 0;
	const char *p = text, *end = text + len;

	while (good && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = sp_xstrndup(p, n);

		lineno++;
		if (memchr(p, '\0', n) != NULL) {
			sp_err_set(err, "a NUL byte");
			good = false;
		} else
			good = parse_line(line, &magic_seen, &done, ks, err);
		free(line);
		p += n + (nl != NULL);
	}
	if (!good) {
		sp_err_prefix(err, "%s:%u", path, lineno);
	} else if (!done) {
		sp_err_set(err, "%s:%u: the file ends before its \"end\" line "
		    "(truncated?); restore it or repair it by hand (see "
		    "dnsgen(1)); nothing was changed", path, lineno + 1);
		good = false;
	}
	return good;
}

char *
sp_keystate_path(const struct sp_config *conf, const char *domain)
{
	return sp_xasprintf("%s/%s/" SP_KEYSTATE_FILE, conf->signing.keys_dir,
	    domain);
}

bool
sp_keystate_load(const struct sp_config *conf, const char *domain,
    struct sp_keystate *ks, sp_err *err)
{
	struct sp_buf b = SP_BUF_INIT;
	char chunk[8192];
	ssize_t got;
	int fd;
	bool good;

	memset(ks, 0, sizeof(*ks));
	ks->domain = sp_xstrdup(domain);
	ks->path = sp_keystate_path(conf, domain);
	if ((fd = open(ks->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return true;
		sp_err_set(err, "%s: %s", ks->path, strerror(errno));
		return false;
	}
	ks->exists = true;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		sp_buf_append(&b, chunk, (size_t)got);
	if (got < 0) {
		sp_err_set(err, "%s: %s", ks->path, strerror(errno));
		good = false;
	} else
		good = sp_keystate_parse(ks->path, b.data ? b.data : "", b.len,
		    ks, err);
	close(fd);
	sp_buf_free(&b);
	return good;
}

/* --- writing ------------------------------------------------------------ */

char *
sp_keystate_text(const struct sp_keystate *ks)
{
	struct sp_buf b = SP_BUF_INIT;
	char since[SP_TIME_TEXT], made[SP_TIME_TEXT];

	sp_buf_printf(&b, "# Key states of %s, written by dnsgen rotate; "
	    "signpost-milter\n# signs with the active keys. Times are UTC. "
	    "See dnsgen(1).\n# key SELECTOR ALGORITHM STATE SINCE MADE "
	    "[hold=SECONDS]\n" MAGIC "\n", ks->domain);
	for (size_t i = 0; i < ks->n; i++) {
		const struct sp_kentry *e = &ks->keys[i];

		sp_time_format(e->since, since);
		sp_time_format(e->made, made);
		sp_buf_printf(&b, "key %s %s %s %s %s", e->selector,
		    sp_key_type_name(e->alg), sp_kstate_name(e->state), since,
		    made);
		if (e->state == SP_KS_PUBLISHED)
			sp_buf_printf(&b, " hold=%lu", e->hold);
		sp_buf_putc(&b, '\n');
	}
	sp_buf_puts(&b, "end\n");
	return sp_buf_steal(&b);
}

/* Write all of text to fd and make it durable. */
static bool
write_all(int fd, const char *text, size_t len)
{
	return sp_write_all(fd, text, len) && fsync(fd) == 0;
}

/* The folder's fsync makes the rename itself durable. */
static bool
sync_folder(const char *path)
{
	char *dir = sp_xstrdup(path), *slash = strrchr(dir, '/');
	int fd;
	bool good;

	if (slash != NULL)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	good = fd >= 0 && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	free(dir);
	return good;
}

bool
sp_keystate_save(struct sp_keystate *ks, sp_err *err)
{
	char *tmp = sp_xasprintf("%s.tmp", ks->path);
	char *text = sp_keystate_text(ks);
	char *dir = sp_xstrdup(ks->path), *slash = strrchr(dir, '/');
	struct stat st;
	int fd;
	bool good = false;

	if (slash != NULL)
		*slash = '\0';
	(void)unlink(tmp);      /* left by a run that died while writing */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd < 0) {
		sp_err_set(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* The milter reads it after dropping to its user, as its keys. */
	if (stat(dir, &st) == 0)
		(void)fchown(fd, (uid_t)-1, st.st_gid);
	if (fchmod(fd, 0640) != 0 || !write_all(fd, text, strlen(text))) {
		sp_err_set(err, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, ks->path) != 0 || !sync_folder(ks->path)) {
		sp_err_set(err, "%s: %s", ks->path, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	ks->exists = true;
	good = true;
out:
	free(dir);
	free(text);
	free(tmp);
	return good;
}

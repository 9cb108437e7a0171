/*
 * test_keyset.c - the milter's keyset at scale: loaded by several threads
 * with the same result and the same first error as one by one; found by
 * (domain, selector) whatever the case; on a reload, keys whose files did
 * not change share their secret (untouched files are not even read
 * again), changed ones are decoded again, even written over in place
 * with their times put back, and the owner and mode of every file (or of
 * a symlink's target) are still checked. No EVP_PKEY is built
 * until a key is used, and at most the cache's limit are kept.
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

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "signpost/conf.h"
#include "signpost/keys.h"
#include "../tap.h"

/* More than the keyset's threshold for loading with threads. */
#define N_DOMAINS 300

static char *base;

static void
write_key(const char *path, EVP_PKEY *pkey, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1)
		bail_out("writing %s", path);
	fclose(f);
	if (chmod(path, mode) != 0)
		bail_out("chmod %s: %s", path, strerror(errno));
}

static char *
key_path(size_t i, const char *sel)
{
	return sp_xasprintf("%s/keys/d%03zu.example/%s.pem", base, i, sel);
}

/* N_DOMAINS domains, each with selector "e" (one shared Ed25519 key). */
static struct sp_config *
make_tree(EVP_PKEY *key)
{
	struct sp_buf conf = SP_BUF_INIT;
	struct sp_config *c;
	char *dir;
	sp_err err;

	dir = sp_xasprintf("%s/keys", base);
	(void)mkdir(dir, 0755);
	free(dir);
	sp_buf_printf(&conf, "[signing]\nkeys_dir = %s/keys\n", base);
	for (size_t i = 0; i < N_DOMAINS; i++) {
		char *path = key_path(i, "e");

		dir = sp_xasprintf("%s/keys/d%03zu.example", base, i);
		(void)mkdir(dir, 0755);
		write_key(path, key, 0600);
		free(dir);
		free(path);
		sp_buf_printf(&conf, "[domain d%03zu.example]\nselector = e\n", i);
	}
	c = sp_config_parse("keyset.conf", conf.data, conf.len, &err);
	if (c == NULL)
		bail_out("%s", err.msg);
	sp_buf_free(&conf);
	return c;
}

static void
test_load_and_find(const struct sp_config *conf,
    const struct sp_key_rules *rules)
{
	struct sp_keyset *ks;
	bool all = true;
	sp_err err;

	ks = sp_keyset_load(conf, rules, &err);
	if (!ok(ks != NULL && ks->n == N_DOMAINS, "load: %d keys", N_DOMAINS))
		diag("%s", ks == NULL ? err.msg : "wrong count");
	for (size_t i = 0; ks != NULL && i < N_DOMAINS; i++) {
		char *d = sp_xasprintf("D%03zu.Example", i);
		const struct sp_key *k = sp_keyset_find(ks, d, "E");

		all = all && k != NULL && ks->keys[i] == k &&
		    strcmp(k->domain, conf->domains[i].name) == 0;
		free(d);
	}
	ok(all, "load: every key in configuration order, found by name in "
	    "any case");
	ok(ks != NULL && sp_keyset_find(ks, "d000.example", "r") == NULL &&
	    sp_keyset_find(ks, "nope.example", "e") == NULL,
	    "find: misses what is not there");
	ok(ks != NULL && ks->keys[0]->public_b64 == NULL,
	    "load: the milter's keys carry no p=");
	sp_keyset_free(ks);
}

/* The first error in configuration order, as a serial load would give. */
static void
test_first_error(const struct sp_config *conf,
    const struct sp_key_rules *rules)
{
	char *late = key_path(290, "e"), *early = key_path(250, "e");
	struct sp_keyset *ks;
	char *want;
	sp_err err;

	chmod(late, 0644);
	chmod(early, 0666);
	ks = sp_keyset_load(conf, rules, &err);
	want = sp_xasprintf("keyset.conf:%u: selector e of d250.example: %s: "
	    "mode 0666", conf->domains[250].selectors[0].line, early);
	if (!ok(ks == NULL && strncmp(err.msg, want, strlen(want)) == 0,
	    "threads: the first bad key in configuration order is reported"))
		diag("got \"%s\", want \"%s...\"", ks ? "(loaded)" : err.msg,
		    want);
	sp_keyset_free(ks);
	chmod(late, 0600);
	chmod(early, 0600);
	free(want);
	free(late);
	free(early);
}

/*
 * A key file written over in place (same inode, same size: another
 * Ed25519 key) with its modification time put back: only the change
 * time tells, and a file changed that recently is read again anyway.
 */
static void
test_rewritten_in_place(const struct sp_config *conf,
    const struct sp_key_rules *rules, const struct sp_keyset *old,
    EVP_PKEY *other)
{
	char *path = key_path(41, "e");
	struct sp_keyset *ks;
	struct stat before;
	struct timespec times[2];
	EVP_PKEY *fresh;
	sp_err err;

	if (stat(path, &before) != 0)
		bail_out("stat %s: %s", path, strerror(errno));
	write_key(path, other, 0600);
	times[0] = before.st_atim;
	times[1] = before.st_mtim;
	if (utimensat(AT_FDCWD, path, times, 0) != 0)
		bail_out("utimensat %s: %s", path, strerror(errno));
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	fresh = ks != NULL ? sp_key_pkey(ks->keys[41]) : NULL;
	ok(fresh != NULL && EVP_PKEY_eq(fresh, other) == 1,
	    "reload: a key written over in place, its mtime put back, is "
	    "read again");
	EVP_PKEY_free(fresh);
	sp_keyset_free(ks);
	free(path);
}

/*
 * A key file swapped for another by rename: a new inode at the same
 * path, while the file the old key came from is still untouched. The
 * stat of the path (not of the old file) decides.
 */
static void
test_swapped_by_rename(const struct sp_config *conf,
    const struct sp_key_rules *rules, const struct sp_keyset *old,
    EVP_PKEY *other)
{
	char *path = key_path(45, "e"), *aside = key_path(45, "old.pem");
	char *fresh_file = sp_xasprintf("%s.new", path);
	struct sp_keyset *ks;
	EVP_PKEY *fresh;
	sp_err err;

	write_key(fresh_file, other, 0600);
	if (link(path, aside) != 0 || rename(fresh_file, path) != 0)
		bail_out("rename %s: %s", path, strerror(errno));
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	fresh = ks != NULL ? sp_key_pkey(ks->keys[45]) : NULL;
	ok(ks != NULL && ks->keys[45]->secret != old->keys[45]->secret &&
	    fresh != NULL && EVP_PKEY_eq(fresh, other) == 1,
	    "reload: a key file renamed over the old one is read again");
	EVP_PKEY_free(fresh);
	sp_keyset_free(ks);
	if (rename(aside, path) != 0)
		bail_out("rename %s: %s", aside, strerror(errno));
	free(fresh_file);
	free(aside);
	free(path);
}

/*
 * Keys are opened relative to keys_dir: a symlinked key is still
 * followed, and judged by its target's owner and mode under the link's
 * name.
 */
static void
test_symlinked_key(const struct sp_config *conf,
    const struct sp_key_rules *rules, EVP_PKEY *key)
{
	char *link = key_path(43, "e");
	char *target = sp_xasprintf("%s/target.pem", base);
	char *want = sp_xasprintf("%s: mode 0644", link);
	struct sp_keyset *ks;
	sp_err err;

	write_key(target, key, 0600);
	if (unlink(link) != 0 || symlink(target, link) != 0)
		bail_out("symlink %s: %s", link, strerror(errno));
	ks = sp_keyset_load(conf, rules, &err);
	ok(ks != NULL && ks->n == N_DOMAINS, "keyset: a symlink to a good "
	    "key loads");
	sp_keyset_free(ks);
	chmod(target, 0644);
	ks = sp_keyset_load(conf, rules, &err);
	if (!ok(ks == NULL && strstr(err.msg, want) != NULL,
	    "keyset: a symlink to a 0644 key is refused, naming the link"))
		diag("got: %s", ks == NULL ? err.msg : "(loaded)");
	sp_keyset_free(ks);
	if (unlink(link) != 0)
		bail_out("unlink %s: %s", link, strerror(errno));
	write_key(link, key, 0600);
	free(want);
	free(target);
	free(link);
}

static void
test_reload(const struct sp_config *conf, const struct sp_key_rules *rules,
    EVP_PKEY *key)
{
	struct sp_keyset *old, *ks;
	EVP_PKEY *fresh;
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char *changed = key_path(7, "e"), *unsafe = key_path(9, "e");
	sp_err err;

	old = sp_keyset_load(conf, rules, &err);
	if (old == NULL || other == NULL)
		bail_out("setup: %s", old == NULL ? err.msg : "keygen");
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	ok(ks != NULL && ks->reused == N_DOMAINS &&
	    ks->keys[3]->secret == old->keys[3]->secret,
	    "reload: unchanged keys share their secret");
	sp_keyset_free(ks);
	/* files changed over 2 s before a load are taken by their identity */
	usleep(2100 * 1000);
	sp_keyset_free(old);
	old = sp_keyset_load(conf, rules, &err);
	if (old == NULL)
		bail_out("setup: %s", err.msg);
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	ok(ks != NULL && ks->reused == N_DOMAINS &&
	    old->keys[3]->file.settled &&
	    ks->keys[3]->secret == old->keys[3]->secret,
	    "reload: untouched settled files share their secret");
	sp_keyset_free(ks);

	write_key(changed, other, 0600);
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	fresh = ks != NULL ? sp_key_pkey(ks->keys[7]) : NULL;
	ok(ks != NULL && ks->reused == N_DOMAINS - 1 &&
	    ks->keys[7]->secret != old->keys[7]->secret &&
	    fresh != NULL && EVP_PKEY_eq(fresh, other) == 1,
	    "reload: a replaced key file is decoded again");
	EVP_PKEY_free(fresh);
	sp_keyset_free(ks);

	test_rewritten_in_place(conf, rules, old, other);
	test_swapped_by_rename(conf, rules, old, other);

	chmod(unsafe, 0644);
	ks = sp_keyset_reload(conf, rules, old, SP_KEYSET_ALL_CPUS, &err);
	ok(ks == NULL && strstr(err.msg, "mode 0644") != NULL,
	    "reload: an unchanged key whose mode became unsafe is refused");
	chmod(unsafe, 0600);

	sp_keyset_free(old);
	ks = sp_keyset_load(conf, rules, &err);
	fresh = ks != NULL ? sp_key_pkey(ks->keys[3]) : NULL;
	ok(fresh != NULL && EVP_PKEY_eq(fresh, key) == 1,
	    "reload: the shared keys outlive the set they came from");
	EVP_PKEY_free(fresh);
	sp_keyset_free(ks);
	EVP_PKEY_free(other);
	free(changed);
	free(unsafe);
}

/* EVP_PKEYs are built on first use only, and at most the cache's limit. */
static void
test_cache(const struct sp_config *conf, const struct sp_key_rules *rules,
    EVP_PKEY *key)
{
	struct sp_keyset *ks;
	EVP_PKEY *a, *b;
	bool same = true;
	sp_err err;

	if ((ks = sp_keyset_load(conf, rules, &err)) == NULL)
		bail_out("cache setup: %s", err.msg);
	ok(sp_key_cache_count() == 0,
	    "cache: loading builds no EVP_PKEY (%zu)", sp_key_cache_count());
	a = sp_key_pkey(ks->keys[5]);
	b = sp_key_pkey(ks->keys[5]);
	ok(a != NULL && a == b && EVP_PKEY_eq(a, key) == 1 &&
	    sp_key_cache_count() == 1,
	    "cache: a key in use is built once, from its file's key");
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	sp_key_cache_limit(4);
	for (size_t i = 10; i < 30; i++) {      /* test_reload replaced 7 */
		a = sp_key_pkey(ks->keys[i]);
		same = same && a != NULL && EVP_PKEY_eq(a, key) == 1;
		EVP_PKEY_free(a);
	}
	ok(same && sp_key_cache_count() == 4,
	    "cache: 20 keys used, 4 kept (%zu)", sp_key_cache_count());
	sp_keyset_free(ks);
	ok(sp_key_cache_count() == 0, "cache: freeing the keys empties it");
	sp_key_cache_limit(0);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct sp_key_rules rules;
	struct sp_config *conf;
	char *cmd;
	sp_err err;

	base = sp_xasprintf("%s/test_keyset.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (key == NULL || mkdtemp(base) == NULL)
		bail_out("setup failed");
	conf = make_tree(key);
	if (!sp_key_rules_from_config(conf, false, &rules, &err))
		bail_out("%s", err.msg);
	test_load_and_find(conf, &rules);
	test_first_error(conf, &rules);
	test_reload(conf, &rules, key);
	test_symlinked_key(conf, &rules, key);
	test_cache(conf, &rules, key);
	sp_config_free(conf);
	EVP_PKEY_free(key);
	cmd = sp_xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	free(cmd);
	free(base);
	return done_testing();
}

/*
 * keyset.c - the milter's keys: every active selector of every configured
 * domain, loaded at start and on each reload, found per message by
 * (domain, selector) in one hash probe.
 *
 * A hosting provider's 100,000 domains mean 200,000 keys. They are loaded
 * by one thread per CPU (at most KEYSET_THREADS, or fewer when the caller
 * says so: a reload leaves CPUs to the mail), each taking the next
 * block of keys; the result and the first error are the same as loading
 * them one by one in configuration order. On a reload, a key whose file
 * is unchanged takes over the EVP_PKEY of the set it replaces (keys.c).
 * Keys of a set carry no p=: the milter signs, dnsgen publishes.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signpost/keys.h"
#include "key_int.h"

#define KEYSET_THREADS 8
#define KEYSET_BLOCK 64         /* keys a thread takes at once */
#define KEYSET_PARALLEL_MIN 256 /* fewer keys: no threads */

/* FNV-1a over "domain/selector", lower-cased (DNS names ignore case). */
static size_t
keyset_hash(const char *domain, const char *selector)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *part = domain; part != NULL;
	    part = part == domain ? selector : NULL) {
		for (const char *c = part; *c != '\0'; c++) {
			unsigned char ch = (unsigned char)*c;

			if (ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			h = (h ^ ch) * 1099511628211ull;
		}
		h = (h ^ '/') * 1099511628211ull;
	}
	return (size_t)h;
}

/* The slot holding (domain, selector), or the empty one where it goes. */
static size_t *
keyset_slot(const struct sp_keyset *ks, const char *domain,
    const char *selector)
{
	size_t mask = ks->cap - 1, i = keyset_hash(domain, selector) & mask;

	while (ks->table[i] != 0) {
		const struct sp_key *k = ks->keys[ks->table[i] - 1];

		if (sp_strcasecmp(k->domain, domain) == 0 &&
		    sp_strcasecmp(k->selector, selector) == 0)
			break;
		i = (i + 1) & mask;
	}
	return &ks->table[i];
}

/* A table at most half full, so each message finds its keys at once. */
static void
keyset_index(struct sp_keyset *ks)
{
	ks->cap = 16;
	while (ks->cap < ks->n * 2)
		ks->cap *= 2;
	ks->table = sp_xcalloc(ks->cap, sizeof(*ks->table));
	for (size_t i = 0; i < ks->n; i++) {
		size_t *slot = keyset_slot(ks, ks->keys[i]->domain,
		    ks->keys[i]->selector);

		if (*slot == 0)
			*slot = i + 1;
	}
}

/* One key to load: where it is named in the configuration. */
struct load_item {
	const struct sp_domain *dom;
	const struct sp_selector *sel;
};

/* What the loading threads share. */
struct load_job {
	const struct sp_config *conf;
	const struct sp_key_rules *rules;
	const struct sp_keyset *previous;
	const struct load_item *items;
	int dirfd;                      /* keys_dir, or AT_FDCWD */
	size_t rel;                     /* where a key's path leaves keys_dir */
	struct sp_key **keys;           /* per item; NULL: not loaded */
	size_t n;
	atomic_size_t next;             /* first item no thread has taken */
	atomic_bool failed;             /* stop taking blocks */
	atomic_size_t reused;
};

/* A thread's first failure, by item index. */
struct load_failure {
	size_t index;                   /* SIZE_MAX: none */
	sp_err err;
};

static bool
load_item(struct load_job *job, size_t i, sp_err *err)
{
	const struct load_item *it = &job->items[i];
	const char *cpath = job->conf->path != NULL ? job->conf->path :
	    "configuration";
	char *path = sp_key_path(job->conf, it->dom->name, it->sel->name);
	const struct sp_key *old = sp_keyset_find(job->previous, it->dom->name,
	    it->sel->name);
	bool reused = false;

	job->keys[i] = key_load(job->dirfd, job->dirfd == AT_FDCWD ? path :
	    path + job->rel, path, it->dom->name, it->sel->name, job->rules,
	    false, old, &reused, err);
	free(path);
	if (job->keys[i] == NULL) {
		sp_err_prefix(err, "%s:%u: selector %s of %s",
		    it->dom->file != NULL ? it->dom->file : cpath,
		    it->sel->line, it->sel->name, it->dom->name);
		return false;
	}
	if (reused)
		atomic_fetch_add(&job->reused, 1);
	return true;
}

/* Take blocks of keys until none are left or a thread failed. */
static void
load_blocks(struct load_job *job, struct load_failure *f)
{
	f->index = SIZE_MAX;
	while (!atomic_load(&job->failed)) {
		size_t start = atomic_fetch_add(&job->next, KEYSET_BLOCK);

		if (start >= job->n)
			break;
		for (size_t i = start; i < job->n && i < start + KEYSET_BLOCK;
		    i++) {
			if (!load_item(job, i, &f->err)) {
				f->index = i;
				atomic_store(&job->failed, true);
				return;
			}
		}
	}
}

struct loader {
	pthread_t tid;
	struct load_job *job;
	struct load_failure failure;
};

static void *
loader_main(void *arg)
{
	struct loader *l = arg;

	load_blocks(l->job, &l->failure);
	key_decode_thread_done();
	return NULL;
}

/* Loader threads for n keys: one per CPU, at most `limit`. */
static size_t
thread_count(size_t n, size_t limit)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want;

	if (n < KEYSET_PARALLEL_MIN || cpus < 2)
		return 0;
	want = cpus > KEYSET_THREADS ? KEYSET_THREADS : (size_t)cpus;
	return want < limit ? want : limit;
}

/*
 * Load every item: threads first, then this thread walks the items in
 * order, loading what the threads left, so the error reported is the
 * first one in configuration order, exactly as without threads.
 */
static bool
load_all(struct load_job *job, size_t limit, sp_err *err)
{
	size_t n_threads = thread_count(job->n, limit), started = 0;
	struct loader *threads = NULL;
	size_t first_failure = SIZE_MAX;
	const sp_err *failure_err = NULL;

	if (n_threads > 0)
		threads = sp_xcalloc(n_threads, sizeof(*threads));
	for (size_t t = 0; t < n_threads; t++) {
		threads[t].job = job;
		if (pthread_create(&threads[t].tid, NULL, loader_main,
		    &threads[t]) != 0)
			break;
		started++;
	}
	for (size_t t = 0; t < started; t++) {
		pthread_join(threads[t].tid, NULL);
		if (threads[t].failure.index < first_failure) {
			first_failure = threads[t].failure.index;
			failure_err = &threads[t].failure.err;
		}
	}
	for (size_t i = 0; i < job->n; i++) {
		if (job->keys[i] != NULL)
			continue;
		if (i == first_failure) {
			*err = *failure_err;
			break;
		}
		if (!load_item(job, i, err)) {
			first_failure = i;
			break;
		}
	}
	free(threads);
	return first_failure == SIZE_MAX;
}

/*
 * Each key is opened relative to keys_dir, opened once: the kernel walks
 * two names per key instead of the whole path. When keys_dir cannot be
 * opened, every key is opened by its path, so the error is the same.
 */
static void
open_keys_dir(const struct sp_config *conf, struct load_job *job)
{
	char *probe = sp_key_path(conf, "d", "s");

	job->dirfd = AT_FDCWD;
	/* the path is keys_dir, a '/', then DOMAIN/SELECTOR.pem */
	job->rel = strlen(probe) - strlen("d/s.pem");
	free(probe);
	if (job->rel < 2)
		return;
	job->dirfd = open(conf->signing.keys_dir,
	    O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (job->dirfd < 0)
		job->dirfd = AT_FDCWD;
}

struct sp_keyset *
sp_keyset_reload(const struct sp_config *conf, const struct sp_key_rules *rules,
    const struct sp_keyset *previous, size_t threads, sp_err *err)
{
	struct sp_keyset *ks = sp_xcalloc(1, sizeof(*ks));
	struct load_item *items;
	struct load_job job;
	size_t n = 0;
	bool good;

	for (size_t d = 0; d < conf->n_domains; d++)
		n += conf->domains[d].n_selectors;
	items = sp_xcalloc(n > 0 ? n : 1, sizeof(*items));
	ks->keys = sp_xcalloc(n > 0 ? n : 1, sizeof(*ks->keys));
	for (size_t d = 0, i = 0; d < conf->n_domains; d++)
		for (size_t s = 0; s < conf->domains[d].n_selectors; s++, i++) {
			items[i].dom = &conf->domains[d];
			items[i].sel = &conf->domains[d].selectors[s];
		}
	memset(&job, 0, sizeof(job));
	job.conf = conf;
	job.rules = rules;
	job.previous = previous;
	job.items = items;
	job.keys = ks->keys;
	job.n = n;
	atomic_init(&job.next, 0);
	atomic_init(&job.failed, false);
	atomic_init(&job.reused, 0);
	open_keys_dir(conf, &job);
	ks->n = n;
	good = load_all(&job, threads, err);
	if (job.dirfd != AT_FDCWD)
		close(job.dirfd);
	free(items);
	if (!good) {
		sp_keyset_free(ks);
		return NULL;
	}
	ks->reused = atomic_load(&job.reused);
	keyset_index(ks);
	return ks;
}

struct sp_keyset *
sp_keyset_load(const struct sp_config *conf, const struct sp_key_rules *rules,
    sp_err *err)
{
	return sp_keyset_reload(conf, rules, NULL, SP_KEYSET_ALL_CPUS, err);
}

const struct sp_key *
sp_keyset_find(const struct sp_keyset *ks, const char *domain,
    const char *selector)
{
	size_t idx;

	if (ks == NULL || ks->cap == 0)
		return NULL;
	idx = *keyset_slot(ks, domain, selector);
	return idx != 0 ? ks->keys[idx - 1] : NULL;
}

void
sp_keyset_free(struct sp_keyset *ks)
{
	if (ks == NULL)
		return;
	/* NULL entries (a failed load) are skipped by sp_key_free */
	sp_keys_free_array(ks->keys, ks->n);
	free(ks->table);
	free(ks);
}

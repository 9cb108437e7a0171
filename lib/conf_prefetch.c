/*
 * conf_prefetch.c - the files an include names, read ahead on other
 * threads while the parser works through them in order.
 *
 * With one file per customer, 100,000 included files cost four system
 * calls each (open, fstat, read, close) and the parser waits for every
 * one. Reader threads (one per CPU, at most PREFETCH_THREADS) take blocks
 * of files and read them into slots at most PREFETCH_WINDOW files ahead
 * of the parser, which takes each file's bytes, or the error reading it
 * gave, in configuration order: the result and the first error are those
 * of reading the files one by one.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"

#define PREFETCH_THREADS 4
#define PREFETCH_BLOCK 16       /* files a thread takes at once */
#define PREFETCH_WINDOW 1024    /* files read and not yet parsed, at most */
#define PREFETCH_MIN 64         /* fewer files: read them in place */

/* One file, as a reader left it. */
struct slot {
	bool done;                      /* under the lock */
	bool good;
	struct sp_buf text;
	struct conf_file_id id;
	char *error;                    /* "PATH: why" when !good */
};

struct conf_prefetch {
	const struct sp_list *files;
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t ready;           /* a block was read */
	pthread_cond_t room;            /* the parser took a file */
	size_t next;                    /* first file no reader has taken */
	size_t taken;                   /* files the parser has taken */
	bool stop;
	size_t n_threads;
	pthread_t threads[PREFETCH_THREADS];
};

static void
read_slot(struct conf_prefetch *pf, size_t i)
{
	struct slot *s = &pf->slots[i];
	sp_err err;

	s->good = conf_read_file(pf->files->v[i], &s->text, &s->id, &err);
	if (!s->good)
		s->error = sp_xstrdup(err.msg);
}

/* The next block to read, or false when none is left or the parser stopped. */
static bool
take_block(struct conf_prefetch *pf, size_t *start, size_t *end)
{
	bool have;

	pthread_mutex_lock(&pf->lock);
	while (!pf->stop && pf->next < pf->files->n &&
	    pf->next >= pf->taken + PREFETCH_WINDOW)
		pthread_cond_wait(&pf->room, &pf->lock);
	have = !pf->stop && pf->next < pf->files->n;
	if (have) {
		*start = pf->next;
		*end = *start + PREFETCH_BLOCK < pf->files->n ?
		    *start + PREFETCH_BLOCK : pf->files->n;
		pf->next = *end;
	}
	pthread_mutex_unlock(&pf->lock);
	return have;
}

static void *
reader_main(void *arg)
{
	struct conf_prefetch *pf = arg;
	size_t start, end;

	while (take_block(pf, &start, &end)) {
		for (size_t i = start; i < end; i++)
			read_slot(pf, i);
		pthread_mutex_lock(&pf->lock);
		for (size_t i = start; i < end; i++)
			pf->slots[i].done = true;
		pthread_cond_broadcast(&pf->ready);
		pthread_mutex_unlock(&pf->lock);
	}
	return NULL;
}

static size_t
reader_count(size_t n_files)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n_files < PREFETCH_MIN || cpus < 2)
		return 0;
	return cpus > PREFETCH_THREADS ? PREFETCH_THREADS : (size_t)cpus;
}

struct conf_prefetch *
conf_prefetch_start(const struct sp_list *files)
{
	size_t want = reader_count(files->n);
	struct conf_prefetch *pf;

	if (want == 0)
		return NULL;
	pf = sp_xcalloc(1, sizeof(*pf));
	pf->files = files;
	pf->slots = sp_xcalloc(files->n, sizeof(*pf->slots));
	pthread_mutex_init(&pf->lock, NULL);
	pthread_cond_init(&pf->ready, NULL);
	pthread_cond_init(&pf->room, NULL);
	for (size_t t = 0; t < want; t++) {
		if (pthread_create(&pf->threads[pf->n_threads], NULL,
		    reader_main, pf) != 0)
			break;
		pf->n_threads++;
	}
	return pf;
}

bool
conf_prefetch_take(struct conf_prefetch *pf, size_t i, struct sp_buf *text,
    struct conf_file_id *id, sp_err *err)
{
	struct slot *s = &pf->slots[i];
	bool mine;

	pthread_mutex_lock(&pf->lock);
	/* no reader has taken it yet (or none started): read it here */
	mine = i >= pf->next;
	if (mine)
		pf->next = i + 1;
	while (!mine && !s->done)
		pthread_cond_wait(&pf->ready, &pf->lock);
	pf->taken = i + 1;
	pthread_cond_broadcast(&pf->room);
	pthread_mutex_unlock(&pf->lock);
	if (mine)
		return conf_read_file(pf->files->v[i], text, id, err);
	*text = s->text;
	memset(&s->text, 0, sizeof(s->text));
	*id = s->id;
	if (!s->good)
		sp_err_set(err, "%s", s->error);
	return s->good;
}

void
conf_prefetch_stop(struct conf_prefetch *pf)
{
	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->lock);
	pf->stop = true;
	pthread_cond_broadcast(&pf->room);
	pthread_mutex_unlock(&pf->lock);
	for (size_t t = 0; t < pf->n_threads; t++)
		pthread_join(pf->threads[t], NULL);
	for (size_t i = 0; i < pf->files->n; i++) {
		sp_buf_free(&pf->slots[i].text);
		free(pf->slots[i].error);
	}
	free(pf->slots);
	pthread_cond_destroy(&pf->ready);
	pthread_cond_destroy(&pf->room);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}

/*
 * records.c - the `records` subcommand: the records of the chosen domains
 * in one of four formats, printed only when every domain's records build.
 *
 * With 100,000 domains the work is loading 200,000 keys and formatting
 * 190 MB of text. The domains are cut into runs of RUN_DOMAINS; a thread
 * per CPU (the calling one included) takes the next run, loads, builds
 * and formats its domains into the run's own text, and keeps the run's
 * warnings and errors beside it (dnsgen_capture). The calling thread
 * takes the runs in order, printing their messages, so stdout and stderr
 * read as from a serial run. Threads meet once a run, not once a domain,
 * and each frees what it allocated, so no allocator arena is shared.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsgen/dnsgen.h"

#define RUN_DOMAINS 64
#define MAX_THREADS 8

struct run {
	struct sp_buf text;             /* its domains' records, formatted */
	struct sp_buf messages;         /* its warnings and errors */
	bool good;                      /* every domain's records built */
	bool json_items;                /* JSON: at least one element */
	bool ready;                     /* text and messages are complete */
};

struct runs {
	const struct dnsgen_opts *o;
	const struct sp_config *conf;
	const struct sp_key_rules *rules;
	size_t want;                    /* domains */
	size_t n;                       /* runs */
	size_t next;                    /* the next run nobody has taken */
	struct run *run;
	pthread_mutex_t lock;
	pthread_cond_t ready;           /* a run became ready */
};

/* Domain i's records appended to the run's text; false: it failed. */
static bool
format_domain(const struct runs *rs, size_t i, struct run *run, bool *first)
{
	const struct sp_domain *dom = dnsgen_chosen_domain(rs->o, rs->conf, i);
	struct sp_dnsrec rec;
	bool good;

	memset(&rec, 0, sizeof(rec));
	good = dom != NULL &&
	    dnsgen_domain_records(rs->conf, dom, rs->rules, &rec);
	/* after a failure nothing is printed: only the messages matter */
	if (good && run->good) {
		if (rs->o->format == SP_FMT_JSON) {
			sp_dnsrec_format_json_items(&run->text, &rec, first);
		} else {
			if (i > 0 && rs->o->format != SP_FMT_NSUPDATE)
				sp_buf_putc(&run->text, '\n');
			sp_dnsrec_format(&run->text, &rec, 1, rs->o->format);
		}
	}
	sp_dnsrec_free(&rec);
	return good;
}

static void
format_run(const struct runs *rs, size_t r)
{
	struct run *run = &rs->run[r];
	size_t end = (r + 1) * RUN_DOMAINS;
	bool first = true;

	run->good = true;
	dnsgen_capture(&run->messages);
	if (end > rs->want)
		end = rs->want;
	for (size_t i = r * RUN_DOMAINS; i < end; i++) {
		if (!format_domain(rs, i, run, &first))
			run->good = false;
		/* room for the rest, judged by the first: no copies as it grows */
		if (i == r * RUN_DOMAINS && run->text.len > 0)
			sp_buf_reserve(&run->text, run->text.len * (end - i) +
			    run->text.len / 8);
	}
	dnsgen_capture(NULL);
	run->json_items = !first;
}

/* Take the next run and format it; false when none is left. Locked. */
static bool
take_run(struct runs *rs)
{
	size_t r;

	if (rs->next >= rs->n)
		return false;
	r = rs->next++;
	pthread_mutex_unlock(&rs->lock);
	format_run(rs, r);
	pthread_mutex_lock(&rs->lock);
	rs->run[r].ready = true;
	/* only the calling thread waits, for the run it prints next */
	pthread_cond_signal(&rs->ready);
	return true;
}

static void *
worker_main(void *arg)
{
	struct runs *rs = arg;

	pthread_mutex_lock(&rs->lock);
	while (take_run(rs))
		continue;
	pthread_mutex_unlock(&rs->lock);
	sp_keys_thread_done();
	return NULL;
}

/* Helper threads: one per other CPU, when there is more than one run. */
static size_t
start_workers(struct runs *rs, pthread_t *tids)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want, started = 0;

	if (rs->n < 2 || cpus < 2)
		return 0;
	want = cpus > MAX_THREADS ? MAX_THREADS - 1 : (size_t)cpus - 1;
	if (want > rs->n - 1)
		want = rs->n - 1;
	for (size_t t = 0; t < want; t++)
		if (pthread_create(&tids[started], NULL, worker_main, rs) == 0)
			started++;
	return started;
}

/*
 * Run r, once it is ready: formatting others meanwhile (so a failed
 * pthread_create only costs speed). Its messages are printed.
 */
static struct run *
await_run(struct runs *rs, size_t r)
{
	pthread_mutex_lock(&rs->lock);
	while (!rs->run[r].ready)
		if (!take_run(rs))
			pthread_cond_wait(&rs->ready, &rs->lock);
	pthread_mutex_unlock(&rs->lock);
	if (rs->run[r].messages.len > 0)
		fputs(rs->run[r].messages.data, stderr);
	sp_buf_free(&rs->run[r].messages);
	return &rs->run[r];
}

/* Print to stdout, or fail (a full disk or a closed pipe is an error). */
static bool
put_stdout(const char *data, size_t len)
{
	if (len > 0 && fwrite(data, 1, len, stdout) != len) {
		dnsgen_error("writing the output: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Every run's text in order (JSON: as one array), then flushed. */
static bool
write_runs(const struct runs *rs, enum sp_dns_format fmt)
{
	bool json = fmt == SP_FMT_JSON, items = false, good = true;

	if (json)
		good = put_stdout("[", 1);
	for (size_t r = 0; r < rs->n && good; r++) {
		const struct run *run = &rs->run[r];

		if (json && items && run->json_items)
			good = put_stdout(",", 1);
		items = items || run->json_items;
		good = good && put_stdout(run->text.data, run->text.len);
	}
	if (good && json)
		good = items ? put_stdout("\n]\n", 3) : put_stdout("]\n", 2);
	if (good && fflush(stdout) != 0) {
		dnsgen_error("writing the output: %s", strerror(errno));
		good = false;
	}
	return good;
}

/* Format every domain (want of them) into rs->run; false: one failed. */
static bool
format_all(struct runs *rs)
{
	pthread_t tids[MAX_THREADS];
	size_t started;
	bool good = true;

	rs->n = (rs->want + RUN_DOMAINS - 1) / RUN_DOMAINS;
	rs->run = sp_xcalloc(rs->n, sizeof(*rs->run));
	pthread_mutex_init(&rs->lock, NULL);
	pthread_cond_init(&rs->ready, NULL);
	started = start_workers(rs, tids);
	for (size_t r = 0; r < rs->n; r++) {
		struct run *run = await_run(rs, r);

		good = good && run->good;
		if (!good)      /* nothing will be printed: drop the text now */
			sp_buf_free(&run->text);
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&rs->lock);
	pthread_cond_destroy(&rs->ready);
	return good;
}

int
dnsgen_records(const struct dnsgen_opts *o)
{
	struct dnsgen_zone z;
	struct sp_key_rules rules;
	struct runs rs;
	int rc = DNSGEN_FAIL;

	memset(&rs, 0, sizeof(rs));
	rs.want = dnsgen_open_config(o, &z, &rules);
	if (rs.want > 0) {
		rs.o = o;
		rs.conf = z.conf;
		rs.rules = &rules;
		if (format_all(&rs) && write_runs(&rs, o->format))
			rc = DNSGEN_OK;
		for (size_t r = 0; r < rs.n; r++)
			sp_buf_free(&rs.run[r].text);
		free(rs.run);
	}
	dnsgen_zone_free(&z);
	return rc;
}

/*
 * milter-client-load.c - load mode: N connections (one thread each) send
 * the same message M times or for T seconds, each exactly as a Postfix
 * smtpd/cleanup pair would, and the totals are printed on one line:
 * messages per second over the whole run, per-message latency (MAIL to the
 * end-of-message reply) at the 50th and 99th percentile, and the count of
 * each verdict. All connections open before the clock starts; with --hold
 * every one also stays open until the last message of every other is done,
 * so the milter holds all of them at once. With --rate the messages leave
 * at planned times instead of back to back, and each is timed from its
 * planned start (a stall then also counts in the messages queued behind
 * it, as it would for an MTA's queue).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "milter-client-internal.h"

struct worker {
	pthread_t tid;
	const struct mc_load_opts *o;
	const struct mc_msg *msg;
	struct mc_env env;
	pthread_barrier_t *start, *end;
	double deadline;              /* seconds mode: monotonic end time */
	double interval, offset;      /* --rate: seconds between messages, before the first */
	double *lat;
	size_t nlat, cap;
	unsigned long accept, signed_, tempfail, reject, other, errors;
	char err[256];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
open_conn(struct worker *w, struct mc_conn *c)
{
	mc_conn_init(c, w->o->timeout_ms, w->o->verbose);
	if (mc_connect(c, w->o->socket) == 0 && mc_open_session(c, &w->env) == 0)
		return true;
	snprintf(w->err, sizeof(w->err), "%s", c->err);
	w->errors++;
	mc_conn_free(c);
	return false;
}

static void
count(struct worker *w, const struct mc_result *res, double ms)
{
	bool added = false;

	for (size_t i = 0; i < res->nmods; i++)
		if (res->mods[i].type == MC_MOD_INSHEADER || res->mods[i].type == MC_MOD_ADDHEADER)
			added = true;
	switch (res->verdict) {
	case MC_V_CONTINUE: case MC_V_ACCEPT: w->accept++; w->signed_ += added; break;
	case MC_V_TEMPFAIL: w->tempfail++; break;
	case MC_V_REJECT: w->reject++; break;
	case MC_V_REPLYCODE:
		if (res->text && res->text[0] == '4')
			w->tempfail++;
		else
			w->reject++;
		break;
	case MC_V_ERROR: case MC_V_DROPPED:
		w->errors++;
		snprintf(w->err, sizeof(w->err), "%s", res->text ? res->text : "error");
		return;
	default: w->other++; break;
	}
	if (w->nlat == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->lat = sp_xrealloc(w->lat, w->cap, sizeof(*w->lat));
	}
	w->lat[w->nlat++] = ms;
}

static bool
more(const struct worker *w, unsigned sent)
{
	return w->o->seconds > 0 ? now() < w->deadline : sent < w->o->messages;
}

/* --rate: wait for message N's planned start (the run began at `begun`). */
static double
planned_start(const struct worker *w, double begun, unsigned n)
{
	double at = begun + w->offset + (double)n * w->interval;
	struct timespec ts;

	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return at;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct mc_conn c;
	bool open = open_conn(w, &c);
	unsigned sent = 0, failures = 0;
	double begun;

	pthread_barrier_wait(w->start);
	begun = now();
	w->deadline = begun + w->o->seconds;
	while (more(w, sent) && failures < 20) {
		struct mc_result res;
		double t0;
		int rc;

		if (!open && !(open = open_conn(w, &c))) {
			failures++;
			continue;
		}
		t0 = w->o->rate > 0 ? planned_start(w, begun, sent) : now();
		rc = mc_transaction(&c, &w->env, w->msg, NULL, 0, ++sent, &res);
		count(w, &res, (now() - t0) * 1000.0);
		mc_result_free(&res);
		failures = rc < 0 ? failures + 1 : 0;
		if (rc < 0) {
			mc_conn_free(&c);
			open = false;
		}
	}
	if (w->end != NULL)
		pthread_barrier_wait(w->end);
	if (open) {
		mc_quit(&c);
		mc_conn_free(&c);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
percentile(const double *v, size_t n, double p)
{
	double x = p / 100.0 * (double)n;
	size_t i = (size_t)x;

	if (n == 0)
		return 0;
	if ((double)i < x)          /* nearest-rank: ceil(p% of n) */
		i++;
	return v[i > 0 ? i - 1 : 0];
}

static int
summarise(struct worker *w, unsigned n, double elapsed)
{
	unsigned long acc = 0, sig = 0, tf = 0, rej = 0, oth = 0, err = 0;
	size_t total = 0, k = 0;
	double *all;

	for (unsigned i = 0; i < n; i++)
		total += w[i].nlat;
	all = sp_xcalloc(total + 1, sizeof(*all));
	for (unsigned i = 0; i < n; i++) {
		if (w[i].nlat > 0)      /* a refused connection timed nothing */
			memcpy(all + k, w[i].lat, w[i].nlat * sizeof(*all));
		k += w[i].nlat;
		acc += w[i].accept; sig += w[i].signed_; tf += w[i].tempfail;
		rej += w[i].reject; oth += w[i].other; err += w[i].errors;
		if (w[i].errors > 0)
			fprintf(stderr, "milter-client: connection %u: %s\n", i + 1, w[i].err);
	}
	qsort(all, total, sizeof(*all), cmp_double);
	printf("connections=%u messages=%zu seconds=%.3f msgs_per_s=%.1f p50_ms=%.3f "
	    "p99_ms=%.3f max_ms=%.3f accept=%lu signed=%lu tempfail=%lu reject=%lu "
	    "other=%lu errors=%lu\n", n, total, elapsed,
	    elapsed > 0 ? (double)total / elapsed : 0.0, percentile(all, total, 50),
	    percentile(all, total, 99), total ? all[total - 1] : 0.0, acc, sig, tf,
	    rej, oth, err);
	fflush(stdout);
	free(all);
	return err > 0 ? 1 : 0;
}

/* Enough descriptors for a thousand connections. */
static void
raise_fd_limit(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want + 64) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			fprintf(stderr, "milter-client: raising the open-file limit: %s\n",
			    strerror(errno));
	}
}

int
mc_load_run(const struct mc_load_opts *o, const struct mc_env *env,
    const struct mc_msg *msg)
{
	unsigned n = o->connections ? o->connections : 1;
	struct worker *w = sp_xcalloc(n, sizeof(*w));
	pthread_barrier_t start, end;
	pthread_attr_t attr;
	double t0, elapsed;
	int rc;

	raise_fd_limit(n);
	pthread_barrier_init(&start, NULL, n + 1);
	if (o->hold)
		pthread_barrier_init(&end, NULL, n);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (unsigned i = 0; i < n; i++) {
		w[i].o = o;
		w[i].msg = msg;
		w[i].env = *env;
		w[i].env.client_port = env->client_port + i;
		w[i].start = &start;
		w[i].end = o->hold ? &end : NULL;
		if (o->rate > 0) {      /* connection i starts i/n of an interval late */
			w[i].interval = (double)n / o->rate;
			w[i].offset = (double)i / o->rate;
		}
		if ((rc = pthread_create(&w[i].tid, &attr, worker_main, &w[i])) != 0) {
			fprintf(stderr, "milter-client: pthread_create: %s\n", strerror(rc));
			exit(2);
		}
	}
	pthread_barrier_wait(&start);
	t0 = now();
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].tid, NULL);
	elapsed = now() - t0;
	rc = summarise(w, n, elapsed);
	for (unsigned i = 0; i < n; i++)
		free(w[i].lat);
	free(w);
	pthread_attr_destroy(&attr);
	pthread_barrier_destroy(&start);
	if (o->hold)
		pthread_barrier_destroy(&end);
	return rc;
}

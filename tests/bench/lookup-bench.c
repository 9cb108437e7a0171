/*
 * lookup-bench.c - the per-message domain lookup (sp_config_find_domain)
 * with few and with many domains: it should cost the same.
 *
 *   lookup-bench [-n DOMAINS]... [-l LOOKUPS]
 *
 * For each -n (default 10 and 100000) it parses a configuration of that
 * many [domain] sections (every other one with subdomains = yes) and times
 * LOOKUPS lookups (default 2,000,000) of three kinds, spread over all the
 * domains: an exact configured domain, a subdomain two labels below one
 * with subdomains = yes (the walk up the labels), and a domain that is not
 * configured. One line per run: domains=N exact_ns= sub_ns= miss_ns=
 * (nanoseconds per lookup, wall clock, one thread).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "signpost/conf.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sp_config *
make_config(size_t n)
{
	struct sp_buf text = SP_BUF_INIT;
	struct sp_config *conf;
	sp_err err;

	for (size_t i = 0; i < n; i++)
		sp_buf_printf(&text, "[domain c%07zu.example]\nselector = r, e\n"
		    "subdomains = %s\n", i, i % 2 ? "yes" : "no");
	conf = sp_config_parse("lookup-bench.conf", text.data, text.len, &err);
	if (conf == NULL) {
		fprintf(stderr, "lookup-bench: %s\n", err.msg);
		exit(2);
	}
	sp_buf_free(&text);
	return conf;
}

/* ns per lookup of the names, round robin; checks each answer. */
static double
time_lookups(const struct sp_config *conf, char **names, size_t n_names,
    size_t lookups, bool want_found)
{
	double t0 = now();
	size_t found = 0;

	for (size_t i = 0; i < lookups; i++)
		found += sp_config_find_domain(conf, names[i % n_names]) != NULL;
	if (found != (want_found ? lookups : 0)) {
		fprintf(stderr, "lookup-bench: %zu of %zu lookups found a "
		    "domain, expected %s\n", found, lookups,
		    want_found ? "all" : "none");
		exit(1);
	}
	return (now() - t0) * 1e9 / (double)lookups;
}

static void
run(size_t n, size_t lookups)
{
	enum { NAMES = 4096 };
	struct sp_config *conf = make_config(n);
	char *exact[NAMES], *sub[NAMES], *miss[NAMES];
	double e, s, m;

	for (size_t i = 0; i < NAMES; i++) {
		/* spread over all domains; odd ones have subdomains = yes */
		size_t d = (i * 7919u) % n, odd = d | 1u;

		if (odd >= n)           /* n odd, d = n - 1 */
			odd = n - 2;
		exact[i] = sp_xasprintf("c%07zu.example", d);
		sub[i] = sp_xasprintf("mx.mail.C%07zu.example", odd);
		miss[i] = sp_xasprintf("x.c%07zu.example.org", d);
	}
	e = time_lookups(conf, exact, NAMES, lookups, true);
	s = time_lookups(conf, sub, NAMES, lookups, true);
	m = time_lookups(conf, miss, NAMES, lookups, false);
	printf("domains=%zu exact_ns=%.1f sub_ns=%.1f miss_ns=%.1f\n", n, e, s, m);
	fflush(stdout);
	for (size_t i = 0; i < NAMES; i++) {
		free(exact[i]);
		free(sub[i]);
		free(miss[i]);
	}
	sp_config_free(conf);
}

int
main(int argc, char **argv)
{
	size_t sizes[16], n_sizes = 0, lookups = 2000000;
	int ch;

	while ((ch = getopt(argc, argv, "n:l:")) != -1) {
		switch (ch) {
		case 'n':
			if (n_sizes < 16 && strtoul(optarg, NULL, 10) >= 2)
				sizes[n_sizes++] = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			lookups = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: lookup-bench [-n DOMAINS (>= 2)]... "
			    "[-l LOOKUPS]\n");
			return 2;
		}
	}
	if (n_sizes == 0) {
		sizes[n_sizes++] = 10;
		sizes[n_sizes++] = 100000;
	}
	for (size_t i = 0; i < n_sizes; i++)
		run(sizes[i], lookups > 0 ? lookups : 1);
	return 0;
}

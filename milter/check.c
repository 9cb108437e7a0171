/*
 * check.c - signpost-milter -t: load the configuration and every active
 * key exactly as the daemon would (owner and mode rules included), then
 * print what would be signed how: per domain, each selector with its
 * algorithm, key size and file, and for a rotating domain every key of
 * its state file with its state (only the active ones sign). Exit 0, or 2 with the first problem
 * (FILE:LINE for the configuration, the path for a key or a directory).
 * The directories of the unix socket and the pidfile are checked by the
 * rules start-up applies (rundir.c), and metrics_file's directory must be
 * writable by the milter's user.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "signpost/clock.h"
#include "signpost/conf.h"
#include "signpost/keys.h"
#include "signpost/keystate.h"
#include "milter.h"
#include "metrics.h"

static void
print_milter(const struct sp_config *conf)
{
	const struct sp_milter_conf *m = &conf->milter;
	char cidr[SP_CIDR_TEXT_MAX];

	printf("listen on %s (socket_mode %04o), pidfile %s, user %s\n",
	    m->socket, m->socket_mode, m->pidfile,
	    m->user != NULL ? m->user : "(the starting user)");
	printf("sign mail from internal_hosts");
	for (size_t i = 0; i < m->n_internal_hosts; i++) {
		sp_cidr_format(&m->internal_hosts[i], cidr, sizeof(cidr));
		printf("%s %s", i > 0 ? "," : "", cidr);
	}
	if (m->n_internal_hosts == 0)
		printf(" (none)");
	printf("%s; on_error = %s\n", m->sign_authenticated ?
	    " and from authenticated clients" : "",
	    m->on_error == SP_ON_ERROR_ACCEPT ? "accept" : "tempfail");
	printf("limits: max_connections %u, max_packet_size %lu bytes\n",
	    m->max_connections, m->max_packet_size);
	if (m->metrics_file != NULL)
		printf("metrics to %s every %d s%s\n", m->metrics_file,
		    MT_METRICS_INTERVAL, m->metrics_per_domain ?
		    ", a key age series per key" : "");
}

/* A rotating domain's keys that do not sign, with their states. */
static void
print_states(const struct sp_config *conf, const struct sp_domain *d,
    time_t now)
{
	struct sp_keystate ks;
	char since[SP_TIME_TEXT];
	sp_err err;

	if (d->rotation.rotate == 0)
		return;
	if (!sp_keystate_load(conf, d->name, &ks, &err) || !ks.exists) {
		printf("  (rotating: no key state yet; dnsgen rotate starts "
		    "it)\n");
		sp_keystate_free(&ks);
		return;
	}
	for (size_t i = 0; i < ks.n; i++) {
		const struct sp_kentry *e = &ks.keys[i];

		sp_time_format(e->since, since);
		printf("  s=%-16s %-9s since %s (%ld days)%s\n", e->selector,
		    sp_kstate_name(e->state), since,
		    (long)((now - e->since) / 86400),
		    e->state == SP_KS_ACTIVE ? ", signs" : ", does not sign");
	}
	sp_keystate_free(&ks);
}

static void
print_domains(const struct sp_config *conf, const struct sp_keyset *keys,
    time_t now)
{
	for (size_t i = 0; i < conf->n_domains; i++) {
		const struct sp_domain *d = &conf->domains[i];

		if (d->subdomains)
			printf("domain %s and its subdomains (signed as "
			    "d=%s):\n", d->name, d->name);
		else
			printf("domain %s:\n", d->name);
		for (size_t j = 0; j < d->n_selectors; j++) {
			const struct sp_key *k = sp_keyset_find(keys, d->name,
			    d->selectors[j].name);

			if (k == NULL)
				continue;
			printf("  s=%-16s a=%-15s %4d bits  %s\n",
			    k->selector, sp_key_algorithm(k), k->bits, k->path);
		}
		if (d->n_selectors == 0)
			printf("  (no active key: mail passes unsigned)\n");
		print_states(conf, d, now);
	}
}

/* The socket's and the pidfile's directories, as start-up will see them. */
static bool
check_run_dirs(const struct sp_config *conf, sp_err *err)
{
	const struct sp_milter_conf *m = &conf->milter;
	uid_t uid;
	gid_t gid;

	if (!mt_lookup_user(m->user, &uid, &gid, err))
		return false;
	return mt_listen_check_dir(m->socket, uid, gid, err) &&
	    mt_pidfile_check_dir(m->pidfile, uid, gid, err) &&
	    (m->metrics_file == NULL || mt_metrics_check_dir(m->metrics_file,
	    m->user, uid, gid, err));
}

int
mt_check(const char *path)
{
	struct sp_config *conf;
	struct sp_key_rules rules;
	struct sp_keyset *keys;
	time_t now;
	sp_err err;

	conf = sp_clock_now(&now, &err) ? sp_config_load(path, &err) : NULL;
	if (conf == NULL || !sp_keystate_select_active(conf, &err)) {
		sp_config_free(conf);
		fprintf(stderr, MT_NAME ": %s\n", err.msg);
		return 2;
	}
	if (!sp_key_rules_from_config(conf, conf->milter.user != NULL, &rules,
	    &err)) {
		fprintf(stderr, MT_NAME ": %s\n", err.msg);
		sp_config_free(conf);
		return 2;
	}
	keys = sp_keyset_load(conf, &rules, &err);
	if (keys == NULL) {
		fprintf(stderr, MT_NAME ": %s\n", err.msg);
		sp_config_free(conf);
		return 2;
	}
	if (!check_run_dirs(conf, &err)) {
		fprintf(stderr, MT_NAME ": %s\n", err.msg);
		sp_keyset_free(keys);
		sp_config_free(conf);
		return 2;
	}
	printf("%s: configuration and %zu key(s) OK\n", path, keys->n);
	print_milter(conf);
	print_domains(conf, keys, now);
	sp_keyset_free(keys);
	sp_config_free(conf);
	return 0;
}

/*
 * rotate.h - what the parts of `dnsgen rotate` and `dnsgen status` share:
 * one domain's pass through the key lifecycle (SPEC.md "Key lifecycle").
 *
 * rotate.c runs the pass over the domains (lock, SIGHUP to the milter),
 * rotate_steps.c moves one domain's keys, rotate_dns.c asks the servers
 * whether a pending key is served and how long to hold it published.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_ROTATE_H
#define DNSGEN_ROTATE_H

#include <stdbool.h>
#include <time.h>

#include "signpost/keystate.h"
#include "dnsgen/dnsgen.h"

/* RSA keys rotate makes are this size. */
#define ROTATE_RSA_BITS 2048

/* One domain's pass. */
struct rotation {
	const struct sp_config *conf;
	const struct sp_domain *dom;
	struct sp_keystate ks;
	time_t now;
	bool dry_run;
	bool quiet;             /* status --check: no "waiting for" lines */
	bool active_changed;    /* the milter must reload */
	bool changed;           /* the state file was written */
	bool published;         /* rotate_publish ran in this pass */
	struct sp_list forgotten;       /* selectors leaving the records */
	int rc;                 /* DNSGEN_OK, or DNSGEN_FAIL after a message */
};

/* rotate_steps.c: every step due for r->dom, each saved before the next. */
void rotate_domain(struct rotation *r);
/* One line of what changed: "DOMAIN: ..." on stdout. */
void rotate_say(const struct rotation *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Save the state (not on a dry run); false after a message. */
bool rotate_save(struct rotation *r, const char *step);

/*
 * rotate_dns.c: is the key's record served by every server the domain is
 * checked at? Fills *hold with max(record TTL, the SOA's negative TTL)
 * when it is. Prints what it waits for when not; false on a DNS error
 * (with a message).
 */
enum served { SERVED, NOT_SERVED, SERVED_UNKNOWN };
enum served rotate_key_served(struct rotation *r, const struct sp_key *key,
    unsigned long *hold);

/*
 * rotate_dns.c: put the domain's records on its update_server, the
 * records of the selectors in r->forgotten removed; false (r->rc set)
 * after a message. rotate_publish_due does it once per run, with
 * update_server set, when the run changed something or a key waits to be
 * seen.
 */
bool rotate_publish(struct rotation *r);
void rotate_publish_due(struct rotation *r);

/* `dnsgen rotate` and `dnsgen status` */
int dnsgen_rotate(const struct dnsgen_opts *o);
int dnsgen_status(const struct dnsgen_opts *o);

#endif

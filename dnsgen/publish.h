/*
 * publish.h - `dnsgen publish`: put a domain's records on its primary
 * server as RFC 2136 UPDATE messages signed with TSIG (RFC 8945), sending
 * only what differs from what the primary serves, guarded by RFC 2136
 * section 2.4 prerequisites so that a concurrent change makes the server
 * refuse the update instead of being overwritten.
 *
 * `dnsgen rotate` calls dnsgen_publish_domain() with the records it wants
 * (revoked keys as "v=DKIM1; k=...; p=") and the selectors it has
 * forgotten; `dnsgen publish` calls it with what `records` prints.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_PUBLISH_H
#define DNSGEN_PUBLISH_H

#include <stdbool.h>
#include <stdio.h>

#include "signpost/conf.h"
#include "signpost/dnsrec.h"
#include "signpost/util.h"

/* What one publish of one domain did (or, dry run, would do). */
struct dnsgen_publish_result {
	unsigned updates;       /* UPDATE messages sent (0 on a dry run) */
	unsigned rrsets;        /* RRsets added, replaced or deleted */
};

struct dnsgen_publish_req {
	const struct sp_config *conf;
	const struct sp_domain *domain; /* its [dns] update_server, update_key, publish */
	/*
	 * The records the domain must have, as `records` builds them. Each
	 * SP_ROLE_DKIM record is published at its name; with `publish = all`
	 * every other record's RRset too (PTR guidance never).
	 */
	const struct sp_dnsrec *recs;
	/*
	 * Selectors whose SELECTOR._domainkey TXT RRset must leave DNS (keys
	 * past revoke_after); NULL or empty: none. A selector also in recs
	 * is published, not removed. Nothing else is ever deleted: only the
	 * names and types in recs are replaced.
	 */
	const struct sp_list *remove;
	bool dry_run;           /* compare and report, send nothing */
	FILE *report;           /* one line per RRset changed; NULL: silent */
};

/* Has the domain an update_server? (else: nothing to publish through) */
bool dnsgen_publish_configured(const struct sp_domain *dom);

/*
 * Compare with what the domain's primary (update_server) serves, and send
 * the difference in one TSIG-signed UPDATE (none when nothing differs).
 * Returns DNSGEN_OK (0), or DNSGEN_FAIL (2) after printing why on stderr:
 * no update_server or unreadable/weak update_key, the primary not
 * answering, or its rcode by name (NOTAUTH, REFUSED, NXRRSET after a
 * concurrent change, BADKEY/BADSIG/BADTIME for TSIG). res may be NULL.
 */
int dnsgen_publish_domain(const struct dnsgen_publish_req *req,
    struct dnsgen_publish_result *res);

/* The `publish` subcommand (dnsgen.h's struct dnsgen_opts). */
struct dnsgen_opts;
int dnsgen_publish(const struct dnsgen_opts *o);

#endif

/*
 * rotate_publish.c - the step of `dnsgen rotate` that puts the domain's
 * records on its primary when [dns] update_server is set: after keys were
 * made, revoked (p=) or forgotten, and before pending keys are checked,
 * the records `records` would print now go out through `dnsgen publish`
 * (publish.h), and the forgotten selectors' records are deleted. Without
 * update_server nothing is sent: rotate prints the records it waits for.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dnsgen/publish.h"
#include "dnsgen/rotate.h"

void
rotate_publish(struct rotation *r)
{
	struct dnsgen_publish_req req;
	struct sp_dnsrec recs;

	if (!dnsgen_publish_configured(r->dom))
		return;
	if (!dnsgen_domain_records(r->conf, r->dom, &recs)) {
		sp_dnsrec_free(&recs);
		r->rc = DNSGEN_FAIL;
		return;
	}
	memset(&req, 0, sizeof(req));
	req.conf = r->conf;
	req.domain = r->dom;
	req.recs = &recs;
	req.remove = &r->forgotten;
	req.dry_run = r->dry_run;
	req.report = stdout;
	/*
	 * A refused or unanswered update is an error of this run, but the
	 * state stays as it is: pending keys stay pending until every server
	 * serves them, and the next run publishes again.
	 */
	if (dnsgen_publish_domain(&req, NULL) != DNSGEN_OK)
		r->rc = DNSGEN_FAIL;
	sp_dnsrec_free(&recs);
}

/*
 * stspolicy.c - `dnsgen mta-sts-policy`: prints, byte for byte, the
 * MTA-STS policy file (RFC 8461 section 3.2) to serve at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt; the id in the _mta-sts
 * TXT record that `records` prints is the digest of exactly these bytes.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/dnsgen.h"
#include "signpost/mtasts.h"

/* -d DOMAIN, or the only configured domain. */
static const struct sp_domain *
policy_domain(const struct dnsgen_opts *o, const struct sp_config *conf)
{
	if (o->domains.n > 1) {
		dnsgen_error("mta-sts-policy prints one domain's policy: give "
		    "one -d DOMAIN");
		return NULL;
	}
	if (o->domains.n == 1)
		return dnsgen_domain(conf, o->domains.v[0]);
	if (conf->n_domains != 1) {
		dnsgen_error("%s: %zu domains are configured: name one with "
		    "-d DOMAIN", conf->path, conf->n_domains);
		return NULL;
	}
	return &conf->domains[0];
}

int
dnsgen_mta_sts_policy(const struct dnsgen_opts *o)
{
	struct sp_config *conf;
	const struct sp_domain *dom;
	char *policy = NULL;
	int rc = DNSGEN_FAIL;
	sp_err err;

	if ((conf = sp_config_load(o->conf_path, &err)) == NULL) {
		dnsgen_error("%s", err.msg);
		return DNSGEN_FAIL;
	}
	if ((dom = policy_domain(o, conf)) == NULL)
		goto out;
	if ((policy = sp_mta_sts_policy(&dom->dns)) == NULL) {
		dnsgen_error("%s: domain %s: mta_sts is none (or no MX host is "
		    "set): set mta_sts = testing or enforce to publish a "
		    "policy", conf->path, dom->name);
		goto out;
	}
	if (fputs(policy, stdout) == EOF || fflush(stdout) != 0) {
		dnsgen_error("writing the output: %s", strerror(errno));
		goto out;
	}
	rc = DNSGEN_OK;
out:
	free(policy);
	sp_config_free(conf);
	return rc;
}

/*
 * mtasts.c - the MTA-STS policy file (RFC 8461 section 3.2) built from a
 * domain's mta_sts, mta_sts_max_age and MX hosts, and its id for the
 * _mta-sts TXT record: a digest of the file, so that a re-run prints the
 * same id and any change to the policy prints a new one. See mtasts.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "signpost/mtasts.h"

#define SP_MTA_STS_ID_LEN 32    /* RFC 8461 section 3.1: id = 1*32 */

static const char *
mode_name(enum sp_mta_sts_mode mode)
{
	switch (mode) {
	case SP_MTA_STS_NONE: return "none";
	case SP_MTA_STS_TESTING: return "testing";
	case SP_MTA_STS_ENFORCE: return "enforce";
	}
	SP_BUG("unknown MTA-STS mode %d", (int)mode);
}

char *
sp_mta_sts_policy(const struct sp_dns_conf *dns)
{
	struct sp_buf b = SP_BUF_INIT;

	if (dns->policy.mta_sts == SP_MTA_STS_NONE ||
	    (dns->n_mx == 0 && dns->mail_host == NULL))
		return NULL;
	/* Section 3.2: lines end in CRLF; field order is free, this is fixed. */
	sp_buf_puts(&b, "version: STSv1\r\n");
	sp_buf_printf(&b, "mode: %s\r\n", mode_name(dns->policy.mta_sts));
	if (dns->n_mx == 0)
		sp_buf_printf(&b, "mx: %s\r\n", dns->mail_host);
	for (size_t i = 0; i < dns->n_mx; i++)
		sp_buf_printf(&b, "mx: %s\r\n", dns->mx[i].host);
	sp_buf_printf(&b, "max_age: %lu\r\n", dns->policy.mta_sts_max_age);
	return sp_buf_steal(&b);
}

char *
sp_mta_sts_id(const char *policy)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char *id = sp_xmalloc(SP_MTA_STS_ID_LEN + 1);

	if (EVP_Digest(policy, strlen(policy), md, &md_len, EVP_sha256(),
	    NULL) != 1 || md_len * 2 < SP_MTA_STS_ID_LEN)
		SP_BUG("SHA-256 failed");
	for (size_t i = 0; i < SP_MTA_STS_ID_LEN / 2; i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	return id;
}

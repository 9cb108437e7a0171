/*
 * mtasts.h - the MTA-STS policy file of a domain (RFC 8461 section 3.2)
 * and the id its _mta-sts TXT record carries (section 3.1), both derived
 * from the [dns] settings alone (lib/mtasts.c). Pure.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_MTASTS_H
#define SIGNPOST_MTASTS_H

#include "signpost/conf.h"

/*
 * The policy as served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt:
 * "version: STSv1", "mode: ...", one "mx: HOST" per MX host (mail_host when
 * no mx is set), "max_age: N", each line ending in CRLF. NULL when
 * mta_sts = none or there is no MX host. Caller frees.
 */
char *sp_mta_sts_policy(const struct sp_dns_conf *dns);

/*
 * The policy id: the first 32 hex digits of the SHA-256 of the policy's
 * bytes (1*32 ALPHA / DIGIT, RFC 8461 section 3.1), so it changes exactly
 * when the policy does. Caller frees.
 */
char *sp_mta_sts_id(const char *policy);

#endif

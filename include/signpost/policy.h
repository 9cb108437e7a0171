/*
 * policy.h - which mail signpost-milter signs, and with which keys.
 *
 * A pure decision (no I/O, no libmilter): given the configuration, who sent
 * the message (client address, SASL login) and its From: domain, say either
 * "sign as DOMAIN with these selectors" or why not. SPEC.md's rule:
 *
 *   (client address in internal_hosts OR (sign_authenticated AND the
 *    client authenticated)) AND the From: domain is configured (or is a
 *   subdomain of one with subdomains = yes)
 *
 * Signatures the message already carries are judged by the signing engine
 * at the end of the message (sp_dkim_final), where the body hash and our
 * own keys can prove them; this decision does not look at them.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_POLICY_H
#define SIGNPOST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "signpost/conf.h"

/* Who handed us the message. */
struct sp_policy_client {
	const struct sockaddr *addr;    /* from the connect event; NULL: unknown */
	const char *addr_text;          /* {client_addr}: used when addr is NULL */
	const char *auth_authen;        /* {auth_authen}; NULL or "": not authenticated */
};

#define SP_POLICY_REASON_MAX 320

struct sp_policy_result {
	bool sign;
	const struct sp_domain *domain;         /* sign: d= and its selectors */
	const struct sp_selector **selectors;   /* sign: the ones to use, in config order */
	size_t n_selectors;
	char reason[SP_POLICY_REASON_MAX];      /* !sign: why not, for the log */
};

/*
 * Step 1, known once the envelope sender arrives: may this client's mail
 * be signed at all? false: `reason` says why not ("client 192.0.2.1 is
 * not in internal_hosts and did not authenticate").
 */
bool sp_policy_client_ok(const struct sp_config *conf,
    const struct sp_policy_client *client, char *reason, size_t size);

/*
 * Steps 1 and 2 together: the whole decision for one message. from_domain
 * is the From: address's domain (lower-case).
 * The result's selector array is allocated: release it with
 * sp_policy_result_clear().
 */
void sp_policy_decide(const struct sp_config *conf,
    const struct sp_policy_client *client, const char *from_domain,
    struct sp_policy_result *result);

void sp_policy_result_clear(struct sp_policy_result *result);

#endif

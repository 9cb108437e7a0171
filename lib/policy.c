/*
 * policy.c - the milter's signing policy (see policy.h): is the client one
 * of ours, is the From: domain one of ours, and which of its selectors
 * still have to sign. Pure: the caller supplies every fact, we only decide.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/policy.h"
#include "signpost/util.h"

/* The client's address as text, for reasons in the log. */
static void
client_text(const struct sp_policy_client *client, char *buf, size_t size)
{
	const struct sockaddr *sa = client->addr;
	const void *bytes = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		bytes = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		bytes = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (bytes != NULL && inet_ntop(sa->sa_family, bytes, buf,
	    (socklen_t)size) != NULL)
		return;
	if (client->addr_text != NULL && client->addr_text[0] != '\0')
		snprintf(buf, size, "%s", client->addr_text);
	else
		snprintf(buf, size, "with unknown address");
}

static bool
client_is_internal(const struct sp_config *conf,
    const struct sp_policy_client *client)
{
	const struct sp_milter_conf *m = &conf->milter;

	if (client->addr != NULL && (client->addr->sa_family == AF_INET ||
	    client->addr->sa_family == AF_INET6))
		return sp_cidr_match_sockaddr(m->internal_hosts,
		    m->n_internal_hosts, client->addr);
	if (client->addr_text != NULL && client->addr_text[0] != '\0')
		return sp_cidr_match_text(m->internal_hosts,
		    m->n_internal_hosts, client->addr_text);
	return false;
}

bool
sp_policy_client_ok(const struct sp_config *conf,
    const struct sp_policy_client *client, char *reason, size_t size)
{
	bool authenticated = client->auth_authen != NULL &&
	    client->auth_authen[0] != '\0';
	char addr[INET6_ADDRSTRLEN + 64];

	if (client_is_internal(conf, client))
		return true;
	if (authenticated && conf->milter.sign_authenticated)
		return true;
	client_text(client, addr, sizeof(addr));
	if (authenticated)
		snprintf(reason, size, "client %s is not in internal_hosts "
		    "(it authenticated, but sign_authenticated = no)", addr);
	else
		snprintf(reason, size, "client %s is not in internal_hosts "
		    "and did not authenticate", addr);
	return false;
}

/* The closest configured parent of `name` (which is not itself ours). */
static const struct sp_domain *
configured_parent(const struct sp_config *conf, const char *name)
{
	const char *dot;

	for (dot = strchr(name, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
		const struct sp_domain *d = sp_config_domain_named(conf, dot + 1);

		if (d != NULL)
			return d;
	}
	return NULL;
}

/* Step 2: the From: domain and its active selectors. */
static void
decide_domain(const struct sp_config *conf, const char *from_domain,
    struct sp_policy_result *r)
{
	const struct sp_domain *d;
	const struct sp_domain *parent;

	if (from_domain == NULL || from_domain[0] == '\0') {
		snprintf(r->reason, sizeof(r->reason), "no From: domain");
		return;
	}
	d = sp_config_find_domain(conf, from_domain);
	if (d == NULL) {
		parent = configured_parent(conf, from_domain);
		if (parent != NULL)
			snprintf(r->reason, sizeof(r->reason), "From: domain %s "
			    "is a subdomain of %s, which has subdomains = no",
			    from_domain, parent->name);
		else
			snprintf(r->reason, sizeof(r->reason),
			    "From: domain %s is not configured", from_domain);
		return;
	}
	r->domain = d;
	r->selectors = sp_xcalloc(d->n_selectors + 1, sizeof(*r->selectors));
	for (size_t i = 0; i < d->n_selectors; i++)
		r->selectors[r->n_selectors++] = &d->selectors[i];
	if (r->n_selectors == 0) {
		snprintf(r->reason, sizeof(r->reason), "domain %s has no "
		    "active selector", d->name);
		return;
	}
	r->sign = true;
}

void
sp_policy_decide(const struct sp_config *conf,
    const struct sp_policy_client *client, const char *from_domain,
    struct sp_policy_result *result)
{
	memset(result, 0, sizeof(*result));
	if (!sp_policy_client_ok(conf, client, result->reason,
	    sizeof(result->reason)))
		return;
	decide_domain(conf, from_domain, result);
}

void
sp_policy_result_clear(struct sp_policy_result *result)
{
	free(result->selectors);
	memset(result, 0, sizeof(*result));
}

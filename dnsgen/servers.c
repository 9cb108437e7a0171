/*
 * servers.c - which servers `dnsgen check` and `dnsgen rotate` ask about a
 * domain: the one --server names; else the domain's [dns] check_servers
 * (authoritative, asked without recursion); else every address of every
 * name server its NS records name, found through the system resolver.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsgen/servers.h"

/* The zone holding the domain: walk up until a name has NS records. */
static bool
find_ns_names(const char *domain, struct sp_list *names, char **zone,
    sp_err *err)
{
	struct dns_server sys;
	const char *p = domain;
	bool good = false;

	dns_server_system(&sys);
	if (!dns_server_open(&sys, err)) {
		dns_server_close(&sys);
		return false;
	}
	while (p != NULL && strchr(p, '.') != NULL) {
		struct dns_result r;
		char *q = sp_xasprintf("%s.", p);

		dns_query(&sys, q, ns_t_ns, &r);
		if (r.status == DNS_ERROR) {
			sp_err_set(err, "asking the system resolver for the NS "
			    "records of %s: %s", q, r.error);
			free(q);
			dns_result_free(&r);
			break;
		}
		if (r.n_values > 0) {
			for (size_t i = 0; i < r.n_values; i++)
				sp_list_add(names, r.values[i].data);
			*zone = q;
			dns_result_free(&r);
			good = true;
			break;
		}
		free(q);
		dns_result_free(&r);
		p = strchr(p, '.');
		p = p ? p + 1 : NULL;
		if (p == NULL || strchr(p, '.') == NULL)
			sp_err_set(err, "no NS records found for %s or a parent "
			    "below the top-level domain", domain);
	}
	dns_server_close(&sys);
	return good;
}

/* Every address of every name server (the families this host can use). */
static bool
find_servers(const char *domain, struct askset *as, sp_err *err)
{
	struct sp_list names = SP_LIST_INIT;
	char *zone = NULL;

	if (!find_ns_names(domain, &names, &zone, err))
		return false;
	for (size_t i = 0; i < names.n; i++) {
		struct addrinfo hints, *res = NULL, *ai;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_ADDRCONFIG;
		/* AI_ADDRCONFIG ignores loopback: a host with nothing else
		 * (a test namespace) still gets the addresses. */
		if (getaddrinfo(names.v[i], NULL, &hints, &res) != 0) {
			hints.ai_flags = 0;
			if (getaddrinfo(names.v[i], NULL, &hints, &res) != 0)
				continue;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			as->servers = sp_xrealloc(as->servers, as->n + 1,
			    sizeof(*as->servers));
			dns_server_from_sockaddr(&as->servers[as->n++],
			    names.v[i], ai->ai_addr, ai->ai_addrlen);
		}
		freeaddrinfo(res);
	}
	if (as->n == 0)
		sp_err_set(err, "the name servers of %s (%s) have no address "
		    "this host can reach", zone, names.n ? names.v[0] : "?");
	sp_list_free(&names);
	free(zone);
	return as->n > 0;
}

void
askset_free(struct askset *as)
{
	for (size_t i = 0; i < as->n; i++)
		dns_server_close(&as->servers[i]);
	free(as->servers);
	memset(as, 0, sizeof(*as));
}

bool
askset_open(struct askset *as, sp_err *err)
{
	for (size_t i = 0; i < as->n; i++)
		if (!dns_server_open(&as->servers[i], err))
			return false;
	return true;
}


/* The domain's check_servers, each authoritative and not recursive. */
static bool
listed_servers(const struct sp_list *list, struct askset *as, sp_err *err)
{
	as->servers = sp_xcalloc(list->n, sizeof(*as->servers));
	for (size_t i = 0; i < list->n; i++) {
		if (!dns_server_parse(list->v[i], &as->servers[as->n], err))
			return false;
		as->servers[as->n++].recurse = false;
	}
	return true;
}

bool
askset_choose(const struct sp_domain *dom, const char *domain,
    const char *server, struct askset *as, sp_err *err)
{
	memset(as, 0, sizeof(*as));
	if (server != NULL) {
		as->servers = sp_xcalloc(1, sizeof(*as->servers));
		if (!dns_server_parse(server, &as->servers[0], err))
			return false;
		as->n = 1;
		return true;
	}
	as->authoritative = true;
	if (dom != NULL && dom->dns.check_servers.n > 0)
		return listed_servers(&dom->dns.check_servers, as, err);
	if (!find_servers(domain, as, err))
		return false;
	for (size_t i = 0; i < as->n; i++)
		as->servers[i].recurse = false;
	return true;
}

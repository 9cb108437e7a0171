/*
 * servers.h - the servers asked about a domain (servers.c): --server, the
 * domain's [dns] check_servers, or its authoritative servers by NS.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef DNSGEN_SERVERS_H
#define DNSGEN_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/conf.h"
#include "dnsgen/resolve.h"

struct askset {
	struct dns_server *servers;
	size_t n;
	bool authoritative;     /* check_servers or NS-found: require AA */
};

/*
 * Fill as for `domain` (dom: its configuration, or NULL): `server` when
 * not NULL, else dom's check_servers, else the NS-found servers. false
 * and err when none could be named; as is filled either way and freed by
 * askset_free.
 */
bool askset_choose(const struct sp_domain *dom, const char *domain,
    const char *server, struct askset *as, sp_err *err);
bool askset_open(struct askset *as, sp_err *err);
void askset_free(struct askset *as);

#endif

/*
 * conf_update.c - the [dns] names for `dnsgen publish`: update_server
 * (ADDR[#PORT] of the primary that takes RFC 2136 UPDATE messages),
 * update_key (the TSIG key file, read by dnsgen, not at load) and publish
 * (dkim | all: which records it may touch). The defaults and the [dns] ->
 * [domain] inheritance of struct sp_dns_update live here too.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

void
conf_update_defaults(struct sp_dns_update *u)
{
	memset(u, 0, sizeof(*u));
	u->publish = SP_PUBLISH_DKIM;
}

void
conf_update_free(struct sp_dns_update *u)
{
	free(u->server);
	free(u->key);
	memset(u, 0, sizeof(*u));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sp_xstrdup(s) : NULL;
}

/* Copy what the domain did not set (line 0) from [dns]. */
void
conf_update_inherit(struct sp_dns_update *d, const struct sp_dns_update *g)
{
	if (d->line.server == 0)
		d->server = dup_or_null(g->server), d->line.server = g->line.server;
	if (d->line.key == 0)
		d->key = dup_or_null(g->key), d->line.key = g->line.key;
	if (d->line.publish == 0)
		d->publish = g->publish, d->line.publish = g->line.publish;
}

/* ADDR[#PORT]: an IPv4 or IPv6 address literal, port 1-65535 (default 53). */
bool
conf_server_address(const char *v, sp_err *err)
{
	const char *hash = strchr(v, '#');
	char *host = sp_xstrndup(v, hash ? (size_t)(hash - v) : strlen(v));
	unsigned char buf[sizeof(struct in6_addr)];
	bool good = inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;

	free(host);
	if (good && hash != NULL) {
		char *end;
		unsigned long port = strtoul(hash + 1, &end, 10);

		good = hash[1] >= '0' && hash[1] <= '9' && *end == '\0' &&
		    port >= 1 && port <= 65535;
	}
	if (!good)
		sp_err_set(err, "\"%.64s\" is not ADDR[#PORT] (an IPv4 or IPv6 "
		    "address, e.g. 192.0.2.53 or 2001:db8::53#5353)", v);
	return good;
}

/* update_server = ADDR[#PORT]; empty: none */
bool
conf_set_update_server(struct conf_parser *p, const char *v, sp_err *err)
{
	if (*v != '\0' && !conf_server_address(v, err))
		return false;
	free(p->dns->update.server);
	p->dns->update.server = *v != '\0' ? sp_xstrdup(v) : NULL;
	p->dns->update.line.server = p->line;
	return true;
}

/* update_key = PATH of a BIND-format TSIG key file; empty: none */
bool
conf_set_update_key(struct conf_parser *p, const char *v, sp_err *err)
{
	if (*v != '\0' && !conf_abs_path(v, err))
		return false;
	free(p->dns->update.key);
	p->dns->update.key = *v != '\0' ? sp_xstrdup(v) : NULL;
	p->dns->update.line.key = p->line;
	return true;
}

/* publish = dkim | all */
bool
conf_set_publish(struct conf_parser *p, const char *v, sp_err *err)
{
	if (strcmp(v, "dkim") == 0)
		p->dns->update.publish = SP_PUBLISH_DKIM;
	else if (strcmp(v, "all") == 0)
		p->dns->update.publish = SP_PUBLISH_ALL;
	else {
		sp_err_set(err, "\"%.64s\" is not dkim or all", v);
		return false;
	}
	p->dns->update.line.publish = p->line;
	return true;
}

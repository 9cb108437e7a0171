/*
 * spf-eval - dnsgen's SPF evaluator (dnsgen/spfeval.c) on its own, for the
 * tests that compare it with another implementation: asks one DNS server
 * through dnsgen's resolver (dnsgen/resolve.c) and, for each line "IP
 * DOMAIN" on standard input, prints "IP DOMAIN RESULT LOOKUPS VOIDS" and
 * then "# why" on the next line. Sender postmaster@DOMAIN, HELO DOMAIN.
 *
 *     spf-eval ADDR[#PORT] < pairs
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/resolve.h"
#include "dnsgen/spfeval.h"

static void
ask_server(void *ctx, const char *name, int type, struct dns_result *r)
{
	dns_query(ctx, name, type, r);
}

int
main(int argc, char **argv)
{
	struct dns_server server;
	char line[1024], ip[512], domain[512];
	sp_err err;

	if (argc != 2) {
		fprintf(stderr, "usage: spf-eval ADDR[#PORT] < \"IP DOMAIN\" "
		    "lines\n");
		return 2;
	}
	if (!dns_server_parse(argv[1], &server, &err) ||
	    !dns_server_open(&server, &err)) {
		fprintf(stderr, "spf-eval: %s\n", err.msg);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct spf_request req;
		struct spf_verdict v;
		char *sender;

		if (sscanf(line, "%511s %511s", ip, domain) != 2)
			continue;
		sender = sp_xasprintf("postmaster@%s", domain);
		req = (struct spf_request){ ip, domain, sender, domain,
		    ask_server, &server };
		spf_check_host(&req, &v);
		printf("%s %s %s %u %u\n# %s\n", ip, domain,
		    spf_result_name(v.result), v.lookups, v.voids, v.why);
		spf_verdict_free(&v);
		free(sender);
	}
	dns_server_close(&server);
	return 0;
}

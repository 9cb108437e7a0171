/*
 * main.c - signpost-milter(8): the command line.
 *
 *   signpost-milter [-c FILE] [-f] [-t] [-V] [-h]
 *
 * Reads the configuration, then either checks it (-t) or runs the daemon
 * (process.c). Exit status: 0 success, 2 usage, configuration or start-up
 * error.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "signpost/conf.h"
#include "signpost/log.h"
#include "milter.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: " MT_NAME " [-c FILE] [-f] [-t] [-V] [-h]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("Sign outbound mail with DKIM for Postfix (a milter).\n"
	    "  -c FILE  configuration file (default %s)\n"
	    "  -f       stay in the foreground, log to stderr as well as "
	    "syslog\n"
	    "  -t       check the configuration and every active key, print "
	    "what would\n"
	    "           be signed how, and exit (0 good, 2 bad)\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n"
	    "Signals: SIGHUP reloads configuration and keys, SIGTERM stops "
	    "after the\nmessages in flight. See signpost-milter(8).\n",
	    sp_config_default_path());
}

int
main(int argc, char **argv)
{
	struct mt_options opts = { NULL, false };
	struct sp_config *conf;
	bool check = false;
	sp_err err;
	int c;

	while ((c = getopt(argc, argv, "c:ftVh")) != -1) {
		switch (c) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'f':
			opts.foreground = true;
			break;
		case 't':
			check = true;
			break;
		case 'V':
			printf(MT_NAME " " PACKAGE_VERSION "\n");
			return 0;
		case 'h':
			help();
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, MT_NAME ": unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	if (opts.config_path == NULL)
		opts.config_path = sp_config_default_path();
	if (check)
		return mt_check(opts.config_path);

	sp_log_open(MT_NAME, true, true);
	conf = sp_config_load(opts.config_path, &err);
	if (conf == NULL) {
		sp_log(SP_LOG_ERROR, "%s", err.msg);
		return 2;
	}
	sp_log_set_level(conf->milter.log_level);
	return mt_run(&opts, conf);
}

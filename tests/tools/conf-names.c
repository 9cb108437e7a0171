/*
 * conf-names.c - prints every name the signpost.conf(5) parser knows, one
 * a line, straight from its table (conf_rules in lib/conf_set.c), so a test
 * can hold the manual page against the code without parsing C; and the
 * one name outside that table, include.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>

#include "conf_int.h"

int
main(void)
{
	if (printf("%s\n", CONF_INCLUDE_NAME) < 0)
		return 2;
	for (size_t i = 0; i < conf_n_rules; i++)
		if (printf("%s\n", conf_rules[i].name) < 0)
			return 2;
	return fflush(stdout) == 0 ? 0 : 2;
}

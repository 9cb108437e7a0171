/*
 * mailaddr.h - the RFC 5322 section 3.4 address parser the signing engine
 * uses on From: (mailbox-list, with the obsolete forms of section 4.4 that
 * real mail still carries, UTF-8 per RFC 6532, and RFC 6854 groups).
 * Internal to lib/, exposed for its unit tests.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_MAILADDR_H
#define SIGNPOST_MAILADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/util.h"

struct sp_mailbox {
	char *local;            /* local-part, words joined by "." (quotes kept) */
	char *domain;           /* ASCII letters lower-cased; "[...]" for a literal */
};

struct sp_mailbox_list {
	struct sp_mailbox *v;
	size_t n;
	size_t cap;             /* room in v */
};

/*
 * Parse a field value (everything after the colon, folding included) as a
 * list of addresses; a group contributes its members. Fails, with a short
 * reason such as "empty", "no @ in address" or "missing '>'", when the
 * value does not follow the grammar. A list with no mailbox at all (an
 * empty group, "undisclosed-recipients:;") parses, with n == 0.
 */
bool sp_mailbox_list_parse(const char *value, size_t len,
    struct sp_mailbox_list *out, sp_err *err);
void sp_mailbox_list_free(struct sp_mailbox_list *l);

#endif

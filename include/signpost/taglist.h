/*
 * taglist.h - tag=value lists (RFC 6376 section 3.2), the syntax shared by
 * DKIM-Signature fields, DKIM key records and DMARC records (RFC 7489
 * section 6.4). One parser for all three.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_TAGLIST_H
#define SIGNPOST_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/util.h"

struct sp_tag {
	char *name;             /* as written */
	char *value;            /* surrounding white space removed */
};

struct sp_taglist {
	struct sp_tag *v;
	size_t n;
	size_t cap;             /* entries allocated in v */
	size_t probes;          /* index slots the parse looked at: the
	                         * unit test's proof that it is linear */
};

/*
 * Most tags one list may hold. A DKIM-Signature defines 14, a DMARC
 * record 14, a DKIM key record 7 (RFC 6376 3.5 and 3.6.1, RFC 7489 6.3);
 * unknown tags are ignored but count, so a field stuffed with tags is
 * refused after this many instead of costing time and memory.
 */
#define SP_TAGLIST_MAX_TAGS 64

/*
 * Parse "a=1; b = 2;" (len bytes). Empty elements (a trailing ';') are
 * allowed; a missing '=', a bad tag name, a tag given twice (RFC 6376 3.2)
 * or more than SP_TAGLIST_MAX_TAGS tags is not: then `err` says why and
 * the list is left empty. Time and memory are linear in len: duplicates
 * are found through a hash index with a per-process random key, so no
 * choice of names makes them collide on purpose.
 */
bool sp_taglist_parse(const char *text, size_t len, struct sp_taglist *tl,
    sp_err *err);
/* The same with another limit on the number of tags (0: no limit). */
bool sp_taglist_parse_max(const char *text, size_t len, size_t max_tags,
    struct sp_taglist *tl, sp_err *err);
/* The first tag named `name` (a linear scan: lists are short). */
const struct sp_tag *sp_taglist_find(const struct sp_taglist *tl,
    const char *name);
void sp_taglist_free(struct sp_taglist *tl);

/* Remove every white space character (folded p=, b=, bh= values). */
void sp_taglist_squeeze(char *value);

/*
 * The value of tag `name` with all white space removed, or NULL when the
 * list does not parse or lacks the tag (caller frees).
 */
char *sp_taglist_value(const char *text, size_t len, const char *name);

#endif

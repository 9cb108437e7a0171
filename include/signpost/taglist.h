/*
 * taglist.h - tag=value lists (RFC 6376 section 3.2), the syntax shared by
 * DKIM-Signature fields, DKIM key records and DMARC records (RFC 7489
 * section 6.4). One parser for all three.
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
};

/*
 * Parse "a=1; b = 2;" (len bytes). Empty elements (a trailing ';') are
 * allowed; a missing '=', a bad tag name or a tag given twice is not: then
 * `err` says why and the list is left empty.
 */
bool sp_taglist_parse(const char *text, size_t len, struct sp_taglist *tl,
    sp_err *err);
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

/*
 * taglist.c - the tag=value list parser (RFC 6376 section 3.2) used for
 * DKIM-Signature fields already in a message, and for the DKIM and DMARC
 * records dnsgen compares with what DNS serves.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "signpost/taglist.h"

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_" */
static bool
tag_name_ok(const char *name)
{
	if (!is_alpha((unsigned char)*name))
		return false;
	for (name++; *name != '\0'; name++)
		if (!is_alpha((unsigned char)*name) &&
		    !(*name >= '0' && *name <= '9') && *name != '_')
			return false;
	return true;
}

/* One "name = value" element (not empty); false with err on bad syntax. */
static bool
add_element(struct sp_taglist *tl, const char *elem, size_t len, sp_err *err)
{
	const char *eq = memchr(elem, '=', len);
	struct sp_tag tag;

	if (eq == NULL) {
		char *text = sp_xstrndup_trim(elem, len);

		sp_err_set(err, "\"%s\" is not tag=value", text);
		free(text);
		return false;
	}
	tag.name = sp_xstrndup_trim(elem, (size_t)(eq - elem));
	if (!tag_name_ok(tag.name)) {
		sp_err_set(err, "\"%s\" is not a tag name", tag.name);
		free(tag.name);
		return false;
	}
	if (sp_taglist_find(tl, tag.name) != NULL) {
		sp_err_set(err, "tag %s= appears twice", tag.name);
		free(tag.name);
		return false;
	}
	tag.value = sp_xstrndup_trim(eq + 1, len - (size_t)(eq + 1 - elem));
	tl->v = sp_xrealloc(tl->v, tl->n + 1, sizeof(*tl->v));
	tl->v[tl->n++] = tag;
	return true;
}

bool
sp_taglist_parse(const char *text, size_t len, struct sp_taglist *tl,
    sp_err *err)
{
	size_t i = 0;

	tl->v = NULL;
	tl->n = 0;
	while (i < len) {
		const char *semi = memchr(text + i, ';', len - i);
		size_t end = semi != NULL ? (size_t)(semi - text) : len;
		size_t a = i;

		while (a < end && is_wsp((unsigned char)text[a]))
			a++;
		if (a < end && !add_element(tl, text + i, end - i, err)) {
			sp_taglist_free(tl);
			return false;
		}
		i = end + 1;
	}
	return true;
}

const struct sp_tag *
sp_taglist_find(const struct sp_taglist *tl, const char *name)
{
	for (size_t i = 0; i < tl->n; i++)
		if (strcmp(tl->v[i].name, name) == 0)
			return &tl->v[i];
	return NULL;
}

void
sp_taglist_free(struct sp_taglist *tl)
{
	for (size_t i = 0; i < tl->n; i++) {
		free(tl->v[i].name);
		free(tl->v[i].value);
	}
	free(tl->v);
	tl->v = NULL;
	tl->n = 0;
}

void
sp_taglist_squeeze(char *value)
{
	char *w = value;

	for (; *value != '\0'; value++)
		if (!is_wsp((unsigned char)*value))
			*w++ = *value;
	*w = '\0';
}

char *
sp_taglist_value(const char *text, size_t len, const char *name)
{
	struct sp_taglist tl;
	const struct sp_tag *tag;
	char *value = NULL;

	if (!sp_taglist_parse(text, len, &tl, NULL))
		return NULL;
	tag = sp_taglist_find(&tl, name);
	if (tag != NULL) {
		value = sp_xstrdup(tag->value);
		sp_taglist_squeeze(value);
	}
	sp_taglist_free(&tl);
	return value;
}

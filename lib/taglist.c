/*
 * taglist.c - the tag=value list parser (RFC 6376 section 3.2) used for
 * DKIM-Signature fields already in a message, and for the DKIM and DMARC
 * records dnsgen compares with what DNS serves.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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

/*
 * Duplicate tags are found through an open-addressing index of the names
 * seen so far. A name's hash is a polynomial over its bytes modulo the
 * prime 2^61 - 1 with a random base fixed per process: two distinct names
 * of at most L bytes collide with probability below L / 2^61 whatever
 * they are, so an attacker who cannot see the base cannot make chains
 * long. The index is kept at most half full, which keeps each lookup to
 * a couple of probes and the whole parse linear in its input.
 */
#define MOD61 ((UINT64_C(1) << 61) - 1)

static uint64_t hash_base;      /* 2^32 <= base < MOD61 */
static uint64_t hash_mix;       /* random: keys the index's slot choice */
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void
hash_init(void)
{
	uint64_t r[2] = { 0, 0 };

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		r[0] = (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15) ^
		    (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
		r[1] = r[0] * UINT64_C(0xff51afd7ed558ccd) + 1;
	}
	hash_base = (r[0] % (MOD61 - (UINT64_C(1) << 32))) +
	    (UINT64_C(1) << 32);
	hash_mix = r[1] | 1;
}

/* a * b mod 2^61 - 1, for a, b < 2^61, with 32-bit halves (portable C). */
static uint64_t
mulmod61(uint64_t a, uint64_t b)
{
	uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
	uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
	uint64_t lo = a_lo * b_lo, hi = a_hi * b_hi;
	uint64_t mid = a_hi * b_lo + a_lo * b_hi;       /* < 2^62 */
	/* a*b = hi 2^64 + mid 2^32 + lo, and 2^61 = 1 (mod 2^61 - 1) */
	uint64_t s = (hi << 3) + (mid >> 29) + ((mid & 0x1fffffffu) << 32) +
	    (lo & MOD61) + (lo >> 61);

	s = (s & MOD61) + (s >> 61);
	return s >= MOD61 ? s - MOD61 : s;
}

static uint64_t
name_hash(const char *name)
{
	uint64_t h = 0;

	for (; *name != '\0'; name++) {
		h = mulmod61(h, hash_base) + (unsigned char)*name + 1;
		if (h >= MOD61)
			h -= MOD61;
	}
	return h;
}

/* The index: slot k holds a tag number + 1, 0 when empty. */
struct tag_index {
	size_t *slot;
	uint64_t *hash;         /* per tag number */
	size_t mask;            /* slots - 1, slots a power of two */
	size_t *probes;
};

/*
 * The home slot: the hash keyed with hash_mix and run through MurmurHash3's
 * 64-bit finaliser, a bijection in which every output bit depends on every
 * input bit. The polynomial hash is linear: names that differ only in their
 * last byte ("t12340" to "t12349") get consecutive hashes, and a plain
 * multiply kept that structure, so with about one base in twenty a list of
 * 150,000 such names clustered into runs that linear probing walked (17
 * probes a tag instead of 2).
 */
static size_t
index_home(const struct tag_index *ix, uint64_t h)
{
	h ^= hash_mix;
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (size_t)h & ix->mask;
}

/* Where a tag with this hash and name sits, or the empty slot for it. */
static size_t
index_lookup(struct tag_index *ix, const struct sp_taglist *tl, uint64_t h,
    const char *name)
{
	size_t k = index_home(ix, h);

	for (;; k = (k + 1) & ix->mask) {
		size_t t = ix->slot[k];

		(*ix->probes)++;
		if (t == 0 || (ix->hash[t - 1] == h &&
		    strcmp(tl->v[t - 1].name, name) == 0))
			return k;
	}
}

/* Room for tag number tl->n: grow the list and the index by doubling. */
static void
index_reserve(struct tag_index *ix, struct sp_taglist *tl)
{
	size_t slots;

	if (tl->n < tl->cap)
		return;
	tl->cap = tl->cap ? 2 * tl->cap : 8;
	tl->v = sp_xrealloc(tl->v, tl->cap, sizeof(*tl->v));
	ix->hash = sp_xrealloc(ix->hash, tl->cap, sizeof(*ix->hash));
	slots = 2 * tl->cap;
	free(ix->slot);
	ix->slot = sp_xcalloc(slots, sizeof(*ix->slot));
	ix->mask = slots - 1;
	for (size_t t = 0; t < tl->n; t++)
		ix->slot[index_lookup(ix, tl, ix->hash[t], tl->v[t].name)] =
		    t + 1;
}

/* One "name = value" element (not empty); false with err on bad syntax. */
static bool
add_element(struct sp_taglist *tl, struct tag_index *ix, const char *elem,
    size_t len, sp_err *err)
{
	const char *eq = memchr(elem, '=', len);
	struct sp_tag tag;
	uint64_t h;
	size_t k;

	if (eq == NULL) {
		char *text = sp_xstrndup_trim(elem, len);

		sp_err_set(err, "\"%.60s\" is not tag=value", text);
		free(text);
		return false;
	}
	tag.name = sp_xstrndup_trim(elem, (size_t)(eq - elem));
	if (!tag_name_ok(tag.name)) {
		sp_err_set(err, "\"%.60s\" is not a tag name", tag.name);
		free(tag.name);
		return false;
	}
	index_reserve(ix, tl);
	h = name_hash(tag.name);
	k = index_lookup(ix, tl, h, tag.name);
	if (ix->slot[k] != 0) {
		sp_err_set(err, "tag %.60s= appears twice", tag.name);
		free(tag.name);
		return false;
	}
	tag.value = sp_xstrndup_trim(eq + 1, len - (size_t)(eq + 1 - elem));
	ix->hash[tl->n] = h;
	ix->slot[k] = tl->n + 1;
	tl->v[tl->n++] = tag;
	return true;
}

bool
sp_taglist_parse(const char *text, size_t len, struct sp_taglist *tl,
    sp_err *err)
{
	return sp_taglist_parse_max(text, len, SP_TAGLIST_MAX_TAGS, tl, err);
}

bool
sp_taglist_parse_max(const char *text, size_t len, size_t max_tags,
    struct sp_taglist *tl, sp_err *err)
{
	struct tag_index ix = { NULL, NULL, 0, &tl->probes };
	size_t i = 0;
	bool ok = true;

	pthread_once(&hash_once, hash_init);
	memset(tl, 0, sizeof(*tl));
	while (ok && i < len) {
		const char *semi = memchr(text + i, ';', len - i);
		size_t end = semi != NULL ? (size_t)(semi - text) : len;
		size_t a = i;

		while (a < end && is_wsp((unsigned char)text[a]))
			a++;
		if (a < end && max_tags > 0 && tl->n == max_tags) {
			sp_err_set(err, "more than %zu tags", max_tags);
			ok = false;
		} else if (a < end)
			ok = add_element(tl, &ix, text + i, end - i, err);
		i = end + 1;
	}
	free(ix.slot);
	free(ix.hash);
	if (!ok)
		sp_taglist_free(tl);
	return ok;
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
	tl->n = tl->cap = 0;
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

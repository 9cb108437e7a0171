/*
 * key_cache.c - the EVP_PKEYs built from keys' compact forms (key_secret.c)
 * when messages need them, at most `limit` at a time.
 *
 * A milter holding 100,000 domains' keys signs, at any moment, for a few of
 * them; building an EVP_PKEY costs ~0.1 ms (RSA) or one Ed25519 scalar
 * multiplication, so the ones in use are kept. The cache is a ring with a
 * clock hand (second chance): a key used since the hand last passed is
 * spared once, so keys in steady use stay while one-off keys make way.
 * One mutex guards the ring and every secret's `cached`, `slot` and `used`;
 * the EVP_PKEY is built outside it, and each caller gets its own reference,
 * so an eviction never pulls a key from under a signature.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "key_int.h"

#define KEY_CACHE_DEFAULT 4096

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sp_key_secret **ring;     /* `limit` slots, NULL: free */
static size_t limit = KEY_CACHE_DEFAULT;
static size_t hand;
static size_t count;

/* Take s's EVP_PKEY out of the ring. Under the lock. */
static void
evict(struct sp_key_secret *s)
{
	ring[s->slot - 1] = NULL;
	s->slot = 0;
	EVP_PKEY_free(s->cached);
	s->cached = NULL;
	count--;
}

/* A free slot for s, evicting the first entry not used lately. Locked. */
static void
insert(struct sp_key_secret *s)
{
	if (ring == NULL)
		ring = sp_xcalloc(limit, sizeof(*ring));
	for (;;) {
		struct sp_key_secret *old = ring[hand];

		if (old == NULL)
			break;
		if (!old->used) {
			evict(old);
			break;
		}
		old->used = false;
		hand = (hand + 1) % limit;
	}
	ring[hand] = s;
	s->slot = hand + 1;
	s->used = false;
	count++;
	hand = (hand + 1) % limit;
}

EVP_PKEY *
sp_key_pkey(const struct sp_key *key)
{
	struct sp_key_secret *s = key->secret;
	EVP_PKEY *built, *out = NULL;

	if (s == NULL)
		return NULL;
	if (s->pinned != NULL)
		return key_secret_build(s);
	pthread_mutex_lock(&cache_lock);
	if (s->cached != NULL && EVP_PKEY_up_ref(s->cached) == 1) {
		s->used = true;
		out = s->cached;
	}
	pthread_mutex_unlock(&cache_lock);
	if (out != NULL)
		return out;
	if ((built = key_secret_build(s)) == NULL)
		return NULL;
	pthread_mutex_lock(&cache_lock);
	if (s->cached == NULL) {        /* else another thread was quicker */
		insert(s);
		s->cached = built;
		built = NULL;
	}
	s->used = true;
	if (EVP_PKEY_up_ref(s->cached) == 1)
		out = s->cached;
	pthread_mutex_unlock(&cache_lock);
	EVP_PKEY_free(built);
	return out;
}

void
key_cache_forget(struct sp_key_secret *s)
{
	pthread_mutex_lock(&cache_lock);
	if (s->slot != 0)
		evict(s);
	pthread_mutex_unlock(&cache_lock);
}

size_t
sp_key_cache_limit(size_t max)
{
	size_t previous;

	pthread_mutex_lock(&cache_lock);
	previous = limit;
	for (size_t i = 0; ring != NULL && i < limit; i++)
		if (ring[i] != NULL)
			evict(ring[i]);
	free(ring);
	ring = NULL;
	hand = 0;
	limit = max > 0 ? max : KEY_CACHE_DEFAULT;
	pthread_mutex_unlock(&cache_lock);
	return previous;
}

size_t
sp_key_cache_count(void)
{
	size_t n;

	pthread_mutex_lock(&cache_lock);
	n = count;
	pthread_mutex_unlock(&cache_lock);
	return n;
}

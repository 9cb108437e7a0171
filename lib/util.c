/*
 * util.c - error text, allocation, growable buffers and string lists shared
 * by every part of signpost. See util.h for the contracts.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "signpost/util.h"

void
sp_err_set(sp_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void
sp_err_prefix(sp_err *err, const char *fmt, ...)
{
	char prefix[512];
	size_t plen, keep, cap = sizeof(err->msg);
	va_list ap;
	int n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	plen = strlen(prefix);
	keep = strlen(err->msg);
	if (plen + 2 + keep >= cap)
		keep = cap - 1 - plen - 2;
	memmove(err->msg + plen + 2, err->msg, keep);
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, ": ", 2);
	err->msg[plen + 2 + keep] = '\0';
}

static void
out_of_memory(size_t n)
{
	fprintf(stderr, "signpost: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *
sp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
sp_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(nmemb * size);
	return p;
}

void *
sp_xrealloc(void *p, size_t nmemb, size_t size)
{
	void *q;

	if (size != 0 && nmemb > (size_t)-1 / size)
		out_of_memory((size_t)-1);
	q = realloc(p, nmemb * size != 0 ? nmemb * size : 1);
	if (q == NULL)
		out_of_memory(nmemb * size);
	return q;
}

void *
sp_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 1;     /* short lists stay short */

	if (need <= *cap)
		return p;
	while (n < need)
		n = n > (size_t)-1 / 2 ? need : n * 2;
	p = sp_xrealloc(p, n, size);
	*cap = n;
	return p;
}

char *
sp_xstrdup(const char *s)
{
	return sp_xstrndup(s, strlen(s));
}

char *
sp_xstrndup(const char *s, size_t n)
{
	char *p = sp_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
sp_xstrndup_trim(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return sp_xstrndup(s, len);
}

size_t
sp_utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned long cp;
	size_t n;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *
sp_xvasprintf(const char *fmt, va_list ap)
{
	struct sp_buf b = SP_BUF_INIT;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		SP_BUG("bad format \"%s\"", fmt);
	sp_buf_reserve(&b, (size_t)n + 1);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	b.len = (size_t)n;
	return sp_buf_steal(&b);
}

char *
sp_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sp_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
sp_bug(const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "signpost: BUG in %s: ", func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
sp_buf_init(struct sp_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
sp_buf_reserve(struct sp_buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > (size_t)-1 - b->len - 1)
		out_of_memory((size_t)-1);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	b->data = sp_xrealloc(b->data, cap, 1);
	b->cap = cap;
}

void
sp_buf_append(struct sp_buf *b, const void *p, size_t n)
{
	sp_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
sp_buf_puts(struct sp_buf *b, const char *s)
{
	sp_buf_append(b, s, strlen(s));
}

void
sp_buf_putc(struct sp_buf *b, char c)
{
	sp_buf_append(b, &c, 1);
}

void
sp_buf_printf(struct sp_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* format once into the room there is; a second time only if short */
	sp_buf_reserve(b, 128);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		SP_BUG("bad format \"%s\"", fmt);
	if ((size_t)n >= room) {
		sp_buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
sp_buf_reset(struct sp_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
sp_buf_steal(struct sp_buf *b)
{
	char *p;

	if (b->data == NULL)
		sp_buf_reserve(b, 0);
	b->data[b->len] = '\0';
	p = b->data;
	sp_buf_init(b);
	return p;
}

void
sp_buf_free(struct sp_buf *b)
{
	free(b->data);
	sp_buf_init(b);
}

void
sp_buf_wipe(struct sp_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	sp_buf_free(b);
}

void
sp_list_add(struct sp_list *l, const char *s)
{
	sp_list_add_owned(l, sp_xstrdup(s));
}

void
sp_list_add_owned(struct sp_list *l, char *s)
{
	l->v = sp_xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

bool
sp_list_contains_ci(const struct sp_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (sp_strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
sp_list_copy(struct sp_list *dst, const struct sp_list *src)
{
	dst->v = NULL;
	dst->n = dst->cap = 0;
	for (size_t i = 0; i < src->n; i++)
		sp_list_add(dst, src->v[i]);
}

void
sp_list_free(struct sp_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
sp_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = ascii_lower((unsigned char)*a);
		int cb = ascii_lower((unsigned char)*b);

		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

int
sp_strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int ca = ascii_lower((unsigned char)*a);
		int cb = ascii_lower((unsigned char)*b);

		if (ca != cb || ca == '\0')
			return ca - cb;
	}
	return 0;
}

void
sp_str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)ascii_lower((unsigned char)*s);
}

char *
sp_base64_encode(const unsigned char *in, size_t len)
{
	char *out;

	/* EVP_EncodeBlock takes an int: 1.5 GiB is far past any key or hash. */
	if (len > 0x7fffffff / 4 * 3 - 3)
		SP_BUG("base64 of %zu bytes", len);
	out = sp_xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

bool
sp_write_all(int fd, const void *p, size_t len)
{
	const char *at = p;

	while (len > 0) {
		ssize_t n = write(fd, at, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		len -= (size_t)n;
	}
	return true;
}

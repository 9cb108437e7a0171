/*
 * util.h - small shared helpers for signpost: error text, growable byte
 * buffers, string lists and allocation that never returns NULL.
 *
 * Nothing here does I/O. An allocation failure is a bad environment, not a
 * recoverable condition: sp_xmalloc() and friends print a message and abort.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_UTIL_H
#define SIGNPOST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* An error message for the caller to print; functions that fail fill it. */
typedef struct sp_err {
	char msg[1024];
} sp_err;

void sp_err_set(sp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix the existing message: "<prefix>: <old message>". */
void sp_err_prefix(sp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void *sp_xmalloc(size_t n);
void *sp_xcalloc(size_t nmemb, size_t size);
void *sp_xrealloc(void *p, size_t nmemb, size_t size);
/*
 * An array p with room for *cap elements of size bytes, grown to hold at
 * least need: doubling from one element, so that n appends one at a time
 * cost O(n) copies (100,000 [domain] sections grown one at a time made
 * realloc move the array every few domains) and a list of one stays one.
 */
void *sp_xgrow(void *p, size_t *cap, size_t need, size_t size);
char *sp_xstrdup(const char *s);
char *sp_xstrndup(const char *s, size_t n);
char *sp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *sp_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Abort loudly: a violated internal invariant is a bug (names the function). */
#define SP_BUG(...) sp_bug(__func__, __VA_ARGS__)
void sp_bug(const char *func, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* A growable byte buffer; data is always NUL-terminated after len bytes. */
struct sp_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define SP_BUF_INIT { NULL, 0, 0 }

void sp_buf_init(struct sp_buf *b);
void sp_buf_reserve(struct sp_buf *b, size_t extra);
void sp_buf_append(struct sp_buf *b, const void *p, size_t n);
void sp_buf_puts(struct sp_buf *b, const char *s);
void sp_buf_putc(struct sp_buf *b, char c);
void sp_buf_printf(struct sp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sp_buf_reset(struct sp_buf *b);
/* Hand the bytes to the caller (never NULL) and leave b empty. */
char *sp_buf_steal(struct sp_buf *b);
void sp_buf_free(struct sp_buf *b);
/* Wipe the whole allocation before freeing it: for anything secret. */
void sp_buf_wipe(struct sp_buf *b);

/* An owned list of owned strings. */
struct sp_list {
	char **v;
	size_t n;
	size_t cap;                     /* room in v */
};

#define SP_LIST_INIT { NULL, 0, 0 }

void sp_list_add(struct sp_list *l, const char *s);
void sp_list_add_owned(struct sp_list *l, char *s);
bool sp_list_contains_ci(const struct sp_list *l, const char *s);
void sp_list_copy(struct sp_list *dst, const struct sp_list *src);
void sp_list_free(struct sp_list *l);

/* A copy of s[0..len) without leading and trailing SP, HTAB, CR, LF. */
char *sp_xstrndup_trim(const char *s, size_t len);

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF): 1 for ASCII, 2 to 4, or 0
 * when the bytes there (at most avail) are not UTF-8.
 */
size_t sp_utf8_sequence(const unsigned char *s, size_t avail);

/* ASCII-only helpers (locale independent). */
int sp_strcasecmp(const char *a, const char *b);
int sp_strncasecmp(const char *a, const char *b, size_t n);
void sp_str_lower(char *s);

/* Base64 (RFC 4648 section 4) of len bytes, no line breaks (caller frees). */
char *sp_base64_encode(const unsigned char *in, size_t len);

/* Write all len bytes to fd, again after EINTR; false on an error (errno). */
bool sp_write_all(int fd, const void *p, size_t len);

#endif

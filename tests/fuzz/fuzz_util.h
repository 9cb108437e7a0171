/*
 * fuzz_util.h - what several fuzz targets need before their first input:
 * a private scratch directory, files written into it, and a key tree
 * (keys_dir/DOMAIN/SELECTOR.pem) holding a fresh Ed25519 key.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_FUZZ_UTIL_H
#define SIGNPOST_FUZZ_UTIL_H

#include <stddef.h>

/* A directory of our own under $TMPDIR, removed at exit. */
const char *fuzz_scratch_dir(void);
/* Write `len` bytes to `path` with `mode`; aborts on any error. */
void fuzz_write_file(const char *path, const void *data, size_t len,
    unsigned mode);
/* keys_dir/DOMAIN/SELECTOR.pem with a new Ed25519 key (mode 0600). */
void fuzz_make_key(const char *keys_dir, const char *domain,
    const char *selector);
/* Stop with a message: a broken promise of the code under test. */
void fuzz_fail(const char *target, const char *what, const char *detail)
	__attribute__((noreturn));

#endif

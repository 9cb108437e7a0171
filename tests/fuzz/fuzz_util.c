/*
 * fuzz_util.c - scratch files and keys for the fuzz targets (fuzz_util.h).
 * Everything here runs once, before the first input; any failure aborts,
 * since a target without its fixtures would only fuzz its own set-up.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fuzz_util.h"

static char scratch[4096];

void
fuzz_fail(const char *target, const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s%s%s\n", target, what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

static void
remove_scratch(void)
{
	if (scratch[0] != '\0')
		(void)nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch[0] != '\0')
		return scratch;
	snprintf(scratch, sizeof(scratch), "%s/signpost-fuzz.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL)
		fuzz_fail("fuzz", "cannot make a scratch directory",
		    strerror(errno));
	atexit(remove_scratch);
	return scratch;
}

void
fuzz_write_file(const char *path, const void *data, size_t len, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || fchmod(fd, mode) != 0 ||
	    write(fd, data, len) != (ssize_t)len || close(fd) != 0)
		fuzz_fail("fuzz", "cannot write", path);
}

void
fuzz_make_key(const char *keys_dir, const char *domain, const char *selector)
{
	char dir[4096], path[4096];
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s", keys_dir, domain);
	snprintf(path, sizeof(path), "%s/%s.pem", dir, selector);
	if (pkey == NULL)
		fuzz_fail("fuzz", "cannot make an Ed25519 key", NULL);
	if ((mkdir(keys_dir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0750) != 0 && errno != EEXIST))
		fuzz_fail("fuzz", "cannot make", dir);
	fuzz_write_file(path, "", 0, 0600);
	if ((f = fopen(path, "w")) == NULL ||
	    PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0)
		fuzz_fail("fuzz", "cannot write", path);
	EVP_PKEY_free(pkey);
}

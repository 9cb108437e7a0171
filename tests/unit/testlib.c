/*
 * testlib.c - helpers shared by the C unit tests (see testlib.h). Errors
 * of the test itself end it with tap.h's bail_out; checks are counted by
 * the tests, never here.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "signpost/taglist.h"
#include "testlib.h"
#include "../tap.h"

const char *
tl_srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top != NULL ? top : "..";
}

char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct sp_buf b = SP_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		bail_out("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sp_buf_append(&b, chunk, n);
	fclose(fp);
	if (len != NULL)
		*len = b.len;
	return sp_buf_steal(&b);
}

struct sp_list
list_of(const char *const *names)
{
	struct sp_list l = SP_LIST_INIT;

	for (size_t i = 0; names[i] != NULL; i++)
		sp_list_add(&l, names[i]);
	return l;
}

struct sp_list
list_of_csv(const char *csv)
{
	struct sp_list l = SP_LIST_INIT;
	char *copy = sp_xstrdup(csv), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		sp_list_add(&l, t);
	free(copy);
	return l;
}

char *
tag(const char *sig, const char *name)
{
	char *v = sp_taglist_value(sig, strlen(sig), name);

	return v != NULL ? v : sp_xstrdup("(absent)");
}

/* The end of the field at p: a CRLF not followed by white space. */
static char *
field_end(char *p, const char *path)
{
	for (;;) {
		p = strstr(p, "\r\n");
		if (p == NULL)
			bail_out("%s: header not ended", path);
		if (p[2] != ' ' && p[2] != '\t')
			return p;
		p += 2;
	}
}

void
parse_message(const char *path, struct tl_message *m)
{
	char *text, *p, *end;
	size_t len;

	memset(m, 0, sizeof(*m));
	text = read_file(path, &len);
	p = text;
	end = text + len;
	while (p < end && !(p[0] == '\r' && p + 1 < end && p[1] == '\n')) {
		char *fend = field_end(p, path);
		char *colon = memchr(p, ':', (size_t)(fend - p));

		if (colon == NULL)
			bail_out("%s: line without colon", path);
		m->f = sp_xrealloc(m->f, m->n + 1, sizeof(*m->f));
		m->f[m->n].name = sp_xstrndup(p, (size_t)(colon - p));
		m->f[m->n].value = sp_xstrndup(colon + 1, (size_t)(fend - colon - 1));
		m->n++;
		p = fend + 2;
	}
	p += 2;
	m->body_len = p < end ? (size_t)(end - p) : 0;
	m->body = sp_xstrndup(p < end ? p : "", m->body_len);
	free(text);
}

void
free_message(struct tl_message *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->f[i].name);
		free(m->f[i].value);
	}
	free(m->f);
	free(m->body);
}

struct sp_key *
make_key(const char *type, int bits, const char *selector)
{
	EVP_PKEY *pk = strcmp(type, "RSA") == 0 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits) :
	    EVP_PKEY_Q_keygen(NULL, NULL, type);
	struct sp_key *k;
	sp_err err;

	if (pk == NULL)
		bail_out("cannot generate a %s key", type);
	k = sp_key_from_pkey(pk, "example.com", selector, NULL, &err);
	if (k == NULL)
		bail_out("sp_key_from_pkey: %s", err.msg);
	return k;
}

static uint64_t rng_state = 0x5eed5a1975ULL;

void
rng_seed(uint64_t seed)
{
	rng_state = seed != 0 ? seed : 0x5eed5a1975ULL;
}

uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

bool
have_dkimpy(void)
{
	return access("/usr/bin/python3", X_OK) == 0 &&
	    system("/usr/bin/python3 -c 'import dkim' 2>/dev/null") == 0;
}

bool
dkimpy_verifies(const char *msg_path, const char *records_path, size_t want)
{
	char *cmd = sp_xasprintf("/usr/bin/python3 '%s/tests/verify/dkimpy.py' "
	    "--records '%s' '%s'", tl_srcdir(), records_path, msg_path);
	FILE *out = popen(cmd, "r");
	char line[2048], verdict[16];
	unsigned msg, sig;
	size_t passed = 0, seen = 0;
	int rc;

	if (out == NULL)
		bail_out("cannot run %s", cmd);
	while (fgets(line, sizeof(line), out) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		diag("dkimpy: %s", line);
		seen++;
		if (sscanf(line, "%u %u %15s", &msg, &sig, verdict) == 3 &&
		    msg == 0 && sig == seen - 1 && strcmp(verdict, "pass") == 0)
			passed++;
	}
	rc = pclose(out);
	free(cmd);
	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0 &&
	    seen == want && passed == want;
}

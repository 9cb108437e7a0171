/*
 * tsigkey.c - reads the TSIG key file of `update_key` (RFC 8945): BIND's
 *
 *     key "NAME" { algorithm hmac-sha256; secret "BASE64"; };
 *
 * as tsig-keygen writes it, or Knot's YAML as `keymgr -t NAME` writes it
 * (key: / - id: NAME / algorithm: ... / secret: ...). The first key in
 * the file is used. HMAC-MD5, -SHA1 and -SHA224 are refused: RFC 8945
 * section 6 makes HMAC-SHA256 the one to use. Every copy of the secret
 * this file makes is wiped.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dnsgen/tsigkey.h"

#define TSIG_KEY_FILE_MAX 65536

static const char *const strong_algorithms[] = {
	"hmac-sha256", "hmac-sha384", "hmac-sha512",
};
static const char *const weak_algorithms[] = {
	"hmac-md5", "hmac-md5.sig-alg.reg.int", "hmac-sha1", "hmac-sha224",
};

void
tsig_key_free(struct tsig_key *key)
{
	free(key->name);
	free(key->algorithm);
	if (key->secret != NULL) {
		explicit_bzero(key->secret, strlen(key->secret));
		free(key->secret);
	}
	memset(key, 0, sizeof(*key));
}

/* One token of BIND's grammar: a word, a quoted string or { } ; */
struct lexer {
	const char *p;
	unsigned line;
};

static void
skip_space_and_comments(struct lexer *lx)
{
	for (;;) {
		while (isspace((unsigned char)*lx->p))
			if (*lx->p++ == '\n')
				lx->line++;
		if (*lx->p == '#' || (lx->p[0] == '/' && lx->p[1] == '/')) {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
		} else if (lx->p[0] == '/' && lx->p[1] == '*') {
			const char *end = strstr(lx->p + 2, "*/");

			for (const char *c = lx->p; *c != '\0' &&
			    (end == NULL || c < end); c++)
				if (*c == '\n')
					lx->line++;
			lx->p = end != NULL ? end + 2 : lx->p + strlen(lx->p);
		} else
			return;
	}
}

/* The next token (caller frees), or NULL at the end. */
static char *
next_token(struct lexer *lx)
{
	const char *start;

	skip_space_and_comments(lx);
	if (*lx->p == '\0')
		return NULL;
	if (strchr("{};", *lx->p) != NULL)
		return sp_xstrndup(lx->p++, 1);
	if (*lx->p == '"') {
		start = ++lx->p;
		while (*lx->p != '\0' && *lx->p != '"' && *lx->p != '\n')
			lx->p++;
		char *tok = sp_xstrndup(start, (size_t)(lx->p - start));
		if (*lx->p == '"')
			lx->p++;
		return tok;
	}
	start = lx->p;
	while (*lx->p != '\0' && !isspace((unsigned char)*lx->p) &&
	    strchr("{};\"", *lx->p) == NULL)
		lx->p++;
	return sp_xstrndup(start, (size_t)(lx->p - start));
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* key "NAME" { algorithm ALG; secret "B64"; }; (the first one) */
static bool
parse_bind(const char *path, const char *text, struct tsig_key *key,
    sp_err *err)
{
	struct lexer lx = { text, 1 };
	char *tok = next_token(&lx), *field = NULL;
	bool good = false;

	if (tok == NULL || strcmp(tok, "key") != 0) {
		sp_err_set(err, "%s:%u: not a TSIG key file (expected "
		    "key \"NAME\" { algorithm ...; secret \"...\"; }; as "
		    "tsig-keygen writes, or keymgr -t's key: list)", path,
		    lx.line);
		free(tok);
		return false;
	}
	free(tok);
	key->name = next_token(&lx);
	tok = next_token(&lx);
	if (key->name == NULL || tok == NULL || strcmp(tok, "{") != 0)
		goto syntax;
	for (;;) {
		free(tok);
		tok = NULL;
		if ((field = next_token(&lx)) == NULL)
			goto syntax;
		if (strcmp(field, "}") == 0) {
			good = true;
			break;
		}
		tok = next_token(&lx);
		if (tok == NULL || strcmp(tok, ";") == 0 || strcmp(tok, "{") == 0)
			goto syntax;
		if (strcasecmp(field, "algorithm") == 0 && key->algorithm == NULL)
			key->algorithm = tok, tok = NULL;
		else if (strcasecmp(field, "secret") == 0 && key->secret == NULL)
			key->secret = tok, tok = NULL;
		else
			goto syntax;
		free(field);
		field = NULL;
		tok = next_token(&lx);
		if (tok == NULL || strcmp(tok, ";") != 0)
			goto syntax;
	}
	free(field);
	return good;
syntax:
	sp_err_set(err, "%s:%u: not a TSIG key file (expected "
	    "key \"NAME\" { algorithm ...; secret \"...\"; };)", path, lx.line);
	wipe_free(tok);
	free(field);
	return false;
}

/* The value after "name:" on a YAML line, or NULL. */
static char *
yaml_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	while (len > 0 && (*line == ' ' || *line == '-' || *line == '\t'))
		line++, len--;
	if (len <= n || strncmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1, len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	if (len >= 2 && (*line == '"' || *line == '\'') && line[len - 1] == *line)
		line++, len -= 2;
	return sp_xstrndup(line, len);
}

/* Knot's key: list (keymgr -t): the first id, algorithm and secret. */
static bool
parse_knot(const char *path, const char *text, struct tsig_key *key,
    sp_err *err)
{
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *v;

		if ((v = yaml_value(p, len, "id")) != NULL) {
			if (key->name != NULL) {
				free(v);
				break;  /* the second key */
			}
			key->name = v;
		} else if ((v = yaml_value(p, len, "algorithm")) != NULL)
			key->algorithm == NULL ? (void)(key->algorithm = v) : free(v);
		else if ((v = yaml_value(p, len, "secret")) != NULL)
			key->secret == NULL ? (void)(key->secret = v) : wipe_free(v);
		p += len + (nl != NULL);
	}
	if (key->name == NULL || key->algorithm == NULL || key->secret == NULL) {
		sp_err_set(err, "%s: the key: list needs id, algorithm and "
		    "secret (as keymgr -t NAME hmac-sha256 writes)", path);
		return false;
	}
	return true;
}

static bool
check_algorithm(const char *path, struct tsig_key *key, sp_err *err)
{
	size_t len = strlen(key->algorithm);

	if (len > 0 && key->algorithm[len - 1] == '.')
		key->algorithm[--len] = '\0';
	for (size_t i = 0; i < sizeof(weak_algorithms) /
	    sizeof(weak_algorithms[0]); i++)
		if (strcasecmp(key->algorithm, weak_algorithms[i]) == 0) {
			sp_err_set(err, "%s: TSIG algorithm %s is too weak: make "
			    "an hmac-sha256 key (tsig-keygen -a hmac-sha256 NAME, "
			    "or keymgr -t NAME hmac-sha256)", path, key->algorithm);
			return false;
		}
	for (size_t i = 0; i < sizeof(strong_algorithms) /
	    sizeof(strong_algorithms[0]); i++)
		if (strcasecmp(key->algorithm, strong_algorithms[i]) == 0) {
			free(key->algorithm);
			key->algorithm = sp_xasprintf("%s.", strong_algorithms[i]);
			return true;
		}
	sp_err_set(err, "%s: \"%.64s\" is not a TSIG algorithm (hmac-sha256, "
	    "hmac-sha384 or hmac-sha512)", path, key->algorithm);
	return false;
}

/* The secret must be base64 of at least 16 bytes. */
static bool
check_secret(const char *path, const char *secret, sp_err *err)
{
	size_t len = strlen(secret);
	unsigned char *raw = sp_xcalloc(len + 4, 1);
	int n = len % 4 == 0 && len > 0 ?
	    EVP_DecodeBlock(raw, (const unsigned char *)secret, (int)len) : -1;

	OPENSSL_cleanse(raw, len + 4);
	free(raw);
	if (n < 16 + 2) {       /* EVP_DecodeBlock counts '=' padding as 0 bytes */
		sp_err_set(err, "%s: the secret is not base64 of a key of at "
		    "least 16 bytes", path);
		return false;
	}
	return true;
}

/* A domain name in presentation form (RFC 8945 section 4.2: the key's name). */
static bool
key_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 253 || strcmp(name, ".") == 0 || strstr(name, ".."))
		return false;
	for (const char *c = name; *c != '\0'; c++)
		if (!isgraph((unsigned char)*c) || *c == '\\')
			return false;
	return true;
}

bool
tsig_key_parse(const char *path, const char *text, struct tsig_key *key,
    sp_err *err)
{
	bool knot = strstr(text, "\nkey:") != NULL || strncmp(text, "key:", 4) == 0;
	bool good;

	memset(key, 0, sizeof(*key));
	good = knot ? parse_knot(path, text, key, err) :
	    parse_bind(path, text, key, err);
	if (good && (key->algorithm == NULL || key->secret == NULL)) {
		sp_err_set(err, "%s: the key needs an algorithm and a secret",
		    path);
		good = false;
	}
	if (good && !key_name_ok(key->name))
		good = false, sp_err_set(err, "%s: \"%.64s\" is not a key name",
		    path, key->name);
	good = good && check_algorithm(path, key, err) &&
	    check_secret(path, key->secret, err);
	if (good && key->name[strlen(key->name) - 1] != '.') {
		char *abs = sp_xasprintf("%s.", key->name);

		free(key->name);
		key->name = abs;
	}
	if (!good)
		tsig_key_free(key);
	return good;
}

/*
 * The key file: a regular file no one but its owner and group can read
 * (the secret signs changes to the zone), at most TSIG_KEY_FILE_MAX bytes.
 */
bool
tsig_key_read(const char *path, struct tsig_key *key, sp_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *text;
	ssize_t n;
	bool good;

	memset(key, 0, sizeof(*key));
	if (fd < 0) {
		sp_err_set(err, "%s: %s (update_key names the TSIG key file)",
		    path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TSIG_KEY_FILE_MAX) {
		sp_err_set(err, "%s: not a regular file of at most %d bytes",
		    path, TSIG_KEY_FILE_MAX);
		close(fd);
		return false;
	}
	if ((st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP)) != 0) {
		sp_err_set(err, "%s: the TSIG key is readable or writable by "
		    "others (chmod 0640 %s)", path, path);
		close(fd);
		return false;
	}
	text = sp_xcalloc((size_t)st.st_size + 1, 1);
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		sp_err_set(err, "%s: %s", path, n < 0 ? strerror(errno) :
		    "short read");
		good = false;
	} else
		good = tsig_key_parse(path, text, key, err);
	explicit_bzero(text, (size_t)st.st_size + 1);
	free(text);
	return good;
}

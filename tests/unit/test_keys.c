/*
 * test_keys.c - unit tests for lib/keys.c: the key files signpost accepts
 * and the ones it refuses, with the exact message (path and fix) for each.
 *
 * Keys are generated at test time with OpenSSL and written as PKCS#1 or
 * PKCS#8 PEM into a private temporary directory; the RFC 8463 keys are
 * copied there too, so the source tree is only read. Good cases sit beside
 * bad ones in one table.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signpost/keys.h"
#include "../tap.h"
#include "testlib.h"

static char tmpdir[4096];

/* --- helpers ------------------------------------------------------------ */

static char *
tmp_path(const char *name)
{
	return sp_xasprintf("%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		bail_out("create %s: %s", path, strerror(errno));
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		bail_out("write %s: %s", path, strerror(errno));
	if (fchmod(fd, mode) != 0 || close(fd) != 0)
		bail_out("chmod/close %s: %s", path, strerror(errno));
}

/* Replace every "PATH" in a pattern with the path. */
static char *
expand(const char *pattern, const char *path)
{
	struct sp_buf b = SP_BUF_INIT;
	const char *p;

	while ((p = strstr(pattern, "PATH")) != NULL) {
		sp_buf_append(&b, pattern, (size_t)(p - pattern));
		sp_buf_puts(&b, path);
		pattern = p + 4;
	}
	sp_buf_puts(&b, pattern);
	return sp_buf_steal(&b);
}

/*
 * Compare an error message with a pattern ("PATH" stands for the path; a
 * final '*' means "starts with").
 */
static bool
is_msg(const char *got, const char *pattern, const char *path,
    const char *name)
{
	char *want = expand(pattern, path);
	size_t wl = strlen(want);
	bool pass;

	if (wl > 0 && want[wl - 1] == '*') {
		want[--wl] = '\0';
		pass = ok(strncmp(got, want, wl) == 0, "%s: message", name);
		if (!pass) {
			diag("  got:  \"%s\"", got);
			diag("  want: \"%s...\"", want);
		}
	} else {
		pass = is_str(got, want, "%s: message", name);
	}
	free(want);
	return pass;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* --- key material ------------------------------------------------------- */

static EVP_PKEY *
gen_rsa(unsigned bits)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);

	if (k == NULL)
		bail_out("RSA-%u key generation failed", bits);
	return k;
}

static EVP_PKEY *
gen_named(const char *type, const char *param)
{
	EVP_PKEY *k = param != NULL ?
	    EVP_PKEY_Q_keygen(NULL, NULL, type, param) :
	    EVP_PKEY_Q_keygen(NULL, NULL, type);

	if (k == NULL)
		bail_out("%s key generation failed", type);
	return k;
}

enum pem_form {
	PKCS1,          /* "RSA PRIVATE KEY" / "EC PRIVATE KEY" */
	PKCS8,          /* "PRIVATE KEY" */
	PKCS8_ENC,      /* "ENCRYPTED PRIVATE KEY" */
	PKCS1_ENC,      /* "RSA PRIVATE KEY" with Proc-Type: 4,ENCRYPTED */
	PUBLIC,         /* "PUBLIC KEY" */
};

static char *
pem_of(EVP_PKEY *k, enum pem_form form)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem, *out;
	long n;
	int r = 0;

	if (bio == NULL)
		bail_out("BIO_new");
	switch (form) {
	case PKCS1:
		r = PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0,
		    NULL, NULL);
		break;
	case PKCS8:
		r = PEM_write_bio_PKCS8PrivateKey(bio, k, NULL, NULL, 0, NULL,
		    NULL);
		break;
	case PKCS8_ENC:
		r = PEM_write_bio_PKCS8PrivateKey(bio, k, EVP_aes_256_cbc(),
		    NULL, 0, NULL, (void *)"secret");
		break;
	case PKCS1_ENC:
		r = PEM_write_bio_PrivateKey_traditional(bio, k,
		    EVP_aes_128_cbc(), (unsigned char *)"secret", 6, NULL,
		    NULL);
		break;
	case PUBLIC:
		r = PEM_write_bio_PUBKEY(bio, k);
		break;
	}
	if (r != 1)
		bail_out("writing PEM form %d failed", (int)form);
	n = BIO_get_mem_data(bio, &mem);
	out = sp_xstrndup(mem, (size_t)n);
	BIO_free(bio);
	return out;
}

/*
 * An RSA key whose public exponent does not belong to its private half:
 * it parses, but every signature it makes fails to verify.
 */
static EVP_PKEY *
mismatched_rsa(EVP_PKEY *good)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	BIGNUM *bn[7] = { NULL };
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *bad = NULL;

	if (bld == NULL || ctx == NULL)
		bail_out("OSSL_PARAM_BLD_new");
	for (size_t i = 0; i < 7; i++)
		if (EVP_PKEY_get_bn_param(good, names[i], &bn[i]) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]) != 1)
			bail_out("RSA parameter %s", names[i]);
	if (OSSL_PARAM_BLD_push_uint(bld, OSSL_PKEY_PARAM_RSA_E, 65539) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &bad, EVP_PKEY_KEYPAIR, params) != 1)
		bail_out("building a mismatched RSA key");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	for (size_t i = 0; i < 7; i++)
		BN_clear_free(bn[i]);
	return bad;
}

/* The PEM texts every table case draws from. */
static struct {
	char *rsa2048_p1, *rsa2048_p8, *rsa3072_p8, *rsa4096_p1, *rsa4104_p8;
	char *rsa1024_p1, *rsa512_p8, *ed25519, *ec_p8, *ec_p1;
	char *enc_p8, *enc_p1, *pub_rsa, *pub_ed, *two_keys, *half_p8;
	char *end_cut, *garbage, *binary, *crlf, *with_attrs, *mismatch;
	char *rsa3primes;
	char *huge, *empty, *ed448, *cut_tail;
	EVP_PKEY *rsa2048, *ed;
} pem;

static char *
make_mismatch_pem(void)
{
	EVP_PKEY *bad = mismatched_rsa(pem.rsa2048);
	char *s = pem_of(bad, PKCS1);

	EVP_PKEY_free(bad);
	return s;
}

/* A multi-prime key (RFC 8017 section 3.2): not the compact form. */
static char *
three_prime_pem(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;
	char *text;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_primes(ctx, 3) != 1 ||
	    EVP_PKEY_keygen(ctx, &k) != 1)
		bail_out("three-prime RSA keygen failed");
	EVP_PKEY_CTX_free(ctx);
	text = pem_of(k, PKCS8);
	EVP_PKEY_free(k);
	return text;
}

static void
make_pems(void)
{
	EVP_PKEY *k;

	pem.rsa2048 = gen_rsa(2048);
	pem.ed = gen_named("ED25519", NULL);
	pem.rsa2048_p1 = pem_of(pem.rsa2048, PKCS1);
	pem.rsa2048_p8 = pem_of(pem.rsa2048, PKCS8);
	pem.enc_p8 = pem_of(pem.rsa2048, PKCS8_ENC);
	pem.enc_p1 = pem_of(pem.rsa2048, PKCS1_ENC);
	pem.pub_rsa = pem_of(pem.rsa2048, PUBLIC);
	pem.ed25519 = pem_of(pem.ed, PKCS8);
	pem.pub_ed = pem_of(pem.ed, PUBLIC);
	pem.mismatch = make_mismatch_pem();
	pem.rsa3primes = three_prime_pem();

	struct { char **out; unsigned bits; enum pem_form form; } rsa[] = {
		{ &pem.rsa3072_p8, 3072, PKCS8 },
		{ &pem.rsa4096_p1, 4096, PKCS1 },
		{ &pem.rsa4104_p8, 4104, PKCS8 },
		{ &pem.rsa1024_p1, 1024, PKCS1 },
		{ &pem.rsa512_p8, 512, PKCS8 },
	};
	for (size_t i = 0; i < sizeof(rsa) / sizeof(rsa[0]); i++) {
		k = gen_rsa(rsa[i].bits);
		*rsa[i].out = pem_of(k, rsa[i].form);
		EVP_PKEY_free(k);
	}
	k = gen_named("EC", "P-256");
	pem.ec_p8 = pem_of(k, PKCS8);
	pem.ec_p1 = pem_of(k, PKCS1);
	EVP_PKEY_free(k);
	k = gen_named("ED448", NULL);
	pem.ed448 = pem_of(k, PKCS8);
	EVP_PKEY_free(k);

	pem.two_keys = sp_xasprintf("%s%s", pem.rsa2048_p8, pem.ed25519);
	pem.half_p8 = sp_xstrndup(pem.rsa2048_p8, strlen(pem.rsa2048_p8) / 2);
	/* cut out the middle, keep the END line: base64 no longer DER */
	pem.end_cut = sp_xasprintf("%.*s%s", 600, pem.rsa2048_p8,
	    strstr(pem.rsa2048_p8, "-----END"));
	pem.cut_tail = sp_xasprintf("%s-----BEGIN CERTIFICATE-----\nMIIB\n",
	    pem.ed25519);
	pem.garbage = sp_xstrdup("this is not a key\nat all\n");
	pem.binary = sp_xstrndup("\x30\x82\x04\xa4\x02\x01\x00\xff\x01", 9);
	pem.with_attrs = sp_xasprintf("Bag Attributes\n    localKeyID: 01\n"
	    "Key Attributes: <No Attributes>\n%s", pem.rsa2048_p8);
	struct sp_buf b = SP_BUF_INIT;
	for (const char *p = pem.rsa2048_p1; *p != '\0'; p++) {
		if (*p == '\n')
			sp_buf_putc(&b, '\r');
		sp_buf_putc(&b, *p);
	}
	pem.crlf = sp_buf_steal(&b);
	pem.huge = sp_xmalloc(70000 + 1);
	memset(pem.huge, 'A', 70000);
	pem.huge[70000] = '\0';
	pem.empty = sp_xstrdup("");
}

static void
free_pems(void)
{
	char **all[] = {
		&pem.rsa2048_p1, &pem.rsa2048_p8, &pem.rsa3072_p8,
		&pem.rsa4096_p1, &pem.rsa4104_p8, &pem.rsa1024_p1,
		&pem.rsa512_p8, &pem.ed25519, &pem.ec_p8, &pem.ec_p1,
		&pem.enc_p8, &pem.enc_p1, &pem.pub_rsa, &pem.pub_ed,
		&pem.two_keys, &pem.half_p8, &pem.end_cut, &pem.garbage,
		&pem.binary, &pem.crlf, &pem.with_attrs, &pem.mismatch,
		&pem.rsa3primes,
		&pem.huge, &pem.empty, &pem.ed448, &pem.cut_tail,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
	EVP_PKEY_free(pem.rsa2048);
	EVP_PKEY_free(pem.ed);
}

/* --- the table of key files -------------------------------------------- */

static const char WEAK_1024[] = "PATH: is 1024-bit RSA; receivers treat keys "
    "under 2048 bits as weak: generate a new key with dnsgen keygen, or set "
    "allow_weak_rsa = yes";
static const char ENCRYPTED[] = "PATH: is encrypted; signpost never asks for "
    "a passphrase: decrypt it with: openssl pkey -in PATH -out NEWFILE "
    "(then chmod 0640 NEWFILE)";

struct file_case {
	const char *name;
	char **pem;             /* file contents */
	size_t len;             /* 0: strlen, else exactly this many bytes */
	mode_t mode;
	bool weak_ok;           /* allow_weak_rsa */
	/* NULL: must load; else the exact message ("PATH" = the path) */
	const char *want;
	enum sp_key_type type;
	int bits;
};

static const struct file_case file_cases[] = {
	{ "RSA-2048 PKCS#1", &pem.rsa2048_p1, 0, 0600, false, NULL, SP_KEY_RSA, 2048 },
	{ "RSA-2048 PKCS#8", &pem.rsa2048_p8, 0, 0600, false, NULL, SP_KEY_RSA, 2048 },
	{ "RSA-3072 PKCS#8", &pem.rsa3072_p8, 0, 0640, false, NULL, SP_KEY_RSA, 3072 },
	{ "RSA-4096 PKCS#1", &pem.rsa4096_p1, 0, 0400, false, NULL, SP_KEY_RSA, 4096 },
	{ "Ed25519 PKCS#8", &pem.ed25519, 0, 0600, false, NULL, SP_KEY_ED25519, 256 },
	{ "Ed25519 mode 0440", &pem.ed25519, 0, 0440, false, NULL, SP_KEY_ED25519, 256 },
	{ "RSA with CRLF line ends", &pem.crlf, 0, 0600, false, NULL, SP_KEY_RSA, 2048 },
	{ "RSA after PKCS#12 bag attributes", &pem.with_attrs, 0, 0600, false, NULL, SP_KEY_RSA, 2048 },
	{ "RSA-2048 of three primes (OpenSSL decodes)", &pem.rsa3primes, 0, 0600, false, NULL, SP_KEY_RSA, 2048 },
	{ "RSA-1024 without allow_weak_rsa", &pem.rsa1024_p1, 0, 0600, false, WEAK_1024, 0, 0 },
	{ "RSA-1024 with allow_weak_rsa", &pem.rsa1024_p1, 0, 0600, true, NULL, SP_KEY_RSA, 1024 },
	{ "RSA-512 even with allow_weak_rsa", &pem.rsa512_p8, 0, 0600, true,
	  "PATH: is 512-bit RSA; keys under 1024 bits are refused even with "
	  "allow_weak_rsa: generate a new key with dnsgen keygen", 0, 0 },
	{ "RSA-4104 (over 4096)", &pem.rsa4104_p8, 0, 0600, false,
	  "PATH: is 4104-bit RSA; verifiers are only required to handle up to "
	  "4096 bits (RFC 8301): generate a new key with dnsgen keygen", 0, 0 },
	{ "mode 0644", &pem.rsa2048_p8, 0, 0644, false,
	  "PATH: mode 0644 is readable by others; run: chmod 0640 PATH", 0, 0 },
	{ "mode 0604", &pem.rsa2048_p8, 0, 0604, false,
	  "PATH: mode 0604 is readable by others; run: chmod 0600 PATH", 0, 0 },
	{ "mode 0660", &pem.ed25519, 0, 0660, false,
	  "PATH: mode 0660 is writable by group; run: chmod 0640 PATH", 0, 0 },
	{ "mode 0602", &pem.ed25519, 0, 0602, false,
	  "PATH: mode 0602 is writable by others; run: chmod 0600 PATH", 0, 0 },
	{ "mode 0666", &pem.ed25519, 0, 0666, false,
	  "PATH: mode 0666 is writable by group and readable and writable by "
	  "others; run: chmod 0640 PATH", 0, 0 },
	{ "mode 0640", &pem.rsa2048_p8, 0, 0640, false, NULL, SP_KEY_RSA, 2048 },
	{ "mode 0400", &pem.ed25519, 0, 0400, false, NULL, SP_KEY_ED25519, 256 },
	{ "truncated PEM (no END line)", &pem.half_p8, 0, 0600, false,
	  "PATH: PEM block \"PRIVATE KEY\" has no END line (file truncated?)", 0, 0 },
	{ "good key, then a cut-off block", &pem.cut_tail, 0, 0600, false,
	  "PATH: PEM block \"CERTIFICATE\" has no END line (file truncated?)", 0, 0 },
	{ "PEM with its middle cut out", &pem.end_cut, 0, 0600, false,
	  "PATH: damaged or truncated PEM private key (OpenSSL: *", 0, 0 },
	{ "garbage text", &pem.garbage, 0, 0600, false,
	  "PATH: not a PEM file (no -----BEGIN line); a key file holds one PEM "
	  "private key (make one with dnsgen keygen)", 0, 0 },
	{ "binary DER", &pem.binary, 9, 0600, false,
	  "PATH: not a PEM file (no -----BEGIN line); a key file holds one PEM "
	  "private key (make one with dnsgen keygen)", 0, 0 },
	{ "empty file", &pem.empty, 0, 0600, false,
	  "PATH: is empty; a key file holds one PEM private key (make one with "
	  "dnsgen keygen)", 0, 0 },
	{ "70000-byte file", &pem.huge, 0, 0600, false,
	  "PATH: is 70000 bytes, too large for a key file (at most 65536)", 0, 0 },
	{ "encrypted PKCS#8", &pem.enc_p8, 0, 0600, false, ENCRYPTED, 0, 0 },
	{ "encrypted PKCS#1", &pem.enc_p1, 0, 0600, false, ENCRYPTED, 0, 0 },
	{ "RSA public key", &pem.pub_rsa, 0, 0600, false,
	  "PATH: holds a public key (PEM \"PUBLIC KEY\"), not a private key; "
	  "point the selector at the private key file", 0, 0 },
	{ "Ed25519 public key", &pem.pub_ed, 0, 0644, false,
	  "PATH: mode 0644 is readable by others; run: chmod 0640 PATH", 0, 0 },
	{ "EC P-256 PKCS#8", &pem.ec_p8, 0, 0600, false,
	  "PATH: holds a key of type EC; DKIM signs with RSA or Ed25519 keys "
	  "only (make one with dnsgen keygen)", 0, 0 },
	{ "EC P-256 SEC1", &pem.ec_p1, 0, 0600, false,
	  "PATH: holds a PEM \"EC PRIVATE KEY\"; DKIM signs with RSA or Ed25519 "
	  "keys only (make one with dnsgen keygen)", 0, 0 },
	{ "Ed448", &pem.ed448, 0, 0600, false,
	  "PATH: holds a key of type ED448; DKIM signs with RSA or Ed25519 keys "
	  "only (make one with dnsgen keygen)", 0, 0 },
	{ "two private keys in one file", &pem.two_keys, 0, 0600, false,
	  "PATH: holds 2 private keys; a key file must hold exactly one", 0, 0 },
	{ "RSA key whose halves do not match", &pem.mismatch, 0, 0600, false,
	  "PATH: the private key's numbers do not agree (*", 0, 0 },
};

/* One signature over a fixed text; deterministic for both key types. */
static unsigned char *
sign_fixed(EVP_PKEY *k, enum sp_key_type type, size_t *len)
{
	static const unsigned char msg[] = "signed alike";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = sp_xmalloc(1024);

	*len = 1024;
	if (ctx == NULL || k == NULL || EVP_DigestSignInit(ctx, NULL,
	    type == SP_KEY_RSA ? EVP_sha256() : NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, len, msg, sizeof(msg)) != 1) {
		free(sig);
		sig = NULL;
	}
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return sig;
}

/* The EVP_PKEY built from the loaded key signs exactly as the file's. */
static bool
signs_as_file(const struct sp_key *key, const char *pem_text)
{
	BIO *bio = BIO_new_mem_buf(pem_text, -1);
	EVP_PKEY *file = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	EVP_PKEY *built = sp_key_pkey(key);
	unsigned char *a, *b;
	size_t alen, blen;
	bool same;

	a = sign_fixed(file, key->type, &alen);
	b = sign_fixed(built, key->type, &blen);
	same = a != NULL && b != NULL && alen == blen &&
	    memcmp(a, b, alen) == 0;
	free(a);
	free(b);
	EVP_PKEY_free(file);
	EVP_PKEY_free(built);
	BIO_free(bio);
	return same;
}

static void
run_file_case(const struct file_case *c, size_t idx)
{
	struct sp_key_rules rules = { .allow_weak_rsa = c->weak_ok,
	    .owners = { 0, geteuid() }, .n_owners = 2 };
	char name[32];
	char *path;
	struct sp_key *key;
	sp_err err = { "" };

	snprintf(name, sizeof(name), "case%02zu.pem", idx);
	path = tmp_path(name);
	write_file(path, *c->pem, c->len ? c->len : strlen(*c->pem), c->mode);
	key = sp_key_load(path, "example.com", "sel", &rules, &err);
	if (c->want == NULL) {
		if (!ok(key != NULL, "%s: loads", c->name))
			diag("  error: %s", err.msg);
		ok(key != NULL && key->type == c->type && key->bits == c->bits,
		    "%s: %s, %d bits", c->name,
		    c->type == SP_KEY_RSA ? "RSA" : "Ed25519", c->bits);
		ok(key != NULL && strcmp(key->path, path) == 0 &&
		    strcmp(key->domain, "example.com") == 0 &&
		    strcmp(key->selector, "sel") == 0,
		    "%s: path, domain and selector recorded", c->name);
		ok(key != NULL && signs_as_file(key, *c->pem),
		    "%s: signs exactly as the file's key", c->name);
	} else {
		ok(key == NULL, "%s: refused", c->name);
		is_msg(err.msg, c->want, path, c->name);
	}
	ok(ERR_peek_error() == 0, "%s: OpenSSL error queue left empty", c->name);
	ERR_clear_error();
	sp_key_free(key);
	free(path);
}

/* --- other file-level cases -------------------------------------------- */

static void
test_not_files(void)
{
	struct sp_key_rules rules = { .owners = { 0 }, .n_owners = 1 };
	char *dir = tmp_path("dir.pem"), *fifo = tmp_path("fifo.pem");
	char *missing = tmp_path("missing.pem"), *link = tmp_path("link.pem");
	char *target = tmp_path("target.pem"), *want;
	struct sp_key *key;
	sp_err err = { "" };

	rules.owners[1] = geteuid();
	rules.n_owners = 2;
	if (mkdir(dir, 0700) != 0 || mkfifo(fifo, 0600) != 0)
		bail_out("mkdir/mkfifo: %s", strerror(errno));

	key = sp_key_load(dir, "example.com", "dir", &rules, &err);
	ok(key == NULL, "directory: refused");
	is_msg(err.msg, "PATH: is a directory, not a key file", dir,
	    "directory");

	key = sp_key_load(fifo, "example.com", "fifo", &rules, &err);
	ok(key == NULL, "FIFO: refused without blocking");
	is_msg(err.msg, "PATH: is a FIFO, not a key file", fifo, "FIFO");

	key = sp_key_load(missing, "example.com", "missing", &rules, &err);
	ok(key == NULL, "missing file: refused");
	is_msg(err.msg, "PATH: cannot open key file: No such file or "
	    "directory; make one with: dnsgen keygen -d example.com -s missing",
	    missing, "missing file");

	/* a symlink is followed: owner and mode are those of the target */
	write_file(target, pem.ed25519, strlen(pem.ed25519), 0600);
	if (symlink(target, link) != 0)
		bail_out("symlink: %s", strerror(errno));
	key = sp_key_load(link, "example.com", "link", &rules, &err);
	ok(key != NULL, "symlink to a good key: loads");
	sp_key_free(key);
	chmod(target, 0644);
	key = sp_key_load(link, "example.com", "link", &rules, &err);
	want = sp_xasprintf("%s: mode 0644 is readable by others; run: chmod "
	    "0640 %s", link, link);
	ok(key == NULL, "symlink to a 0644 key: refused");
	is_str(err.msg, want, "symlink to a 0644 key: message names the link");
	free(want);
	free(dir);
	free(fifo);
	free(missing);
	free(link);
	free(target);
}

/* sp_key_check_file on descriptors that are not regular files. */
static void
test_check_file_fd(void)
{
	struct sp_key_rules rules = { .owners = { 0 }, .n_owners = 1 };
	sp_err err = { "" };
	int fds[2];

	if (pipe(fds) != 0)
		bail_out("pipe: %s", strerror(errno));
	ok(!sp_key_check_file(fds[0], "pipe-in", &rules, &err),
	    "check_file: a pipe is refused");
	is_str(err.msg, "pipe-in: is a FIFO, not a key file",
	    "check_file: pipe message");
	close(fds[0]);
	close(fds[1]);
	ok(!sp_key_check_file(-1, "bad-fd", &rules, &err),
	    "check_file: a closed descriptor is refused");
	is_str(err.msg, "bad-fd: cannot stat: Bad file descriptor",
	    "check_file: bad descriptor message");
}

/* --- owners -------------------------------------------------------------- */

/* A user that exists on every Debian system, to play the milter's user. */
static const struct passwd *
milter_user(void)
{
	return getpwnam("nobody");
}

static char *
group_for(const struct passwd *pw)
{
	struct group *gr = getgrnam(pw->pw_name);

	if (gr == NULL)
		gr = getgrgid(pw->pw_gid);
	return sp_xstrdup(gr != NULL ? gr->gr_name : "?");
}

static void
test_rules(void)
{
	struct sp_config conf;
	struct sp_key_rules rules;
	const struct passwd *pw = milter_user();
	sp_err err = { "" };

	memset(&conf, 0, sizeof(conf));
	conf.path = "/etc/signpost/signpost.conf";
	ok(sp_key_rules_from_config(&conf, true, &rules, &err) &&
	    rules.owners[0] == 0 && rules.owner_name == NULL &&
	    !rules.allow_weak_rsa,
	    "rules: no [milter] user: root and the running user");
	ok(rules.n_owners == (geteuid() == 0 ? 1u : 2u) &&
	    rules.owners[rules.n_owners - 1] == geteuid(),
	    "rules: the effective uid is allowed, listed once");

	conf.signing.allow_weak_rsa = true;
	ok(sp_key_rules_from_config(&conf, true, &rules, &err) &&
	    rules.allow_weak_rsa, "rules: allow_weak_rsa carried over");

	if (pw == NULL)
		bail_out("user nobody does not exist");
	uid_t uid = pw->pw_uid;
	conf.milter.user = "nobody";
	ok(sp_key_rules_from_config(&conf, true, &rules, &err) &&
	    rules.n_owners >= 2 && rules.owners[1] == uid &&
	    rules.owner_name != NULL && strcmp(rules.owner_name, "nobody") == 0,
	    "rules: [milter] user nobody is an allowed owner");

	conf.milter.user = "no-such-user-sp";
	ok(!sp_key_rules_from_config(&conf, true, &rules, &err),
	    "rules: unknown user refused when the user is needed");
	is_str(err.msg, "/etc/signpost/signpost.conf: [milter] user "
	    "no-such-user-sp does not exist; create it (e.g. adduser --system "
	    "--group no-such-user-sp) or change the setting",
	    "rules: unknown user message");
	ok(sp_key_rules_from_config(&conf, false, &rules, &err) &&
	    rules.owner_name == NULL && rules.owners[0] == 0,
	    "rules: unknown user tolerated when not needed (dnsgen)");
	ok(sp_key_rules_from_config(NULL, false, &rules, &err) &&
	    rules.owners[0] == 0, "rules: no configuration at all");
}

static void
test_owner(void)
{
	const struct passwd *pw = milter_user();
	struct sp_config conf;
	struct sp_key_rules rules;
	struct sp_key *key;
	char *path = tmp_path("owned.pem"), *group, *want;
	sp_err err = { "" };

	if (geteuid() != 0) {
		skip("owner checks need root to chown a file (running as "
		    "uid %lu)", (unsigned long)geteuid());
		free(path);
		return;
	}
	if (pw == NULL)
		bail_out("user nobody does not exist");
	memset(&conf, 0, sizeof(conf));
	conf.milter.user = "nobody";
	if (!sp_key_rules_from_config(&conf, true, &rules, &err))
		bail_out("rules: %s", err.msg);
	group = group_for(pw);
	write_file(path, pem.ed25519, strlen(pem.ed25519), 0640);

	if (chown(path, pw->pw_uid, 0) != 0)
		bail_out("chown: %s", strerror(errno));
	key = sp_key_load(path, "example.com", "owned", &rules, &err);
	ok(key != NULL, "owner: the milter's user may own its key");
	sp_key_free(key);

	/* a uid without a name */
	if (chown(path, 54321, 0) != 0)
		bail_out("chown: %s", strerror(errno));
	key = sp_key_load(path, "example.com", "owned", &rules, &err);
	want = sp_xasprintf("%s: owned by uid 54321, not root or nobody; run: "
	    "chown root:%s %s", path, group, path);
	ok(key == NULL, "owner: uid 54321 refused");
	is_str(err.msg, want, "owner: uid 54321 message with the chown fix");
	free(want);

	/* a uid with a name: daemon (1) exists on Debian */
	if (chown(path, 1, 0) != 0)
		bail_out("chown: %s", strerror(errno));
	key = sp_key_load(path, "example.com", "owned", &rules, &err);
	struct passwd *d = getpwuid(1);
	want = sp_xasprintf("%s: owned by uid 1 (%s), not root or nobody; run: "
	    "chown root:%s %s", path, d != NULL ? d->pw_name : "?", group, path);
	ok(key == NULL, "owner: uid 1 refused");
	is_str(err.msg, want, "owner: named owner in the message");
	free(want);

	/* no milter user, running as daemon: daemon must own (and read) it */
	if (chown(path, 54321, 0) != 0)
		bail_out("chown: %s", strerror(errno));
	struct sp_key_rules as_daemon = { .owners = { 0, 1 }, .n_owners = 2 };
	key = sp_key_load(path, "example.com", "owned", &as_daemon, &err);
	want = sp_xasprintf("%s: owned by uid 54321, not root or %s; run: chown "
	    "%s %s", path, d != NULL ? d->pw_name : "?",
	    d != NULL ? d->pw_name : "?", path);
	ok(key == NULL, "owner: no milter user, not root: refused");
	is_str(err.msg, want, "owner: no milter user, fix names the running user");
	free(want);
	if (chown(path, 1, 0) != 0)
		bail_out("chown: %s", strerror(errno));

	/* without a milter user the fix is plain root */
	memset(&conf, 0, sizeof(conf));
	sp_key_rules_from_config(&conf, true, &rules, &err);
	key = sp_key_load(path, "example.com", "owned", &rules, &err);
	want = sp_xasprintf("%s: owned by uid 1 (%s), not root; run: chown "
	    "root %s", path, d != NULL ? d->pw_name : "?", path);
	ok(key == NULL, "owner: no milter user, uid 1 refused");
	is_str(err.msg, want, "owner: no milter user, fix is chown root");
	free(want);
	free(group);
	free(path);
}

/*
 * The milter re-reads its keys on SIGHUP after dropping to its user: a key
 * only root can read must be refused with the chown/chmod that lets the
 * user's group read it, and then load. Runs in a child that drops to nobody.
 */
static bool
load_as(const struct passwd *pw, const char *path,
    const struct sp_key_rules *rules, char *msg, size_t msglen)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		bail_out("pipe/fork: %s", strerror(errno));
	if (pid == 0) {
		sp_err err = { "" };
		struct sp_key *key;

		close(fds[0]);
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
		    setuid(pw->pw_uid) != 0)
			_exit(3);
		key = sp_key_load(path, "example.com", "drop", rules, &err);
		if (write(fds[1], key != NULL ? "" : err.msg,
		    key != NULL ? 1 : strlen(err.msg)) < 0)
			_exit(4);
		sp_key_free(key);
		_exit(key != NULL ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], msg, msglen - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) > 1)
		bail_out("child that drops to %s failed", pw->pw_name);
	return WEXITSTATUS(status) == 0;
}

static void
test_after_privilege_drop(void)
{
	const struct passwd *pw = milter_user();
	struct sp_config conf;
	struct sp_key_rules rules;
	char *dir = tmp_path("drop"), *path = tmp_path("drop/k.pem");
	char *group, *want, msg[1024];
	sp_err err = { "" };

	if (geteuid() != 0) {
		skip("dropping to another user needs root (running as uid "
		    "%lu)", (unsigned long)geteuid());
		free(dir);
		free(path);
		return;
	}
	if (pw == NULL)
		bail_out("user nobody does not exist");
	memset(&conf, 0, sizeof(conf));
	conf.milter.user = "nobody";
	if (!sp_key_rules_from_config(&conf, true, &rules, &err))
		bail_out("rules: %s", err.msg);
	group = group_for(pw);
	/* let nobody reach the file: the directories must be searchable */
	if (chmod(tmpdir, 0711) != 0 || mkdir(dir, 0700) != 0 ||
	    chmod(dir, 0711) != 0)
		bail_out("chmod/mkdir: %s", strerror(errno));
	write_file(path, pem.ed25519, strlen(pem.ed25519), 0600);

	want = sp_xasprintf("%s: cannot open key file as user nobody: "
	    "Permission denied; let its group read the key: run: chown root:%s "
	    "%s && chmod 0640 %s", path, group, path, path);
	ok(!load_as(pw, path, &rules, msg, sizeof(msg)),
	    "after dropping to nobody: a root-only key is refused");
	is_str(msg, want, "after dropping to nobody: message gives the fix");
	free(want);

	if (chown(path, 0, pw->pw_gid) != 0 || chmod(path, 0640) != 0)
		bail_out("chown/chmod: %s", strerror(errno));
	ok(load_as(pw, path, &rules, msg, sizeof(msg)),
	    "after dropping to nobody: the fixed key loads");
	if (msg[0] != '\0')
		diag("  error: %s", msg);
	chmod(tmpdir, 0700);
	free(group);
	free(dir);
	free(path);
}

/* --- public half --------------------------------------------------------- */

static unsigned char *
unbase64(const char *b64, size_t *len)
{
	size_t n = strlen(b64);
	unsigned char *out = sp_xmalloc(n / 4 * 3 + 1);
	int r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);

	if (r < 0 || n % 4 != 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)r;
	/* EVP_DecodeBlock counts '=' padding as zero bytes */
	if (n >= 1 && b64[n - 1] == '=')
		(*len)--;
	if (n >= 2 && b64[n - 2] == '=')
		(*len)--;
	return out;
}

static void
test_public(void)
{
	struct sp_key *rsa, *ed;
	unsigned char *der, raw[32];
	const unsigned char *p;
	size_t len = 0, rawlen = sizeof(raw);
	EVP_PKEY *pub;
	char *rec;
	sp_err err = { "" };

	EVP_PKEY_up_ref(pem.rsa2048);
	rsa = sp_key_from_pkey(pem.rsa2048, "example.com", "r", NULL, &err);
	EVP_PKEY_up_ref(pem.ed);
	ed = sp_key_from_pkey(pem.ed, "example.com", "e", NULL, &err);
	if (rsa == NULL || ed == NULL)
		bail_out("sp_key_from_pkey: %s", err.msg);

	ok(strchr(rsa->public_b64, '\n') == NULL &&
	    strchr(ed->public_b64, '\n') == NULL, "public_b64 has no newlines");
	der = unbase64(rsa->public_b64, &len);
	p = der;
	pub = der != NULL ? d2i_PUBKEY(NULL, &p, (long)len) : NULL;
	ok(pub != NULL && p == der + len && EVP_PKEY_eq(pub, pem.rsa2048) == 1,
	    "RSA p= decodes to a SubjectPublicKeyInfo of the key's public half");
	EVP_PKEY_free(pub);
	free(der);

	der = unbase64(ed->public_b64, &len);
	ok(EVP_PKEY_get_raw_public_key(pem.ed, raw, &rawlen) == 1 &&
	    der != NULL && len == 32 && memcmp(der, raw, 32) == 0,
	    "Ed25519 p= decodes to the 32 raw public bytes");
	free(der);

	is_str(sp_key_algorithm(rsa), "rsa-sha256", "algorithm of RSA");
	is_str(sp_key_algorithm(ed), "ed25519-sha256", "algorithm of Ed25519");
	is_str(sp_key_dns_type(rsa), "rsa", "k= of RSA");
	is_str(sp_key_dns_type(ed), "ed25519", "k= of Ed25519");
	rec = sp_key_dns_record(ed);
	char *want = sp_xasprintf("v=DKIM1; k=ed25519; p=%s", ed->public_b64);
	is_str(rec, want, "Ed25519 DNS record");
	free(rec);
	free(want);
	rec = sp_key_dns_record(rsa);
	want = sp_xasprintf("v=DKIM1; k=rsa; p=%s", rsa->public_b64);
	is_str(rec, want, "RSA DNS record");
	free(rec);
	free(want);
	ok(rsa->path == NULL && strcmp(rsa->selector, "r") == 0,
	    "from_pkey: no path, selector kept");
	sp_key_free(rsa);
	sp_key_free(ed);

	/* from_pkey takes the key even when it refuses it */
	EVP_PKEY *ec = gen_named("EC", "P-256");
	ok(sp_key_from_pkey(ec, "example.com", "ec", "mem", &err) == NULL,
	    "from_pkey: EC refused");
	is_str(err.msg, "mem: holds a key of type EC; DKIM signs with RSA or "
	    "Ed25519 keys only (make one with dnsgen keygen)",
	    "from_pkey: EC message");
	sp_key_free(NULL);
}

/* --- RFC 8463 appendix A ------------------------------------------------- */

/* The value of NAME in records.txt ("NAME VALUE" lines). */
static char *
record_value(const char *records, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = records; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == ' ')
			return sp_xstrndup(p + nl + 1, len - nl - 1);
		p = eol != NULL ? eol + 1 : NULL;
	}
	bail_out("records.txt has no %s", name);
}

static void
test_rfc8463(void)
{
	static const struct {
		const char *file, *selector, *record;
		bool weak;
	} golden[] = {
		{ "ed-brisbane.pem", "brisbane",
		  "brisbane._domainkey.football.example.com", false },
		{ "rsa-test.pem", "test",
		  "test._domainkey.football.example.com", true },
	};
	const char *top = getenv("top_srcdir");
	char *src, *records;

	if (top == NULL)
		bail_out("top_srcdir is not set (run through make check)");
	src = sp_xasprintf("%s/tests/data/rfc8463/records.txt", top);
	records = read_file(src, NULL);
	free(src);
	for (size_t i = 0; i < 2; i++) {
		struct sp_key_rules rules = { .allow_weak_rsa = golden[i].weak,
		    .owners = { 0, geteuid() }, .n_owners = 2 };
		char *from = sp_xasprintf("%s/tests/data/rfc8463/%s", top,
		    golden[i].file);
		char *to = tmp_path(golden[i].file), *data, *rec, *want;
		size_t len;
		sp_err err = { "" };
		struct sp_key *key;

		data = read_file(from, &len);
		write_file(to, data, len, 0600);
		key = sp_key_load(to, "football.example.com",
		    golden[i].selector, &rules, &err);
		if (!ok(key != NULL, "RFC 8463 %s loads", golden[i].file))
			diag("  error: %s", err.msg);
		rec = key != NULL ? sp_key_dns_record(key) : NULL;
		want = record_value(records, golden[i].record);
		is_str(rec, want, "RFC 8463 %s gives the RFC's record",
		    golden[i].file);
		free(rec);
		free(want);
		sp_key_free(key);
		free(data);
		free(from);
		free(to);
	}
	free(records);
}

/* --- every truncation ----------------------------------------------------- */

/*
 * Cut a good key file at every byte: nothing may crash, every prefix short
 * of the whole file (bar its final newline) must be refused, and the
 * message must name the path.
 */
static void
test_every_truncation(const char *label, const char *text)
{
	struct sp_key_rules rules = { .owners = { 0, geteuid() }, .n_owners = 2 };
	size_t len = strlen(text), bad = 0;
	char *path = tmp_path("cut.pem");

	for (size_t n = 0; n < len; n++) {
		sp_err err = { "" };
		struct sp_key *key;

		write_file(path, text, n, 0600);
		key = sp_key_load(path, "example.com", "cut", &rules, &err);
		if ((n + 1 < len && key != NULL) ||
		    (key == NULL && strncmp(err.msg, path, strlen(path)) != 0)) {
			if (bad++ == 0)
				diag("  first bad cut at %zu of %zu: %s", n,
				    len, key != NULL ? "loaded" : err.msg);
		}
		sp_key_free(key);
		ERR_clear_error();
	}
	ok(bad == 0, "%s cut at each of %zu bytes: refused with the path",
	    label, len);
	free(path);
}

/*
 * Cut the base64 body at every byte but keep the END line, so OpenSSL's own
 * decoder sees every truncated DER: each must be refused, none may crash.
 */
static void
test_every_body_cut(const char *label, const char *text)
{
	struct sp_key_rules rules = { .owners = { 0, geteuid() }, .n_owners = 2 };
	const char *end_line = strstr(text, "-----END");
	size_t body = (size_t)(strchr(text, '\n') + 1 - text);
	size_t stop = (size_t)(end_line - text), bad = 0, tried = 0;
	char *path = tmp_path("bodycut.pem");

	/* stop - 1: the last line without its newline is the whole file */
	for (size_t n = body; n + 1 < stop; n++) {
		char *cut = sp_xasprintf("%.*s%s%s", (int)n, text,
		    text[n - 1] == '\n' ? "" : "\n", end_line);
		sp_err err = { "" };
		struct sp_key *key;

		write_file(path, cut, strlen(cut), 0600);
		key = sp_key_load(path, "example.com", "cut", &rules, &err);
		tried++;
		if (key != NULL ||
		    strncmp(err.msg, path, strlen(path)) != 0) {
			if (bad++ == 0)
				diag("  first bad body cut at %zu: %s", n,
				    key != NULL ? "loaded" : err.msg);
		}
		sp_key_free(key);
		free(cut);
		ERR_clear_error();
	}
	ok(bad == 0 && tried > 0, "%s body cut at each of %zu bytes before "
	    "the END line: refused", label, tried);
	free(path);
}

/* --- mutations ----------------------------------------------------------- */

/* Does a signature made with the key verify against its own p= value? */
static bool
signs_for_its_record(const struct sp_key *key)
{
	static const unsigned char msg[] = "mutation check";
	const EVP_MD *md = key->type == SP_KEY_RSA ? EVP_sha256() : NULL;
	unsigned char sig[1024], *der;
	size_t siglen = sizeof(sig), len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *pub = NULL, *priv = sp_key_pkey(key);
	bool good = false;

	der = unbase64(key->public_b64, &len);
	if (der != NULL && key->type == SP_KEY_RSA) {
		const unsigned char *p = der;
		pub = d2i_PUBKEY(NULL, &p, (long)len);
	} else if (der != NULL && len == 32) {
		pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der,
		    32);
	}
	if (ctx != NULL && pub != NULL && priv != NULL &&
	    EVP_DigestSignInit(ctx, NULL, md, NULL, priv) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) == 1) {
		EVP_MD_CTX_free(ctx);
		ctx = EVP_MD_CTX_new();
		good = ctx != NULL &&
		    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
		    EVP_DigestVerify(ctx, sig, siglen, msg, sizeof(msg)) == 1;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	free(der);
	ERR_clear_error();
	return good;
}

/*
 * Change 1-3 random bytes of a good key file, many times: nothing may
 * crash (the sanitizer build watches), a refusal must name the path, and
 * any file that still loads must sign for the record it would publish.
 */
static void
test_mutations(const char *label, const char *text, unsigned rounds)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-\n ";
	struct sp_key_rules rules = { .allow_weak_rsa = true,
	    .owners = { 0, geteuid() }, .n_owners = 2 };
	size_t len = strlen(text);
	unsigned loaded = 0, bad = 0;
	char *path = tmp_path("mutant.pem"), *buf = sp_xmalloc(len + 1);

	for (unsigned r = 0; r < rounds; r++) {
		unsigned changes = 1 + (unsigned)(rng() % 3);
		sp_err err = { "" };
		struct sp_key *key;

		memcpy(buf, text, len + 1);
		for (unsigned c = 0; c < changes; c++)
			buf[rng() % len] = rng() % 4 == 0 ? (char)(rng() & 0xff) :
			    alphabet[rng() % (sizeof(alphabet) - 1)];
		write_file(path, buf, len, 0600);
		key = sp_key_load(path, "example.com", "mutant", &rules, &err);
		if (key != NULL)
			loaded++;
		if ((key == NULL && strncmp(err.msg, path, strlen(path)) != 0) ||
		    (key != NULL && !signs_for_its_record(key))) {
			if (bad++ == 0)
				diag("  round %u: %s", r,
				    key != NULL ? "loaded a key that signs "
				    "wrongly" : err.msg);
		}
		sp_key_free(key);
		ERR_clear_error();
	}
	ok(bad == 0, "%s: %u mutated files: %u loaded (and sign for their own "
	    "record), the rest refused with the path", label, rounds, loaded);
	free(buf);
	free(path);
}

/* --- key sets and key folders --------------------------------------------- */

struct conf_fixture {
	struct sp_config conf;
	struct sp_domain domains[2];
	struct sp_selector sel_com[2], sel_net[1];
	char *keys_dir;
};

static void
fixture_init(struct conf_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->keys_dir = tmp_path("keys/");      /* trailing slash on purpose */
	f->conf.path = "/etc/signpost/test.conf";
	f->conf.signing.keys_dir = f->keys_dir;
	f->sel_com[0] = (struct sp_selector){ "2026r", 12 };
	f->sel_com[1] = (struct sp_selector){ "2026e", 12 };
	f->sel_net[0] = (struct sp_selector){ "s1", 20 };
	f->domains[0] = (struct sp_domain){ .name = "example.com", .line = 11,
	    .selectors = f->sel_com, .n_selectors = 2 };
	f->domains[1] = (struct sp_domain){ .name = "example.net", .line = 19,
	    .selectors = f->sel_net, .n_selectors = 1 };
	f->conf.domains = f->domains;
	f->conf.n_domains = 2;
}

static void
put_key(const struct sp_config *conf, const char *domain, const char *sel,
    const char *text, mode_t mode)
{
	char *path = sp_key_path(conf, domain, sel);
	char *dir = sp_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	char *top = sp_xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));

	mkdir(top, 0750);
	mkdir(dir, 0750);
	write_file(path, text, strlen(text), mode);
	free(path);
	free(dir);
	free(top);
}

static void
test_key_path(void)
{
	struct conf_fixture f;
	char *path, *want;

	fixture_init(&f);
	path = sp_key_path(&f.conf, "example.com", "2026r");
	want = sp_xasprintf("%s/keys/example.com/2026r.pem", tmpdir);
	is_str(path, want, "key path: keys_dir/DOMAIN/SELECTOR.pem, one slash");
	free(path);
	free(want);
	f.conf.signing.keys_dir = "/etc/signpost/keys";
	path = sp_key_path(&f.conf, "example.org", "mail");
	is_str(path, "/etc/signpost/keys/example.org/mail.pem",
	    "key path: plain keys_dir");
	free(path);
	free(f.keys_dir);
}

static void
test_keyset(void)
{
	struct sp_key_rules rules = { .owners = { 0, geteuid() }, .n_owners = 2 };
	struct conf_fixture f;
	struct sp_keyset *ks;
	sp_err err = { "" };
	char *path, *want;

	fixture_init(&f);
	put_key(&f.conf, "example.com", "2026r", pem.rsa2048_p8, 0640);
	put_key(&f.conf, "example.com", "2026e", pem.ed25519, 0600);
	put_key(&f.conf, "example.net", "s1", pem.rsa2048_p1, 0600);
	ks = sp_keyset_load(&f.conf, &rules, &err);
	if (!ok(ks != NULL && ks->n == 3, "keyset: three active keys load"))
		diag("  error: %s", err.msg);
	const struct sp_key *k = sp_keyset_find(ks, "example.com", "2026e");
	ok(k != NULL && k->type == SP_KEY_ED25519 &&
	    strcmp(k->selector, "2026e") == 0, "keyset: find example.com/2026e");
	k = sp_keyset_find(ks, "Example.NET", "S1");
	ok(k != NULL && k->type == SP_KEY_RSA,
	    "keyset: find is case-insensitive (DNS names)");
	ok(sp_keyset_find(ks, "example.com", "s1") == NULL &&
	    sp_keyset_find(ks, "example.org", "2026r") == NULL &&
	    sp_keyset_find(NULL, "example.com", "2026r") == NULL,
	    "keyset: find misses what is not there");
	sp_keyset_free(ks);

	/* a bad key of the second domain: the selector's line is named */
	path = sp_key_path(&f.conf, "example.net", "s1");
	chmod(path, 0644);
	ks = sp_keyset_load(&f.conf, &rules, &err);
	want = sp_xasprintf("/etc/signpost/test.conf:20: selector s1 of "
	    "example.net: %s: mode 0644 is readable by others; run: chmod 0640 "
	    "%s", path, path);
	ok(ks == NULL, "keyset: a 0644 key fails the whole set");
	is_str(err.msg, want, "keyset: CONFIG:LINE: selector S of DOMAIN: why");
	free(want);
	free(path);

	/* a missing key of the first domain stops at the first failure */
	path = sp_key_path(&f.conf, "example.com", "2026e");
	unlink(path);
	ks = sp_keyset_load(&f.conf, &rules, &err);
	want = sp_xasprintf("/etc/signpost/test.conf:12: selector 2026e of "
	    "example.com: %s: cannot open key file: No such file or directory; "
	    "make one with: dnsgen keygen -d example.com -s 2026e", path);
	ok(ks == NULL, "keyset: a missing key fails the whole set");
	is_str(err.msg, want, "keyset: missing key message");
	free(want);
	free(path);

	/* no domains: an empty set, not an error */
	f.conf.n_domains = 0;
	ks = sp_keyset_load(&f.conf, &rules, &err);
	ok(ks != NULL && ks->n == 0, "keyset: no domains, empty set");
	sp_keyset_free(ks);
	sp_keyset_free(NULL);
	free(f.keys_dir);
}

/* nftw callback state: the group that opens a key tree to the milter user */
static gid_t open_gid;

static int
open_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (chown(path, 0, open_gid) != 0 ||
	    (flag == FTW_D && chmod(path, 0750) != 0) ||
	    (flag == FTW_F && chmod(path, st->st_mode & 0740) != 0))
		bail_out("chown/chmod %s: %s", path, strerror(errno));
	return 0;
}

/* What keygen does: folders 0750, keys group-readable, group the user's. */
static void
open_to_milter_user(const char *keys_dir, const struct passwd *pw)
{
	open_gid = pw->pw_gid;
	if (nftw(keys_dir, open_one, 16, FTW_PHYS) != 0)
		bail_out("nftw %s: %s", keys_dir, strerror(errno));
}

/*
 * The same through a parsed signpost.conf: the rules come from [milter]
 * user and allow_weak_rsa, the line numbers from the parser.
 */
static void
test_keyset_from_config(void)
{
	struct sp_key_rules rules;
	struct sp_config *conf;
	struct sp_keyset *ks;
	sp_err err = { "" };
	char *keys = tmp_path("confkeys"), *text, *path, *want;

	text = sp_xasprintf(
	    "[milter]\n"                         /* 1 */
	    "user = nobody\n"                    /* 2 */
	    "\n"                                 /* 3 */
	    "[signing]\n"                        /* 4 */
	    "keys_dir = %s\n"                    /* 5 */
	    "allow_weak_rsa = yes\n"             /* 6 */
	    "\n"                                 /* 7 */
	    "[domain example.com]\n"             /* 8 */
	    "selector = old, new\n"              /* 9 */
	    "\n"                                 /* 10 */
	    "[domain example.net]\n"             /* 11 */
	    "subdomains = yes\n"                 /* 12 */
	    "selector = ed\n",                   /* 13 */
	    keys);
	conf = sp_config_parse("test.conf", text, strlen(text), &err);
	if (!ok(conf != NULL, "config: parsed"))
		bail_out("sp_config_parse: %s", err.msg);
	ok(sp_key_rules_from_config(conf, true, &rules, &err) &&
	    rules.allow_weak_rsa && rules.owner_name != NULL,
	    "config: rules carry allow_weak_rsa and the milter user");
	put_key(conf, "example.com", "old", pem.rsa1024_p1, 0640);
	put_key(conf, "example.com", "new", pem.rsa2048_p8, 0640);
	put_key(conf, "example.net", "ed", pem.ed25519, 0640);
	if (geteuid() == 0)
		open_to_milter_user(keys, milter_user());
	ks = sp_keyset_load(conf, &rules, &err);
	if (!ok(ks != NULL && ks->n == 3,
	    "config: 1024-bit key accepted with allow_weak_rsa = yes"))
		diag("  error: %s", err.msg);
	sp_keyset_free(ks);

	path = sp_key_path(conf, "example.net", "ed");
	chmod(path, 0660);
	ks = sp_keyset_load(conf, &rules, &err);
	want = sp_xasprintf("test.conf:13: selector ed of example.net: %s: mode "
	    "0660 is writable by group; run: chmod 0640 %s", path, path);
	ok(ks == NULL, "config: a group-writable key fails the set");
	is_str(err.msg, want, "config: message names test.conf:13 and ed");
	free(want);
	free(path);

	rules.allow_weak_rsa = false;
	path = sp_key_path(conf, "example.com", "old");
	ks = sp_keyset_load(conf, &rules, &err);
	want = sp_xasprintf("test.conf:9: selector old of example.com: %s: is "
	    "1024-bit RSA; receivers treat keys under 2048 bits as weak: "
	    "generate a new key with dnsgen keygen, or set allow_weak_rsa = yes",
	    path);
	ok(ks == NULL, "config: without allow_weak_rsa the 1024-bit key fails");
	is_str(err.msg, want, "config: message names test.conf:9 and old");
	free(want);
	free(path);
	sp_config_free(conf);
	free(text);
	free(keys);
}

/* The key at the end of an open path: group read, and as nobody itself. */
static void
milter_user_key(const struct sp_config *conf, const struct sp_key_rules *rules,
    const struct passwd *pw, const char *group)
{
	char *path = sp_key_path(conf, "example.com", "k");
	char *dir = sp_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	struct sp_keyset *ks;
	sp_err err = { "" };
	char *want, msg[1024];

	if (chown(path, 0, 0) != 0)
		bail_out("chown %s: %s", path, strerror(errno));
	ks = sp_keyset_load(conf, rules, &err);
	ok(ks == NULL, "path: a key of group root is refused for nobody");
	want = sp_xasprintf("test.conf:6: selector k of example.com: %s: key "
	    "file mode 0640, owner root, group root: the milter user nobody "
	    "cannot read it, so every reload after dropping privileges would "
	    "fail; run: chown root:%s %s && chmod 0640 %s", path, group, path,
	    path);
	is_str(err.msg, want, "path: key file message gives the fix");
	free(want);

	if (chown(path, 0, pw->pw_gid) != 0)
		bail_out("chown %s: %s", path, strerror(errno));
	ks = sp_keyset_load(conf, rules, &err);
	if (!ok(ks != NULL && ks->n == 1, "path: the fixed tree loads"))
		diag("  error: %s", err.msg);
	sp_keyset_free(ks);

	/* a reload as nobody through a closed folder names the folder */
	if (chmod(tmpdir, 0711) != 0 || chmod(dir, 0700) != 0)
		bail_out("chmod: %s", strerror(errno));
	ok(!load_as(pw, path, rules, msg, sizeof(msg)),
	    "path: as nobody, a closed domain folder stops the load");
	want = sp_xasprintf("%s: cannot open key file as user nobody: the "
	    "folder %s (mode 0700, owner root, group %s) does not let it in; "
	    "run: chown root:%s %s && chmod 0750 %s", path, dir, group, group,
	    dir, dir);
	is_str(msg, want, "path: as nobody, the message names the folder");
	free(want);
	chmod(tmpdir, 0700);

	free(dir);
	free(path);
}

/*
 * The milter re-reads keys as its user on every reload: each folder from
 * keys_dir down must let that user in, and the key let it read. A folder
 * made under umask 077 (drwx------) is refused at load, naming the folder
 * and the chown/chmod that fixes it, never the key file.
 */
static void
test_milter_user_path(void)
{
	const struct passwd *pw = milter_user();
	struct sp_key_rules rules;
	struct sp_config *conf;
	struct sp_keyset *ks;
	sp_err err = { "" };
	char *keys = tmp_path("pathkeys"), *text, *dir, *path, *want, *group;
	char gname[256];
	gid_t gid = 0;

	if (geteuid() != 0 || pw == NULL) {
		skip("the milter user's path needs root and user nobody");
		free(keys);
		return;
	}
	group = group_for(pw);
	ok(sp_key_user_group("nobody", &gid, gname, sizeof(gname)) &&
	    strcmp(gname, group) == 0 && gid == pw->pw_gid,
	    "path: the milter user's group is %s", group);
	text = sp_xasprintf("[milter]\nuser = nobody\n[signing]\n"
	    "keys_dir = %s\n[domain example.com]\nselector = k\n", keys);
	conf = sp_config_parse("test.conf", text, strlen(text), &err);
	if (conf == NULL)
		bail_out("sp_config_parse: %s", err.msg);
	path = sp_key_path(conf, "example.com", "k");
	dir = sp_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	put_key(conf, "example.com", "k", pem.ed25519, 0640);   /* umask 077 */
	if (chown(path, 0, pw->pw_gid) != 0)
		bail_out("chown %s: %s", path, strerror(errno));

	ok(!sp_key_rules_from_config(conf, true, &rules, &err),
	    "path: keys_dir drwx------ is refused for user nobody");
	want = sp_xasprintf("%s: key folder mode 0700, owner root, group root: "
	    "the milter user nobody cannot enter it, so it cannot read the "
	    "keys below it after dropping privileges and every reload would "
	    "fail; run: chown root:%s %s && chmod 0750 %s", keys, group, keys,
	    keys);
	is_str(err.msg, want, "path: keys_dir message names it and the fix");
	free(want);

	if (chown(keys, 0, pw->pw_gid) != 0 || chmod(keys, 0750) != 0)
		bail_out("chown/chmod %s: %s", keys, strerror(errno));
	if (!sp_key_rules_from_config(conf, true, &rules, &err))
		bail_out("rules: %s", err.msg);
	ks = sp_keyset_load(conf, &rules, &err);
	ok(ks == NULL, "path: keys_dir/DOMAIN drwx------ is refused");
	want = sp_xasprintf("test.conf:6: selector k of example.com: %s: key "
	    "folder mode 0700, owner root, group root: the milter user nobody "
	    "cannot enter it, so it cannot read the keys below it after "
	    "dropping privileges and every reload would fail; run: chown "
	    "root:%s %s && chmod 0750 %s", dir, group, dir, dir);
	is_str(err.msg, want, "path: the domain folder is named, not the key");
	free(want);

	/* through the other class: group root lacks x, others have it */
	if (chmod(dir, 0701) != 0)
		bail_out("chmod %s: %s", dir, strerror(errno));
	ks = sp_keyset_load(conf, &rules, &err);
	ok(ks != NULL, "path: a folder others may enter (0701) is enough");
	sp_keyset_free(ks);

	if (chmod(dir, 0750) != 0 || chown(dir, 0, pw->pw_gid) != 0)
		bail_out("chown/chmod %s: %s", dir, strerror(errno));
	milter_user_key(conf, &rules, pw, group);
	sp_config_free(conf);
	free(text);
	free(dir);
	free(path);
	free(keys);
	free(group);
}

static void
test_domain_dir(void)
{
	struct sp_key_rules rules = { .owners = { 0, geteuid() }, .n_owners = 2 };
	struct conf_fixture f;
	struct sp_key **keys = NULL;
	size_t n = 99;
	sp_err err = { "" };
	char *path, *want;

	fixture_init(&f);
	f.keys_dir[strlen(f.keys_dir) - 1] = '\0';
	put_key(&f.conf, "example.org", "zeta", pem.ed25519, 0600);
	put_key(&f.conf, "example.org", "alpha", pem.rsa2048_p8, 0640);
	put_key(&f.conf, "example.org", "mid.2026", pem.rsa2048_p1, 0600);
	/* not selectors: wrong suffix, hidden file, just ".pem" */
	put_key(&f.conf, "example.org", ".hidden", pem.garbage, 0644);
	put_key(&f.conf, "example.org", "", pem.garbage, 0644);
	path = sp_xasprintf("%s/example.org/notes.txt", f.keys_dir);
	write_file(path, "x", 1, 0644);
	free(path);

	bool r = sp_keys_in_domain_dir(&f.conf, "example.org", &rules, &keys,
	    &n, &err);
	if (!ok(r && n == 3, "domain dir: three *.pem keys"))
		diag("  error: %s", err.msg);
	ok(r && n == 3 && strcmp(keys[0]->selector, "alpha") == 0 &&
	    strcmp(keys[1]->selector, "mid.2026") == 0 &&
	    strcmp(keys[2]->selector, "zeta") == 0 &&
	    strcmp(keys[0]->domain, "example.org") == 0,
	    "domain dir: sorted by selector, domain recorded");
	if (r)
		sp_keys_free_array(keys, n);

	r = sp_keys_in_domain_dir(&f.conf, "example.info", &rules, &keys, &n,
	    &err);
	ok(r && n == 0 && keys == NULL, "domain dir: missing folder is empty");

	put_key(&f.conf, "example.org", "bad", pem.ed25519, 0604);
	path = sp_xasprintf("%s/example.org/bad.pem", f.keys_dir);
	want = sp_xasprintf("%s: mode 0604 is readable by others; run: chmod "
	    "0600 %s", path, path);
	r = sp_keys_in_domain_dir(&f.conf, "example.org", &rules, &keys, &n,
	    &err);
	ok(!r && keys == NULL && n == 0, "domain dir: an unsafe key fails");
	is_str(err.msg, want, "domain dir: message names the file");
	free(want);
	unlink(path);
	free(path);

	put_key(&f.conf, "example.org", "my key", pem.ed25519, 0600);
	path = sp_xasprintf("%s/example.org/my key.pem", f.keys_dir);
	want = sp_xasprintf("%s: \"my key\" is not a DKIM selector: it has a "
	    "character other than letters, digits, '-' and '.'; rename the "
	    "file", path);
	r = sp_keys_in_domain_dir(&f.conf, "example.org", &rules, &keys, &n,
	    &err);
	ok(!r, "domain dir: a file name that is no selector fails");
	is_str(err.msg, want, "domain dir: bad selector message");
	free(want);
	unlink(path);
	free(path);

	path = sp_xasprintf("%s/example.invalid", f.keys_dir);
	write_file(path, "x", 1, 0600);
	want = sp_xasprintf("%s: cannot read key folder: Not a directory", path);
	r = sp_keys_in_domain_dir(&f.conf, "example.invalid", &rules, &keys,
	    &n, &err);
	ok(!r, "domain dir: a file where the folder should be fails");
	is_str(err.msg, want, "domain dir: not a directory message");
	free(want);
	free(path);
	free(f.keys_dir);
}

/* Runs on every exit, bail_out() included (forked children use _exit). */
static void
remove_tmpdir(void)
{
	chmod(tmpdir, 0700);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_keys.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		bail_out("mkdtemp %s: %s", tmpdir, strerror(errno));
	atexit(remove_tmpdir);
	umask(077);
	make_pems();

	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++)
		run_file_case(&file_cases[i], i);
	test_not_files();
	test_check_file_fd();
	test_rules();
	test_owner();
	test_after_privilege_drop();
	test_public();
	test_rfc8463();
	test_every_truncation("Ed25519 PKCS#8", pem.ed25519);
	test_every_truncation("RSA-2048 PKCS#1", pem.rsa2048_p1);
	test_every_body_cut("Ed25519 PKCS#8", pem.ed25519);
	test_every_body_cut("RSA-2048 PKCS#8", pem.rsa2048_p8);
	test_mutations("Ed25519 PKCS#8", pem.ed25519, 600);
	test_mutations("RSA-2048 PKCS#1", pem.rsa2048_p1, 600);
	test_mutations("RSA-1024 PKCS#1", pem.rsa1024_p1, 600);
	test_key_path();
	test_keyset();
	test_keyset_from_config();
	test_milter_user_path();
	test_domain_dir();

	free_pems();
	return done_testing();
}

/*
 * test_rfc8463.c - the golden test: RFC 8463 appendix A, with its keys
 * (loaded through sp_key_load from private copies), its message and its
 * DNS records (tests/data/rfc8463/).
 *
 * - The engine's body hash (relaxed/relaxed) equals the RFC's bh=.
 * - With sign_headers "from, to, subject, date, message-id" and
 *   oversign_headers "from, subject, date" our h= is the RFC's h=; with
 *   our defaults it differs (see test_default_h), which verifiers accept.
 * - The RFC's own tag lists, signed over our header hash, give the RFC's
 *   b= values byte for byte (RSA PKCS#1 v1.5 and Ed25519 are both
 *   deterministic), for Ed25519 and RSA.
 * - dkimpy verifies the engine's own signatures against the RFC's records
 *   (and, as a control, the RFC's signed message).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signpost/conf.h"
#include "signpost/dkim.h"
#include "signpost/dkim_sig.h"
#include "signpost/taglist.h"
#include "signpost/keys.h"
#include "../tap.h"
#include "testlib.h"

#define RFC_T 1528637909
#define RFC_BH "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define RFC_H "from:to:subject:date:message-id:from:subject:date"

static char tmpdir[] = "/tmp/signpost-rfc8463.XXXXXX";

static char *
data_path(const char *name)
{
	return sp_xasprintf("%s/tests/data/rfc8463/%s", tl_srcdir(), name);
}

/* Does dkimpy verify both signatures of the message with the RFC's records? */
static bool
rfc_records_verify(const char *msg_path)
{
	char *recs = data_path("records.txt");
	bool verified = dkimpy_verifies(msg_path, recs, 2);

	free(recs);
	return verified;
}

/* The message from tests/data/rfc8463/. */
static void
parse_data_message(const char *name, struct tl_message *m)
{
	char *path = data_path(name);

	parse_message(path, m);
	free(path);
}

/* Copy a key into the private directory with mode 0600 and load it. */
static struct sp_key *
load_key(const char *file, const char *selector)
{
	struct sp_key_rules rules;
	char *src = data_path(file), *dst = sp_xasprintf("%s/%s", tmpdir, file);
	char *data;
	size_t len;
	FILE *fp;
	struct sp_key *key;
	sp_err err;

	data = read_file(src, &len);
	if ((fp = fopen(dst, "wb")) == NULL || fwrite(data, 1, len, fp) != len ||
	    fclose(fp) != 0 || chmod(dst, 0600) != 0)
		bail_out("cannot copy %s to %s", src, dst);
	if (!sp_key_rules_from_config(NULL, false, &rules, &err))
		bail_out("key rules: %s", err.msg);
	rules.allow_weak_rsa = true;    /* the RFC's RSA key has 1024 bits */
	key = sp_key_load(dst, "football.example.com", selector, &rules, &err);
	if (key == NULL)
		bail_out("sp_key_load: %s", err.msg);
	free(src);
	free(dst);
	free(data);
	return key;
}

/* Run the message through the engine up to the end of the header. */
static struct sp_dkim *
engine_for(const struct sp_sign_opts *o, const struct tl_message *m)
{
	struct sp_dkim *d = sp_dkim_new(o);
	sp_err err;

	for (size_t i = 0; i < m->n; i++)
		if (!sp_dkim_header(d, m->f[i].name, strlen(m->f[i].name),
		    m->f[i].value, strlen(m->f[i].value), &err))
			bail_out("sp_dkim_header: %s", err.msg);
	if (!sp_dkim_end_headers(d, &err))
		bail_out("sp_dkim_end_headers: %s", err.msg);
	return d;
}

static void
test_sign_and_verify(const struct tl_message *m, struct sp_key *ed,
    struct sp_key *rsa)
{
	static const char *const sign[] = {
		"from", "to", "subject", "date", "message-id", NULL };
	static const char *const over[] = { "from", "subject", "date", NULL };
	struct sp_list sl = list_of(sign), ol = list_of(over);
	struct sp_list sigs = SP_LIST_INIT;
	struct sp_sign_opts o = {
		SP_CANON_RELAXED, SP_CANON_RELAXED, &sl, &ol, RFC_T, 0, NULL };
	struct sp_dkim *d = engine_for(&o, m);
	char *path = sp_xasprintf("%s/signed-by-us.eml", tmpdir), *v;
	sp_err err;
	FILE *fp;

	if (!sp_dkim_add_signer(d, "football.example.com", ed, &err) ||
	    !sp_dkim_add_signer(d, "football.example.com", rsa, &err))
		bail_out("sp_dkim_add_signer: %s", err.msg);
	/* the body in odd pieces, as a milter would get it */
	for (size_t off = 0; off < m->body_len; off += 7)
		sp_dkim_body(d, m->body + off,
		    m->body_len - off < 7 ? m->body_len - off : 7);
	if (!sp_dkim_final(d, &sigs, &err) || sigs.n != 2)
		bail_out("sp_dkim_final: %s", err.msg);
	for (int i = 0; i < 2; i++) {
		v = tag(sigs.v[i], "bh");
		is_str(v, RFC_BH, "%s: body hash is the RFC's bh=", i ? "RSA" :
		    "Ed25519");
		free(v);
		v = tag(sigs.v[i], "h");
		is_str(v, RFC_H, "%s: h= is the RFC's h=", i ? "RSA" : "Ed25519");
		free(v);
	}
	if ((fp = fopen(path, "wb")) == NULL)
		bail_out("cannot write %s", path);
	for (size_t i = 0; i < sigs.n; i++)
		fprintf(fp, "DKIM-Signature:%s\r\n", sigs.v[i]);
	for (size_t i = 0; i < m->n; i++)
		fprintf(fp, "%s:%s\r\n", m->f[i].name, m->f[i].value);
	fputs("\r\n", fp);
	fwrite(m->body, 1, m->body_len, fp);
	fclose(fp);
	ok(rfc_records_verify(path), "dkimpy verifies our Ed25519 and RSA "
	    "signatures against the RFC's DNS records");
	free(path);
	sp_list_free(&sigs);
	sp_dkim_free(d);
	sp_list_free(&sl);
	sp_list_free(&ol);
}

/*
 * Byte-exact: the RFC's tag list (i=, q=, " : " in h=, its own folding) up
 * to "b=", signed over our canonical header hash, must give its b=.
 */
static void
test_byte_exact(const struct tl_message *m, struct sp_key *ed,
    struct sp_key *rsa)
{
	static const char *const sign[] = {
		"from", "to", "subject", "date", "message-id", NULL };
	static const char *const over[] = { "from", "subject", "date", NULL };
	struct sp_list sl = list_of(sign), ol = list_of(over);
	struct sp_sign_opts o = {
		SP_CANON_RELAXED, SP_CANON_RELAXED, &sl, &ol, RFC_T, 0, NULL };
	struct sp_dkim *d = engine_for(&o, m);
	struct tl_message signed_rfc;
	size_t found = 0;

	parse_data_message("signed-rfc.eml", &signed_rfc);
	for (size_t i = 0; i < signed_rfc.n; i++) {
		const char *v = signed_rfc.f[i].value;
		const char *b = strstr(v, " b=");
		struct sp_key *key;
		char *prefix, *want, *got = NULL, *a;
		sp_err err;

		if (strcmp(signed_rfc.f[i].name, "DKIM-Signature") != 0)
			continue;
		a = tag(v, "a");
		found++;
		if (b == NULL)
			bail_out("signed-rfc.eml: no b= in a signature");
		key = strcmp(a, "ed25519-sha256") == 0 ? ed : rsa;
		prefix = sp_xstrndup(v, (size_t)(b + 3 - v));
		want = tag(v, "b");
		if (!sp_dkim_sign_value(d, key, prefix, strlen(prefix), &got, &err))
			bail_out("sp_dkim_sign_value: %s", err.msg);
		is_str(got, want, "%s: the RFC's tag list signed over our header "
		    "hash gives the RFC's b= byte for byte", a);
		free(a);
		free(prefix);
		free(want);
		free(got);
	}
	ok(found == 2, "signed-rfc.eml holds both RFC signatures");
	{
		char *path = data_path("signed-rfc.eml");

		ok(rfc_records_verify(path), "control: dkimpy verifies the RFC's own "
		    "signed message with the same records");
		free(path);
	}
	free_message(&signed_rfc);
	sp_dkim_free(d);
	sp_list_free(&sl);
	sp_list_free(&ol);
}

/*
 * What our defaults make of this message: sign_headers lists Subject and
 * Date before To (RFC 6376 5.4.1's order) and oversign_headers also covers
 * To and Message-ID, so h= differs from the RFC's in order and in two more
 * null entries. The order of h= does not matter to a verifier (each name
 * takes its own instances bottom-up); the extra entries only stop a later
 * hop from adding a second To: or Message-ID:.
 */
static void
test_default_h(const struct tl_message *m, struct sp_key *ed)
{
	struct sp_config *conf;
	struct sp_list sigs = SP_LIST_INIT;
	struct sp_sign_opts o;
	struct sp_dkim *d;
	sp_err err;
	char *h, *bh;

	conf = sp_config_parse("defaults", "", 0, &err);
	if (conf == NULL)
		bail_out("defaults: %s", err.msg);
	o = (struct sp_sign_opts){ conf->signing.header_canon,
	    conf->signing.body_canon, &conf->signing.sign_headers,
	    &conf->signing.oversign_headers, RFC_T, 0, NULL };
	d = engine_for(&o, m);
	if (!sp_dkim_add_signer(d, "football.example.com", ed, &err))
		bail_out("sp_dkim_add_signer: %s", err.msg);
	sp_dkim_body(d, m->body, m->body_len);
	if (!sp_dkim_final(d, &sigs, &err))
		bail_out("sp_dkim_final: %s", err.msg);
	h = tag(sigs.v[0], "h");
	is_str(h, "from:subject:date:to:message-id:from:subject:to:date:"
	    "message-id", "defaults: h= covers the RFC's fields, oversigns To "
	    "and Message-ID too");
	bh = tag(sigs.v[0], "bh");
	is_str(bh, RFC_BH, "defaults (relaxed/relaxed): same body hash");
	free(h);
	free(bh);
	sp_list_free(&sigs);
	sp_dkim_free(d);
	sp_config_free(conf);
}

int
main(void)
{
	struct tl_message m;
	struct sp_key *ed, *rsa;
	char *cmd;

	if (!have_dkimpy())
		bail_out("dkimpy missing: install python3-dkim (scripts/install-deps)");
	if (mkdtemp(tmpdir) == NULL)
		bail_out("mkdtemp: %s", strerror(errno));
	ed = load_key("ed-brisbane.pem", "brisbane");
	rsa = load_key("rsa-test.pem", "test");
	parse_data_message("message.eml", &m);

	test_sign_and_verify(&m, ed, rsa);
	test_byte_exact(&m, ed, rsa);
	test_default_h(&m, ed);

	free_message(&m);
	sp_key_free(ed);
	sp_key_free(rsa);
	cmd = sp_xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	free(cmd);
	return done_testing();
}

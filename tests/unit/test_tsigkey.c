/*
 * test_tsigkey.c - the TSIG key files `update_key` names (dnsgen/tsigkey.c):
 * BIND's and Knot's formats accepted, with comments and odd spacing; weak
 * algorithms, broken syntax and bad secrets refused with the reason.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/tsigkey.h"
#include "../tap.h"

#define SECRET "Hbv9SLYMvXuHU2/+kICWq2PtmtUmDQ6/mvWS0wXJCXw="

struct tcase {
	const char *name;
	const char *text;
	const char *key_name;   /* NULL: refused */
	const char *algorithm;  /* or the reason's text when refused */
};

static const struct tcase cases[] = {
	{ "BIND, as tsig-keygen writes",
	  "key \"upd\" {\n\talgorithm hmac-sha256;\n\tsecret \"" SECRET "\";\n};\n",
	  "upd.", "hmac-sha256." },
	{ "BIND, one line, name with a dot",
	  "key \"upd.example.\" { algorithm HMAC-SHA512; secret \"" SECRET "\"; };",
	  "upd.example.", "hmac-sha512." },
	{ "BIND, comments of all three kinds",
	  "# made by hand\n// for the primary\n/* a\nblock */ key upd {"
	  " secret \"" SECRET "\"; algorithm hmac-sha384.; };\n",
	  "upd.", "hmac-sha384." },
	{ "BIND, the first of two keys",
	  "key a { algorithm hmac-sha256; secret \"" SECRET "\"; };\n"
	  "key b { algorithm hmac-md5; secret \"" SECRET "\"; };\n",
	  "a.", "hmac-sha256." },
	{ "Knot, as keymgr -t writes",
	  "# hmac-sha256:upd:" SECRET "\nkey:\n  - id: upd\n    algorithm: "
	  "hmac-sha256\n    secret: " SECRET "\n",
	  "upd.", "hmac-sha256." },
	{ "Knot, the first of two keys",
	  "key:\n  - id: a\n    algorithm: hmac-sha512\n    secret: " SECRET
	  "\n  - id: b\n    algorithm: hmac-md5\n    secret: " SECRET "\n",
	  "a.", "hmac-sha512." },
	{ "BIND hmac-md5", "key upd { algorithm hmac-md5; secret \"" SECRET "\"; };",
	  NULL, "TSIG algorithm hmac-md5 is too weak" },
	{ "BIND hmac-sha1", "key upd { algorithm hmac-sha1; secret \"" SECRET "\"; };",
	  NULL, "TSIG algorithm hmac-sha1 is too weak" },
	{ "BIND hmac-sha224", "key upd { algorithm hmac-sha224; secret \"" SECRET "\"; };",
	  NULL, "TSIG algorithm hmac-sha224 is too weak" },
	{ "Knot hmac-md5", "key:\n  - id: upd\n    algorithm: hmac-md5\n    secret: "
	  SECRET "\n", NULL, "TSIG algorithm hmac-md5 is too weak" },
	{ "unknown algorithm", "key upd { algorithm gost; secret \"" SECRET "\"; };",
	  NULL, "\"gost\" is not a TSIG algorithm" },
	{ "no algorithm", "key upd { secret \"" SECRET "\"; };",
	  NULL, "needs an algorithm and a secret" },
	{ "no secret", "key upd { algorithm hmac-sha256; };",
	  NULL, "needs an algorithm and a secret" },
	{ "secret not base64", "key upd { algorithm hmac-sha256; secret \"n*t base64!\"; };",
	  NULL, "the secret is not base64 of a key of at least 16 bytes" },
	{ "secret too short", "key upd { algorithm hmac-sha256; secret \"c2hvcnQ=\"; };",
	  NULL, "at least 16 bytes" },
	{ "missing ;", "key upd {\n algorithm hmac-sha256\n secret \"" SECRET "\"; };",
	  NULL, "k.key:3: not a TSIG key file" },
	{ "unknown field", "key upd { algorithm hmac-sha256; secret \"" SECRET
	  "\"; owner x; };", NULL, "k.key:1: not a TSIG key file" },
	{ "unterminated", "key upd { algorithm hmac-sha256;", NULL,
	  "not a TSIG key file" },
	{ "not a key at all", "options { };", NULL,
	  "k.key:1: not a TSIG key file (expected key" },
	{ "empty", "", NULL, "not a TSIG key file" },
	{ "Knot without a secret", "key:\n  - id: upd\n    algorithm: hmac-sha256\n",
	  NULL, "the key: list needs id, algorithm and secret" },
	{ "a key name with a space", "key \"a b\" { algorithm hmac-sha256; secret \""
	  SECRET "\"; };", NULL, "\"a b\" is not a key name" },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct tsig_key key;
		sp_err err;
		bool good = tsig_key_parse("k.key", c->text, &key, &err);

		if (c->key_name != NULL) {
			ok(good, "%s: accepted%s%s", c->name, good ? "" : ": ",
			    good ? "" : err.msg);
			if (!good)
				continue;
			is_str(key.name, c->key_name, "%s: key name", c->name);
			is_str(key.algorithm, c->algorithm, "%s: algorithm",
			    c->name);
			is_str(key.secret, SECRET, "%s: secret", c->name);
			tsig_key_free(&key);
		} else {
			ok(!good, "%s: refused", c->name);
			if (good) {
				tsig_key_free(&key);
				continue;
			}
			ok(strstr(err.msg, c->algorithm) != NULL,
			    "%s: says \"%s\" (got \"%s\")", c->name,
			    c->algorithm, err.msg);
		}
	}
	return done_testing();
}

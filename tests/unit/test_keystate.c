/*
 * test_keystate.c - the key lifecycle's state file (lib/keystate.c) and
 * configuration (lib/conf_rotate.c): a file round-trips through save and
 * load; corrupted and truncated files fail with PATH:LINE and change
 * nothing; the milter's selection takes exactly the active keys of a
 * rotating domain; the test clock; rotate/algorithms/retire_after/
 * revoke_after/check_servers with good values beside bad ones.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/clock.h"
#include "signpost/conf.h"
#include "signpost/keystate.h"
#include "../tap.h"

static const char good_text[] =
    "# comment\n"
    "signpost-keystate 1\n"
    "key 2026r rsa active 2026-11-30T04:50:00Z 2026-11-01T00:00:00Z\n"
    "key 20261130e ed25519 published 2026-11-30T05:00:00Z "
    "2026-11-30T04:00:00Z hold=3600\n"
    "key old rsa revoked 2026-11-20T00:00:00Z 2026-01-01T00:00:00Z\n"
    "end\n";

static void
test_parse_good(void)
{
	struct sp_keystate ks;
	sp_err err;
	char *text;

	memset(&ks, 0, sizeof(ks));
	ks.domain = sp_xstrdup("example.com");
	ok(sp_keystate_parse("ks", good_text, strlen(good_text), &ks, &err),
	    "a good file parses");
	ok(ks.n == 3, "three keys (%zu)", ks.n);
	ok(ks.n == 3 && ks.keys[0].state == SP_KS_ACTIVE &&
	    ks.keys[1].alg == SP_KEY_ED25519 && ks.keys[1].hold == 3600 &&
	    ks.keys[2].state == SP_KS_REVOKED, "fields read");
	ok(ks.n == 3 && ks.keys[0].since == 1796014200, "since is UTC (%lld)",
	    ks.n ? (long long)ks.keys[0].since : 0LL);
	text = sp_keystate_text(&ks);
	ok(strstr(text, "key 20261130e ed25519 published 2026-11-30T05:00:00Z "
	    "2026-11-30T04:00:00Z hold=3600\n") != NULL &&
	    strstr(text, "\nend\n") != NULL, "written back the same way");
	free(text);
	sp_keystate_free(&ks);
}

struct bad_case {
	const char *name, *text, *message;
};

static const struct bad_case bad_cases[] = {
	{ "truncated", "signpost-keystate 1\nkey a rsa active "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z\n",
	    "ks:3: the file ends before its \"end\" line" },
	{ "cut mid-line", "signpost-keystate 1\nkey a rsa act",
	    "ks:2: expected \"key SELECTOR" },
	{ "empty", "", "ks:1: the file ends before" },
	{ "no magic", "key a rsa active 2026-11-30T04:50:00Z "
	    "2026-11-30T04:50:00Z\nend\n", "ks:1: not a signpost key state" },
	{ "bad state", "signpost-keystate 1\nkey a rsa shiny "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z\nend\n",
	    "ks:2: \"shiny\" is not a state" },
	{ "bad algorithm", "signpost-keystate 1\nkey a dsa active "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z\nend\n",
	    "ks:2: \"dsa\" is not an algorithm" },
	{ "bad time", "signpost-keystate 1\nkey a rsa active "
	    "2026-11-30 2026-11-30T04:50:00Z\nend\n", "ks:2: \"2026-11-30\"" },
	{ "bad selector", "signpost-keystate 1\nkey a..b rsa active "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z\nend\n",
	    "ks:2: \"a..b\" is not a selector" },
	{ "twice", "signpost-keystate 1\nkey a rsa active 2026-11-30T04:50:00Z "
	    "2026-11-30T04:50:00Z\nkey a rsa active 2026-11-30T04:50:00Z "
	    "2026-11-30T04:50:00Z\nend\n", "ks:3: selector \"a\" is listed twice" },
	{ "after end", "signpost-keystate 1\nend\nkey a rsa active "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z\n",
	    "ks:3: text after the \"end\" line" },
	{ "bad hold", "signpost-keystate 1\nkey a rsa published "
	    "2026-11-30T04:50:00Z 2026-11-30T04:50:00Z hold=x\nend\n",
	    "ks:2: \"hold=x\" is not hold=SECONDS" },
};

static void
test_parse_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct sp_keystate ks;
		sp_err err;
		bool parsed;

		memset(&ks, 0, sizeof(ks));
		memset(&err, 0, sizeof(err));
		parsed = sp_keystate_parse("ks", c->text, strlen(c->text), &ks,
		    &err);
		ok(!parsed && strncmp(err.msg, c->message,
		    strlen(c->message)) == 0, "%s: refused (%s)", c->name,
		    err.msg);
		sp_keystate_free(&ks);
	}
}

static char tmpdir[] = "/tmp/test_keystate.XXXXXX";

static struct sp_config *
config_for(const char *extra)
{
	char *text = sp_xasprintf("[signing]\nkeys_dir = %s\nrotate = 90d\n"
	    "[domain example.com]\n%s", tmpdir, extra);
	struct sp_config *conf;
	sp_err err;

	conf = sp_config_parse("t.conf", text, strlen(text), &err);
	if (conf == NULL)
		diag("config: %s", err.msg);
	free(text);
	return conf;
}

static void
test_save_load_select(void)
{
	struct sp_config *conf;
	struct sp_keystate ks, again;
	char *dir, *path;
	struct stat st;
	sp_err err;

	if (mkdtemp(tmpdir) == NULL)
		bail_out("mkdtemp");
	conf = config_for("selector = manual\n");
	dir = sp_xasprintf("%s/example.com", tmpdir);
	if (conf == NULL || mkdir(dir, 0750) != 0)
		bail_out("setup");
	ok(sp_keystate_load(conf, "example.com", &ks, &err) && !ks.exists &&
	    ks.n == 0, "no file: an empty state");
	ok(sp_keystate_select_active(conf, &err) &&
	    conf->domains[0].n_selectors == 1, "no file: the selector list stays");
	sp_keystate_add(&ks, "a", SP_KEY_RSA, SP_KS_ACTIVE, 100);
	sp_keystate_add(&ks, "b", SP_KEY_ED25519, SP_KS_ACTIVE, 100);
	sp_keystate_add(&ks, "c", SP_KEY_RSA, SP_KS_PENDING, 200);
	sp_keystate_add(&ks, "d", SP_KEY_RSA, SP_KS_RETIRING, 200);
	ok(sp_keystate_save(&ks, &err), "saved (%s)", ks.exists ? "" : err.msg);
	path = sp_xstrdup(ks.path);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "mode 0640");
	ok(sp_keystate_load(conf, "example.com", &again, &err) &&
	    again.exists && again.n == 4 && again.keys[2].since == 200,
	    "loaded back");
	ok(sp_keystate_select_active(conf, &err) &&
	    conf->domains[0].n_selectors == 2 &&
	    strcmp(conf->domains[0].selectors[0].name, "a") == 0 &&
	    strcmp(conf->domains[0].selectors[1].name, "b") == 0,
	    "the milter signs with exactly the active keys");
	if (truncate(path, 60) != 0)
		bail_out("truncate %s", path);
	ok(!sp_keystate_select_active(conf, &err) &&
	    strstr(err.msg, path) != NULL, "a truncated file stops the "
	    "selection, naming the path (%s)", err.msg);
	ok(stat(path, &st) == 0 && st.st_size == 60, "and is left alone");
	unlink(path);
	rmdir(dir);
	rmdir(tmpdir);
	free(path);
	free(dir);
	sp_keystate_free(&ks);
	sp_keystate_free(&again);
	sp_config_free(conf);
}

static void
test_clock(void)
{
	time_t t;
	char text[SP_TIME_TEXT];
	sp_err err;

	setenv(SP_CLOCK_ENV, "2026-11-30T04:50:00Z", 1);
	ok(sp_clock_now(&t, &err) && t == 1796014200, "ISO time");
	sp_time_format(t, text);
	is_str(text, "2026-11-30T04:50:00Z", "formatted back");
	setenv(SP_CLOCK_ENV, "1796014200", 1);
	ok(sp_clock_now(&t, &err) && t == 1796014200, "epoch seconds");
	setenv(SP_CLOCK_ENV, "tomorrow", 1);
	ok(!sp_clock_now(&t, &err) && strstr(err.msg, "SIGNPOST_NOW") != NULL,
	    "a bad value is an error naming the variable");
	unsetenv(SP_CLOCK_ENV);
	ok(sp_clock_now(&t, &err) && t > 1700000000, "unset: the real time");
}

struct conf_case {
	const char *name, *text, *message;      /* message NULL: accepted */
};

static const struct conf_case conf_cases[] = {
	{ "rotating domain without selectors",
	    "[signing]\nrotate = 90d\n[domain a.example]\n", NULL },
	{ "no selector, no rotate", "[domain a.example]\n",
	    "t.conf:1: [domain a.example] has no selector" },
	{ "rotate 0", "[signing]\nrotate = 0\n[domain a.example]\n"
	    "selector = s\n", NULL },
	{ "rotate in domain", "[domain a.example]\nrotate = 30d\n", NULL },
	{ "bad rotate", "[signing]\nrotate = soon\n",
	    "t.conf:2: rotate: \"soon\" is not a number of seconds" },
	{ "short rotate", "[signing]\nrotate = 60\n",
	    "t.conf:2: rotate: \"60\" is out of range" },
	{ "bad algorithm", "[signing]\nalgorithms = rsa, dsa\n",
	    "t.conf:2: algorithms: \"dsa\" is not an algorithm" },
	{ "algorithm twice", "[signing]\nalgorithms = rsa rsa\n",
	    "t.conf:2: algorithms: \"rsa\" is listed twice" },
	{ "retire_after not above TTL", "[dns]\nttl = 2d\n[domain a.example]\n"
	    "rotate = 90d\nretire_after = 1d\n",
	    "t.conf:5: retire_after: 86400 seconds is not longer" },
	{ "revoke_after in [dns]", "[dns]\nrevoke_after = 7d\n",
	    "t.conf:2: revoke_after" },
	{ "check_servers", "[dns]\ncheck_servers = 127.0.0.1#5300, ::1\n", NULL },
	{ "bad check_servers", "[dns]\ncheck_servers = ns1.example\n",
	    "t.conf:2: check_servers: \"ns1.example\" is not ADDR[#PORT]" },
	{ "bad check_servers port", "[dns]\ncheck_servers = 127.0.0.1#0\n",
	    "t.conf:2: check_servers: \"127.0.0.1#0\" is not ADDR[#PORT]" },
};

static void
test_conf(void)
{
	for (size_t i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		const struct conf_case *c = &conf_cases[i];
		struct sp_config *conf;
		sp_err err;

		memset(&err, 0, sizeof(err));
		conf = sp_config_parse("t.conf", c->text, strlen(c->text), &err);
		if (c->message == NULL)
			ok(conf != NULL, "%s: accepted (%s)", c->name,
			    conf ? "" : err.msg);
		else
			ok(conf == NULL && strncmp(err.msg, c->message,
			    strlen(c->message)) == 0, "%s: refused (%s)",
			    c->name, err.msg);
		sp_config_free(conf);
	}
}

static void
test_inheritance(void)
{
	const char *text = "[domain a.example]\nretire_after = 3d\n"
	    "[signing]\nrotate = 30d\nalgorithms = ed25519\n"
	    "[domain b.example]\nrotate = 0\nselector = s\n";
	struct sp_config *conf;
	sp_err err;

	conf = sp_config_parse("t.conf", text, strlen(text), &err);
	ok(conf != NULL && conf->domains[0].rotation.rotate == 30 * 86400 &&
	    conf->domains[0].rotation.algorithms == SP_ALG_ED25519 &&
	    conf->domains[0].rotation.retire_after == 3 * 86400 &&
	    conf->domains[0].rotation.revoke_after == 7 * 86400,
	    "a domain takes [signing]'s values it does not set, in any order");
	ok(conf != NULL && conf->domains[1].rotation.rotate == 0,
	    "rotate = 0 in a domain turns rotation off there");
	sp_config_free(conf);
}

int
main(void)
{
	test_parse_good();
	test_parse_bad();
	test_save_load_select();
	test_clock();
	test_conf();
	test_inheritance();
	return done_testing();
}

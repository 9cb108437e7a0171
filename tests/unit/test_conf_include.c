/*
 * test_conf_include.c - "include = PATH-OR-GLOB" in signpost.conf(5): the
 * files a pattern names are read in byte order of their names, hold
 * [domain NAME] sections only, and every problem in them is reported as
 * INCLUDED-FILE:LINE; a wildcard matching nothing is fine, a missing plain
 * path is not, and an include cycle is refused. Each case writes its files
 * into a fresh folder and loads main.conf from there.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/conf.h"
#include "../tap.h"

/* One file of a case: its name in the case's folder and its text. */
struct file {
	const char *name;
	const char *text;
};

/*
 * A case: the files, then either the error the load must give (with
 * "@" standing for the case's folder) or the domains it must yield, in
 * order, each as "NAME@FILE:LINE" (FILE relative to the folder).
 */
struct include_case {
	const char *name;
	struct file files[5];
	const char *error;
	const char *domains;
};

#define MAIN_HEAD "[signing]\nkeys_dir = /nonexistent\n"

static const struct include_case cases[] = {
	{ "glob: files in byte order of their names",
	  { { "main.conf", MAIN_HEAD "include = d/*.conf\n" },
	    { "d/20-b.conf", "[domain b.example]\nselector = s\n" },
	    { "d/10-a.conf", "# customer a\n[domain a.example]\nselector = s\n" },
	    { "d/3-c.conf", "[domain c.example]\nselector = s\n" },
	    { "d/x.conf.bak", "[domain ignored.example]\nselector = s\n" } },
	  NULL, "a.example@d/10-a.conf:2 b.example@d/20-b.conf:1 "
	  "c.example@d/3-c.conf:1" },
	{ "include where it stands: main's domains before and after",
	  { { "main.conf", "[domain first.example]\nselector = s\n"
	      "include = one.conf\n[domain last.example]\nselector = s\n" },
	    { "one.conf", "[domain mid.example]\nselector = s\n" } },
	  NULL, "first.example@main.conf:1 mid.example@one.conf:1 "
	  "last.example@main.conf:4" },
	{ "a wildcard that matches nothing adds nothing",
	  { { "main.conf", MAIN_HEAD "include = none/*.conf\n"
	      "[domain a.example]\nselector = s\n" } },
	  NULL, "a.example@main.conf:4" },
	{ "an absolute pattern",
	  { { "main.conf", MAIN_HEAD "include = @/abs/*.conf\n" },
	    { "abs/a.conf", "[domain a.example]\nselector = s\n" } },
	  NULL, "a.example@abs/a.conf:1" },
	{ "nested include, relative to the including file",
	  { { "main.conf", "include = d/top.conf\n" },
	    { "d/top.conf", "include = more/*.conf\n[domain t.example]\n"
	      "selector = s\n" },
	    { "d/more/m.conf", "[domain m.example]\nselector = s\n" } },
	  NULL, "m.example@d/more/m.conf:1 t.example@d/top.conf:2" },
	{ "a missing plain path is an error",
	  { { "main.conf", MAIN_HEAD "include = missing.conf\n" } },
	  "@/main.conf:3: include: @/missing.conf: No such file or directory",
	  NULL },
	{ "a bad value names the included file and line",
	  { { "main.conf", MAIN_HEAD "include = d/*.conf\n" },
	    { "d/a.conf", "[domain a.example]\nselector = s\nttl = soon\n" } },
	  "@/d/a.conf:3: ttl: ", NULL },
	{ "[dns] in an included file is refused",
	  { { "main.conf", "include = d.conf\n" },
	    { "d.conf", "[domain a.example]\nselector = s\n[dns]\nttl = 60\n" } },
	  "@/d.conf:3: [dns] in an included file (included files hold "
	  "[domain NAME] sections only; put [dns] in @/main.conf)", NULL },
	{ "[milter] in an included file is refused",
	  { { "main.conf", "include = d.conf\n" },
	    { "d.conf", "[milter]\nuser = x\n" } },
	  "@/d.conf:1: [milter] in an included file", NULL },
	{ "a name before any section in an included file",
	  { { "main.conf", "include = d.conf\n" },
	    { "d.conf", "selector = s\n[domain a.example]\n" } },
	  "@/d.conf:1: selector is set before any section (start with "
	  "[domain NAME])", NULL },
	{ "a file that includes itself",
	  { { "main.conf", "include = a.conf\n" },
	    { "a.conf", "[domain a.example]\nselector = s\ninclude = a.conf\n" } },
	  "@/a.conf:3: include: @/a.conf is already being read (an include "
	  "cycle; include each file once)", NULL },
	{ "a cycle back to the main file",
	  { { "main.conf", "include = a.conf\n" },
	    { "a.conf", "include = b.conf\n" },
	    { "b.conf", "include = main.conf\n" } },
	  "@/b.conf:1: include: @/main.conf is already being read", NULL },
	{ "the same domain in two files",
	  { { "main.conf", "[domain a.example]\nselector = s\n"
	      "include = d.conf\n" },
	    { "d.conf", "\n[domain a.example]\nselector = s\n" } },
	  "@/d.conf:2: duplicate [domain a.example] (the first is at "
	  "@/main.conf:1; one section per domain)", NULL },
	{ "a domain without selector names its own file",
	  { { "main.conf", "include = d.conf\n" },
	    { "d.conf", "[domain a.example]\nttl = 60\n" } },
	  "@/d.conf:1: [domain a.example] has no selector", NULL },
	{ "names after an include line belong to no section",
	  { { "main.conf", "[dns]\ninclude = d.conf\nttl = 60\n" },
	    { "d.conf", "[domain a.example]\nselector = s\n" } },
	  "@/main.conf:3: ttl is set before any section (start with a "
	  "section header: names after an include line belong to no "
	  "section)", NULL },
	{ "include without a file",
	  { { "main.conf", "include =\n" } },
	  "@/main.conf:1: include: no file given", NULL },
	{ "a folder that a wildcard matches is not a file",
	  { { "main.conf", "include = d*\n" },
	    { "d/a.conf", "[domain a.example]\nselector = s\n" } },
	  "@/main.conf:1: include: @/d: ", NULL },
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = sp_xasprintf("%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	FILE *f;

	/* make the parent folders */
	for (char *s = path + strlen(dir) + 1; s < slash; s++)
		if (*s == '/') {
			*s = '\0';
			(void)mkdir(path, 0755);
			*s = '/';
		}
	*slash = '\0';
	(void)mkdir(path, 0755);
	*slash = '/';
	if ((f = fopen(path, "w")) == NULL)
		bail_out("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(path);
}

/* text with every "@" replaced by dir */
static char *
at_dir(const char *text, const char *dir)
{
	struct sp_buf b = SP_BUF_INIT;

	for (const char *s = text; *s != '\0'; s++)
		if (*s == '@')
			sp_buf_puts(&b, dir);
		else
			sp_buf_append(&b, s, 1);
	return b.data != NULL ? b.data : sp_xstrdup("");
}

/* "NAME@FILE:LINE ..." of the loaded domains, FILE relative to dir. */
static char *
describe_domains(const struct sp_config *conf, const char *dir)
{
	struct sp_buf b = SP_BUF_INIT;
	size_t dlen = strlen(dir);

	for (size_t i = 0; i < conf->n_domains; i++) {
		const struct sp_domain *d = &conf->domains[i];
		const char *file = d->file;

		if (strncmp(file, dir, dlen) == 0 && file[dlen] == '/')
			file += dlen + 1;
		sp_buf_printf(&b, "%s%s@%s:%u", i > 0 ? " " : "", d->name,
		    file, d->line);
	}
	return b.data != NULL ? b.data : sp_xstrdup("");
}

static void
remove_tree(const char *dir)
{
	char *cmd = sp_xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	free(cmd);
}

static void
run_case(const struct include_case *c, const char *base, size_t n)
{
	char *dir = sp_xasprintf("%s/%zu", base, n), *main_path;
	struct sp_config *conf;
	sp_err err;

	if (mkdir(dir, 0755) != 0)
		bail_out("mkdir %s: %s", dir, strerror(errno));
	for (size_t i = 0; i < 5 && c->files[i].name != NULL; i++) {
		char *text = at_dir(c->files[i].text, dir);

		write_file(dir, c->files[i].name, text);
		free(text);
	}
	main_path = sp_xasprintf("%s/main.conf", dir);
	memset(&err, 0, sizeof(err));
	conf = sp_config_load(main_path, &err);
	if (c->error != NULL) {
		char *want = at_dir(c->error, dir);

		if (!ok(conf == NULL && strncmp(err.msg, want, strlen(want)) == 0,
		    "%s: refused", c->name))
			diag("got \"%s\", want it to start with \"%s\"",
			    conf == NULL ? err.msg : "(loaded)", want);
		free(want);
	} else if (conf == NULL) {
		ok(0, "%s: loads", c->name);
		diag("%s", err.msg);
	} else {
		char *got = describe_domains(conf, dir);

		is_str(got, c->domains, "%s: domains, files and lines", c->name);
		free(got);
	}
	sp_config_free(conf);
	free(main_path);
	free(dir);
}

/* Included domains are found per message and inherit [dns]. */
static void
test_lookup_and_inherit(const char *base)
{
	char *dir = sp_xasprintf("%s/lookup", base), *path;
	struct sp_config *conf;
	const struct sp_domain *d;
	sp_err err;

	if (mkdir(dir, 0755) != 0)
		bail_out("mkdir %s: %s", dir, strerror(errno));
	write_file(dir, "main.conf", "[dns]\nttl = 600\ninclude = d/*.conf\n");
	write_file(dir, "d/a.conf", "[domain a.example]\nselector = s\n"
	    "subdomains = yes\n");
	path = sp_xasprintf("%s/main.conf", dir);
	conf = sp_config_load(path, &err);
	if (!ok(conf != NULL, "lookup: loads"))
		diag("%s", err.msg);
	d = conf != NULL ? sp_config_find_domain(conf, "mx.A.example") : NULL;
	ok(d != NULL && strcmp(d->name, "a.example") == 0,
	    "lookup: a subdomain finds the included domain");
	ok(d != NULL && d->dns.ttl == 600, "lookup: it inherits [dns] ttl");
	ok(conf != NULL && conf->included.n == 1,
	    "lookup: the included file is listed");
	sp_config_free(conf);
	free(path);
	free(dir);
}

#define MANY_FILES 300

/*
 * A folder of MANY_FILES included files, one domain each; `dir_at` (or
 * -1) is a folder with a .conf name (cannot be read), `bad_at` (or -1)
 * holds a bad line, `cycle_at` (or -1) includes main.conf again.
 */
static char *
many_files(const char *base, const char *name, int dir_at, int bad_at,
    int cycle_at)
{
	char *dir = sp_xasprintf("%s/%s", base, name);

	if (mkdir(dir, 0755) != 0)
		bail_out("mkdir %s: %s", dir, strerror(errno));
	write_file(dir, "main.conf", MAIN_HEAD "include = d/*.conf\n");
	for (int i = 0; i < MANY_FILES; i++) {
		char file[32], *text;

		snprintf(file, sizeof(file), "d/%03d.conf", i);
		if (i == dir_at) {
			char *sub = sp_xasprintf("%s/%s", dir, file);

			if (mkdir(sub, 0755) != 0)
				bail_out("mkdir %s: %s", sub, strerror(errno));
			free(sub);
			continue;
		}
		text = sp_xasprintf("[domain c%03d.example]\nselector = s\n%s",
		    i, i == bad_at ? "ttl = soon\n" : i == cycle_at ?
		    "include = ../main.conf\n" : "");
		write_file(dir, file, text);
		free(text);
	}
	return dir;
}

static void
expect_error(const char *base, const char *name, int dir_at, int bad_at,
    int cycle_at, const char *want_text)
{
	char *dir = many_files(base, name, dir_at, bad_at, cycle_at);
	char *path = sp_xasprintf("%s/main.conf", dir);
	char *want = at_dir(want_text, dir);
	struct sp_config *conf;
	sp_err err;

	memset(&err, 0, sizeof(err));
	conf = sp_config_load(path, &err);
	if (!ok(conf == NULL && strncmp(err.msg, want, strlen(want)) == 0,
	    "%d files, %s: the first problem in order", MANY_FILES, name))
		diag("got \"%s\", want it to start with \"%s\"",
		    conf == NULL ? err.msg : "(loaded)", want);
	sp_config_free(conf);
	free(want);
	free(path);
	free(dir);
}

/*
 * Many files (each read with its size from fstat, no read to see the
 * end): the domains come in the order of the file names, and the error
 * reported is the first one in that order.
 */
static void
test_many_files(const char *base)
{
	char *dir = many_files(base, "many", -1, -1, -1);
	char *path = sp_xasprintf("%s/main.conf", dir);
	struct sp_config *conf;
	bool in_order = true, listed = true, found = true;
	sp_err err;

	conf = sp_config_load(path, &err);
	if (!ok(conf != NULL && conf->n_domains == MANY_FILES,
	    "%d files: every domain loads", MANY_FILES))
		diag("%s", conf == NULL ? err.msg : "wrong count");
	for (size_t i = 0; conf != NULL && i < conf->n_domains; i++) {
		char want[32], *file = sp_xasprintf("%s/d/%03zu.conf", dir, i);

		snprintf(want, sizeof(want), "c%03zu.example", i);
		if (strcmp(conf->domains[i].name, want) != 0 ||
		    strcmp(conf->domains[i].file, file) != 0 ||
		    conf->domains[i].line != 1)
			in_order = false;
		if (i >= conf->included.n ||
		    strcmp(conf->included.v[i], file) != 0)
			listed = false;
		if (sp_config_domain_named(conf, want) != &conf->domains[i])
			found = false;
		free(file);
	}
	ok(conf != NULL && in_order, "%d files: domains in file order, each "
	    "with its file and line", MANY_FILES);
	/* both arrays grow as they fill: nothing lost or moved on the way */
	ok(conf != NULL && listed && conf->included.n == MANY_FILES,
	    "%d files: each listed once as included, in order", MANY_FILES);
	ok(conf != NULL && found, "%d files: each domain found by its name",
	    MANY_FILES);
	sp_config_free(conf);
	free(path);
	free(dir);
	/* "@" stands for the case's folder */
	expect_error(base, "unreadable-first", 150, 200, -1,
	    "@/main.conf:3: include: @/d/150.conf: Is a directory");
	expect_error(base, "bad-line-first", 250, 100, -1,
	    "@/d/100.conf:3: ttl: ");
	expect_error(base, "cycle", -1, -1, 120,
	    "@/d/120.conf:3: include: @/d/../main.conf is already being "
	    "read");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *base = sp_xasprintf("%s/test_conf_include.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");

	if (mkdtemp(base) == NULL)
		bail_out("mkdtemp %s: %s", base, strerror(errno));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], base, i);
	test_lookup_and_inherit(base);
	test_many_files(base);
	remove_tree(base);
	free(base);
	return done_testing();
}

/*
 * conf_include.c - "include = PATH-OR-GLOB" in signpost.conf(5): more
 * [domain NAME] sections from other files, so a control panel can write
 * one file per customer (e.g. every *.conf in /etc/signpost/domains.d).
 *
 * The pattern is expanded with glob(3) and the files are read in byte
 * order of their names (not the locale's), each from its first line as if
 * it stood where the include line is, with [domain NAME] sections only.
 * A relative pattern is taken from the including file's folder. A pattern
 * with a wildcard may match nothing (no customers yet); a plain path must
 * exist. A file that includes itself, directly or through others, is an
 * error, and so is nesting deeper than CONF_INCLUDE_DEPTH.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf_int.h"

#define CONF_INCLUDE_DEPTH 8

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pattern as written, or joined to the including file's folder. */
static char *
full_pattern(const char *including, const char *pattern)
{
	const char *slash = strrchr(including, '/');

	if (pattern[0] == '/' || slash == NULL)
		return sp_xstrdup(pattern);
	return sp_xasprintf("%.*s/%s", (int)(slash - including), including,
	    pattern);
}

/* The folder glob(3) could not read, for the message (per thread). */
static _Thread_local struct {
	char path[512];
	int error;
} glob_failure;

/* A folder that does not exist matches nothing; any other failure stops. */
static int
glob_error(const char *path, int error)
{
	if (error == ENOENT || error == ENOTDIR)
		return 0;
	snprintf(glob_failure.path, sizeof(glob_failure.path), "%s", path);
	glob_failure.error = error;
	return 1;
}

/* The files the pattern names, sorted; false with err set. */
static bool
expand(const struct conf_parser *p, const char *pattern,
    struct sp_list *files, sp_err *err)
{
	glob_t g;
	int rc;

	if (strpbrk(pattern, "*?[") == NULL) {
		sp_list_add(files, pattern);
		return true;
	}
	memset(&g, 0, sizeof(g));
	glob_failure.error = 0;
	rc = glob(pattern, GLOB_NOSORT, glob_error, &g);
	if (rc == GLOB_NOMATCH)
		return true;
	if (rc != 0) {
		if (glob_failure.error != 0)
			sp_err_set(err, "%s:%u: include: %s: %s: %s", p->file,
			    p->line, pattern, glob_failure.path,
			    strerror(glob_failure.error));
		else
			sp_err_set(err, "%s:%u: include: %s: out of memory",
			    p->file, p->line, pattern);
		globfree(&g);
		return false;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		sp_list_add(files, g.gl_pathv[i]);
	globfree(&g);
	if (files->n > 1)
		qsort(files->v, files->n, sizeof(*files->v), cmp_names);
	return true;
}

/* Is the file already being read, further out (an include cycle)? */
static bool
on_stack(const struct conf_parser *p, const struct conf_file_id *id)
{
	for (unsigned i = 0; i < p->depth; i++)
		if (p->stack[i].dev == id->dev && p->stack[i].ino == id->ino)
			return true;
	return false;
}

/*
 * Read one included file at depth p->depth (already raised): open, fstat
 * (its identity, for cycles), read, close.
 */
static bool
read_one(struct conf_parser *p, const char *path, const char *from,
    unsigned from_line, sp_err *err)
{
	struct sp_buf b = SP_BUF_INIT;
	struct conf_file_id id;

	if (!conf_read_file(path, &b, &id, err)) {
		sp_err_prefix(err, "%s:%u: include", from, from_line);
		sp_buf_free(&b);
		return false;
	}
	if (on_stack(p, &id)) {
		sp_err_set(err, "%s:%u: include: %s is already being read (an "
		    "include cycle; include each file once)", from, from_line,
		    path);
		sp_buf_free(&b);
		return false;
	}
	p->stack[p->depth] = id;
	sp_list_add(&p->conf->included, path);
	p->file = p->conf->included.v[p->conf->included.n - 1];
	p->line = 0;
	p->sec = SEC_NONE;
	p->line_after_include = 0;
	if (!conf_parse_text(p, b.data != NULL ? b.data : "", b.len, err)) {
		sp_buf_free(&b);
		return false;
	}
	sp_buf_free(&b);
	return true;
}

/* The main file's identity at the bottom of the stack, when it has one. */
static void
stack_start(struct conf_parser *p)
{
	struct stat st;

	if (p->stack != NULL)
		return;
	p->stack = sp_xcalloc(CONF_INCLUDE_DEPTH + 1, sizeof(*p->stack));
	if (stat(p->conf->path, &st) == 0) {
		p->stack[0].dev = (unsigned long long)st.st_dev;
		p->stack[0].ino = (unsigned long long)st.st_ino;
	}
}

bool
conf_include(struct conf_parser *p, const char *pattern, sp_err *err)
{
	struct sp_list files = SP_LIST_INIT;
	const char *from = p->file;
	unsigned from_line = p->line;
	bool good = true;
	char *full;

	if (*pattern == '\0') {
		sp_err_set(err, "%s:%u: include: no file given (e.g. include = "
		    "/etc/signpost/domains.d/*.conf)", from, from_line);
		return false;
	}
	if (p->depth >= CONF_INCLUDE_DEPTH) {
		sp_err_set(err, "%s:%u: include: nested more than %d deep (an "
		    "include cycle?)", from, from_line, CONF_INCLUDE_DEPTH);
		return false;
	}
	stack_start(p);
	full = full_pattern(from, pattern);
	if (!expand(p, full, &files, err)) {
		free(full);
		return false;
	}
	free(full);
	p->depth++;
	for (size_t i = 0; good && i < files.n; i++)
		good = read_one(p, files.v[i], from, from_line, err);
	p->depth--;
	sp_list_free(&files);
	/* Back in the including file, with no section open. */
	p->file = from;
	p->line = from_line;
	p->sec = SEC_NONE;
	p->line_after_include = from_line;
	return good;
}

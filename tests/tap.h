/*
 * tap.h - a tiny Test Anything Protocol emitter for signpost's C tests.
 *
 * Every check prints "ok N - name" or "not ok N - name" (with a diagnostic),
 * so the automake TAP driver counts each one. assert() is never used: checks
 * must not vanish under NDEBUG. skip() reports one check that cannot run
 * here (it still counts). Exit status: 0 all passed, 1 some failed,
 * 77 skipped (with the reason), 99 hard error.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_TAP_H
#define SIGNPOST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static void tap_vreport(int pass, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
tap_vreport(int pass, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

/* ok(cond, "name %d", ...): one check. Returns cond. */
static int ok(int pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), unused));
static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	return pass;
}

/* Diagnostic line, shown by the harness in the log. */
static void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), unused));
static void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* String equality check that shows both sides on failure. */
#define is_str(got, want, ...) tap_is_str(__FILE__, __LINE__, (got), (want), __VA_ARGS__)
static int tap_is_str(const char *file, int line, const char *got,
    const char *want, const char *fmt, ...)
	__attribute__((format(printf, 5, 6), unused));
static int
tap_is_str(const char *file, int line, const char *got, const char *want,
    const char *fmt, ...)
{
	int pass = got != NULL && want != NULL ? strcmp(got, want) == 0 : got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		diag("  at %s:%d", file, line);
		diag("  got:  \"%s\"", got ? got : "(null)");
		diag("  want: \"%s\"", want ? want : "(null)");
	}
	return pass;
}

/*
 * Skip one check that cannot run here, saying why: counted as passed by
 * the TAP driver and reported as skipped ("ok N # SKIP reason").
 */
static void skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), unused));
static void
skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Skip the whole test program, saying why. */
static void skip_all(const char *why) __attribute__((noreturn, unused));
static void
skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(77);
}

/* Hard error in the test itself (not a failed check). */
static void bail_out(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn, unused));
static void
bail_out(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(99);
}

/* Print the plan at the end and return the exit status for main(). */
static int done_testing(void) __attribute__((unused));
static int
done_testing(void)
{
	if (tap_count == 0)
		bail_out("no checks ran");
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif

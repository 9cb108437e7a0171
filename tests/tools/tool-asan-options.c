/*
 * tool-asan-options.c - the sanitizer defaults every test tool links in:
 * no leak check when the tool exits. A tool runs once per test case,
 * hundreds of times a suite, and what it leaks at exit costs nothing;
 * the leak check costs each run about 60 ms of CPU and 3,000 page faults.
 * The programs under test (signpost-milter, dnsgen), the unit tests and
 * the fuzz targets keep the check. ASAN_OPTIONS in the environment still
 * overrides this. In a build without the sanitizers nothing calls it.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

# tests/engine.mk: the signing engine's tests (TAP) and tools: canonicalisation,
# From: parsing, signature building, the RFC 8463 golden test, the sign-file
# tool other tests drive, and the engine benchmark (built, never run by check).

noinst_PROGRAMS += tests/tools/sign-file
tests_tools_sign_file_SOURCES = tests/tools/sign-file.c $(TOOL_ASAN_OPTIONS)

ENGINE_UNIT_TESTS = tests/unit/test_canon tests/unit/test_mailaddr \
	tests/unit/test_dkim tests/unit/test_rfc8463
check_PROGRAMS += $(ENGINE_UNIT_TESTS)
TESTS += $(ENGINE_UNIT_TESTS)
tests_unit_test_canon_SOURCES = tests/unit/test_canon.c $(TESTLIB)
tests_unit_test_dkim_SOURCES = tests/unit/test_dkim.c $(TESTLIB)
tests_unit_test_rfc8463_SOURCES = tests/unit/test_rfc8463.c $(TESTLIB)
# The same tests over the canonicaliser's other block scanners: plain C
# (used where the compiler has no SSE2) and SSE2 (x86-64 without AVX2), so
# every scanner is checked whatever this machine's CPU picks.
CANON_SCANNER_TESTS = tests/unit/test_canon_portable tests/unit/test_canon_sse2
check_PROGRAMS += $(CANON_SCANNER_TESTS)
TESTS += $(CANON_SCANNER_TESTS)
tests_unit_test_canon_portable_SOURCES = tests/unit/test_canon.c lib/canon.c \
	$(TESTLIB)
tests_unit_test_canon_portable_CPPFLAGS = $(AM_CPPFLAGS) -DSP_CANON_PORTABLE
tests_unit_test_canon_sse2_SOURCES = tests/unit/test_canon.c lib/canon.c \
	$(TESTLIB)
tests_unit_test_canon_sse2_CPPFLAGS = $(AM_CPPFLAGS) -DSP_CANON_NO_AVX2

# The engine benchmark: built with everything, run by hand
# (tests/bench/engine-bench.sh), never by make check.
noinst_PROGRAMS += tests/bench/engine-bench
# The per-message domain lookup with 10 and 100,000 domains, and the
# 100,000-domain start-up, reload and dnsgen benchmark that runs it.
noinst_PROGRAMS += tests/bench/lookup-bench
EXTRA_DIST += tests/bench/scale-bench.sh tests/bench/scale-tree.py tests/bench/rotate-bench.sh \
	tests/bench/publish-bench.sh
EXTRA_DIST += tests/bench/engine-bench.sh tests/bench/header-bench.sh \
	tests/bench/README.md

# The tag=value list parser shared by the engine and dnsgen.
check_PROGRAMS += tests/unit/test_taglist
TESTS += tests/unit/test_taglist

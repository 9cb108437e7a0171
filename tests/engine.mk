# tests/engine.mk: the signing engine's tests (TAP) and tools: canonicalisation,
# From: parsing, signature building, the RFC 8463 golden test, the sign-file
# tool other tests drive, and the engine benchmark (built, never run by check).

noinst_PROGRAMS += tests/tools/sign-file
tests_tools_sign_file_SOURCES = tests/tools/sign-file.c
tests_tools_sign_file_LDADD = $(SIGNPOST_LIBS)

check_PROGRAMS += tests/unit/test_canon tests/unit/test_mailaddr \
	tests/unit/test_dkim tests/unit/test_rfc8463
TESTS += tests/unit/test_canon tests/unit/test_mailaddr \
	tests/unit/test_dkim tests/unit/test_rfc8463
tests_unit_test_canon_SOURCES = tests/unit/test_canon.c
tests_unit_test_canon_LDADD = $(SIGNPOST_LIBS)
# The same tests over the canonicaliser's other block scanners: plain C
# (used where the compiler has no SSE2) and SSE2 (x86-64 without AVX2), so
# every scanner is checked whatever this machine's CPU picks.
check_PROGRAMS += tests/unit/test_canon_portable tests/unit/test_canon_sse2
TESTS += tests/unit/test_canon_portable tests/unit/test_canon_sse2
tests_unit_test_canon_portable_SOURCES = tests/unit/test_canon.c lib/canon.c
tests_unit_test_canon_portable_CPPFLAGS = $(AM_CPPFLAGS) -DSP_CANON_PORTABLE
tests_unit_test_canon_portable_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_canon_sse2_SOURCES = tests/unit/test_canon.c lib/canon.c
tests_unit_test_canon_sse2_CPPFLAGS = $(AM_CPPFLAGS) -DSP_CANON_NO_AVX2
tests_unit_test_canon_sse2_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_mailaddr_SOURCES = tests/unit/test_mailaddr.c
tests_unit_test_mailaddr_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_dkim_SOURCES = tests/unit/test_dkim.c
tests_unit_test_dkim_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_rfc8463_SOURCES = tests/unit/test_rfc8463.c
tests_unit_test_rfc8463_LDADD = $(SIGNPOST_LIBS)

# The engine benchmark: built with everything, run by hand
# (tests/bench/engine-bench.sh), never by make check.
noinst_PROGRAMS += tests/bench/engine-bench
tests_bench_engine_bench_SOURCES = tests/bench/engine-bench.c
tests_bench_engine_bench_LDADD = $(SIGNPOST_LIBS)
# The per-message domain lookup with 10 and 100,000 domains, and the
# 100,000-domain start-up, reload and dnsgen benchmark that runs it.
noinst_PROGRAMS += tests/bench/lookup-bench
tests_bench_lookup_bench_LDADD = $(SIGNPOST_LIBS)
EXTRA_DIST += tests/bench/scale-bench.sh tests/bench/scale-tree.py
EXTRA_DIST += tests/bench/engine-bench.sh tests/bench/header-bench.sh \
	tests/bench/README.md

# The tag=value list parser shared by the engine and dnsgen.
check_PROGRAMS += tests/unit/test_taglist
TESTS += tests/unit/test_taglist
tests_unit_test_taglist_SOURCES = tests/unit/test_taglist.c
tests_unit_test_taglist_LDADD = $(SIGNPOST_LIBS)

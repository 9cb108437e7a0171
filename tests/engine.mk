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
tests_unit_test_mailaddr_SOURCES = tests/unit/test_mailaddr.c
tests_unit_test_mailaddr_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_dkim_SOURCES = tests/unit/test_dkim.c
tests_unit_test_dkim_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_rfc8463_SOURCES = tests/unit/test_rfc8463.c
tests_unit_test_rfc8463_LDADD = $(SIGNPOST_LIBS)

# tests/engine.mk: the signing engine's tests (TAP) and tools: canonicalisation,
# From: parsing, signature building, the RFC 8463 golden test, the sign-file
# tool other tests drive, and the engine benchmark (built, never run by check).

noinst_PROGRAMS += tests/tools/sign-file
tests_tools_sign_file_SOURCES = tests/tools/sign-file.c
tests_tools_sign_file_LDADD = $(SIGNPOST_LIBS)

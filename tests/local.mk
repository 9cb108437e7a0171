# tests/: every test speaks TAP (see tests/tap.h, tests/tap.sh). Each area
# keeps its own list in a fragment of its own.
EXTRA_DIST += tests/tap.h tests/tap.sh tests/data
# Helpers the C unit tests share (files, lists, keys, dkimpy, an RNG): a
# test that uses them adds $(TESTLIB) to its _SOURCES.
TESTLIB = tests/unit/testlib.c tests/unit/testlib.h
# What every test tool (tests/tools/*.c) links in: no leak check at exit
# under the sanitizers (see the file).
TOOL_ASAN_OPTIONS = tests/tools/tool-asan-options.c
# What every integration test shares (keys, the milter, the verifiers, the
# rule for a missing tool), and what the shell tests run in Python: real
# files, never heredocs.
EXTRA_DIST += tests/integration/lib.sh tests/integration/netns.sh
EXTRA_DIST += tests/tools/msgtool.py tests/tools/unix-socket.py \
	tests/tools/dns-roundtrip.py tests/tools/json-vs-zone.py \
	tests/tools/dkim-served.py
# make check starts the tests in this order, so the areas with the longest
# tests come first (the corpus, the package build, the milter under load,
# the rotation drills) and the short ones fill in at the end.
include tests/corpus.mk
include tests/release.mk
include tests/milter.mk
include tests/dnsgen.mk
include tests/postfix.mk
include tests/keys.mk
include tests/conf.mk
include tests/engine.mk

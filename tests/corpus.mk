# tests/corpus.mk: the corpus tests (TAP) and the independent judges they use.
# tests/verify/verify-dkim runs dkimpy, Mail::DKIM, mailauth and OpenDKIM over
# signed messages (scripts/install-node-verifier installs mailauth outside the
# tree); verify-selftest.sh shows the judges are not vacuous; corpus.sh signs
# every message of tests/data/corpus (and the big ones make-big.py writes)
# with the engine through tests/tools/sign-file and has the judges check them.
EXTRA_DIST += tests/verify
# verify-selftest.sh tests the judges, not our code: the plain build runs it.
CORPUS_SH_TESTS = tests/integration/corpus.sh
TESTS += $(CORPUS_SH_TESTS)
if !SANITIZERS
TESTS += tests/integration/verify-selftest.sh
endif
EXTRA_DIST += $(CORPUS_SH_TESTS) tests/integration/verify-selftest.sh

# tests/corpus.mk: the corpus tests (TAP) and the independent judges they use.
# tests/verify/verify-dkim runs dkimpy, Mail::DKIM and mailauth over a signed
# message (scripts/install-node-verifier installs mailauth outside the tree);
# verify-selftest.sh shows the judges are not vacuous; corpus.sh signs every
# message of tests/data/corpus with the engine and has them judge it.
EXTRA_DIST += tests/verify
TESTS += tests/integration/verify-selftest.sh
EXTRA_DIST += tests/integration/verify-selftest.sh

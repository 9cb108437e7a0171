# tests/keys.mk: the keys tests (TAP): lib/keys.c's accepted and refused key
# files, owner/mode rules, public-key export and the RFC 8463 golden keys.
check_PROGRAMS += tests/unit/test_keys
TESTS += tests/unit/test_keys
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c $(TESTLIB)
# The milter's keyset: threads, lookup by name, keys kept across a reload.
check_PROGRAMS += tests/unit/test_keyset
TESTS += tests/unit/test_keyset
# The key lifecycle's state file, its configuration and the test clock.
check_PROGRAMS += tests/unit/test_keystate
TESTS += tests/unit/test_keystate

# tests/milter.mk: the milter tests (TAP): the signing policy as a table, and
# protocol-level tests that drive the real signpost-milter daemon.
check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy
tests_unit_test_policy_LDADD = $(SIGNPOST_LIBS)
TESTS += tests/integration/milter-policy.sh
EXTRA_DIST += tests/integration/milter-lib.sh tests/integration/milter-policy.sh
TESTS += tests/integration/milter-messages.sh
EXTRA_DIST += tests/integration/milter-messages.sh
TESTS += tests/integration/milter-signals.sh
EXTRA_DIST += tests/integration/milter-signals.sh
TESTS += tests/integration/milter-daemon.sh
EXTRA_DIST += tests/integration/milter-daemon.sh
TESTS += tests/integration/milter-etc.sh
EXTRA_DIST += tests/integration/milter-etc.sh
TESTS += tests/integration/milter-connections.sh
EXTRA_DIST += tests/integration/milter-connections.sh
TESTS += tests/integration/milter-negotiate.sh
EXTRA_DIST += tests/integration/milter-negotiate.sh
TESTS += tests/integration/milter-bounds.sh
EXTRA_DIST += tests/integration/milter-bounds.sh
TESTS += tests/integration/milter-rundir.sh
EXTRA_DIST += tests/integration/milter-rundir.sh
TESTS += tests/integration/milter-leadspc.sh
EXTRA_DIST += tests/integration/milter-leadspc.sh
TESTS += tests/integration/milter-limits.sh
EXTRA_DIST += tests/integration/milter-limits.sh

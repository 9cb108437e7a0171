# tests/milter.mk: the milter tests (TAP): the signing policy as a table, and
# protocol-level tests that drive the real signpost-milter daemon
# (milter-metrics.sh: metrics_file under real traffic, checked by promtool).
check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy
MILTER_SH_TESTS = tests/integration/milter-policy.sh \
	tests/integration/milter-messages.sh tests/integration/milter-signals.sh \
	tests/integration/milter-daemon.sh tests/integration/milter-etc.sh \
	tests/integration/milter-connections.sh \
	tests/integration/milter-negotiate.sh tests/integration/milter-bounds.sh \
	tests/integration/milter-rundir.sh tests/integration/milter-leadspc.sh \
	tests/integration/milter-limits.sh tests/integration/milter-metrics.sh
TESTS += $(MILTER_SH_TESTS)
EXTRA_DIST += tests/integration/milter-lib.sh $(MILTER_SH_TESTS)

# tests/postfix.mk: the milter-protocol client that tests and benchmarks
# drive milters with, and the end-to-end tests through a private Postfix.
check_PROGRAMS += tests/tools/milter-client
tests_tools_milter_client_SOURCES = tests/tools/milter-client.c \
	tests/tools/milter-client-proto.c tests/tools/milter-client-txn.c \
	tests/tools/milter-client-msg.c tests/tools/milter-client-load.c \
	tests/tools/milter-client-proto.h tests/tools/milter-client-internal.h \
	$(TOOL_ASAN_OPTIONS)

# End to end through a private Postfix (root, postfix and dovecot needed).
# postfix-client.sh proves milter-client's conversation is Postfix's own.
POSTFIX_SH_TESTS = tests/integration/postfix-sign.sh \
	tests/integration/postfix-content.sh tests/integration/postfix-client.sh
TESTS += $(POSTFIX_SH_TESTS)
EXTRA_DIST += tests/integration/postfix-lib.sh tests/integration/smtp-sink.py \
	tests/integration/smtp-send.py tests/integration/postfix-recorder.py \
	$(POSTFIX_SH_TESTS)

# Fault drills through the private Postfix: a load of messages while the
# milter is killed, reloaded, stalled or loses a key, and counts proving
# nothing was lost, doubled or passed unsigned. Quick here;
# SIGNPOST_DRILL_FULL=1 for the big loads (README.md, Tests).
DRILL_SH_TESTS = tests/integration/postfix-drill-worker.sh \
	tests/integration/postfix-drill-daemon.sh \
	tests/integration/postfix-drill-reload.sh \
	tests/integration/postfix-drill-keys.sh \
	tests/integration/postfix-drill-stall.sh
TESTS += $(DRILL_SH_TESTS)
EXTRA_DIST += tests/integration/postfix-drill-lib.sh \
	tests/integration/drill-load.py tests/integration/drill-count.py \
	$(DRILL_SH_TESTS)

# The milter load benchmark against OpenDKIM: run by hand, never by make check.
EXTRA_DIST += tests/bench/milter-bench.sh

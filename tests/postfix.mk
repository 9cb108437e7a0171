# tests/postfix.mk: the milter-protocol client that tests and benchmarks
# drive milters with, and the end-to-end tests through a private Postfix.
check_PROGRAMS += tests/tools/milter-client
tests_tools_milter_client_SOURCES = tests/tools/milter-client.c \
	tests/tools/milter-client-proto.c tests/tools/milter-client-txn.c \
	tests/tools/milter-client-msg.c tests/tools/milter-client-load.c \
	tests/tools/milter-client-proto.h tests/tools/milter-client-internal.h
tests_tools_milter_client_LDADD = $(SIGNPOST_LIBS)

# End to end through a private Postfix (root, postfix and dovecot needed).
# postfix-client.sh proves milter-client's conversation is Postfix's own.
TESTS += tests/integration/postfix-sign.sh tests/integration/postfix-content.sh \
	tests/integration/postfix-client.sh
EXTRA_DIST += tests/integration/postfix-lib.sh tests/integration/smtp-sink.py \
	tests/integration/smtp-send.py tests/integration/postfix-recorder.py \
	tests/integration/postfix-sign.sh tests/integration/postfix-content.sh \
	tests/integration/postfix-client.sh

# Fault drills through the private Postfix: a load of messages while the
# milter is killed, reloaded, stalled or loses a key, and counts proving
# nothing was lost, doubled or passed unsigned. Quick here;
# SIGNPOST_DRILL_FULL=1 for the big loads (README.md, Tests).
TESTS += tests/integration/postfix-drill-worker.sh tests/integration/postfix-drill-daemon.sh \
	tests/integration/postfix-drill-reload.sh tests/integration/postfix-drill-keys.sh \
	tests/integration/postfix-drill-stall.sh
EXTRA_DIST += tests/integration/postfix-drill-lib.sh tests/integration/drill-load.py \
	tests/integration/drill-count.py tests/integration/postfix-drill-worker.sh \
	tests/integration/postfix-drill-daemon.sh tests/integration/postfix-drill-reload.sh \
	tests/integration/postfix-drill-keys.sh tests/integration/postfix-drill-stall.sh

# The milter load benchmark against OpenDKIM: run by hand, never by make check.
EXTRA_DIST += tests/bench/milter-bench.sh

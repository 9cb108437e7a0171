# tests/dnsgen.mk: the dnsgen tests (TAP): lib/dnsrec's records, text and
# validation, and check's answer decoding and judging (unit); and dnsgen
# itself against real DNS tools: zones checked by named-checkzone and
# kzonecheck, a private Knot server loaded from the zone or updated by
# nsupdate, `dnsgen check` on good and tampered data, and signatures
# verified through that server by independent verifiers.
DNSGEN_UNIT_TESTS = tests/unit/test_dnsrec tests/unit/test_dnsanswer \
	tests/unit/test_spfeval tests/unit/test_stsparse tests/unit/test_tsigkey
check_PROGRAMS += $(DNSGEN_UNIT_TESTS)
TESTS += $(DNSGEN_UNIT_TESTS)
tests_unit_test_dnsanswer_SOURCES = tests/unit/test_dnsanswer.c \
	dnsgen/answer.c dnsgen/judge.c
tests_unit_test_dnsanswer_LDADD = $(SIGNPOST_LIBS) $(RESOLV_LIBS)
tests_unit_test_spfeval_SOURCES = tests/unit/test_spfeval.c \
	dnsgen/spfeval.c dnsgen/spfmacro.c dnsgen/answer.c
tests_unit_test_spfeval_LDADD = $(SIGNPOST_LIBS) $(RESOLV_LIBS)
# dnsgen's SPF evaluator alone, to compare with pyspf (dnsgen-spf.sh).
check_PROGRAMS += tests/tools/spf-eval
tests_tools_spf_eval_SOURCES = tests/tools/spf-eval.c dnsgen/spfeval.c \
	dnsgen/spfmacro.c dnsgen/resolve.c dnsgen/answer.c $(TOOL_ASAN_OPTIONS)
tests_tools_spf_eval_LDADD = $(SIGNPOST_LIBS) $(RESOLV_LIBS)
tests_unit_test_stsparse_SOURCES = tests/unit/test_stsparse.c dnsgen/stsparse.c
tests_unit_test_tsigkey_SOURCES = tests/unit/test_tsigkey.c dnsgen/tsigkey.c
tests_unit_test_tsigkey_LDADD = $(SIGNPOST_LIBS)
DNSGEN_SH_TESTS = tests/integration/rotate-drill.sh \
	tests/integration/rotate-faults.sh tests/integration/dnsgen-tls.sh \
	tests/integration/dnsgen-zone.sh \
	tests/integration/dnsgen-knot.sh tests/integration/dnsgen-nsupdate.sh \
	tests/integration/dnsgen-agreement.sh tests/integration/dnsgen-ns.sh \
	tests/integration/dnsgen-usage.sh tests/integration/dnsgen-milter.sh \
	tests/integration/dnsgen-keygen-umask.sh \
	tests/integration/dnsgen-faults.sh tests/integration/dnsgen-txtbytes.sh \
	tests/integration/dnsgen-lame.sh tests/integration/dnsgen-runcap.sh \
	tests/integration/dnsgen-policy.sh tests/integration/dnsgen-spf.sh \
	tests/integration/rotate-schedule.sh tests/integration/dnsgen-many.sh \
	tests/integration/dnsgen-publish.sh tests/integration/rotate-publish.sh
TESTS += $(DNSGEN_SH_TESTS)
EXTRA_DIST += tests/integration/dnsgen-lib.sh tests/integration/rotate-lib.sh \
	tests/integration/knot-lib.sh tests/tools/dns-fault-server.py \
	tests/tools/spf-verdict.py tests/data/spf/example.net.zone \
	tests/tools/https-policy-server.py tests/tools/mta-sts-query-netns.sh \
	tests/tools/smtp-fault-server.py \
	$(DNSGEN_SH_TESTS)

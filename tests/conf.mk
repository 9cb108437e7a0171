# tests/conf.mk: the conf tests (TAP): signpost.conf(5) parsing and
# internal_hosts networks. test_conf also parses the shipped etc/signpost.conf.
check_PROGRAMS += tests/unit/test_conf tests/unit/test_cidr
TESTS += tests/unit/test_conf tests/unit/test_cidr
tests_unit_test_conf_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_cidr_LDADD = $(SIGNPOST_LIBS)
# include = PATH-OR-GLOB: order, files and lines in messages, cycles.
check_PROGRAMS += tests/unit/test_conf_include
TESTS += tests/unit/test_conf_include
tests_unit_test_conf_include_LDADD = $(SIGNPOST_LIBS)

# libFuzzer target for the parsers, built only on request (needs clang):
#   make fuzz-conf && tests/fuzz/fuzz_conf -max_total_time=300 CORPUS_DIR
EXTRA_DIST += tests/fuzz/fuzz_conf.c
CLEANFILES += tests/fuzz/fuzz_conf
FUZZ_CC = clang
FUZZ_CONF_SRC = $(srcdir)/tests/fuzz/fuzz_conf.c $(srcdir)/lib/conf.c \
	$(srcdir)/lib/conf_set.c $(srcdir)/lib/conf_value.c $(srcdir)/lib/cidr.c \
	$(srcdir)/lib/conf_include.c \
	$(srcdir)/lib/util.c $(srcdir)/lib/log.c
tests/fuzz/fuzz_conf: $(FUZZ_CONF_SRC)
	@$(MKDIR_P) tests/fuzz
	$(FUZZ_CC) $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	    -I$(srcdir)/lib -g -O1 -fsanitize=fuzzer,address,undefined \
	    -o $@ $(FUZZ_CONF_SRC) $(CRYPTO_CFLAGS) $(CRYPTO_LIBS)
fuzz-conf: tests/fuzz/fuzz_conf
.PHONY: fuzz-conf

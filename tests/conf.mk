# tests/conf.mk: the conf tests (TAP): signpost.conf(5) parsing and
# internal_hosts networks. test_conf also parses the shipped etc/signpost.conf.
check_PROGRAMS += tests/unit/test_conf tests/unit/test_cidr
TESTS += tests/unit/test_conf tests/unit/test_cidr
tests_unit_test_conf_LDADD = $(SIGNPOST_LIBS)
tests_unit_test_cidr_LDADD = $(SIGNPOST_LIBS)
# the grammar rules every part shares (lib/grammar.c)
check_PROGRAMS += tests/unit/test_rules
TESTS += tests/unit/test_rules
tests_unit_test_rules_LDADD = $(SIGNPOST_LIBS)

# include = PATH-OR-GLOB: order, files and lines in messages, cycles.
check_PROGRAMS += tests/unit/test_conf_include
TESTS += tests/unit/test_conf_include
tests_unit_test_conf_include_LDADD = $(SIGNPOST_LIBS)


# tests/conf.mk: the conf tests (TAP): signpost.conf(5) parsing and
# internal_hosts networks. test_conf also parses the shipped etc/signpost.conf.
# test_rules: the grammar rules every part shares (lib/grammar.c).
# test_conf_include: include = PATH-OR-GLOB (order, files and lines in
# messages, cycles).
CONF_UNIT_TESTS = tests/unit/test_conf tests/unit/test_cidr \
	tests/unit/test_rules tests/unit/test_conf_include
check_PROGRAMS += $(CONF_UNIT_TESTS)
TESTS += $(CONF_UNIT_TESTS)

# tests/release.mk: what a release promises beyond the code (TAP): the
# manual pages lint clean and document exactly the configuration names the
# parser knows; the shipped systemd unit verifies and is hardened.
check_PROGRAMS += tests/tools/conf-names
tests_tools_conf_names_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
# They judge files and other programs, not our C code: the plain build runs
# them, the sanitizer build has nothing to add.
RELEASE_SH_TESTS = tests/integration/manpages.sh \
	tests/integration/systemd-units.sh
if !SANITIZERS
TESTS += $(RELEASE_SH_TESTS)
endif
EXTRA_DIST += $(RELEASE_SH_TESTS)

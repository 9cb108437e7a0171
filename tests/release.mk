# tests/release.mk: what a release promises beyond the code (TAP): the
# manual pages lint clean and document exactly the configuration names the
# parser knows; the shipped systemd unit verifies and is hardened.
check_PROGRAMS += tests/tools/conf-names
tests_tools_conf_names_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
TESTS += tests/integration/manpages.sh
EXTRA_DIST += tests/integration/manpages.sh
TESTS += tests/integration/systemd-units.sh
EXTRA_DIST += tests/integration/systemd-units.sh

# tests/release.mk: what a release promises beyond the code (TAP): the
# manual pages lint clean and document exactly the configuration names the
# parser knows; the shipped systemd unit verifies and is hardened; the
# Debian package builds, installs and purges cleanly; every file the tree
# names is in it, and every source file says whose it is.
check_PROGRAMS += tests/tools/conf-names
tests_tools_conf_names_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
TESTS += tests/integration/manpages.sh
EXTRA_DIST += tests/integration/manpages.sh
TESTS += tests/integration/systemd-units.sh
EXTRA_DIST += tests/integration/systemd-units.sh
# The Debian package: built, linted, installed, used and purged (root only).
TESTS += tests/integration/package.sh
EXTRA_DIST += tests/integration/package.sh
# Nothing in the tree names a file that is not in it.
TESTS += tests/integration/tree-refs.sh
EXTRA_DIST += tests/integration/tree-refs.sh
# Every source file carries the copyright line.
TESTS += tests/integration/copyright.sh
EXTRA_DIST += tests/integration/copyright.sh

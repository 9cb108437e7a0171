# tests/release.mk: what a release promises beyond the code (TAP): the
# manual pages lint clean and document exactly the configuration names the
# parser knows; the shipped systemd unit verifies and is hardened; the
# Debian package builds, installs and purges cleanly; every file the tree
# names is in it, and every source file says whose it is.
check_PROGRAMS += tests/tools/conf-names
tests_tools_conf_names_SOURCES = tests/tools/conf-names.c $(TOOL_ASAN_OPTIONS)
tests_tools_conf_names_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
# They judge files and other programs, not our C code: the plain build runs
# them, the sanitizer build has nothing to add. package.sh builds, lints,
# installs, uses and purges the Debian package (root only); tree-refs.sh:
# nothing in the tree names a file that is not in it; copyright.sh: every
# source file carries the copyright line.
RELEASE_SH_TESTS = tests/integration/package.sh tests/integration/manpages.sh \
	tests/integration/systemd-units.sh \
	tests/integration/tree-refs.sh tests/integration/copyright.sh
if !SANITIZERS
TESTS += $(RELEASE_SH_TESTS)
endif
EXTRA_DIST += $(RELEASE_SH_TESTS)

# tap.sh - Test Anything Protocol helpers for signpost's shell tests.
# Source it; call ok/not_ok/check, then done_testing at the end.
# Each test works in its own temporary directory ($TAP_TMP), removed on exit
# unless SIGNPOST_KEEP_TMP is set.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

tap_count=0
tap_failed=0

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"

TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/signpost-test.XXXXXX") || exit 99
tap_cleanup_hooks=""
tap_on_exit() {
	for h in $tap_cleanup_hooks; do "$h" || true; done
	[ -n "${SIGNPOST_KEEP_TMP:-}" ] || rm -rf "$TAP_TMP"
}
trap tap_on_exit EXIT
trap 'exit 99' INT TERM HUP
# Register a function to run at exit (to stop servers the test started).
at_exit() { tap_cleanup_hooks="$1 $tap_cleanup_hooks"; }

ok() {     # ok "name"
	tap_count=$((tap_count + 1)); echo "ok $tap_count - $1"
}
not_ok() { # not_ok "name" ["diagnostic"]
	tap_count=$((tap_count + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}
check() {  # check "name" command args... : passes when the command exits 0
	name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
check_fails() { # check_fails "name" command args... : passes when it exits non-zero
	name=$1; shift
	if out=$("$@" 2>&1); then not_ok "$name" "unexpected success: $out"; else ok "$name"; fi
}
diag() { printf '# %s\n' "$*"; }
# skip_all only for what the suite cannot install (root, say); a missing
# tool is an error: see need() in tests/integration/lib.sh. The TAP driver
# reads the skip from the plan; a non-zero exit would be an error to it.
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail_out() { echo "Bail out! $*"; exit 99; }
done_testing() {
	[ "$tap_count" -gt 0 ] || bail_out "no checks ran"
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

# A free TCP port on 127.0.0.1 (tests run in parallel: never hard-code one).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

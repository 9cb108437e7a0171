# netns.sh - private namespaces for the tests that need port 53 and their
# own /etc/resolv.conf (DNS resolvers speak to nothing else). Source it
# BEFORE tests/tap.sh:
#   . "$top_srcdir/tests/integration/netns.sh"; netns_enter "$0" "$@"
# re-runs the test in private user, mount and network namespaces (unshare
# -rmn), or skips it where they are unavailable; then, after tap.sh,
#   netns_resolver 127.0.0.1
# brings the namespace's loopback up and bind-mounts a resolv.conf naming
# that server over /etc/resolv.conf. Nothing leaves the namespace; it all
# disappears with the test.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

netns_enter() {   # netns_enter SCRIPT ARGS...
	[ -n "${SIGNPOST_NETNS:-}" ] && return 0
	if ! unshare -rmn true 2>/dev/null; then
		echo "1..0 # SKIP user/network namespaces unavailable (unshare -rmn failed)"
		exit 0
	fi
	SIGNPOST_NETNS=1 exec unshare -rmn /bin/bash "$@"
}

netns_resolver() {   # netns_resolver ADDR (after tests/tap.sh)
	ip link set lo up || bail_out "cannot bring up the namespace's loopback"
	printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$1" >"$TAP_TMP/resolv.conf"
	mount --bind "$TAP_TMP/resolv.conf" /etc/resolv.conf ||
		bail_out "cannot bind-mount a private /etc/resolv.conf"
}

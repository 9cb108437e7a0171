# systemd-units.sh - every shipped unit (etc/*.service, etc/*.timer)
# passes `systemd-analyze verify` without a word, and `systemd-analyze
# security --offline=true` rates each service at exposure 2.0 or lower. Debian's opendkim.service,
# when installed, is measured the same way and printed beside it.
#
# The units name the installed programs (/usr/sbin, /usr/bin); the copy
# verified here names the ones just built instead, and the manual pages the
# units cite are found through a MANPATH of this tree's pages, so nothing
# has to be installed.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
command -v systemd-analyze >/dev/null 2>&1 ||
	skip_all "systemd-analyze not installed (Debian package systemd)"
systemd-analyze security --help 2>&1 | grep -q -- '--offline' ||
	skip_all "systemd-analyze security has no --offline (systemd 250 or later needed)"
command -v man >/dev/null 2>&1 ||
	skip_all "man not installed (Debian package man-db): Documentation= cannot be checked"

max_exposure=2.0
man=$TAP_TMP/man
mkdir -p "$man/man1" "$man/man5" "$man/man8"
cp "$top_srcdir/dnsgen/dnsgen.1" "$man/man1/"
cp "$top_srcdir/etc/signpost.conf.5" "$man/man5/"
cp "$top_srcdir/milter/signpost-milter.8" "$man/man8/"

# exposure UNIT: the overall exposure level systemd-analyze gives UNIT.
exposure() {
	systemd-analyze security --offline=true "$1" 2>&1 |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}

# A unit with a fault must be caught: verify's warnings exit 0, so any
# output at all is the failure.
printf '%s\n' '[Unit]' 'Description=broken' '[Service]' 'ExecStart=/bin/true' \
	'ProtectSystem=sometimes' > "$TAP_TMP/broken.service"
out=$(systemd-analyze verify "$TAP_TMP/broken.service" 2>&1)
if [ -n "$out" ]; then ok "verify speaks up about a broken unit"
else not_ok "verify speaks up about a broken unit"; fi

units=$(cd "$top_srcdir/etc" && ls ./*.service ./*.timer) || bail_out "no units in etc/"
for unit in $units; do
	unit=${unit#./}
	copy=$TAP_TMP/$unit
	sed -e "s|/usr/sbin/signpost-milter|$top_builddir/milter/signpost-milter|g" \
	    -e "s|/usr/bin/dnsgen|$top_builddir/dnsgen/dnsgen|g" \
	    "$top_srcdir/etc/$unit" > "$copy"
	# A timer is verified beside the service it starts.
	case $unit in
	*.timer) cp "$TAP_TMP/${unit%.timer}.service" "$TAP_TMP/" 2>/dev/null ;;
	esac
	out=$(cd "$TAP_TMP" && MANPATH=$man systemd-analyze verify "$copy" 2>&1)
	rc=$?
	[ "${unit%.timer}" = "$unit" ] || {
		if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify: $unit"
		else not_ok "systemd-analyze verify: $unit" "exit $rc: $out"; fi
		continue
	}
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify: $unit"
	else not_ok "systemd-analyze verify: $unit" "exit $rc: $out"; fi

	level=$(exposure "$top_srcdir/etc/$unit")
	diag "$unit: exposure $level"
	if [ -n "$level" ] && awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l <= m) }'
	then ok "$unit: exposure $level <= $max_exposure"
	else not_ok "$unit: exposure ${level:-unknown} <= $max_exposure" \
		"$(systemd-analyze security --offline=true "$top_srcdir/etc/$unit" 2>&1 | grep '✗')"
	fi
done

opendkim=/lib/systemd/system/opendkim.service
if [ -f "$opendkim" ]; then
	diag "for comparison, $opendkim: exposure $(exposure "$opendkim")"
fi
done_testing

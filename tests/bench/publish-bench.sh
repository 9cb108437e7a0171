#!/usr/bin/env bash
# tests/bench/publish-bench.sh - `dnsgen publish` of DOMAINS domains' DKIM
# records (one RSA-2048 and one Ed25519 key each, tree made by
# scale-tree.py) into a private Knot primary on a loopback port that
# serves each domain as its own zone and takes TSIG-signed updates.
# Each round starts from empty zones and measures, as medians of ROUNDS:
#   - the first run: wall time, dnsgen's CPU time, and the UPDATE messages the primary's own
#     log counts ("DDNS, processing N updates") beside dnsgen's summary
#     (target: one per domain);
#   - the second run, nothing to change: the same
#     (target: 0).
# Not part of `make check`. Needs knotd, keymgr, openssl and python3.
#
# usage: tests/bench/publish-bench.sh [-b BUILDDIR] [-n DOMAINS] [-r ROUNDS]
#                                     [-d DIR]
#   -b  a build tree with dnsgen/dnsgen (default _b)
#   -n  domains (default 1000)       -r  rounds (default 3)
#   -d  where the tree lives (default ${TMPDIR:-/tmp}/signpost-publish-DOMAINS)
# Exit: 0 every target met, 1 a target missed, 2 could not run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/_b
domains=1000
rounds=3
dir=
while [ $# -gt 0 ]; do
	case $1 in
	-b) build=$2; shift 2 ;;
	-n) domains=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "publish-bench: unknown argument $1 (-h for help)" >&2; exit 2 ;;
	esac
done
dir=${dir:-${TMPDIR:-/tmp}/signpost-publish-$domains}
die() { echo "publish-bench: $*" >&2; exit 2; }
dnsgen=$build/dnsgen/dnsgen
[ -x "$dnsgen" ] || die "no $dnsgen: build first (or -b BUILDDIR)"
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
[ -x "$KNOTD" ] || die "knotd is not installed"
command -v keymgr >/dev/null || die "keymgr (knot) is not installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian package time)"

/usr/bin/python3 "$top/tests/bench/scale-tree.py" "$dir" "$domains" >/dev/null ||
	die "scale-tree.py failed"
knot=$dir/knot
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
keymgr -t signpost-update hmac-sha256 >"$dir/update.key" || die "keymgr -t failed"
chmod 0600 "$dir/update.key"
secret=$(awk '$1 == "secret:" {print $2}' "$dir/update.key")

# The configuration: scale-tree's, with the update server in [dns].
conf=$dir/publish.conf
sed "s#^\[dns\]\$#[dns]\nupdate_server = 127.0.0.1\#$port\nupdate_key = $dir/update.key#" \
	"$dir/signpost.conf" >"$conf"
grep -q '^update_server' "$conf" || die "no [dns] section in $dir/signpost.conf"

knot_conf() {
	echo "server:"
	echo "    rundir: \"$knot/run\""
	echo "    listen: 127.0.0.1@$port"
	echo "log:"
	echo "  - target: stderr"
	echo "    any: info"
	echo "database:"
	echo "    storage: \"$knot/db\""
	echo "key:"
	echo "  - id: signpost-update"
	echo "    algorithm: hmac-sha256"
	echo "    secret: $secret"
	echo "acl:"
	echo "  - id: update"
	echo "    key: signpost-update"
	echo "    action: update"
	echo "template:"
	echo "  - id: default"
	echo "    storage: \"$knot/zones\""
	echo "    zonefile-sync: -1"
	echo "    acl: update"
	echo "zone:"
	for f in "$dir"/domains.d/*.conf; do
		d=${f##*/}
		echo "  - domain: ${d%.conf}"
	done
}

knot_pid=
stop_knot() {
	if [ -n "$knot_pid" ]; then
		kill "$knot_pid" 2>/dev/null
		wait "$knot_pid" 2>/dev/null
		knot_pid=
	fi
}
trap stop_knot EXIT

# Fresh empty zones and a fresh journal, then wait for the last zone.
start_knot() {
	local last i
	rm -rf "$knot"
	mkdir -p "$knot/run" "$knot/db" "$knot/zones"
	for f in "$dir"/domains.d/*.conf; do
		d=${f##*/}; d=${d%.conf}
		printf '$ORIGIN %s.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 300\n@ NS ns1.example.net.\n' \
			"$d" >"$knot/zones/$d.zone"
		last=$d
	done
	knot_conf >"$knot/knot.conf"
	"$KNOTD" -c "$knot/knot.conf" >"$knot/knotd.log" 2>&1 &
	knot_pid=$!
	for i in $(seq 1 300); do
		dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$port" "$last" SOA \
			2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	die "knotd did not serve $last"
}

knot_updates() {
	awk '/DDNS, processing [0-9]+ update/ {
		for (i = 1; i <= NF; i++) if ($i == "processing") n += $(i + 1)
	} END { print n + 0 }' "$knot/knotd.log"
}

# run LABEL : one publish; prints "SECONDS UPDATES-IN-LOG DNSGEN-SUMMARY".
run() {
	local before after start end
	before=$(knot_updates)
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$dir/publish.cpu" \
		"$dnsgen" -c "$conf" publish >"$dir/publish.out" 2>"$dir/publish.err" ||
		die "dnsgen publish failed: $(tail -3 "$dir/publish.err")"
	end=$(date +%s%N)
	sleep 1         # let knotd write its last log lines
	after=$(knot_updates)
	printf '%s %s %s %s\n' "$(awk -v n=$((end - start)) 'BEGIN {printf "%.2f", n / 1e9}')" \
		"$((after - before))" "$(awk '{printf "%.2f", $1 + $2}' "$dir/publish.cpu")" \
		"$(tail -1 "$dir/publish.out" | tr ' ' '_')"
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

first_t=() first_u=() first_c=() second_t=() second_u=() second_c=()
for r in $(seq 1 "$rounds"); do
	start_knot
	read -r t u c s < <(run)
	echo "round $r, first run:  ${t} s (dnsgen CPU ${c} s), $u UPDATE messages in knotd's log; dnsgen: ${s//_/ }"
	first_t+=("$t"); first_u+=("$u"); first_c+=("$c")
	read -r t u c s < <(run)
	echo "round $r, second run: ${t} s (dnsgen CPU ${c} s), $u UPDATE messages in knotd's log; dnsgen: ${s//_/ }"
	second_t+=("$t"); second_u+=("$u"); second_c+=("$c")
	stop_knot
done

ft=$(printf '%s\n' "${first_t[@]}" | median)
fu=$(printf '%s\n' "${first_u[@]}" | median)
st=$(printf '%s\n' "${second_t[@]}" | median)
fc=$(printf '%s\n' "${first_c[@]}" | median)
sc=$(printf '%s\n' "${second_c[@]}" | median)
su=$(printf '%s\n' "${second_u[@]}" | median)
echo
echo "| run ($domains domains, medians of $rounds) | wall time | dnsgen CPU | UPDATE messages | target |"
echo "| --- | ---: | ---: | ---: | --- |"
echo "| first: every record new | $ft s | $fc s | $fu | $domains (one per domain) |"
echo "| second: nothing to change | $st s | $sc s | $su | 0 |"
[ "$fu" -eq "$domains" ] && [ "$su" -eq 0 ]

#!/usr/bin/env bash
# tests/bench/rotate-bench.sh - `dnsgen rotate` over DOMAINS rotating
# domains with nothing due: what the hourly timer costs when nothing
# happens. Each domain has a state file with an active RSA and Ed25519
# key made the same day (the key files are hard links to one pair: a run
# with nothing due never reads them). Reports the median wall time of
# ROUNDS runs, and checks each run printed nothing and changed no state.
# Not part of `make check`.
#
# usage: tests/bench/rotate-bench.sh [-b BUILDDIR] [-n DOMAINS] [-r ROUNDS]
#   -b  a build tree holding dnsgen/dnsgen (default _b)
#   -n  domains (default 1000)       -r  rounds (default 5)
# Exit: 0 measured, 1 a run printed or changed something, 2 could not run.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/_b domains=1000 rounds=5
while getopts b:n:r: opt; do
	case $opt in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) domains=$OPTARG ;;
	r) rounds=$OPTARG ;;
	*) exit 2 ;;
	esac
done
dnsgen=$build/dnsgen/dnsgen
[ -x "$dnsgen" ] || { echo "no $dnsgen: build first" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/rotate-bench.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
conf=$dir/signpost.conf keys=$dir/keys
mkdir -p "$keys/pool"
printf '[signing]\nkeys_dir = %s\nrotate = 90d\n[dns]\ncheck_servers = 127.0.0.1#9\n' \
	"$keys" >"$conf"
printf '[domain pool.example]\n' >>"$conf"
"$dnsgen" -c "$conf" keygen -d pool.example -s r -a rsa >/dev/null &&
	"$dnsgen" -c "$conf" keygen -d pool.example -s e -a ed25519 >/dev/null ||
	exit 2
sed -i '$d' "$conf"
now=2026-12-01T00:00:00Z
for i in $(seq 1 "$domains"); do
	d=d$i.example
	printf '[domain %s]\n' "$d" >>"$conf"
	mkdir -p "$keys/$d"
	ln "$keys/pool.example/r.pem" "$keys/$d/20261201r.pem"
	ln "$keys/pool.example/e.pem" "$keys/$d/20261201e.pem"
	printf 'signpost-keystate 1\nkey 20261201r rsa active %s %s\nkey 20261201e ed25519 active %s %s\nend\n' \
		"$now" "$now" "$now" "$now" >"$keys/$d/keystate"
done
sums() { find "$keys" -name keystate -exec md5sum {} + | sort | md5sum; }
before=$(sums)
times=()
for r in $(seq 1 "$rounds"); do
	start=$(date +%s%N)
	out=$(SIGNPOST_NOW=2026-12-15T00:00:00Z "$dnsgen" -c "$conf" rotate 2>&1)
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	times+=("$ms")
	if [ "$rc" -ne 0 ] || [ -n "$out" ] || [ "$(sums)" != "$before" ]; then
		echo "run $r: exit $rc, output: $out" >&2
		exit 1
	fi
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "dnsgen rotate, $domains rotating domains, nothing due: median ${median} ms of $rounds runs (${times[*]} ms)"

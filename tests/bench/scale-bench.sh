#!/usr/bin/env bash
# tests/bench/scale-bench.sh - signpost at hosting-provider scale: 100,000
# [domain] sections, one file each through include, with one RSA-2048 and
# one Ed25519 key each (tests/bench/scale-tree.py makes the tree: keys are
# copied from a pool of 50 + 50 made once, see there). Measures, as medians
# of ROUNDS runs:
#   - signpost-milter -t (target < 15 s);
#   - milter start: from exec to the worker's "started" line (target < 10 s),
#     and the worker's RSS after it (target < 256 MiB);
#   - SIGHUP reload: from the signal to the "reloaded" line (target < 10 s),
#     while tests/tools/milter-client --load sends mail for one of the
#     domains, three times: under steady mail (--rate) at a quarter of the
#     messages per second the same connections get through back to back
#     (or -R), under steady mail at twice that rate, and under the
#     back-to-back load, which keeps both CPUs full. For each, the longest
#     a message waited in the 2-second load runs that overlap the reload
#     (target < 100 ms under the quarter-rate mail; each message timed
#     from its planned start, so a stall counts in the messages queued
#     behind it too) beside the same load without a reload; the worker's
#     RSS after the reload and its peak (two snapshots live in a reload);
#   - dnsgen -f zone for every domain (target < 10 s) and its peak RSS;
#   - the per-message domain lookup with 10 and with DOMAINS domains
#     (tests/bench/lookup-bench).
# Not part of `make check`. Needs openssl and python3; not root.
#
# usage: tests/bench/scale-bench.sh [-b BUILDDIR] [-n DOMAINS] [-d DIR]
#                                   [-r ROUNDS] [-c CONNECTIONS] [-R RATE]
#   -b  an optimised build tree (default _build-bench, built when missing)
#   -n  domains (default 100000)     -r  rounds (default 3)
#   -d  where the tree lives (default ${TMPDIR:-/tmp}/signpost-scale-DOMAINS;
#       kept between runs: making it takes minutes)
#   -c  connections of the load client during reloads (default 4)
#   -R  messages per second of the steady mail the target is judged under
#       (default: a quarter of what the connections get through back to
#       back, measured each round); the second steady run sends twice that
# Exit: 0 every target met, 1 a target missed, 2 could not run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/_build-bench
domains=100000
rounds=3
conns=4
steady=
dir=
while [ $# -gt 0 ]; do
	case $1 in
	-b) build=$2; shift 2 ;;
	-n) domains=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-c) conns=$2; shift 2 ;;
	-R) steady=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "scale-bench: unknown argument $1 (-h for help)" >&2; exit 2 ;;
	esac
done
dir=${dir:-${TMPDIR:-/tmp}/signpost-scale-$domains}
die() { echo "scale-bench: $*" >&2; exit 2; }
say() { printf '\n== %s\n' "$*"; }
command -v openssl >/dev/null || die "openssl is not installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian package time)"

# --- build -------------------------------------------------------------------

progs="milter/signpost-milter dnsgen/dnsgen tests/tools/milter-client tests/bench/lookup-bench"
need_build=0
for p in $progs; do [ -x "$build/$p" ] || need_build=1; done
if [ $need_build = 1 ]; then
	say "Building an optimised signpost in $build"
	(cd "$top" && { [ -x configure ] || autoreconf -fi; }) >/dev/null 2>&1 || die "autoreconf failed"
	mkdir -p "$build" || die "cannot create $build"
	(cd "$build" && { [ -f Makefile ] || "$top/configure" >/dev/null; } &&
		make -j2 $progs >/dev/null) || die "the build failed in $build"
fi
grep -q '^SANITIZER_CFLAGS = -fsanitize' "$build/Makefile" 2>/dev/null &&
	die "$build is a sanitizer build: benchmark an optimised one (-b DIR)"
MILTER=$build/milter/signpost-milter
DNSGEN=$build/dnsgen/dnsgen
CLIENT=$build/tests/tools/milter-client
LOOKUP=$build/tests/bench/lookup-bench

# --- the tree ----------------------------------------------------------------

if [ ! -e "$dir/.tree-$domains" ]; then
	say "Making $domains domains in $dir (once; kept for the next run)"
	t0=$(date +%s)
	/usr/bin/python3 "$top/tests/bench/scale-tree.py" "$dir" "$domains" ||
		die "making the tree failed"
	echo "made in $(( $(date +%s) - t0 )) s"
fi
CONF=$dir/signpost.conf
S=$(mktemp -d "${TMPDIR:-/tmp}/signpost-scale-run.XXXXXX") || die "mktemp failed"
pids=
stop_pid() {   # TERM, wait, then KILL: only processes this script started
	local p=$1
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}
cleanup() { for p in $pids; do stop_pid "$p"; done; rm -rf "$S"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

mid=$(printf 'c%07d.example' $((domains / 2)))
{
	printf 'From: Customer <user@%s>\r\nTo: <rcpt@example.net>\r\n' "$mid"
	printf 'Subject: scale\r\nDate: Mon, 30 Nov 2026 02:00:00 +0000\r\n'
	printf 'Message-ID: <scale@%s>\r\n\r\n' "$mid"
	for i in $(seq 60); do printf 'Line %02d of a four kilobyte message body, nothing more to say.\r\n' "$i"; done
} > "$S/msg.eml"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
HZ=$(getconf CLK_TCK)
cpu_s() {   # cpu_s PID: user + system seconds of PID (all its threads)
	cut -d')' -f2 "/proc/$1/stat" | awk -v hz="$HZ" '{ printf "%.2f", ($12 + $13) / hz }'
}
kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
wait_line() {   # wait_line FILE PATTERN COUNT: until COUNT lines match (5 min)
	for _ in $(seq 6000); do
		[ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
record() { echo "$2" >> "$S/$1"; }

# --- the measurements --------------------------------------------------------

check_once() {
	local t0
	t0=$(now)
	/usr/bin/time -o "$S/check.time" -f '%U %S %M' "$MILTER" -c "$CONF" -t \
		> "$S/check.out" 2> "$S/check.err" ||
		{ cat "$S/check.err" >&2; die "signpost-milter -t failed"; }
	record check "$(since "$t0")"
	record check_rss "$(mib "$(tail -n 1 "$S/check.time" | cut -d' ' -f3)")"
	record check_cpu "$(tail -n 1 "$S/check.time" | awk '{ print $1 + $2 }')"
}

dnsgen_once() {
	/usr/bin/time -o "$S/dnsgen.time" -f '%U %S %M' "$DNSGEN" -c "$CONF" -f zone \
		> "$S/zone" 2> "$S/dnsgen.err" ||
		{ cat "$S/dnsgen.err" >&2; die "dnsgen -f zone failed"; }
	record dnsgen_rss "$(mib "$(tail -n 1 "$S/dnsgen.time" | cut -d' ' -f3)")"
	record dnsgen_cpu "$(tail -n 1 "$S/dnsgen.time" | awk '{ print $1 + $2 }')"
}

# reload_under NAME PID WORKER LOAD-ARGS...: the milter client's load in
# 2-second runs (LOAD-ARGS beside -c), a SIGHUP to the milter's PID once
# 3 s have passed, on until the reload is over (plus one run). Records NAME (signal to "reloaded"),
# NAME_cpu (worker CPU meanwhile), NAME_max and NAME_p99 (the longest
# message wait and the worst p99 of the runs that overlap the reload) and
# NAME_base (the longest wait of the runs before the signal: the same
# load without a reload).
reload_under() {
	local name=$1 pid=$2 worker=$3 load before cpu0 runs_before t0
	shift 3
	rm -f "$S/stop" "$S/load.out"
	( while [ ! -e "$S/stop" ]; do
		"$CLIENT" -s "unix:$dir/milter.sock" --load -c "$conns" "$@" -T 2 "$S/msg.eml" ||
			echo "FAILED"
	  done > "$S/load.out" ) &
	load=$!
	sleep 3
	before=$(grep -c 'reloaded' "$S/milter.log")
	cpu0=$(cpu_s "$worker")
	runs_before=$(wc -l < "$S/load.out")
	t0=$(now)
	kill -HUP "$pid"
	wait_line "$S/milter.log" 'reloaded' $((before + 1)) ||
		{ cat "$S/milter.log" >&2; die "the reload did not finish"; }
	record "$name" "$(since "$t0")"
	record "${name}_cpu" "$(awk -v a="$cpu0" -v b="$(cpu_s "$worker")" 'BEGIN { printf "%.2f", b - a }')"
	touch "$S/stop"
	wait "$load"
	grep -q FAILED "$S/load.out" && die "the load client failed during the reload: $(cat "$S/load.out")"
	head -n "$runs_before" "$S/load.out" > "$S/before.out"
	tail -n +$((runs_before + 1)) "$S/load.out" > "$S/during.out"
	record "${name}_base" "$(field max_ms < "$S/before.out" | sort -g | tail -n 1)"
	record "${name}_max" "$(field max_ms < "$S/during.out" | sort -g | tail -n 1)"
	record "${name}_p99" "$(field p99_ms < "$S/during.out" | sort -g | tail -n 1)"
	[ "$(field errors < "$S/load.out" | sort -u)" = 0 ] &&
	[ "$(field tempfail < "$S/load.out" | sort -u)" = 0 ] ||
		die "messages failed during the reload: $(cat "$S/load.out")"
}

# One start, a load run back to back, then a reload under steady mail,
# one under twice that mail and one under the back-to-back load.
milter_once() {
	local t0 base rate pid worker
	rm -f "$dir/milter.sock"
	t0=$(now)
	"$MILTER" -f -c "$CONF" > "$S/milter.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_line "$S/milter.log" 'started (worker pid' 1 ||
		{ cat "$S/milter.log" >&2; die "the milter did not start"; }
	record start "$(since "$t0")"
	worker=$(sed -n 's/.*started (worker pid \([0-9]*\)).*/\1/p' "$S/milter.log" | head -n 1)
	record rss "$(mib "$(kib "$worker" VmRSS)")"
	record start_cpu "$(cpu_s "$worker")"

	base=$("$CLIENT" -s "unix:$dir/milter.sock" --load -c "$conns" -T 5 "$S/msg.eml") ||
		die "the load client failed: $base"
	[ "$(echo "$base" | field signed)" = "$(echo "$base" | field messages)" ] ||
		die "not every message was signed: $base"
	record throughput "$(echo "$base" | field msgs_per_s)"
	rate=${steady:-$(echo "$base" | field msgs_per_s | awk '{ printf "%.0f", $1 / 4 }')}
	record rate "$rate"

	reload_under reload "$pid" "$worker" --rate "$rate"
	sleep 5         # the old set freed and given back
	record rss_after "$(mib "$(kib "$worker" VmRSS)")"
	reload_under double "$pid" "$worker" --rate $((rate * 2))
	reload_under full "$pid" "$worker"
	record rss_peak "$(mib "$(kib "$worker" VmHWM)")"
	stop_pid "$pid"
}

say "Measuring ($rounds rounds, $domains domains, load $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$rounds"); do
	check_once
	t0=$(now); dnsgen_once; record dnsgen "$(since "$t0")"
	milter_once
	echo "round $r: -t $(tail -n 1 "$S/check") s, dnsgen $(tail -n 1 "$S/dnsgen") s," \
		"start $(tail -n 1 "$S/start") s, reload $(tail -n 1 "$S/reload") s," \
		"max delay $(tail -n 1 "$S/reload_max") ms at $(tail -n 1 "$S/rate")/s," \
		"$(tail -n 1 "$S/double_max") ms at twice that," \
		"reload back to back $(tail -n 1 "$S/full") s, max delay $(tail -n 1 "$S/full_max") ms"
done
grep -c '^\$ORIGIN\|DKIM1' "$S/zone" > /dev/null || die "dnsgen wrote no DKIM records"
dkim=$(grep -c 'v=DKIM1' "$S/zone")
[ "$dkim" -ge $((domains * 2)) ] || die "dnsgen wrote $dkim DKIM records, expected $((domains * 2))"
"$LOOKUP" -n 10 -n "$domains" > "$S/lookup" || die "lookup-bench failed"

# --- report ------------------------------------------------------------------

m() { median < "$S/$1"; }
fail=0
row() {   # row WHAT VALUE UNIT TARGET (TARGET empty: none)
	local verdict=
	if [ -n "$4" ]; then
		if awk -v v="$2" -v t="$4" 'BEGIN { exit !(v < t) }'; then verdict=ok; else verdict=MISSED; fail=1; fi
	fi
	printf '| %-46s | %10s %-3s | %-8s | %-6s |\n' "$1" "$2" "$3" "${4:+< $4}" "$verdict"
}
say "Results: medians of $rounds rounds, $domains domains, $((domains * 2)) keys"
printf '| %-46s | %14s | %-8s | %-6s |\n' measurement value target ""
printf '| %-46s | %14s | %-8s | %-6s |\n' --- --- --- ---
row "signpost-milter -t" "$(m check)" s 15
row "signpost-milter -t, CPU (user + system)" "$(m check_cpu)" s ""
row "signpost-milter -t peak RSS" "$(m check_rss)" MiB ""
row "milter start" "$(m start)" s 10
row "milter start, worker CPU" "$(m start_cpu)" s ""
row "worker RSS after start" "$(m rss)" MiB 256
row "back-to-back load: messages per second" "$(m throughput)" /s ""
row "steady mail for the reload (-R, or a quarter)" "$(m rate)" /s ""
row "SIGHUP reload under steady mail" "$(m reload)" s 10
row "SIGHUP reload, worker CPU (signing included)" "$(m reload_cpu)" s ""
row "longest message wait during the reload" "$(m reload_max)" ms 100
row "worst 2-s p99 message wait during the reload" "$(m reload_p99)" ms ""
row "longest message wait, steady mail, no reload" "$(m reload_base)" ms ""
row "SIGHUP reload under twice that mail" "$(m double)" s 10
row "longest message wait then" "$(m double_max)" ms ""
row "longest message wait, twice the mail, no reload" "$(m double_base)" ms ""
row "SIGHUP reload under the back-to-back load" "$(m full)" s 10
row "longest message wait then (both CPUs full)" "$(m full_max)" ms ""
row "longest message wait, back to back, no reload" "$(m full_base)" ms ""
row "worker RSS after the reload" "$(m rss_after)" MiB 256
row "worker peak RSS (two snapshots in the reload)" "$(m rss_peak)" MiB ""
row "dnsgen -f zone" "$(m dnsgen)" s 10
row "dnsgen -f zone, CPU (user + system)" "$(m dnsgen_cpu)" s ""
row "dnsgen peak RSS" "$(m dnsgen_rss)" MiB ""
while read -r line; do
	n=$(echo " $line" | field domains)
	row "lookup, $n domains: exact / subdomain / miss" \
		"$(echo " $line" | field exact_ns)/$(echo " $line" | field sub_ns)/$(echo " $line" | field miss_ns)" ns ""
done < "$S/lookup"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
exit $fail

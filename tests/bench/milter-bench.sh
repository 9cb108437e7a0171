#!/usr/bin/env bash
# tests/bench/milter-bench.sh - signpost-milter against Debian's OpenDKIM,
# same keys, same client (tests/tools/milter-client, which speaks the milter
# protocol as Postfix does), same run, interleaved (signpost, opendkim,
# signpost, ...) so that a noisy machine hurts both alike. Reports medians
# and ratios, beside `openssl speed` measured in the same run:
#   - msgs/s and p99 latency at 1, 8 and 64 connections, 4 KiB message,
#     RSA-2048 and Ed25519 (targets at 8 connections: >= 2x OpenDKIM with
#     RSA-2048, >= 3x with Ed25519);
#   - 20 MiB body throughput (target >= 5x OpenDKIM);
#   - peak RSS of signpost-milter signing a 50 MiB message (target < 32 MiB);
#   - 1,000 connections held open at once (target: no tempfail, no error);
#   - the same 8-connection run over loopback TCP instead of unix sockets;
#   - a profile of where signpost-milter's time goes (perf when the machine
#     has hardware counters, else valgrind --tool=callgrind).
# Not part of `make check`. Needs root only for nothing; needs opendkim,
# openssl, jq, and valgrind or perf for the profile.
#
# usage: tests/bench/milter-bench.sh [-b BUILDDIR] [-r ROUNDS] [-t SECONDS]
#                                    [--quick] [--no-profile]
#   -b  an optimised build tree (default _build-bench, built when missing)
#   -r  rounds per comparison (default 5)    -t  seconds per load run (default 3)
#   --quick  2 rounds of 1 s, smaller big messages: a smoke test of the script
# Exit: 0 every target met, 1 a target missed, 2 could not run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/_build-bench
rounds=5
secs=3
big_mib=20
rss_mib=50
profile=1
while [ $# -gt 0 ]; do
	case $1 in
	-b) build=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-t) secs=$2; shift 2 ;;
	--quick) rounds=2; secs=1; big_mib=4; rss_mib=8; shift ;;
	--no-profile) profile=0; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "milter-bench: unknown argument $1 (-h for help)" >&2; exit 2 ;;
	esac
done
die() { echo "milter-bench: $*" >&2; exit 2; }
say() { printf '\n== %s\n' "$*"; }

for t in opendkim openssl jq; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || die "$t is not installed (scripts/install-deps)"
done
OPENDKIM=$(command -v opendkim || echo /usr/sbin/opendkim)

# --- build -------------------------------------------------------------------

if [ ! -x "$build/milter/signpost-milter" ] || [ ! -x "$build/tests/tools/milter-client" ]; then
	say "Building an optimised signpost in $build"
	(cd "$top" && { [ -x configure ] || autoreconf -fi; }) >/dev/null 2>&1 || die "autoreconf failed"
	mkdir -p "$build" || die "cannot create $build"
	(cd "$build" && { [ -f Makefile ] || "$top/configure" >/dev/null; } &&
		make -j"$(nproc)" all tests/tools/milter-client >/dev/null) || die "the build failed in $build"
fi
grep -q '^SANITIZER_CFLAGS = -fsanitize' "$build/Makefile" 2>/dev/null &&
	die "$build is a sanitizer build: benchmark an optimised one (-b DIR)"
MILTER=$build/milter/signpost-milter
CLIENT=$build/tests/tools/milter-client
DNSGEN=$build/dnsgen/dnsgen

# --- state, keys, messages ---------------------------------------------------

S=$(mktemp -d "${TMPDIR:-/tmp}/signpost-bench.XXXXXX") || die "mktemp failed"
chmod 0711 "$S"
pids=""
stop_pid() {   # TERM, wait, then KILL: only processes this script started
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
	for p in $pids; do stop_pid "$p"; done
	[ -n "${SIGNPOST_BENCH_KEEP:-}" ] && echo "milter-bench: state kept in $S" || rm -rf "$S"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # the same limit for both daemons

mkdir -p "$S/keys/example.com"
cat > "$S/base.conf" <<EOF
[milter]
socket = unix:$S/unused.sock
pidfile = $S/unused.pid
[signing]
keys_dir = $S/keys
[dns]
mail_host = mail.example.com
ipv4 = 192.0.2.25
[domain example.com]
selector = rsa, ed
EOF
"$DNSGEN" -c "$S/base.conf" keygen -d example.com -s rsa -a rsa -b 2048 >/dev/null &&
"$DNSGEN" -c "$S/base.conf" keygen -d example.com -s ed -a ed25519 >/dev/null ||
	die "dnsgen keygen failed"
"$DNSGEN" -c "$S/base.conf" -f json |
	jq -r '.[] | select(.type == "TXT" and (.name | test("_domainkey"))) | "\(.name | rtrimstr(".")) \(.value)"' \
	> "$S/records.txt" || die "dnsgen -f json failed"

# message FILE BODYBYTES: a plain message with a body of about that size.
message() {
	{
		printf 'From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.net>\r\n'
		printf 'Cc: carol@example.net\r\nSubject: benchmark message\r\n'
		printf 'Date: Tue, 25 Nov 2025 10:00:00 +0000\r\nMessage-ID: <bench@example.com>\r\n'
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
		/usr/bin/python3 -c '
import sys
line = b"The quick brown fox jumps over the lazy dog; pack my box with five dozen.\r\n"
n = int(sys.argv[1]) // len(line) + 1
sys.stdout.buffer.write(line * n)' "$2"
	} > "$1"
}
message "$S/4k.eml" 3700
message "$S/big.eml" $((big_mib * 1024 * 1024))
message "$S/rss.eml" $((rss_mib * 1024 * 1024))
echo "4 KiB message: $(wc -c < "$S/4k.eml") bytes; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the two milters ---------------------------------------------------------

# signpost_conf NAME SELECTORS [SOCKET]
signpost_conf() {
	cat > "$S/$1.conf" <<EOF
[milter]
socket = ${3:-unix:$S/$1.sock}
socket_mode = 0600
pidfile = $S/$1.pid
internal_hosts = 127.0.0.1/32
log_level = info
[signing]
keys_dir = $S/keys
canonicalization = relaxed/relaxed
[domain example.com]
selector = $2
EOF
}

# opendkim_conf NAME SELECTOR [SOCKET]: the same key, policy and canonicalization.
opendkim_conf() {
	local alg=rsa-sha256
	[ "$2" = ed ] && alg=ed25519-sha256
	cat > "$S/$1.conf" <<EOF
Syslog yes
Background no
Mode s
Domain example.com
Selector $2
KeyFile $S/keys/example.com/$2.pem
SignatureAlgorithm $alg
Canonicalization relaxed/relaxed
InternalHosts 127.0.0.1
Socket ${3:-local:$S/$1.sock}
PidFile $S/$1.pid
RequireSafeKeys false
EOF
}

wait_socket() {   # wait_socket SPEC: unix path exists, or TCP port answers
	local port
	for _ in $(seq 300); do
		case $1 in
		unix:*|local:*) [ -S "${1#*:}" ] && return 0 ;;
		inet:*) port=${1#inet:}; port=${port%@*}
			/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
				"$port" 2>/dev/null && return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

# start NAME: run milter NAME (its .conf decides which program), set PID_NAME.
start() {
	local name=$1 spec
	rm -f "$S/$name.sock"   # a stale socket would look like a started milter
	if grep -q '^\[milter\]' "$S/$name.conf"; then
		spec=$(sed -n 's/^socket = //p' "$S/$name.conf")
		${MILTER_PREFIX:-} "$MILTER" -f -c "$S/$name.conf" >"$S/$name.log" 2>&1 &
	else
		spec=$(sed -n 's/^Socket //p' "$S/$name.conf")
		"$OPENDKIM" -f -x "$S/$name.conf" >"$S/$name.log" 2>&1 &
	fi
	eval "PID_$name=$!"
	pids="$pids $!"
	eval "SOCK_$name=\$spec"
	wait_socket "$spec" || { cat "$S/$name.log" >&2; die "$name did not start"; }
}

stop() { local p; eval "p=\$PID_$1"; stop_pid "$p"; }

# Each milter's signatures must verify before its speed means anything.
sanity() {   # sanity NAME
	local spec
	eval "spec=\$SOCK_$1"
	"$CLIENT" -s "$spec" -o "$S/$1.signed" "$S/4k.eml" >/dev/null &&
	"$top/tests/verify/verify-dkim" --records "$S/records.txt" "$S/$1.signed" >"$S/$1.verify" 2>&1 ||
		{ cat "$S/$1.verify" >&2; die "$1's signature does not verify"; }
}

# --- measuring ---------------------------------------------------------------

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }   # field NAME < load line
HZ=$(getconf CLK_TCK)
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# cpu_ticks PID: CPU time (user + system, clock ticks) of PID and its children
cpu_ticks() {
	local t=0 p f
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}

# load NAME LABEL CONNS MSGFILE [client args...]: one run, kept under LABEL,
# with the milter's CPU time per message added (cpu_ms=): unlike msgs/s it
# does not depend on how much of the machine others leave us.
load() {
	local name=$1 label=$2 conns=$3 msg=$4 spec line pid before after n
	shift 4
	eval "spec=\$SOCK_$name"
	eval "pid=\$PID_$name"
	before=$(cpu_ticks "$pid")
	line=$("$CLIENT" -s "$spec" --load -c "$conns" "$@" "$msg" 2>>"$S/client.err")
	after=$(cpu_ticks "$pid")
	n=$(echo "$line" | field messages)
	line="$line cpu_ms=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="${n:-0}" \
		'BEGIN { if (n > 0) printf "%.3f", t * 1000 / hz / n; else print "nan" }')"
	echo "$name $label $line" >> "$S/results"
	if [ "$(echo "$line" | field errors)" != 0 ] || [ "$(echo "$line" | field tempfail)" != 0 ]; then
		echo "milter-bench: $name, $label: $line" >&2
	fi
	echo "$line"
}

results() {   # results NAME CONNS FIELD: median over the rounds
	awk -v n="$1" -v c="$2" '$1 == n && $2 == c' "$S/results" | field "$3" | median
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
verdict_failed=0
target() {    # target LABEL VALUE OP LIMIT
	if awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { exit !((op == ">=" && v >= l) || (op == "<" && v < l) || (op == "==" && v == l)) }'; then
		printf '  %-58s %s (target %s %s): met\n' "$1" "$2" "$3" "$4"
	else
		printf '  %-58s %s (target %s %s): MISSED\n' "$1" "$2" "$3" "$4"
		verdict_failed=1
	fi
}

openssl_rate() {   # openssl_rate ALG [-multi N]: sign/s
	openssl speed -seconds "$secs" "${@:2}" "$1" 2>/dev/null |
		awk '/^rsa 2048 bits|Ed25519\)/ { print $(NF-1) }' | tail -n 1
}
sha256_rate() {    # MB/s of raw SHA-256 over 16 KiB blocks
	openssl speed -seconds "$secs" -bytes 16384 -evp sha256 2>/dev/null |
		awk '/^sha256/ { v = $NF; sub(/k$/, "", v); printf "%.0f", v / 1000 }'
}

# --- 1. msgs/s and latency, 4 KiB ----------------------------------------------

: > "$S/results"
declare -A ossl
for alg in rsa ed; do
	label=RSA-2048; ossl_name=rsa2048
	[ $alg = ed ] && { label=Ed25519; ossl_name=ed25519; }
	say "$label: 4 KiB message, unix sockets, $rounds rounds of $secs s, interleaved"
	signpost_conf sp_$alg $alg
	opendkim_conf od_$alg $alg
	start sp_$alg
	start od_$alg
	sanity sp_$alg
	sanity od_$alg
	for conns in 1 8 64; do
		for r in $(seq "$rounds"); do
			echo "  round $r, $conns connections: signpost $(load sp_$alg $conns $conns "$S/4k.eml" -T "$secs" | field msgs_per_s) msgs/s," \
				"opendkim $(load od_$alg $conns $conns "$S/4k.eml" -T "$secs" | field msgs_per_s) msgs/s"
		done
	done
	stop sp_$alg
	stop od_$alg
	ossl[$alg.1]=$(openssl_rate $ossl_name)
	ossl[$alg.2]=$(openssl_rate $ossl_name -multi 2)
done

# --- 2. 20 MiB body --------------------------------------------------------------

say "${big_mib} MiB body, one connection, RSA-2048, $rounds rounds, interleaved"
start sp_rsa
start od_rsa
for r in $(seq "$rounds"); do
	load sp_rsa big 1 "$S/big.eml" -m 10 >/dev/null
	load od_rsa big 1 "$S/big.eml" -m 10 >/dev/null
	echo "  round $r: signpost $(tail -n 2 "$S/results" | head -n 1 | field p50_ms) ms, opendkim $(tail -n 1 "$S/results" | field p50_ms) ms"
done
sha=$(sha256_rate)

# --- 3. over loopback TCP ----------------------------------------------------------

say "RSA-2048 over loopback TCP, 8 connections, $rounds rounds"
p1=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
p2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
signpost_conf sp_tcp rsa "inet:$p1@127.0.0.1"
opendkim_conf od_tcp rsa "inet:$p2@127.0.0.1"
start sp_tcp
start od_tcp
for r in $(seq "$rounds"); do
	load sp_tcp 8 8 "$S/4k.eml" -T "$secs" >/dev/null
	load od_tcp 8 8 "$S/4k.eml" -T "$secs" >/dev/null
done
stop sp_tcp
stop od_tcp

# --- 4. 1,000 connections at once -------------------------------------------------

say "1,000 connections held open at once, one message each"
hold_sp=$(load sp_rsa hold 1000 "$S/4k.eml" -m 1 --hold)
hold_od=$(load od_rsa hold 1000 "$S/4k.eml" -m 1 --hold)
echo "  signpost: $hold_sp"
echo "  opendkim: $hold_od"
stop sp_rsa
stop od_rsa

# --- 5. peak RSS on a 50 MiB message --------------------------------------------

say "Peak RSS of signpost-milter signing a ${rss_mib} MiB message (RSA + Ed25519)"
signpost_conf sp_rss "rsa, ed"
start sp_rss
load sp_rss rss 1 "$S/rss.eml" -m 1 >/dev/null
rss_kb=0
for p in $PID_sp_rss $(ps -o pid= --ppid "$PID_sp_rss"); do
	v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
	echo "  pid $p VmHWM ${v:-0} kB"
	[ "${v:-0}" -gt "$rss_kb" ] && rss_kb=$v
done
stop sp_rss

# --- 6. profile ----------------------------------------------------------------

# perf_share SECONDS: sample every CPU (cpu-clock, kernel included) while an
# 8-connection load runs; print signpost-milter's time by shared object.
perf_share() {
	perf record -e cpu-clock -a -g -o "$S/perf.data" -- sleep "$1" >/dev/null 2>&1 &
	local perf_pid=$!
	load sp_prof prof 8 "$S/4k.eml" -T "$1" >/dev/null
	wait "$perf_pid"
	echo "sampled CPU time of the whole machine during an 8-connection run, by program and library:"
	perf report -i "$S/perf.data" --stdio --no-children --sort comm,dso -g none 2>/dev/null |
		grep -E '^ +[0-9.]+% +(signpost-milt|milter-client)' | head -n 12
	echo "signpost-milter's hottest symbols outside libcrypto (which has none here):"
	perf report -i "$S/perf.data" --stdio --no-children --sort comm,dso,sym -g none 2>/dev/null |
		grep -E '^ +[0-9.]+% +signpost-milt' | grep -v libcrypto | head -n 12
}

if [ "$profile" = 1 ]; then
	say "Where signpost-milter's time goes (RSA-2048 + Ed25519 dual signing, 4 KiB)"
	signpost_conf sp_prof "rsa, ed"
	counters=$(perf stat -e instructions true 2>&1 || true)
	if command -v perf >/dev/null && ! echo "$counters" | grep -q 'not supported'; then
		start sp_prof
		perf record -g -o "$S/perf.hw" -a -- sleep "$((secs * 2))" >/dev/null 2>&1 &
		perf_pid=$!
		load sp_prof prof 8 "$S/4k.eml" -T "$((secs * 2))" >/dev/null
		wait "$perf_pid"
		perf report -i "$S/perf.hw" --stdio --no-children --sort comm,dso,sym -g none 2>/dev/null |
			grep -E '^ +[0-9.]+% +signpost-milt' | head -n 30
		stop sp_prof
	elif command -v valgrind >/dev/null; then
		echo "perf has no hardware counters here: valgrind --tool=callgrind (user-space instructions),"
		echo "200 messages on one connection"
		MILTER_PREFIX="valgrind --tool=callgrind --callgrind-out-file=$S/callgrind.%p"
		start sp_prof
		MILTER_PREFIX=""
		load sp_prof prof 1 "$S/4k.eml" -m 200 -t 120 >/dev/null
		stop sp_prof
		f=$(ls -S "$S"/callgrind.* | head -n 1)   # the worker's, not the supervisor's
		echo "inclusive cost (instructions):"
		callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
			awk 'f && NF; /file:function/ { f = 1 }' | head -n 25
		if command -v perf >/dev/null; then
			start sp_prof
			perf_share "$((secs * 2))"
			stop sp_prof
		fi
	else
		echo "neither perf with hardware counters nor valgrind: no profile"
	fi
fi

# --- report ---------------------------------------------------------------------

say "Results (medians of $rounds rounds; ratios from the same run)"
echo "msgs/s depends on the CPU others leave us; cpu ms/msg (the milter's own"
echo "user + system time per message) does not, so it is shown beside it."
for alg in rsa ed; do
	label="RSA-2048"; [ $alg = ed ] && label="Ed25519"
	printf '\n%s, 4 KiB message: openssl speed signs %s/s on one core, %s/s on two\n' \
		"$label" "${ossl[$alg.1]}" "${ossl[$alg.2]}"
	printf '  %5s | %9s %8s %7s | %9s %8s %7s | %12s %12s\n' conns \
		"signpost" "p99 ms" "cpu ms" "opendkim" "p99 ms" "cpu ms" "msgs/s ratio" "cpu ratio"
	for conns in 1 8 64; do
		a=$(results sp_$alg $conns msgs_per_s); b=$(results od_$alg $conns msgs_per_s)
		ca=$(results sp_$alg $conns cpu_ms); cb=$(results od_$alg $conns cpu_ms)
		printf '  %5s | %9.1f %8.2f %7.3f | %9.1f %8.2f %7.3f | %12s %12s\n' "$conns" \
			"$a" "$(results sp_$alg $conns p99_ms)" "$ca" \
			"$b" "$(results od_$alg $conns p99_ms)" "$cb" "$(ratio "$a" "$b")" "$(ratio "$cb" "$ca")"
	done
done
a=$(results sp_tcp 8 msgs_per_s); b=$(results od_tcp 8 msgs_per_s)
printf '\nRSA-2048 over loopback TCP, 8 connections: signpost %.1f msgs/s (p99 %.2f ms), opendkim %.1f msgs/s (p99 %.2f ms)\n' \
	"$a" "$(results sp_tcp 8 p99_ms)" "$b" "$(results od_tcp 8 p99_ms)"
sp_big=$(results sp_rsa big p50_ms); od_big=$(results od_rsa big p50_ms)
sp_bigcpu=$(results sp_rsa big cpu_ms); od_bigcpu=$(results od_rsa big cpu_ms)
mbs() { awk -v m="$big_mib" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", m * 1.048576 / (t / 1000); else print "nan" }'; }
printf '%s MiB body: signpost %s ms (%s MB/s; cpu %s ms = %s MB/s), opendkim %s ms (%s MB/s; cpu %s ms = %s MB/s)\n' \
	"$big_mib" "$sp_big" "$(mbs "$sp_big")" "$sp_bigcpu" "$(mbs "$sp_bigcpu")" \
	"$od_big" "$(mbs "$od_big")" "$od_bigcpu" "$(mbs "$od_bigcpu")"
printf 'raw SHA-256 (openssl speed -evp sha256, 16 KiB blocks): %s MB/s\n' "$sha"
printf 'Peak RSS signing a %s MiB message: %s kB\n' "$rss_mib" "$rss_kb"

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

say "Targets"
target "RSA-2048, 8 connections: signpost / opendkim msgs/s" \
	"$(ratio "$(results sp_rsa 8 msgs_per_s)" "$(results od_rsa 8 msgs_per_s)")" ">=" 2
target "Ed25519, 8 connections: signpost / opendkim msgs/s" \
	"$(ratio "$(results sp_ed 8 msgs_per_s)" "$(results od_ed 8 msgs_per_s)")" ">=" 3
target "${big_mib} MiB body: signpost / opendkim throughput" "$(ratio "$od_big" "$sp_big")" ">=" 5
echo "  the same ratios in CPU time per message (what the milters cost, not what they got):"
target "RSA-2048, 8 connections: opendkim / signpost cpu per message" \
	"$(ratio "$(results od_rsa 8 cpu_ms)" "$(results sp_rsa 8 cpu_ms)")" ">=" 2
target "Ed25519, 8 connections: opendkim / signpost cpu per message" \
	"$(ratio "$(results od_ed 8 cpu_ms)" "$(results sp_ed 8 cpu_ms)")" ">=" 3
target "${big_mib} MiB body: opendkim / signpost cpu per message" "$(ratio "$od_bigcpu" "$sp_bigcpu")" ">=" 5
target "peak RSS signing ${rss_mib} MiB, MiB" "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" "<" 32
target "1,000 connections: tempfail + errors" \
	"$(( $(echo "$hold_sp" | field tempfail) + $(echo "$hold_sp" | field errors) ))" "==" 0
target "1,000 connections: messages signed" "$(echo "$hold_sp" | field signed)" "==" 1000
exit "$verdict_failed"

#!/bin/bash
# engine-bench.sh - the signing engine's benchmark, beside `openssl speed`
# measured in the same run (see README.md in this folder).
#
#   tests/bench/engine-bench.sh [-b BUILDDIR] [-n RUNS] [-s SECONDS] [-m MIB] [-P]
#
#   -b  build tree holding tests/bench/engine-bench (default: $top_builddir,
#       else the current directory)
#   -n  runs of every measurement, interleaved; medians are reported (5)
#   -s  seconds per signing measurement, ours and openssl's (3)
#   -m  body size in MiB for the hashing measurements (100)
#   -P  do not pin to one CPU (default: taskset -c 0 for every program)
#
# Every rate is per CPU second, ours (engine-bench) as openssl speed's, so a
# shared, busy machine slows both alike. Not a test: it prints numbers and
# the targets beside them, and exits 0 unless something failed to run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -eu

builddir=${top_builddir:-$PWD}
runs=5
secs=3
mib=100
pin=yes
while getopts b:n:s:m:P opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	n) runs=$OPTARG ;;
	s) secs=$OPTARG ;;
	m) mib=$OPTARG ;;
	P) pin=no ;;
	*) echo "usage: $0 [-b BUILDDIR] [-n RUNS] [-s SECONDS] [-m MIB] [-P]" >&2
	   exit 2 ;;
	esac
done

bench=$builddir/tests/bench/engine-bench
if [ ! -x "$bench" ]; then
	echo "$bench not found: run make in the build tree first (or pass -b)" >&2
	exit 2
fi
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }
run=()
if [ "$pin" = yes ] && command -v taskset >/dev/null; then
	run=(taskset -c 0)
fi

# Values collected per measurement, one per run.
declare -A vals

add() { vals[$1]="${vals[$1]:-} $2"; }

median() {
	printf '%s\n' ${vals[$1]} | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
	          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ossl_rsa() {
	"${run[@]}" openssl speed -seconds "$secs" rsa2048 2>/dev/null |
	    awk '/^rsa 2048 bits/ { print $6 }'
}
ossl_ed() {
	"${run[@]}" openssl speed -seconds "$secs" ed25519 2>/dev/null |
	    awk '/\(Ed25519\)/ { print $(NF - 1) }'
}
ossl_sha() {  # MB/s (openssl prints thousands of bytes per second)
	"${run[@]}" openssl speed -seconds "$secs" -evp sha256 -bytes 16384 \
	    2>/dev/null | awk '/^sha256/ { sub("k", "", $2); print $2 / 1000 }'
}

echo "# engine-bench: $runs runs, ${secs}s per signing measurement, ${mib} MiB bodies"
echo "# $(openssl version); $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
	add rsa "$("${run[@]}" "$bench" sign rsa "$secs" | awk '{ print $3 }')"
	add ossl_rsa "$(ossl_rsa)"
	add ed "$("${run[@]}" "$bench" sign ed25519 "$secs" | awk '{ print $3 }')"
	add ossl_ed "$(ossl_ed)"
	read -r _ _ rate rss < <("${run[@]}" "$bench" body simple "$mib")
	add simple "$rate"; add rss_simple "$rss"
	read -r _ _ rate rss < <("${run[@]}" "$bench" body relaxed "$mib")
	add relaxed "$rate"; add rss_relaxed "$rss"
	add ossl_sha "$(ossl_sha)"
	read -r _ rate _ < <("${run[@]}" "$bench" sha256 "$mib")
	add sha "$rate"
	last() { echo "${vals[$1]}" | awk '{ print $NF }'; }
	echo "# run $i: rsa $(last rsa)/s (openssl $(last ossl_rsa))," \
	    "ed25519 $(last ed)/s (openssl $(last ossl_ed))," \
	    "simple $(last simple), relaxed $(last relaxed)," \
	    "sha256 $(last ossl_sha) MB/s"
done

report() {  # name ours unit theirs-name theirs target%
	awk -v n="$1" -v a="$2" -v u="$3" -v tn="$4" -v b="$5" -v t="$6" 'BEGIN {
	    r = b > 0 ? 100 * a / b : 0
	    printf "%-22s %9.1f %-5s  %-26s %9.1f  %5.1f%%", n, a, u, tn, b, r
	    if (t != "") printf "  (target >= %s%%: %s)", t, (r >= t ? "met" : "NOT met")
	    printf "\n" }'
}

echo
echo "medians of $runs runs (rates per CPU second)"
report "engine rsa-sha256" "$(median rsa)" "sig/s" "openssl speed rsa2048 sign" \
    "$(median ossl_rsa)" 90
report "engine ed25519-sha256" "$(median ed)" "sig/s" "openssl speed ed25519 sign" \
    "$(median ossl_ed)" ""
report "body simple" "$(median simple)" "MB/s" "openssl speed -evp sha256" \
    "$(median ossl_sha)" 85
report "body relaxed" "$(median relaxed)" "MB/s" "openssl speed -evp sha256" \
    "$(median ossl_sha)" 50
report "raw SHA-256 in-process" "$(median sha)" "MB/s" "openssl speed -evp sha256" \
    "$(median ossl_sha)" ""
awk -v s="$(median rss_simple)" -v r="$(median rss_relaxed)" 'BEGIN {
    m = s > r ? s : r
    printf "peak RSS hashing a body: simple %.1f MiB, relaxed %.1f MiB (target < 16 MiB: %s)\n",
        s / 1024, r / 1024, (m < 16 * 1024 ? "met" : "NOT met") }'

#!/bin/bash
# header-bench.sh - what a hostile header costs signpost-milter's worker:
# peak RSS (VmHWM) and CPU time for a message of 1,000,000 header fields and
# for one DKIM-Signature field of 1 MB of distinct tags, for one or two
# builds (e.g. before and after a change), side by side (see README.md).
#
#   tests/bench/header-bench.sh [-b BUILDDIR] [-B OTHER_BUILDDIR] [-n FIELDS]
#                               [-k KBYTES] [-t TIMEOUT]
#
#   -b  build tree to measure (default: $top_builddir, else the current directory)
#   -B  a second build tree measured the same way (e.g. the commit before)
#   -n  header fields of the first message (1000000: "To: a", 7 bytes each)
#   -k  size of the DKIM-Signature field in KB (1000)
#   -t  seconds the client waits for each reply (900)
#
# Each message goes to a freshly started milter over a unix socket, sent by
# tests/tools/milter-client as Postfix would send it, from an internal
# client, so the engine takes the whole header. The figures are those of
# the daemon's processes from /proc: the largest VmHWM (the worker) and the
# user + system CPU time they used for the message. A build whose
# configuration knows max_header_fields (signpost.conf(5)) is also run with
# the limits raised so far that the million fields are taken and signed:
# that shows what the header costs the engine itself when no limit stops it.
# Not a test: it prints numbers and exits 0 unless something failed to run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -eu

builds=("${top_builddir:-$PWD}")
fields=1000000
kbytes=1000
timeout=900
while getopts b:B:n:k:t: opt; do
	case $opt in
	b) builds[0]=$OPTARG ;;
	B) builds+=("$OPTARG") ;;
	n) fields=$OPTARG ;;
	k) kbytes=$OPTARG ;;
	t) timeout=$OPTARG ;;
	*) echo "usage: $0 [-b BUILDDIR] [-B OTHER_BUILDDIR] [-n FIELDS] [-k KBYTES] [-t TIMEOUT]" >&2
	   exit 2 ;;
	esac
done
for b in "${builds[@]}"; do
	for p in milter/signpost-milter dnsgen/dnsgen tests/tools/milter-client; do
		[ -x "$b/$p" ] || { echo "$b/$p not found: build it first" >&2; exit 2; }
	done
done

S=$(mktemp -d /tmp/signpost-header-bench.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$S"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

HZ=$(getconf CLK_TCK)

# --- the messages ------------------------------------------------------------

/usr/bin/python3 - "$S" "$fields" "$kbytes" <<'EOF'
import sys
d, n, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
head = b"From: Alice <alice@example.com>\r\nSubject: many fields\r\n"
with open(d + "/fields.eml", "wb") as f:
    f.write(head + b"To: a\r\n" * n + b"\r\nbody\r\n")
tags, i = [], 0
size = 0
while size < kb * 1000:
    t = b" t%d=1;" % i
    tags.append(t)
    size += len(t)
    i += 1
sig = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa;" + \
    b"".join(tags) + b" bh=; b="
with open(d + "/tags.eml", "wb") as f:
    f.write(sig + b"\r\n" + head + b"\r\nbody\r\n")
print("# messages: %d fields (%d bytes); a DKIM-Signature field of %d tags "
      "(%d bytes)" % (n + 2, len(head) + 7 * n, i, len(sig)))
EOF

# --- one measurement ---------------------------------------------------------

# conf BUILD NAME [EXTRA_MILTER_LINES]
conf() {
	cat > "$S/$2.conf" <<EOF
[milter]
socket = unix:$S/$2.sock
socket_mode = 0600
pidfile = $S/$2.pid
internal_hosts = 127.0.0.1/32
log_level = info
${3:-}
[signing]
keys_dir = $S/keys
[dns]
mail_host = mail.example.com
[domain example.com]
selector = rsa
EOF
}

# ticks PID: user + system clock ticks of PID and its children
ticks() {
	local t=0 p f
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}

# hwm PID: the largest VmHWM (kB) of PID and its children
hwm() {
	local m=0 p v
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	echo "$m"
}

# measure BUILD NAME MESSAGE: start the milter, send, report, stop.
measure() {
	local b=$1 name=$2 msg=$3 before after idle peak reply
	rm -f "$S/$name.sock"
	"$b/milter/signpost-milter" -f -c "$S/$name.conf" >"$S/$name.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do [ -S "$S/$name.sock" ] && break; sleep 0.1; done
	[ -S "$S/$name.sock" ] || { cat "$S/$name.log" >&2; echo "the milter did not start" >&2; exit 2; }
	sleep 0.5
	idle=$(hwm "$pid")
	before=$(ticks "$pid")
	reply=$("$b/tests/tools/milter-client" -s "unix:$S/$name.sock" -t "$timeout" "$msg" 2>&1 |
		awk '/ mod insheader /{ s = "signed" } / reply /{ r = $3 } END { print (s ? s : "unsigned") ", " r }')
	after=$(ticks "$pid")
	peak=$(hwm "$pid")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	printf '%-44s %-22s %8.1f MiB %8.1f MiB %9.2f s   %s\n' "$name" "$(basename "$msg")" \
		"$(echo "$idle / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)" \
		"$(echo "($after - $before) / $HZ" | bc -l)" "$reply"
	grep -h "not signed\|existing signature" "$S/$name.log" | sed 's/^/    log: /' | cut -c1-160 | head -2
}

mkdir -p "$S/keys/example.com"
echo "# $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %-22s %12s %12s %11s   %s\n' "build" "message" "idle VmHWM" "peak VmHWM" "CPU" "result"
n=0
for b in "${builds[@]}"; do
	n=$((n + 1))
	rm -f "$S/keys/example.com/rsa.pem"
	conf "$b" "keygen$n"
	"$b/dnsgen/dnsgen" -c "$S/keygen$n.conf" keygen -d example.com -s rsa -a rsa -b 2048 >/dev/null
	label=$(basename "$(cd "$b/.." && pwd)")
	conf "$b" "$n-$label"
	measure "$b" "$n-$label" "$S/fields.eml"
	measure "$b" "$n-$label" "$S/tags.eml"
	conf "$b" "$n-$label-raised" "max_header_fields = 2000000
max_header_bytes = 64m"
	if "$b/milter/signpost-milter" -t -c "$S/$n-$label-raised.conf" >/dev/null 2>&1; then
		measure "$b" "$n-$label-raised" "$S/fields.eml"
	fi
done

# dnsgen-lib.sh - helpers for the dnsgen integration tests (sourced after
# tests/tap.sh, never run on its own): a configuration and keys in $TAP_TMP,
# zone files wrapped with SOA and NS, and a private Knot DNS server on a free
# loopback port (its own rundir and storage under $TAP_TMP), started and
# stopped by PID. Keys, the missing-tool rule and the verifiers come from
# lib.sh.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/integration/lib.sh"

DNSGEN=$SP_DNSGEN
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)
PY=$SP_PY

need dnsgen

# In a sanitizer build a report must never pass for "1 = records differ":
# make it exit 86, which no test expects.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"

# dg_zone_ok NAME DOMAIN FILE : both BIND's and Knot's checkers accept FILE
# as DOMAIN's zone (every zone a test serves goes through this).
dg_zone_ok() {
	check "$1: named-checkzone" named-checkzone -i full "$2" "$3"
	check "$1: kzonecheck" kzonecheck -o "$2" "$3"
}

# dg_need TOOL... : lib.sh's need (a missing tool is an error).
dg_need() {
	need "$@"
}

# dg_conf FILE KEYS_DIR [EXTRA-LINES] : a configuration for example.com with
# active selectors rsa1 and ed1, addresses in documentation ranges, and the
# characters a master file must escape inside the SPF exp= domain-spec.
dg_conf() {
	local file=$1 keys=$2 extra=${3:-}
	cat >"$file" <<EOF
[signing]
keys_dir = $keys

[dns]
ttl = 3600
mail_host = mail.example.com
ipv4 = 203.0.113.25
ipv6 = 2001:db8::25
mx = 10 mail.example.com
spf = exp=ex"pl\\ain;x.example.com -all
dmarc = p=quarantine; rua=mailto:dmarc@example.com; pct=100

[domain example.com]
selector = rsa1, ed1
$extra
EOF
}

# dg_keys CONF : make the rsa1 (RSA 2048) and ed1 (Ed25519) keys.
dg_keys() {
	sp_keygen "$1" example.com rsa1 rsa &&
	sp_keygen "$1" example.com ed1 ed25519
}

# dg_setup: $conf and $keys in $TAP_TMP: the test configuration of
# example.com with its RSA and Ed25519 keys made by dnsgen keygen.
dg_setup() {
	conf=$TAP_TMP/signpost.conf
	keys=$TAP_TMP/keys
	mkdir -p "$keys"
	dg_conf "$conf" "$keys"
	dg_keys "$conf" || bail_out "dnsgen keygen failed"
}

# dg_verified NAME MESSAGE WANT-LINES... : tests/verify/verify-dkim, keys
# resolved through the DNS server $server, exits 0 and prints each line.
dg_verified() {
	local name=$1 m=$2 out rc=0 w missing=""
	shift 2
	out=$(sp_verify --server "$server" "$m" 2>&1) || rc=$?
	for w in "$@"; do
		grep -qxF "$w" <<<"$out" || missing="$missing; no '$w'"
	done
	if [ "$rc" -eq 0 ] && [ -z "$missing" ]; then ok "$name"
	else not_ok "$name" "exit $rc$missing
$out"; fi
}

# dg_soa DOMAIN SERIAL : the SOA and NS lines every test zone starts with.
dg_soa() {
	printf '$ORIGIN %s.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.com. %s 3600 600 86400 300\n@ NS ns1.example.net.\n' "$1" "$2"
}

# dg_zone CONF SERIAL : dnsgen's zone for example.com wrapped with SOA/NS.
dg_zone() {
	dg_soa example.com "$2" && "$DNSGEN" -c "$1" -f zone
}

# dg_reverse_zones DIR : PTR zones for 203.0.113.25 and 2001:db8::25 naming
# mail.example.com, so --server can confirm reverse DNS too.
dg_reverse_zones() {
	{ dg_soa 113.0.203.in-addr.arpa 1; echo "25 PTR mail.example.com."; } \
		>"$1/113.0.203.in-addr.arpa.zone"
	{ dg_soa 8.b.d.0.1.0.0.2.ip6.arpa 1
	  echo "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mail.example.com."
	} >"$1/8.b.d.0.1.0.0.2.ip6.arpa.zone"
}

# knot_start DIR LISTEN ZONE... : knotd serving DIR/zones/ZONE.zone for each
# ZONE, listening on LISTEN (e.g. "127.0.0.1@5353"; several separated by
# spaces). A zone named with a "+" suffix accepts dynamic updates from
# 127.0.0.1. Sets KNOT_PID and KNOT_CONF; waits until this very server
# answers: the first zone gets a TXT record naming DIR at _knot-instance,
# so another server that happens to hold the port cannot pass for it.
knot_start() {
	local dir=$1 listen=$2 z l first
	shift 2
	mkdir -p "$dir/run" "$dir/db" "$dir/zones"
	first=${1%+}
	printf '_knot-instance.%s. 60 IN TXT "%s"\n' "$first" "$dir" \
		>>"$dir/zones/$first.zone"
	{
		echo "server:"
		echo "    rundir: \"$dir/run\""
		for l in $listen; do echo "    listen: $l"; done
		echo "database:"
		echo "    storage: \"$dir/db\""
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
		echo "acl:"
		echo "  - id: local_update"
		echo "    address: 127.0.0.1"
		echo "    action: update"
		echo "template:"
		echo "  - id: default"
		echo "    storage: \"$dir/zones\""
		echo "    zonefile-sync: -1"
		echo "zone:"
		for z in "$@"; do
			echo "  - domain: ${z%+}"
			[ "${z%+}" = "$z" ] || echo "    acl: local_update"
		done
	} >"$dir/knot.conf"
	KNOT_CONF=$dir/knot.conf
	"$KNOTD" -c "$KNOT_CONF" >"$dir/knotd.log" 2>&1 &
	KNOT_PID=$!
	l=${listen%% *}
	knot_wait_instance "${l%@*}" "${l#*@}" "$first" "$dir" ||
		{ sed 's/^/# /' "$dir/knotd.log"; return 1; }
}

# knot_wait_instance ADDR PORT ZONE DIR : until _knot-instance.ZONE says DIR.
knot_wait_instance() {
	local i
	for i in $(seq 1 100); do
		[ "$(dig +short +time=1 +tries=1 @"$1" -p "$2" "_knot-instance.$3" TXT \
			2>/dev/null)" = "\"$4\"" ] && return 0
		kill -0 "$KNOT_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

knot_stop() {
	if [ -n "${KNOT_PID:-}" ]; then
		kill "$KNOT_PID" 2>/dev/null || true
		wait "$KNOT_PID" 2>/dev/null || true
		KNOT_PID=
	fi
}

# knot_wait_serial ADDR PORT ZONE SERIAL : until the zone's SOA has SERIAL
# (any serial when empty); at most ten seconds.
knot_wait_serial() {
	local i got
	for i in $(seq 1 100); do
		got=$(dig +short +time=1 +tries=1 @"$1" -p "$2" "$3" SOA 2>/dev/null |
			awk '{print $3}')
		if [ -n "$got" ] && { [ -z "$4" ] || [ "$got" = "$4" ]; }; then
			return 0
		fi
		[ -z "${KNOT_PID:-}" ] || kill -0 "$KNOT_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# knot_reload PORT ZONE SERIAL : re-read the zone file, wait for SERIAL.
knot_reload() {
	"$KNOTC" -c "$KNOT_CONF" zone-reload "$2" >/dev/null &&
		knot_wait_serial 127.0.0.1 "$1" "$2" "$3"
}

# check_rc NAME WANT COMMAND... : the command exits WANT (output kept in $OUT).
check_rc() {
	local name=$1 want=$2 rc=0
	shift 2
	OUT=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, want $want:
$OUT"
	fi
}

# out_has NAME REGEX : the last check_rc output matches (grep -E).
out_has() {
	if grep -Eq -- "$2" <<<"$OUT"; then ok "$1"; else not_ok "$1" "no /$2/ in:
$OUT"; fi
}

# fault_start DIR ADDR PORT ORIGIN=FILE... : tests/tools/dns-fault-server.py
# serving the zones on ADDR#PORT (UDP and TCP), in the mode written to
# DIR/mode ("normal" first). Sets FAULT_PID; waits until it answers.
fault_start() {
	local dir=$1 addr=$2 port=$3 z args=() i
	shift 3
	for z in "$@"; do args+=(--zone "$z"); done
	echo normal >"$dir/mode"
	"$PY" "$top_srcdir/tests/tools/dns-fault-server.py" --listen "$addr" \
		--port "$port" --mode-file "$dir/mode" "${args[@]}" \
		>"$dir/fault.log" 2>&1 &
	FAULT_PID=$!
	for i in $(seq 1 100); do
		dig +short +time=1 +tries=1 @"$addr" -p "$port" "${1%%=*}" SOA \
			2>/dev/null | grep -q "^[^;]" && return 0
		kill -0 "$FAULT_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# /' "$dir/fault.log"
	return 1
}

fault_stop() {
	if [ -n "${FAULT_PID:-}" ]; then
		kill "$FAULT_PID" 2>/dev/null || true
		wait "$FAULT_PID" 2>/dev/null || true
		FAULT_PID=
	fi
}

# timed_rc NAME WANT MAX-SECONDS COMMAND... : check_rc, and the command
# finished within MAX-SECONDS (wall clock; TOOK_MS keeps what it took).
timed_rc() {
	local name=$1 want=$2 max=$3 start
	shift 3
	start=$(date +%s%N)
	check_rc "$name: exit $want" "$want" "$@"
	TOOK_MS=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$TOOK_MS" -le $((max * 1000)) ]; then
		ok "$name: done in ${TOOK_MS} ms (at most ${max} s)"
	else
		not_ok "$name: done in at most ${max} s" "took ${TOOK_MS} ms"
	fi
}

# no_raw_controls NAME : the last output holds no control byte but newline
# (nothing a terminal would act on: ESC, BEL, NUL, CR ...).
no_raw_controls() {
	if LC_ALL=C grep -q '[[:cntrl:]]' <<<"$OUT" ||
		[ "$(printf '%s' "$OUT" | LC_ALL=C tr -d '\n -~' | wc -c)" -ne 0 ]; then
		not_ok "$1" "raw bytes: $(printf '%s' "$OUT" | od -c | head -5)"
	else
		ok "$1"
	fi
}

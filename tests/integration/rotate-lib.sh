# rotate-lib.sh - helpers for the key lifecycle tests (sourced after
# tests/tap.sh and dnsgen-lib.sh): a rotating example.com whose zone a
# private Knot server serves and `check_servers` names, the test clock
# (SIGNPOST_NOW) moved by days, and "publishing by hand": the zone
# rewritten from `dnsgen -f zone` and reloaded, each version checked by
# named-checkzone and kzonecheck.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

T0=$(date -u -d 2026-12-01T00:00:00Z +%s)
DAY=86400

# rl_conf CONF KEYS PORT [EXTRA] : example.com with rsa1 and ed1, rotating
# every 30 days, checked at Knot on PORT; the milter's socket and pidfile
# in $TAP_TMP.
rl_conf() {
	dg_conf "$1" "$2" "rotate = 30d
retire_after = 7d
revoke_after = 7d
check_servers = 127.0.0.1#$3
${4:-}"
	sed -i "1i [milter]\nsocket = unix:$TAP_TMP/milter.sock\npidfile = $TAP_TMP/milter.pid\nlog_level = debug\n" "$1"
}

# rl_two_servers MILTER-LINES : $conf rotating example.com (30d, retire
# and revoke after 7d) with its keys in $keys, published through the Knot
# primary and checked at both servers of knot-lib.sh (started in $kp), and
# a [milter] section of MILTER-LINES (sed 'i' text, \n between lines).
rl_two_servers() {
	at_exit kp_stop
	kp_start "$kp" example.com || bail_out "the Knot primary and secondary did not start"
	dg_conf "$conf" "$keys" "rotate = 30d
retire_after = 7d
revoke_after = 7d
check_servers = $KP_PRIMARY, $KP_SECONDARY
update_server = $KP_PRIMARY
update_key = $KP_KEY"
	sed -i "1i [milter]\n$1\n" "$conf"
	dg_keys "$conf" || bail_out "dnsgen keygen failed"
}

# rl_at SECONDS : set the test clock to T0 + SECONDS.
rl_at() {
	export SIGNPOST_NOW=$((T0 + $1))
}

# rl_rotate NAME WANT [ARGS] : dnsgen rotate at the test clock (output in $OUT).
rl_rotate() {
	local name=$1 want=$2
	shift 2
	check_rc "$name" "$want" "$DNSGEN" -c "$conf" rotate "$@"
}

RL_SERIAL=1
# rl_serve : the zone dnsgen prints now, served by Knot (no TAP line;
# false when dnsgen fails).
rl_serve() {
	RL_SERIAL=$((RL_SERIAL + 1))
	dg_zone "$conf" "$RL_SERIAL" >"$knot/zones/example.com.zone.new" 2>/dev/null ||
		return 1
	printf '_knot-instance.example.com. 60 IN TXT "%s"\n' "$knot" \
		>>"$knot/zones/example.com.zone.new"
	mv "$knot/zones/example.com.zone.new" "$knot/zones/example.com.zone"
	knot_reload "$port" example.com "$RL_SERIAL" || bail_out "knot reload failed"
}

# rl_publish NAME : rl_serve, the zone checked by named-checkzone and kzonecheck.
rl_publish() {
	rl_serve || { not_ok "$1: dnsgen -f zone" "$("$DNSGEN" -c "$conf" -f zone 2>&1)"; return 1; }
	dg_zone_ok "$1: zone $RL_SERIAL" example.com "$knot/zones/example.com.zone"
}

# rl_state SELECTOR : the state of SELECTOR in the state file ("" if none).
rl_state() {
	awk -v s="$1" '$1 == "key" && $2 == s { print $4 }' \
		"$keys/example.com/keystate" 2>/dev/null
}

# rl_states : "SELECTOR=STATE ..." of every key, in file order.
rl_states() {
	awk '$1 == "key" { printf "%s%s=%s", n++ ? " " : "", $2, $4 } END { print "" }' \
		"$keys/example.com/keystate" 2>/dev/null
}

# rl_unserved : the active keys whose record Knot does not serve exactly
# as dnsgen prints it, one "SELECTOR not served" a line.
rl_unserved() {
	local active
	active=$(awk '$1 == "key" && $4 == "active" { print $2 }' \
		"$keys/example.com/keystate")
	[ -n "$active" ] || return 0
	# shellcheck disable=SC2086 # one selector a word
	"$DNSGEN" -c "$conf" -f json 2>/dev/null |
		"$PY" "$top_srcdir/tests/tools/dkim-served.py" "$port" $active
}

# rl_active_served NAME : every active key's record is served by Knot
# (no key signs unpublished).
rl_active_served() {
	local bad
	bad=$(rl_unserved)
	if [ -z "$bad" ]; then ok "$1: every active key is served"
	else not_ok "$1: every active key is served" "$bad"; fi
}

# rl_is GOT WANT NAME : GOT is exactly WANT.
rl_is() {
	if [ "$1" = "$2" ]; then ok "$3"
	else not_ok "$3" "got '$1', want '$2'"; fi
}

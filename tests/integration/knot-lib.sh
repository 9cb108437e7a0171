# knot-lib.sh - two real authoritative servers for the tests that publish
# (sourced after tests/tap.sh and dnsgen-lib.sh, never run on its own): a
# Knot primary that takes RFC 2136 updates signed with a TSIG key, and a
# Knot secondary fed by NOTIFY and zone transfer, each on a free loopback
# port with its own rundir and storage, started and stopped by PID. The
# secondary's transfers can be held back (kp_hold) and let go (kp_release)
# while both keep answering, as a slow secondary would.
#
# After kp_start DIR ZONE...:
#   KP_PRIMARY=127.0.0.1#PORT   KP_SECONDARY=127.0.0.1#PORT (dnsgen's form)
#   KP_PPORT, KP_SPORT          the ports
#   KP_KEY                      the TSIG key file (Knot's format, keymgr -t)
#   KP_KEY_BIND                 the same key in BIND's format (tsig-keygen's)
#   KP_DIR                      DIR
# Each zone starts from DIR/ZONE.zone when the caller wrote one, else from
# an SOA and NS only.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

# kp_conf_common ROLE DIR PORT : the server, log and database sections.
kp_conf_common() {
	cat <<EOF
server:
    rundir: "$2/$1/run"
    listen: 127.0.0.1@$3
log:
  - target: stderr
    any: info
database:
    storage: "$2/$1/db"
template:
  - id: default
    storage: "$2/$1/zones"
    zonefile-sync: -1
EOF
}

# kp_write_primary DIR ZONE... : the primary's configuration. The update
# ACL takes only the key "signpost-update"; the transfer ACL lets the
# secondary (any loopback address) transfer the zones.
kp_write_primary() {
	local dir=$1 z
	shift
	{
		kp_conf_common primary "$dir" "$KP_PPORT"
		echo "key:"
		echo "  - id: signpost-update"
		echo "    algorithm: hmac-sha256"
		echo "    secret: $KP_SECRET"
		echo "remote:"
		echo "  - id: secondary"
		echo "    address: 127.0.0.1@$KP_SPORT"
		echo "acl:"
		echo "  - id: update"
		echo "    key: signpost-update"
		echo "    action: update"
		echo "  - id: transfer"
		echo "    address: 127.0.0.0/8"
		echo "    action: transfer"
		echo "zone:"
		for z in "$@"; do
			echo "  - domain: $z"
			echo "    notify: secondary"
			echo "    acl: [update, transfer]"
		done
	} >"$dir/primary/knot.conf"
}

kp_write_secondary() {
	local dir=$1 z
	shift
	{
		kp_conf_common secondary "$dir" "$KP_SPORT"
		echo "remote:"
		echo "  - id: primary"
		echo "    address: 127.0.0.1@$KP_PPORT"
		echo "acl:"
		echo "  - id: notify"
		echo "    address: 127.0.0.0/8"
		echo "    action: notify"
		echo "zone:"
		for z in "$@"; do
			echo "  - domain: $z"
			echo "    master: primary"
			echo "    acl: notify"
		done
	} >"$dir/secondary/knot.conf"
}

# kp_knotd ROLE : start knotd for ROLE (primary|secondary); sets its PID.
kp_knotd() {
	"$KNOTD" -c "$KP_DIR/$1/knot.conf" >>"$KP_DIR/$1/knotd.log" 2>&1 &
	if [ "$1" = primary ]; then KP_PPID=$!; else KP_SPID=$!; fi
}

# kp_serial PORT ZONE : the zone's SOA serial at 127.0.0.1#PORT, or "".
kp_serial() {
	dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$1" "$2" SOA \
		2>/dev/null | awk '{print $3}'
}

# kp_wait_serial PORT ZONE [SERIAL] : until the server serves the zone (at
# SERIAL when given); at most ten seconds.
kp_wait_serial() {
	local i got
	for i in $(seq 1 100); do
		got=$(kp_serial "$1" "$2")
		if [ -n "$got" ] && { [ -z "${3:-}" ] || [ "$got" = "$3" ]; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# kp_start DIR ZONE... : the primary and the secondary, both serving every
# ZONE. Returns 1 (after showing the logs) when either does not come up.
kp_start() {
	local dir=$1 z
	shift
	KP_DIR=$dir
	mkdir -p "$dir/primary/zones" "$dir/primary/run" "$dir/primary/db" \
		"$dir/secondary/zones" "$dir/secondary/run" "$dir/secondary/db"
	KP_PPORT=$(free_port)
	KP_SPORT=$(free_port)
	while [ "$KP_SPORT" = "$KP_PPORT" ]; do KP_SPORT=$(free_port); done
	KP_PRIMARY=127.0.0.1#$KP_PPORT
	KP_SECONDARY=127.0.0.1#$KP_SPORT
	keymgr -t signpost-update hmac-sha256 >"$dir/update.key" ||
		return 1
	chmod 0600 "$dir/update.key"
	KP_KEY=$dir/update.key
	KP_SECRET=$(awk '$1 == "secret:" {print $2}' "$KP_KEY")
	KP_KEY_BIND=$dir/update-bind.key
	printf 'key "signpost-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
		"$KP_SECRET" >"$KP_KEY_BIND"
	chmod 0600 "$KP_KEY_BIND"
	for z in "$@"; do
		if [ -f "$dir/$z.zone" ]; then
			cp "$dir/$z.zone" "$dir/primary/zones/$z.zone"
		else
			dg_soa "$z" 1 >"$dir/primary/zones/$z.zone"
		fi
	done
	kp_write_primary "$dir" "$@"
	kp_write_secondary "$dir" "$@"
	kp_knotd primary
	kp_knotd secondary
	for z in "$@"; do
		if ! kp_wait_serial "$KP_PPORT" "$z" ||
			! kp_wait_serial "$KP_SPORT" "$z"; then
			sed 's/^/# primary: /' "$dir/primary/knotd.log"
			sed 's/^/# secondary: /' "$dir/secondary/knotd.log"
			return 1
		fi
	done
}

# kp_stop_one ROLE : stop that server (we started it: by its PID).
kp_stop_one() {
	local pid
	if [ "$1" = primary ]; then pid=${KP_PPID:-}; KP_PPID=
	else pid=${KP_SPID:-}; KP_SPID=; fi
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}

kp_stop() {
	kp_stop_one primary
	kp_stop_one secondary
}

# kp_restart_primary : start the primary again (after kp_stop_one primary).
kp_restart_primary() {
	kp_knotd primary
	kp_wait_serial "$KP_PPORT" "$1"
}

# kp_knotc ROLE ARGS... : knotc for that server.
kp_knotc() {
	local role=$1
	shift
	"$KNOTC" -c "$KP_DIR/$role/knot.conf" "$@"
}

# kp_hold ZONE : the secondary keeps serving what it has, but takes no
# transfer (NOTIFY and refresh wait) until kp_release.
kp_hold() {
	kp_knotc secondary zone-freeze "$1" >/dev/null
}

# kp_release ZONE : let the held transfers run, ask for a refresh, and wait
# until the secondary serves the primary's serial.
kp_release() {
	kp_knotc secondary zone-thaw "$1" >/dev/null &&
		kp_knotc secondary zone-refresh "$1" >/dev/null &&
		kp_wait_serial "$KP_SPORT" "$1" "$(kp_serial "$KP_PPORT" "$1")"
}

# kp_in_sync ZONE : wait until the secondary serves the primary's serial.
kp_in_sync() {
	kp_wait_serial "$KP_SPORT" "$1" "$(kp_serial "$KP_PPORT" "$1")"
}

# kp_updates : how many UPDATE messages the primary has processed, as its
# own log counts them ("DDNS, processing N updates" per message batch;
# the sum of N).
kp_updates() {
	awk '/DDNS, processing [0-9]+ update/ {
		for (i = 1; i <= NF; i++) if ($i == "processing") n += $(i + 1)
	} END { print n + 0 }' "$KP_DIR/primary/knotd.log"
}

# kp_set_update_acl ACTION : the primary's update ACL as "update" (the
# default) or "deny" (an ACL that refuses the key), then reload.
kp_set_update_acl() {
	if [ "$1" = deny ]; then
		sed -i 's/^    action: update$/    action: update\n    deny: on/' \
			"$KP_DIR/primary/knot.conf"
	else
		sed -i '/^    deny: on$/d' "$KP_DIR/primary/knot.conf"
	fi
	kp_knotc primary reload >/dev/null
}

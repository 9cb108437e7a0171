# rotate-schedule.sh - the key lifecycle of SPEC.md, two full cycles of
# RSA and Ed25519 run in seconds on the test clock (SIGNPOST_NOW): a
# hand-managed example.com (selectors rsa1, ed1) turns rotation on and
# its keys are adopted; new keys are made, wait pending until the private
# Knot server (check_servers) serves them, are held published for the
# record TTL, become active (the milter is told by SIGHUP and signs with
# them), the old keys retire, are revoked (p=, key files wiped and
# removed) and forgotten. Mail signed by the real milter at every stage
# verifies through Knot with independent verifiers until its key is
# revoked; the zone dnsgen prints passes named-checkzone and kzonecheck
# in every state; a second run with nothing due changes nothing.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/rotate-lib.sh"
dg_need knotd dig named-checkzone kzonecheck
need milter milter-client dkimpy mail-dkim mailauth

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
knot=$TAP_TMP/knot
port=$(free_port)
server=127.0.0.1#$port
mkdir -p "$keys" "$knot/zones"
rl_conf "$conf" "$keys" "$port"
dg_keys "$conf" || bail_out "dnsgen keygen failed"
rl_at 0
dg_zone "$conf" 1 >"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com || bail_out "knotd did not start"

log=$TAP_TMP/milter.log
sp_milter_start "$conf" "$log" || bail_out "signpost-milter did not start"
stop_milter() { sp_milter_stop "$SP_MILTER_PID"; }
at_exit stop_milter

n=0
# mail OUT : a new message through the milter into OUT.
mail() {
	n=$((n + 1))
	printf '%s\r\n' "From: Alice <alice@example.com>" "To: bob@example.net" \
		"Subject: rotation $n" "Date: Tue, 01 Dec 2026 12:00:00 +0000" \
		"Message-ID: <rotation-$n@example.com>" "" "Message $n." >"$TAP_TMP/in-$n.eml"
	"$SP_CLIENT" -s "unix:$TAP_TMP/milter.sock" -t 60 -o "$1" \
		"$TAP_TMP/in-$n.eml" >"$TAP_TMP/client.out" 2>&1
}
selectors() {
	sp_sig_tags "$1" s | sed 's/^s=//' | sort | tr '\n' ' ' | sed 's/ $//'
}
# signed_with NAME WANT : mail now carries exactly the selectors WANT
# (waits for a reload in progress); the message is left in $last.
signed_with() {
	local got="" i
	last=$TAP_TMP/out-$((n + 1)).eml
	for i in $(seq 1 "$SP_WAIT"); do
		mail "$last" && got=$(selectors "$last")
		[ "$got" = "$2" ] && break
		last=$TAP_TMP/out-$((n + 1)).eml
		sleep 0.1
	done
	if [ "$got" = "$2" ]; then ok "$1: the milter signs with $2"
	else not_ok "$1: the milter signs with $2" "got '$got'; $(tail -n 3 "$log")"; fi
}
# verifies NAME FILE : every signature passes through Knot.
verifies() {
	local out
	if out=$(sp_verify --server "$server" "$1" 2>&1); then ok "$2"
	else not_ok "$2" "$out"; fi
}
fails() {
	local out
	if out=$(sp_verify --server "$server" "$1" 2>&1); then not_ok "$2" "$out"
	else ok "$2"; fi
}

# Turning rotation on: the hand-made keys are adopted as they are.
rl_rotate "adopt: rotate exits 0" 0
out_has "adopt: rsa1 adopted" '^example.com: rsa1 adopted as active \(rsa 2048\)$'
out_has "adopt: ed1 adopted" '^example.com: ed1 adopted as active \(ed25519 256\)$'
rl_is "$(rl_states)" "rsa1=active ed1=active" "adopt: the state file"
cp "$keys/example.com/keystate" "$TAP_TMP/state.before"
rl_rotate "adopt: a second run" 0
rl_is "$OUT" "" "adopt: a second run with nothing due prints nothing"
check "adopt: and changes nothing" cmp -s "$TAP_TMP/state.before" "$keys/example.com/keystate"
rl_publish "adopt"
signed_with "adopt" "ed1 rsa1"
verifies "$last" "adopt: the milter's mail verifies through Knot"
check_rc "adopt: signpost-milter -t shows the states" 0 "$SP_MILTER" -c "$conf" -t
out_has "adopt: -t shows rsa1 active" 's=rsa1 +active +since 2026-12-01T00:00:00Z'

# cycle NAME START OLD_R OLD_E : one rotation beginning START seconds after T0.
cycle() {
	local cy=$1 start=$2 old_r=$3 old_e=$4 date new_r new_e old_mail
	date=$(date -u -d "@$((T0 + start))" +%Y%m%d)
	new_r=${date}r new_e=${date}e
	old_mail=$last

	rl_at $((start - 3600))
	rl_rotate "$cy: an hour before due" 0
	rl_is "$OUT" "" "$cy: nothing is due yet"

	rl_at "$start"
	rl_rotate "$cy: new keys are due" 0
	out_has "$cy: $new_r made" "^example.com: $new_r made \\(rsa 2048\\), pending"
	out_has "$cy: $new_e made" "^example.com: $new_e made \\(ed25519 256\\), pending"
	out_has "$cy: waits for DNS" "^example.com: $new_r pending: 127.0.0.1#$port does not serve it yet \\(missing\\); waiting for: $new_r._domainkey.example.com. 3600 IN TXT \"v=DKIM1; k=rsa; p="
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "pending pending" "$cy: the new keys are pending"
	rl_rotate "$cy: again before the zone is served" 0
	rl_is "$(rl_state "$new_r")" "pending" "$cy: not served, still pending"
	signed_with "$cy: pending" "$old_e $old_r"
	verifies "$last" "$cy: pending: mail verifies"

	rl_publish "$cy: pending"
	rl_rotate "$cy: the zone is served" 0
	out_has "$cy: $new_r published" "^example.com: $new_r published: every server serves it; active after 3600 seconds$"
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "published published" "$cy: published"
	rl_rotate "$cy: within the hold" 0
	rl_is "$(rl_state "$new_r")" "published" "$cy: not active within the TTL"
	rl_publish "$cy: published"
	signed_with "$cy: published" "$old_e $old_r"
	check_rc "$cy: status" 0 "$DNSGEN" -c "$conf" status --check
	out_has "$cy: status shows $new_r published and served" "^  $new_r +rsa 2048 +published .* active .* served$"

	rl_at $((start + 3600))
	rl_rotate "$cy: the hold is over" 0
	out_has "$cy: $new_r active" "^example.com: $new_r active: signs from now on$"
	out_has "$cy: $old_r retiring" "^example.com: $old_r retiring: published until "
	out_has "$cy: the milter is told" "^signpost-milter \\(pid [0-9]+\\): told to reload \\(SIGHUP\\)$"
	rl_is "$(rl_states | tr ' ' '\n' | grep -c =retiring)" "2" "$cy: two keys retiring"
	rl_active_served "$cy: active"
	rl_publish "$cy: active"
	signed_with "$cy: active" "$new_e $new_r"
	verifies "$last" "$cy: the new keys' mail verifies"
	verifies "$old_mail" "$cy: mail signed by the retiring keys still verifies"

	rl_at $((start + 3600 + 7 * DAY))
	rl_rotate "$cy: retire_after passed" 0
	out_has "$cy: $old_r revoked" "^example.com: $old_r revoked: its record is now \"v=DKIM1; k=rsa; p=\"$"
	out_has "$cy: its key wiped" "^example.com: $old_r key file .*/$old_r.pem wiped and removed$"
	check "$cy: $old_r.pem is gone" test ! -e "$keys/example.com/$old_r.pem"
	rl_is "$(rl_state "$old_r") $(rl_state "$old_e")" "revoked revoked" "$cy: revoked"
	rl_publish "$cy: revoked"
	check "$cy: the zone says p= for $old_r" grep -Eq "^$old_r._domainkey.example.com. +3600[[:space:]]+IN[[:space:]]+TXT[[:space:]]+\"v=DKIM1; k=rsa; p=\"" "$knot/zones/example.com.zone"
	rl_is "$(dig +short @127.0.0.1 -p "$port" "$old_e._domainkey.example.com" TXT)" \
		'"v=DKIM1; k=ed25519; p="' "$cy: Knot serves $old_e as p="
	fails "$old_mail" "$cy: mail of a revoked key no longer verifies"
	signed_with "$cy: revoked" "$new_e $new_r"

	rl_at $((start + 3600 + 14 * DAY))
	rl_rotate "$cy: revoke_after passed" 0
	out_has "$cy: $old_r forgotten" "^example.com: $old_r forgotten: remove $old_r._domainkey.example.com. TXT$"
	rl_is "$(rl_states)" "$new_r=active $new_e=active" "$cy: only the new keys are left"
	rl_publish "$cy: forgotten"
	check "$cy: $old_r left the zone" sh -c "! grep -q '^$old_r._domainkey' '$knot/zones/example.com.zone'"
}

cycle "cycle 1" $((30 * DAY)) rsa1 ed1
cycle "cycle 2" $((60 * DAY)) 20261231r 20261231e
rl_rotate "after two cycles: a run with nothing due" 0
rl_is "$OUT" "" "after two cycles: prints nothing"

done_testing

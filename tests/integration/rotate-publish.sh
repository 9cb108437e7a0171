# rotate-publish.sh - `dnsgen rotate` publishing through `dnsgen publish`:
# a Knot primary that takes TSIG-signed RFC 2136 updates and a Knot
# secondary fed by zone transfer (knot-lib.sh), both in check_servers. A
# full cycle of RSA and Ed25519 runs on the test clock with no hand in the
# zone; while the secondary's transfers are held back the new keys stay
# pending, and no key becomes active before both servers serve it.
# Revoked records read p= at both servers, forgotten ones leave both, and
# a run with nothing due sends no UPDATE. A primary that refuses the update
# ends the run with exit 2 and a clear message, and no key moves on.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/knot-lib.sh"
. "$top_srcdir/tests/integration/rotate-lib.sh"
dg_need knotd keymgr dig
need dkimpy

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
kp=$TAP_TMP/knot
mkdir -p "$keys" "$kp"
dg_soa example.com 1 >"$kp/example.com.zone"
rl_two_servers "pidfile = $TAP_TMP/milter.pid"

txt() { dig +short +norec @127.0.0.1 -p "$1" "$2._domainkey.example.com" TXT | tr -d '" \n'; }
both() {   # both NAME SELECTOR WANT-PREFIX : both servers serve it
	local p s=""
	for p in "$KP_PPORT" "$KP_SPORT"; do
		case $(txt "$p" "$2") in "$3"*) ;; *) s="$s $p:'$(txt "$p" "$2")'" ;; esac
	done
	if [ -z "$s" ]; then ok "$1"; else not_ok "$1" "served:$s"; fi
}

rl_at 0
rl_rotate "adopt: exit 0" 0
out_has "adopt: rsa1 adopted" '^example.com: rsa1 adopted as active'
out_has "adopt: publishes the adopted keys' records" '^example.com: add rsa1._domainkey.example.com. TXT$'
kp_in_sync example.com
both "adopt: rsa1 is served by both servers" rsa1 "v=DKIM1;k=rsa;p=MII"
n0=$(kp_updates)
rl_rotate "adopt: a second run" 0
rl_is "$OUT" "" "adopt: nothing due, nothing printed"
rl_is "$(kp_updates)" "$n0" "adopt: nothing due, no UPDATE sent"

kp_hold example.com
rl_at $((30 * DAY))
rl_rotate "held: new keys made and published on the primary" 0
out_has "held: the update adds 20261231r" '^example.com: add 20261231r._domainkey.example.com. TXT$'
out_has "held: the secondary does not serve it" "^example.com: 20261231r pending: $KP_SECONDARY does not serve it yet"
rl_is "$(rl_states)" "rsa1=active ed1=active 20261231r=pending 20261231e=pending" "held: pending"
rl_at $((32 * DAY))
rl_rotate "held: two days later" 0
rl_is "$(rl_state 20261231r)" "pending" "held: still pending while the secondary lags"
rl_is "$(rl_state rsa1)" "active" "held: the old key still signs"
kp_release example.com || bail_out "the secondary did not catch up"
rl_rotate "released: both servers serve the keys" 0
out_has "released: 20261231r published" '^example.com: 20261231r published: every server serves it'
both "released: 20261231e served by both" 20261231e "v=DKIM1;k=ed25519;p="

rl_at $((32 * DAY + 3600))
rl_rotate "active: the hold is over" 0
out_has "active: 20261231r active" '^example.com: 20261231r active: signs from now on$'
rl_at $((39 * DAY + 3600))
rl_rotate "revoked: retire_after passed" 0
out_has "revoked: rsa1 revoked" '^example.com: rsa1 revoked'
out_has "revoked: the update replaces rsa1's record" '^example.com: (replace|change|update) rsa1._domainkey.example.com. TXT$'
kp_in_sync example.com
both "revoked: both servers serve rsa1 as p=" rsa1 "v=DKIM1;k=rsa;p="
rl_is "$(txt "$KP_SPORT" rsa1)" "v=DKIM1;k=rsa;p=" "revoked: exactly p= at the secondary"

kp_set_update_acl deny
rl_at $((46 * DAY + 3600))
cp "$keys/example.com/keystate" "$TAP_TMP/state.before"
rl_rotate "refused: the primary refuses the update: exit 2" 2
out_has "refused: names the refusal" "REFUSED|NOTAUTH"
rl_is "$(txt "$KP_PPORT" rsa1)" "v=DKIM1;k=rsa;p=" "refused: the primary still has rsa1 as p="
kp_set_update_acl update
rl_rotate "forgotten: the next run removes them" 0
out_has "forgotten: rsa1 removed" '^example.com: (delete|remove) rsa1._domainkey.example.com. TXT$'
kp_in_sync example.com
rl_is "$(txt "$KP_PPORT" rsa1)$(txt "$KP_SPORT" rsa1)" "" "forgotten: rsa1 left both servers"
n1=$(kp_updates)
rl_rotate "steady: a run with nothing due" 0
rl_is "$OUT" "" "steady: prints nothing"
rl_is "$(kp_updates)" "$n1" "steady: sends no UPDATE"

done_testing

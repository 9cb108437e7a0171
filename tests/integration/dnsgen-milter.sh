# dnsgen-milter.sh - the whole promise, end to end: one signpost.conf read
# by both programs; keys made by `dnsgen keygen`; the zone dnsgen prints
# served by a private Knot server; mail signed by the real signpost-milter
# (driven over the milter protocol by tests/tools/milter-client) verifies
# through that server with independent verifiers. Then a rotation exactly
# as dnsgen(1) tells it: keygen, publish, `dnsgen check`, switch the
# selector, SIGHUP the milter - new mail carries the new selector and
# verifies, while mail signed before the switch still does.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig named-checkzone kzonecheck
need dkimpy mail-dkim mailauth
# dkimpy and Mail::DKIM for RSA, dkimpy and mailauth for Ed25519
export SIGNPOST_VERIFY_ONLY=dkimpy,mail-dkim,mailauth

MILTER=$top_builddir/milter/signpost-milter
CLIENT=$top_builddir/tests/tools/milter-client
[ -x "$MILTER" ] || bail_out "$MILTER not built"
[ -x "$CLIENT" ] || bail_out "$CLIENT not built"
wait_tenths=100
[ "${SIGNPOST_SANITIZERS:-no}" = yes ] && wait_tenths=300

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
sock=$TAP_TMP/milter.sock
mkdir -p "$keys"
dg_conf "$conf" "$keys"
sed -i "1i [milter]\nsocket = unix:$sock\npidfile = $TAP_TMP/milter.pid\nlog_level = debug\n" "$conf"
dg_keys "$conf" || bail_out "dnsgen keygen failed"

port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
serial=1
dg_zone "$conf" "$serial" >"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
dg_reverse_zones "$knot/zones"
dg_zone_ok "zone 1" example.com "$knot/zones/example.com.zone"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port

"$MILTER" -c "$conf" -f >"$TAP_TMP/milter.log" 2>&1 &
milter_pid=$!
stop_milter() {
	kill -TERM "$milter_pid" 2>/dev/null || true
	wait "$milter_pid" 2>/dev/null || true
}
at_exit stop_milter
for _ in $(seq 1 "$wait_tenths"); do
	[ -S "$sock" ] && break
	kill -0 "$milter_pid" 2>/dev/null || break
	sleep 0.1
done
[ -S "$sock" ] || { sed 's/^/# /' "$TAP_TMP/milter.log"; bail_out "signpost-milter did not start"; }

msg=$TAP_TMP/message.eml
printf '%s\n' "From: Alice <alice@example.com>" "To: bob@example.net" \
	"Subject: signed by the milter" "Date: Thu, 01 Jan 2026 12:00:00 +0000" \
	"Message-ID: <milter-agreement@example.com>" "" "Checked against DNS." >"$msg"

# through_milter OUT : send the message through the milter, keep the result.
through_milter() {
	"$CLIENT" -s "unix:$sock" -t 60 -o "$1" "$msg" >"$TAP_TMP/client.out" 2>&1
}
# selectors FILE : the s= of each DKIM-Signature, sorted, space separated.
selectors() {
	"$PY" -c 'import re, sys, email.parser
m = email.parser.BytesParser().parsebytes(open(sys.argv[1], "rb").read(), headersonly=True)
print(" ".join(sorted(re.search(r"\bs=([^;\s]+)", re.sub(r"\s+", " ", str(v))).group(1)
                      for v in m.get_all("DKIM-Signature") or [])))' "$1"
}

check_rc "dnsgen check: the zone matches the configuration" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
before=$TAP_TMP/before.eml
check "the milter signs a message" through_milter "$before"
got=$(selectors "$before")
[ "$got" = "ed1 rsa1" ] && ok "signed with the active selectors ed1 and rsa1" ||
	not_ok "signed with the active selectors ed1 and rsa1" "got '$got'; $(cat "$TAP_TMP/client.out")"
dg_verified "the milter's signatures verify through Knot" "$before" \
	"pass dkimpy d=example.com s=rsa1 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa1 a=rsa-sha256" \
	"pass dkimpy d=example.com s=ed1 a=ed25519-sha256" \
	"pass mailauth d=example.com s=ed1 a=ed25519-sha256"

# The rotation of dnsgen(1).
check "1. keygen rsa2" "$DNSGEN" -c "$conf" keygen -d example.com -s rsa2
serial=$((serial + 1))
dg_zone "$conf" "$serial" >"$knot/zones/example.com.zone"
dg_zone_ok "2. publish: zone $serial" example.com "$knot/zones/example.com.zone"
knot_reload "$port" example.com "$serial" || bail_out "reload failed"
check_rc "3. dnsgen check: the new key is published" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "3. dnsgen check names rsa2" '^ok +TXT +rsa2._domainkey.example.com. '
sed -i 's/^selector = rsa1, ed1$/selector = rsa2, ed1/' "$conf"
check "4. selector = rsa2, ed1" grep -qx 'selector = rsa2, ed1' "$conf"
check "4. SIGHUP the milter" kill -HUP "$milter_pid"
after=$TAP_TMP/after.eml
got=""
for _ in $(seq 1 "$wait_tenths"); do
	through_milter "$after" && got=$(selectors "$after")
	[ "$got" = "ed1 rsa2" ] && break
	sleep 0.1
done
[ "$got" = "ed1 rsa2" ] && ok "after the reload the milter signs with ed1 and rsa2" ||
	not_ok "after the reload the milter signs with ed1 and rsa2" "got '$got'; $(tail -n 5 "$TAP_TMP/milter.log")"
dg_verified "the new key's signature verifies through Knot" "$after" \
	"pass dkimpy d=example.com s=rsa2 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa2 a=rsa-sha256" \
	"pass dkimpy d=example.com s=ed1 a=ed25519-sha256" \
	"pass mailauth d=example.com s=ed1 a=ed25519-sha256"
check_rc "5. the old record is still published" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "5. rsa1 is still served" '^ok +TXT +rsa1._domainkey.example.com. '
dg_verified "mail signed before the switch still verifies" "$before" \
	"pass dkimpy d=example.com s=rsa1 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa1 a=rsa-sha256"

done_testing

# dnsgen-agreement.sh - what dnsgen publishes is what the signer signs with.
# Keys made by `dnsgen keygen`, the zone dnsgen prints served by a private
# Knot server, a message signed by the engine with the configured keys
# (tests/tools/sign-file), and the independent verifiers resolving the keys
# through that server: dkimpy and Mail::DKIM for RSA, dkimpy and mailauth
# for Ed25519. Then a rotation as dnsgen(1) describes it: keygen a new
# selector, publish, check, switch the configuration to it; mail signed with
# the new key verifies while the old record is still served, and so does
# mail signed with the old key. A damaged record makes verification fail,
# so the verifiers really did read DNS.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig dnspython jq named-checkzone kzonecheck
need dkimpy mail-dkim mailauth
export SIGNPOST_VERIFY_ONLY=dkimpy,mail-dkim,mailauth

SIGN=$top_builddir/tests/tools/sign-file
VERIFY=$top_srcdir/tests/verify/verify-dkim
[ -x "$SIGN" ] || bail_out "$SIGN not built"

dg_setup

port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
dg_zone "$conf" 1 >"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
dg_reverse_zones "$knot/zones"
dg_zone_ok "zone 1" example.com "$knot/zones/example.com.zone"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port
serial=1
publish() {    # publish: serve what dnsgen prints now
	serial=$((serial + 1))
	dg_zone "$conf" "$serial" >"$knot/zones/example.com.zone" &&
		dg_zone_ok "zone $serial" example.com "$knot/zones/example.com.zone" &&
		knot_reload "$port" example.com "$serial"
}

msg=$TAP_TMP/message.eml
printf '%s\r\n' "From: Alice <alice@example.com>" "To: bob@example.net" \
	"Subject: published keys" "Date: Thu, 01 Jan 2026 12:00:00 +0000" \
	"Message-ID: <agreement@example.com>" "" "Signed with the key dnsgen published." >"$msg"

# The active selectors, read from the configuration as the milter reads it.
active() { sed -n 's/^selector = //p' "$conf" | tr ',' ' '; }
# sign OUT : sign with every active selector's key.
sign() {
	local args=() s
	for s in $(active); do
		args+=(-k "$keys/example.com/$s.pem" -d example.com -s "$s")
	done
	"$SIGN" "${args[@]}" --records-out "$1.records" "$msg" >"$1"
}

check_rc "the published zone checks out" 0 "$DNSGEN" -c "$conf" check --server "$server"

signed=$TAP_TMP/signed-1.eml
check "sign with rsa1 and ed1" sign "$signed"
# The records the signer derives from its keys are the ones dnsgen printed.
"$DNSGEN" -c "$conf" -f json >"$TAP_TMP/records.json"
check "sign-file's records equal dnsgen's" "$PY" -c '
import json, sys
want = {r["name"].rstrip("."): r["value"] for r in json.load(open(sys.argv[1]))}
n = 0
for line in open(sys.argv[2]):
    name, value = line.rstrip("\n").split(" ", 1)
    if want.get(name) != value:
        sys.exit("%s: signer %r, dnsgen %r" % (name, value, want.get(name)))
    n += 1
sys.exit(0 if n == 2 else "expected 2 records, got %d" % n)' "$TAP_TMP/records.json" "$signed.records"
dg_verified "RSA and Ed25519 signatures verify through Knot" "$signed" \
	"pass dkimpy d=example.com s=rsa1 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa1 a=rsa-sha256" \
	"pass dkimpy d=example.com s=ed1 a=ed25519-sha256" \
	"pass mailauth d=example.com s=ed1 a=ed25519-sha256"

# Negative control: with another key published for rsa1, the RSA signature fails.
cp "$knot/zones/example.com.zone" "$TAP_TMP/good.zone"
"$DNSGEN" -c "$conf" keygen -d example.com -s decoy >/dev/null || bail_out "keygen decoy"
decoy=$("$DNSGEN" -c "$conf" -f json | jq -r '.[] | select(.name == "decoy._domainkey.example.com.") | .value')
serial=$((serial + 1))
{ sed -e "s/^\(@ SOA .*\) 1 3600 600/\1 $serial 3600 600/" -e '/^rsa1._domainkey/,/ )$/d' "$TAP_TMP/good.zone"
  printf 'rsa1._domainkey.example.com. 3600 IN TXT ( "%s" "%s" )\n' "${decoy:0:255}" "${decoy:255}"
} >"$knot/zones/example.com.zone"
dg_zone_ok "the decoy zone" example.com "$knot/zones/example.com.zone"
knot_reload "$port" example.com "$serial" || bail_out "reload failed"
rm -f "$keys/example.com/decoy.pem"
rc=0
out=$("$PY" "$VERIFY" --server "$server" "$signed" 2>&1) || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^fail dkimpy d=example.com s=rsa1' <<<"$out"; then
	ok "a different key in DNS: the RSA signature fails"
else
	not_ok "a different key in DNS: the RSA signature fails" "exit $rc
$out"
fi

# Rotation, as in dnsgen(1): keygen, publish, check, switch, reload.
check "keygen a new selector rsa2" "$DNSGEN" -c "$conf" keygen -d example.com -s rsa2
check "publish every key (rsa1, rsa2, ed1)" publish
check_rc "check: the new record is published, the old one too" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "check sees rsa2" '^ok +TXT +rsa2._domainkey.example.com. '
out_has "check still sees rsa1" '^ok +TXT +rsa1._domainkey.example.com. '
sed -i 's/^selector = rsa1, ed1$/selector = rsa2, ed1/' "$conf"
check "switched: the configuration names rsa2" grep -qx 'selector = rsa2, ed1' "$conf"
check "publish after the switch" publish
check_rc "check after the switch: still 0" 0 "$DNSGEN" -c "$conf" check --server "$server"
zone_now=$("$DNSGEN" -c "$conf")
if grep -q '^; DKIM selector rsa2: active' <<<"$zone_now" &&
	grep -q '^; DKIM selector rsa1: published only, not signing' <<<"$zone_now"; then
	ok "the zone marks rsa2 active and rsa1 published only"
else
	not_ok "the zone marks rsa2 active and rsa1 published only" "$(grep '^; DKIM' <<<"$zone_now")"
fi

signed2=$TAP_TMP/signed-2.eml
check "sign with the new active selectors" sign "$signed2"
dg_verified "the new key's signature verifies through Knot" "$signed2" \
	"pass dkimpy d=example.com s=rsa2 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa2 a=rsa-sha256" \
	"pass dkimpy d=example.com s=ed1 a=ed25519-sha256" \
	"pass mailauth d=example.com s=ed1 a=ed25519-sha256"
# The record served for rsa1 holds rsa1.pem's public key, as openssl sees it.
served=$(dig +short @127.0.0.1 -p "$port" rsa1._domainkey.example.com TXT | tr -d '" ')
pub=$(openssl pkey -in "$keys/example.com/rsa1.pem" -pubout -outform DER | base64 -w0)
if [ -n "$pub" ] && [ "$served" = "v=DKIM1;k=rsa;p=$pub" ]; then
	ok "the old record is still served, with rsa1.pem's public key"
else
	not_ok "the old record is still served, with rsa1.pem's public key" "served: $served
openssl: $pub"
fi
dg_verified "mail signed with the old key still verifies" "$signed" \
	"pass dkimpy d=example.com s=rsa1 a=rsa-sha256" \
	"pass mail-dkim d=example.com s=rsa1 a=rsa-sha256"

done_testing

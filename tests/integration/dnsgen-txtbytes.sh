#!/bin/bash
# dnsgen-txtbytes.sh - TXT values are bytes, not C strings. A real Knot
# server serves records with a NUL inside (an SPF record "... -all\000 +all",
# a DMARC record "... pct=100\000; p=none") and a DKIM record carrying
# terminal escapes (ESC ] 0 ; ... BEL, ESC [ 2 J): `dnsgen check` must call
# each of them `differs`, say why, and print every byte from DNS escaped
# (RFC 1035 \DDD), in text and in -f json, which must stay valid JSON.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig dnspython named-checkzone kzonecheck

dg_setup
port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
dg_zone "$conf" 1 |
	sed -e '/^example\.com\. .*v=spf1/s/ -all"/ -all\\000 +all"/' \
	    -e '/v=DMARC1/s/pct=100"/pct=100\\000; p=none"/' \
	    -e '/^ed1._domainkey/s/"v=DKIM1;[^"]*"/"v=DKIM1; k=ed25519; p=\\027]0;pwned\\007\\027[2J"/' \
	>"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
dg_reverse_zones "$knot/zones"
zone=$knot/zones/example.com.zone
check "the zone holds the NUL and escape bytes" \
	grep -q -e 'pct=100\\000; p=none' -e '\\027\[2J' "$zone"
dg_zone_ok "the zone with odd bytes" example.com "$zone"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port
spf=$(dig +short @127.0.0.1 -p "$port" example.com TXT | grep spf1)
case $spf in
*'-all\000 +all"') ok "Knot serves the SPF record with its NUL" ;;
*) not_ok "Knot serves the SPF record with its NUL" "$spf" ;;
esac

check_rc "check: the odd records are found wrong" 1 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "SPF with a NUL: differs, not ok" '^differs +TXT +example.com.$'
out_has "SPF with a NUL: the whole value is shown, escaped" \
	'^ +found: +v=spf1 ip4:203.0.113.25 ip6:2001:db8::25 exp=ex\\"pl\\\\ain;x.example.com -all\\000 \+all$'
out_has "SPF with a NUL: why" '^ +why: +the record holds a NUL byte \(at byte [0-9]+ of [0-9]+\)'
out_has "DMARC with a NUL: differs, not ok" '^differs +TXT +_dmarc.example.com.$'
out_has "DMARC with a NUL: shown escaped" '^ +found: +v=DMARC1; .*pct=100\\000; p=none$'
out_has "DKIM with terminal escapes: differs" '^differs +TXT +ed1._domainkey.example.com.$'
out_has "DKIM with terminal escapes: shown as \\DDD" \
	'^ +found: +v=DKIM1; k=ed25519; p=\\027]0;pwned\\007\\027\[2J$'
no_raw_controls "check: no raw control byte reaches the terminal"
out_has "SPF with a NUL: evaluated, permerror" \
	'^fails +SPF +example.com. +203.0.113.25: permerror'
out_has "SPF with a NUL: the evaluation says why" \
	'^ +why: +the SPF record of example.com: byte 0x00 at offset 73'
out_has "the other records are still ok" '^example.com: 18 ok, 0 missing, 3 differ, 2 fail, 0 errors$'

check_rc "check -f json: exit 1" 1 \
	"$DNSGEN" -c "$conf" check --server "$server" -f json
no_raw_controls "json: no raw control byte"
check "json: valid, the three records differ, values escaped" "$PY" -c '
import json, sys
items = json.loads(sys.argv[1])
odd = {i["name"]: i for i in items if i["verdict"] == "differs"}
assert sorted(odd) == ["_dmarc.example.com.", "ed1._domainkey.example.com.",
                       "example.com."], odd
assert odd["example.com."]["found"].endswith("-all\\000 +all"), odd
assert "NUL byte" in odd["example.com."]["why"], odd
assert odd["ed1._domainkey.example.com."]["found"].endswith(
    "p=\\027]0;pwned\\007\\027[2J"), odd
fails = [i for i in items if i["verdict"] == "fails"]
assert [(i["type"], i["found"]) for i in fails] == [("SPF", "permerror")] * 2, fails
for i in items:
    for v in i.values():
        assert v is None or isinstance(v, int) or all(" " <= c <= "~" for c in v), i
assert sum(i["verdict"] == "ok" for i in items) == 18, items' "$OUT"

done_testing

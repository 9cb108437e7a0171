# dnsgen-nsupdate.sh - `dnsgen -f nsupdate` fed to BIND's real nsupdate
# fills an empty zone on a private Knot server (dynamic updates allowed from
# 127.0.0.1) so that `dnsgen check --server` returns 0; running it again
# changes nothing; it repairs a zone somebody damaged (a second SPF record,
# a wrong MX, a stale DKIM key), because each RRset is deleted before it is
# added; and the damage itself, made by nsupdate, makes check return 1.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd nsupdate dig named-checkzone kzonecheck

dg_setup

port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
dg_soa example.com 1 >"$knot/zones/example.com.zone"
dg_reverse_zones "$knot/zones"
dg_zone_ok "the empty zone" example.com "$knot/zones/example.com.zone"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com+ 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port

check_rc "the empty zone: check exits 1" 1 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "the empty zone: records are missing" '^missing +MX +example.com. +10 mail.example.com.$'

updates=$TAP_TMP/updates.txt
"$DNSGEN" -c "$conf" -f nsupdate >"$updates" || bail_out "dnsgen -f nsupdate failed"
if [ "$(tail -n 1 "$updates")" = send ] && ! grep -q '^$' "$updates" &&
	grep -q '^update delete example.com. TXT$' "$updates"; then
	ok "nsupdate input: deletes, adds, one send, no blank line"
else
	not_ok "nsupdate input: deletes, adds, one send, no blank line" "$(cat "$updates")"
fi

# nsupdate_run NAME FILE... : feed nsupdate the server, the zone and FILEs.
nsupdate_run() {
	local name=$1
	shift
	check "$name" sh -c '{ echo "server 127.0.0.1 $1"; echo "zone example.com."; shift; cat "$@"; } | nsupdate' \
		- "$port" "$@"
}
nsupdate_run "nsupdate accepts dnsgen's output" "$updates"
check_rc "after nsupdate: check exits 0" 0 "$DNSGEN" -c "$conf" check --server "$server"
out_has "after nsupdate: the Ed25519 key is published" '^ok +TXT +ed1._domainkey.example.com. '
serial=$(dig +short @127.0.0.1 -p "$port" example.com SOA | awk '{print $3}')
nsupdate_run "nsupdate again (idempotent)" "$updates"
check_rc "after the second run: still 0" 0 "$DNSGEN" -c "$conf" check --server "$server"
n_mx=$(dig +short @127.0.0.1 -p "$port" example.com MX | wc -l)
n_spf=$(dig +short @127.0.0.1 -p "$port" example.com TXT | grep -c v=spf1)
if [ "$n_mx" -eq 1 ] && [ "$n_spf" -eq 1 ]; then
	ok "the second run replaced RRsets instead of adding to them"
else
	not_ok "the second run replaced RRsets instead of adding to them" "MX $n_mx, SPF $n_spf (serial was $serial)"
fi

# Damage by hand, see check notice it, repair with dnsgen's output.
damage=$TAP_TMP/damage.txt
cat >"$damage" <<'EOF'
update add example.com. 300 TXT "v=spf1 a -all"
update delete example.com. MX
update add example.com. 300 MX 10 mx.attacker.example.
update delete rsa1._domainkey.example.com. TXT
update add rsa1._domainkey.example.com. 300 TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAstale"
send
EOF
nsupdate_run "nsupdate applies the damage" "$damage"
check_rc "damaged zone: check exits 1" 1 "$DNSGEN" -c "$conf" check --server "$server"
out_has "damaged zone: the second SPF record" 'several SPF records'
out_has "damaged zone: the wrong MX" '^differs +MX +example.com.$'
out_has "damaged zone: the stale key" '^differs +TXT +rsa1._domainkey.example.com.$'
out_has "damaged zone: three records differ" '^example.com: [0-9]+ ok, 0 missing, 3 differ, 2 fail, 0 errors$'
out_has "damaged zone: SPF evaluates to permerror" \
	'why: +example.com has 2 SPF records; RFC 7208 section 4.5 allows one'
nsupdate_run "dnsgen's output repairs it" "$updates"
check_rc "repaired: check exits 0" 0 "$DNSGEN" -c "$conf" check --server "$server"

done_testing

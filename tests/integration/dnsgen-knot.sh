# dnsgen-knot.sh - a real Knot DNS server on a free loopback port, loaded
# with dnsgen's zone: every TXT value comes back byte for byte (dig and
# dnspython, '"' ';' '\' included), `dnsgen check --server` returns 0 over
# IPv4 and IPv6, and each kind of tampering - a changed DKIM key, a missing
# SRV, a second SPF record, a wrong MX, a missing DMARC record, a wrong PTR -
# makes it return 1 and name the record. A server that does not answer is 2.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig dnspython named-checkzone kzonecheck

dg_setup

port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
dg_zone "$conf" 1 >"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
dg_reverse_zones "$knot/zones"
for z in example.com 113.0.203.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa; do
	dg_zone_ok "served zone $z" "$z" "$knot/zones/$z.zone"
done
listen="127.0.0.1@$port"
have_v6=false
if "$PY" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	listen="$listen ::1@$port"
	have_v6=true
fi
at_exit knot_stop
knot_start "$knot" "$listen" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port

# Every TXT value, as the JSON gives it, comes back from Knot unchanged.
"$DNSGEN" -c "$conf" -f json >"$TAP_TMP/records.json" || bail_out "json failed"
check "TXT values round-trip through Knot (dnspython)" \
	"$PY" "$top_srcdir/tests/tools/dns-roundtrip.py" "$TAP_TMP/records.json" "$port"
spf=$(dig +short @127.0.0.1 -p "$port" example.com TXT)
if [ "$spf" = '"v=spf1 ip4:203.0.113.25 ip6:2001:db8::25 exp=ex\"pl\\ain;x.example.com -all"' ]; then
	ok "dig shows the SPF record with '\"' ';' '\\' intact"
else
	not_ok "dig shows the SPF record with '\"' ';' '\\' intact" "$spf"
fi

check_rc "check --server $server: everything published" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "check reports each record ok" '^ok +TXT +rsa1._domainkey.example.com. '
out_has "check confirms reverse DNS" '^ok +PTR +25.113.0.203.in-addr.arpa. +mail.example.com.$'
out_has "check sums up" '^example.com: 23 ok, 0 missing, 0 differ, 0 fail, 0 errors$'
if $have_v6; then
	check_rc "check --server ::1#$port (IPv6)" 0 \
		"$DNSGEN" -c "$conf" check --server "::1#$port"
else
	ok "# SKIP no IPv6 loopback on this host"
fi
check_rc "check -d example.com names the domain" 0 \
	"$DNSGEN" -c "$conf" check -d example.com --server "$server"

# tamper NAME SED-OR-COMMAND REGEX : serve a changed zone; check must exit 1
# and print REGEX; then the good zone again.
serial=1
serve() {   # serve FILE
	serial=$((serial + 1))
	sed "s/^@ SOA \(.*\) [0-9]* 3600 600/@ SOA \1 $serial 3600 600/" "$1" \
		>"$knot/zones/example.com.zone"
	knot_reload "$port" example.com "$serial" || bail_out "reload failed"
}
good=$TAP_TMP/good.zone
dg_zone "$conf" 1 >"$good"
tamper() {
	local name=$1 script=$2 want=$3
	sed "$script" "$good" >"$TAP_TMP/bad.zone"
	if cmp -s "$good" "$TAP_TMP/bad.zone"; then
		not_ok "tamper $name: the zone did not change"
		return
	fi
	dg_zone_ok "tamper $name: the zone" example.com "$TAP_TMP/bad.zone"
	serve "$TAP_TMP/bad.zone"
	check_rc "tamper $name: check exits 1" 1 \
		"$DNSGEN" -c "$conf" check --server "$server"
	out_has "tamper $name: names the record" "$want"
	serve "$good"
}

other=$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
	openssl pkey -pubout -outform DER 2>/dev/null | base64 -w0)
[ -n "$other" ] || bail_out "openssl could not make a second key"
tamper "a changed DKIM key" \
	"/^rsa1._domainkey/,/ )\$/c\\
rsa1._domainkey.example.com. 3600 IN TXT ( \"v=DKIM1; k=rsa; p=${other:0:200}\" \"${other:200}\" )" \
	'^differs +TXT +rsa1._domainkey.example.com.$'
out_has "tamper a changed DKIM key: says why" 'why: +a different public key'
tamper "a missing SRV" '/^_submission._tcp/d' \
	'^missing +SRV +_submission._tcp.example.com. +0 1 587 mail.example.com.$'
tamper "a second SPF record" '/^example.com. .*TXT.*v=spf1/a\
example.com. 3600 IN TXT "v=spf1 -all"' \
	'^differs +TXT +example.com.$'
out_has "tamper a second SPF record: says why" 'several SPF records'
tamper "a wrong MX" 's/IN	MX	10 mail.example.com./IN	MX	10 mx.attacker.example./' \
	'^differs +MX +example.com.$'
out_has "tamper a wrong MX: shows what was found" 'found: +10 mx.attacker.example.$'
tamper "an extra MX" '/IN	MX	10 mail.example.com./a\
example.com. 3600 IN MX 20 backup.example.net.' \
	'extra: +20 backup.example.net.$'
tamper "a missing DMARC record" '/^_dmarc/d' '^missing +TXT +_dmarc.example.com.'
tamper "another DMARC policy" 's/p=quarantine/p=none/' '^differs +TXT +_dmarc.example.com.$'
tamper "a missing Ed25519 key" '/^ed1._domainkey/d' '^missing +TXT +ed1._domainkey.example.com.'
tamper "an A record instead of the autoconfig CNAME" \
	's/^autoconfig.example.com. .*/autoconfig.example.com. 3600 IN A 203.0.113.25/' \
	'^missing +CNAME +autoconfig.example.com.'
tamper "a wrong AAAA" 's/2001:db8::25$/2001:db8::26/' '^differs +AAAA +mail.example.com.$'
out_has "tamper a wrong AAAA: forward confirmation fails too" '^differs +PTR +5.2.0'

check_rc "after the tampering: 0 again" 0 "$DNSGEN" -c "$conf" check --server "$server"

# A server that is not there: an error, not a mismatch.
dead=$(free_port)
check_rc "check against a silent port exits 2" 2 \
	"$DNSGEN" -c "$conf" check --server "127.0.0.1#$dead"
out_has "the error says who did not answer" "no answer from 127.0.0.1#$dead: nothing listens there"

# A server that swallows questions: one timeout, then the rest is skipped.
mute=$(free_port)
"$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(120)' "$mute" &
mute_pid=$!
stop_mute() { kill "$mute_pid" 2>/dev/null || true; wait "$mute_pid" 2>/dev/null || true; }
at_exit stop_mute
sleep 0.3
start=$(date +%s)
check_rc "check against a server that never answers exits 2" 2 \
	"$DNSGEN" -c "$conf" check --server "127.0.0.1#$mute"
took=$(( $(date +%s) - start ))
out_has "the error says it timed out" "no answer from 127.0.0.1#$mute: timed out"
if [ "$took" -lt 30 ]; then ok "a silent server costs one timeout, not one per record (${took}s)"
else not_ok "a silent server costs one timeout, not one per record" "${took}s"; fi

# An address whose reverse zone this server does not serve: an error.
dg_conf "$TAP_TMP/more.conf" "$keys" "ipv4 = 203.0.113.25, 198.51.100.7"
check_rc "a PTR the server refuses: exit 2" 2 \
	"$DNSGEN" -c "$TAP_TMP/more.conf" check --server "$server"
out_has "a PTR the server refuses: says so" \
	"answered REFUSED for 7.100.51.198.in-addr.arpa. PTR"
out_has "a PTR the server refuses: the other records are still judged" \
	'^ok +PTR +25.113.0.203.in-addr.arpa.'

done_testing

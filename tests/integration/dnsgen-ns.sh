# dnsgen-ns.sh - `dnsgen check` without --server: the authoritative servers
# are found through the system resolver (NS, then each name server's
# address) and every one of them is asked directly, without recursion;
# SPF evaluation asks them for names in the domain, and the system resolver
# for an include at another domain.
#
# DNS resolvers only speak to port 53 and read /etc/resolv.conf, so the test
# re-runs itself in private user, mount and network namespaces (unshare
# -rmn): a loopback of its own where Knot servers can listen on
# 127.0.0.1@53, 127.0.0.2@53 and 127.0.0.3@53 without touching the host's
# port 53, and a resolv.conf of its own bind-mounted over /etc/resolv.conf.
# Nothing leaves the namespace; it all disappears with the test.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/integration/netns.sh"
netns_enter "$0" "$@"
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig ip named-checkzone kzonecheck

netns_resolver 127.0.0.1
check "the namespace resolves through its own resolv.conf" \
	grep -qx 'nameserver 127.0.0.1' /etc/resolv.conf

dg_setup

# zone SERIAL [SED] : example.com with two name servers (and their glue).
zone() {
	{ printf '$ORIGIN example.com.\n$TTL 3600\n'
	  printf '@ SOA ns1.example.com. hostmaster.example.com. %s 3600 600 86400 300\n' "$1"
	  printf '@ NS ns1.example.com.\n@ NS ns2.example.com.\n'
	  printf 'ns1 A 127.0.0.1\nns2 A 127.0.0.2\n'
	  "$DNSGEN" -c "$conf"; } | sed "${2:-}"
}

# ns1 (127.0.0.1): the zone, the reverse zones; also the "system resolver".
ns1=$TAP_TMP/ns1
mkdir -p "$ns1/zones"
zone 1 >"$ns1/zones/example.com.zone"
dg_reverse_zones "$ns1/zones"
dg_zone_ok "the zone with two name servers" example.com "$ns1/zones/example.com.zone"
knot_start "$ns1" "127.0.0.1@53" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd on 127.0.0.1@53 did not start"
NS1_PID=$KNOT_PID
# ns2 (127.0.0.2): the same zone, to be tampered with.
ns2=$TAP_TMP/ns2
mkdir -p "$ns2/zones"
zone 1 >"$ns2/zones/example.com.zone"
knot_start "$ns2" "127.0.0.2@53" example.com ||
	bail_out "knotd on 127.0.0.2@53 did not start"
NS2_PID=$KNOT_PID
NS2_CONF=$KNOT_CONF
stop_all() {
	local p
	for p in ${NS1_PID:-} ${NS2_PID:-} ${NS3_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
at_exit stop_all

check_rc "no --server: both authoritative servers agree, exit 0" 0 \
	"$DNSGEN" -c "$conf" check
out_has "it asked the authoritative servers" \
	'^example.com: asking the authoritative servers ns1.example.com. 127.0.0.1, ns2.example.com. 127.0.0.2$'
out_has "reverse DNS through the system resolver" '^ok +PTR +25.113.0.203.in-addr.arpa. +mail.example.com.$'

# ns2 loses an SRV record: the report names ns2 and only ns2.
zone 2 '/^_imaps._tcp/d' >"$ns2/zones/example.com.zone"
dg_zone_ok "ns2's zone without _imaps._tcp" example.com "$ns2/zones/example.com.zone"
"$KNOTC" -c "$NS2_CONF" zone-reload example.com >/dev/null &&
	knot_wait_serial 127.0.0.2 53 example.com 2 || bail_out "ns2 reload failed"
check_rc "one server behind: exit 1" 1 "$DNSGEN" -c "$conf" check
out_has "the missing record is blamed on ns2" \
	'^missing +SRV +_imaps._tcp.example.com. +\(at ns2.example.com. 127.0.0.2\) +0 1 993 mail.example.com.$'
out_has "ns1 is reported fine for the same record" \
	'^ok +SRV +_imaps._tcp.example.com. +\(at ns1.example.com. 127.0.0.1\)'

# ns2 stops answering: that is an error, not a mismatch.
kill "$NS2_PID"; wait "$NS2_PID" 2>/dev/null; NS2_PID=
check_rc "one server silent: exit 2" 2 "$DNSGEN" -c "$conf" check
out_has "the error names the silent server" 'no answer from ns2.example.com. 127.0.0.2: nothing listens there'

# SPF without --server: names in the domain are asked of the authoritative
# servers, an include at another domain of the system resolver. ns3
# (127.0.0.3) becomes the system resolver and alone serves example.net;
# asking ns1 or ns2 for it would be REFUSED (a temperror, exit 2).
stop_all
NS1_PID= NS2_PID=
spf_zone() {
	zone 3 's/^\(example.com.[[:space:]].*TXT[[:space:]]*\)"v=spf1 .*/\1"v=spf1 include:_spf.example.net -all"/'
}
for n in 1 2; do
	rm -rf "$TAP_TMP/spf$n"
	mkdir -p "$TAP_TMP/spf$n/zones"
	spf_zone >"$TAP_TMP/spf$n/zones/example.com.zone"
done
dg_zone_ok "the zone including _spf.example.net" example.com "$TAP_TMP/spf1/zones/example.com.zone"
ns3=$TAP_TMP/ns3
mkdir -p "$ns3/zones"
spf_zone >"$ns3/zones/example.com.zone"
dg_reverse_zones "$ns3/zones"
{ dg_soa example.net 1; echo 'ns1 A 127.0.0.3'
  echo '_spf TXT "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"'; } \
	>"$ns3/zones/example.net.zone"
dg_zone_ok "example.net at the system resolver" example.net "$ns3/zones/example.net.zone"
knot_start "$ns3" "127.0.0.3@53" example.com example.net \
	113.0.203.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa ||
	bail_out "knotd on 127.0.0.3@53 did not start"
NS3_PID=$KNOT_PID
knot_start "$TAP_TMP/spf1" "127.0.0.1@53" example.com || bail_out "ns1 did not restart"
NS1_PID=$KNOT_PID
knot_start "$TAP_TMP/spf2" "127.0.0.2@53" example.com || bail_out "ns2 did not restart"
NS2_PID=$KNOT_PID
printf 'nameserver 127.0.0.3\noptions timeout:2 attempts:2\n' >"$TAP_TMP/resolv.conf"
check_rc "SPF include at another domain: the text differs, exit 1" 1 \
	"$DNSGEN" -c "$conf" check
out_has "the include is followed through the system resolver: pass" \
	'^ok +SPF +example.com. +203.0.113.25: pass \(1 of 10 DNS lookups, 0 of 2 void\)$'
out_has "and says so" \
	'by: +include:_spf.example.net in the SPF record of example.com, then ip4:203.0.113.0/24 in the SPF record of _spf.example.net$'
out_has "the HELO name's record comes from the authoritative servers" \
	'^ok +SPF +mail.example.com. +2001:db8::25: pass'

# A domain nobody serves: the NS lookup fails, exit 2.
dg_conf "$TAP_TMP/other.conf" "$keys" "
[domain example.org]
selector = rsa1"
check_rc "a domain without name servers: exit 2" 2 \
	"$DNSGEN" -c "$TAP_TMP/other.conf" check -d example.org
out_has "it says what it could not find" 'example.org'

done_testing

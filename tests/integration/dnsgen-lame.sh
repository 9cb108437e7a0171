#!/bin/bash
# dnsgen-lame.sh - `dnsgen check` without --server when one of the
# domain's name servers is lame: it refers the question elsewhere, answers
# without the AA flag, or says nothing at all. The zone's NS records name
# ns1 (Knot, 127.0.0.1) and ns2 (tests/tools/dns-fault-server.py,
# 127.0.0.2); each fault of ns2 must be an error naming ns2 with its reason
# (exit 2) while ns1's answers are still judged, within a bounded time.
#
# Like dnsgen-ns.sh it runs in private user, mount and network namespaces
# (unshare -rmn), where port 53 and /etc/resolv.conf are its own.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/integration/netns.sh"
netns_enter "$0" "$@"
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig dnspython ip named-checkzone kzonecheck

netns_resolver 127.0.0.1

dg_setup
ns1=$TAP_TMP/ns1
mkdir -p "$ns1/zones"
{ printf '$ORIGIN example.com.\n$TTL 3600\n'
  printf '@ SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300\n'
  printf '@ NS ns1.example.com.\n@ NS ns2.example.com.\n'
  printf 'ns1 A 127.0.0.1\nns2 A 127.0.0.2\n'
  "$DNSGEN" -c "$conf"; } >"$ns1/zones/example.com.zone"
dg_reverse_zones "$ns1/zones"
dg_zone_ok "the zone with two name servers" example.com "$ns1/zones/example.com.zone"
cp "$ns1/zones/example.com.zone" "$TAP_TMP/ns2.zone"
at_exit knot_stop
knot_start "$ns1" "127.0.0.1@53" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd on 127.0.0.1@53 did not start"
at_exit fault_stop
fault_start "$TAP_TMP" 127.0.0.2 53 "example.com=$TAP_TMP/ns2.zone" ||
	bail_out "dns-fault-server on 127.0.0.2@53 did not start"
mode() { echo "$1" >"$TAP_TMP/mode"; }
run() { "$DNSGEN" -c "$conf" check; }
ns2="ns2.example.com. 127.0.0.2"

mode normal
timed_rc "both servers sound" 0 10 run
out_has "both asked directly" \
	"^example.com: asking the authoritative servers ns1.example.com. 127.0.0.1, $ns2\$"

mode lame
timed_rc "ns2 refers the question elsewhere" 2 10 run
out_has "referral: blamed on ns2" "^error +MX +example.com. +\\(at $ns2\\)\$"
out_has "referral: the reason" \
	"^ +error: +$ns2 is not authoritative for example.com.: it refers the question to ns.elsewhere.example \\(a lame delegation\\)\$"
out_has "referral: ns1 still judged" '^ok +MX +example.com. +\(at ns1.example.com. 127.0.0.1\)'

mode noaa
timed_rc "ns2 answers without AA" 2 10 run
out_has "no AA: the reason" \
	'^ +error: +the server is not authoritative for this name \(a lame or missing delegation\?\)$'
out_has "no AA: blamed on ns2" "^error +TXT +example.com. +\\(at $ns2\\)\$"

mode silent
timed_rc "ns2 silent" 2 30 run
out_has "silent: the reason" "^ +error: +no answer from $ns2: timed out \\(2 tries over UDP in 4 s\\)\$"
out_has "silent: ns1 still judged" '^ok +TXT +example.com. +\(at ns1.example.com. 127.0.0.1\)'

done_testing

# dnsgen-ns.sh - `dnsgen check` without --server: the authoritative servers
# are found through the system resolver (NS, then each name server's
# address) and every one of them is asked directly, without recursion.
#
# DNS resolvers only speak to port 53 and read /etc/resolv.conf, so the test
# re-runs itself in private user, mount and network namespaces (unshare
# -rmn): a loopback of its own where two Knot servers can listen on
# 127.0.0.1@53 and 127.0.0.2@53 without touching the host's port 53, and a
# resolv.conf of its own bind-mounted over /etc/resolv.conf. Nothing leaves
# the namespace; it all disappears with the test.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
if [ -z "${DNSGEN_NETNS:-}" ]; then
	if ! unshare -rmn true 2>/dev/null; then
		echo "1..0 # SKIP user/network namespaces unavailable (unshare -rmn failed)"
		exit 0
	fi
	DNSGEN_NETNS=1 exec unshare -rmn /bin/bash "$0" "$@"
fi
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need knotd dig ip named-checkzone kzonecheck

ip link set lo up || bail_out "cannot bring up the namespace's loopback"
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$TAP_TMP/resolv.conf"
mount --bind "$TAP_TMP/resolv.conf" /etc/resolv.conf ||
	bail_out "cannot bind-mount a private /etc/resolv.conf"
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
	for p in ${NS1_PID:-} ${NS2_PID:-}; do
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

# A domain nobody serves: the NS lookup fails, exit 2.
dg_conf "$TAP_TMP/other.conf" "$keys" "
[domain example.org]
selector = rsa1"
check_rc "a domain without name servers: exit 2" 2 \
	"$DNSGEN" -c "$TAP_TMP/other.conf" check -d example.org
out_has "it says what it could not find" 'example.org'

done_testing

# dnsgen-policy.sh - the records past SPF, DKIM and DMARC, checked by tools
# that are not ours: a zone with HELO SPF, MTA-STS, TLS-RPT, TLSA and CAA
# loads in named-checkzone and kzonecheck; the TLSA digests equal what
# GnuTLS's danetool computes from the same test certificates (made here by
# openssl); `dnsgen mta-sts-policy` prints the policy byte for byte, CRLF,
# and the _mta-sts id is sha256sum's digest of exactly those bytes, so it
# changes when the policy does and not on a re-run; bad values and a bad
# certificate chain are refused naming FILE:LINE or the path. Served by a
# private Knot, `dnsgen check --dns-only` finds the HELO SPF, MTA-STS, TLS-RPT,
# TLSA and CAA records ok, and a stale MTA-STS id or a changed TLS-RPT
# address differs.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need named-checkzone kzonecheck danetool openssl sha256sum jq knotd

# A test CA and a leaf for mail.example.com that it issued.
pki=$TAP_TMP/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" -subj /CN=signpost-test-CA \
	-days 2 -addext basicConstraints=critical,CA:TRUE 2>/dev/null ||
	bail_out "openssl: test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$pki/leaf.key" -out "$pki/leaf.csr" \
	-subj /CN=mail.example.com 2>/dev/null || bail_out "openssl: leaf request"
openssl x509 -req -in "$pki/leaf.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
	-CAcreateserial -out "$pki/leaf.pem" -days 2 2>/dev/null ||
	bail_out "openssl: leaf"
cat "$pki/leaf.pem" "$pki/ca.pem" >"$pki/fullchain.pem"
cat "$pki/ca.pem" "$pki/leaf.pem" >"$pki/reversed.pem"

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
mkdir -p "$keys"
policy_lines="mta_sts = enforce
tls_rpt = mailto:tlsrpt@example.com, https://tlsrpt.example.net/v1
tls_cert = $pki/fullchain.pem
caa = letsencrypt.org, sectigo.com
caa_iodef = mailto:security@example.com"
dg_conf "$conf" "$keys" "$policy_lines"
dg_keys "$conf" || bail_out "dnsgen keygen failed"

zone=$TAP_TMP/example.com.zone
{ dg_soa example.com 1; "$DNSGEN" -c "$conf" -d example.com; } >"$zone" ||
	bail_out "dnsgen failed: $(cat "$zone")"
dg_zone_ok "every new record" example.com "$zone"
for want in '^mail\.example\.com\. .*IN	TXT	"v=spf1 ip4:203\.0\.113\.25 ip6:2001:db8::25 -all"$' \
	'^_mta-sts\.example\.com\. .*IN	TXT	"v=STSv1; id=[0-9a-f]{32}"$' \
	'^mta-sts\.example\.com\. .*IN	A	203\.0\.113\.25$' \
	'^mta-sts\.example\.com\. .*IN	AAAA	2001:db8::25$' \
	'^_smtp\._tls\.example\.com\. .*IN	TXT	"v=TLSRPTv1; rua=mailto:tlsrpt@example\.com,https://tlsrpt\.example\.net/v1"$' \
	'^example\.com\. .*IN	CAA	0 issue "letsencrypt\.org"$' \
	'^example\.com\. .*IN	CAA	0 issue "sectigo\.com"$' \
	'^example\.com\. .*IN	CAA	0 iodef "mailto:security@example\.com"$' \
	'^; DANE TLSA .*DNSSEC'; do
	if grep -Eq -- "$want" "$zone"; then ok "zone has /$want/"
	else not_ok "zone has /$want/" "$(cat "$zone")"; fi
done

# TLSA: what danetool (GnuTLS) computes from the same certificates.
tlsa_of() { # USAGE : the hex of our TLSA record with that usage
	sed -n "s/^_25\._tcp\.mail\.example\.com\. .*IN	TLSA	$1 1 1 \([0-9a-f]*\)$/\1/p" "$zone"
}
dane_of() { # CERT [--ca] : danetool's SHA-256 SPKI digest
	danetool --tlsa-rr --load-certificate="$1" --host=mail.example.com \
		--port 25 ${2:+"$2"} 2>/dev/null |
		sed -n 's/.*TLSA ( 0[23] 01 01 \([0-9a-fA-F]*\) ).*/\1/p' |
		tr 'A-F' 'a-f'
}
leaf_ours=$(tlsa_of 3) leaf_dane=$(dane_of "$pki/leaf.pem")
ca_ours=$(tlsa_of 2) ca_dane=$(dane_of "$pki/ca.pem" --ca)
if [ -n "$leaf_dane" ] && [ "$leaf_ours" = "$leaf_dane" ]; then
	ok "TLSA 3 1 1 equals danetool's ($leaf_dane)"
else not_ok "TLSA 3 1 1 equals danetool's" "ours '$leaf_ours', danetool '$leaf_dane'"; fi
if [ -n "$ca_dane" ] && [ "$ca_ours" = "$ca_dane" ]; then
	ok "TLSA 2 1 1 equals danetool's --ca ($ca_dane)"
else not_ok "TLSA 2 1 1 equals danetool's --ca" "ours '$ca_ours', danetool '$ca_dane'"; fi
if [ "$leaf_ours" != "$ca_ours" ]; then ok "leaf and issuer digests differ"
else not_ok "leaf and issuer digests differ" "$leaf_ours"; fi

# The same records in the other formats.
"$DNSGEN" -c "$conf" -f json >"$TAP_TMP/r.json" || bail_out "dnsgen -f json"
check "json: TLSA, CAA, MTA-STS and TLS-RPT records" jq -e '
	(map(select(.type == "TLSA" and .name == "_25._tcp.mail.example.com.")) | length == 2) and
	(map(select(.type == "CAA")) | length == 3) and
	(map(select(.name == "_mta-sts.example.com.")) | length == 1) and
	(map(select(.name == "_smtp._tls.example.com.")) | length == 1)' "$TAP_TMP/r.json"
check_rc "nsupdate format" 0 "$DNSGEN" -c "$conf" -f nsupdate
out_has "nsupdate: TLSA RRset replaced" \
	"^update delete _25\._tcp\.mail\.example\.com\. TLSA$"
out_has "nsupdate: a CAA record" \
	'^update add example\.com\. 3600 CAA 0 issue "letsencrypt\.org"$'
check_rc "table format" 0 "$DNSGEN" -c "$conf" -f table
out_has "table: TLSA at _25._tcp.mail" "^TLSA +_25\._tcp\.mail +3 1 1 $leaf_ours +3600$"

# The policy file, byte for byte, and an id that is its digest.
want_policy=$(printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n' | od -An -c)
got_policy=$("$DNSGEN" -c "$conf" mta-sts-policy -d example.com | od -An -c)
if [ "$got_policy" = "$want_policy" ]; then ok "mta-sts-policy: byte-exact, CRLF"
else not_ok "mta-sts-policy: byte-exact, CRLF" "got:$got_policy
want:$want_policy"; fi
sts_id() {
	"$DNSGEN" -c "$1" -d example.com |
		sed -n 's/^_mta-sts\.example\.com\. .*"v=STSv1; id=\([0-9a-f]*\)"$/\1/p'
}
policy_digest() {
	"$DNSGEN" -c "$1" mta-sts-policy | sha256sum | cut -c1-32
}
id1=$(sts_id "$conf") digest1=$(policy_digest "$conf")
if [ -n "$id1" ] && [ "$id1" = "$digest1" ]; then
	ok "the _mta-sts id is sha256sum of the policy file ($id1)"
else not_ok "the _mta-sts id is sha256sum of the policy file" "id '$id1', digest '$digest1'"; fi
if [ "$(sts_id "$conf")" = "$id1" ]; then ok "mta-sts id: the same on a re-run"
else not_ok "mta-sts id: the same on a re-run"; fi
conf2=$TAP_TMP/testing.conf
dg_conf "$conf2" "$keys" "${policy_lines/enforce/testing}"
id2=$(sts_id "$conf2")
if [ -n "$id2" ] && [ "$id2" != "$id1" ] && [ "$id2" = "$(policy_digest "$conf2")" ]; then
	ok "mta-sts id: mode testing, another id, still the digest"
else not_ok "mta-sts id: mode testing, another id, still the digest" "$id1 -> $id2"; fi
conf3=$TAP_TMP/ttl.conf
dg_conf "$conf3" "$keys" "$policy_lines
ttl = 60"
if [ "$(sts_id "$conf3")" = "$id1" ]; then ok "mta-sts id: a TTL change leaves it"
else not_ok "mta-sts id: a TTL change leaves it"; fi

# Refusals: exit 2, naming the line or the path.
bad=$TAP_TMP/bad.conf
dg_conf "$bad" "$keys" "tls_rpt = tlsrpt@example.com"
check_rc "tls_rpt without a scheme: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "tls_rpt: names FILE:LINE" "bad\.conf:[0-9]+: tls_rpt: .*neither a mailto: nor an https: URI"
dg_conf "$bad" "$keys" "mta_sts_max_age = 31557601"
check_rc "mta_sts_max_age over a year: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "mta_sts_max_age: names FILE:LINE" "bad\.conf:[0-9]+: mta_sts_max_age: "
dg_conf "$bad" "$keys" "caa = lets_encrypt.org"
check_rc "caa with a bad name: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "caa: names FILE:LINE" "bad\.conf:[0-9]+: caa: "
dg_conf "$bad" "$keys" "tls_cert = $pki/reversed.pem"
check_rc "tls_cert issuer first: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "tls_cert issuer first: names the path" "reversed\.pem: the second certificate did not issue the first"
dg_conf "$bad" "$keys" "tls_cert = $pki/missing.pem"
check_rc "tls_cert missing: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "tls_cert missing: names the path" "missing\.pem: cannot read tls_cert"
dg_conf "$bad" "$keys" "tls_cert = $pki/leaf.key"
check_rc "tls_cert without a certificate: exit 2" 2 "$DNSGEN" -c "$bad"
out_has "tls_cert without a certificate: names the path" "leaf\.key: no PEM certificate"
dg_conf "$bad" "$keys" ""
check_rc "mta-sts-policy with mta_sts none: exit 2" 2 "$DNSGEN" -c "$bad" mta-sts-policy
out_has "mta-sts-policy with none: says what to set" "set mta_sts = testing or enforce"
check_rc "mta-sts-policy -f json: usage error" 2 "$DNSGEN" -c "$conf" mta-sts-policy -f json
check_rc "mta-sts-policy for a domain not configured" 2 "$DNSGEN" -c "$conf" mta-sts-policy -d example.net

# Served by Knot: check finds the TXT records it can judge today.
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
cp "$zone" "$knot/zones/example.com.zone"
dg_reverse_zones "$knot/zones"
port=$(free_port)
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com 113.0.203.in-addr.arpa \
	8.b.d.0.1.0.0.2.ip6.arpa || bail_out "knotd did not start"
server=127.0.0.1#$port
check_rc "check --server: every record published" 0 \
	"$DNSGEN" -c "$conf" check --dns-only --server "$server"
out_has "check: HELO SPF ok" '^ok +TXT +mail\.example\.com\. +v=spf1 '
out_has "check: _mta-sts ok" "^ok +TXT +_mta-sts\.example\.com\. +v=STSv1; id=$id1\$"
out_has "check: mta-sts A ok" '^ok +A +mta-sts\.example\.com\. +203\.0\.113\.25$'
out_has "check: _smtp._tls ok" '^ok +TXT +_smtp\._tls\.example\.com\. +v=TLSRPTv1; '
out_has "check: TLSA 3 1 1 ok" "^ok +TLSA +_25\._tcp\.mail\.example\.com\. +3 1 1 $leaf_ours\$"
out_has "check: TLSA 2 1 1 ok" "^ok +TLSA +_25\._tcp\.mail\.example\.com\. +2 1 1 $ca_ours\$"
out_has "check: CAA ok" '^ok +CAA +example\.com\. +0 issue "letsencrypt\.org"$'
out_has "check: CAA iodef ok" '^ok +CAA +example\.com\. +0 iodef "mailto:security@example\.com"$'
serial=1
serve() { # FILE : serve it with the next serial
	serial=$((serial + 1))
	sed "s/^@ SOA \(.*\) [0-9]* 3600 600/@ SOA \1 $serial 3600 600/" "$1" \
		>"$knot/zones/example.com.zone"
	knot_reload "$port" example.com "$serial" || bail_out "reload failed"
}
sed "s/v=STSv1; id=$id1/v=STSv1; id=$id2/" "$zone" >"$TAP_TMP/stale.zone"
serve "$TAP_TMP/stale.zone"
check_rc "a stale MTA-STS id: check exits 1" 1 \
	"$DNSGEN" -c "$conf" check --dns-only --server "$server"
out_has "a stale MTA-STS id: names _mta-sts" '^differs +TXT +_mta-sts\.example\.com\.$'
sed 's/rua=mailto:tlsrpt@example.com,/rua=mailto:other@example.com,/' "$zone" \
	>"$TAP_TMP/rua.zone"
serve "$TAP_TMP/rua.zone"
check_rc "a changed TLS-RPT address: check exits 1" 1 \
	"$DNSGEN" -c "$conf" check --dns-only --server "$server"
out_has "a changed TLS-RPT address: names _smtp._tls" '^differs +TXT +_smtp\._tls\.example\.com\.$'
sed "s/TLSA	3 1 1 $leaf_ours/TLSA	3 1 1 $ca_ours/" "$zone" >"$TAP_TMP/tlsa.zone"
serve "$TAP_TMP/tlsa.zone"
check_rc "a wrong TLSA record: check exits 1" 1 \
	"$DNSGEN" -c "$conf" check --dns-only --server "$server"
out_has "a wrong TLSA record: names _25._tcp.mail" '^differs +TLSA +_25\._tcp\.mail\.example\.com\.$'
sed 's/0 issue "sectigo.com"/0 issue "sectigo.com; x=1"/' "$zone" >"$TAP_TMP/caa.zone"
serve "$TAP_TMP/caa.zone"
check_rc "a changed CAA record: check exits 1" 1 \
	"$DNSGEN" -c "$conf" check --dns-only --server "$server"
out_has "a changed CAA record: names it" '^differs +CAA +example\.com\.$'

done_testing

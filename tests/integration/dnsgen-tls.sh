# dnsgen-tls.sh - `dnsgen check` past DNS, against real servers on
# loopback: a private Knot serving dnsgen's zone (every address 127.0.0.1),
# a private HTTPS server (tests/tools/https-policy-server.py, certificate
# from a test CA made here by openssl) serving `dnsgen mta-sts-policy`,
# and a private Postfix offering STARTTLS with a test certificate. With
# everything as dnsgen prints it, check passes (MTA-STS fetched, id, mode
# and mx ok; DANE matched by OpenSSL). Then one case per breakage: a stale
# policy id, an MX missing from the policy, a wrong TLSA record, the
# certificate rotated to a new key (only "2 1 1" still matches: ok), an
# MX without STARTTLS or not listening, the policy served with a
# certificate no trusted CA issued, a redirect, bare LF line ends; each
# fails naming what broke, in text and in -f json. Tools that are not ours
# agree: ldns-dane computes the same TLSA records from the certificates,
# and Debian's mta-sts-query (in a network namespace of its own) accepts
# the TXT record and policy, and refuses the untrusted certificate.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
dg_need openssl jq knotd named-checkzone kzonecheck ldns-dane mta-sts-query \
	unshare ip
pf_require

# --- certificates: a test CA, and what it issues --------------------------
pki=$TAP_TMP/pki
mkdir -p "$pki"
chmod 0755 "$pki"
make_ca() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$pki/$1.key" -out "$pki/$1.pem" -subj "/CN=signpost $1" \
		-days 2 -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null ||
		bail_out "openssl: CA $1"
}
issue() { # NAME HOST CA : NAME.key, NAME.pem, NAME-chain.pem (leaf + CA)
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$2" \
		2>/dev/null || bail_out "openssl: request $1"
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$2" \
		>"$pki/$1.ext"
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$3.pem" \
		-CAkey "$pki/$3.key" -CAcreateserial -out "$pki/$1.pem" -days 2 \
		-extfile "$pki/$1.ext" 2>/dev/null || bail_out "openssl: issue $1"
	cat "$pki/$1.pem" "$pki/$3.pem" >"$pki/$1-chain.pem"
	chmod 0644 "$pki/$1.key"        # read by the test servers; test keys
}
make_ca ca
make_ca rogue
issue mx mail.example.com ca
issue mx-new mail.example.com ca
issue web mta-sts.example.com ca
issue web-rogue mta-sts.example.com rogue

# --- the configuration, its zone and its policy ---------------------------
conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
mkdir -p "$keys"
dg_conf "$conf" "$keys" "mta_sts = enforce
tls_rpt = mailto:tlsrpt@example.com
tls_cert = $pki/mx-chain.pem
caa = letsencrypt.org"
sed -i 's/^ipv4 = .*/ipv4 = 127.0.0.1/; /^ipv6 = /d' "$conf"
dg_keys "$conf" || bail_out "dnsgen keygen failed"
"$DNSGEN" -c "$conf" mta-sts-policy >"$TAP_TMP/policy.txt" ||
	bail_out "dnsgen mta-sts-policy failed"

knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
zone=$TAP_TMP/example.com.zone
{ dg_soa example.com 1; "$DNSGEN" -c "$conf"; } >"$zone" ||
	bail_out "dnsgen failed: $(cat "$zone")"
dg_zone_ok "the zone with every new record" example.com "$zone"
cp "$zone" "$knot/zones/example.com.zone"
{ dg_soa 0.0.127.in-addr.arpa 1; echo "1 PTR mail.example.com."; } \
	>"$knot/zones/0.0.127.in-addr.arpa.zone"
dns_port=$(free_port)
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$dns_port" example.com 0.0.127.in-addr.arpa ||
	bail_out "knotd did not start"
serial=1
serve() { # FILE : Knot serves it as example.com, with the next serial
	serial=$((serial + 1))
	sed "s/^@ SOA \(.*\) [0-9]* 3600 600/@ SOA \1 $serial 3600 600/" "$1" \
		>"$knot/zones/example.com.zone"
	knot_reload "$dns_port" example.com "$serial" || bail_out "reload failed"
}

# --- the HTTPS server -----------------------------------------------------
https_port=$(free_port)
HTTPS_PID=
https_stop() {
	if [ -n "$HTTPS_PID" ]; then
		kill "$HTTPS_PID" 2>/dev/null || true
		wait "$HTTPS_PID" 2>/dev/null || true
		HTTPS_PID=
	fi
}
at_exit https_stop
https_start() { # CERT-NAME POLICY-FILE [extra args]
	local cert=$1 policy=$2
	shift 2
	https_stop
	"$PY" "$top_srcdir/tests/tools/https-policy-server.py" --listen 127.0.0.1 \
		--port "$https_port" --cert "$pki/$cert-chain.pem" \
		--key "$pki/$cert.key" --policy "$policy" "$@" \
		>>"$TAP_TMP/https.log" 2>&1 &
	HTTPS_PID=$!
	pf_wait_port "$https_port" || bail_out "the HTTPS server did not start: $(cat "$TAP_TMP/https.log")"
}
https_start web "$TAP_TMP/policy.txt"

# --- Postfix with STARTTLS ------------------------------------------------
pf_write_main_cf ""
/usr/sbin/postconf -c "$PF/etc" -e smtpd_sasl_auth_enable=no \
	smtpd_tls_security_level=may \
	"smtpd_tls_chain_files=$pki/mx.key, $pki/mx-chain.pem" ||
	bail_out "postconf failed"
pf_write_master_cf
echo "tlsmgr    unix  - - n 1000? 1 tlsmgr" >>"$PF/etc/master.cf"
/usr/sbin/postfix -c "$PF/etc" check >"$PF/check.log" 2>&1 ||
	bail_out "postfix check failed: $(cat "$PF/check.log")"
/usr/sbin/postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 ||
	{ pf_diag_logs; bail_out "postfix did not start: $(cat "$PF/start.log")"; }
pf_wait_port "$PF_SMTP_PORT" || { pf_diag_logs; bail_out "postfix smtpd does not listen"; }

run_check() { # WANT-RC NAME [extra args]
	local want=$1 name=$2
	shift 2
	check_rc "$name: exit $want" "$want" "$DNSGEN" -c "$conf" check \
		--server "127.0.0.1#$dns_port" --ca "$pki/ca.pem" \
		--https-port "$https_port" --smtp-port "$PF_SMTP_PORT" "$@"
}

# --- all as dnsgen prints it ----------------------------------------------
id=$(sed -n 's/^_mta-sts\.example\.com\. .*"v=STSv1; id=\([0-9a-f]*\)"$/\1/p' "$zone")
url='https://mta-sts\.example\.com/\.well-known/mta-sts\.txt'
run_check 0 "everything published and served"
out_has "the policy is fetched, the certificate verified" "^ok +MTA-STS $url  \\(at 127\\.0\\.0\\.1\\)$"
out_has "the policy is dnsgen's" '^ok +MTA-STS policy$'
out_has "mode, max_age, mx lines said" 'mode enforce, max_age 604800, 1 mx: line, as dnsgen'
out_has "the MX host matches an mx: line" '^ok +MTA-STS mx mail\.example\.com\.$'
out_has "the TXT id is the policy's digest" "^ok +MTA-STS _mta-sts\\.example\\.com\\.\$"
out_has "the id said" "id=$id is the digest of the policy served"
out_has "DANE: STARTTLS, the chain matches" "^ok +DANE +_25\\._tcp\\.mail\\.example\\.com\\.  \\(at 127\\.0\\.0\\.1:$PF_SMTP_PORT\\)$"
out_has "DANE: the matching record is named" 'the chain matches TLSA 3 1 1 [0-9a-f]{64} \(certificate at depth 0, TLSv1\.[23]\)'
out_has "TLSA and CAA records ok" '^ok +CAA +example\.com\. +0 issue "letsencrypt\.org"$'
out_has "the sum" '^example\.com: [0-9]+ ok, 0 missing, 0 differ, 0 fail, 0 errors$'
run_check 0 "-f json" -f json
if jq -e 'map(select(.type == "MTA-STS" or .type == "DANE")) |
	(length == 5) and all(.verdict == "ok")' <<<"$OUT" >/dev/null; then
	ok "json: five MTA-STS and DANE results, all ok"
else not_ok "json: five MTA-STS and DANE results, all ok" "$OUT"; fi

# --- a stale policy id: the policy changed, the TXT record did not --------
sed 's/^mode: enforce/mode: testing/' "$TAP_TMP/policy.txt" >"$TAP_TMP/testing.txt"
https_start web "$TAP_TMP/testing.txt"
run_check 1 "a stale policy id"
out_has "a stale policy id: the id differs" '^differs +MTA-STS _mta-sts\.example\.com\.$'
out_has "a stale policy id: says what senders do" "the TXT record says id=$id but the policy served has id=[0-9a-f]{32}: senders keep"
out_has "a stale policy id: the policy is not dnsgen's" '^differs +MTA-STS policy$'
out_has "a stale policy id: the policy served is shown" '^ +found: +version: STSv1$'
out_has "a stale policy id: its mode line" '^ +mode: testing$'
if grep -qF '\013' <<<"$OUT"; then not_ok "no CR shown as \\013" "$OUT"
else ok "no CR shown as \\013"; fi
tr -d '\r' <"$TAP_TMP/policy.txt" >"$TAP_TMP/lf.txt"
https_start web "$TAP_TMP/lf.txt"
run_check 1 "a policy with bare LF line ends"
out_has "bare LF: says CRLF" 'the same lines, but not each ending in CRLF \(RFC 8461 section 3\.2\)'
https_start web "$TAP_TMP/policy.txt"

# --- an MX host the policy does not list ----------------------------------
sed 's/^\(example\.com\. .*IN	MX	\)10 mail\.example\.com\.$/&\n\120 backup.example.com./' \
	"$zone" >"$TAP_TMP/backup.zone"
grep -q 'MX	20 backup' "$TAP_TMP/backup.zone" || bail_out "no MX added: $(grep MX "$zone")"
serve "$TAP_TMP/backup.zone"
run_check 1 "an MX missing from the policy"
out_has "an MX missing from the policy: names it" '^differs +MTA-STS mx backup\.example\.com\.$'
out_has "an MX missing from the policy: enforce means no delivery" 'no mx: line of the policy matches it: senders will not deliver to it'
out_has "the listed MX still matches" '^ok +MTA-STS mx mail\.example\.com\.$'

# --- a wrong TLSA record --------------------------------------------------
new_leaf=$(openssl x509 -in "$pki/mx-new.pem" -noout -pubkey |
	openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
sed "s/\\(TLSA	3 1 1 \\)[0-9a-f]*/\\1$new_leaf/; /TLSA	2 1 1/d" "$zone" >"$TAP_TMP/tlsa.zone"
serve "$TAP_TMP/tlsa.zone"
run_check 1 "a wrong TLSA record"
out_has "a wrong TLSA record: DANE fails at the MX" "^fails +DANE +_25\\._tcp\\.mail\\.example\\.com\\.  \\(at 127\\.0\\.0\\.1:$PF_SMTP_PORT\\)$"
out_has "a wrong TLSA record: says why" 'no TLSA record matches the certificate chain presented'
out_has "a wrong TLSA record: the record differs too" '^differs +TLSA +_25\._tcp\.mail\.example\.com\.$'
out_has "the sum counts the failure" '^example\.com: [0-9]+ ok, [0-9]+ missing, [0-9]+ differ, 1 fail, 0 errors$'
serve "$zone"

# --- a new key from the same CA: "2 1 1" still matches --------------------
pf_postconf "smtpd_tls_chain_files=$pki/mx-new.key, $pki/mx-new-chain.pem" ||
	bail_out "postfix reload failed"
run_check 0 "the certificate rotated to a new key"
out_has "rotated: DANE ok through the issuer's record" 'the chain matches TLSA 2 1 1 [0-9a-f]{64} \(certificate at depth 1, '
pf_postconf "smtpd_tls_chain_files=$pki/mx.key, $pki/mx-chain.pem" ||
	bail_out "postfix reload failed"

# --- an MX without STARTTLS, an MX where nothing listens ------------------
pf_postconf smtpd_tls_security_level=none || bail_out "postfix reload failed"
run_check 1 "an MX without STARTTLS"
out_has "no STARTTLS: DANE fails, saying so" 'why: +the server does not offer STARTTLS$'
pf_postconf smtpd_tls_security_level=may || bail_out "postfix reload failed"
run_check 1 "nothing listens on the SMTP port" --smtp-port "$(free_port)"
out_has "nothing listens: DANE fails, saying so" 'why: +cannot connect: Connection refused$'

# --- the limits on what an SMTP server can make check read or wait for ----
fault_port=$(free_port)
SMTP_FAULT_PID=
smtp_fault_stop() {
	if [ -n "$SMTP_FAULT_PID" ]; then
		kill "$SMTP_FAULT_PID" 2>/dev/null || true
		wait "$SMTP_FAULT_PID" 2>/dev/null || true
		SMTP_FAULT_PID=
	fi
}
at_exit smtp_fault_stop
smtp_fault() { # MODE WANT-WHY NAME [MAX-SECONDS]
	smtp_fault_stop
	"$PY" "$top_srcdir/tests/tools/smtp-fault-server.py" --listen 127.0.0.1 \
		--port "$fault_port" --mode "$1" >>"$TAP_TMP/smtp-fault.log" 2>&1 &
	SMTP_FAULT_PID=$!
	pf_wait_port "$fault_port" || bail_out "the SMTP fault server did not start"
	timed_rc "$3" 1 "${4:-20}" "$DNSGEN" -c "$conf" check \
		--server "127.0.0.1#$dns_port" --ca "$pki/ca.pem" \
		--https-port "$https_port" --smtp-port "$fault_port"
	out_has "$3: says why" "why: +$2\$"
}
smtp_fault line:512 'the SMTP server closed the connection' "a reply line of 512 bytes (the limit) is read"
smtp_fault line:513 'the SMTP server sent a line that is not a reply \(RFC 5321 section 4\.2\), or one over 512 bytes' "a reply line of 513 bytes"
smtp_fault lines:100 'the SMTP server closed the connection' "an EHLO reply of 100 lines (the limit) is read"
smtp_fault lines:101 'an SMTP reply of more than 100 lines' "an EHLO reply of 101 lines"
# The time limits (10 s a read, 30 s the dialogue) cut to 2 s by
# SIGNPOST_TLS_SECONDS (dnsgen(1), ENVIRONMENT): the same code, without
# the wait; each case must take those 2 s, not fail sooner for another reason.
waited_limit() { # NAME: the last timed_rc took at least the 2 s limit
	if [ "$TOOK_MS" -ge 2000 ]; then ok "$1: waited the 2 s limit"
	else not_ok "$1: waited the 2 s limit" "took $TOOK_MS ms"; fi
}
export SIGNPOST_TLS_SECONDS=2
smtp_fault silent 'the SMTP server did not answer in time' "a silent SMTP server" 8
waited_limit "a silent SMTP server"
smtp_fault drip:400 'the SMTP dialogue took more than 2 s' "an SMTP server dripping bytes" 8
waited_limit "an SMTP server dripping bytes"
unset SIGNPOST_TLS_SECONDS
smtp_fault_stop

# --- the policy behind a certificate no trusted CA issued -----------------
https_start web-rogue "$TAP_TMP/policy.txt"
run_check 1 "an untrusted certificate"
out_has "an untrusted certificate: the fetch fails" "^fails +MTA-STS $url  \\(at 127\\.0\\.0\\.1\\)$"
out_has "an untrusted certificate: says why" '(certificate|issuer)'
run_check 1 "an untrusted certificate, -f json" -f json
if jq -e 'map(select(.type == "MTA-STS" and .verdict == "fails")) | length == 1' \
	<<<"$OUT" >/dev/null; then ok "json: the fetch fails"
else not_ok "json: the fetch fails" "$OUT"; fi

# --- a policy of 65536 bytes (the limit) is read, one more byte is not ----
pad() { # FILE SIZE : the policy with an extension field padding it to SIZE
	local have
	have=$(wc -c <"$TAP_TMP/policy.txt")
	{ cat "$TAP_TMP/policy.txt"; printf 'x: '
	  head -c $(($2 - have - 5)) /dev/zero | tr '\0' a; printf '\r\n'; } >"$1"
}
pad "$TAP_TMP/max.txt" 65536
pad "$TAP_TMP/over.txt" 65537
https_start web "$TAP_TMP/max.txt"
run_check 1 "a policy of 65536 bytes"
out_has "65536 bytes: fetched" "^ok +MTA-STS $url  \\(at 127\\.0\\.0\\.1\\)\$"
out_has "65536 bytes: all of them" '^ +65536 bytes over HTTPS'
https_start web "$TAP_TMP/over.txt"
run_check 1 "a policy of 65537 bytes"
out_has "65537 bytes: the fetch fails" "^fails +MTA-STS $url  \\(at 127\\.0\\.0\\.1\\)\$"
out_has "65537 bytes: says why" 'the policy is larger than 65536 bytes, the most senders read'

# --- a redirect, which senders must not follow ----------------------------
https_start web "$TAP_TMP/policy.txt" --redirect "https://mta-sts.example.com/elsewhere"
run_check 1 "a redirect"
out_has "a redirect: not followed" 'HTTP 301: a redirect, which senders must not follow'
https_start web "$TAP_TMP/policy.txt" --content-type text/html
run_check 1 "text/html"
out_has "text/html: refused" 'media type "text/html" instead of text/plain'

# --- what tools that are not ours make of the same records ----------------
# ldns-dane computes the TLSA records from the certificate files: equal to
# dnsgen's, and the issuer's "2 1 1" is the same for the rotated chain.
ldns_tlsa() { # CHAIN USAGE
	ldns-dane -c "$pki/$1" create mail.example.com 25 "$2" 1 1 2>/dev/null |
		awk '$4 == "TLSA" { print $5, $6, $7, $8 }'
}
for u in 3 2; do
	ours=$(sed -n "s/^_25\._tcp\.mail\.example\.com\. .*IN	TLSA	\($u 1 1 [0-9a-f]*\)$/\1/p" "$zone")
	theirs=$(ldns_tlsa mx-chain.pem $u)
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then ok "TLSA $u 1 1 equals ldns-dane's"
	else not_ok "TLSA $u 1 1 equals ldns-dane's" "ours '$ours', ldns-dane '$theirs'"; fi
done
if [ "$(ldns_tlsa mx-new-chain.pem 2)" = "$(ldns_tlsa mx-chain.pem 2)" ] &&
	[ "$(ldns_tlsa mx-new-chain.pem 3)" != "$(ldns_tlsa mx-chain.pem 3)" ]; then
	ok "ldns-dane: the rotated chain keeps 2 1 1, changes 3 1 1"
else not_ok "ldns-dane: the rotated chain keeps 2 1 1, changes 3 1 1"; fi

# Debian's mta-sts-query (postfix-mta-sts-resolver) fetches the policy the
# way Postfix would; it has no option for a DNS server, port or CA, so it
# runs in a network and mount namespace of its own (tests/tools/
# mta-sts-query-netns.sh): Knot on 127.0.0.1#53, HTTPS on 127.0.0.1:443.
netns_query() { # NAME CERT
	rm -rf "$TAP_TMP/netns-$1"
	mkdir -p "$TAP_TMP/netns-$1"
	unshare --net --mount --fork \
		"$top_srcdir/tests/tools/mta-sts-query-netns.sh" "$TAP_TMP/netns-$1" \
		example.com "$zone" "$pki/ca.pem" "$pki/$2-chain.pem" \
		"$pki/$2.key" "$TAP_TMP/policy.txt" 2>&1
}
if command -v mta-sts-query >/dev/null 2>&1 && unshare --net --mount true 2>/dev/null; then
	got=$(netns_query good web)
	if grep -q "STSFetchResult.VALID" <<<"$got" && grep -q "'$id'" <<<"$got" &&
		grep -q "'mode': 'enforce'" <<<"$got" &&
		grep -q "'mx': \['mail.example.com'\]" <<<"$got" &&
		grep -q "'max_age': 604800" <<<"$got"; then
		ok "mta-sts-query accepts the TXT record and the policy (id $id)"
	else not_ok "mta-sts-query accepts the TXT record and the policy" "$got"; fi
	got=$(netns_query rogue web-rogue)
	if grep -q "STSFetchResult.FETCH_ERROR" <<<"$got"; then
		ok "mta-sts-query refuses the policy behind the untrusted certificate too"
	else not_ok "mta-sts-query refuses the untrusted certificate too" "$got"; fi
else
	bail_out "mta-sts-query (scripts/install-deps installs postfix-mta-sts-resolver) or unshare --net --mount missing"
fi

done_testing

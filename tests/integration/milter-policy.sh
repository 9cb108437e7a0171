#!/bin/bash
# milter-policy.sh - signpost-milter's signing policy, spoken over the milter
# protocol to the real daemon: internal / authenticated / external client x
# configured / unconfigured / subdomain From: (subdomains yes and no), dual
# RSA + Ed25519 signing, and the log line each message gets. Every signed
# message is checked by independent verifiers against records made from the
# keys with openssl.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
mt_key example.net n1 rsa
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
cat >>"$conf" <<EOF
[domain example.com]
selector = r1, e1
subdomains = no

[domain example.net]
selector = n1
subdomains = yes
EOF
mt_start "$conf" || bail_out "the daemon did not start"

# case NAME ADDR AUTH FROM WANT: WANT is the expected signatures as
# "d=... s=... a=..." lines joined by "|", or "none: REASON-TEXT".
n=0
case_() {
	local name=$1 addr=$2 auth=$3 from=$4 want=$5
	n=$((n + 1))
	local msg="$TAP_TMP/case$n.eml" out="$TAP_TMP/case$n.out"
	local args=(-a "$addr")
	[ -z "$auth" ] || args+=(-u "$auth")
	mt_message "$msg" "Someone <someone@$from>"
	local before
	before=$(wc -l <"$MT_LOG")
	if ! mt_client "${args[@]}" -o "$out" "$msg"; then
		not_ok "$name: milter-client" "$(cat "$TAP_TMP/client.err")"
		return
	fi
	local got
	got=$(mt_sigs "$out" | paste -sd'|')
	if [ "${want#none: }" != "$want" ]; then
		if [ -z "$got" ] && grep -q '^1 reply accept' "$TAP_TMP/client.out"; then
			ok "$name: passes unsigned (ACCEPT)"
		else
			not_ok "$name: passes unsigned" "got: $got; $(cat "$TAP_TMP/client.out")"
		fi
		# The reply comes after the log line: look at this message's lines only.
		if tail -n +$((before + 1)) "$MT_LOG" | grep -qE "^signpost-milter: [0-9A-F]+: not signed: .*${want#none: }"; then
			ok "$name: log says why"
		else
			not_ok "$name: log says why" "no \"not signed: ${want#none: }\" in: $(tail -n +$((before + 1)) "$MT_LOG")"
		fi
		return
	fi
	if [ "$got" = "$want" ] && grep -q '^1 reply continue' "$TAP_TMP/client.out"; then
		ok "$name: signed $want"
	else
		not_ok "$name: signed" "want $want, got '$got'; $(cat "$TAP_TMP/client.out")"
	fi
	check "$name: independent verifiers pass" mt_verify "$out"
}

both="d=example.com s=r1 a=rsa-sha256|d=example.com s=e1 a=ed25519-sha256"
net="d=example.net s=n1 a=rsa-sha256"
ext="is not in internal_hosts and did not authenticate"

case_ "internal 127.0.0.1, example.com"        127.0.0.1  ""    example.com      "$both"
case_ "internal 10.1.2.3, example.com"         10.1.2.3   ""    example.com      "$both"
case_ "internal ::1, example.com"              ::1        ""    example.com      "$both"
case_ "authenticated outsider, example.com"    192.0.2.10 alice example.com      "$both"
case_ "external, example.com"                  192.0.2.10 ""    example.com      "none: client 192.0.2.10 $ext"
case_ "external IPv6, example.com"             2001:db8::9 ""   example.com      "none: client 2001:db8::9 $ext"
case_ "internal, unconfigured example.org"     127.0.0.1  ""    example.org      "none: From: domain example.org is not configured"
case_ "authenticated, unconfigured example.org" 192.0.2.10 alice example.org     "none: From: domain example.org is not configured"
case_ "external, unconfigured example.org"     192.0.2.10 ""    example.org      "none: client 192.0.2.10 $ext"
case_ "internal, subdomain with subdomains=no" 127.0.0.1  ""    mail.example.com "none: From: domain mail.example.com is a subdomain of example.com, which has subdomains = no"
case_ "authenticated, subdomain (no)"          192.0.2.10 bob   mail.example.com "none: From: domain mail.example.com is a subdomain of example.com"
case_ "external, subdomain (no)"               192.0.2.10 ""    mail.example.com "none: client 192.0.2.10 $ext"
case_ "internal, subdomain with subdomains=yes" 127.0.0.1 ""    lists.example.net "$net"
case_ "authenticated, subdomain (yes)"         192.0.2.10 bob   lists.example.net "$net"
case_ "external, subdomain (yes)"              192.0.2.10 ""    lists.example.net "none: client 192.0.2.10 $ext"
case_ "internal, parent example.net itself"    10.9.9.9   ""    example.net      "$net"

# The log line of a signed message: queue id, both signatures on one line.
if grep -qE ': signed d=example.com s=r1 a=rsa-sha256, d=example.com s=e1 a=ed25519-sha256$' "$MT_LOG"; then
	ok "signed log line names d=, s= and a= of both signatures"
else
	not_ok "signed log line" "$(grep ' signed ' "$MT_LOG" | head -n 3)"
fi

mt_stop
if [ "$MT_STATUS" -eq 0 ]; then ok "SIGTERM: exit 0"; else not_ok "SIGTERM: exit 0" "exit $MT_STATUS"; fi
done_testing

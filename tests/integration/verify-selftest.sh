# verify-selftest.sh - shows that tests/verify/verify-dkim, the judge of every
# signature our tests produce, is not vacuous: RFC 8463's signed message passes
# (both signatures, each with two independent verifiers, from a records file
# and from a real DNS server), and every kind of damage makes it fail.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

verify=$top_srcdir/tests/verify/verify-dkim
rfc=$top_srcdir/tests/data/rfc8463
signed=$rfc/signed-rfc.eml
records=$rfc/records.txt

need dkimpy dnspython mail-dkim mailauth
# Every judge, unless a check names fewer (section 6 tries the default).
export SIGNPOST_VERIFY_ONLY=${SIGNPOST_VERIFY_ONLY:-all}

# judge VERIFY-ARGS... : verify-dkim's output in $out, its exit status in
# $rc. The same arguments (with the same SIGNPOST_VERIFY_ONLY) are judged
# once: several checks read one run, and a run costs over a second of CPU.
declare -A judged_out=() judged_rc=()
judge() {
	local key="${SIGNPOST_VERIFY_ONLY:-}|$*"
	if [ -z "${judged_rc[$key]+set}" ]; then
		"$verify" "$@" >"$TAP_TMP/judge.out" 2>&1
		judged_rc[$key]=$?
		judged_out[$key]=$(<"$TAP_TMP/judge.out")
	fi
	out=${judged_out[$key]} rc=${judged_rc[$key]}
}

# passes NAME VERIFY-ARGS... : exit 0, and each signature passed by each judge
# expected for its algorithm (Ed25519: dkimpy, mailauth, OpenDKIM; RSA: all four).
passes() {
	local name=$1; shift
	local out rc
	judge "$@"
	local expect=("pass dkimpy d=football.example.com s=brisbane a=ed25519-sha256"
		"pass mailauth d=football.example.com s=brisbane a=ed25519-sha256"
		"pass opendkim d=football.example.com s=brisbane a=ed25519-sha256"
		"pass dkimpy d=football.example.com s=test a=rsa-sha256"
		"pass mail-dkim d=football.example.com s=test a=rsa-sha256"
		"pass mailauth d=football.example.com s=test a=rsa-sha256"
		"pass opendkim d=football.example.com s=test a=rsa-sha256")
	local missing=""
	for w in "${expect[@]}"; do
		grep -qxF "$w" <<<"$out" || missing="$missing; no '$w'"
	done
	if [ "$rc" -eq 0 ] && [ -z "$missing" ] && ! grep -q '^fail' <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc$missing
$out"
	fi
}

# fails NAME WANT-EXIT PATTERN VERIFY-ARGS... : exits WANT-EXIT and prints a
# line matching PATTERN (so it failed for the reason we caused); with no_pass=1
# in its environment, no judge may pass any signature either.
fails() {
	local name=$1 want=$2 pattern=$3; shift 3
	local out rc
	judge "$@"
	if [ "$rc" -eq "$want" ] && grep -qE "$pattern" <<<"$out" &&
	   { [ -z "${no_pass:-}" ] || ! grep -q '^pass ' <<<"$out"; }; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (wanted $want, output matching /$pattern/):
$out"
	fi
}

t=$TAP_TMP

# 1. the good message, keys from the records file and from DNS
passes "RFC 8463 A.3 passes, both signatures, records file" --records "$records" "$signed"
tr -d '\r' <"$signed" >"$t/lf.eml"
passes "RFC 8463 A.3 with bare LF line ends passes (sent as CRLF)" --records "$records" "$t/lf.eml"
{ printf 'From joe@football.example.com Fri Jul 11 21:00:40 2003\n'; tr -d '\r' <"$signed"; } >"$t/mbox.eml"
passes "an mbox From_ line on top (as a local delivery saves it) is not part of the message" \
	--records "$records" "$t/mbox.eml"
{ printf 'Received: from a.example.net by b.example.net; Fri, 11 Jul 2003 21:01:00 -0700\r\n'; cat "$signed"; } >"$t/received.eml"
passes "an unsigned header added above the signatures still passes" --records "$records" "$t/received.eml"

port=$(free_port)
mkdir -p "$t/dns"
if pid=$("$top_srcdir/tests/verify/serve-records" "$records" "$t/dns" "$port" 2>"$t/dns.err"); then
	stop_dns() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	at_exit stop_dns
	passes "RFC 8463 A.3 passes, keys from a real DNS server (--server)" --server "127.0.0.1#$port" "$signed"
	sed 's/^From: Joe SixPack <joe@football.example.com>/From: Joe SixPack <joe@football.example.org>/' "$signed" |
		sed 's/d=football\.example\.com/d=football.example.org/' >"$t/nxdomain.eml"
	no_pass=1 fails "a key the DNS server does not have fails (NXDOMAIN)" 1 '^fail dkimpy d=football\.example\.org s=test' \
		--server "127.0.0.1#$port" "$t/nxdomain.eml"
	dead=$(free_port)
	no_pass=1 fails "a DNS server that does not answer fails, not passes" 1 '^fail mailauth .*s=brisbane' \
		--server "127.0.0.1#$dead" "$signed"
else
	not_ok "start a DNS server for --server" "$(cat "$t/dns.err")"
fi

# 2. damage: every judge must notice
sed 's/We lost the game\./We lost the gamE./' "$signed" >"$t/body.eml"
cmp -s "$signed" "$t/body.eml" && bail_out "body edit did not change the message"
no_pass=1 fails "one changed body byte fails" 1 '^fail mail-dkim d=football\.example\.com s=test .*body' \
	--records "$records" "$t/body.eml"
fails "one changed body byte fails with dkimpy (Ed25519)" 1 '^fail dkimpy d=football\.example\.com s=brisbane .*body hash' \
	--records "$records" "$t/body.eml"
fails "one changed body byte fails with mailauth (Ed25519)" 1 '^fail mailauth d=football\.example\.com s=brisbane .*body hash' \
	--records "$records" "$t/body.eml"
printf 'Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\nP.S.\r\n' >"$t/tail"
{ sed '/^\r$/q' "$signed"; cat "$t/tail"; } >"$t/appended.eml"
no_pass=1 fails "a line appended to the body fails" 1 '^fail dkimpy .*s=test' --records "$records" "$t/appended.eml"

sed 's/^Subject: Is dinner ready?/Subject: Is dinner ready!/' "$signed" >"$t/subject.eml"
cmp -s "$signed" "$t/subject.eml" && bail_out "subject edit did not change the message"
no_pass=1 fails "a changed signed header (Subject) fails" 1 '^fail dkimpy d=football\.example\.com s=brisbane' \
	--records "$records" "$t/subject.eml"
fails "a changed signed header fails with Mail::DKIM" 1 '^fail mail-dkim d=football\.example\.com s=test' \
	--records "$records" "$t/subject.eml"
sed 's/^To: Suzie Q/To: Suzie R/' "$signed" >"$t/to.eml"
no_pass=1 fails "a changed signed header (To) fails with mailauth" 1 '^fail mailauth d=football\.example\.com s=test' \
	--records "$records" "$t/to.eml"
sed 's/^\(Message-ID: .*\)$/\1\nSubject: added/' "$signed" | sed 's/^Subject: added$/Subject: added\r/' >"$t/extra.eml"
no_pass=1 fails "a second Subject (oversigned) added fails" 1 '^fail (dkimpy|mail-dkim|mailauth) ' \
	--records "$records" "$t/extra.eml"

sed 's/ t=1528637909;/ t=1528637900;/' "$signed" >"$t/tag.eml"
no_pass=1 fails "a changed tag in the DKIM-Signature itself fails" 1 '^fail mailauth .*s=test' \
	--records "$records" "$t/tag.eml"

# 3. wrong keys
sed 's|p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQ|p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOR|' "$records" >"$t/rsa-p.txt"
cmp -s "$records" "$t/rsa-p.txt" && bail_out "RSA p= edit did not change the records"
fails "a wrong RSA p= fails" 1 '^fail mail-dkim d=football\.example\.com s=test' --records "$t/rsa-p.txt" "$signed"
sed 's|p=11qYAYKx|p=11qYAYKy|' "$records" >"$t/ed-p.txt"
cmp -s "$records" "$t/ed-p.txt" && bail_out "Ed25519 p= edit did not change the records"
fails "a wrong Ed25519 p= fails" 1 '^fail mailauth d=football\.example\.com s=brisbane' --records "$t/ed-p.txt" "$signed"
grep -v '^brisbane\.' "$records" >"$t/no-ed.txt"
fails "a missing record fails" 1 '^fail dkimpy d=football\.example\.com s=brisbane' --records "$t/no-ed.txt" "$signed"
# the RSA record published under the Ed25519 name: a key of the wrong type
rsa_value=$(sed -n 's/^test\._domainkey\.football\.example\.com //p' "$records")
{ echo "brisbane._domainkey.football.example.com $rsa_value"; grep '^test\.' "$records"; } >"$t/swap.txt"
fails "an RSA key for an Ed25519 signature fails" 1 '^fail (dkimpy|mailauth) d=football\.example\.com s=brisbane' \
	--records "$t/swap.txt" "$signed"

# 4. nothing to judge, or too few judges
fails "a message with no signature fails" 1 '^fail .*no DKIM-Signature' --records "$records" "$rfc/message.eml"
printf 'From: a@example.com\r\nSubject: x\r\n' >"$t/headers-only.eml"
fails "a header-only message with no signature fails" 1 'no DKIM-Signature' --records "$records" "$t/headers-only.eml"
SIGNPOST_VERIFY_ONLY=dkimpy fails "one verifier alone never passes a signature" 1 \
	'^fail verdict d=football\.example\.com s=test .*only 1' --records "$records" "$signed"
SIGNPOST_VERIFY_ONLY=dkimpy,mail-dkim fails \
	"Ed25519 with only one verifier able to judge it fails (two are required)" 1 \
	'^fail verdict d=football\.example\.com s=brisbane .*only 1' --records "$records" "$signed"
awk 'BEGIN { skip = 0 }
     /^DKIM-Signature: v=1; a=ed25519-sha256/ { skip = 1; next }
     skip && /^[ \t]/ { next }
     { skip = 0; print }' "$signed" >"$t/rsa-only.eml"
out=$(SIGNPOST_VERIFY_ONLY=dkimpy,mail-dkim "$verify" --records "$records" "$t/rsa-only.eml" 2>&1) &&
	grep -q '^pass dkimpy .*s=test' <<<"$out" && grep -q '^pass mail-dkim .*s=test' <<<"$out" &&
	ok "RSA alone passes with two verifiers (dkimpy, Mail::DKIM)" ||
	not_ok "RSA alone passes with two verifiers (dkimpy, Mail::DKIM)" "$out"
out=$(SIGNPOST_NODE_MODULES=$t/absent/node_modules "$verify" --records "$records" "$signed" 2>&1) &&
	grep -q 'mailauth is not installed' <<<"$out" && ! grep -q '^pass mailauth' <<<"$out" &&
	ok "without mailauth installed it says so, and the other judges still decide" ||
	not_ok "without mailauth installed it says so, and the other judges still decide" "$out"
SIGNPOST_VERIFY_ONLY=nosuch fails "an unknown verifier name in SIGNPOST_VERIFY_ONLY is refused" 2 'names no verifier' \
	--records "$records" "$signed"

# 5. several messages in one call: each judged on its own
out=$("$verify" --records "$records" "$signed" "$t/body.eml" "$t/lf.eml" 2>&1) && rc=0 || rc=$?
if [ "$rc" -eq 1 ] && grep -qxF "$signed: => pass" <<<"$out" && grep -qxF "$t/body.eml: => fail" <<<"$out" &&
   grep -qxF "$t/lf.eml: => pass" <<<"$out" && grep -q "^$t/body.eml: fail mail-dkim .*s=test" <<<"$out"; then
	ok "three messages in one call: each gets its own verdict, one bad one fails the call"
else
	not_ok "three messages in one call: each gets its own verdict, one bad one fails the call" "exit $rc
$out"
fi

# 6. the default judges: dkimpy and Mail::DKIM, and for Ed25519 OpenDKIM
# for up to three messages, mailauth for more (they start the cheaper)
default_judges() {   # default_judges NAME WANT LEFT-OUT MESSAGE...
	local name=$1 want=$2 left_out=$3; shift 3
	SIGNPOST_VERIFY_ONLY= judge --records "$records" "$@"
	if [ "$rc" -eq 0 ] && ! grep -q "pass $left_out " <<<"$out" &&
	   [ "$(grep -c "pass $want d=football\.example\.com s=brisbane a=ed25519-sha256\$" <<<"$out")" -eq $# ] &&
	   [ "$(grep -c 'pass mail-dkim d=football\.example\.com s=test a=rsa-sha256$' <<<"$out")" -eq $# ] &&
	   [ "$(grep -c 'pass dkimpy d=football\.example\.com s=brisbane ' <<<"$out")" -eq $# ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc
$out"
	fi
}
default_judges "by default one message is judged by dkimpy, Mail::DKIM and OpenDKIM" \
	opendkim mailauth "$signed"
cp "$signed" "$t/copy2.eml"; cp "$signed" "$t/copy3.eml"; cp "$signed" "$t/copy4.eml"
default_judges "by default four messages are judged by dkimpy, Mail::DKIM and mailauth" \
	mailauth opendkim "$signed" "$t/copy2.eml" "$t/copy3.eml" "$t/copy4.eml"
out=$(SIGNPOST_VERIFY_ONLY= SIGNPOST_NODE_MODULES=$t/absent/node_modules \
	"$verify" --records "$records" "$signed" "$t/copy2.eml" "$t/copy3.eml" "$t/copy4.eml" 2>&1) &&
	[ "$(grep -c ': pass opendkim .*s=brisbane ' <<<"$out")" -eq 4 ] &&
	ok "by default, without mailauth four messages are judged by OpenDKIM instead" ||
	not_ok "by default, without mailauth four messages are judged by OpenDKIM instead" "$out"

# 7. usage
fails "no arguments is a usage error" 2 'usage' 
fails "both --records and --server is a usage error" 2 'usage' --records "$records" --server 127.0.0.1 "$signed"
fails "a missing message file is an error" 2 'no-such' --records "$records" "$t/no-such.eml"
fails "a missing records file is an error" 2 'no-such' --records "$t/no-such.txt" "$signed"

done_testing

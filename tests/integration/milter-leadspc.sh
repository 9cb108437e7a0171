#!/bin/bash
# milter-leadspc.sh - an MTA that does not offer SMFIP_HDR_LEADSPC
# (Sendmail, older Postfix) eats the first space after each header colon,
# so "Subject:x" and "Subject: x" look alike and "simple" header
# canonicalization cannot be reproduced. signpost-milter then signs with
# "relaxed" header canonicalization for that connection, says so in the
# log, and the independent verifiers accept the result; with the flag
# offered, "simple" stays "simple".
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
sed -i 's|^keys_dir = .*|&\ncanonicalization = simple/simple|' "$conf"
printf '[domain example.com]\nselector = r1, e1\n' >>"$conf"

# Header fields whose white space after the colon is not one plain space.
msg="$TAP_TMP/m.eml"
printf '%s\r\n' 'From: Alice <alice@example.com>' $'To:\tBob <bob@example.org>' \
	'Subject:no space after the colon' 'Cc:   Carol <carol@example.org>' \
	'Date: Mon, 02 Mar 2026 10:00:00 +0000' 'Message-ID:' ' <folded.1@example.com>' \
	'' 'Hello.' >"$msg"

# canon FILE: the c= of each DKIM-Signature, one per line.
canon() {
	/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" sig-tags "$1" c | sed 's/^c=//'
}

mt_start "$conf" || bail_out "the daemon did not start"

# --- without SMFIP_HDR_LEADSPC -------------------------------------------
mt_client --no-leadspc -o "$TAP_TMP/no.out" "$msg"
[ "$(mt_sigs "$TAP_TMP/no.out" | wc -l)" -eq 2 ] && ok "no LEADSPC: signed (two signatures)" ||
	not_ok "no LEADSPC: signed" "$(cat "$TAP_TMP/client.out" "$TAP_TMP/client.err")"
[ "$(canon "$TAP_TMP/no.out" | sort -u)" = "relaxed/simple" ] && ok "no LEADSPC: c=relaxed/simple" ||
	not_ok "no LEADSPC: c=relaxed/simple" "$(canon "$TAP_TMP/no.out")"
if out=$(mt_verify "$TAP_TMP/no.out" 2>&1); then ok "no LEADSPC: the independent verifiers pass both signatures"
else not_ok "no LEADSPC: the independent verifiers pass both signatures" "$out"; fi
mt_log_has "the MTA does not offer SMFIP_HDR_LEADSPC" && ok "no LEADSPC: logged why" ||
	not_ok "no LEADSPC: logged why" "$(tail -n 5 "$MT_LOG")"
mt_log_has "(header canonicalization relaxed, not simple: the MTA does not send the leading space)" &&
	ok "no LEADSPC: the signed line says relaxed" || not_ok "no LEADSPC: the signed line says relaxed" "$(tail -n 5 "$MT_LOG")"
mt_client --no-leadspc -o "$TAP_TMP/no2.out" "$msg"
[ "$(grep -c 'does not offer SMFIP_HDR_LEADSPC' "$MT_LOG")" -eq 1 ] && ok "no LEADSPC: the warning comes once, not per message" ||
	not_ok "no LEADSPC: the warning comes once" "$(grep -c 'does not offer SMFIP_HDR_LEADSPC' "$MT_LOG")"

# --- with SMFIP_HDR_LEADSPC: simple stays simple ---------------------------
mt_client -o "$TAP_TMP/yes.out" "$msg"
[ "$(canon "$TAP_TMP/yes.out" | sort -u)" = "simple/simple" ] && ok "LEADSPC: c=simple/simple" ||
	not_ok "LEADSPC: c=simple/simple" "$(canon "$TAP_TMP/yes.out")"
if out=$(mt_verify "$TAP_TMP/yes.out" 2>&1); then ok "LEADSPC: the independent verifiers pass both signatures"
else not_ok "LEADSPC: the independent verifiers pass both signatures" "$out"; fi
mt_stop

# --- relaxed configured: unchanged either way ------------------------------
sed -i 's|^canonicalization = .*|canonicalization = relaxed/relaxed|' "$conf"
mt_start "$conf" || bail_out "the daemon did not start"
mt_client --no-leadspc -o "$TAP_TMP/rr.out" "$msg"
[ "$(canon "$TAP_TMP/rr.out" | sort -u)" = "relaxed/relaxed" ] && ok "relaxed/relaxed, no LEADSPC: c=relaxed/relaxed" ||
	not_ok "relaxed/relaxed, no LEADSPC: c=relaxed/relaxed" "$(canon "$TAP_TMP/rr.out")"
if out=$(mt_verify "$TAP_TMP/rr.out" 2>&1); then ok "relaxed/relaxed, no LEADSPC: verified"
else not_ok "relaxed/relaxed, no LEADSPC: verified" "$out"; fi
mt_log_has "does not offer SMFIP_HDR_LEADSPC" && not_ok "relaxed configured: no warning" || ok "relaxed configured: no warning"
mt_stop
done_testing

#!/bin/bash
# milter-bounds.sh - the header limits and existing signatures, through the
# real daemon: a header at max_header_fields / max_field_bytes is signed and
# one past it passes unsigned with the limit in the log line (never
# on_error); so does a header over max_header_bytes. A message carrying a
# forged signature with our d= and s=, or a stale one of ours whose body
# changed, is signed anew with a notice saying why; one carrying our
# genuine signatures is not signed twice. Every new signature is checked by
# independent verifiers.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
sed -i 's/^log_level = debug$/log_level = debug\nmax_header_fields = 100\nmax_header_bytes = 16k\nmax_field_bytes = 4k\non_error = tempfail/' "$conf"
printf '[domain example.com]\nselector = r1, e1\n' >>"$conf"
mt_start "$conf" || bail_out "the daemon did not start"

both="d=example.com s=r1 a=rsa-sha256|d=example.com s=e1 a=ed25519-sha256"

# reply: the final verdict milter-client printed for the last message.
reply() { awk '/ reply /{ r = $3 } END { print r }' "$TAP_TMP/client.out"; }

# signed NAME FILE: FILE carries both new signatures on top, and they verify
# (later DKIM-Signature fields, the old ones, are left out for the judges).
signed() {
	local got
	got=$(mt_sigs "$2" | sed -n 1,2p | paste -sd'|')
	if [ "$got" = "$both" ]; then ok "$1: signed"; else not_ok "$1: signed" "got '$got'"; fi
	/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" keep-sigs "$2" "$2.new" 2
	check "$1: verifiers pass" mt_verify "$2.new"
}
# unsigned NAME FILE REASON: no signature added, ACCEPT, the log says REASON.
unsigned() {
	local got
	got=$(mt_sigs "$2" | paste -sd'|')
	if [ -z "$got" ] && [ "$(reply)" = accept ]; then ok "$1: passed unsigned"
	else not_ok "$1: passed unsigned" "got '$got', reply $(reply)"; fi
	if mt_log_has "not signed: $3"; then ok "$1: log says \"$3\""
	else not_ok "$1: log says \"$3\"" "$(tail -n 5 "$MT_LOG")"; fi
}

# fields FILE N: a message of N header fields (From:, To:, Subject:, X-Pad...).
fields() {
	{
		printf 'From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: pads\n'
		for i in $(seq 4 "$2"); do printf 'X-Pad: %d\n' "$i"; done
		printf '\nbody\n'
	} >"$1"
}

# --- max_header_fields = 100 ------------------------------------------------
fields "$TAP_TMP/f100.eml" 100
mt_client -o "$TAP_TMP/f100.out" "$TAP_TMP/f100.eml"
signed "100 fields (at max_header_fields)" "$TAP_TMP/f100.out"
fields "$TAP_TMP/f101.eml" 101
mt_client -o "$TAP_TMP/f101.out" "$TAP_TMP/f101.eml"
unsigned "101 fields (one past)" "$TAP_TMP/f101.out" \
	"header over the limit: more than 100 fields (max_header_fields = 100)"

# --- max_field_bytes = 4k: "X-Big:" + " " + value --------------------------
big() {
	{
		printf 'From: Alice <alice@example.com>\nSubject: big\nX-Big: '
		head -c "$2" /dev/zero | tr '\0' v
		printf '\n\nbody\n'
	} >"$1"
}
big "$TAP_TMP/b4096.eml" $((4096 - 7))
mt_client -o "$TAP_TMP/b4096.out" "$TAP_TMP/b4096.eml"
signed "a field of 4096 bytes (at max_field_bytes)" "$TAP_TMP/b4096.out"
big "$TAP_TMP/b4097.eml" $((4096 - 6))
mt_client -o "$TAP_TMP/b4097.out" "$TAP_TMP/b4097.eml"
unsigned "a field of 4097 bytes (one past)" "$TAP_TMP/b4097.out" \
	"header over the limit: a field of 4097 bytes (max_field_bytes = 4096)"

# --- max_header_bytes = 16k: 20 fields of 1,000 bytes -------------------------
{
	printf 'From: Alice <alice@example.com>\nSubject: wide\n'
	for i in $(seq 1 20); do printf 'X-Wide: '; head -c 992 /dev/zero | tr '\0' w; printf '\n'; done
	printf '\nbody\n'
} >"$TAP_TMP/wide.eml"
mt_client -o "$TAP_TMP/wide.out" "$TAP_TMP/wide.eml"
unsigned "a 20 KB header" "$TAP_TMP/wide.out" \
	"header over the limit: more than 16384 bytes (max_header_bytes = 16384)"

# --- existing signatures with our d= and s= ----------------------------------
mt_message "$TAP_TMP/plain.eml" "Alice <alice@example.com>"
mt_client -o "$TAP_TMP/first.out" "$TAP_TMP/plain.eml"
signed "first pass" "$TAP_TMP/first.out"

# Our genuine signatures: not signed twice.
mt_client -o "$TAP_TMP/again.out" "$TAP_TMP/first.out"
if [ "$(grep -c ' mod insheader ' "$TAP_TMP/client.out")" -eq 0 ]; then ok "genuine: no signature added"
else not_ok "genuine: no signature added" "$(cat "$TAP_TMP/client.out")"; fi
if mt_log_has "not signed: already signed by d=example.com s=r1,e1 (the signatures verify with our keys)"; then
	ok "genuine: log says already signed"
else not_ok "genuine: log says already signed" "$(tail -n 3 "$MT_LOG")"; fi

# Forged: every b= of ours altered (anyone can copy d= and s=).
/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" flip-b "$TAP_TMP/first.out" \
	"$TAP_TMP/forged.eml" 2 || bail_out "could not forge the signatures"
mt_client -o "$TAP_TMP/forged.out" "$TAP_TMP/forged.eml"
signed "forged signatures with our d= and s=" "$TAP_TMP/forged.out"
if mt_log_has "an existing signature with d=example.com s=r1 does not verify (b= does not verify): signed anew"; then
	ok "forged: the notice says why"
else not_ok "forged: the notice says why" "$(tail -n 5 "$MT_LOG")"; fi

# Stale: our genuine signatures on a message re-sent with another body.
sed 's/this is a test\./this is another test./' "$TAP_TMP/first.out" >"$TAP_TMP/stale.eml"
mt_client -o "$TAP_TMP/stale.out" "$TAP_TMP/stale.eml"
signed "stale signatures (the body changed)" "$TAP_TMP/stale.out"
if mt_log_has "an existing signature with d=example.com s=e1 does not verify (the body hash differs): signed anew"; then
	ok "stale: the notice says why"
else not_ok "stale: the notice says why" "$(tail -n 5 "$MT_LOG")"; fi

mt_stop
if [ "$MT_STATUS" = 0 ]; then ok "the daemon stops cleanly"
else not_ok "the daemon stops cleanly" "exit $MT_STATUS"; fi
done_testing

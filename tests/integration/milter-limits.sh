#!/bin/bash
# milter-limits.sh - the resource limits signpost-milter owns, each at the
# limit and one past it: max_connections (MTA connections at once) and
# max_packet_size (one milter packet, e.g. one header field); a log line
# when either is hit; bad values refused with FILE:LINE; -t shows both.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
printf '[domain example.com]\nselector = r1\n' >>"$conf"
mt_message "$TAP_TMP/m.eml" "Alice <alice@example.com>"

# set NAME VALUE: put "NAME = VALUE" into [milter] of $conf.
set_limit() {
	sed -i "/^$1 = /d" "$conf"
	sed -i "s/^log_level = debug\$/log_level = debug\n$1 = $2/" "$conf"
}

# --- configuration ------------------------------------------------------------
out=$("$MILTER" -c "$conf" -t 2>&1)
printf '%s\n' "$out" | grep -qx 'limits: max_connections 1000, max_packet_size 4194304 bytes' &&
	ok "-t shows the default limits" || not_ok "-t shows the default limits" "$out"
for bad in "max_connections 0" "max_connections 100001" "max_connections 12x" \
	"max_packet_size 65535" "max_packet_size 65m" "max_packet_size 4g" "max_packet_size -1"; do
	set -- $bad
	set_limit "$1" "$2"
	line=$(grep -n "^$1 = " "$conf" | cut -d: -f1)
	out=$("$MILTER" -c "$conf" -t 2>&1); st=$?
	if [ "$st" -eq 2 ] && printf '%s\n' "$out" | grep -q "$conf:$line: $1: \"$2\" is \(out of range\|not a\)"; then
		ok "$1 = $2 refused with FILE:LINE"
	else
		not_ok "$1 = $2 refused with FILE:LINE" "exit $st: $out"
	fi
	sed -i "/^$1 = /d" "$conf"
done
set_limit max_packet_size 64k
set_limit max_connections 3
out=$("$MILTER" -c "$conf" -t 2>&1)
printf '%s\n' "$out" | grep -qx 'limits: max_connections 3, max_packet_size 65536 bytes' &&
	ok "-t shows max_connections = 3, max_packet_size = 64k" || not_ok "-t shows the limits set" "$out"

mt_start "$conf" || bail_out "the daemon did not start"

# --- max_connections: 3 held at once pass, a 4th is refused -----------------
load() {   # load N: N connections held open at once, one message each
	"$CLIENT" -s "unix:$SOCK" -t 60 --load --hold -c "$1" -m 1 "$TAP_TMP/m.eml" 2>"$TAP_TMP/load.err"
}
out=$(load 3)
case $out in
*" signed=3 "*"errors=0"*) ok "max_connections = 3: 3 connections at once, 3 signed" ;;
*) not_ok "max_connections = 3: 3 connections at once, 3 signed" "$out $(cat "$TAP_TMP/load.err")" ;;
esac
mt_log_has "refused" && not_ok "at the limit: nothing refused" "$(grep refused "$MT_LOG")" || ok "at the limit: nothing refused"
# The 4th connection retries while the 3 others stay open: every try is refused.
out=$(load 4)
case $out in
*"messages=3 "*" signed=3 "*"errors=0"*) not_ok "max_connections = 3: a 4th connection is refused" "$out" ;;
*"messages=3 "*" signed=3 "*"errors="[1-9]*) ok "max_connections = 3: a 4th connection at once is refused, 3 signed" ;;
*) not_ok "max_connections = 3: a 4th connection is refused" "$out $(cat "$TAP_TMP/load.err")" ;;
esac
mt_wait_log "refused 1 MTA connection(s): 3 are open, max_connections = 3" &&
	ok "one past the limit: logged" || not_ok "one past the limit: logged" "$(tail -n 5 "$MT_LOG")"
out=$(load 3)
case $out in
*" signed=3 "*"errors=0"*) ok "after the refusal, 3 at once work again (every slot was given back)" ;;
*) not_ok "after the refusal, 3 at once work again" "$out $(cat "$TAP_TMP/load.err")" ;;
esac

# --- max_packet_size = 65536: a header field packet at the limit and one past ---
# SMFIC_HEADER carries "X-Pad\0" + the value (with its leading space) + "\0".
pad_message() {   # pad_message FILE VALUE-LENGTH
	{
		printf 'From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: pad\n'
		printf 'X-Pad: '; head -c $(($2 - 1)) /dev/zero | tr '\0' a; printf '\n'
		printf '\nbody\n'
	} >"$1"
}
pad_message "$TAP_TMP/at.eml" $((65536 - 7))
pad_message "$TAP_TMP/past.eml" $((65536 - 6))
mt_client -o "$TAP_TMP/at.out" "$TAP_TMP/at.eml"
if grep -qE '^1 reply (continue|accept)' "$TAP_TMP/client.out"; then
	ok "a 65536-byte header packet is taken: $(grep reply "$TAP_TMP/client.out")"
else
	not_ok "a 65536-byte header packet is taken" "$(cat "$TAP_TMP/client.out" "$TAP_TMP/client.err")"
fi
mt_log_has "max_packet_size" && not_ok "at the limit: no abort logged" "$(grep max_packet_size "$MT_LOG")" ||
	ok "at the limit: no abort logged"
mt_client -o "$TAP_TMP/past.out" "$TAP_TMP/past.eml"
if grep -qE '^1 reply (continue|accept)' "$TAP_TMP/client.out"; then
	not_ok "a 65537-byte header packet is refused" "$(cat "$TAP_TMP/client.out")"
else
	ok "a 65537-byte header packet is refused: $(grep reply "$TAP_TMP/client.out" | head -n 1)"
fi
mt_wait_log "over max_packet_size = 65536 bytes" && ok "one past the limit: logged" ||
	not_ok "one past the limit: logged" "$(tail -n 5 "$MT_LOG")"
mt_client -o "$TAP_TMP/after.out" "$TAP_TMP/m.eml"
[ "$(mt_sigs "$TAP_TMP/after.out")" = "d=example.com s=r1 a=rsa-sha256" ] &&
	ok "the next connection signs as before" || not_ok "the next connection signs as before"
mt_stop
[ "$MT_STATUS" -eq 0 ] && ok "stopped: exit 0" || not_ok "stopped: exit 0" "exit $MT_STATUS"
done_testing

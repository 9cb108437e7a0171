# postfix-client.sh - milter-client speaks the milter protocol as Postfix
# does. A recording milter (postfix-recorder.py) sits first behind a real
# Postfix, then behind tests/tools/milter-client given the same session and
# message; the two records of packets (negotiation, every macro, header,
# body chunk, ABORT, QUIT) must be identical, and the message Postfix
# delivers after the recorder's header edits must be byte for byte the one
# milter-client writes. Run with and without SMFIP_HDR_LEADSPC, no-reply
# headers, macro lists set by the milter, and a skipped event.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"

pf_require
REC_SOCK=$TAP_TMP/rec/milter.sock
mkdir -p "$TAP_TMP/rec"
chmod 0755 "$TAP_TMP/rec"
pf_start_sink
pf_start_dovecot
pf_start_postfix "unix:$REC_SOCK"

# A message that exercises the framing: folded, empty, unspaced, 8-bit and
# duplicate header fields; body lines around the 65,535-byte chunk size,
# one over Postfix's 2,048-byte record size, a leading dot, trailing blanks.
msg=$TAP_TMP/message.eml
/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" framing-message "$msg" ||
	bail_out "could not write $msg"

rec_pid=""
start_recorder() {   # start_recorder LOGDIR FLAGS...
	local dir=$1
	shift
	/usr/bin/python3 "$top_srcdir/tests/integration/postfix-recorder.py" "$@" \
		"$REC_SOCK" "$dir" >"$dir.out" 2>&1 &
	rec_pid=$!
	pf_remember "$rec_pid"
	rm -f "$REC_SOCK.wait"
	pf_wait_socket "$REC_SOCK" || bail_out "the recorder did not start: $(cat "$dir.out")"
}
stop_recorder() {    # stop_recorder LOGDIR: after the conversation ended
	for _ in $(seq 100); do
		grep -q '^CLOSED' "$1/conn-1.log" 2>/dev/null && break
		sleep 0.1
	done
	pf_stop_pid "$rec_pid"
	rm -f "$REC_SOCK"
}

# The Received: field Postfix wrote (what the milter never sees), raw.
received_of() {
	/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" received "$1"
}

scenario() {   # scenario NAME RECORDER-FLAGS...: two messages, one session
	local label=$1 dir=$TAP_TMP/rec/$1 client_name received first second
	shift
	mkdir -p "$dir"
	start_recorder "$dir/postfix" "$@"
	check "$label: Postfix accepts two messages in one session" \
		pf_smtp --source 127.0.0.1 --repeat 2 "$msg"
	pf_next_delivery && first=$PF_LAST
	pf_next_delivery && second=$PF_LAST
	stop_recorder "$dir/postfix"
	[ -n "$second" ] || { not_ok "$label: Postfix delivered them"; pf_diag_logs; return; }

	client_name=$(sed -n 's/^CONNECT \([^ ]*\) .*/\1/p' "$dir/postfix/conn-1.log")
	start_recorder "$dir/client" "$@"
	check "$label: milter-client completes the conversation" \
		"$top_builddir/tests/tools/milter-client" -s "unix:$REC_SOCK" \
		-a 127.0.0.1 -N "${client_name:-localhost}" -H client.example.org \
		-j mx.signpost.test -f alice@example.com -r bob@example.net \
		-F SIZE=0 -F BODY=8BITMIME --received "$(received_of "$first")" \
		-o "$dir/client.eml" "$msg" "$msg"
	stop_recorder "$dir/client"

	if out=$(diff "$dir/postfix/conn-1.log" "$dir/client/conn-1.log"); then
		ok "$label: the milter receives the same packets from both ($(wc -l < "$dir/client/conn-1.log") packets)"
	else
		not_ok "$label: the milter receives the same packets from both" "$out"
	fi
	# The Received: field differs between the two deliveries (queue id):
	# the client was given the first one's, so compare the first message.
	if cmp -s "$first" "$dir/client.eml.1"; then
		ok "$label: the same header edits give the same message"
	else
		not_ok "$label: the same header edits give the same message" \
			"$(diff <(tr -d '\r' < "$first") <(tr -d '\r' < "$dir/client.eml.1") | head -n 20)"
	fi
}

scenario "leading space, no header replies, macro lists" --leadspc --noreply-headers --symlist
scenario "Sendmail header spacing, every reply" 
scenario "HELO skipped, leading space" --skip-helo --leadspc

# milter-client's own knobs, seen from the recorder: abort, drop, load mode.
own=$TAP_TMP/rec/own
client() { "$top_builddir/tests/tools/milter-client" -s "unix:$REC_SOCK" "$@"; }
mkdir -p "$own"
start_recorder "$own/abort" --leadspc
out=$(client --abort 1:eoh "$msg" "$msg" 2>&1)
stop_recorder "$own/abort"
if echo "$out" | grep -qx '1 reply aborted' && echo "$out" | grep -qx '2 reply continue' &&
   [ "$(grep -c '^EOB' "$own/abort/conn-1.log")" -eq 1 ] &&
   grep -A1 '^EOH' "$own/abort/conn-1.log" | head -n 2 | tail -n 1 | grep -qx ABORT; then
	ok "--abort 1:eoh: SMFIC_ABORT right after EOH, the next message completes"
else
	not_ok "--abort 1:eoh: SMFIC_ABORT right after EOH, the next message completes" "$out"
fi
start_recorder "$own/drop" --leadspc
out=$(client --drop 1:body:65535 "$msg" "$msg" 2>&1)
stop_recorder "$own/drop"
if echo "$out" | grep -qx '1 reply dropped' && echo "$out" | grep -qx '2 reply continue' &&
   [ "$(tail -n 2 "$own/drop/conn-1.log" | head -n 1 | cut -d' ' -f1,2)" = "BODY 65535" ] &&
   grep -q '^EOB' "$own/drop/conn-2.log"; then
	ok "--drop 1:body:65535: closed after the first chunk, the next message on a new connection"
else
	not_ok "--drop 1:body:65535: closed after the first chunk, the next message on a new connection" \
		"$out; $(tail -n 3 "$own/drop/conn-1.log" | cut -c1-60)"
fi
start_recorder "$own/load" --leadspc --noreply-headers
out=$(client --load -c 3 -m 4 --hold "$msg" 2>&1)
stop_recorder "$own/load"
if echo "$out" | grep -q 'connections=3 messages=12 .* accept=12 signed=12 tempfail=0 reject=0 other=0 errors=0' &&
   [ "$(cat "$own"/load/conn-*.log | grep -c '^EOB')" -eq 12 ] &&
   [ "$(ls "$own"/load/conn-*.log | wc -l)" -eq 3 ]; then
	ok "--load -c 3 -m 4 --hold: 12 messages on 3 connections, all counted"
else
	not_ok "--load -c 3 -m 4 --hold: 12 messages on 3 connections, all counted" "$out"
fi
# --rate paces the messages: 10 at 20 a second start over 0.45 s, where
# back to back they take a few milliseconds (0.4: the run's clock starts
# when the connections do, give or take a scheduler's delay).
start_recorder "$own/rate" --leadspc --noreply-headers
out=$(client --load -c 2 -m 5 --rate 20 "$msg" 2>&1)
stop_recorder "$own/rate"
secs=$(echo " $out" | sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p')
if echo "$out" | grep -q 'connections=2 messages=10 .* accept=10 signed=10 .* errors=0' &&
   awk -v s="${secs:-0}" 'BEGIN { exit !(s >= 0.4) }' &&
   [ "$(cat "$own"/rate/conn-*.log | grep -c '^EOB')" -eq 10 ]; then
	ok "--load --rate 20: 10 messages paced, not sent back to back (took $secs s)"
else
	not_ok "--load --rate 20: 10 messages paced, not sent back to back" "$out"
fi

# What the records show about Postfix, checked where it matters to a milter.
log=$TAP_TMP/rec/leading\ space,\ no\ header\ replies,\ macro\ lists/postfix/conn-1.log
check "Postfix offers protocol version 6, all actions and steps" \
	grep -qx 'OPTNEG version=6 actions=0x1ff events=0x1fffff' "$log"
check "Postfix sends SMFIC_ABORT after each message, and again before QUIT" \
	sh -c '[ "$(grep -c "^ABORT" "$1")" -eq 3 ] && tail -n 5 "$1" | tr "\n" " " | grep -q "^EOB ABORT ABORT QUIT CLOSED"' - "$log"
check "Postfix defines i only from DATA on (queue file opened after RCPT)" \
	sh -c '! grep -q "^MACRO [MR] .*\bi=" "$1" && grep -q "^MACRO T i=" "$1"' - "$log"
check "Postfix re-sends the end-of-header macros before each header" \
	sh -c '[ "$(grep -c "^HEADER" "$1")" -eq "$(grep -c "^MACRO L" "$1")" ]' - "$log"
check "Postfix sends the body in 65,535-byte chunks" grep -q '^BODY 65535 ' "$log"
check "Postfix hides its own Received: from the milter" \
	sh -c '! grep -qi "^HEADER .received" "$1"' - "$log"

done_testing

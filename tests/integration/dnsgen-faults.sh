#!/bin/bash
# dnsgen-faults.sh - `dnsgen check --server` against DNS servers that break
# in the ways real ones do (tests/tools/dns-fault-server.py on loopback):
# silence, REFUSED, SERVFAIL, a truncated UDP answer (TCP must follow), a
# TCP side that stalls, a CNAME loop, a referral, an answer for another
# name or question, a malformed TXT record, and answers at and past the
# written limits on records and bytes. Each gives one clear line, the exit
# status SPEC asks for (2: DNS could not be asked, 1: found wrong), and
# finishes within a bound generous for a loaded two-core machine: the
# budget in dnsgen(1) is 8 s per question and 60 s per run.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need dig dnspython named-checkzone kzonecheck

dg_setup
zones=$TAP_TMP/zones
mkdir -p "$zones"
dg_zone "$conf" 1 >"$zones/example.com.zone"
dg_reverse_zones "$zones"
dg_zone_ok "the served zone" example.com "$zones/example.com.zone"
port=$(free_port)
fault_start "$TAP_TMP" 127.0.0.1 "$port" \
	"example.com=$zones/example.com.zone" \
	"113.0.203.in-addr.arpa=$zones/113.0.203.in-addr.arpa.zone" \
	"8.b.d.0.1.0.0.2.ip6.arpa=$zones/8.b.d.0.1.0.0.2.ip6.arpa.zone" ||
	bail_out "dns-fault-server did not start"
at_exit fault_stop
server="127.0.0.1#$port"
mode() { echo "$1" >"$TAP_TMP/mode"; }
run() { "$DNSGEN" -c "$conf" check --server "$server"; }

# Seconds a run may take: FAST when every answer comes at once, SLOW when
# one question must wait for its full budget (8 s) and the rest are skipped.
FAST=10
SLOW=30

mode normal
timed_rc "a faithful server" 0 "$FAST" run
out_has "a faithful server: every record ok" '^example.com: [0-9]+ ok, 0 missing, 0 differ, 0 fail, 0 errors$'

mode silent
timed_rc "a server that never answers" 2 "$SLOW" run
out_has "silence: the reason" "^ +error: +no answer from $server: timed out \(2 tries over UDP in 4 s\)$"
out_has "silence: every record is an error, not missing" '^example.com: 0 ok, 0 missing, 0 differ, 0 fail, [0-9]+ errors$'

mode refused
timed_rc "REFUSED" 2 "$FAST" run
out_has "REFUSED: the reason" "^ +error: +$server answered REFUSED for example.com. TXT: it will not answer for this name"

mode servfail
timed_rc "SERVFAIL" 2 "$FAST" run
out_has "SERVFAIL: the reason" "^ +error: +$server answered SERVFAIL for example.com. MX: the server failed"

mode truncate
timed_rc "a truncated UDP answer: retried over TCP, all ok" 0 "$FAST" run
out_has "truncated: the records were read over TCP" '^ok +TXT +example.com. +v=spf1 '

mode truncate-stall
timed_rc "truncated, then TCP stalls" 2 "$SLOW" run
out_has "TCP stall: the reason" "^ +error: +no answer from $server over TCP after a truncated UDP answer: timed out \(4 s\)$"

mode cname-loop
timed_rc "a CNAME loop: found wrong" 1 "$FAST" run
out_has "CNAME loop: the reason names the loop" \
	'^ +why: +a CNAME loop \(example.com. -> loop-a.example.com. -> loop-b.example.com. -> example.com.\): no resolver gets through it$'

mode lame
timed_rc "a referral instead of an answer" 2 "$FAST" run
out_has "referral: the reason" "^ +error: +$server is not authoritative for example.com.: it refers the question to ns.elsewhere.example \(a lame delegation\)$"

mode other-name
timed_rc "records for another name" 2 "$FAST" run
out_has "another name: the reason" "^ +error: +$server answered example.com. MX with records for other.example.com. only$"

mode other-question
timed_rc "an answer to another question" 2 "$FAST" run
out_has "another question: the reason" "^ +error: +$server answered another question \(other.example.com. TXT\) than the one asked \(example.com. TXT\)$"

mode bad-txt-length
timed_rc "a TXT string length past its record: differs" 1 "$FAST" run
out_has "bad TXT length: the reason" '^ +why: +a character-string length runs past the end of the TXT record \(RFC 1035 section 3.3.14\)$'
out_has "bad TXT length: what could be read is shown" '^ +found: +v=spf1 -a$'

# Records per answer (all sections): 256 are read, 257 are refused.
mode pad:256
timed_rc "256 records in one answer (the limit)" 0 "$FAST" run
out_has "256 records: the SPF record among them is judged" '^ok +TXT +example.com. +v=spf1 '
mode pad:257
timed_rc "257 records in one answer (past the limit)" 2 "$FAST" run
out_has "257 records: the reason" "^ +error: +$server sent 257 records in one answer, more than the 256 dnsgen reads$"

# Bytes per answer: 32768 are read (over TCP), 32769 are not.
mode size:32768
timed_rc "an answer of 32768 bytes (the limit)" 0 "$FAST" run
out_has "32768 bytes: judged" '^ok +TXT +example.com. +v=spf1 '
mode size:32769
timed_rc "an answer of 32769 bytes (past the limit)" 2 "$FAST" run
out_has "32769 bytes: the reason" "^ +error: +no usable answer from $server: it announced a TCP answer of 32769 bytes, more than the 32768 dnsgen reads$"

# -f json carries the same reasons, as valid JSON.
mode servfail
check_rc "json: SERVFAIL exits 2" 2 "$DNSGEN" -c "$conf" check --server "$server" -f json
check "json: valid, one error object per record, with the reason" "$PY" -c '
import json, sys
items = json.loads(sys.argv[1])
assert items and all(i["verdict"] == "error" for i in items), items
assert all("answered SERVFAIL" in i["why"] for i in items), items' "$OUT"

done_testing

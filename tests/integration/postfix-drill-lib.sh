# postfix-drill-lib.sh - what the fault drills (postfix-drill-*.sh) share.
# Source it after tests/tap.sh and tests/integration/postfix-lib.sh.
#
# A drill runs a load of distinct messages (drill-load.py, which retries
# on 4xx as a sending MTA would) through the private Postfix and
# signpost-milter, strikes while the load runs, and then proves with counts
# that nothing was lost, doubled or passed unsigned:
#   - every message sent was accepted (after retries) and none refused;
#   - the sink holds each message exactly once, and nothing else;
#   - each carries two DKIM-Signature fields (selectors rsa and ed), and
#     verify-dkim (two independent verifiers must pass, none may fail)
#     accepts every one against the records dnsgen printed.
# Postfix runs with milter_default_action = tempfail (postfix-lib.sh), so a
# message the milter cannot handle is answered 4xx, never passed unsigned.
#
# Sizes: quick by default (make check); SIGNPOST_DRILL_FULL=1 for the
# bigger loads, run by hand:
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-worker.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

DR_FULL=${SIGNPOST_DRILL_FULL:-0}
# The drills test processes and Postfix, not memory: in the quick suite
# they run in the plain build only, which keeps scripts/check short.
if [ "${SIGNPOST_SANITIZERS:-no}" = yes ] && [ "$DR_FULL" != 1 ]; then
	skip_all "fault drills run in the plain build (SIGNPOST_DRILL_FULL=1 runs them under the sanitizers too)"
fi
DR_PREFIX=d$$
DR_PROGRESS=$TAP_TMP/load.progress
DR_LOAD_OUT=$TAP_TMP/load.out
DR_LOAD_PID=""
DR_T0=$(date +%s.%N)

# dr_size QUICK FULL: the load size for this mode.
dr_size() { if [ "$DR_FULL" = 1 ]; then echo "$2"; else echo "$1"; fi; }

dr_elapsed() { echo "$(date +%s.%N) $DR_T0" | awk '{ printf "%.1f", $1 - $2 }'; }

# --- the milter's processes -----------------------------------------------

dr_supervisor_pid() { tr -d ' \n' < "$PF_MILTER_DIR/milter.pid"; }

# The worker started last, from the milter's log.
dr_worker_pid() {
	sed -n 's/.*started (worker pid \([0-9]*\)).*/\1/p' "$PF_MILTER_DIR/milter.log" | tail -n 1
}

dr_count_log() { grep -c -- "$1" "$PF_MILTER_DIR/milter.log" || true; }

# dr_wait_log PATTERN N [TENTHS]: until PATTERN is in the milter's log N
# times (polled 20 times a second: the reload drill waits for 100 lines).
dr_wait_log() {
	local i
	for i in $(seq $((${3:-300} * 2))); do
		[ "$(dr_count_log "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# dr_restart_milter: start signpost-milter again (after the drill killed
# it), its log appended to, and wait for its worker to listen.
dr_restart_milter() {
	local rc=0
	sp_milter_start "$PF_CONF" "$PF_MILTER_DIR/milter.log" 300 || rc=1
	[ -z "$SP_MILTER_PID" ] || pf_remember "$SP_MILTER_PID"
	return $rc
}

# --- the load -------------------------------------------------------------

# dr_load_start COUNT [drill-load.py options]: the load, in the background
# (with --until FILE, COUNT is the least it sends: dr_load_wait tells).
dr_load_start() {
	local count=$1
	shift
	DR_COUNT=$count
	: > "$DR_PROGRESS"
	/usr/bin/python3 "$top_srcdir/tests/integration/drill-load.py" --port "$PF_SMTP_PORT" \
		--count "$count" --prefix "$DR_PREFIX" --progress "$DR_PROGRESS" "$@" \
		> "$DR_LOAD_OUT" 2>&1 &
	DR_LOAD_PID=$!
	pf_remember "$DR_LOAD_PID"
}

dr_accepted_so_far() { grep -c '^accepted ' "$DR_PROGRESS" || true; }
dr_tempfails_so_far() { grep -c '^tempfail ' "$DR_PROGRESS" || true; }

# dr_wait_until COUNTER N: until the function COUNTER (one of the *_so_far
# above) reaches N, while the load runs (60 s at most).
dr_wait_until() {
	local i
	for i in $(seq 600); do
		[ "$("$1")" -ge "$2" ] && return 0
		kill -0 "$DR_LOAD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# Until N messages of the load were accepted / N 4xx answers were seen.
dr_wait_accepted() { dr_wait_until dr_accepted_so_far "$1"; }
dr_wait_tempfails() { dr_wait_until dr_tempfails_so_far "$1"; }

# dr_gone PID: wait (10 s at most) until a process we started and killed
# has ended, then forget its PID (pf_forget).
dr_gone() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null || pf_forget "$1"
}

# dr_load_wait: until the load is over; its counts go into LOAD_*.
dr_load_wait() {
	wait "$DR_LOAD_PID" || true
	pf_forget "$DR_LOAD_PID"
	local line
	line=$(tail -n 1 "$DR_LOAD_OUT")
	LOAD_SENT=$(echo "$line" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	LOAD_ACCEPTED=$(echo "$line" | sed -n 's/.*accepted=\([0-9]*\).*/\1/p')
	LOAD_TEMPFAILS=$(echo "$line" | sed -n 's/.*tempfails=\([0-9]*\).*/\1/p')
	LOAD_REFUSED=$(echo "$line" | sed -n 's/.*refused=\([0-9]*\).*/\1/p')
	LOAD_GAVEUP=$(echo "$line" | sed -n 's/.*gaveup=\([0-9]*\).*/\1/p')
	DR_COUNT=${LOAD_SENT:-$DR_COUNT}
	diag "load: $line"
}

# --- Postfix's queue ------------------------------------------------------

dr_queue_empty() {
	/usr/sbin/postqueue -c "$PF/etc" -p 2>/dev/null | grep -q 'Mail queue is empty'
}

dr_sink_count() { find "$PF_SINK" -name '*.eml' | wc -l; }

# dr_drain N: flush Postfix's queue and wait until it is empty and the
# sink holds at least N messages (60 s); then a moment more, so that a
# message delivered twice would show.
dr_drain() {
	local i
	/usr/sbin/postqueue -c "$PF/etc" -f >/dev/null 2>&1 || true
	for i in $(seq 600); do
		dr_queue_empty && [ "$(dr_sink_count)" -ge "$1" ] && break
		[ $((i % 50)) -eq 0 ] && /usr/sbin/postqueue -c "$PF/etc" -f >/dev/null 2>&1
		sleep 0.1
	done
	sleep 1
	dr_queue_empty || diag "Postfix's queue is not empty: $(/usr/sbin/postqueue -c "$PF/etc" -p | tail -n 3)"
}

# --- the verdict ----------------------------------------------------------

# dr_num KEY LINE: the number after KEY= in LINE.
dr_num() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# dr_verify FILE...: verify-dkim over every file at once. Quick mode leaves
# out OpenDKIM, by far the slowest judge (8 s for 60 messages where the
# others take 1-2 s); dkimpy and mailauth still judge both algorithms and
# Mail::DKIM RSA, and a pass still needs two of them and no fail. Full
# mode asks all four.
dr_verify() {
	if [ "$DR_FULL" = 1 ]; then
		"$top_srcdir/tests/verify/verify-dkim" --records "$PF_RECORDS" "$@" 2>/dev/null
	else
		SIGNPOST_VERIFY_ONLY=dkimpy,mail-dkim,mailauth \
			"$top_srcdir/tests/verify/verify-dkim" --records "$PF_RECORDS" "$@" 2>/dev/null
	fi
}

# dr_sendmail NUMBER: one message through Postfix's sendmail command (the
# non_smtpd_milters path), <drill-NUMBER.${DR_PREFIX}sm@example.com>, as
# drill-load.py would make it; dr_judge counts DR_SENDMAIL of them.
DR_SENDMAIL=0
dr_sendmail() {
	local f=$TAP_TMP/sendmail-$1.eml
	{
		printf 'From: Alice Example <alice@example.com>\nTo: Bob <bob@example.net>\n'
		printf 'Subject: drill sendmail %d\nDate: Tue, 25 Nov 2025 10:00:00 +0000\n' "$1"
		printf 'Message-ID: <drill-%d.%ssm@example.com>\n\n' "$1" "$DR_PREFIX"
		printf 'Submitted with sendmail while the milter could not sign.\n'
	} > "$f"
	pf_sendmail "$f"
}

# dr_judge LABEL: the counts every drill must meet, as TAP checks (the
# load's messages and the DR_SENDMAIL ones).
dr_judge() {
	local label=$1 n=$((DR_COUNT + DR_SENDMAIL)) counts list=$TAP_TMP/delivered.list passes out
	if [ "$LOAD_ACCEPTED" = "$DR_COUNT" ] && [ "$LOAD_REFUSED" = 0 ] && [ "$LOAD_GAVEUP" = 0 ]; then
		ok "$label: $DR_COUNT sent over SMTP, $DR_COUNT accepted ($LOAD_TEMPFAILS 4xx answers retried), none refused"
	else
		not_ok "$label: $DR_COUNT sent over SMTP, $DR_COUNT accepted, none refused" "$(cat "$DR_LOAD_OUT")"
		pf_diag_logs
	fi
	dr_drain "$n"
	counts=$(/usr/bin/python3 "$top_srcdir/tests/integration/drill-count.py" --list "$list" \
		--extra "${DR_PREFIX}sm" "$DR_SENDMAIL" \
		"$PF_SINK" "$DR_PREFIX" "$DR_COUNT" rsa ed 2>"$TAP_TMP/count.err")
	diag "sink: $counts"
	if [ "$(dr_num delivered "$counts")" = "$n" ] && [ "$(dr_num distinct "$counts")" = "$n" ] &&
	   [ "$(dr_num duplicates "$counts")" = 0 ] && [ "$(dr_num stray "$counts")" = 0 ]; then
		ok "$label: $n delivered, each exactly once"
	else
		not_ok "$label: $n delivered, each exactly once" "$counts
$(head -n 20 "$TAP_TMP/count.err")"
	fi
	if [ "$(dr_num unsigned "$counts")" = 0 ] && [ "$(dr_num signed_both "$counts")" = "$n" ]; then
		ok "$label: all $n signed by both selectors (none unsigned)"
	else
		not_ok "$label: all $n signed by both selectors" "$counts"
	fi
	out=$(dr_verify $(cat "$list"))
	passes=$(echo "$out" | grep -c ': => pass$' || true)
	if [ "$passes" = "$n" ]; then
		ok "$label: verify-dkim passes all $n (each signature by >= 2 verifiers, none fails)"
	else
		not_ok "$label: verify-dkim passes all $n" "$passes passed; $(echo "$out" | grep -v ' pass ' | head -n 10)"
	fi
	diag "$label: took $(dr_elapsed) s in all (load of $n, $([ "$DR_FULL" = 1 ] && echo full || echo quick) mode)"
}

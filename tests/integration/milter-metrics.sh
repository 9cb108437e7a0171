#!/bin/bash
# milter-metrics.sh - metrics_file, read the way node_exporter reads it.
#  - -t and start-up refuse a metrics directory that is missing or that
#    the milter's user cannot write, naming it;
#  - the file is there as soon as the daemon listens, and `promtool check
#    metrics` (Prometheus' own parser and linter) passes on every version;
#  - real traffic through the real daemon: every counter equals the number
#    of messages sent with that outcome (signed, unsigned by reason,
#    aborted, tempfail), the signatures by algorithm, the histogram count;
#    reloads ok and failed, the last good reload's time;
#  - while load flows the file is read in a loop: every read is complete
#    and each new version is a new file (renamed into place, never
#    rewritten in place), and no temporary file is left behind;
#  - key ages: one aggregate by default, no domain labels; per-key series
#    with domain, selector and algorithm only with metrics_per_domain = yes
#    (a reload applies it); a key file 130 days old shows that age;
#  - written at exit: a message answered with tempfail while draining is
#    in the file after the daemon is gone;
#  - signpost-milter(8) lists exactly the metrics the file holds, and its
#    example alerting rules pass `promtool check rules`.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"
need promtool

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
mt_key example.net s1 ed25519
PROM_DIR="$TAP_TMP/textfile"
PROM="$PROM_DIR/signpost.prom"
mkdir "$PROM_DIR"
conf="$TAP_TMP/signpost.conf"
# write_conf [SED-EXPRESSION]: the configuration, atomically.
write_conf() {
	mt_conf "$conf.new"
	sed -i "s|^log_level = debug$|log_level = debug\nmetrics_file = $PROM\nmax_header_fields = 100|" "$conf.new"
	[ -z "${1:-}" ] || sed -i "$1" "$conf.new"
	printf '[domain example.com]\nselector = r1, e1\n[domain example.net]\nselector = s1\n' >>"$conf.new"
	mv "$conf.new" "$conf"
}

# metric NAME{LABELS} [FILE]: its value in FILE (default the metrics file).
metric() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "missing" }' "${2:-$PROM}"
}
# is_metric NAME{LABELS} WANT [FILE]
is_metric() {
	local got
	got=$(metric "$1" "${3:-$PROM}")
	if [ "$got" = "$2" ]; then ok "$1 = $2"; else not_ok "$1 = $2" "got $got"; fi
}
# complete FILE: every line is a comment or a sample, and the file ends
# with the last family's sample (so a file cut short fails).
complete() {
	awk '
		/^# (HELP|TYPE) signpost_[a-z_]+ / { next }
		/^signpost_[a-z_]+(\{[^}]*\})? [-+0-9.e]+$/ { last = $1; next }
		{ bad = 1 }
		END { exit (bad || last != "signpost_key_age_max_seconds") }' "$1"
}
# wait_rewrite: wait (at most 2 intervals) until the file is a new one.
wait_rewrite() {
	local before i=0
	before=$(stat -c %i "$PROM")
	while [ "$(stat -c %i "$PROM")" = "$before" ]; do
		i=$((i + 1))
		[ $i -lt 120 ] || return 1
		sleep 0.1
	done
}

# --- the directory: checked by -t and at start --------------------------
write_conf "s|^metrics_file = .*|metrics_file = $TAP_TMP/no-such-dir/signpost.prom|"
out=$("$MILTER" -c "$conf" -t 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -qF "directory $TAP_TMP/no-such-dir: No such file"; then
	ok "-t: a missing metrics directory is refused, named (exit 2)"
else
	not_ok "-t: a missing metrics directory is refused" "exit $rc: $out"
fi
mt_start "$conf"
if [ "${MT_STATUS:-}" = 2 ] && mt_log_has "directory $TAP_TMP/no-such-dir: No such file"; then
	ok "start: a missing metrics directory stops the start (exit 2), named"
else
	not_ok "start: a missing metrics directory stops the start" "status ${MT_STATUS:-running}"
	mt_stop
fi

write_conf
check "-t: a writable metrics directory passes" "$MILTER" -c "$conf" -t
mt_start "$conf" || bail_out "the daemon did not start"
if [ -f "$PROM" ]; then ok "the file is there as soon as the daemon listens"; else not_ok "the file is there at start"; fi
check "promtool check metrics: the file at start" promtool check metrics <"$PROM"
is_metric 'signpost_messages_total{outcome="signed"}' 0
[ "$(stat -c %a "$PROM")" = 644 ] && ok "the file is mode 0644 (node_exporter reads it)" ||
	not_ok "the file is mode 0644" "$(stat -c %a "$PROM")"

# --- traffic with every outcome ------------------------------------------
mt_message "$TAP_TMP/com.eml" "Alice <alice@example.com>"
mt_message "$TAP_TMP/net.eml" "Bob <bob@example.net>"
mt_message "$TAP_TMP/other.eml" "Carol <carol@example.org>"
printf 'To: bob@example.org\nSubject: no from\n\nbody\n' >"$TAP_TMP/nofrom.eml"
{ seq -f 'X-Filler-%g: x' 1 120; cat "$TAP_TMP/com.eml"; } >"$TAP_TMP/many.eml"   # over max_header_fields
cp "$TAP_TMP/com.eml" "$TAP_TMP/long.eml"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "body line %d\n", i }' >>"$TAP_TMP/long.eml"

mt_client "$TAP_TMP/com.eml" "$TAP_TMP/com.eml" "$TAP_TMP/com.eml" "$TAP_TMP/net.eml" "$TAP_TMP/net.eml" ||
	not_ok "5 messages to sign" "$(cat "$TAP_TMP/client.err")"
sent_signed=5 sent_rsa=3 sent_ed=5
mt_client -a 192.0.2.1 "$TAP_TMP/com.eml" "$TAP_TMP/com.eml" "$TAP_TMP/com.eml"
mt_client "$TAP_TMP/other.eml" "$TAP_TMP/other.eml"
mt_client "$TAP_TMP/nofrom.eml"
mt_client "$TAP_TMP/many.eml"
mt_client -o "$TAP_TMP/signed.eml" "$TAP_TMP/com.eml"
mt_client "$TAP_TMP/signed.eml"                       # second pass: already signed
sent_signed=$((sent_signed + 1)) sent_rsa=$((sent_rsa + 1)) sent_ed=$((sent_ed + 1))
mt_client --abort 1:body:1000 "$TAP_TMP/long.eml"
grep -q 'reply' "$TAP_TMP/client.out" || diag "abort: $(cat "$TAP_TMP/client.out" "$TAP_TMP/client.err")"

# --- reloads: one good, one broken ---------------------------------------
kill -HUP "$MT_PID"
mt_wait_log "(generation 2)" || not_ok "good reload" "$(tail -n 3 "$MT_LOG")"
printf 'no_such_setting = 1\n' >>"$conf"
kill -HUP "$MT_PID"
mt_wait_log "reload failed" || not_ok "broken reload refused" "$(tail -n 3 "$MT_LOG")"

# --- load, with the file read in a loop meanwhile -----------------------
# Each new version is kept and linted after the load, so that promtool's
# start-up, slow on a busy machine, does not thin out the reads.
mkdir -p "$TAP_TMP/versions"
"$CLIENT" -s "unix:$SOCK" -t 120 --load -c 4 -T 11 "$TAP_TMP/com.eml" >"$TAP_TMP/load.out" 2>&1 &
load_pid=$!
reads=0 bad=0 versions=0 lint_bad=0 last_inode=""
while kill -0 "$load_pid" 2>/dev/null; do
	inode=$(stat -c %i "$PROM" 2>/dev/null)
	cat "$PROM" >"$TAP_TMP/read.prom" 2>/dev/null || { bad=$((bad + 1)); continue; }
	reads=$((reads + 1))
	complete "$TAP_TMP/read.prom" || { bad=$((bad + 1)); cp "$TAP_TMP/read.prom" "$TAP_TMP/bad.prom"; }
	if [ "$inode" != "$last_inode" ]; then
		versions=$((versions + 1)) last_inode=$inode
		cp "$TAP_TMP/read.prom" "$TAP_TMP/versions/$versions.prom"
	fi
	sleep 0.01
done
for v in "$TAP_TMP"/versions/*.prom; do
	[ -e "$v" ] || continue
	promtool check metrics <"$v" >"$v.lint" 2>&1 ||
		{ lint_bad=$((lint_bad + 1)); cat "$v.lint" >>"$TAP_TMP/lint.out"; }
done
wait "$load_pid" || diag "load: $(cat "$TAP_TMP/load.out")"
load_signed=$(sed -n 's/.* signed=\([0-9]*\).*/\1/p' "$TAP_TMP/load.out")
load_msgs=$(sed -n 's/.* messages=\([0-9]*\).*/\1/p' "$TAP_TMP/load.out")
if [ -n "$load_signed" ] && [ "$load_signed" -gt 0 ] && [ "$load_signed" = "$load_msgs" ]; then
	ok "load: $load_signed messages signed"
else
	not_ok "load: every message signed" "$(cat "$TAP_TMP/load.out")"; load_signed=0
fi
sent_signed=$((sent_signed + load_signed)) sent_rsa=$((sent_rsa + load_signed)) sent_ed=$((sent_ed + load_signed))
if [ "$reads" -ge 10 ] && [ "$bad" -eq 0 ]; then ok "$reads reads during load: every one complete"
else not_ok "every read during load is complete" "$reads reads, $bad bad: $(tail -n 3 "$TAP_TMP/bad.prom" 2>/dev/null)"; fi
if [ "$versions" -ge 2 ]; then ok "$versions versions seen, each a new file (renamed into place)"
else not_ok "the file is replaced by a new one at each write" "$versions version(s) in $reads reads"; fi
if [ "$lint_bad" -eq 0 ]; then ok "promtool check metrics passes on each of the $versions versions"
else not_ok "promtool check metrics on each version" "$(cat "$TAP_TMP/lint.out")"; fi

# --- the counts, once the file has been written after the traffic --------
t_reload=$(date +%s)
touch -d '130 days ago' "$KEYS/example.com/r1.pem"
wait_rewrite || not_ok "the file is rewritten every 5 s"
is_metric 'signpost_messages_total{outcome="signed"}' "$sent_signed"
is_metric 'signpost_messages_total{outcome="unsigned"}' 8
is_metric 'signpost_messages_unsigned_total{reason="client"}' 3
is_metric 'signpost_messages_unsigned_total{reason="domain"}' 2
is_metric 'signpost_messages_unsigned_total{reason="from"}' 1
is_metric 'signpost_messages_unsigned_total{reason="header_limit"}' 1
is_metric 'signpost_messages_unsigned_total{reason="already_signed"}' 1
is_metric 'signpost_messages_unsigned_total{reason="bad_header"}' 0
is_metric 'signpost_messages_total{outcome="aborted"}' 1
is_metric 'signpost_messages_total{outcome="error_tempfail"}' 0
is_metric 'signpost_signatures_total{algorithm="rsa-sha256"}' "$sent_rsa"
is_metric 'signpost_signatures_total{algorithm="ed25519-sha256"}' "$sent_ed"
is_metric 'signpost_signing_seconds_count' "$sent_signed"
is_metric 'signpost_signing_seconds_bucket{le="+Inf"}' "$sent_signed"
is_metric 'signpost_reloads_total{result="ok"}' 1
is_metric 'signpost_reloads_total{result="failed"}' 1
is_metric 'signpost_last_reload_successful' 0
is_metric 'signpost_keys_active' 3
if grep -q 'domain=' "$PROM" || grep -q '^signpost_key_age_seconds' "$PROM"; then
	not_ok "metrics_per_domain = no: no per-domain series" "$(grep 'domain=' "$PROM")"
else
	ok "metrics_per_domain = no: no per-domain series"
fi
age=$(metric signpost_key_age_max_seconds)
if [ "$age" -ge 0 ] 2>/dev/null && [ "$age" -lt 3600 ]; then ok "oldest key age: $age s (keys made by this test)"
else not_ok "oldest key age before the reload" "$age"; fi

# --- metrics_per_domain = yes, by a reload -------------------------------
write_conf "s|^metrics_file = .*|&\nmetrics_per_domain = yes|"
kill -HUP "$MT_PID"
mt_wait_log "(generation 3)" || not_ok "reload with metrics_per_domain = yes" "$(tail -n 3 "$MT_LOG")"
wait_rewrite || not_ok "rewritten after the reload"
check "promtool check metrics: with per-key series" promtool check metrics <"$PROM"
n=$(grep -c '^signpost_key_age_seconds{' "$PROM")
[ "$n" = 3 ] && ok "metrics_per_domain = yes: one key age series per active key (3)" ||
	not_ok "one series per key" "$n: $(grep '^signpost_key_age_seconds' "$PROM")"
age=$(metric 'signpost_key_age_seconds{domain="example.com",selector="r1",algorithm="rsa-sha256"}')
if [ "$age" -ge $((130 * 86400)) ] 2>/dev/null && [ "$age" -lt $((131 * 86400)) ]; then
	ok "the 130-day-old key: age $age s, labelled domain, selector, algorithm"
else
	not_ok "the 130-day-old key's age" "$age: $(grep '^signpost_key_age_seconds' "$PROM")"
fi
age=$(metric 'signpost_key_age_seconds{domain="example.net",selector="s1",algorithm="ed25519-sha256"}')
[ "$age" -lt 3600 ] 2>/dev/null && ok "a new key: age $age s" || not_ok "a new key's age" "$age"
age=$(metric signpost_key_age_max_seconds)
[ "$age" -ge $((130 * 86400)) ] 2>/dev/null && ok "the aggregate is the oldest key: $age s" ||
	not_ok "the aggregate is the oldest key" "$age"
is_metric 'signpost_reloads_total{result="ok"}' 2
is_metric 'signpost_last_reload_successful' 1
ts=$(metric signpost_last_reload_success_timestamp_seconds)
if [ "$ts" -ge "$t_reload" ] 2>/dev/null && [ "$ts" -le "$(date +%s)" ]; then ok "last good reload time: $ts"
else not_ok "last good reload time" "$ts, reloaded after $t_reload"; fi

# --- SIGTERM: a message begun while draining is a tempfail, and the file
# written at exit counts it.
gate_a="$TAP_TMP/gate-a" gate_b="$TAP_TMP/gate-b"
reached() {
	local i=0
	while [ ! -e "$1.reached" ]; do
		i=$((i + 1))
		[ $i -lt "$MT_WAIT" ] || return 1
		sleep 0.1
	done
}
"$CLIENT" -s "unix:$SOCK" -t 120 --wait 1:body:2000:"$gate_a" "$TAP_TMP/long.eml" >"$TAP_TMP/a.out" 2>&1 &
pid_a=$!
"$CLIENT" -s "unix:$SOCK" -t 120 --wait 2:start:"$gate_b" "$TAP_TMP/com.eml" "$TAP_TMP/com.eml" >"$TAP_TMP/b.out" 2>&1 &
pid_b=$!
reached "$gate_a" && reached "$gate_b" || bail_out "clients never reached their gates"
# Two connections open, one message in flight (B stands between messages).
wait_rewrite || not_ok "rewritten while the clients wait"
is_metric 'signpost_connections_open' 2
is_metric 'signpost_messages_in_flight' 1
kill -TERM "$MT_PID"
mt_wait_log "waiting for messages in flight" || not_ok "SIGTERM: drain started"
touch "$gate_b"; wait "$pid_b"
# Taken before the last message may finish: the daemon can finish it, exit
# and write the file before this shell, on a busy machine, reads the clock
# after the client has gone.
t_done=$(date +%s.%N)
touch "$gate_a"; wait "$pid_a"  # the last message is counted; the daemon exits now
grep -q '^2 reply tempfail\|^2 reply replycode 451' "$TAP_TMP/b.out" || diag "b: $(cat "$TAP_TMP/b.out")"
wait "$MT_PID"; MT_STATUS=$?; MT_PID=""
[ "$MT_STATUS" -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "exit $MT_STATUS"
mtime=$(stat -c %.9Y "$PROM")
if awk -v a="$mtime" -v b="$t_done" 'BEGIN { exit !(a >= b) }'; then ok "written at exit"
else not_ok "written at exit" "file from $mtime, the last message let go at $t_done"; fi
check "promtool check metrics: the file written at exit" promtool check metrics <"$PROM"
is_metric 'signpost_messages_total{outcome="error_tempfail"}' 1
is_metric 'signpost_messages_total{outcome="signed"}' $((sent_signed + 2))
is_metric 'signpost_messages_in_flight' 0
left=$(ls -A "$PROM_DIR")
[ "$left" = signpost.prom ] && ok "no temporary file left in the directory" ||
	not_ok "no temporary file left" "$left"

# --- signpost-milter(8) lists exactly these metrics; its alert rules load
MAN="$top_srcdir/milter/signpost-milter.8"
sed -n 's/^# TYPE \(signpost_[a-z_]*\) .*/\1/p' "$PROM" | sort >"$TAP_TMP/file-names"
sed -n 's/^\.B \(signpost_[a-z_]*\).*/\1/p' "$MAN" | sort -u >"$TAP_TMP/man-names"
if [ -s "$TAP_TMP/file-names" ] && diff "$TAP_TMP/file-names" "$TAP_TMP/man-names" >"$TAP_TMP/names.diff"; then
	ok "signpost-milter(8) lists every metric the file has, no more ($(wc -l <"$TAP_TMP/file-names"))"
else
	not_ok "signpost-milter(8) lists every metric, no more" "$(cat "$TAP_TMP/names.diff")"
fi
sed -n '/^groups:$/,/^\.RE$/p' "$MAN" | sed -e '$d' -e 's/\\-/-/g' >"$TAP_TMP/rules.yml"
check "promtool check rules: the manual's example alerts" promtool check rules "$TAP_TMP/rules.yml"

# --- a directory the milter's user cannot write --------------------------
if [ "$(id -u)" -ne 0 ]; then
	diag "not root: the user check is not tested here"
else
	chmod 0711 "$TAP_TMP"
	chgrp -R "$(id -gn nobody)" "$KEYS" && chmod -R g+rX "$KEYS"
	write_conf "s|^log_level = debug$|&\nuser = nobody|"
	out=$("$MILTER" -c "$conf" -t 2>&1); rc=$?
	if [ $rc -eq 2 ] && printf '%s' "$out" | grep -qF "directory $PROM_DIR is not writable by user nobody"; then
		ok "-t: a directory nobody cannot write is refused for user = nobody"
	else
		not_ok "-t: unwritable directory for user = nobody" "exit $rc: $out"
	fi
	mt_start "$conf"
	if [ "${MT_STATUS:-}" = 2 ] && mt_log_has "is not writable by user nobody"; then
		ok "start: refused the same way (exit 2)"
	else
		not_ok "start: unwritable directory for user = nobody" "status ${MT_STATUS:-running}"
		mt_stop
	fi
	chown nobody "$PROM_DIR"
	if mt_start "$conf"; then
		ok "user = nobody: starts once nobody owns the directory"
		[ "$(stat -c %U "$PROM")" = nobody ] && ok "the file is written by nobody" ||
			not_ok "the file is written by nobody" "$(stat -c %U "$PROM")"
		mt_stop
	else
		not_ok "user = nobody: starts once nobody owns the directory"
	fi
fi
done_testing

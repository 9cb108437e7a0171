# postfix-drill-worker.sh - fault drill: the worker process is killed with
# SIGKILL in the middle of a load through the real Postfix. The supervisor
# (the pidfile's PID) must start a new worker; the messages the dead one
# held are answered 4xx by Postfix (milter_default_action = tempfail) and
# sent again by the client; in the end every message is delivered once,
# signed, and verified (postfix-drill-lib.sh has the counts). Then the
# worker is killed again and again until the supervisor gives up (5
# restarts within 60 s) and exits 2.
#
# Quick by default (at least 60 messages, two kills); SIGNPOST_DRILL_FULL=1
# sends at least 600 and kills the worker five times (as many restarts as
# the supervisor allows in a minute):
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-worker.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
. "$top_srcdir/tests/integration/postfix-drill-lib.sh"

pf_start_all

n=$(dr_size 60 600)
kills=$(dr_size 2 5)
supervisor=$(dr_supervisor_pid)
dr_load_start "$n" --sessions 3 --interval "$(dr_size 0.15 0.05)" --until "$TAP_TMP/stop" \
	--deadline "$(dr_size 180 900)"

killed="" hit=0
for k in $(seq "$kills"); do
	dr_wait_accepted $((n * k / (kills + 1))) || break
	worker=$(dr_worker_pid)
	seen=$(dr_tempfails_so_far)
	kill -KILL "$worker"
	killed="$killed $worker"
	dr_wait_log 'started (worker pid' $((k + 1)) || break
	# The sessions whose milter connection died get 4xx for their next message.
	dr_wait_tempfails $((seen + 1)) && hit=$((hit + 1))
done
# At least n messages in all, and some after the last fault.
dr_wait_accepted $(($(dr_accepted_so_far) + n / (kills + 1)))
touch "$TAP_TMP/stop"
dr_load_wait

restarts=$(dr_count_log 'was killed by signal 9: starting a new one')
if [ "$restarts" = "$kills" ] && [ "$(dr_count_log 'started (worker pid')" = $((kills + 1)) ]; then
	ok "$kills worker(s) killed with SIGKILL, $kills new worker(s) started"
else
	not_ok "$kills worker(s) killed, $kills new worker(s) started" \
		"killed:$killed; restarts logged: $restarts; $(tail -n 5 "$PF_MILTER_DIR/milter.log")"
fi
if [ "$(dr_supervisor_pid)" = "$supervisor" ] && kill -0 "$supervisor" 2>/dev/null; then
	ok "the supervisor (pid $supervisor) lived through the kills"
else
	not_ok "the supervisor (pid $supervisor) lived through the kills"
fi
if [ "$hit" = "$kills" ]; then
	ok "each kill hit the load: $LOAD_TEMPFAILS 4xx answers in all"
else
	not_ok "each kill hit the load" "$hit of $kills kills met a 4xx answer"
fi
dr_judge "worker killed"

# A worker that keeps dying is not replaced forever: at most 5 restarts
# within 60 s, then the supervisor exits 2 (and systemd takes over).
burst=0
while kill -0 "$supervisor" 2>/dev/null && [ "$burst" -lt 10 ]; do
	started=$(dr_count_log 'started (worker pid')
	kill -KILL "$(dr_worker_pid)"
	burst=$((burst + 1))
	dr_wait_log 'started (worker pid' $((started + 1)) 50 || break
done
wait "$supervisor"
status=$?
pf_forget "$supervisor"
if [ "$status" = 2 ] && [ "$burst" -le 6 ] && grep -q 'giving up' "$PF_MILTER_DIR/milter.log"; then
	ok "a worker killed again and again: the supervisor gives up after $burst more kill(s), exit 2"
else
	not_ok "a worker killed again and again: the supervisor gives up, exit 2" \
		"$burst kills, exit $status; $(tail -n 3 "$PF_MILTER_DIR/milter.log")"
fi
done_testing

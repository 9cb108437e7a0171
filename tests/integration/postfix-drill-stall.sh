# postfix-drill-stall.sh - fault drill: a milter slower than Postfix's
# timeouts. The private Postfix gets milter_connect_timeout,
# milter_command_timeout and milter_content_timeout of 2 seconds; in the
# middle of a load the worker is stopped (SIGSTOP) until Postfix has given
# up on it several times, then let go (SIGCONT). Postfix answers 4xx for
# every message the stalled milter holds (milter_default_action =
# tempfail), never passes one unsigned, and after SIGCONT the worker that
# wakes up to connections Postfix has closed must carry on; every message
# is delivered once, signed and verified (postfix-drill-lib.sh has the
# counts).
#
# Quick by default (one stall of about 6 s); SIGNPOST_DRILL_FULL=1 stalls
# three times, under a heavier load:
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-stall.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
. "$top_srcdir/tests/integration/postfix-drill-lib.sh"

pf_start_all
pf_postconf milter_connect_timeout=2s milter_command_timeout=2s milter_content_timeout=2s ||
	bail_out "postconf: cannot set the milter timeouts"

stalls=$(dr_size 1 3)
step=$(dr_size 10 100)
worker=$(dr_worker_pid)
# Never leave our worker stopped, whatever happens to the test.
wake_worker() { kill -CONT "$worker" 2>/dev/null || true; }
at_exit wake_worker
dr_load_start "$step" --sessions "$(dr_size 3 6)" --interval 0.1 --until "$TAP_TMP/stop" \
	--deadline "$(dr_size 180 900)"
dr_wait_accepted "$step" || bail_out "the load does not start: $(cat "$DR_LOAD_OUT")"

timeouts_before=$(grep -c 'warning: milter .*timed out' "$PF/maillog" || true)
stalled=0
for s in $(seq "$stalls"); do
	seen=$(dr_tempfails_so_far)
	kill -STOP "$worker"
	# Stopped for at least three of Postfix's timeouts, and until the
	# load has met 4xx answers.
	sleep 6
	dr_wait_tempfails $((seen + 2)) && stalled=$((stalled + 1))
	kill -CONT "$worker"
	dr_wait_accepted $(($(dr_accepted_so_far) + step))
done
touch "$TAP_TMP/stop"
dr_load_wait

timeouts=$(($(grep -c 'warning: milter .*timed out' "$PF/maillog" || true) - timeouts_before))
if [ "$stalled" = "$stalls" ] && [ "$timeouts" -gt 0 ]; then
	ok "worker stopped $stalls time(s): Postfix timed out on it $timeouts time(s) and answered 4xx ($LOAD_TEMPFAILS in all)"
else
	not_ok "worker stopped $stalls time(s): Postfix times out and answers 4xx" \
		"stalls that met 4xx: $stalled; Postfix timeouts: $timeouts; $(grep milter "$PF/maillog" | tail -n 3)"
fi
if [ "$(dr_worker_pid)" = "$worker" ] && kill -0 "$worker" 2>/dev/null &&
   [ "$(dr_count_log 'started (worker pid')" = 1 ]; then
	ok "the same worker carries on after SIGCONT"
else
	not_ok "the same worker carries on after SIGCONT" "$(grep 'started\|killed\|exited' "$PF_MILTER_DIR/milter.log")"
fi
dr_judge "milter slower than Postfix's timeouts"
done_testing

# postfix-drill-daemon.sh - fault drill: the whole daemon (supervisor and
# worker) is killed with SIGKILL in the middle of a load through the real
# Postfix, stays down until the load has met a 4xx answer (at least a
# second), and is started again over its stale pidfile and socket. While
# it is down Postfix cannot reach the milter: it answers 4xx to SMTP
# clients (milter_default_action = tempfail), which send again, and it
# keeps what the sendmail command submits (three messages per outage) in
# its maildrop queue; after the restart the queue is flushed (postqueue
# -f). In the end every message is delivered once, signed and verified
# (postfix-drill-lib.sh has the counts).
#
# Quick by default (at least 60 messages, one kill); SIGNPOST_DRILL_FULL=1
# sends at least 600 and kills the daemon three times:
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-daemon.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
. "$top_srcdir/tests/integration/postfix-drill-lib.sh"

pf_start_all

n=$(dr_size 60 600)
kills=$(dr_size 1 3)
dr_load_start "$n" --sessions 3 --interval "$(dr_size 0.15 0.05)" --until "$TAP_TMP/stop" \
	--deadline "$(dr_size 180 900)"

restarted=0 hit=0 held_ok=0 pids=""
for k in $(seq "$kills"); do
	dr_wait_accepted $((n * k / (kills + 1))) || break
	supervisor=$(dr_supervisor_pid)
	worker=$(dr_worker_pid)
	seen=$(dr_tempfails_so_far)
	kill -KILL "$supervisor" "$worker"
	pids="$pids $supervisor/$worker"
	dr_gone "$supervisor"
	# Down under load until Postfix has answered 4xx (at least a second).
	sleep 1
	dr_wait_tempfails $((seen + 1)) && hit=$((hit + 1))
	# Mail from the sendmail command meanwhile: Postfix keeps it in its
	# maildrop queue until the milter is back.
	for i in 1 2 3; do
		dr_sendmail $((DR_SENDMAIL + 1)) && DR_SENDMAIL=$((DR_SENDMAIL + 1))
	done
	sleep 1
	held=$(find "$PF/queue/maildrop" -type f | wc -l)
	[ "$held" -ge 3 ] && held_ok=$((held_ok + 1))
	dr_restart_milter && restarted=$((restarted + 1))
	[ "$(dr_supervisor_pid)" != "$supervisor" ] || break
done
# At least n messages in all, and some after the last fault.
dr_wait_accepted $(($(dr_accepted_so_far) + n / (kills + 1)))
touch "$TAP_TMP/stop"
dr_load_wait

if [ "$restarted" = "$kills" ]; then
	ok "killed the daemon (supervisor/worker:$pids) $kills time(s); it started again over the stale pidfile and socket each time"
else
	not_ok "the daemon starts again after SIGKILL" "$(tail -n 8 "$PF_MILTER_DIR/milter.log")"
fi
if [ "$hit" = "$kills" ]; then
	ok "each kill hit the load: $LOAD_TEMPFAILS 4xx answers in all"
else
	not_ok "each kill hit the load" "$hit of $kills kills met a 4xx answer"
fi
if [ "$held_ok" = "$kills" ] && [ "$DR_SENDMAIL" = $((kills * 3)) ]; then
	ok "$DR_SENDMAIL messages from sendmail while the daemon was down: held in Postfix's queue"
else
	not_ok "messages from sendmail while the daemon was down: held in Postfix's queue" \
		"$DR_SENDMAIL submitted; held at $held_ok of $kills outages; $(grep 'pickup\|cleanup' "$PF/maillog" | tail -n 3)"
fi
dr_judge "daemon killed"
done_testing

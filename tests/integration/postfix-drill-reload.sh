# postfix-drill-reload.sh - fault drill: 100 reloads (SIGHUP to the
# supervisor) while a load runs through the real Postfix, every tenth with
# a broken configuration file in place. A good reload swaps the snapshot,
# a broken one is refused and the configuration in force keeps signing;
# neither may disturb a message: no 4xx at all, and every message is
# delivered once, signed and verified (postfix-drill-lib.sh has the
# counts). After the last reload, which is a broken one, a few more
# messages prove that the old configuration still signs.
#
# Each SIGHUP waits for the previous reload's log line (signals of one
# kind that arrive together merge into one, and the count must be exact).
# Quick by default (100 reloads); SIGNPOST_DRILL_FULL=1 does 1000:
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-reload.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
. "$top_srcdir/tests/integration/postfix-drill-lib.sh"

pf_start_all

reloads=$(dr_size 100 1000)
supervisor=$(dr_supervisor_pid)
worker=$(dr_worker_pid)
cp "$PF_CONF" "$TAP_TMP/good.conf"
{ cat "$PF_CONF"; echo "this line is not a setting"; } > "$TAP_TMP/broken.conf"

# put_conf good|broken: replace the configuration file at once (rename),
# so that a reload never reads half a file.
put_conf() {
	cp "$TAP_TMP/$1.conf" "$PF_CONF.new" && mv -f "$PF_CONF.new" "$PF_CONF"
}

dr_load_start 30 --sessions "$(dr_size 1 2)" --interval "$(dr_size 0.3 0.25)" --until "$TAP_TMP/stop" \
	--deadline "$(dr_size 180 900)"
dr_wait_accepted 5 || bail_out "the load does not start: $(cat "$DR_LOAD_OUT")"
accepted_before=$(dr_accepted_so_far)
done_reloads=0
t0=$(date +%s.%N)
for i in $(seq "$reloads"); do
	if [ $((i % 10)) -eq 0 ]; then put_conf broken; else put_conf good; fi
	kill -HUP "$supervisor"
	dr_wait_log 'reloaded \|reload failed' "$i" 100 || break
	done_reloads=$i
done
accepted_during=$(($(dr_accepted_so_far) - accepted_before))
diag "$done_reloads reloads took $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"

# The broken file is in place now: messages after the last reload.
after_from=$(dr_accepted_so_far)
dr_wait_accepted $((after_from + 10))
touch "$TAP_TMP/stop"
dr_load_wait

good=$(dr_count_log 'reloaded ')
failed=$(dr_count_log 'reload failed')
if [ "$done_reloads" = "$reloads" ] && [ "$good" = $((reloads * 9 / 10)) ] && [ "$failed" = $((reloads / 10)) ]; then
	ok "$reloads SIGHUPs: $good reloaded, $failed refused (the broken file)"
else
	not_ok "$reloads SIGHUPs: $((reloads * 9 / 10)) reloaded, $((reloads / 10)) refused" \
		"done $done_reloads; reloaded $good; refused $failed; $(tail -n 5 "$PF_MILTER_DIR/milter.log")"
fi
if grep 'reload failed' "$PF_MILTER_DIR/milter.log" | grep -v -q "$PF_CONF:"; then
	not_ok "every refused reload names FILE:LINE" "$(grep 'reload failed' "$PF_MILTER_DIR/milter.log" | head -n 2)"
else
	ok "every refused reload names FILE:LINE"
fi
if [ "$accepted_during" -gt 0 ]; then
	ok "the reloads ran under load: $accepted_during messages accepted meanwhile"
else
	not_ok "the reloads ran under load" "no message was accepted while they ran"
fi
if [ "$(dr_supervisor_pid)" = "$supervisor" ] && [ "$(dr_worker_pid)" = "$worker" ] &&
   [ "$(dr_count_log 'started (worker pid')" = 1 ]; then
	ok "one supervisor and one worker throughout"
else
	not_ok "one supervisor and one worker throughout" "$(grep 'started\|killed' "$PF_MILTER_DIR/milter.log")"
fi
if [ "${LOAD_TEMPFAILS:-1}" = 0 ]; then
	ok "no message was answered 4xx during the reloads"
else
	not_ok "no message was answered 4xx during the reloads" "$LOAD_TEMPFAILS 4xx answers"
	grep 'milter' "$PF/maillog" | tail -n 5 | sed 's/^/# /'
fi
dr_judge "$reloads reloads"
done_testing

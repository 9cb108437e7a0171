# postfix-drill-keys.sh - fault drill: key files go wrong while a load runs
# through the real Postfix, with the milter running as `user = nobody`
# (keys owned by nobody, mode 0600, so that a reload can read them).
#
# What the code does, and what this drill asserts (signpost-milter(8),
# SIGNALS and PROCESSES):
#   1. a key file removed: nothing changes, the key is in memory; the next
#      SIGHUP is refused, naming the file, and the old keys keep signing;
#   2. the key put back, the other key made unreadable (mode 000): the next
#      SIGHUP is refused the same way, the old keys keep signing;
#   3. the key readable again: the next SIGHUP reloads;
#   4. a key removed again and then the worker killed: the new worker
#      cannot load the key, so the daemon exits 2 naming the file; Postfix
#      answers 4xx meanwhile (milter_default_action = tempfail); once the
#      key is back and the daemon started again, every message waiting is
#      delivered, signed.
# Through all of it no message is lost, doubled, or delivered unsigned
# (postfix-drill-lib.sh has the counts).
#
# Quick by default (about 10 messages per step); SIGNPOST_DRILL_FULL=1
# sends about 100 per step:
#   SIGNPOST_DRILL_FULL=1 make check TESTS='tests/integration/postfix-drill-keys.sh'
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"
. "$top_srcdir/tests/integration/postfix-drill-lib.sh"

pf_require
getent passwd nobody >/dev/null || skip_all "no user nobody to run the milter as"
pf_make_keys
sed -i 's/^\[milter\]$/[milter]\nuser = nobody/' "$PF_CONF"
chmod 0755 "$PF_KEYS" "$PF_KEYS/example.com"
chown nobody "$PF_KEYS"/example.com/*.pem
chmod 0600 "$PF_KEYS"/example.com/*.pem
chmod 0644 "$PF_CONF"
pf_start_milter
pf_start_sink
pf_start_dovecot
pf_start_postfix "$PF_MILTER"

step=$(dr_size 10 100)
rsa=$PF_KEYS/example.com/rsa.pem
ed=$PF_KEYS/example.com/ed.pem

# hup_and_wait PATTERN N: SIGHUP, then wait for PATTERN's N-th log line.
hup_and_wait() {
	kill -HUP "$(dr_supervisor_pid)"
	dr_wait_log "$1" "$2"
}

# more N: wait until N more messages were accepted.
more() { dr_wait_accepted $(($(dr_accepted_so_far) + $1)); }

dr_load_start "$step" --sessions 2 --interval "$(dr_size 0.2 0.05)" --until "$TAP_TMP/stop" \
	--deadline "$(dr_size 180 900)"
more "$step" || bail_out "the load does not start: $(cat "$DR_LOAD_OUT")"

# 1. A key removed.
mv "$rsa" "$TAP_TMP/rsa.pem.saved"
more "$step"
hup_and_wait 'reload failed' 1
if grep 'reload failed' "$PF_MILTER_DIR/milter.log" | tail -n 1 | grep -q "$rsa"; then
	ok "key removed: the reload is refused and the log names $rsa"
else
	not_ok "key removed: the reload is refused and names the file" "$(tail -n 3 "$PF_MILTER_DIR/milter.log")"
fi
more "$step"

# 2. Put back; the other one unreadable to the milter user.
mv "$TAP_TMP/rsa.pem.saved" "$rsa"
chmod 0000 "$ed"
more "$step"
hup_and_wait 'reload failed' 2
if grep 'reload failed' "$PF_MILTER_DIR/milter.log" | tail -n 1 | grep -q "$ed"; then
	ok "key unreadable: the reload is refused and the log names $ed"
else
	not_ok "key unreadable: the reload is refused and names the file" "$(tail -n 3 "$PF_MILTER_DIR/milter.log")"
fi
more "$step"

# 3. Readable again.
chmod 0600 "$ed"
hup_and_wait 'reloaded ' 1 && ok "key readable again: SIGHUP reloads" ||
	not_ok "key readable again: SIGHUP reloads" "$(tail -n 3 "$PF_MILTER_DIR/milter.log")"
more "$step"

# 4. A key removed, then the worker dies: no new worker can start.
supervisor=$(dr_supervisor_pid)
mv "$rsa" "$TAP_TMP/rsa.pem.saved"
seen=$(dr_tempfails_so_far)
kill -KILL "$(dr_worker_pid)"
for _ in $(seq 100); do kill -0 "$supervisor" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$supervisor" 2>/dev/null; then
	not_ok "worker killed with a key missing: the daemon exits" "$(tail -n 3 "$PF_MILTER_DIR/milter.log")"
elif tail -n 3 "$PF_MILTER_DIR/milter.log" | grep -q "$rsa"; then
	ok "worker killed with a key missing: the daemon exits, the log names $rsa"
else
	not_ok "worker killed with a key missing: the log names the file" "$(tail -n 3 "$PF_MILTER_DIR/milter.log")"
fi
dr_gone "$supervisor"
dr_wait_tempfails $((seen + 1)) && ok "meanwhile Postfix answers 4xx" ||
	not_ok "meanwhile Postfix answers 4xx" "no 4xx answer seen"
mv "$TAP_TMP/rsa.pem.saved" "$rsa"
dr_restart_milter || bail_out "signpost-milter does not start again"
more "$step"
touch "$TAP_TMP/stop"
dr_load_wait
dr_judge "keys removed and unreadable"
done_testing

#!/bin/bash
# milter-signals.sh - SIGHUP and SIGTERM while the MTA is connected.
#  - reload with a good configuration while a connection is open: the next
#    message on that same connection signs with the new selector, a message
#    that was in flight during the reload finishes with the old one;
#  - reload with a broken configuration, and with an unsafe key: the log
#    names FILE:LINE or the key's path, and the old configuration keeps
#    signing;
#  - a reload can change the policy (sign_authenticated = no);
#  - SIGTERM with a message in flight: no new connections are taken, the
#    message completes and verifies, the daemon exits 0.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
# write_conf SELECTORS [SED-EXPRESSION]
write_conf() {
	mt_conf "$conf.new"
	[ -z "${2:-}" ] || sed -i "$2" "$conf.new"
	printf '[domain example.com]\nselector = %s\n' "$1" >>"$conf.new"
	mv "$conf.new" "$conf"
}
write_conf r1
mt_start "$conf" || bail_out "the daemon did not start"
mt_message "$TAP_TMP/m1.eml" "Alice <alice@example.com>"
mt_message "$TAP_TMP/m2.eml" "Alice <alice@example.com>"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "body line %d\n", i }' >>"$TAP_TMP/m1.eml"

# sigs_are NAME FILE WANT: the signatures in FILE, and the verifiers.
sigs_are() {
	local got
	got=$(mt_sigs "$2" | paste -sd'|')
	if [ "$got" = "$3" ]; then ok "$1: $3"; else not_ok "$1" "want '$3', got '$got'"; fi
	check "$1: verifiers pass" mt_verify "$2"
}
# client_bg ARGS...: milter-client in the background; CLIENT_PID.
client_bg() {
	"$CLIENT" -s "unix:$SOCK" -t 120 "$@" >"$TAP_TMP/bg.out" 2>"$TAP_TMP/bg.err" &
	CLIENT_PID=$!
}
# reached GATE: wait until the client stands at its --wait point.
reached() {
	local i=0
	while [ ! -e "$1.reached" ]; do
		i=$((i + 1))
		[ $i -lt "$MT_WAIT" ] || return 1
		sleep 0.1
	done
}
# reload_and_wait TEXT: SIGHUP, then wait for TEXT in the log.
reload_and_wait() {
	kill -HUP "$MT_PID"
	mt_wait_log "$1"
}
rsa="d=example.com s=r1 a=rsa-sha256"
ed="d=example.com s=e1 a=ed25519-sha256"

# --- good reload between two messages of one open connection -------------
gate="$TAP_TMP/gate1"
client_bg --wait 2:start:"$gate" -o "$TAP_TMP/hup" "$TAP_TMP/m1.eml" "$TAP_TMP/m2.eml"
reached "$gate" || bail_out "client never reached message 2"
write_conf e1
if reload_and_wait "(generation 2)"; then ok "SIGHUP: reloaded"; else not_ok "SIGHUP: reloaded" "$(tail -n 5 "$MT_LOG")"; fi
touch "$gate"
wait "$CLIENT_PID"; rc=$?
if [ $rc -eq 0 ]; then ok "the connection stayed open across the reload"
else not_ok "the connection stayed open across the reload" "$(cat "$TAP_TMP/bg.err")"; fi
sigs_are "message before the reload" "$TAP_TMP/hup.1" "$rsa"
sigs_are "message after the reload, same connection" "$TAP_TMP/hup.2" "$ed"

# --- reload while a message is in flight: it keeps its snapshot ----------
gate="$TAP_TMP/gate2"
client_bg --wait 1:body:2000:"$gate" -o "$TAP_TMP/mid.out" "$TAP_TMP/m1.eml"
reached "$gate" || bail_out "client never reached the body"
write_conf "r1, e1"
reload_and_wait "(generation 3)" || not_ok "reload 3" "$(tail -n 5 "$MT_LOG")"
touch "$gate"
wait "$CLIENT_PID"
sigs_are "message in flight during a reload keeps the old keys" "$TAP_TMP/mid.out" "$ed"
mt_client -o "$TAP_TMP/dual.out" "$TAP_TMP/m2.eml"
sigs_are "next message uses the new keys" "$TAP_TMP/dual.out" "$rsa|$ed"

# --- broken configuration: logged with FILE:LINE, the old one keeps signing
gate="$TAP_TMP/gate3"
client_bg --wait 2:start:"$gate" -o "$TAP_TMP/bad" "$TAP_TMP/m2.eml" "$TAP_TMP/m2.eml"
reached "$gate" || bail_out "client never reached message 2"
cp "$conf" "$conf.good"
printf 'no_such_setting = 1\n' >>"$conf"
line=$(wc -l <"$conf")
if reload_and_wait "reload failed"; then ok "broken config: reload refused"; else not_ok "broken config: reload refused"; fi
if mt_log_has "$conf:$line"; then ok "broken config: the log names $conf:$line"
else not_ok "broken config: the log names FILE:LINE" "$(grep 'reload failed' "$MT_LOG")"; fi
touch "$gate"
wait "$CLIENT_PID"
sigs_are "after a broken reload, same connection: old config signs" "$TAP_TMP/bad.2" "$rsa|$ed"

# --- unsafe key: logged with its path, the old keys keep signing ---------
cp "$conf.good" "$conf"
chmod 0644 "$KEYS/example.com/e1.pem"
fails=$(grep -c 'reload failed' "$MT_LOG")
kill -HUP "$MT_PID"
i=0
while [ "$(grep -c 'reload failed' "$MT_LOG")" -le "$fails" ] && [ $i -lt "$MT_WAIT" ]; do sleep 0.1; i=$((i + 1)); done
if grep 'reload failed' "$MT_LOG" | tail -n 1 | grep -qF "$KEYS/example.com/e1.pem"; then
	ok "unsafe key: reload refused, the log names the key file"
else
	not_ok "unsafe key: reload refused naming the file" "$(grep 'reload failed' "$MT_LOG" | tail -n 1)"
fi
if grep 'reload failed' "$MT_LOG" | tail -n 1 | grep -q 'chmod'; then ok "unsafe key: the log says how to fix it"
else not_ok "unsafe key: the log says how to fix it" "$(grep 'reload failed' "$MT_LOG" | tail -n 1)"; fi
mt_client -o "$TAP_TMP/oldkeys.out" "$TAP_TMP/m2.eml"
sigs_are "after a refused key: the old keys sign" "$TAP_TMP/oldkeys.out" "$rsa|$ed"
chmod 0600 "$KEYS/example.com/e1.pem"

# --- a reload can change the policy -----------------------------------
write_conf "r1, e1" "s/^sign_authenticated = yes$/sign_authenticated = no/"
gen=$(grep -c '(generation' "$MT_LOG")
reload_and_wait "(generation $((gen + 2)))" || not_ok "reload with sign_authenticated = no" "$(tail -n 3 "$MT_LOG")"
mt_client -a 192.0.2.20 -u alice -o "$TAP_TMP/auth.out" "$TAP_TMP/m2.eml"
if [ -z "$(mt_sigs "$TAP_TMP/auth.out")" ] && mt_log_has "sign_authenticated = no"; then
	ok "after the reload an authenticated outsider is not signed"
else
	not_ok "sign_authenticated = no after reload" "$(tail -n 2 "$MT_LOG")"
fi

# --- SIGTERM with a message in flight ----------------------------------
# drain ON_ERROR WANT-REPLY: connection A stands in the middle of a body
# (in flight), connection B waits before its second message. SIGTERM: A
# keeps the daemon alive; B's new message is answered with on_error;
# then A completes and the daemon exits 0.
drain() {
	local on_error=$1 want=$2 gate_a="$TAP_TMP/gate-a-$1" gate_b="$TAP_TMP/gate-b-$1"
	"$CLIENT" -s "unix:$SOCK" -t 120 --wait 1:body:2000:"$gate_a" -o "$TAP_TMP/term-$on_error.out" \
		"$TAP_TMP/m1.eml" >"$TAP_TMP/a.out" 2>"$TAP_TMP/a.err" &
	local pid_a=$!
	"$CLIENT" -s "unix:$SOCK" -t 120 --wait 2:start:"$gate_b" -o "$TAP_TMP/late-$on_error" \
		"$TAP_TMP/m2.eml" "$TAP_TMP/m2.eml" >"$TAP_TMP/b.out" 2>"$TAP_TMP/b.err" &
	local pid_b=$!
	reached "$gate_a" && reached "$gate_b" || bail_out "clients never reached their gates"
	kill -TERM "$MT_PID"
	mt_wait_log "waiting for messages in flight" || not_ok "SIGTERM: drain started" "$(tail -n 3 "$MT_LOG")"
	# A new connection is not served while draining.
	if "$CLIENT" -s "unix:$SOCK" -t 10 "$TAP_TMP/m2.eml" >"$TAP_TMP/new.out" 2>&1 &&
		grep -q 'insheader' "$TAP_TMP/new.out"; then
		not_ok "SIGTERM ($on_error): a new connection is not served while draining" "$(cat "$TAP_TMP/new.out")"
	else
		ok "SIGTERM ($on_error): a new connection is not served while draining"
	fi
	touch "$gate_b"
	wait "$pid_b"
	if grep -q "^2 reply $want" "$TAP_TMP/b.out"; then
		ok "SIGTERM ($on_error): a message begun while draining gets on_error: $(grep '^2 reply' "$TAP_TMP/b.out")"
	else
		not_ok "SIGTERM ($on_error): a message begun while draining gets on_error" "$(cat "$TAP_TMP/b.out" "$TAP_TMP/b.err")"
	fi
	if mt_log_has "not signed: signpost-milter is stopping (on_error = $on_error"; then
		ok "SIGTERM ($on_error): the log says why"
	else
		not_ok "SIGTERM ($on_error): the log says why" "$(tail -n 4 "$MT_LOG")"
	fi
	if kill -0 "$MT_PID" 2>/dev/null; then ok "SIGTERM ($on_error): still running for the message in flight"
	else not_ok "SIGTERM ($on_error): still running for the message in flight"; fi
	touch "$gate_a"
	wait "$pid_a" || diag "milter-client: $(cat "$TAP_TMP/a.err")"
	sigs_are "SIGTERM ($on_error): the message in flight completes" "$TAP_TMP/term-$on_error.out" "$rsa|$ed"
	wait "$MT_PID"; local status=$?; MT_PID=""
	if [ $status -eq 0 ]; then ok "SIGTERM ($on_error): exit 0"; else not_ok "SIGTERM ($on_error): exit 0" "exit $status"; fi
	if [ ! -e "$PIDFILE" ]; then ok "SIGTERM ($on_error): pidfile removed"; else not_ok "SIGTERM ($on_error): pidfile removed"; fi
}
write_conf "r1, e1"
drain tempfail "replycode 451 4.7.1"
write_conf "r1, e1" "s/^log_level = debug$/log_level = debug\non_error = accept/"
mt_start "$conf" || bail_out "the daemon did not start again"
drain accept accept
done_testing

#!/bin/bash
# milter-daemon.sh - signpost-milter as an operator meets it: the options
# (-V -h, usage errors exit 2), -t's report and exit codes, start-up
# refusals (broken config, unsafe key, unknown user: exit 2 with the file
# and the fix), the pidfile (a second instance names the PID holding it),
# unix sockets (socket_mode, a stale socket removed, a live one or a plain
# file refused), inet and inet6 sockets, and dropping root to `user`.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
printf '[domain example.com]\nselector = r1, e1\n' >>"$conf"
mt_message "$TAP_TMP/m.eml" "Alice <alice@example.com>"
both="d=example.com s=r1 a=rsa-sha256|d=example.com s=e1 a=ed25519-sha256"

# run NAME WANT-STATUS PATTERN ARGS...: run the milter, check the exit
# status and that its output (stdout + stderr) matches PATTERN (grep -E).
run() {
	local name=$1 want=$2 pattern=$3 out st; shift 3
	out=$("$MILTER" "$@" 2>&1); st=$?
	if [ "$st" -eq "$want" ]; then ok "$name: exit $want"
	else not_ok "$name: exit $want" "exit $st: $out"; fi
	if printf '%s\n' "$out" | grep -qE -- "$pattern"; then ok "$name: says /$pattern/"
	else not_ok "$name: says /$pattern/" "$out"; fi
}

# --- options -----------------------------------------------------------
run "-V" 0 "^signpost-milter [0-9]+\.[0-9]+" -V
run "-h" 0 '^usage: signpost-milter \[-c FILE\] \[-f\] \[-t\] \[-V\] \[-h\]$' -h
run "unknown option" 2 "^usage: signpost-milter" -x
run "-c without a file" 2 "usage" -c
run "stray argument" 2 'unexpected argument "extra"' -c "$conf" extra

# --- -t ----------------------------------------------------------------
run "-t good config" 0 "configuration and 2 key\(s\) OK" -c "$conf" -t
out=$("$MILTER" -c "$conf" -t 2>&1)
if printf '%s\n' "$out" | grep -qE '^domain example.com:$' &&
   printf '%s\n' "$out" | grep -qE "^  s=r1 +a=rsa-sha256 +2048 bits +$KEYS/example.com/r1.pem$" &&
   printf '%s\n' "$out" | grep -qE "^  s=e1 +a=ed25519-sha256 +256 bits +$KEYS/example.com/e1.pem$"; then
	ok "-t prints each selector with algorithm, key size and file"
else
	not_ok "-t report" "$out"
fi
cp "$conf" "$TAP_TMP/bad.conf"
printf 'bogus = 1\n' >>"$TAP_TMP/bad.conf"
run "-t broken config" 2 "$TAP_TMP/bad.conf:$(wc -l <"$TAP_TMP/bad.conf"):" -c "$TAP_TMP/bad.conf" -t
run "-t missing config" 2 "$TAP_TMP/none.conf" -c "$TAP_TMP/none.conf" -t
sed 's/^selector = r1, e1$/selector = r1, e9/' "$conf" >"$TAP_TMP/missing-key.conf"
run "-t missing key" 2 "$KEYS/example.com/e9.pem" -c "$TAP_TMP/missing-key.conf" -t
chmod 0644 "$KEYS/example.com/e1.pem"
run "-t unsafe key" 2 "$KEYS/example.com/e1.pem.*chmod" -c "$conf" -t

# --- start-up refusals ---------------------------------------------------
run "start with an unsafe key" 2 "$KEYS/example.com/e1.pem.*chmod" -c "$conf" -f
chmod 0600 "$KEYS/example.com/e1.pem"
run "start with a broken config" 2 "$TAP_TMP/bad.conf:[0-9]+:" -c "$TAP_TMP/bad.conf" -f
sed 's/^log_level = debug$/user = no-such-user-here/' "$conf" >"$TAP_TMP/user.conf"
run "start with an unknown user" 2 "user no-such-user-here does not exist" -c "$TAP_TMP/user.conf" -f
run "-t with an unknown user" 2 "^signpost-milter: $TAP_TMP/user.conf: \\[milter\\] user no-such-user-here does not exist" -c "$TAP_TMP/user.conf" -t
if [ ! -e "$PIDFILE" ]; then ok "refused starts leave no pidfile"; else not_ok "refused starts leave no pidfile"; fi

# --- pidfile, socket_mode, running as root without user ------------------
sed -i 's/^log_level = debug$/log_level = debug\nsocket_mode = 0600/' "$conf"
mt_start "$conf" || bail_out "the daemon did not start"
if [ "$(cat "$PIDFILE")" = "$MT_PID" ]; then ok "pidfile holds the PID of the started process"
else not_ok "pidfile holds the started PID" "pidfile: $(cat "$PIDFILE"), started: $MT_PID"; fi
run "second instance" 2 "already running as PID $MT_PID \(pidfile $PIDFILE\)" -c "$conf" -f
if [ "$(stat -c %a "$SOCK")" = 600 ]; then ok "socket_mode 0600 applied"; else not_ok "socket_mode" "$(stat -c %a "$SOCK")"; fi
if [ "$(id -u)" -eq 0 ]; then
	if mt_log_has 'running as root: set "user"'; then ok "warns when running as root without user"
	else not_ok "warns when running as root without user" "$(head -n 3 "$MT_LOG")"; fi
fi
mt_client -o "$TAP_TMP/unix.out" "$TAP_TMP/m.eml"
[ "$(mt_sigs "$TAP_TMP/unix.out" | paste -sd'|')" = "$both" ] && ok "unix socket: signed" || not_ok "unix socket: signed"
mt_stop
[ "$MT_STATUS" -eq 0 ] && ok "stopped: exit 0" || not_ok "stopped: exit 0" "exit $MT_STATUS"
[ ! -e "$SOCK" ] && ok "stopped: socket removed" || not_ok "stopped: socket removed"
[ ! -e "$PIDFILE" ] && ok "stopped: pidfile removed" || not_ok "stopped: pidfile removed"

# --- without -f: the command returns once the daemon is ready ---------------
if out=$("$MILTER" -c "$conf" 2>&1); then ok "without -f: exit 0 once ready"
else not_ok "without -f: exit 0 once ready" "$out"; fi
dpid=$(cat "$PIDFILE" 2>/dev/null)
# sid of the daemon == its pid: it left the caller's session.
if [ -n "$dpid" ] && [ "$(awk '{ print $6 }' "/proc/$dpid/stat" 2>/dev/null)" = "$dpid" ]; then
	ok "without -f: detached into a session of its own"
else
	not_ok "without -f: detached" "pid '$dpid'"
fi
mt_client -o "$TAP_TMP/daemon.out" "$TAP_TMP/m.eml"
[ "$(mt_sigs "$TAP_TMP/daemon.out" | paste -sd'|')" = "$both" ] && ok "without -f: signs" || not_ok "without -f: signs"
kill -TERM "$dpid"
i=0; while [ -e "$PIDFILE" ] && [ $i -lt "$MT_WAIT" ]; do sleep 0.1; i=$((i + 1)); done
[ ! -e "$PIDFILE" ] && ok "without -f: SIGTERM stops it" || not_ok "without -f: SIGTERM stops it"
chmod 0640 "$KEYS/example.com/r1.pem"; chmod o+r "$KEYS/example.com/r1.pem"
run "without -f: a start-up error still exits 2 with the reason" 2 "$KEYS/example.com/r1.pem" -c "$conf"
chmod 0600 "$KEYS/example.com/r1.pem"

# --- unix sockets: stale, live, not a socket -------------------------------
rm -f "$SOCK"
/usr/bin/python3 "$top_srcdir/tests/tools/unix-socket.py" stale "$SOCK"
mt_start "$conf" && ok "starts over a stale socket" || not_ok "starts over a stale socket"
mt_log_has "removed stale socket $SOCK" && ok "stale socket: logged" || not_ok "stale socket: logged"
mt_stop
rm -f "$SOCK"
/usr/bin/python3 "$top_srcdir/tests/tools/unix-socket.py" hold "$SOCK" &
holder=$!
stop_holder() { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; }
at_exit stop_holder
i=0; while [ ! -e "$SOCK.up" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
run "socket in use by another process" 2 "$SOCK: another process is listening" -c "$conf" -f
stop_holder
rm -f "$SOCK"; echo "not a socket" >"$SOCK"
run "socket path is a plain file" 2 "$SOCK exists and is not a socket" -c "$conf" -f
rm -f "$SOCK"

# --- inet and inet6 ----------------------------------------------------------
for spec in "inet:PORT@127.0.0.1" "inet6:PORT@::1"; do
	port=$(free_port)
	spec=${spec/PORT/$port}
	sed "s|^socket = .*|socket = $spec|" "$conf" >"$TAP_TMP/inet.conf"
	if ! mt_start "$TAP_TMP/inet.conf"; then not_ok "$spec: starts"; continue; fi
	ok "$spec: starts"
	"$CLIENT" -s "$spec" -o "$TAP_TMP/inet.out" "$TAP_TMP/m.eml" >/dev/null 2>&1
	if [ "$(mt_sigs "$TAP_TMP/inet.out" | paste -sd'|')" = "$both" ] &&
	   mt_verify "$TAP_TMP/inet.out" >/dev/null 2>&1; then
		ok "$spec: signed and verified"
	else
		not_ok "$spec: signed and verified" "$(cat "$TAP_TMP/inet.out" | head -n 5)"
	fi
	# Without TCP_NODELAY every verdict waits ~40 ms for the MTA's ACK.
	if grep -q "socket $spec: TCP_NODELAY set" "$MT_LOG"; then
		ok "$spec: Nagle's algorithm is off for MTA connections"
	else
		not_ok "$spec: Nagle's algorithm is off for MTA connections" "$(tail -n 5 "$MT_LOG")"
	fi
	sed "s|^pidfile = .*|pidfile = $TAP_TMP/other.pid|" "$TAP_TMP/inet.conf" >"$TAP_TMP/inet2.conf"
	run "$spec: port in use" 2 "socket $spec: Address already in use" -c "$TAP_TMP/inet2.conf" -f
	mt_stop
done

# --- user: root loads the keys, then the worker runs as `user` ------------
if [ "$(id -u)" -ne 0 ]; then
	diag "not root: dropping privileges is not tested here"
else
	chmod 0711 "$TAP_TMP"
	mkdir "$TAP_TMP/run" && chown nobody "$TAP_TMP/run"
	sed -e "s|^socket = .*|socket = unix:$TAP_TMP/run/milter.sock|" \
	    -e 's/^log_level = debug$/log_level = debug\nuser = nobody/' "$conf" >"$TAP_TMP/nobody.conf"
	# root could load them, but every reload as nobody would fail
	run "user = nobody: keys 0600 root refused at start" 2 \
	    "the milter user nobody cannot read it, .*chmod 0640" -c "$TAP_TMP/nobody.conf" -f
	chgrp -R "$(id -gn nobody)" "$KEYS" && chmod -R g+rX "$KEYS"
	if mt_start "$TAP_TMP/nobody.conf"; then
		ok "user = nobody: starts (keys 0640 root:$(id -gn nobody))"
		worker=$(sed -n 's/.*started (worker pid \([0-9]*\)).*/\1/p' "$MT_LOG")
		wuid=$(awk '/^Uid:/ { print $2 "/" $3 "/" $4 }' "/proc/$worker/status")
		suid=$(awk '/^Uid:/ { print $2 "/" $3 "/" $4 }' "/proc/$MT_PID/status")
		[ "$wuid" = "65534/65534/65534" ] && ok "worker runs as nobody" || not_ok "worker runs as nobody" "$wuid"
		# The supervisor stays root: it starts a new worker when one dies, and
		# removes the pidfile and socket at exit.
		[ "$suid" = "0/0/0" ] && ok "supervisor stays root" || not_ok "supervisor stays root" "$suid"
		[ "$(stat -c %U "$TAP_TMP/run/milter.sock")" = nobody ] && ok "socket owned by nobody" ||
			not_ok "socket owned by nobody" "$(stat -c %U "$TAP_TMP/run/milter.sock")"
		"$CLIENT" -s "unix:$TAP_TMP/run/milter.sock" -o "$TAP_TMP/nobody.out" "$TAP_TMP/m.eml" >/dev/null 2>&1
		[ "$(mt_sigs "$TAP_TMP/nobody.out" | paste -sd'|')" = "$both" ] && ok "user = nobody: signs" ||
			not_ok "user = nobody: signs"
		mt_stop
		[ "$MT_STATUS" -eq 0 ] && ok "user = nobody: exit 0" || not_ok "user = nobody: exit 0" "exit $MT_STATUS"
	else
		not_ok "user = nobody: starts"
	fi
fi
done_testing

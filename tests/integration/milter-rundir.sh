#!/bin/bash
# milter-rundir.sh - the files root leaves in the file system, tried the way
# a local attacker or a careless operator would: a unix socket swapped for
# a symlink while the daemon starts (the link's target must never be
# chowned or chmodded), a pidfile that is a symlink or a hard link to
# another file (never written), directories that others can write
# (refused, by -t as well), and clean-up after the switch to `user` with a
# root-owned run directory (pidfile and socket removed, or a log line).
# Needs root, as the daemon is started in production.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

need_root "the daemon starts as root and switches to nobody"
id nobody >/dev/null 2>&1 || skip_all "no user nobody"

chmod 0711 "$TAP_TMP"
mt_key example.com r1 rsa
# The milter user (nobody) reads the key after dropping root: 0640, its group.
chgrp -R "$(id -gn nobody)" "$KEYS" && chmod -R g+rX "$KEYS"
mt_message "$TAP_TMP/m.eml" "Alice <alice@example.com>"

# conf NAME SOCKET PIDFILE: a configuration running as nobody.
conf() {
	mt_conf "$TAP_TMP/$1.conf" "unix:$2"
	sed -i -e "s|^pidfile = .*|pidfile = $3|" \
	    -e 's/^log_level = debug$/log_level = debug\nuser = nobody/' "$TAP_TMP/$1.conf"
	printf '[domain example.com]\nselector = r1\n' >>"$TAP_TMP/$1.conf"
	echo "$TAP_TMP/$1.conf"
}

# A root-owned file an attacker would love to own or to see overwritten.
target="$TAP_TMP/precious"
printf 'precious\n' >"$target"
chmod 0600 "$target"
target_state() { stat -c '%U:%G %a %s' "$target"; }
target_before=$(target_state)

# start_expect NAME CONF STATUS PATTERN: start in the foreground, expect
# exit STATUS (0: it started, then stop it) and PATTERN in its output.
start_expect() {
	local name=$1 conf=$2 want=$3 pattern=$4
	if [ "$want" -eq 0 ]; then
		if mt_start "$conf"; then ok "$name: starts"; mt_stop; else not_ok "$name: starts"; fi
		return
	fi
	out=$(timeout 20 "$MILTER" -c "$conf" -f 2>&1); st=$?
	[ "$st" -eq "$want" ] && ok "$name: exit $want" || not_ok "$name: exit $want" "exit $st: $out"
	if printf '%s\n' "$out" | grep -qE -- "$pattern"; then ok "$name: says /$pattern/"
	else not_ok "$name: says /$pattern/" "$out"; fi
}

mkdir -m 0755 "$TAP_TMP/run"                       # root's, as systemd makes it
mkdir -m 0750 "$TAP_TMP/spool" && chown nobody "$TAP_TMP/spool"   # the milter user's

# --- 1. the socket: swapped for a symlink while the daemon starts ----------
# The racer runs as nobody, who owns the socket's directory: as soon as a
# socket appears it renames a symlink to $target over it.
c=$(conf race "$TAP_TMP/spool/milter.sock" "$TAP_TMP/run/milter.pid")
setpriv --reuid nobody --regid nogroup --clear-groups /usr/bin/python3 \
	"$top_srcdir/tests/tools/unix-socket.py" race "$TAP_TMP/spool/milter.sock" "$target" &
racer=$!
stop_racer() { kill "$racer" 2>/dev/null; wait "$racer" 2>/dev/null; }
at_exit stop_racer
for i in $(seq 6); do
	rm -f "$TAP_TMP/spool/milter.sock"
	timeout 20 "$MILTER" -c "$c" -f >"$TAP_TMP/race.log" 2>&1 &
	pid=$!
	sleep 0.3
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done
stop_racer
if [ "$(target_state)" = "$target_before" ]; then ok "6 starts against a symlink racer: the target keeps owner and mode ($target_before)"
else not_ok "6 starts against a symlink racer: the target keeps owner and mode" "before $target_before, after $(target_state)"; fi
chown root:root "$target"; chmod 0600 "$target"
rm -f "$TAP_TMP/spool/milter.sock" "$TAP_TMP/spool/milter.sock.lnk" "$TAP_TMP/run/milter.pid"

# The same, deterministically: no call that changes owner or mode by a path
# that may follow a link, in either kind of directory.
if command -v strace >/dev/null; then
	for d in spool run; do
		c=$(conf "strace-$d" "$TAP_TMP/$d/milter.sock" "$TAP_TMP/$d-milter.pid")
		: >"$MT_LOG"
		strace -f -qq -e trace=chmod,fchmodat,chown,lchown,fchownat,fchown -o "$TAP_TMP/strace-$d" \
			"$MILTER" -c "$c" -f >>"$MT_LOG" 2>&1 &
		spid=$!
		for i in $(seq "$MT_WAIT"); do grep -q 'started (worker pid' "$MT_LOG" && break; sleep 0.1; done
		owner=$(stat -c '%U %a' "$TAP_TMP/$d/milter.sock" 2>/dev/null)
		# strace does not pass SIGTERM on: stop the daemon by its pidfile.
		kill -TERM "$(cat "$TAP_TMP/$d-milter.pid")"; wait "$spid"
		bad=$(grep -E 'chmod|chown' "$TAP_TMP/strace-$d" | grep -v 'AT_SYMLINK_NOFOLLOW')
		if [ -z "$bad" ]; then ok "socket in the $d directory: no chmod or chown that follows links"
		else not_ok "socket in the $d directory: no chmod or chown that follows links" "$bad"; fi
		[ "$owner" = "nobody 660" ] && ok "socket in the $d directory: owned by nobody, mode 0660" ||
			not_ok "socket in the $d directory: owned by nobody, mode 0660" "$owner"
	done
else
	diag "strace not installed: the system calls are not checked"
fi

# --- 2. directories others can write: refused (-t says so too) ----------------
mkdir -m 1777 "$TAP_TMP/world"
c=$(conf world "$TAP_TMP/world/milter.sock" "$TAP_TMP/run/milter.pid")
start_expect "socket in a world-writable directory" "$c" 2 "directory $TAP_TMP/world is writable by every user"
out=$("$MILTER" -c "$c" -t 2>&1); st=$?
[ "$st" -eq 2 ] && printf '%s\n' "$out" | grep -q "directory $TAP_TMP/world is writable by every user" &&
	ok "-t refuses the world-writable socket directory" || not_ok "-t refuses the world-writable socket directory" "exit $st: $out"
mkdir -m 0775 "$TAP_TMP/grp" && chgrp mail "$TAP_TMP/grp"
c=$(conf grp "$TAP_TMP/grp/milter.sock" "$TAP_TMP/run/milter.pid")
start_expect "socket in a directory group mail can write" "$c" 2 "writable by group mail"
mkdir -m 0755 "$TAP_TMP/other" && chown mail "$TAP_TMP/other"
c=$(conf other "$TAP_TMP/other/milter.sock" "$TAP_TMP/run/milter.pid")
start_expect "socket in a directory owned by user mail" "$c" 2 "owned by mail"
c=$(conf pidspool "$TAP_TMP/run/milter.sock" "$TAP_TMP/spool/milter.pid")
start_expect "pidfile in a directory the milter user owns" "$c" 2 "pidfile is writable by the milter's user"
out=$("$MILTER" -c "$c" -t 2>&1); st=$?
[ "$st" -eq 2 ] && printf '%s\n' "$out" | grep -q "pidfile is writable by the milter's user" &&
	ok "-t refuses the pidfile directory the milter user owns" || not_ok "-t refuses that pidfile directory" "exit $st: $out"
c=$(conf good "$TAP_TMP/spool/milter.sock" "$TAP_TMP/run/milter.pid")
out=$("$MILTER" -c "$c" -t 2>&1) && ok "-t accepts the socket in the milter user's directory, the pidfile in root's" ||
	not_ok "-t accepts the good directories" "$out"

# --- 3. the pidfile: symlink and hard link are never written -------------------
ln -s "$target" "$TAP_TMP/run/milter.pid"
c=$(conf pidlink "$TAP_TMP/spool/milter.sock" "$TAP_TMP/run/milter.pid")
start_expect "pidfile is a symlink" "$c" 2 "pidfile $TAP_TMP/run/milter.pid.*symbolic link"
rm -f "$TAP_TMP/run/milter.pid"
ln "$target" "$TAP_TMP/run/milter.pid"
start_expect "pidfile is a hard link" "$c" 2 "pidfile $TAP_TMP/run/milter.pid is not a plain file of ours"
rm -f "$TAP_TMP/run/milter.pid"
if [ "$(cat "$target")" = precious ] && [ "$(target_state)" = "$target_before" ]; then
	ok "the linked-to file is untouched"
else
	not_ok "the linked-to file is untouched" "$(target_state): $(head -c 40 "$target")"
fi
# The old advice: pidfile directory owned by the milter user, symlink planted.
ln -s "$target" "$TAP_TMP/spool/milter.pid"
c=$(conf pidspool2 "$TAP_TMP/run/milter.sock" "$TAP_TMP/spool/milter.pid")
start_expect "pidfile symlink in the milter user's directory" "$c" 2 "writable by the milter's user"
[ "$(cat "$target")" = precious ] && ok "its target is untouched" || not_ok "its target is untouched" "$(head -c 40 "$target")"
rm -f "$TAP_TMP/spool/milter.pid"

# --- 4. clean-up after the switch to nobody, root-owned run directory -------------
for d in run spool; do
	c=$(conf "clean-$d" "$TAP_TMP/$d/milter.sock" "$TAP_TMP/run/milter.pid")
	if ! mt_start "$c"; then not_ok "socket in $d: starts"; continue; fi
	"$CLIENT" -s "unix:$TAP_TMP/$d/milter.sock" -o "$TAP_TMP/clean.out" "$TAP_TMP/m.eml" >/dev/null 2>&1
	[ "$(mt_sigs "$TAP_TMP/clean.out")" = "d=example.com s=r1 a=rsa-sha256" ] &&
		ok "socket in $d: signs as nobody" || not_ok "socket in $d: signs as nobody"
	mt_stop
	[ "$MT_STATUS" -eq 0 ] && ok "socket in $d: SIGTERM, exit 0" || not_ok "socket in $d: exit 0" "exit $MT_STATUS"
	[ ! -e "$TAP_TMP/$d/milter.sock" ] && ok "socket in $d: socket removed" ||
		not_ok "socket in $d: socket removed" "$(tail -n 5 "$MT_LOG")"
	[ ! -e "$TAP_TMP/run/milter.pid" ] && ok "socket in $d: pidfile removed" ||
		not_ok "socket in $d: pidfile removed" "$(tail -n 5 "$MT_LOG")"
done
# A socket replaced while we ran is left alone, and the log says so.
c=$(conf replaced "$TAP_TMP/run/milter.sock" "$TAP_TMP/run/milter.pid")
if mt_start "$c"; then
	rm -f "$TAP_TMP/run/milter.sock"; echo other >"$TAP_TMP/run/milter.sock"
	mt_stop
	[ "$(cat "$TAP_TMP/run/milter.sock" 2>/dev/null)" = other ] && ok "a replaced socket file is left in place" ||
		not_ok "a replaced socket file is left in place"
	mt_log_has "socket $TAP_TMP/run/milter.sock was replaced by another file: left in place" &&
		ok "and the log says so" || not_ok "and the log says so" "$(tail -n 5 "$MT_LOG")"
	rm -f "$TAP_TMP/run/milter.sock"
else
	not_ok "replaced socket: starts"
fi
done_testing

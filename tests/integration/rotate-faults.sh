# rotate-faults.sh - `dnsgen rotate` when things go wrong, against a
# private Knot server: the run killed right after each step it saves (one
# case per step, through the test-only SIGNPOST_TEST_KILL_AFTER of
# dnsgen(1)) resumes and ends in exactly the state of an undisturbed
# schedule; two runs at once; a corrupted and a truncated state file; a
# key file removed by hand. Each ends with no lost key, no active key
# that DNS does not serve, and a clear message.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/rotate-lib.sh"
dg_need knotd dig named-checkzone kzonecheck flock
need milter
# dnsgen runs here hundreds of times, to be killed after each step it
# saves. Under the sanitizers its leaks are checked where the same rotation
# code runs a few times (rotate-schedule.sh, rotate-publish.sh), not at
# every exit here: the check costs each run about 60 ms of CPU.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
knot=$TAP_TMP/knot
port=$(free_port)
mkdir -p "$keys" "$knot/zones"
rl_conf "$conf" "$keys" "$port"
dg_keys "$conf" || bail_out "dnsgen keygen failed"
cp -a "$keys" "$TAP_TMP/keys.orig"
rl_at 0
dg_zone "$conf" 1 >"$knot/zones/example.com.zone" || bail_out "dnsgen failed"
at_exit knot_stop
knot_start "$knot" "127.0.0.1@$port" example.com || bail_out "knotd did not start"

# fresh : the hand-made keys again, no state, the zone served from them.
fresh() {
	rm -rf "$keys" && cp -a "$TAP_TMP/keys.orig" "$keys"
	rl_at 0
	rl_serve || bail_out "dnsgen -f zone failed"
}

# The schedule: adopt; new keys; published; active; revoked; forgotten.
SCHEDULE="${ROTATE_SCHEDULE:-0 $((30 * DAY)) $((30 * DAY)) $((30 * DAY + 3600)) \
$((37 * DAY + 3600)) $((44 * DAY + 3600))}"

# keys_kept : every key the state does not call revoked has its file,
# every revoked key's file is gone.
keys_kept() {
	awk '$1 == "key" { print $2, $4 }' "$keys/example.com/keystate" |
	while read -r s st; do
		if [ "$st" = revoked ]; then
			[ ! -e "$keys/example.com/$s.pem" ] || echo "$s revoked but kept"
		else
			[ -s "$keys/example.com/$s.pem" ] || echo "$s ($st) lost"
		fi
	done
}

# schedule KILL : the whole schedule, publishing by hand after each run;
# with KILL, runs are killed after that step until one is, then the same
# run is repeated. Sets KILLED, BAD (problems seen after any run).
schedule() {
	local t rc out
	KILLED=no BAD=""
	fresh
	for t in $SCHEDULE; do
		rl_at "$t"
		rc=0
		if [ -n "$1" ] && [ "$KILLED" = no ]; then
			out=$(SIGNPOST_TEST_KILL_AFTER=$1 "$DNSGEN" -c "$conf" rotate 2>&1) || rc=$?
			if [ "$rc" -eq 137 ]; then
				KILLED=yes
				# Killed between saving a step and its work: a pending
				# key's file not made yet, a revoked key's not wiped yet.
				BAD="$BAD$(rl_unserved)$(keys_kept |
					grep -v -e 'revoked but kept' -e '(pending) lost')"
				rc=0
				out=$("$DNSGEN" -c "$conf" rotate 2>&1) || rc=$?
			fi
		else
			out=$("$DNSGEN" -c "$conf" rotate 2>&1) || rc=$?
		fi
		[ "$rc" -eq 0 ] || BAD="$BAD run at +$t exited $rc: $out;"
		rl_serve || BAD="$BAD dnsgen -f zone failed at +$t;"
		BAD="$BAD$(rl_unserved)$(keys_kept)"
	done
}

schedule ""
rl_is "$BAD" "" "reference: the undisturbed schedule has no problem"
cp "$keys/example.com/keystate" "$TAP_TMP/state.reference"
rl_is "$(rl_states)" "20261231r=active 20261231e=active" "reference: two new active keys"

for step in adopt pending keygen published active revoked wiped forgotten; do
	schedule "$step"
	rl_is "$KILLED" yes "killed after $step: the run died there"
	rl_is "$BAD" "" "killed after $step: no lost key, no unserved active key"
	check "killed after $step: the next runs end where the undisturbed one does" \
		cmp "$TAP_TMP/state.reference" "$keys/example.com/keystate"
done

# Two runs at once: the second one stops at the lock and changes nothing.
fresh
rl_at 0
rl_rotate "lock: the first run" 0
rl_at $((30 * DAY))
cp "$keys/example.com/keystate" "$TAP_TMP/state.before"
flock -x "$keys/.rotate.lock" sleep 2 &
holder=$!
for _ in $(seq 1 50); do
	flock -n "$keys/.rotate.lock" true 2>/dev/null || break
	sleep 0.1
done
rl_rotate "lock: a run while another holds the lock exits 2" 2
out_has "lock: it says why" "another dnsgen rotate is running"
check "lock: and changed nothing" cmp "$TAP_TMP/state.before" "$keys/example.com/keystate"
wait "$holder"
rl_rotate "lock: once the lock is free the run goes ahead" 0
out_has "lock: the new key is made" "20261231r made"

# A corrupted and a truncated state file: exit 2 naming PATH:LINE, nothing changed.
state=$keys/example.com/keystate
for damage in corrupted truncated; do
	fresh
	rl_at 0
	"$DNSGEN" -c "$conf" rotate >/dev/null 2>&1
	if [ "$damage" = corrupted ]; then
		sed -i 's/^key rsa1 rsa active/key rsa1 rsa acitve/' "$state"
	else
		truncate -s $(( $(stat -c %s "$state") - 10 )) "$state"
	fi
	cp "$state" "$TAP_TMP/state.damaged"
	ls "$keys/example.com" >"$TAP_TMP/files.before"
	rl_at $((30 * DAY))
	rl_rotate "$damage state: rotate exits 2" 2
	if [ "$damage" = corrupted ]; then
		out_has "$damage state: PATH:LINE and why" "$state:5: \"acitve\" is not a state"
	else
		out_has "$damage state: PATH:LINE and why" "$state:[0-9]+: "
	fi
	check "$damage state: the file is left as it is" cmp "$TAP_TMP/state.damaged" "$state"
	ls "$keys/example.com" >"$TAP_TMP/files.after"
	check "$damage state: no key file made or deleted" cmp "$TAP_TMP/files.before" "$TAP_TMP/files.after"
	check_rc "$damage state: records exits 2" 2 "$DNSGEN" -c "$conf"
	out_has "$damage state: records names the file" "$state:"
	check_rc "$damage state: signpost-milter -t exits 2" 2 "$SP_MILTER" -c "$conf" -t
	out_has "$damage state: the milter names the file" "$state:"
done

# A key file removed by hand: the key stops signing, a successor is made.
fresh
rl_at 0
"$DNSGEN" -c "$conf" rotate >/dev/null 2>&1
rm "$keys/example.com/rsa1.pem"
check_rc "removed key: signpost-milter -t refuses the missing active key" 2 \
	"$SP_MILTER" -c "$conf" -t
out_has "removed key: naming its path" "rsa1.pem"
rl_at $DAY
rl_rotate "removed key: rotate exits 0" 0
out_has "removed key: says what it does" "rsa1: key file .*rsa1.pem of an active key is missing: it cannot sign; retiring it now and making a successor"
out_has "removed key: a successor is pending" "20261202r made \\(rsa 2048\\), pending"
rl_is "$(rl_states)" "rsa1=retiring ed1=active 20261202r=pending" "removed key: the states"
rl_is "$(keys_kept | grep -v '^rsa1 ')" "" "removed key: no other key lost"
check_rc "removed key: the milter starts again, with ed1 alone" 0 "$SP_MILTER" -c "$conf" -t
out_has "removed key: ed1 signs" "s=ed1 +a=ed25519-sha256"
rl_is "$(rl_unserved)" "" "removed key: no active key unserved"

done_testing

# rotate-drill.sh - the key rotation drill with two real authoritative
# servers (knot-lib.sh): a Knot primary that takes the TSIG-signed RFC 2136
# updates `dnsgen rotate` sends through `dnsgen publish`, and a Knot
# secondary fed by NOTIFY and zone transfer, both in check_servers. Mail
# flows through the real milter the whole time (a background sender), and
# the test clock (SIGNPOST_NOW) runs two full rotation cycles of RSA and
# Ed25519 in seconds.
#
# Each cycle holds the secondary's transfers back while the new keys are
# made: the primary serves them, the secondary does not, and however late
# the clock runs no key becomes active until the secondary is let go and
# serves them too. At every step every active key is served by both
# servers, and every message signed since the last step is verified right
# then, before DNS changes again, through each server by dkimpy and a
# second independent verifier (tests/verify/verify-dkim). Mail signed with
# a retiring key keeps verifying until the key is revoked; revoked records
# read p= at both servers; forgotten records leave both.
#
# Quick by default (make check: a message every three seconds, each
# judged on its own by dkimpy and OpenDKIM, the two that start the
# quickest); SIGNPOST_DRILL_FULL=1 sends sixty times as much mail and asks
# every verifier verify-dkim knows.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/knot-lib.sh"
. "$top_srcdir/tests/integration/rotate-lib.sh"
dg_need knotd keymgr dig
need milter milter-client dkimpy /usr/sbin/opendkim

DRILL_FULL=${SIGNPOST_DRILL_FULL:-0}
# Like the Postfix drills, it tests processes and servers, not memory: in
# the quick suite it runs in the plain build only (dnsgen-publish.sh and
# rotate-publish.sh take the same code through the sanitizers).
if [ "${SIGNPOST_SANITIZERS:-no}" = yes ] && [ "$DRILL_FULL" != 1 ]; then
	skip_all "the rotation drill runs in the plain build (SIGNPOST_DRILL_FULL=1 runs it under the sanitizers too)"
fi
if [ "$DRILL_FULL" = 1 ]; then
	MAIL_PAUSE=0.05
	need mail-dkim mailauth
else
	MAIL_PAUSE=3
	export SIGNPOST_VERIFY_ONLY=dkimpy,opendkim
fi

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
kp=$TAP_TMP/knot
mail_dir=$TAP_TMP/mail
mkdir -p "$keys" "$kp" "$mail_dir/new" "$mail_dir/seen"
rl_two_servers "socket = unix:$TAP_TMP/milter.sock\npidfile = $TAP_TMP/milter.pid\nlog_level = debug"
rl_at 0

# The hand-made keys go out by publish, then rotation adopts them.
check_rc "before: publish the hand-made keys" 0 "$DNSGEN" -c "$conf" publish
kp_in_sync example.com || bail_out "the secondary did not follow"

log=$TAP_TMP/milter.log
sp_milter_start "$conf" "$log" || bail_out "signpost-milter did not start"
stop_milter() { sp_milter_stop "$SP_MILTER_PID"; }
at_exit stop_milter

# The background sender: a message through the milter every MAIL_PAUSE
# seconds, each kept (once complete) in $mail_dir/new.
sender() {
	local i=0 in out
	while :; do
		i=$((i + 1))
		in=$mail_dir/in-$i.eml out=$mail_dir/tmp-$i.eml
		printf '%s\r\n' "From: Alice <alice@example.com>" \
			"To: bob@example.net" "Subject: drill $i" \
			"Date: Tue, 01 Dec 2026 12:00:00 +0000" \
			"Message-ID: <drill-$i@example.com>" "" "Message $i." >"$in"
		if "$SP_CLIENT" -s "unix:$TAP_TMP/milter.sock" -t 60 -o "$out" \
			"$in" >/dev/null 2>&1; then
			mv "$out" "$mail_dir/new/$(printf %06d "$i").eml"
		else
			echo "$i" >>"$mail_dir/failed"
		fi
		rm -f "$in"
		sleep "$MAIL_PAUSE"
	done
}
sender &
SENDER_PID=$!
stop_sender() { kill "$SENDER_PID" 2>/dev/null; wait "$SENDER_PID" 2>/dev/null; }
at_exit stop_sender

# verify_new NAME : every message signed since the last step verifies now,
# through the primary and through the secondary; they move to seen/, and
# the newest is kept in $last.
verify_new() {
	local name=$1 files s pid bad=""
	for s in $(seq 1 50); do
		ls "$mail_dir/new" | grep -q . && break
		sleep 0.1
	done
	files=$(ls "$mail_dir/new"/*.eml 2>/dev/null)
	if [ -z "$files" ]; then
		not_ok "$name: mail flows" "no message since the last step"
		return
	fi
	# Both servers at once: the verifiers' start-up is most of the time.
	sp_verify --server "$KP_PRIMARY" $files >"$TAP_TMP/verify.1" 2>&1 &
	pid=$!
	sp_verify --server "$KP_SECONDARY" $files >"$TAP_TMP/verify.2" 2>&1 ||
		bad="$bad
through $KP_SECONDARY: $(grep -v ' => pass$' "$TAP_TMP/verify.2" | grep -v '^[^:]*: pass ' | head -20)"
	wait "$pid" ||
		bad="$bad
through $KP_PRIMARY: $(grep -v ' => pass$' "$TAP_TMP/verify.1" | grep -v '^[^:]*: pass ' | head -20)"
	if [ -z "$bad" ]; then
		ok "$name: $(wc -w <<<"$files") messages verify through both servers"
	else
		not_ok "$name: every message verifies through both servers" "$bad"
	fi
	for s in $files; do mv "$s" "$mail_dir/seen/"; done
	last=$mail_dir/seen/${s##*/}
}

# selectors_of FILE : the s= of its signatures, sorted, one line.
selectors_of() {
	sp_sig_tags "$1" s | sed 's/^s=//' | sort | tr '\n' ' ' | sed 's/ $//'
}

# signs_with NAME WANT : the newest mail (after any reload) carries WANT.
signs_with() {
	local got="" i f
	for i in $(seq 1 "$SP_WAIT"); do
		f=$(ls "$mail_dir/new"/*.eml 2>/dev/null | tail -1)
		[ -n "$f" ] && got=$(selectors_of "$f")
		[ "$got" = "$2" ] && break
		sleep 0.1
	done
	if [ "$got" = "$2" ]; then ok "$1: the milter signs with $2"
	else not_ok "$1: the milter signs with $2" "got '$got'"; fi
}

# txt PORT SELECTOR : what that server serves at SELECTOR._domainkey.
txt() {
	dig +short +norec +time=1 +tries=2 @127.0.0.1 -p "$1" \
		"$2._domainkey.example.com" TXT | tr -d '" \n'
}

# want_record SELECTOR : the record dnsgen prints for it, without spaces.
want_record() {
	"$DNSGEN" -c "$conf" -f json 2>/dev/null | "$PY" -c '
import json, sys
for r in json.load(sys.stdin):
    if r["name"].startswith(sys.argv[1] + "._domainkey."): print(r["value"])' "$1" |
		tr -d ' '
}

# active_served NAME : no key signs that a server does not serve (dnsgen's
# records are asked for once, then each active key at both servers).
active_served() {
	local s w bad="" want
	want=$("$DNSGEN" -c "$conf" -f json 2>/dev/null | "$PY" -c '
import json, sys
for r in json.load(sys.stdin):
    if "._domainkey." in r["name"]:
        print(r["name"].split(".")[0], r["value"].replace(" ", ""))')
	for s in $(awk '$1 == "key" && $4 == "active" { print $2 }' \
		"$keys/example.com/keystate"); do
		w=$(awk -v s="$s" '$1 == s { print $2 }' <<<"$want")
		[ -n "$w" ] && [ "$(txt "$KP_PPORT" "$s")" = "$w" ] || bad="$bad $s@primary"
		[ -n "$w" ] && [ "$(txt "$KP_SPORT" "$s")" = "$w" ] || bad="$bad $s@secondary"
	done
	if [ -z "$bad" ]; then ok "$1: every active key is served by both servers"
	else not_ok "$1: every active key is served by both servers" "not served:$bad"; fi
}

# step NAME SECONDS : rotate at T0 + SECONDS (exit 0), then the checks every
# step makes.
step() {
	verify_new "$1: before"
	rl_at "$2"
	rl_rotate "$1: rotate exits 0" 0
	active_served "$1"
}

step "adopt" 0
out_has "adopt: rsa1 adopted" '^example.com: rsa1 adopted as active'
rl_is "$(rl_states)" "rsa1=active ed1=active" "adopt: the state file"
signs_with "adopt" "ed1 rsa1"

cycle() {
	local cy=$1 start=$2 old_r=$3 old_e=$4 date new_r new_e old_mail
	date=$(date -u -d "@$((T0 + start))" +%Y%m%d)
	new_r=${date}r new_e=${date}e
	old_mail=$last

	kp_hold example.com
	step "$cy: due, the secondary held" "$start"
	out_has "$cy: $new_r made" "^example.com: $new_r made \\(rsa 2048\\)"
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "pending pending" \
		"$cy: the new keys are pending"
	rl_is "$(txt "$KP_PPORT" "$new_r")" "$(want_record "$new_r")" \
		"$cy: rotate published $new_r at the primary"
	rl_is "$(txt "$KP_SPORT" "$new_r")" "" "$cy: the held secondary does not serve it"

	step "$cy: a day later, still held" $((start + DAY))
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "pending pending" \
		"$cy: no key becomes published while the secondary lags"
	signs_with "$cy: held" "$old_e $old_r"

	kp_release example.com || not_ok "$cy: the secondary caught up"
	step "$cy: the secondary serves them" $((start + DAY + 60))
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "published published" \
		"$cy: published once both servers serve them"
	signs_with "$cy: published" "$old_e $old_r"

	step "$cy: the hold is over" $((start + DAY + 60 + 3600))
	rl_is "$(rl_state "$new_r") $(rl_state "$new_e")" "active active" "$cy: active"
	rl_is "$(rl_state "$old_r") $(rl_state "$old_e")" "retiring retiring" \
		"$cy: the old keys retire"
	signs_with "$cy: active" "$new_e $new_r"
	for s in "$KP_PRIMARY" "$KP_SECONDARY"; do
		check "$cy: mail of the retiring keys still verifies through $s" \
			sp_verify --server "$s" "$old_mail"
	done

	step "$cy: retire_after passed" $((start + DAY + 60 + 3600 + 7 * DAY))
	rl_is "$(rl_state "$old_r") $(rl_state "$old_e")" "revoked revoked" "$cy: revoked"
	kp_in_sync example.com || not_ok "$cy: the secondary followed the revocation"
	for p in "$KP_PPORT" "$KP_SPORT"; do
		rl_is "$(txt "$p" "$old_r")" "v=DKIM1;k=rsa;p=" "$cy: $old_r reads p= at port $p"
		rl_is "$(txt "$p" "$old_e")" "v=DKIM1;k=ed25519;p=" "$cy: $old_e reads p= at port $p"
	done
	for s in "$KP_PRIMARY" "$KP_SECONDARY"; do
		if sp_verify --server "$s" "$old_mail" >/dev/null 2>&1; then
			not_ok "$cy: mail of a revoked key no longer verifies through $s"
		else
			ok "$cy: mail of a revoked key no longer verifies through $s"
		fi
	done

	step "$cy: revoke_after passed" $((start + DAY + 60 + 3600 + 14 * DAY))
	rl_is "$(rl_state "$old_r")$(rl_state "$old_e")" "" "$cy: the old keys are forgotten"
	kp_in_sync example.com || not_ok "$cy: the secondary followed the removal"
	for p in "$KP_PPORT" "$KP_SPORT"; do
		rl_is "$(txt "$p" "$old_r")$(txt "$p" "$old_e")" "" \
			"$cy: the old records left the server at port $p"
	done
}

# Keys are due 30 days after they were made: cycle 2 starts on day 60.
cycle "cycle 1" $((30 * DAY)) rsa1 ed1
c1=$(date -u -d "@$((T0 + 30 * DAY))" +%Y%m%d)
cycle "cycle 2" $((60 * DAY)) "${c1}r" "${c1}e"
n0=$(kp_updates)
step "after two cycles" $((80 * DAY))
rl_is "$(( $(kp_updates) - n0 ))" 0 "after two cycles: a run with nothing due sends no UPDATE"
verify_new "the end"
if [ -s "$mail_dir/failed" ]; then
	not_ok "the milter signed every message" "failed: $(tr '\n' ' ' <"$mail_dir/failed")"
else
	ok "the milter signed every message ($(ls "$mail_dir/seen" | wc -l) in all)"
fi

done_testing

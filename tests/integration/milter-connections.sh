#!/bin/bash
# milter-connections.sh - 1,000 MTA connections at once: every one is opened
# (negotiation, connect) before any sends a message, all stay open until
# all are done, and every message is signed with no tempfail and no error.
# The worker has raised its open-file limit for that (one descriptor per
# connection; Debian's libmilter polls, so descriptors past 1024 work).
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
sed -i 's/^log_level = debug$/log_level = info/' "$conf"
printf '[domain example.com]\nselector = r1, e1\n' >>"$conf"
mt_message "$TAP_TMP/m.eml" "Alice <alice@example.com>"

# The client needs its own descriptors too.
ulimit -n "$(ulimit -H -n)" 2>/dev/null
[ "$(ulimit -n)" -ge 1100 ] || bail_out "cannot raise this shell's open-file limit to 1,100 (hard limit $(ulimit -H -n))"

mt_start "$conf" || bail_out "the daemon did not start"
worker=$(sed -n 's/.*started (worker pid \([0-9]*\)).*/\1/p' "$MT_LOG")
limit=$(awk '/^Max open files/ { print $4 }' "/proc/$worker/limits")
if [ "$limit" -ge 2048 ]; then ok "worker's open-file limit raised: $limit"
else not_ok "worker's open-file limit raised" "soft limit $limit"; fi

for round in 1 2; do
	if out=$("$CLIENT" -s "unix:$SOCK" -t 120 --load --hold -c 1000 -m 2 "$TAP_TMP/m.eml" 2>&1); then
		ok "round $round: 1,000 connections held: $out"
	else
		not_ok "round $round: 1,000 connections held" "$out"
	fi
	for want in "messages=2000" "signed=2000" "tempfail=0" "errors=0" "other=0"; do
		case " $out " in
			*" $want "*) ok "round $round: $want" ;;
			*) not_ok "round $round: $want" "$out" ;;
		esac
	done
done
errs=$(grep -E 'error|warning' "$MT_LOG" | grep -v 'running as root')
if [ -z "$errs" ]; then ok "no errors or warnings logged"
else not_ok "no errors or warnings logged" "$(printf '%s\n' "$errs" | head)"; fi
mt_stop
[ "$MT_STATUS" -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "exit $MT_STATUS"
done_testing

#!/bin/bash
# dnsgen-runcap.sh - the whole of `dnsgen check` is bounded, not only each
# question: twenty domains checked against a server that never answers
# would cost one timeout (4 s) each, 80 s in all, but the run stops asking
# after 60 s (dnsgen(1)) and says so for every question it did not ask.
# The limit is shortened to 10 s here (SIGNPOST_CHECK_SECONDS) to keep the
# suite short; the code path is the one the 60 s limit takes.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need dig dnspython

dg_setup
for i in $(seq -w 1 20); do
	printf '[domain d%s.example]\nselector = ed1\n' "$i" >>"$conf"
done
"$DNSGEN" -c "$conf" -d example.com >"$TAP_TMP/example.com.zone" 2>/dev/null
{ dg_soa example.com 1; cat "$TAP_TMP/example.com.zone"; } >"$TAP_TMP/z"
port=$(free_port)
fault_start "$TAP_TMP" 127.0.0.1 "$port" "example.com=$TAP_TMP/z" ||
	bail_out "dns-fault-server did not start"
at_exit fault_stop
echo silent >"$TAP_TMP/mode"

SIGNPOST_CHECK_SECONDS=10 timed_rc "21 domains, a silent server" 2 25 \
	"$DNSGEN" -c "$conf" check --server "127.0.0.1#$port"
if [ "$TOOK_MS" -ge 9000 ]; then ok "it did wait for the domains it could ask"
else not_ok "it did wait for the domains it could ask" "${TOOK_MS} ms"; fi
out_has "the rest is not asked, and it says why" \
	'^ +error: +[^ ]+ [A-Z]+ not asked: dnsgen check stops asking after 10 s in all$'
out_has "the last domain is among them" '^d20.example: 0 ok, 0 missing, 0 differ, 0 fail, [1-9][0-9]* errors$'

done_testing

#!/bin/bash
# dnsgen-many.sh - with more domains than one run of 64, `dnsgen records`
# builds and formats the domains in threads (dnsgen/records.c); what it
# prints must be what the same domains give in runs small enough to take
# the single-threaded way: the same text in every format (JSON one array),
# and on failure nothing on stdout and the same errors in the same order.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
mkdir -p "$keys"
dg_conf "$conf" "$keys"
sp_keygen "$conf" example.com ed1 ed25519 || bail_out "dnsgen keygen failed"
names=(example.com)
for i in $(seq -w 1 150); do
	d=d$i.example
	names+=("$d")
	printf '[domain %s]\nselector = ed1\n' "$d" >>"$conf"
	mkdir -m 0700 "$keys/$d"
	cp -p "$keys/example.com/ed1.pem" "$keys/$d/ed1.pem"
done
rm "$keys/example.com/ed1.pem"
cp -p "$keys/d001.example/ed1.pem" "$keys/example.com/ed1.pem"
# example.com also has rsa1 (a selector without a file is no error)

# serial FORMAT OUT ERR : the domains in groups of 50 (-d each: one run,
# no thread), the groups' outputs joined as one run of dnsgen joins them
serial() {
	local fmt=$1 i rc=0 args
	: >"$2"
	: >"$3"
	for ((i = 0; i < ${#names[@]}; i += 50)); do
		args=()
		for d in "${names[@]:i:50}"; do args+=(-d "$d"); done
		if [ "$i" -gt 0 ] && [ "$fmt" != nsupdate ] && [ "$fmt" != json ]; then
			echo >>"$2"
		fi
		"$DNSGEN" -c "$conf" -f "$fmt" "${args[@]}" >"$TAP_TMP/part" \
			2>>"$3" || rc=$?
		if [ "$fmt" = json ]; then
			cat "$TAP_TMP/part" >>"$TAP_TMP/parts.json"
		else
			cat "$TAP_TMP/part" >>"$2"
		fi
	done
	return "$rc"
}

for fmt in zone nsupdate table json; do
	rm -f "$TAP_TMP/parts.json"
	serial "$fmt" "$TAP_TMP/want.$fmt" "$TAP_TMP/want.err" ||
		bail_out "dnsgen -f $fmt failed on a part"
	if [ "$fmt" = json ]; then
		# the parts' arrays as one array, as json.dumps cannot lay it out
		"$SP_PY" - "$TAP_TMP/parts.json" >"$TAP_TMP/want.json" <<'EOF' ||
import sys
items = []
for part in open(sys.argv[1]).read().split("]\n"):
    part = part[1:].strip("\n") if part.startswith("[") else part
    items += part.split(",\n") if part else []
sys.stdout.write("[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n")
EOF
			bail_out "joining the JSON parts failed"
	fi
	rc=0
	"$DNSGEN" -c "$conf" -f "$fmt" >"$TAP_TMP/got.$fmt" 2>"$TAP_TMP/got.err" ||
		rc=$?
	if [ "$rc" -eq 0 ] && cmp -s "$TAP_TMP/got.$fmt" "$TAP_TMP/want.$fmt"
	then ok "$fmt: 151 domains in threads, the text of the serial runs"
	else not_ok "$fmt: 151 domains in threads, the text of the serial runs" \
		"exit $rc; $(diff "$TAP_TMP/want.$fmt" "$TAP_TMP/got.$fmt" | head -5)"
	fi
done
check "json: one array of every domain's records" "$SP_PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))
names = {r["name"].rstrip(".").split(".", 1)[-1] for r in a}
sys.exit(0 if len(a) > 151 * 5 and "d150.example" in names else 1)' \
	"$TAP_TMP/got.json"

# Two broken keys far apart: one unreadable as a key, one open to others.
echo "not a key" >"$keys/d010.example/ed1.pem"
chmod 0644 "$keys/d140.example/ed1.pem"
serial zone "$TAP_TMP/want.zone" "$TAP_TMP/want.err" && bail_out "no error"
rc=0
"$DNSGEN" -c "$conf" >"$TAP_TMP/got.zone" 2>"$TAP_TMP/got.err" || rc=$?
if [ "$rc" -eq 2 ]; then ok "two broken keys: exit 2"
else not_ok "two broken keys: exit 2" "exit $rc"; fi
if [ ! -s "$TAP_TMP/got.zone" ]; then ok "two broken keys: nothing printed"
else not_ok "two broken keys: nothing printed" "$(head -3 "$TAP_TMP/got.zone")"; fi
if cmp -s "$TAP_TMP/got.err" "$TAP_TMP/want.err" &&
	[ "$(grep -c d010.example "$TAP_TMP/got.err")" -ge 1 ] &&
	grep -A100 d010.example "$TAP_TMP/got.err" | grep -q d140.example
then ok "two broken keys: the serial runs' errors, in configuration order"
else not_ok "two broken keys: the serial runs' errors, in configuration order" \
	"$(diff "$TAP_TMP/want.err" "$TAP_TMP/got.err" | head -5)"; fi

done_testing

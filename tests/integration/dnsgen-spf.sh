# dnsgen-spf.sh - SPF evaluated as a receiver would, against a private Knot
# on loopback serving dnsgen's zone for example.com and a zone of include
# chains and odd records at example.net (tests/data/spf/example.net.zone).
# dnsgen's evaluator (tests/tools/spf-eval, the code `check` runs) and
# pyspf (python3-spf, through dnspython pointed at the same Knot) must give
# the same result for every address and domain of a matrix; then `dnsgen
# check` itself: a good zone passes for the domain and the HELO name; an
# apex record using a or mx that resolves to the address still passes; an
# include chain over 10 lookups, more than 2 void lookups and a missing
# HELO record each fail (or are missing) naming the record, and every
# check verdict agrees with pyspf's for the same address.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
SPF_EVAL=$top_builddir/tests/tools/spf-eval
SPF_PY=$top_srcdir/tests/tools/spf-verdict.py
dg_need knotd dig dnspython named-checkzone kzonecheck "$SPF_EVAL"
"$PY" -c 'import spf' 2>/dev/null ||
	bail_out "pyspf missing (scripts/install-deps installs python3-spf)"

dg_setup
port=$(free_port)
knot=$TAP_TMP/knot
mkdir -p "$knot/zones"
good=$TAP_TMP/good.zone
dg_zone "$conf" 1 >"$good" || bail_out "dnsgen failed"
cp "$good" "$knot/zones/example.com.zone"
{ dg_soa example.net 1; cat "$top_srcdir/tests/data/spf/example.net.zone"; } \
	>"$knot/zones/example.net.zone"
# Reverse zones for every address asked about, so that the ptr mechanism
# meets answers, not refusals: 203.0.113.25 and 2001:db8::25 name
# mail.example.com (check confirms that), 192.0.2.50 out.example.net.
dg_reverse_zones "$knot/zones"
{ dg_soa 2.0.192.in-addr.arpa 1; echo "50 PTR out.example.net."; } \
	>"$knot/zones/2.0.192.in-addr.arpa.zone"
dg_soa 100.51.198.in-addr.arpa 1 >"$knot/zones/100.51.198.in-addr.arpa.zone"
zones="example.com example.net 2.0.192.in-addr.arpa 100.51.198.in-addr.arpa
	113.0.203.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa"
for z in $zones; do
	dg_zone_ok "served zone $z" "$z" "$knot/zones/$z.zone"
done
at_exit knot_stop
# shellcheck disable=SC2086
knot_start "$knot" "127.0.0.1@$port" $zones || bail_out "knotd did not start"
server=127.0.0.1#$port

# ---- the two evaluators agree on a matrix ----
domains="_spf _s2 amx red ex cidr mac two void void2 l1 l2 l3 mx11 noinc
	soft neu bad cn ptr redvoid nospf missing"
ips="192.0.2.50 192.0.2.60 192.0.2.61 192.0.2.70 192.0.2.200 198.51.100.7
	203.0.113.9 2001:db8:50::1 2001:db8:61::1 2001:db8::99"
for d in $domains; do
	for i in $ips; do echo "$i $d.example.net"; done
done >"$TAP_TMP/pairs"
"$SPF_EVAL" "$server" <"$TAP_TMP/pairs" >"$TAP_TMP/ours" ||
	bail_out "spf-eval failed"
"$PY" "$SPF_PY" 127.0.0.1 "$port" <"$TAP_TMP/pairs" >"$TAP_TMP/pyspf" ||
	bail_out "spf-verdict.py failed"
n=$(wc -l <"$TAP_TMP/pairs")
results() { grep -v '^#' "$1" | awk '{print $1, $2, $3}'; }
if diff <(results "$TAP_TMP/ours") <(results "$TAP_TMP/pyspf") >"$TAP_TMP/diff"; then
	ok "dnsgen and pyspf agree on all $n evaluations"
else
	not_ok "dnsgen and pyspf agree on all $n evaluations" "$(cat "$TAP_TMP/diff")"
fi
# Lookup counts too, wherever the walk ended without an error; but pyspf
# counts a redirect= that is never followed (red.example.net, when a
# mechanism before it matches), and RFC 7208 section 4.6.4 counts the
# terms met "during SPF evaluation", as dnsgen does.
counts() {
	grep -v '^#' "$1" | awk '$3 !~ /error/ && $2 != "red.example.net" {print $1, $2, $4}'
}
if diff <(counts "$TAP_TMP/ours") <(counts "$TAP_TMP/pyspf") >"$TAP_TMP/diff"; then
	ok "and on the number of DNS lookups"
else
	not_ok "and on the number of DNS lookups" "$(cat "$TAP_TMP/diff")"
fi
for want in pass fail softfail neutral permerror none; do
	c=$(results "$TAP_TMP/ours" | awk -v w="$want" '$3 == w' | wc -l)
	if [ "$c" -gt 0 ]; then ok "the matrix has $c '$want' results"
	else not_ok "the matrix has '$want' results"; fi
done

# ---- dnsgen check ----
serial=1
# serve SED-SCRIPT : example.com's zone, changed, with the next serial.
serve() {
	serial=$((serial + 1))
	sed -e "$1" -e "s/^@ SOA \(.*\) [0-9]* 3600 600/@ SOA \1 $serial 3600 600/" \
		"$good" >"$TAP_TMP/now.zone"
	dg_zone_ok "zone $serial" example.com "$TAP_TMP/now.zone"
	cp "$TAP_TMP/now.zone" "$knot/zones/example.com.zone"
	knot_reload "$port" example.com "$serial" || bail_out "reload failed"
}
apex() {    # apex TEXT : a sed script putting TEXT in the apex SPF record
	printf 's/^\\(example.com.[[:space:]].*TXT[[:space:]]*\\)"v=spf1 .*/\\1"%s"/' "$1"
}
# agree NAME : check's SPF verdicts (-f json) equal pyspf's, address by address.
agree() {
	"$DNSGEN" -c "$conf" check --server "$server" -f json >"$TAP_TMP/check.json" || true
	"$PY" -c 'import json, sys
for i in json.load(open(sys.argv[1])):
    if i["type"] == "SPF":
        print(i["address"], i["name"].rstrip("."), i["found"])' \
		"$TAP_TMP/check.json" >"$TAP_TMP/check.spf"
	awk '{print $1, $2}' "$TAP_TMP/check.spf" |
		"$PY" "$SPF_PY" 127.0.0.1 "$port" | grep -v '^#' |
		awk '{print $1, $2, $3}' >"$TAP_TMP/check.pyspf"
	if [ -s "$TAP_TMP/check.spf" ] && cmp -s "$TAP_TMP/check.spf" "$TAP_TMP/check.pyspf"; then
		ok "$1: check's SPF verdicts equal pyspf's ($(wc -l <"$TAP_TMP/check.spf"))"
	else
		not_ok "$1: check's SPF verdicts equal pyspf's" \
			"$(diff "$TAP_TMP/check.spf" "$TAP_TMP/check.pyspf")"
	fi
}

check_rc "published as printed: check exits 0" 0 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "the domain passes for its IPv4 address" \
	'^ok +SPF +example.com. +203.0.113.25: pass \(0 of 10 DNS lookups, 0 of 2 void\)$'
out_has "the domain passes for its IPv6 address" '^ok +SPF +example.com. +2001:db8::25: pass'
out_has "the HELO name passes" '^ok +SPF +mail.example.com. +203.0.113.25: pass'
out_has "says which term matched" '^ +by: +ip4:203.0.113.25 in the SPF record of example.com$'
out_has "the summary counts them" '^example.com: 23 ok, 0 missing, 0 differ, 0 fail, 0 errors$'
agree "published as printed"

serve "$(apex 'v=spf1 include:_spf.example.net a:mail.example.com mx -all')"
check_rc "a and mx instead of ip4: the text differs (exit 1)" 1 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "a resolving to the address: pass, 4 lookups" \
	'^ok +SPF +example.com. +203.0.113.25: pass \(4 of 10 DNS lookups, 0 of 2 void\)$'
out_has "a: says so" 'by: +a:mail.example.com in the SPF record of example.com$'
agree "a and mx"
serve "$(apex 'v=spf1 mx -all')"
check_rc "mx only" 1 "$DNSGEN" -c "$conf" check --server "$server"
out_has "mx resolving to the address: pass" \
	'^ok +SPF +example.com. +2001:db8::25: pass \(1 of 10 DNS lookups'
agree "mx only"

serve "$(apex 'v=spf1 include:l1.example.net -all')"
check_rc "an include chain of 11 lookups: exit 1" 1 \
	"$DNSGEN" -c "$conf" check --server "$server"
out_has "the chain fails: permerror" '^fails +SPF +example.com. +203.0.113.25: permerror \(12 of 10 DNS lookups'
out_has "the chain: names the record and the count" \
	'why: +the SPF record of example.com needs 12 DNS lookups \(limit 10, RFC 7208 section 4.6.4\); the 11th is include:l11.example.net in the SPF record of l10.example.net$'
agree "an include chain of 11 lookups"

serve "$(apex 'v=spf1 a:n1.example.net a:n2.example.net a:n3.example.net ip4:203.0.113.25 ip6:2001:db8::25 -all')"
check_rc "three void lookups: exit 1" 1 "$DNSGEN" -c "$conf" check --server "$server"
out_has "three void lookups: fails" '^fails +SPF +example.com. +203.0.113.25: permerror \(3 of 10 DNS lookups, 3 of 2 void\)$'
out_has "three void lookups: names the last" \
	'why: +3 DNS lookups found nothing \(limit 2, RFC 7208 section 4.6.4\); the last was n3.example.net A$'
agree "three void lookups"

serve '/^mail.example.com.[[:space:]].*TXT/d'
check_rc "no HELO record: exit 1" 1 "$DNSGEN" -c "$conf" check --server "$server"
out_has "no HELO record: missing" '^missing +SPF +mail.example.com. +203.0.113.25: none'
out_has "no HELO record: says so" 'why: +mail.example.com has no SPF record$'
out_has "no HELO record: the domain still passes" '^ok +SPF +example.com. +203.0.113.25: pass'
agree "no HELO record"

serve "$(apex 'v=spf1 ~all')"
check_rc "softfail: exit 1" 1 "$DNSGEN" -c "$conf" check -f json --server "$server"
check "json: the SPF objects carry address, result and counts" "$PY" -c '
import json, sys
spf = [i for i in json.loads(sys.argv[1]) if i["type"] == "SPF"]
assert len(spf) == 4, spf
top = [i for i in spf if i["name"] == "example.com."]
assert {i["address"] for i in top} == {"203.0.113.25", "2001:db8::25"}, top
assert all(i["verdict"] == "fails" and i["found"] == "softfail" and
           i["expected"] == "pass" and i["lookups"] == 0 and
           i["void_lookups"] == 0 and "~all" in i["why"] for i in top), top
assert all(i["verdict"] == "ok" for i in spf if i not in top), spf' "$OUT"

serve ''
check_rc "the good zone again: exit 0" 0 "$DNSGEN" -c "$conf" check --server "$server"

done_testing

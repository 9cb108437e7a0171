# dnsgen-zone.sh - every zone dnsgen prints loads in both BIND's and Knot's
# zone checkers (RSA 2048, 3072 and 4096, Ed25519, several domains, a mail
# host outside the domain, values with '"', ';' and '\'); `-f json` is valid
# JSON and says exactly what the zone says; `-f table` is relative to the
# domain; warnings go to stderr and leave stdout alone.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need named-checkzone kzonecheck jq dnspython

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
mkdir -p "$keys"
dg_conf "$conf" "$keys" "
[domain example.org]
selector = org1
mail_host = mx.example.net
mx = 0 mx.example.net
autodiscover = no"
dg_keys "$conf" || bail_out "dnsgen keygen failed"
"$DNSGEN" -c "$conf" keygen -d example.com -s big -b 4096 >/dev/null ||
	bail_out "keygen -b 4096 failed"
"$DNSGEN" -c "$conf" keygen -d example.com -s mid -b 3072 >/dev/null ||
	bail_out "keygen -b 3072 failed"
"$DNSGEN" -c "$conf" keygen -d example.org -s org1 >/dev/null ||
	bail_out "keygen for example.org failed"

zone=$TAP_TMP/example.com.zone
{ dg_soa example.com 1; "$DNSGEN" -c "$conf" -d example.com; } >"$zone" ||
	bail_out "dnsgen -d example.com failed"
dg_zone_ok "example.com (RSA 2048/3072/4096, Ed25519)" example.com "$zone"

org=$TAP_TMP/example.org.zone
{ dg_soa example.org 1; "$DNSGEN" -c "$conf" -d example.org; } >"$org" ||
	bail_out "dnsgen -d example.org failed"
dg_zone_ok "example.org (mail host elsewhere)" example.org "$org"

# Both domains in one run: the same text as one run per domain.
all=$("$DNSGEN" -c "$conf")
one=$("$DNSGEN" -c "$conf" -d example.com; echo; "$DNSGEN" -c "$conf" -d example.org)
if [ "$all" = "$one" ]; then ok "every domain by default, in file order"
else not_ok "every domain by default, in file order" "$(diff <(echo "$all") <(echo "$one"))"; fi

if grep -q '^big._domainkey.example.com. .*IN	TXT	( "v=DKIM1; k=rsa; p=' "$zone" &&
	[ "$(sed -n '/^big._domainkey/,/ )$/p' "$zone" | grep -o '"[^"]*"' | wc -l)" -eq 3 ]; then
	ok "4096-bit key: three quoted strings in parentheses"
else
	not_ok "4096-bit key: three quoted strings in parentheses" "$(grep -A3 '^big' "$zone")"
fi
if grep -qF 'exp=ex\"pl\\ain;x.example.com -all"' "$zone"; then
	ok "'\"' and '\\' escaped, ';' kept inside the quotes"
else
	not_ok "'\"' and '\\' escaped, ';' kept inside the quotes" "$(grep spf1 "$zone")"
fi
if ! grep -q '^mx.example.net' "$org" && grep -q 'IN	MX	0 mx.example.net.$' "$org"; then
	ok "mail host outside the domain: MX, but no A record"
else
	not_ok "mail host outside the domain: MX, but no A record" "$(cat "$org")"
fi

# JSON: parses, and has the same records as the zone (dnspython reads it).
json=$TAP_TMP/records.json
"$DNSGEN" -c "$conf" -f json >"$json" || bail_out "dnsgen -f json failed"
check "json parses (jq)" jq -e 'type == "array" and length > 20' "$json"
check "json parses (python3 -m json.tool)" "$PY" -m json.tool "$json"
check "json has the zone's names, types, TTLs, values and strings" \
	"$PY" "$top_srcdir/tests/tools/json-vs-zone.py" "$json" "$zone" example.com. "$org" example.org.
n_json=$(jq length "$json")
n_zone=$(cat "$zone" "$org" | grep -v '^;' | grep -c '	IN	')
if [ "$n_json" -eq "$n_zone" ]; then ok "json: $n_json records, as many as the zones"
else not_ok "json: as many records as the zones" "json $n_json, zones $n_zone"; fi
check "json: values are joined text, not quoted strings" \
	jq -e '[.[] | select(.type == "TXT") | .value | startswith("\"")] | any | not' "$json"

# Table: hosts relative to the domain.
table=$("$DNSGEN" -c "$conf" -d example.com -f table)
for row in '^MX +@ +10 mail.example.com +3600$' '^A +mail +203.0.113.25 +3600$' \
	'^TXT +_dmarc +v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; pct=100 +3600$' \
	'^SRV +_imap._tcp +0 0 0 \. +3600$' '^CNAME +autoconfig +mail.example.com +3600$' \
	'^TXT +big._domainkey +v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{700,} +3600$'; do
	if grep -Eq -- "$row" <<<"$table"; then ok "table row /$row/"
	else not_ok "table row /$row/" "$table"; fi
done

# Warnings go to stderr and never change stdout.
dg_conf "$TAP_TMP/warn.conf" "$keys" "spf = include:a.example include:b.example include:c.example include:d.example include:e.example include:f.example include:g.example include:h.example include:i.example include:j.example include:k.example -all"
dg_conf "$TAP_TMP/quiet.conf" "$keys" "spf = include:a.example include:b.example include:c.example include:d.example include:e.example include:f.example include:g.example include:h.example include:i.example include:j.example -all"
"$DNSGEN" -c "$TAP_TMP/warn.conf" -d example.com >"$TAP_TMP/warn.out" 2>"$TAP_TMP/warn.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'warning: .*warn.conf:15: domain example.com: spf has 11 terms' "$TAP_TMP/warn.err" &&
	! grep -q warning "$TAP_TMP/warn.out" && grep -q 'include:k.example -all"$' "$TAP_TMP/warn.out"; then
	ok "SPF over 10 lookups: a warning on stderr naming the line, the record on stdout"
else
	not_ok "SPF over 10 lookups: a warning on stderr naming the line, the record on stdout" \
		"exit $rc; stderr: $(cat "$TAP_TMP/warn.err")"
fi
"$DNSGEN" -c "$TAP_TMP/quiet.conf" -d example.com >/dev/null 2>"$TAP_TMP/quiet.err"
if ! grep -q 'spf has' "$TAP_TMP/quiet.err"; then ok "ten lookups: no warning"
else not_ok "ten lookups: no warning" "$(cat "$TAP_TMP/quiet.err")"; fi

done_testing

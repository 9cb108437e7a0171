# dnsgen-usage.sh - the command line and keygen: every subcommand exits 2 on
# bad usage or a bad configuration (with a message that names the file and
# line, or the path), never printing half a zone; keygen makes RSA 2048
# (default), 3072, 4096 and Ed25519 keys as PKCS#8 PEM with mode 0640 and
# the milter user's group, creates the domain's folder 0750, refuses to
# overwrite, leaves no temporary file, refuses 1024 bits (allow_weak_rsa
# accepts old keys, never new ones), and prints the record that `records` then publishes.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
dg_need openssl jq

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
mkdir -p "$keys"
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
	milter_user=nobody
else
	milter_user=$(id -un)
fi
milter_group=$(id -gn "$milter_user")
dg_conf "$conf" "$keys"
sed -i "1i [milter]\nuser = $milter_user\n" "$conf"

# --- usage ---
check_rc "-h prints the synopsis, exit 0" 0 "$DNSGEN" -h
out_has "-h: records" '^usage: dnsgen \[-c FILE\] \[-d DOMAIN\]\.\.\. \[-f zone\|nsupdate\|json\|table\] \[records\]$'
out_has "-h: keygen" 'dnsgen \[-c FILE\] keygen -d DOMAIN -s SELECTOR \[-a rsa\|ed25519\] \[-b BITS\]$'
out_has "-h: check" 'dnsgen \[-c FILE\] check \[-d DOMAIN\]\.\.\. \[--server ADDR\[#PORT\]\] \[-f json\]$'
out_has "-h: check's TLS options" '^ +\[--dns-only\] \[--ca FILE\] \[--https-port PORT\] \[--smtp-port PORT\]$'
check_rc "-V, exit 0" 0 "$DNSGEN" -V
check_rc "an unknown option" 2 "$DNSGEN" -x
check_rc "an unknown command" 2 "$DNSGEN" -c "$conf" frobnicate
out_has "an unknown command: named" 'unknown command "frobnicate"'
check_rc "an extra argument" 2 "$DNSGEN" -c "$conf" records extra
check_rc "an unknown format" 2 "$DNSGEN" -c "$conf" -f bind
out_has "an unknown format: lists the formats" 'zone, nsupdate, json and table'
check_rc "-c without a file" 2 "$DNSGEN" -c
check_rc "-f zone for check" 2 "$DNSGEN" -c "$conf" -f zone check
out_has "-f zone for check: says json is the one" '^dnsgen: check -f: the only other format is json \(the default is text\)$'
check_rc "-s for records" 2 "$DNSGEN" -c "$conf" -s x records
check_rc "--server for records" 2 "$DNSGEN" -c "$conf" --server 127.0.0.1 records
check_rc "-b for check" 2 "$DNSGEN" -c "$conf" check -b 2048
check_rc "check --server without a value" 2 "$DNSGEN" -c "$conf" check --server
check_rc "check --server with a bad address" 2 "$DNSGEN" -c "$conf" check --server 300.1.1.1
out_has "bad --server: says what is wrong" 'not an IPv4 or IPv6 address'
check_rc "check --server with a bad port" 2 "$DNSGEN" -c "$conf" check --server '127.0.0.1#99999'
check_rc "check --smtp-port 0" 2 "$DNSGEN" -c "$conf" check --smtp-port 0
out_has "--smtp-port 0: says what a port is" '^dnsgen: --smtp-port 0: not a port number \(1-65535\)$'
check_rc "check --https-port 65536" 2 "$DNSGEN" -c "$conf" check --https-port 65536
out_has "--https-port 65536: names the option" '--https-port 65536: not a port number'
check_rc "check --ca with a missing file" 2 "$DNSGEN" -c "$conf" check --ca "$TAP_TMP/none.pem"
out_has "--ca missing: names the path" "^dnsgen: --ca $TAP_TMP/none\.pem: No such file or directory\$"
check_rc "--ca for records" 2 "$DNSGEN" -c "$conf" --ca /dev/null records
out_has "--ca for records: does not apply" '--ca does not apply to records'
check_rc "--dns-only for mta-sts-policy" 2 "$DNSGEN" -c "$conf" mta-sts-policy --dns-only
out_has "--dns-only for mta-sts-policy: does not apply" '--dns-only does not apply to mta-sts-policy'
check_rc "keygen -b that is not a number" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -b lots

# --- configuration errors, for every subcommand ---
for cmd in records keygen check; do
	extra=()
	[ "$cmd" = keygen ] && extra=(-d example.com -s cfg)
	check_rc "$cmd: a missing configuration" 2 "$DNSGEN" -c "$TAP_TMP/nope.conf" $cmd "${extra[@]}"
	out_has "$cmd: a missing configuration names the path" "nope.conf"
done
printf '[dns]\nttl = soon\n[domain example.com]\nselector = a\n' >"$TAP_TMP/bad.conf"
for cmd in records keygen check; do
	extra=()
	[ "$cmd" = keygen ] && extra=(-d example.com -s cfg)
	check_rc "$cmd: a bad value" 2 "$DNSGEN" -c "$TAP_TMP/bad.conf" $cmd "${extra[@]}"
	out_has "$cmd: a bad value names file:line" 'bad.conf:2:'
done
one=$("$DNSGEN" -c "$conf" -d example.com -f json 2>/dev/null | jq length)
two=$("$DNSGEN" -c "$conf" -d example.com -d EXAMPLE.COM. -f json 2>/dev/null | jq length)
if [ -n "$one" ] && [ "$one" = "$two" ]; then ok "-d twice for one domain (any case, trailing dot) prints it once"
else not_ok "-d twice for one domain prints it once" "$one vs $two"; fi
check_rc "records -d for a domain not configured" 2 "$DNSGEN" -c "$conf" -d example.net
out_has "a domain not configured: says what to add" 'domain example.net is not configured'
check_rc "check -d for a domain not configured" 2 "$DNSGEN" -c "$conf" check -d example.net
printf '[dns]\nmail_host = mail.example.com\n' >"$TAP_TMP/nodomain.conf"
check_rc "no [domain] at all" 2 "$DNSGEN" -c "$TAP_TMP/nodomain.conf"

dg_conf "$TAP_TMP/dmarc.conf" "$keys" "dmarc = p=none; pct=150"
out=$("$DNSGEN" -c "$TAP_TMP/dmarc.conf" 2>"$TAP_TMP/dmarc.err")
rc=$?
if [ "$rc" -eq 2 ] && [ -z "$out" ] &&
	grep -q "dmarc.conf:15: domain example.com: dmarc: pct=150" "$TAP_TMP/dmarc.err"; then
	ok "a bad DMARC tag: exit 2, nothing on stdout, file:line on stderr"
else
	not_ok "a bad DMARC tag: exit 2, nothing on stdout, file:line on stderr" \
		"exit $rc; stdout: $out; stderr: $(cat "$TAP_TMP/dmarc.err")"
fi
check_rc "a bad DMARC tag: check exits 2 too" 2 "$DNSGEN" -c "$TAP_TMP/dmarc.conf" check --server 127.0.0.1
dg_conf "$TAP_TMP/clash.conf" "$keys" "mail_host = autodiscover.example.com"
check_rc "mail_host that would be a CNAME: exit 2" 2 "$DNSGEN" -c "$TAP_TMP/clash.conf" -f table
out_has "mail_host that would be a CNAME: says why" 'must not be an alias'

# --- keygen ---
check_rc "keygen without -s" 2 "$DNSGEN" -c "$conf" keygen -d example.com
check_rc "keygen without -d" 2 "$DNSGEN" -c "$conf" keygen -s x
check_rc "keygen with two -d" 2 "$DNSGEN" -c "$conf" keygen -d example.com -d example.org -s x
check_rc "keygen for a domain not configured" 2 "$DNSGEN" -c "$conf" keygen -d example.net -s x
check_rc "keygen with a path as selector" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s ../x
check_rc "keygen -a dsa" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -a dsa
check_rc "keygen -b 1024 without allow_weak_rsa" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -b 1024
out_has "keygen -b 1024: says why and what to do" 'allow_weak_rsa'
check_rc "keygen -b 1000" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -b 1000
check_rc "keygen -b 8192" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -b 8192
check_rc "keygen -a ed25519 -b 2048" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s x -a ed25519 -b 2048
if [ ! -e "$keys/example.com" ]; then ok "refused keygens made nothing"
else not_ok "refused keygens made nothing" "$(ls -la "$keys/example.com")"; fi

check_rc "keygen RSA (default)" 0 "$DNSGEN" -c "$conf" keygen -d example.com -s rsa1
rsa_out=$OUT
pem=$keys/example.com/rsa1.pem
mode=$(stat -c %a "$pem")
group=$(stat -c %G "$pem")
if [ "$mode" = 640 ] && [ "$group" = "$milter_group" ]; then
	ok "the key is mode 0640, group $milter_group (the milter user's)"
else
	not_ok "the key is mode 0640, group $milter_group (the milter user's)" "mode $mode group $group"
fi
dmode=$(stat -c %a "$keys/example.com")
if [ "$dmode" = 750 ] && [ "$(stat -c %G "$keys/example.com")" = "$milter_group" ]; then
	ok "the domain's folder was made 0750, group $milter_group"
else
	not_ok "the domain's folder was made 0750, group $milter_group" "mode $dmode"
fi
check "PKCS#8 PEM" grep -qx -- '-----BEGIN PRIVATE KEY-----' "$pem"
bits=$(openssl pkey -in "$pem" -noout -text 2>/dev/null | sed -n 's/^Private-Key: (\([0-9]*\) bit.*/\1/p')
if [ "$bits" = 2048 ]; then ok "RSA 2048 by default (openssl agrees)"; else not_ok "RSA 2048 by default" "bits: $bits"; fi
record=$(grep -A1 '^rsa1._domainkey.example.com. 3600	IN	TXT	' <<<"$rsa_out" | tr -d '\n\t' |
	sed 's/^.*TXT( //; s/ )$//; s/" *"//g; s/"//g')
published=$("$DNSGEN" -c "$conf" -f json 2>/dev/null | jq -r '.[] | select(.name == "rsa1._domainkey.example.com.") | .value')
pub=$(openssl pkey -in "$pem" -pubout -outform DER | base64 -w0)
if [ -n "$record" ] && [ "$record" = "$published" ] && [ "$record" = "v=DKIM1; k=rsa; p=$pub" ]; then
	ok "keygen prints the record records publishes, with the key openssl derives"
else
	not_ok "keygen prints the record records publishes" "printed:   $record
published: $published
openssl:   $pub"
fi
grep -q 'selector = rsa1, ed1' <<<"$rsa_out" && grep -q 'systemctl reload signpost-milter' <<<"$rsa_out" &&
	grep -q 'check -d example.com' <<<"$rsa_out"
if [ $? -eq 0 ]; then ok "keygen prints the next steps (check, selector =, reload)"
else not_ok "keygen prints the next steps" "$rsa_out"; fi

sum=$(sha256sum "$pem")
check_rc "keygen refuses to overwrite" 2 "$DNSGEN" -c "$conf" keygen -d example.com -s rsa1 -a ed25519
out_has "refusing to overwrite: names the file" "rsa1.pem exists"
if [ "$(sha256sum "$pem")" = "$sum" ]; then ok "the existing key is untouched"
else not_ok "the existing key is untouched"; fi

check_rc "keygen Ed25519" 0 "$DNSGEN" -c "$conf" keygen -d example.com -s ed1 -a ed25519
check "Ed25519 key (openssl agrees)" sh -c "openssl pkey -in '$keys/example.com/ed1.pem' -noout -text | grep -q ED25519"
out_has "the Ed25519 record" '"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$'
check_rc "keygen RSA 3072" 0 "$DNSGEN" -c "$conf" keygen -d example.com -s r3072 -b 3072
check_rc "keygen RSA 4096" 0 "$DNSGEN" -c "$conf" keygen -d example.com -s r4096 -b 4096
bits=$(openssl pkey -in "$keys/example.com/r4096.pem" -noout -text | sed -n 's/^Private-Key: (\([0-9]*\) bit.*/\1/p')
[ "$bits" = 4096 ] && ok "RSA 4096 (openssl agrees)" || not_ok "RSA 4096" "bits: $bits"
leftover=$(find "$keys" -name '.*' | wc -l)
[ "$leftover" -eq 0 ] && ok "no temporary file left behind" || not_ok "no temporary file left behind" "$(find "$keys" -name '.*')"
check_rc "records lists every key, active or not" 0 "$DNSGEN" -c "$conf" -f table
out_has "records: r4096 is published but not signing" 'DKIM selector r4096: published only, not signing'

dg_conf "$TAP_TMP/weak.conf" "$keys" ""
sed -i 's/^\[signing\]$/[signing]\nallow_weak_rsa = yes/' "$TAP_TMP/weak.conf"
check_rc "keygen -b 1024 refused even with allow_weak_rsa" 2 "$DNSGEN" -c "$TAP_TMP/weak.conf" keygen -d example.com -s weak -b 1024
out_has "keygen -b 1024 with allow_weak_rsa: says it is never for new keys" 'never for new keys'
# An old 1024-bit key from elsewhere: allow_weak_rsa accepts it, with a warning.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$keys/example.com/weak.pem" 2>/dev/null
chmod 0640 "$keys/example.com/weak.pem"
check_rc "the weak key: records warns, exit 0" 0 "$DNSGEN" -c "$TAP_TMP/weak.conf"
out_has "the weak key: the warning names it" 'key weak is RSA 1024 bits'
check_rc "the weak key without allow_weak_rsa: exit 2" 2 "$DNSGEN" -c "$conf"
out_has "the weak key without allow_weak_rsa: names the file" 'weak.pem'
rm -f "$keys/example.com/weak.pem"

chmod 0644 "$keys/example.com/ed1.pem"
check_rc "a key readable by others: exit 2" 2 "$DNSGEN" -c "$conf"
out_has "a key readable by others: says how to fix it" 'chmod'
chmod 0640 "$keys/example.com/ed1.pem"
check_rc "and fine again" 0 "$DNSGEN" -c "$conf"

done_testing

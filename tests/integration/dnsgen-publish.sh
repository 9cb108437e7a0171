# dnsgen-publish.sh - `dnsgen publish` into real Knot servers: a primary
# that takes TSIG-signed RFC 2136 updates and a secondary fed by NOTIFY and
# zone transfer (knot-lib.sh). publish puts the DKIM records (then, with
# publish = all, every record) on the primary, `dnsgen check` finds them at
# both servers, and a second run sends no UPDATE - counted in the
# primary's own log, not in dnsgen's words. A record signpost did not make
# at a _domainkey name stays untouched. Faults: a wrong TSIG secret
# (BADSIG), an unknown key name (BADKEY), a weak algorithm, a key file
# others can read, an ACL that refuses the update, and a primary that is
# down: each exits 2 with a message that names it, and changes nothing.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
. "$top_srcdir/tests/integration/knot-lib.sh"
dg_need knotd keymgr dig

conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
kp=$TAP_TMP/knot
mkdir -p "$keys" "$kp"
zones="example.com 113.0.203.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa"
# The zone holds a DKIM record of another sender's, and a TXT signpost
# never prints: neither may be touched.
{ dg_soa example.com 1
  echo 'mailchimp._domainkey TXT "v=DKIM1; k=rsa; p=notours"'
  echo 'www TXT "hello"'
} >"$kp/example.com.zone"
dg_reverse_zones "$kp"
at_exit kp_stop
kp_start "$kp" $zones || bail_out "the Knot primary and secondary did not start"

dg_conf "$conf" "$keys" "update_server = $KP_PRIMARY
update_key = $KP_KEY"
dg_keys "$conf" || bail_out "dnsgen keygen failed"

# txt_at PORT NAME : the TXT values the server on PORT serves at NAME.
txt_at() {
	dig +short +norec @127.0.0.1 -p "$1" "$2" TXT
}
# updates_since N NAME WANT : the primary processed WANT updates since N.
updates_since() {
	local got=$(( $(kp_updates) - $1 ))
	if [ "$got" -eq "$3" ]; then ok "$2 (the primary's log counts $got)"
	else not_ok "$2" "the primary's log counts $got UPDATE(s), want $3"; fi
}

# A dry run says what it would do and sends nothing.
n0=$(kp_updates)
check_rc "publish -n: exit 0" 0 "$DNSGEN" -c "$conf" publish -n
out_has "publish -n: would add rsa1's record" '^example.com: would add rsa1._domainkey.example.com. TXT$'
out_has "publish -n: would add ed1's record" '^example.com: would add ed1._domainkey.example.com. TXT$'
out_has "publish -n: sends nothing" '^publish: 2 RRsets to change, 0 UPDATE messages sent$'
updates_since "$n0" "publish -n: no UPDATE reached the primary" 0
[ -z "$(txt_at "$KP_PPORT" rsa1._domainkey.example.com)" ] &&
	ok "publish -n: the primary still has no rsa1 record" ||
	not_ok "publish -n: the primary still has no rsa1 record"

# publish = dkim (the default): the two DKIM records, one UPDATE.
check_rc "publish: exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "publish: adds rsa1's record" '^example.com: add rsa1._domainkey.example.com. TXT$'
out_has "publish: one UPDATE for the domain" '^publish: 2 RRsets changed, 1 UPDATE message sent$'
updates_since "$n0" "publish: the primary processed one UPDATE" 1
kp_in_sync example.com || not_ok "the secondary did not follow the primary"
for s in "$KP_PRIMARY" "$KP_SECONDARY"; do
	check_rc "check --server $s: runs" 1 "$DNSGEN" -c "$conf" check --server "$s"
	out_has "check --server $s: rsa1's record is served" '^ok +TXT +rsa1._domainkey.example.com. '
	out_has "check --server $s: ed1's record is served" '^ok +TXT +ed1._domainkey.example.com. '
	out_has "check --server $s: publish = dkim left the MX alone" '^missing +MX +example.com. '
done

n1=$(kp_updates)
check_rc "publish again: exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "publish again: nothing to change" '^publish: 0 RRsets changed, 0 UPDATE messages sent$'
updates_since "$n1" "publish again: no UPDATE reached the primary" 0
[ "$(txt_at "$KP_PPORT" mailchimp._domainkey.example.com)" = '"v=DKIM1; k=rsa; p=notours"' ] &&
	ok "a DKIM record signpost did not make stays" ||
	not_ok "a DKIM record signpost did not make stays" \
		"$(txt_at "$KP_PPORT" mailchimp._domainkey.example.com)"

# publish = all: every record, then check passes at both servers.
echo "publish = all" >>"$conf"
n1=$(kp_updates)
check_rc "publish = all: exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "publish = all: adds the MX" '^example.com: add example.com. MX$'
out_has "publish = all: adds the SPF record" '^example.com: add example.com. TXT$'
out_has "publish = all: one UPDATE" ' changed, 1 UPDATE message sent$'
updates_since "$n1" "publish = all: the primary processed one UPDATE" 1
kp_in_sync example.com || not_ok "the secondary did not follow the primary"
for s in "$KP_PRIMARY" "$KP_SECONDARY"; do
	check_rc "publish = all: check --server $s: everything is served" 0 \
		"$DNSGEN" -c "$conf" check --server "$s"
done
n1=$(kp_updates)
check_rc "publish = all again: exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "publish = all again: nothing to change" '^publish: 0 RRsets changed, 0 UPDATE messages sent$'
updates_since "$n1" "publish = all again: no UPDATE" 0
[ "$(txt_at "$KP_PPORT" www.example.com)" = '"hello"' ] &&
	ok "publish = all leaves a name signpost does not print alone" ||
	not_ok "publish = all leaves a name signpost does not print alone"
[ "$(txt_at "$KP_PPORT" mailchimp._domainkey.example.com)" = '"v=DKIM1; k=rsa; p=notours"' ] &&
	ok "publish = all leaves the other DKIM record alone" ||
	not_ok "publish = all leaves the other DKIM record alone"

# A new key adds one RRset; a changed key replaces its RRset; a new TTL
# replaces every RRset whose TTL differs.
sp_keygen "$conf" example.com rsa2 rsa || bail_out "keygen rsa2"
check_rc "a new key: publish exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "a new key: one RRset added" '^example.com: add rsa2._domainkey.example.com. TXT$'
out_has "a new key: only that one" '^publish: 1 RRset changed, 1 UPDATE message sent$'
rm -f "$keys/example.com/ed1.pem"
sp_keygen "$conf" example.com ed1 ed25519 || bail_out "keygen ed1 again"
check_rc "a changed key: publish exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "a changed key: its RRset replaced" '^example.com: replace ed1._domainkey.example.com. TXT$'
kp_in_sync example.com || not_ok "the secondary did not follow the primary"
check_rc "a changed key: check --server the secondary" 0 \
	"$DNSGEN" -c "$conf" check --server "$KP_SECONDARY"

# The same key in BIND's format (tsig-keygen's) works as well.
sed -i "s#^update_key = .*#update_key = $KP_KEY_BIND#" "$conf"
sed -i 's/^ttl = 3600$/ttl = 600/' "$conf"
check_rc "BIND-format key, new TTL: publish exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "new TTL: the DKIM RRsets replaced" '^example.com: replace rsa1._domainkey.example.com. TXT$'
[ "$(dig +noall +answer +norec @127.0.0.1 -p "$KP_PPORT" rsa1._domainkey.example.com TXT |
	awk '{print $2}' | sort -u)" = 600 ] && ok "new TTL: the primary serves TTL 600" ||
	not_ok "new TTL: the primary serves TTL 600"

# Faults. Each changes nothing: a new key's record stays unpublished.
sp_keygen "$conf" example.com rsa3 rsa || bail_out "keygen rsa3"
unpublished() {   # unpublished NAME : rsa3's record is not on the primary
	[ -z "$(txt_at "$KP_PPORT" rsa3._domainkey.example.com)" ] &&
		ok "$1: nothing was published" || not_ok "$1: nothing was published"
}
fault_key() {     # fault_key NAME FILE-CONTENT WANT-RC REGEX
	printf '%s\n' "$2" >"$TAP_TMP/fault.key"
	chmod 0600 "$TAP_TMP/fault.key"
	sed -i "s#^update_key = .*#update_key = $TAP_TMP/fault.key#" "$conf"
	check_rc "$1: exit $3" "$3" "$DNSGEN" -c "$conf" publish
	out_has "$1: says why" "$4"
	unpublished "$1"
}
fault_key "wrong secret" "$(sed "s#secret: .*#secret: $(head -c 32 /dev/urandom | base64)#" "$KP_KEY")" \
	2 'refused the update: NOTAUTH, TSIG error BADSIG'
fault_key "unknown key name" "$(sed 's/id: signpost-update/id: someone-else/' "$KP_KEY")" \
	2 'refused the update: NOTAUTH, TSIG error BADKEY'
fault_key "hmac-md5 key" "$(sed 's/hmac-sha256/hmac-md5/' "$KP_KEY_BIND")" \
	2 'TSIG algorithm hmac-md5 is too weak'
fault_key "hmac-sha1 key" "$(sed 's/hmac-sha256/hmac-sha1/' "$KP_KEY_BIND")" \
	2 'TSIG algorithm hmac-sha1 is too weak'
fault_key "not a key file" "algorithm hmac-sha256;" 2 'fault.key:1: not a TSIG key file'
sed -i "s#^update_key = .*#update_key = $KP_KEY#" "$conf"
chmod 0644 "$KP_KEY"
check_rc "a key file others can read: exit 2" 2 "$DNSGEN" -c "$conf" publish
out_has "a key file others can read: says the chmod" "chmod 0640 $KP_KEY"
chmod 0600 "$KP_KEY"
unpublished "a key file others can read"

kp_set_update_acl deny || bail_out "knotc reload"
n1=$(kp_updates)
check_rc "the ACL refuses the update: exit 2" 2 "$DNSGEN" -c "$conf" publish
# Knot answers an update its ACL denies with NOTAUTH and TSIG error BADKEY.
out_has "the ACL refuses the update: names the rcode" 'refused the update: NOTAUTH'
out_has "the ACL refuses the update: points at the ACL" 'does its ACL let that key update the zone'
unpublished "the ACL refuses the update"
updates_since "$n1" "the ACL refuses the update: the primary applied nothing" 0
kp_set_update_acl update || bail_out "knotc reload"

kp_stop_one primary
timed_rc "the primary is down" 2 15 "$DNSGEN" -c "$conf" publish
out_has "the primary is down: says so" "the update server $KP_PRIMARY did not answer"
kp_restart_primary example.com || bail_out "the primary did not come back"

check_rc "the primary is back: publish exit 0" 0 "$DNSGEN" -c "$conf" publish
out_has "the primary is back: the new key goes out" '^example.com: add rsa3._domainkey.example.com. TXT$'
check_rc "usage: publish takes no --server" 2 "$DNSGEN" -c "$conf" publish --server "$KP_PRIMARY"
sed -i '/^update_server = /d' "$conf"
check_rc "no update_server: exit 2" 2 "$DNSGEN" -c "$conf" publish
out_has "no update_server: says what to set" 'has no update_server: set \[dns\] update_server'

done_testing

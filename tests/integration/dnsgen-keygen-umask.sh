# dnsgen-keygen-umask.sh - keys the milter user can still read after it has
# dropped privileges. `dnsgen keygen` under umask 077 must create keys/ and
# keys/DOMAIN/ as 0750 with the milter user's group (a plain mkdir gives
# drwx------, and every reload as that user failed while the message blamed
# the key file). signpost-milter -t (as root, like start-up) must check the
# whole way from keys_dir to each key for the milter user and name the
# folder that blocks it with the chown/chmod that fixes it; as the milter
# user, the key must really open. Needs root and the user nobody.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/dnsgen-lib.sh"
MILTER=$top_builddir/milter/signpost-milter
[ -x "$MILTER" ] || bail_out "$MILTER not built"
need_root "to create keys for another user"
getent passwd nobody >/dev/null || skip_all "no user nobody"
dg_need setpriv openssl

group=$(id -gn nobody)
conf=$TAP_TMP/signpost.conf
keys=$TAP_TMP/keys
dg_conf "$conf" "$keys"
sed -i "1i [milter]\nuser = nobody\nsocket = unix:$TAP_TMP/m.sock\npidfile = $TAP_TMP/m.pid\n" "$conf"
chmod 0711 "$TAP_TMP"   # the folders above keys_dir are the operator's

# as_nobody CMD...: run with the milter user's identity and groups
as_nobody() { setpriv --reuid nobody --regid "$group" --init-groups "$@"; }

check_rc "keygen rsa1 under umask 077" 0 sh -c "umask 077 && exec \"\$@\"" sh \
	"$DNSGEN" -c "$conf" keygen -d example.com -s rsa1
out_has "keygen: says mode 0640, group $group" "mode 0640, group $group\\)"
check_rc "keygen ed1 under umask 077" 0 sh -c "umask 077 && exec \"\$@\"" sh \
	"$DNSGEN" -c "$conf" keygen -d example.com -s ed1 -a ed25519
for d in "$keys" "$keys/example.com"; do
	got=$(stat -c '%a %U %G' "$d")
	[ "$got" = "750 root $group" ] && ok "$d: 750 root $group" ||
		not_ok "$d: 750 root $group" "got $got"
done
got=$(stat -c '%a %U %G' "$keys/example.com/rsa1.pem")
[ "$got" = "640 root $group" ] && ok "key: 640 root $group" || not_ok "key: 640 root $group" "got $got"
check "the milter user can read the new key" as_nobody cat "$keys/example.com/rsa1.pem"
check_rc "signpost-milter -t as root: OK" 0 "$MILTER" -t -c "$conf"
check_rc "signpost-milter -t as the milter user (what a reload sees): OK" 0 \
	as_nobody "$MILTER" -t -c "$conf"

# What keygen made under umask 077 before: a domain folder drwx------.
chmod 0700 "$keys/example.com"
check_rc "-t: a domain folder closed to the milter user fails" 2 "$MILTER" -t -c "$conf"
out_has "-t: names the folder, not the key" \
	"$keys/example.com: key folder mode 0700, owner root, group $group: the milter user nobody cannot enter it"
out_has "-t: gives the fix" "run: chown root:$group $keys/example.com && chmod 0750 $keys/example.com\$"
check_rc "-t as the milter user: fails" 2 as_nobody "$MILTER" -t -c "$conf"
out_has "-t as the milter user: names the folder" \
	"cannot open key file as user nobody: the folder $keys/example.com \\(mode 0700, owner root, group $group\\) does not let it in; run: chown root:$group $keys/example.com && chmod 0750 $keys/example.com"
check_rc "keygen into the closed folder: the key is made" 0 \
	"$DNSGEN" -c "$conf" keygen -d example.com -s rsa2
out_has "keygen into the closed folder: warns with the fix" \
	"warning: .*$keys/example.com: key folder mode 0700.*chmod 0750 $keys/example.com"
chmod 0750 "$keys/example.com"

chmod 0700 "$keys"
check_rc "-t: keys_dir closed to the milter user fails" 2 "$MILTER" -t -c "$conf"
out_has "-t: names keys_dir" "$keys: key folder mode 0700, owner root, group $group: .*run: chown root:$group $keys && chmod 0750 $keys\$"
chmod 0750 "$keys"

chmod 0600 "$keys/example.com/ed1.pem"
check_rc "-t: a key only root can read fails" 2 "$MILTER" -t -c "$conf"
out_has "-t: names the key and the fix" \
	"ed1.pem: key file mode 0600, owner root, group $group: the milter user nobody cannot read it.*chmod 0640 $keys/example.com/ed1.pem\$"
chmod 0640 "$keys/example.com/ed1.pem"
check_rc "-t: all fixed: OK" 0 "$MILTER" -t -c "$conf"
done_testing

# package.sh - the Debian package (debian/) as a new user meets it:
# dpkg-buildpackage builds it from a copy of the tree (nocheck: the suite
# runs anyway), lintian finds no error or warning, dpkg -i installs it on
# this machine; then the shipped configuration passes signpost-milter -t,
# a [domain] section and a key from dnsgen keygen make -t sign, the
# modes and owners are the ones README.Debian promises, and nothing was
# started. dpkg --purge then removes the configuration but keeps the keys,
# and says so. Whatever happens, the machine is left as it was found: the
# package purged, and the user, group and keys removed when this test made
# them. One run at a time per machine (a lock).
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

need_root "installs a package system-wide"
command -v dpkg-buildpackage >/dev/null 2>&1 ||
	skip_all "dpkg-buildpackage not installed (not Debian, or no dpkg-dev)"
[ "${SIGNPOST_SANITIZERS:-no}" = yes ] &&
	skip_all "the package is built from the source, not from this build: the plain build tests it"
[ -f "$top_srcdir/debian/control" ] || bail_out "no debian/ in $top_srcdir"
need dh lintian

exec 9>/run/lock/signpost-package-test.lock
flock -w 1800 9 || bail_out "another package test holds /run/lock/signpost-package-test.lock"
if dpkg-query -W -f='${Status}' signpost 2>/dev/null | grep -q ' installed'; then
	skip_all "a signpost package is installed on this machine: not replacing it"
fi
[ ! -e /etc/signpost ] || skip_all "/etc/signpost exists without the package: not touching it"
had_user=no
getent passwd signpost >/dev/null && had_user=yes

conf=/etc/signpost/signpost.conf
keys=/etc/signpost/keys
spool=/var/spool/postfix/signpost
milter=/usr/sbin/signpost-milter
configured=/usr/libexec/signpost/signpost-milter-configured

# dpkg waits for no one: other installs on this machine may hold its lock.
dpkg_locked() {   # dpkg_locked ARGS...: dpkg, retried while the lock is held
	local i out
	for i in $(seq 1 180); do
		if out=$(dpkg "$@" 2>&1); then printf '%s\n' "$out"; return 0; fi
		case $out in *lock*) sleep 5 ;; *) printf '%s\n' "$out"; return 1 ;; esac
	done
	printf '%s\n' "$out"; return 1
}
restore_machine() {
	if dpkg-query -W -f='${Status}' signpost 2>/dev/null | grep -q ' installed'; then
		dpkg_locked --purge signpost >/dev/null 2>&1 || true
	fi
	rm -rf /etc/signpost
	if [ "$had_user" = no ]; then
		! getent passwd signpost >/dev/null || userdel signpost
		! getent group signpost >/dev/null || groupdel signpost
	fi
}
at_exit restore_machine

# 1. Build from a copy of the tree: no build products, no VCS, no test trees.
src=$TAP_TMP/src/signpost
mkdir -p "$src"
tar -C "$top_srcdir" -cf - --exclude=./.git --exclude='./_*' --exclude='./signpost-*' \
	--exclude=autom4te.cache --exclude=config.status --exclude=config.log \
	--exclude=Makefile --exclude=Makefile.in --exclude=./configure \
	--exclude=./aclocal.m4 --exclude='*.o' --exclude='*.a' --exclude=.deps \
	--exclude=.dirstamp --exclude='*.log' --exclude='*.trs' . | tar -C "$src" -xf - ||
	bail_out "cannot copy $top_srcdir"
start=$SECONDS
# noautodbgsym: the -dbgsym package holds only debug symbols, and
# building and linting it cost this test's time for nothing it checks.
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" \
	dpkg-buildpackage -us -uc -b) >"$TAP_TMP/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	not_ok "dpkg-buildpackage -us -uc -b" "$(tail -n 30 "$TAP_TMP/build.log")"
	done_testing; exit
fi
diag "built in $((SECONDS - start)) s"
deb=$(ls "$TAP_TMP"/src/signpost_*_*.deb)
changes=$(ls "$TAP_TMP"/src/signpost_*_*.changes)

start=$SECONDS
lintian --fail-on error,warning "$changes" >"$TAP_TMP/lintian.log" 2>&1
rc=$?
diag "lintian took $((SECONDS - start)) s"
out=$(grep -v '^running with root' "$TAP_TMP/lintian.log")
if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^[EW]:'; then
	ok "lintian: no error, no warning"
else
	not_ok "lintian: no error, no warning" "$out"
fi

# 2. Install as an operator would.
start=$SECONDS
if out=$(dpkg_locked -i "$deb"); then ok "dpkg -i"
elif out2=$(apt-get install -f -y -q -o DPkg::Lock::Timeout=900 2>&1) &&
	dpkg-query -W -f='${Status}' signpost | grep -q ' installed'; then
	ok "dpkg -i (with apt-get install -f for the dependencies)"
else
	not_ok "dpkg -i" "$out
$out2"
	done_testing; exit
fi

diag "dpkg -i took $((SECONDS - start)) s"
owner_mode() { stat -c '%U:%G %a' "$1" 2>&1; }
is() {   # is NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}
uid=$(id -u signpost 2>/dev/null)
if [ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$(id -gn signpost)" = signpost ] &&
   getent passwd signpost | grep -q ':/usr/sbin/nologin$'; then
	ok "a system user signpost, group signpost, no login"
else
	not_ok "a system user signpost, group signpost, no login" "$(getent passwd signpost)"
fi
is "$keys is root:signpost 0750" "$(owner_mode "$keys")" "root:signpost 750"
is "$conf is root:root 0644" "$(owner_mode "$conf")" "root:root 644"
if dpkg-query -W -f='${Conffiles}\n' signpost | grep -q "^ $conf "; then
	ok "$conf is a conffile"
else not_ok "$conf is a conffile" "$(dpkg-query -W -f='${Conffiles}' signpost)"; fi
if getent group postfix >/dev/null && [ -d /var/spool/postfix ]; then
	is "$spool is signpost:postfix 0750" "$(owner_mode "$spool")" "signpost:postfix 750"
fi
is "/run/signpost is root:root 0755" "$(owner_mode /run/signpost)" "root:root 755"
if [ -L /etc/systemd/system/multi-user.target.wants/signpost-milter.service ]; then
	ok "signpost-milter.service is enabled"
else not_ok "signpost-milter.service is enabled"; fi

# The installed unit with Debian's drop-in (ExecCondition=) verifies.
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify /lib/systemd/system/signpost-milter.service 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify: the installed unit and drop-in"
	else not_ok "systemd-analyze verify: the installed unit and drop-in" "exit $rc: $out"; fi
fi

# Not started: no domain yet, so the unit's condition says no.
if [ -d /run/systemd/system ]; then
	is "signpost-milter.service is not running" \
		"$(systemctl is-active signpost-milter.service 2>&1)" inactive
fi
[ ! -e /run/signpost/signpost-milter.pid ] && [ ! -e "$spool/milter.sock" ] &&
	ok "no pidfile, no socket: nothing started" ||
	not_ok "no pidfile, no socket: nothing started"
"$configured" 2>/dev/null
is "the unit's condition: exit 1 (skip) while no domain is named" "$?" 1

# 3. A new user's first steps (signpost-milter(8), README.Debian).
check "signpost-milter -t passes on the shipped configuration" "$milter" -t
printf '\n[domain example.com]\nselector = first\n' >>"$conf"
out=$(/usr/bin/dnsgen keygen -d example.com -s first -a ed25519 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q 'v=DKIM1; k=ed25519; p='; then
	ok "dnsgen keygen writes a key and prints its record"
else not_ok "dnsgen keygen writes a key and prints its record" "exit $rc: $out"; fi
is "the key is root:signpost 0640" "$(owner_mode "$keys/example.com/first.pem")" \
	"root:signpost 640"
out=$("$milter" -t 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^domain example.com:' &&
   printf '%s\n' "$out" | grep -q 's=first .*ed25519'; then
	ok "signpost-milter -t signs example.com with the new key"
else not_ok "signpost-milter -t signs example.com with the new key" "exit $rc: $out"; fi
check "the unit's condition: configured once a domain is named" "$configured"

# 4. Purge: configuration and state go, the keys stay and the user is told.
out=$(dpkg_locked --purge signpost)
rc=$?
is "dpkg --purge signpost" "$rc" 0
if printf '%s\n' "$out" | grep -q 'private keys stay in /etc/signpost/keys'; then
	ok "purge says where the keys stay"
else not_ok "purge says where the keys stay" "$out"; fi
[ -f "$keys/example.com/first.pem" ] && ok "purge keeps the key" || not_ok "purge keeps the key"
[ ! -e "$conf" ] && ok "purge removes the conffile" || not_ok "purge removes the conffile"
[ ! -e "$spool" ] && ok "purge removes $spool" || not_ok "purge removes $spool"
[ ! -e /etc/systemd/system/multi-user.target.wants/signpost-milter.service ] &&
	ok "purge removes the unit's enablement" || not_ok "purge removes the unit's enablement"
[ ! -e "$milter" ] && [ ! -e /lib/systemd/system/signpost-milter.service ] &&
	ok "the programs and the unit are gone" || not_ok "the programs and the unit are gone"

# 5. Without keys, purge leaves nothing in /etc.
rm -rf "$keys"
if dpkg_locked -i "$deb" >/dev/null && dpkg_locked --purge signpost >/dev/null &&
   [ ! -e /etc/signpost ]; then
	ok "without keys, purge removes /etc/signpost"
else not_ok "without keys, purge removes /etc/signpost" "$(ls -laR /etc/signpost 2>&1)"; fi
diag "the test took $SECONDS s"
done_testing

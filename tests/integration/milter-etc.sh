#!/bin/bash
# milter-etc.sh - what ships beside signpost-milter stays right: the man
# page renders without warnings and its SYNOPSIS is the option parser's
# usage line; every option in the usage is documented; the systemd unit
# passes systemd-analyze verify (pointed at the built daemon) and keeps its
# essentials; every line of the Postfix snippet is a parameter Postfix
# knows.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"

MILTER="$top_builddir/milter/signpost-milter"
MAN="$top_srcdir/milter/signpost-milter.8"
UNIT="$top_srcdir/etc/signpost-milter.service"
MAINCF="$top_srcdir/etc/postfix-main.cf"

# --- man page ------------------------------------------------------------
if command -v man >/dev/null; then
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then ok "man page renders without warnings"
	else not_ok "man page renders without warnings" "$warnings"; fi
	synopsis=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$MAN" 2>/dev/null |
		sed -n '/^SYNOPSIS/{n;p;q}' | sed 's/^ *//')
	usage=$("$MILTER" -h | sed -n 's/^usage: //p')
	if [ -n "$usage" ] && [ "$synopsis" = "$usage" ]; then ok "SYNOPSIS matches the usage line: $usage"
	else not_ok "SYNOPSIS matches the usage line" "man: '$synopsis'; usage: '$usage'"; fi
else
	not_ok "man is installed (man-db)"
fi
for opt in c f t V h; do
	if grep -qE "^\.B(I)? \\\\-$opt" "$MAN"; then ok "man page documents -$opt"
	else not_ok "man page documents -$opt"; fi
done
for section in SIGNALS LOGGING "EXIT STATUS" FILES "POSTFIX SETUP" PROCESSES; do
	grep -q "^\.SH $section\$" "$MAN" && ok "man page has $section" || not_ok "man page has $section"
done

# The risk of an inet socket is said where operators read.
for f in "$MAN" "$top_srcdir/README.md" "$top_srcdir/etc/postfix-main.cf"; do
	if tr '\n' ' ' <"$f" | sed 's/\\f[BIRP]//g; s/^\.[A-Z]* //' | grep -qiE 'any local user (can connect|can have)|ANY local user can connect|every local user'; then
		ok "$(basename "$f") says any local user can use an inet socket"
	else
		not_ok "$(basename "$f") says any local user can use an inet socket"
	fi
done

# --- systemd unit -----------------------------------------------------------
for line in 'Type=simple' 'ExecStart=/usr/sbin/signpost-milter -f' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'KillMode=mixed' 'RuntimeDirectory=signpost' \
	'LimitNOFILE=65536' 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateTmp=yes' \
	'ProtectHome=yes' 'ReadWritePaths=-/var/spool/postfix/signpost'; do
	grep -qxF -- "$line" "$UNIT" && ok "unit: $line" || not_ok "unit: $line"
done
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/signpost-milter|$MILTER|" "$UNIT" >"$TAP_TMP/signpost-milter.service"
	if out=$(systemd-analyze verify --man=no "$TAP_TMP/signpost-milter.service" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify accepts the unit"
	else
		not_ok "systemd-analyze verify accepts the unit" "$out"
	fi
else
	diag "systemd-analyze not installed: the unit's syntax is not checked here"
fi

# --- Postfix snippet ---------------------------------------------------------
if command -v postconf >/dev/null; then
	mkdir -p "$TAP_TMP/postfix"
	cp "$MAINCF" "$TAP_TMP/postfix/main.cf"
	: >"$TAP_TMP/postfix/master.cf"
	err=$(postconf -c "$TAP_TMP/postfix" -n 2>&1 >/dev/null)
	if [ -z "$err" ]; then ok "postconf knows every parameter of postfix-main.cf"
	else not_ok "postconf knows every parameter of postfix-main.cf" "$err"; fi
	for p in smtpd_milters non_smtpd_milters milter_default_action milter_protocol \
		local_header_rewrite_clients disable_mime_output_conversion smtp_line_length_limit; do
		v=$(postconf -c "$TAP_TMP/postfix" -n -h "$p" 2>/dev/null)
		[ -n "$v" ] && ok "postfix-main.cf sets $p = $v" || not_ok "postfix-main.cf sets $p"
	done
	[ "$(postconf -c "$TAP_TMP/postfix" -n -h -x non_smtpd_milters)" = "$(postconf -c "$TAP_TMP/postfix" -n -h smtpd_milters)" ] &&
		ok "non_smtpd_milters is the same milter" || not_ok "non_smtpd_milters is the same milter"
	# The shipped socket: a unix socket below the queue directory, where a
	# chrooted smtpd reaches it, named alike on both sides.
	sock=$(sed -n 's/^socket *= *\([^ ]*\).*/\1/p' "$top_srcdir/etc/signpost.conf")
	pf=$(postconf -c "$TAP_TMP/postfix" -n -h smtpd_milters)
	if [ "$sock" = "unix:/var/spool/postfix/${pf#unix:}" ] && [ "${pf#unix:}" != "$pf" ]; then
		ok "signpost.conf and postfix-main.cf name the same unix socket in the chroot: $sock"
	else
		not_ok "signpost.conf and postfix-main.cf name the same unix socket" "signpost.conf: $sock; main.cf: $pf"
	fi
else
	not_ok "postconf is installed (postfix)"
fi
done_testing

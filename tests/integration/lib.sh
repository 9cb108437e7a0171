# lib.sh - what every integration test shares, whatever its area: the
# programs under test, the rule for a missing tool, keys and their DKIM
# records, starting and stopping signpost-milter by PID, and the verdict of
# the independent verifiers. Sourced (once) by milter-lib.sh, dnsgen-lib.sh
# and postfix-lib.sh, after tests/tap.sh; a test that needs no area library
# sources it directly.
#
# Missing tools. scripts/install-deps (and scripts/install-node-verifier)
# install everything the suite uses, so a tool missing in a full run is a
# broken machine, not a reason to pass quietly: `need TOOL...` bails out
# (exit 99, "Bail out!", naming what installs it). Only what the suite
# cannot install skips a test (a "1..0 # SKIP" plan): not running as root
# (`need_root`).
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

[ -n "${SP_LIB_LOADED:-}" ] && return 0
SP_LIB_LOADED=1

SP_MILTER=$top_builddir/milter/signpost-milter
SP_DNSGEN=$top_builddir/dnsgen/dnsgen
SP_CLIENT=${SIGNPOST_MILTER_CLIENT:-$top_builddir/tests/tools/milter-client}
SP_VERIFY=$top_srcdir/tests/verify/verify-dkim
SP_MSGTOOL=$top_srcdir/tests/tools/msgtool.py
SP_PY=/usr/bin/python3
SP_NODE_MODULES=${SIGNPOST_NODE_MODULES:-/var/cache/signpost-tests/node_modules}

# Under the sanitizers everything is slower: wait longer.
SP_WAIT=100     # tenths of a second
[ "${SIGNPOST_SANITIZERS:-no}" = yes ] && SP_WAIT=300

# need TOOL... : bail out unless each is installed. Besides commands:
# dkimpy (with python3-nacl), dnspython, mail-dkim, mailauth, knotd, and
# the project's own built programs (milter, dnsgen, milter-client).
need() {
	local t
	for t in "$@"; do
		case $t in
		milter) [ -x "$SP_MILTER" ] || bail_out "signpost-milter not built: $SP_MILTER" ;;
		dnsgen) [ -x "$SP_DNSGEN" ] || bail_out "dnsgen not built: $SP_DNSGEN" ;;
		milter-client) [ -x "$SP_CLIENT" ] || bail_out "milter-client not built: $SP_CLIENT" ;;
		dkimpy) "$SP_PY" -c 'import dkim, nacl' 2>/dev/null ||
			bail_out "dkimpy or python3-nacl missing (scripts/install-deps installs them)" ;;
		dnspython) "$SP_PY" -c 'import dns.resolver, dns.zone' 2>/dev/null ||
			bail_out "dnspython missing (scripts/install-deps installs python3-dnspython)" ;;
		mail-dkim) /usr/bin/perl -MMail::DKIM::Verifier -e 1 2>/dev/null ||
			bail_out "Mail::DKIM missing (scripts/install-deps installs libmail-dkim-perl)" ;;
		mailauth) [ -f "$SP_NODE_MODULES/mailauth/package.json" ] ||
			bail_out "mailauth missing from $SP_NODE_MODULES (run scripts/install-node-verifier)" ;;
		knotd) command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ] ||
			bail_out "knotd missing (scripts/install-deps installs knot)" ;;
		/*) [ -x "$t" ] || bail_out "$t missing (scripts/install-deps installs it)" ;;
		*) command -v "$t" >/dev/null 2>&1 ||
			bail_out "$t missing (scripts/install-deps installs it)" ;;
		esac
	done
}

# need_root WHY : skip the test unless running as root.
need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root: $1"
}

# sp_key DIR DOMAIN SELECTOR rsa|ed25519 RECORDS : DIR/DOMAIN/SELECTOR.pem
# made by openssl (mode 0600), and its DKIM record appended to RECORDS as
# "NAME VALUE", built by openssl too (never by our own code, so the
# verifiers judge our signatures against an independent record).
sp_key() {
	local dir=$1/$2 file=$1/$2/$3.pem p
	mkdir -p "$dir"
	if [ "$4" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$file" 2>/dev/null || bail_out "openssl genpkey rsa"
		p=$(openssl pkey -in "$file" -pubout -outform DER | base64 -w0)
	else
		openssl genpkey -algorithm ed25519 -out "$file" 2>/dev/null ||
			bail_out "openssl genpkey ed25519"
		# The record holds the 32 raw key bytes: the tail of the SPKI DER.
		p=$(openssl pkey -in "$file" -pubout -outform DER | tail -c 32 | base64 -w0)
	fi
	chmod 0600 "$file"
	printf '%s._domainkey.%s v=DKIM1; k=%s; p=%s\n' "$3" "$2" "$4" "$p" >>"$5"
}

# sp_keygen CONF DOMAIN SELECTOR rsa|ed25519 : a key made by `dnsgen keygen`.
sp_keygen() {
	"$SP_DNSGEN" -c "$1" keygen -d "$2" -s "$3" -a "$4" >/dev/null
}

# sp_milter_start CONF LOG [TENTHS] : signpost-milter in the foreground, its output
# appended to LOG; returns once it logs that a new worker listens (it does
# only after the socket is open). SP_MILTER_PID is the daemon's PID; if it
# exits at start, SP_MILTER_STATUS holds its exit status and the log is
# shown. Returns 1 when it does not start within TENTHS tenths of a second
# (default $SP_WAIT).
sp_milter_start() {
	local conf=$1 log=$2 wait=${3:-$SP_WAIT} before i=0
	SP_MILTER_STATUS=""
	: >>"$log"
	before=$(grep -c 'started (worker pid' "$log")
	"$SP_MILTER" -c "$conf" -f >>"$log" 2>&1 &
	SP_MILTER_PID=$!
	while [ "$(grep -c 'started (worker pid' "$log")" -le "$before" ]; do
		if ! kill -0 "$SP_MILTER_PID" 2>/dev/null; then
			wait "$SP_MILTER_PID"; SP_MILTER_STATUS=$?; SP_MILTER_PID=""
			diag "signpost-milter exited $SP_MILTER_STATUS at start:"
			tail -n 40 "$log" | sed 's/^/#   /'
			return 1
		fi
		i=$((i + 1))
		[ $i -lt "$wait" ] || { diag "signpost-milter did not start"; return 1; }
		sleep 0.1
	done
	return 0
}

# sp_milter_stop PID : SIGTERM to the daemon we started, wait for its exit;
# SP_MILTER_STATUS holds its exit status.
sp_milter_stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait "$1"; SP_MILTER_STATUS=$?
}

# sp_verify (--records FILE | --server ADDR[#PORT]) MESSAGE... : every
# signature passes with the independent verifiers (tests/verify/verify-dkim).
sp_verify() {
	"$SP_PY" "$SP_VERIFY" "$@"
}

# sp_sig_tags FILE TAG... : "t1=v1 t2=v2" for each DKIM-Signature.
sp_sig_tags() {
	"$SP_PY" "$SP_MSGTOOL" sig-tags "$@"
}

# sp_header_block FILE : the header, unfolded, one field a line, no CRs.
sp_header_block() {
	"$SP_PY" "$SP_MSGTOOL" header-block "$1"
}

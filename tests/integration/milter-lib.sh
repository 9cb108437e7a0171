# milter-lib.sh - helpers for the protocol-level tests of signpost-milter
# (tests/integration/milter-*.sh). Source it after tests/tap.sh.
#
# Everything lives in $TAP_TMP: keys made with openssl, the DKIM records
# built from them with openssl (never by our own code, so the verifiers
# judge our signatures against an independent record), the configuration,
# the daemon's socket, pidfile and log. The daemon runs in the foreground
# (-f) and is stopped by its PID at exit. Keys, start/stop and the
# verifiers come from lib.sh; the mt_* names fix this area's paths.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/integration/lib.sh"

MILTER=$SP_MILTER
CLIENT=$SP_CLIENT
VERIFY=$SP_VERIFY
RECORDS="$TAP_TMP/records.txt"
KEYS="$TAP_TMP/keys"
SOCK="$TAP_TMP/milter.sock"
PIDFILE="$TAP_TMP/milter.pid"
MT_LOG="$TAP_TMP/milter.log"
MT_PID=""

need milter milter-client openssl
MT_WAIT=$SP_WAIT

# mt_key DOMAIN SELECTOR rsa|ed25519: a key file plus its DKIM record.
mt_key() {
	sp_key "$KEYS" "$1" "$2" "$3" "$RECORDS"
}

# mt_conf FILE [SOCKET]: the [milter] and [signing] sections; the caller
# appends [domain] sections (and may override with sed).
mt_conf() {
	cat >"$1" <<EOF
# test configuration
[milter]
socket = ${2:-unix:$SOCK}
pidfile = $PIDFILE
internal_hosts = 127.0.0.0/8, ::1, 10.0.0.0/8
sign_authenticated = yes
log_level = debug

[signing]
keys_dir = $KEYS

EOF
}

# mt_start CONF: start the daemon (a fresh log) and wait until it listens.
mt_start() {
	: >"$MT_LOG"
	sp_milter_start "$1" "$MT_LOG"
	local rc=$?
	MT_PID=$SP_MILTER_PID
	MT_STATUS=${SP_MILTER_STATUS:-}
	return $rc
}

# mt_stop: SIGTERM, wait for the exit; MT_STATUS holds the exit status.
mt_stop() {
	[ -n "$MT_PID" ] || return 0
	sp_milter_stop "$MT_PID"
	MT_STATUS=$SP_MILTER_STATUS
	MT_PID=""
}
mt_cleanup() {
	if [ -n "$MT_PID" ]; then
		kill -TERM "$MT_PID" 2>/dev/null
		wait "$MT_PID" 2>/dev/null
		MT_PID=""
	fi
}
at_exit mt_cleanup

# mt_client ARGS...: milter-client against our socket; stdout in $TAP_TMP/client.out.
mt_client() {
	"$CLIENT" -s "unix:$SOCK" -t 120 "$@" >"$TAP_TMP/client.out" 2>"$TAP_TMP/client.err"
}

# mt_verify FILE: every signature passes with two independent verifiers.
mt_verify() {
	sp_verify --records "$RECORDS" "$1"
}

# mt_sigs FILE: the "d=... s=... a=..." of each DKIM-Signature, one per line.
mt_sigs() {
	sp_sig_tags "$1" d s a
}

# mt_log_has TEXT: the daemon logged a line containing TEXT (fixed string).
mt_log_has() {
	grep -qF -- "$1" "$MT_LOG"
}

# mt_wait_log TEXT: wait until the daemon logs TEXT.
mt_wait_log() {
	local i=0
	while ! grep -qF -- "$1" "$MT_LOG"; do
		i=$((i + 1))
		[ $i -lt "$MT_WAIT" ] || return 1
		sleep 0.1
	done
}

# mt_message FILE FROM [EXTRA-HEADER...]: a small message.
mt_message() {
	local f=$1 from=$2; shift 2
	{
		printf 'From: %s\n' "$from"
		printf 'To: Bob <bob@example.org>\n'
		printf 'Subject: test message\n'
		printf 'Date: Mon, 02 Mar 2026 10:00:00 +0000\n'
		printf 'Message-ID: <%s@example.com>\n' "$RANDOM$RANDOM"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\nHello,\n\nthis is a test.\n'
	} >"$f"
}

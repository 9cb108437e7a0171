# milter-lib.sh - helpers for the protocol-level tests of signpost-milter
# (tests/integration/milter-*.sh). Source it after tests/tap.sh.
#
# Everything lives in $TAP_TMP: keys made with openssl, the DKIM records
# built from them with openssl (never by our own code, so the verifiers
# judge our signatures against an independent record), the configuration,
# the daemon's socket, pidfile and log. The daemon runs in the foreground
# (-f) and is stopped by its PID at exit.

MILTER="$top_builddir/milter/signpost-milter"
CLIENT="${SIGNPOST_MILTER_CLIENT:-$top_builddir/tests/tools/milter-client}"
VERIFY="$top_srcdir/tests/verify/verify-dkim"
RECORDS="$TAP_TMP/records.txt"
KEYS="$TAP_TMP/keys"
SOCK="$TAP_TMP/milter.sock"
PIDFILE="$TAP_TMP/milter.pid"
MT_LOG="$TAP_TMP/milter.log"
MT_PID=""

[ -x "$MILTER" ] || bail_out "signpost-milter not built: $MILTER"
[ -x "$CLIENT" ] || bail_out "milter-client not built: $CLIENT"
command -v openssl >/dev/null || bail_out "openssl is needed to make test keys"

# Under the sanitizers everything is slower: wait longer.
MT_WAIT=100     # tenths of a second
[ "${SIGNPOST_SANITIZERS:-no}" = yes ] && MT_WAIT=300

# mt_key DOMAIN SELECTOR rsa|ed25519: a key file plus its DKIM record.
mt_key() {
	local dir="$KEYS/$1" file="$KEYS/$1/$2.pem" p
	mkdir -p "$dir"
	if [ "$3" = rsa ]; then
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
	printf '%s._domainkey.%s v=DKIM1; k=%s; p=%s\n' "$2" "$1" "$3" "$p" >>"$RECORDS"
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

# mt_start CONF [SOCKET-SPEC]: start the daemon in the foreground and wait
# until it listens (it logs "started" only after the socket is open).
mt_start() {
	: >"$MT_LOG"
	"$MILTER" -c "$1" -f >>"$MT_LOG" 2>&1 &
	MT_PID=$!
	local i=0
	while ! grep -q 'started (worker pid' "$MT_LOG"; do
		if ! kill -0 "$MT_PID" 2>/dev/null; then
			wait "$MT_PID"; MT_STATUS=$?; MT_PID=""
			diag "signpost-milter exited $MT_STATUS at start:"
			sed 's/^/#   /' "$MT_LOG"
			return 1
		fi
		i=$((i + 1))
		[ $i -lt "$MT_WAIT" ] || { diag "signpost-milter did not start"; return 1; }
		sleep 0.1
	done
	return 0
}

# mt_stop: SIGTERM, wait for the exit; MT_STATUS holds the exit status.
mt_stop() {
	[ -n "$MT_PID" ] || return 0
	kill -TERM "$MT_PID" 2>/dev/null
	wait "$MT_PID"; MT_STATUS=$?
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
	"$VERIFY" --records "$RECORDS" "$1"
}

# mt_sigs FILE: the "d=... s=... a=..." of each DKIM-Signature, one per line.
mt_sigs() {
	/usr/bin/python3 - "$1" <<'EOF'
import re, sys, email.parser
msg = email.parser.BytesParser().parsebytes(open(sys.argv[1], "rb").read(), headersonly=True)
for v in msg.get_all("DKIM-Signature") or []:
    v = re.sub(r"\s+", "", str(v))
    tags = dict(t.split("=", 1) for t in v.split(";") if "=" in t)
    print("d=%s s=%s a=%s" % (tags.get("d"), tags.get("s"), tags.get("a")))
EOF
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

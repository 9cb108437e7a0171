# postfix-lib.sh - a private mail system for signpost's end-to-end tests.
# Source it after tests/tap.sh. It runs, all inside $TAP_TMP and on
# loopback ports only:
#   - a Postfix instance of its own (config_directory, queue_directory,
#     data_directory under $TAP_TMP/pf; master.cf without chroot; smtpd on a
#     free 127.0.0.1 port; relaying everything to the sink);
#   - Dovecot's auth service as Postfix's SASL backend (passwd-file);
#   - smtp-sink.py, the next hop, which keeps every delivered message's bytes;
#   - signpost-milter with a configuration and keys of its own.
# Every process is stopped by its PID when the test exits. Keys, the
# milter's start, the verifiers and the missing-tool rule come from lib.sh.
#
# What Postfix needs to run as root from a temporary directory, found by
# running it: `postfix -c DIR check` creates the queue directories with the
# right owners (mail_owner postfix, setgid_group postdrop); data_directory
# must be owned by mail_owner; maillog_file needs maillog_file_prefixes and
# the postlog service; `sendmail -C DIR` run by root needs no
# alternate_config_directories entry. The Postfix daemons run as "postfix"
# and Dovecot's auth process as "dovecot", so the sockets they reach by
# path (the milter's, Dovecot's) live in world-traversable directories.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

. "$top_srcdir/tests/integration/lib.sh"

PF=$TAP_TMP/pf
PF_SINK=$PF/sink
PF_MILTER_DIR=$TAP_TMP/milter
PF_KEYS=$TAP_TMP/keys
PF_CONF=$TAP_TMP/signpost.conf
PF_RECORDS=$TAP_TMP/records.txt
PF_SASL_USER=alice@example.com
PF_SASL_PASS=correct-horse-battery
pf_pids=""

# --- prerequisites --------------------------------------------------------

pf_require() {
	need_root "a private Postfix (master binds and drops to mail_owner)"
	need /usr/sbin/postfix /usr/sbin/postconf /usr/sbin/sendmail \
		/usr/sbin/dovecot milter milter-client dnsgen jq
	getent passwd postfix >/dev/null || bail_out "no postfix user (Debian's postfix package makes it)"
	getent group postdrop >/dev/null || bail_out "no postdrop group (Debian's postfix package makes it)"
	chmod 0711 "$TAP_TMP"   # the postfix and dovecot users reach sockets below it
	mkdir -p "$PF/etc" "$PF/queue" "$PF/data" "$PF_SINK"
	chmod 0755 "$PF"
	chown postfix "$PF/data"
	chmod 0700 "$PF/data"
	PF_SMTP_PORT=$(free_port)
	PF_SINK_PORT=$(free_port)
	while [ "$PF_SINK_PORT" = "$PF_SMTP_PORT" ]; do PF_SINK_PORT=$(free_port); done
	at_exit pf_cleanup
}

# --- stopping, by PID -----------------------------------------------------

pf_remember() { pf_pids="$pf_pids $1"; }

# pf_forget PID: a process we started has ended (we waited for it or saw
# it gone): never signal its PID again, another process may have it now.
pf_forget() {
	local pid kept=""
	for pid in $pf_pids; do [ "$pid" = "$1" ] || kept="$kept $pid"; done
	pf_pids=$kept
}

pf_stop_pid() {   # pf_stop_pid PID: TERM, wait up to 10 s, then KILL
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

pf_cleanup() {
	local pid
	if [ -f "$PF/queue/pid/master.pid" ]; then
		pid=$(tr -d ' \n' < "$PF/queue/pid/master.pid")
		[ -z "$pid" ] || pf_stop_pid "$pid"
	fi
	for pid in $pf_pids; do pf_stop_pid "$pid"; done
	pf_pids=""
}

# Show what went wrong: the tail of every log we keep.
pf_diag_logs() {
	local f
	for f in "$PF/maillog" "$PF_MILTER_DIR/milter.log" "$PF/dovecot/dovecot.log" "$PF/sink.log"; do
		[ -s "$f" ] || continue
		diag "--- last lines of $f"
		tail -n 15 "$f" | sed 's/^/#   /'
	done
}

# --- the sink -------------------------------------------------------------

pf_start_sink() {   # pf_start_sink [--8bitmime]
	/usr/bin/python3 "$top_srcdir/tests/integration/smtp-sink.py" "$@" \
		127.0.0.1 "$PF_SINK_PORT" "$PF_SINK" >"$PF/sink.log" 2>&1 &
	pf_remember $!
	pf_wait_port "$PF_SINK_PORT" || bail_out "the SMTP sink did not start: $(cat "$PF/sink.log")"
}

pf_wait_port() {    # pf_wait_port PORT: until something listens on 127.0.0.1:PORT
	local i
	for i in $(seq 100); do
		/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
			"$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- Dovecot SASL ---------------------------------------------------------

pf_start_dovecot() {
	local d=$PF/dovecot
	mkdir -p "$d"
	chmod 0755 "$d"
	printf '%s:{PLAIN}%s\n' "$PF_SASL_USER" "$PF_SASL_PASS" > "$d/passwd"
	chmod 0644 "$d/passwd"   # read by the auth process (user dovecot); a test password
	cat > "$d/dovecot.conf" <<-EOF
	# Only the auth service: Postfix's SASL backend over a unix socket.
	base_dir = $d/run
	state_dir = $d/state
	instance_name = signpost-test-$$
	log_path = $d/dovecot.log
	protocols = none
	listen = 127.0.0.1
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	default_internal_user = dovecot
	default_login_user = dovenull
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN username_format=%u $d/passwd
	}
	userdb {
	  driver = static
	  args = uid=nobody gid=nogroup home=/nonexistent
	}
	service auth {
	  unix_listener $d/auth-postfix {
	    mode = 0666
	  }
	}
	EOF
	/usr/sbin/dovecot -c "$d/dovecot.conf" -F >"$d/stdout" 2>&1 &
	pf_remember $!
	pf_wait_socket "$d/auth-postfix" ||
		bail_out "dovecot did not start: $(cat "$d/stdout" "$d/dovecot.log" 2>/dev/null)"
}

pf_wait_socket() {  # pf_wait_socket PATH
	local i
	for i in $(seq 100); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- Postfix --------------------------------------------------------------

pf_write_main_cf() {   # pf_write_main_cf MILTER
	cat > "$PF/etc/main.cf" <<-EOF
	# A private Postfix for signpost's end-to-end tests (postfix-lib.sh).
	compatibility_level = 3.6
	queue_directory = $PF/queue
	data_directory = $PF/data
	mail_owner = postfix
	setgid_group = postdrop
	syslog_name = signpost-test
	maillog_file = $PF/maillog
	maillog_file_prefixes = $PF
	myhostname = mx.signpost.test
	mydomain = signpost.test
	myorigin = example.com
	mydestination =
	local_recipient_maps =
	alias_maps =
	alias_database =
	biff = no
	inet_interfaces = 127.0.0.1
	inet_protocols = ipv4
	mynetworks = 127.0.0.1/32
	relay_domains = example.net
	smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
	default_transport = smtp:[127.0.0.1]:$PF_SINK_PORT
	relay_transport = smtp:[127.0.0.1]:$PF_SINK_PORT
	smtp_dns_support_level = disabled
	smtp_tls_security_level = none
	smtpd_tls_security_level = none
	smtpd_sasl_auth_enable = yes
	smtpd_sasl_type = dovecot
	smtpd_sasl_path = $PF/dovecot/auth-postfix
	# What signpost asks of Postfix (see signpost-milter(8)):
	smtpd_milters = $1
	non_smtpd_milters = $1
	milter_default_action = tempfail
	local_header_rewrite_clients = permit_mynetworks, permit_sasl_authenticated
	disable_mime_output_conversion = yes
	smtp_line_length_limit = 0
	EOF
}

pf_write_master_cf() {
	cat > "$PF/etc/master.cf" <<-EOF
	# service type private unpriv chroot wakeup maxproc command
	127.0.0.1:$PF_SMTP_PORT inet n - n - - smtpd
	pickup    unix  n - n 60 1 pickup
	cleanup   unix  n - n -  0 cleanup
	qmgr      unix  n - n 300 1 qmgr
	rewrite   unix  - - n -  - trivial-rewrite
	bounce    unix  - - n -  0 bounce
	defer     unix  - - n -  0 bounce
	trace     unix  - - n -  0 bounce
	verify    unix  - - n -  1 verify
	flush     unix  n - n 1000 0 flush
	proxymap  unix  - - n -  - proxymap
	smtp      unix  - - n -  - smtp
	relay     unix  - - n -  - smtp
	showq     unix  n - n -  - showq
	error     unix  - - n -  - error
	retry     unix  - - n -  - error
	discard   unix  - - n -  - discard
	anvil     unix  - - n -  1 anvil
	scache    unix  - - n -  1 scache
	postlog   unix-dgram n - n - 1 postlogd
	EOF
}

pf_start_postfix() {   # pf_start_postfix MILTER (as smtpd_milters wants it)
	pf_write_main_cf "$1"
	pf_write_master_cf
	/usr/sbin/postfix -c "$PF/etc" check >"$PF/check.log" 2>&1 ||
		{ pf_diag_logs; bail_out "postfix check failed: $(cat "$PF/check.log")"; }
	/usr/sbin/postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 ||
		{ pf_diag_logs; bail_out "postfix did not start: $(cat "$PF/start.log")"; }
	pf_wait_port "$PF_SMTP_PORT" || { pf_diag_logs; bail_out "postfix smtpd does not listen"; }
}

# pf_postconf NAME=VALUE...: change the instance's main.cf and reload it.
pf_postconf() {
	local before
	before=$(grep -c 'reload -- version' "$PF/maillog" 2>/dev/null || true)
	/usr/sbin/postconf -c "$PF/etc" -e "$@" || return 1
	/usr/sbin/postfix -c "$PF/etc" reload >/dev/null 2>&1 || return 1
	for _ in $(seq 100); do
		[ "$(grep -c 'reload -- version' "$PF/maillog" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- sending and receiving ------------------------------------------------

pf_delivered=0   # messages the sink has stored so far

# pf_smtp [--source ADDR] [--auth] FILE: submit over SMTP; 0 when accepted.
pf_smtp() {
	local args=()
	while [ $# -gt 1 ]; do
		case $1 in
		--auth) args+=(--auth "$PF_SASL_USER:$PF_SASL_PASS"); shift ;;
		*) args+=("$1" "$2"); shift 2 ;;
		esac
	done
	/usr/bin/python3 "$top_srcdir/tests/integration/smtp-send.py" --port "$PF_SMTP_PORT" \
		"${args[@]}" "$1"
}

# pf_sendmail FILE: Postfix's sendmail command (non_smtpd_milters path).
pf_sendmail() {
	/usr/sbin/sendmail -C "$PF/etc" -f alice@example.com -- bob@example.net < "$1"
}

# pf_next_delivery: wait for the sink's next message; its path goes into
# PF_LAST (empty when nothing arrived within 30 seconds).
pf_next_delivery() {
	local f i
	pf_delivered=$((pf_delivered + 1))
	f=$(printf '%s/%04d.eml' "$PF_SINK" "$pf_delivered")
	PF_LAST=""
	for i in $(seq 300); do
		[ -f "$f" ] && { PF_LAST=$f; return 0; }
		sleep 0.1
	done
	return 1
}

# --- the milter under test ------------------------------------------------

# pf_make_keys: an RSA-2048 key (selector "rsa") and an Ed25519 key
# (selector "ed") for example.com, and the configuration that signs with both.
pf_make_keys() {
	local dnsgen=$SP_DNSGEN
	mkdir -p "$PF_MILTER_DIR" "$PF_KEYS/example.com"
	chmod 0755 "$PF_MILTER_DIR"
	cat > "$PF_CONF" <<-EOF
	[milter]
	socket = unix:$PF_MILTER_DIR/milter.sock
	socket_mode = 0666
	pidfile = $PF_MILTER_DIR/milter.pid
	internal_hosts = 127.0.0.1/32
	sign_authenticated = yes
	on_error = tempfail
	log_level = debug

	[signing]
	keys_dir = $PF_KEYS

	[dns]
	mail_host = mail.example.com
	ipv4 = 192.0.2.25

	[domain example.com]
	selector = rsa, ed
	EOF
	sp_keygen "$PF_CONF" example.com rsa rsa &&
	sp_keygen "$PF_CONF" example.com ed ed25519 ||
		bail_out "dnsgen keygen failed"
	# The records a receiver would find, as dnsgen prints them for the zone.
	"$dnsgen" -c "$PF_CONF" -f json |
		jq -r '.[] | select(.type == "TXT" and (.name | test("_domainkey"))) | "\(.name | rtrimstr(".")) \(.value)"' \
		> "$PF_RECORDS" || bail_out "dnsgen -f json failed"
	[ "$(wc -l < "$PF_RECORDS")" -eq 2 ] || bail_out "expected 2 DKIM records, got: $(cat "$PF_RECORDS")"
}

# pf_start_milter: signpost-milter in the foreground on its unix socket,
# a fresh log; returns once its worker listens.
pf_start_milter() {
	: >"$PF_MILTER_DIR/milter.log"
	sp_milter_start "$PF_CONF" "$PF_MILTER_DIR/milter.log"
	[ -z "$SP_MILTER_PID" ] || pf_remember "$SP_MILTER_PID"
	[ -S "$PF_MILTER_DIR/milter.sock" ] ||
		{ pf_diag_logs; bail_out "signpost-milter did not start"; }
	PF_MILTER=unix:$PF_MILTER_DIR/milter.sock
}

# --- what arrived ---------------------------------------------------------

# pf_header_block FILE: the header of a delivered message, unfolded, one
# field a line, CRs removed.
pf_header_block() {
	sp_header_block "$1"
}

# pf_field_names FILE: the header field names in order, lower case.
pf_field_names() {
	pf_header_block "$1" | sed 's/:.*//' | tr 'A-Z' 'a-z'
}

# pf_sig_tag FILE N TAG: tag TAG of the N-th (from 1) DKIM-Signature.
pf_sig_tag() {
	pf_header_block "$1" | grep -i '^dkim-signature:' | sed -n "${2}p" |
		tr -d ' \t' | tr ';' '\n' | sed -n "s/^$3=//p"
}

# pf_verify FILE: every signature passes with the independent verifiers.
pf_verify() {
	sp_verify --records "$PF_RECORDS" "$1"
}

# pf_start_all: keys, milter, sink, Dovecot and Postfix, ready for mail.
pf_start_all() {
	pf_require
	pf_make_keys
	pf_start_milter
	pf_start_sink "$@"
	pf_start_dovecot
	pf_start_postfix "$PF_MILTER"
}

# --- checks shared by the tests -------------------------------------------

# pf_check_signed NAME FILE: signed by both selectors, at the top, verified.
pf_check_signed() {
	local label=$1 f=$2 names algs
	if [ -z "$f" ] || [ ! -f "$f" ]; then
		not_ok "$label: delivered" "nothing arrived at the sink"
		pf_diag_logs
		return
	fi
	names=$(pf_field_names "$f")
	if [ "$(echo "$names" | sed -n 1,2p | tr '\n' ' ')" = "dkim-signature dkim-signature " ] &&
	   [ "$(echo "$names" | grep -c '^dkim-signature$')" -eq 2 ]; then
		ok "$label: two DKIM-Signature fields, at the top"
	else
		not_ok "$label: two DKIM-Signature fields, at the top" "fields: $(echo $names)"
		pf_diag_logs
	fi
	algs="$(pf_sig_tag "$f" 1 a) $(pf_sig_tag "$f" 2 a)"
	case "$algs" in
	"rsa-sha256 ed25519-sha256"|"ed25519-sha256 rsa-sha256") ok "$label: rsa-sha256 and ed25519-sha256" ;;
	*) not_ok "$label: rsa-sha256 and ed25519-sha256" "a= tags: $algs" ;;
	esac
	if pf_sig_tag "$f" 1 h | tr 'A-Z' 'a-z' | tr ':' '\n' | grep -qx received; then
		not_ok "$label: Received is not in h=" "h=$(pf_sig_tag "$f" 1 h)"
	else
		ok "$label: Received is not in h="
	fi
	check "$label: verify-dkim passes every signature" pf_verify "$f"
}

# pf_check_unsigned NAME FILE: arrived, and without any DKIM-Signature.
pf_check_unsigned() {
	local label=$1 f=$2
	if [ -z "$f" ] || [ ! -f "$f" ]; then
		not_ok "$label: delivered" "nothing arrived at the sink"
		pf_diag_logs
	elif pf_field_names "$f" | grep -qx dkim-signature; then
		not_ok "$label: arrives unsigned" "$(pf_header_block "$f" | grep -i '^dkim-signature')"
	else
		ok "$label: arrives unsigned"
	fi
}

# pf_h_lacks NAME FILE FIELD...: no signature's h= names these fields.
pf_h_lacks() {
	local label=$1 f=$2 h field bad=""
	shift 2
	h="$(pf_sig_tag "$f" 1 h):$(pf_sig_tag "$f" 2 h)"
	for field in "$@"; do
		echo "$h" | tr 'A-Z' 'a-z' | tr ':' '\n' | grep -qx "$field" && bad="$bad $field"
	done
	if [ -z "$bad" ]; then ok "$label"; else not_ok "$label" "h= lists$bad: $h"; fi
}

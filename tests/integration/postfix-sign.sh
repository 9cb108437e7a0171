# postfix-sign.sh - end to end through a real Postfix: which mail gets
# signed. Internal clients (SMTP from 127.0.0.1), SASL-authenticated clients
# from an address that is not internal (127.0.0.2), and Postfix's sendmail
# command (non_smtpd_milters) get an RSA and an Ed25519 signature that the
# independent verifiers accept; a client that is neither (127.0.0.3), and
# mail from a domain we do not sign for, arrive untouched.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"

pf_start_all

msg() {   # msg FILE FROM SUBJECT
	cat > "$1" <<-EOF
	From: Alice Example <$2>
	To: Bob <bob@example.net>
	Cc: carol@example.net
	Subject: $3
	Date: Tue, 25 Nov 2025 10:00:00 +0000
	Message-ID: <$(basename "$1")@example.com>
	MIME-Version: 1.0
	Content-Type: text/plain; charset=us-ascii

	Hello Bob,

	this message went through a private Postfix and signpost-milter.
	  Indented line, trailing blanks here:   
	EOF
}

m=$TAP_TMP/m
msg "$m-internal.eml" alice@example.com "internal client"
msg "$m-sasl.eml" alice@example.com "authenticated client"
msg "$m-sendmail.eml" alice@example.com "sendmail command"
msg "$m-outside.eml" alice@example.com "outside client"
msg "$m-noauth.eml" alice@example.com "not internal, not authenticated"
msg "$m-foreign.eml" someone@example.org "internal client, domain we do not sign"

check "SMTP from an internal address is accepted" pf_smtp --source 127.0.0.1 "$m-internal.eml"
pf_next_delivery
pf_check_signed "internal SMTP client" "$PF_LAST"

check "SMTP AUTH from 127.0.0.2 is accepted" pf_smtp --source 127.0.0.2 --auth "$m-sasl.eml"
pf_next_delivery
pf_check_signed "SASL client from a non-internal address" "$PF_LAST"

check "sendmail -C is accepted" pf_sendmail "$m-sendmail.eml"
pf_next_delivery
pf_check_signed "sendmail command (non_smtpd_milters)" "$PF_LAST"

check "SMTP from an outside address is accepted" pf_smtp --source 127.0.0.3 "$m-outside.eml"
pf_next_delivery
pf_check_unsigned "outside client (127.0.0.3)" "$PF_LAST"

check "SMTP from 127.0.0.2 without AUTH is accepted" pf_smtp --source 127.0.0.2 "$m-noauth.eml"
pf_next_delivery
pf_check_unsigned "non-internal client without AUTH" "$PF_LAST"

check "SMTP from an internal address, foreign From:, is accepted" pf_smtp --source 127.0.0.1 "$m-foreign.eml"
pf_next_delivery
pf_check_unsigned "From: a domain not configured" "$PF_LAST"

# Postfix shows the milter neither its own Received: header nor the
# signatures' position relative to it: the fields must still sit above it.
f=$(printf '%s/%04d.eml' "$PF_SINK" 1)
third=$(pf_field_names "$f" | sed -n 3p)
if [ "$third" = received ]; then
	ok "Postfix's Received: follows the signatures"
else
	not_ok "Postfix's Received: follows the signatures" "third field: $third"
fi
if grep -q 'milter-reject\|warning: milter' "$PF/maillog"; then
	not_ok "Postfix logged no milter trouble" "$(grep 'milter' "$PF/maillog" | tail -5)"
else
	ok "Postfix logged no milter trouble"
fi

done_testing

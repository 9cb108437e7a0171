# postfix-content.sh - end to end through a real Postfix: messages that
# Postfix changes on the way. Postfix adds a missing Date: and Message-ID:
# (never To:) before the milter sees the header, but only for clients in
# local_header_rewrite_clients; an 8-bit body and a line over 998 bytes
# survive only with the settings signpost documents. Every signature that
# arrives must verify, and no signature may cover a field that is absent,
# since a later hop may add it.
#
# The last checks pin down what Postfix does without those settings (they
# expect the signature to break), so a Postfix that changes its ways shows.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/postfix-lib.sh"

pf_start_all

m=$TAP_TMP/m
cat > "$m-bare.eml" <<-'EOF'
	From: Alice Example <alice@example.com>
	Subject: no Date, no Message-ID, no To

	Postfix fills in what it must.
	EOF
printf 'From: alice@example.com\nTo: bob@example.net\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nDate: Tue, 25 Nov 2025 10:00:00 +0000\nMessage-ID: <8bit@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\303\274\303\237e aus K\303\266ln \342\200\223 na\303\257ve caf\303\251.\n' > "$m-8bit.eml"
{
	printf 'From: alice@example.com\nTo: bob@example.net\nSubject: a long line\nDate: Tue, 25 Nov 2025 10:00:00 +0000\nMessage-ID: <long@example.com>\n\nshort line\n'
	head -c 2500 /dev/zero | tr '\0' 'x'
	printf '\nlast line\n'
} > "$m-long.eml"

signature_broken() {   # signature_broken FILE: delivered, and verify-dkim fails
	[ -f "$1" ] && ! pf_verify "$1"
}

has_field() {   # has_field FILE NAME: the delivered header has field NAME
	pf_field_names "$1" | grep -qx "$2"
}

# 1. Missing fields from an internal client: Postfix appends Date: and
#    Message-Id: before the milter sees the header, so both may be signed.
check "internal client: message without Date/Message-ID/To accepted" pf_smtp --source 127.0.0.1 "$m-bare.eml"
pf_next_delivery
pf_check_signed "internal client, missing fields" "$PF_LAST"
if has_field "$PF_LAST" date && has_field "$PF_LAST" message-id && ! has_field "$PF_LAST" to; then
	ok "internal client: Postfix added Date: and Message-ID:, not To:"
else
	not_ok "internal client: Postfix added Date: and Message-ID:, not To:" "$(pf_field_names "$PF_LAST" | tr '\n' ' ')"
fi
pf_h_lacks "internal client: h= does not cover the absent To:" "$PF_LAST" to
order=$(pf_field_names "$PF_LAST" | sed -n '4,$p' | tr '\n' ' ')
if [ "$order" = "from subject message-id date " ]; then
	ok "internal client: Postfix appends Message-Id: then Date: at the end of the header"
else
	not_ok "internal client: Postfix appends Message-Id: then Date: at the end of the header" "fields after Received: $order"
fi
h=$(pf_sig_tag "$PF_LAST" 1 h | tr 'A-Z' 'a-z' | tr ':' '\n')
if echo "$h" | grep -qx date && echo "$h" | grep -qx message-id; then
	ok "internal client: the milter saw the added fields and signed them"
else
	not_ok "internal client: the milter saw the added fields and signed them" "h=$(echo $h)"
fi

# 2. The same through the sendmail command.
check "sendmail: message without Date/Message-ID/To accepted" pf_sendmail "$m-bare.eml"
pf_next_delivery
pf_check_signed "sendmail, missing fields" "$PF_LAST"
if has_field "$PF_LAST" date && has_field "$PF_LAST" message-id; then
	ok "sendmail: Postfix added Date: and Message-ID:"
else
	not_ok "sendmail: Postfix added Date: and Message-ID:" "$(pf_field_names "$PF_LAST" | tr '\n' ' ')"
fi
pf_h_lacks "sendmail: h= does not cover the absent To:" "$PF_LAST" to

# 3. A SASL client from another address under Postfix's default
#    local_header_rewrite_clients: nothing is added, the mail leaves without
#    Date: and Message-ID:, and the signature must not cover them.
check "reload with the default local_header_rewrite_clients" \
	pf_postconf local_header_rewrite_clients=permit_inet_interfaces
check "SASL client: message without Date/Message-ID/To accepted" pf_smtp --source 127.0.0.2 --auth "$m-bare.eml"
pf_next_delivery
pf_check_signed "SASL client, default rewrite clients" "$PF_LAST"
if has_field "$PF_LAST" date || has_field "$PF_LAST" message-id; then
	not_ok "SASL client: Postfix added nothing" "$(pf_field_names "$PF_LAST" | tr '\n' ' ')"
else
	ok "SASL client: Postfix added nothing"
fi
pf_h_lacks "SASL client: h= covers none of the absent Date, Message-ID, To" "$PF_LAST" date message-id to
check "reload with signpost's local_header_rewrite_clients" \
	pf_postconf "local_header_rewrite_clients=permit_mynetworks, permit_sasl_authenticated"

# 4. An 8-bit body, to a next hop without 8BITMIME, with
#    disable_mime_output_conversion = yes: delivered as it was signed.
check "8-bit message accepted" pf_smtp --source 127.0.0.1 "$m-8bit.eml"
pf_next_delivery
pf_check_signed "8-bit body" "$PF_LAST"
if grep -q 'Content-Transfer-Encoding: 8bit' "$PF_LAST"; then
	ok "8-bit body: not converted to quoted-printable"
else
	not_ok "8-bit body: not converted to quoted-printable" "$(grep -i content-transfer "$PF_LAST")"
fi

# 5. A 2,500-byte body line with smtp_line_length_limit = 0: delivered whole.
check "long-line message accepted" pf_smtp --source 127.0.0.1 "$m-long.eml"
pf_next_delivery
pf_check_signed "2,500-byte body line" "$PF_LAST"
check "long line: delivered in one piece" grep -q "^x\{2500\}"$'\r'"\$" "$PF_LAST"
check "long line: signpost-milter logged a warning naming its length" \
	grep -q 'warning:.*2500.*998' "$PF_MILTER_DIR/milter.log"

# 6. What Postfix does without those settings (the reason for them).
check "reload with Postfix's default smtp_line_length_limit (998)" \
	pf_postconf smtp_line_length_limit=998 disable_mime_output_conversion=no
check "long-line message accepted again" pf_smtp --source 127.0.0.1 "$m-long.eml"
pf_next_delivery
if [ -n "$PF_LAST" ] && grep -q "^ x" "$PF_LAST"; then
	ok "Postfix's smtp client folds a line over 998 bytes (CRLF SPACE inserted)"
else
	not_ok "Postfix's smtp client folds a line over 998 bytes (CRLF SPACE inserted)"
fi
check "so the signature no longer verifies" signature_broken "$PF_LAST"
check "8-bit message accepted again" pf_smtp --source 127.0.0.1 "$m-8bit.eml"
pf_next_delivery
if [ -n "$PF_LAST" ] && grep -q 'Content-Transfer-Encoding: quoted-printable' "$PF_LAST"; then
	ok "Postfix downgrades 8-bit to quoted-printable for a next hop without 8BITMIME"
else
	not_ok "Postfix downgrades 8-bit to quoted-printable for a next hop without 8BITMIME"
fi
check "so the signature no longer verifies" signature_broken "$PF_LAST"

if grep -q 'milter-reject\|warning: milter' "$PF/maillog"; then
	not_ok "Postfix logged no milter trouble" "$(grep 'milter' "$PF/maillog" | tail -5)"
else
	ok "Postfix logged no milter trouble"
fi

done_testing

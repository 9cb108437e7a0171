#!/bin/bash
# milter-negotiate.sh - what signpost-milter asks of the MTA, seen by a
# second, independent milter client (OpenDKIM's miltertest): only the
# add-header action (plus SETSYMLIST, which carries the macro list); no
# HELO, RCPT, DATA or unknown-command events; no replies to connect, MAIL,
# header and body events; header values with their leading space
# (SMFIP_HDR_LEADSPC); but the header, end-of-header and body events it
# needs. Then a message signed over miltertest's connection verifies, and
# an outsider's gets ACCEPT at the end of the header.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/milter-lib.sh"

command -v miltertest >/dev/null || bail_out "miltertest is not installed (Debian package miltertest)"

mt_key example.com r1 rsa
mt_key example.com e1 ed25519
conf="$TAP_TMP/signpost.conf"
mt_conf "$conf"
printf '[domain example.com]\nselector = r1, e1\n' >>"$conf"
mt_start "$conf" || bail_out "the daemon did not start"

cat >"$TAP_TMP/negotiate.lua" <<'EOF'
-- Prints TAP lines; the shell counts them.
local n = 0
local function check(cond, name)
	n = n + 1
	mt.echo((cond and "ok " or "not ok ") .. n .. " - " .. name)
end
local conn = mt.connect("unix:" .. SOCK, 50, 0.1)
assert(conn ~= nil, "cannot connect to the milter")
assert(mt.negotiate(conn, nil, nil, nil) == nil, "negotiation failed")

check(mt.test_action(conn, SMFIF_ADDHDRS), "action: add header fields")
for _, a in ipairs({"SMFIF_CHGHDRS", "SMFIF_CHGBODY", "SMFIF_ADDRCPT",
    "SMFIF_DELRCPT", "SMFIF_QUARANTINE", "SMFIF_CHGFROM", "SMFIF_ADDRCPT_PAR"}) do
	check(not mt.test_action(conn, _G[a]), "action not requested: " .. a)
end
check(mt.test_action(conn, SMFIF_SETSYMLIST), "action: SETSYMLIST (macro list)")
for _, o in ipairs({"SMFIP_NOHELO", "SMFIP_NORCPT", "SMFIP_NODATA", "SMFIP_NOUNKNOWN",
    "SMFIP_NR_CONN", "SMFIP_NR_MAIL", "SMFIP_NR_HDR", "SMFIP_NR_BODY",
    "SMFIP_HDR_LEADSPC"}) do
	check(mt.test_option(conn, _G[o]), "protocol: " .. o)
end
for _, o in ipairs({"SMFIP_NOCONNECT", "SMFIP_NOMAIL", "SMFIP_NOHDRS", "SMFIP_NOEOH",
    "SMFIP_NOBODY", "SMFIP_NR_EOH"}) do
	check(not mt.test_option(conn, _G[o]), "protocol step kept: not " .. o)
end

-- A message from an internal client: signed at end of message.
local headers = {
	{"From", " Alice <alice@example.com>"},
	{"To", " Bob <bob@example.org>"},
	{"Subject", " negotiated\n\tand folded"},
	{"Date", " Mon, 02 Mar 2026 10:00:00 +0000"},
	{"Message-ID", " <negotiate@example.com>"},
}
local body = "Hello over miltertest.\r\n"
assert(mt.conninfo(conn, "localhost", "127.0.0.1") == nil)
assert(mt.macro(conn, SMFIC_MAIL, "i", "NEG0000001") == nil)
assert(mt.mailfrom(conn, "<alice@example.com>") == nil)
for _, h in ipairs(headers) do assert(mt.header(conn, h[1], h[2]) == nil) end
assert(mt.eoh(conn) == nil)
check(mt.getreply(conn) == SMFIR_CONTINUE, "internal client: end of header continues")
assert(mt.bodystring(conn, body) == nil)
assert(mt.eom(conn) == nil)
check(mt.getreply(conn) == SMFIR_CONTINUE, "end of message continues")
check(mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature"), "DKIM-Signature inserted")
-- Write the message as it leaves: the inserted fields on top, CRLF lines.
local f = assert(io.open(OUT, "wb"))
for i = 0, 1 do
	local v = mt.getheader(conn, "DKIM-Signature", i)
	if v ~= nil then
		check(v:sub(1, 1) == " ", "signature " .. i .. " keeps its leading space")
		check(not v:find("\r", 1, true), "signature " .. i .. " folds with bare LF")
		f:write("DKIM-Signature:" .. v:gsub("\n", "\r\n") .. "\r\n")
	end
end
for _, h in ipairs(headers) do f:write(h[1] .. ":" .. h[2]:gsub("\n", "\r\n") .. "\r\n") end
f:write("\r\n" .. body)
f:close()
mt.disconnect(conn)

-- An outsider: ACCEPT at the end of the header, no body wanted.
conn = mt.connect("unix:" .. SOCK, 50, 0.1)
assert(mt.negotiate(conn, nil, nil, nil) == nil)
assert(mt.conninfo(conn, "outside.example", "192.0.2.44") == nil)
assert(mt.mailfrom(conn, "<alice@example.com>") == nil)
for _, h in ipairs(headers) do assert(mt.header(conn, h[1], h[2]) == nil) end
assert(mt.eoh(conn) == nil)
check(mt.getreply(conn) == SMFIR_ACCEPT, "outsider: ACCEPT at end of header")
mt.disconnect(conn)
EOF

out=$(miltertest -D SOCK="$SOCK" -D OUT="$TAP_TMP/signed.eml" -s "$TAP_TMP/negotiate.lua" 2>&1)
st=$?
# Re-number miltertest's checks into ours.
while IFS= read -r line; do
	case $line in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) not_ok "${line#not ok * - }" ;;
		*) diag "$line" ;;
	esac
done <<<"$out"
[ $st -eq 0 ] && ok "miltertest script ran to the end" || not_ok "miltertest script ran to the end" "exit $st"
check "the message signed over miltertest verifies" mt_verify "$TAP_TMP/signed.eml"
mt_log_has "not signed: client 192.0.2.44 is not in internal_hosts" && ok "outsider: logged" ||
	not_ok "outsider: logged" "$(tail -n 3 "$MT_LOG")"
mt_stop
done_testing

# manpages.sh - the manual pages are part of the release: `mandoc -Tlint`
# finds nothing in signpost-milter(8), dnsgen(1) and signpost.conf(5), and
# signpost.conf(5) documents exactly the names the configuration parser
# knows (tests/tools/conf-names prints the parser's own table), no more, no
# fewer.
#
# Two kinds of mandoc message describe the machine, not the page, and are
# shown as diagnostics only: an .Xr to a page that is not installed here
# ("referenced manual not found", e.g. our own pages before make install)
# and one to a page installed but missing from an out-of-date mandoc.db.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"
command -v mandoc >/dev/null 2>&1 || skip_all "mandoc not installed (Debian package mandoc)"

pages="milter/signpost-milter.8 dnsgen/dnsgen.1 etc/signpost.conf.5"
host_only='outdated mandoc\.db lacks .* entry, run makewhatis|STYLE: referenced manual not found: Xr '

# lint PAGE: prints what mandoc says about PAGE, less the host's messages.
lint() {
	mandoc -Tlint "$1" 2>&1 | grep -Ev "$host_only"
	mandoc -Tlint "$1" 2>&1 | grep -E "$host_only" | sed 's/^/# host: /' >&2
}

# The filter must not hide a real fault: a page with one is caught.
bad=$TAP_TMP/bad.1
printf '%s\n' '.Dd November 30, 2026' '.Dt BAD 1' '.Os' '.Sh NAME' \
	'.Nm bad' '.Nd a page with faults' '.Sh EXIT STATUS' 'Zero.' \
	'.Sh FILES' 'None.' '.Sh SEE ALSO' '.Xr zzz-no-such-page 1' > "$bad"
out=$(lint "$bad" 2>/dev/null)
case $out in
*"sections out of conventional order"*) ok "lint reports a fault in a broken page" ;;
*) not_ok "lint reports a fault in a broken page" "mandoc said: $out" ;;
esac

for page in $pages; do
	out=$(cd "$top_srcdir" && lint "$page" 2>"$TAP_TMP/host")
	sed -n 's/^# host: /host: /p' "$TAP_TMP/host" | sed 's/^/# /'
	if [ -z "$out" ]; then ok "mandoc -Tlint: $page"
	else not_ok "mandoc -Tlint: $page" "$out"; fi
done

# --- every name the parser knows is documented, and nothing else ---
"$top_builddir/tests/tools/conf-names" | sort > "$TAP_TMP/parser" ||
	bail_out "tests/tools/conf-names failed"
grep -E '^\.It Ic [a-z0-9_]+ No = ' "$top_srcdir/etc/signpost.conf.5" |
	awk '{ print $3 }' | sort > "$TAP_TMP/manual"
n_parser=$(wc -l < "$TAP_TMP/parser")
n_manual=$(wc -l < "$TAP_TMP/manual")
diag "the parser knows $n_parser names; signpost.conf(5) documents $n_manual"
if [ "$n_parser" -ge 20 ]; then ok "the parser's table has its names ($n_parser)"
else not_ok "the parser's table has its names ($n_parser)"; fi

dups=$(uniq -d "$TAP_TMP/manual")
if [ -z "$dups" ]; then ok "signpost.conf(5) documents each name once"
else not_ok "signpost.conf(5) documents each name once" "twice: $dups"; fi

missing=$(comm -23 "$TAP_TMP/parser" "$TAP_TMP/manual")
if [ -z "$missing" ]; then ok "every name the parser knows is in signpost.conf(5)"
else not_ok "every name the parser knows is in signpost.conf(5)" "not documented: $missing"; fi

unknown=$(comm -13 "$TAP_TMP/parser" "$TAP_TMP/manual")
if [ -z "$unknown" ]; then ok "every name signpost.conf(5) documents is known to the parser"
else not_ok "every name signpost.conf(5) documents is known to the parser" "unknown to the parser: $unknown"; fi

done_testing

# copyright.sh - every source file (C, shell, Python, Perl, JavaScript,
# the executable scripts without a suffix, the maintainer scripts) says in
# its header comment whose it is and under which licence: the one line of
# LICENSE's ISC terms, the same everywhere, within its first 60 lines.
# One check per directory.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"

line='Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.'

# unmarked FILE...: the files whose header lacks the line. One awk for all
# the files: a process per file costs more than the reading.
unmarked() {
	local f
	for f in "$@"; do [ -s "$f" ] || printf '%s\n' "${f#"$top_srcdir"/}"; done
	awk -v line="$line" -v top="$top_srcdir/" '
		function verdict() {
			if (name != "" && !found)
				print (index(name, top) == 1 ? substr(name, length(top) + 1) : name)
		}
		FNR == 1 {
			verdict(); name = FILENAME; found = 0
			# programs built in the source tree are not sources
			if (substr($0, 1, 4) == "\177ELF") { found = 1; nextfile }
		}
		FNR <= 60 && index($0, line) { found = 1; nextfile }
		FNR > 60 { nextfile }
		END { verdict() }' "$@"
}

# The check must see a file without the line, and pass one with it.
printf '%s\n' '# probe.sh - no licence here' >"$TAP_TMP/without.sh"
printf '%s\n' '# probe.sh - a licence here' '#' "# $line" >"$TAP_TMP/with.sh"
got=$(unmarked "$TAP_TMP/without.sh" "$TAP_TMP/with.sh")
if [ "$got" = "$TAP_TMP/without.sh" ]; then ok "a file without the line is found"
else not_ok "a file without the line is found" "got '$got'"; fi

for dir in lib include milter dnsgen scripts tests debian; do
	[ -d "$top_srcdir/$dir" ] || continue
	files=$(find "$top_srcdir/$dir" \( -path "$top_srcdir/tests/data" \
		-o -path "$top_srcdir/tests/fuzz/corpus" -o -name node_modules \
		-o -path "$top_srcdir/debian/signpost" -o -name __pycache__ \) -prune \
		-o -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' \
		-o -name '*.pl' -o -name '*.js' -o -name '*.post*' -o -perm -u+x \) -print | sort)
	[ -n "$files" ] || continue
	# shellcheck disable=SC2086 # one name a word
	missing=$(unmarked $files)
	if [ -z "$missing" ]; then ok "$dir/: every source file carries the copyright line"
	else not_ok "$dir/: every source file carries the copyright line" "$missing"; fi
done
done_testing

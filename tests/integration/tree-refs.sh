# tree-refs.sh - nothing in the tree points at a file that is not there.
# The README, NEWS, the man pages, the files of etc/, scripts/ and debian/,
# and every source, test and build file name paths such as
# tests/integration/x.sh, etc/signpost.conf or scripts/check: each one must
# exist in the source tree (a glob must match something; a program may be
# named by its source, PATH.c, or be in the build tree). Paths inside
# another path (/etc/signpost, $(top_srcdir)/tests) are the installed
# system's or are built, and are left alone. One check per file.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"

# A tree path: one of the project's top directories at the start of a word.
ref_re='(^|[^A-Za-z0-9_./~$@{}-])(tests|etc|scripts|lib|dnsgen|milter|include|debian|build-aux|m4)/[A-Za-z0-9_.*+/-]*[A-Za-z0-9_*]'

# refs FILE...: "FILE PATH" for each tree path each FILE names, once. One
# grep for all the files: a process per file costs more than the reading.
refs() {
	grep -oHE "$ref_re" "$@" | sed -E 's/^([^:]*):[^a-z]/\1:/; s/:/ /' | sort -u
}
# exists PATH: PATH is in the source tree, or is a program built from
# PATH.c, or is in the build tree; a glob, or a path with a placeholder in
# capitals (tests/fuzz/corpus/NAME), matches something. debian/signpost/ is
# the package's staging tree, made by the build. Shell builtins only.
exists() {
	local p=$1 m
	case $p in debian/signpost/*) return 0 ;; esac
	[ -e "$top_srcdir/$p" ] || [ -e "$top_srcdir/$p.c" ] ||
		[ -e "$top_builddir/$p" ] && return 0
	while [[ $p =~ [A-Z][A-Z0-9]{2,} ]]; do
		p=${p/"${BASH_REMATCH[0]}"/*}
	done
	case $p in *'*'*) ;; *) return 1 ;; esac
	for m in "$top_srcdir"/$p; do [ -e "$m" ] && return 0; done
	return 1
}
# missing FILE...: "FILE PATH" for each path a FILE names that does not exist.
missing() {
	local f r
	refs "$@" | while read -r f r; do
		exists "$r" || printf '%s %s\n' "$f" "$r"
	done
}

# The check must see a missing file, and must leave system paths alone.
printf '%s\n' 'see tests/integration/no-such-test.sh and etc/no-such.conf,' \
	'but not /etc/signpost/keys nor $(top_srcdir)/tests/gone.sh' >"$TAP_TMP/probe"
got=$(missing "$TAP_TMP/probe" | cut -d' ' -f2 | tr '\n' ' ')
got=${got% }
want="etc/no-such.conf tests/integration/no-such-test.sh"
if [ "$got" = "$want" ]; then ok "a missing file is found, a system path is not"
else not_ok "a missing file is found, a system path is not" "got '$got', want '$want'"; fi

# Every text file of the tree, build products and test data aside.
files=$(cd "$top_srcdir" && find . \( -name .git -o -name '_*' -o -name 'signpost-*' \
	-o -name autom4te.cache -o -path ./tests/data -o -path ./tests/fuzz/corpus \
	-o -path ./debian/signpost -o -path ./debian/.debhelper \) -prune -o -type f \
	\( -name '*.md' -o -name NEWS -o -name '*.[0-9]' -o -name '*.[ch]' \
	-o -name '*.sh' -o -name '*.py' -o -name '*.pl' -o -name '*.js' -o -name '*.mk' \
	-o -name Makefile.am -o -name configure.ac -o -path './etc/*' \
	-o -path './scripts/*' -o -path './debian/*' -o -path './tests/verify/*' \
	-o -path './.ci/*' \) -print | sed 's|^\./||' | sort)
[ -n "$files" ] || bail_out "no files found in $top_srcdir"
declare -A absent=()
# shellcheck disable=SC2086 # one name a word
while read -r f r; do
	absent[$f]="${absent[$f]:+${absent[$f]} }$r"
done < <(cd "$top_srcdir" && missing $files)
for f in $files; do
	# This test's own probe names missing files on purpose.
	[ "$f" != tests/integration/tree-refs.sh ] || continue
	m=${absent[$f]:-}
	if [ -z "$m" ]; then ok "$f: every tree path it names exists"
	else not_ok "$f: every tree path it names exists" "missing: $m"; fi
done
done_testing

# corpus.sh - signs every message of tests/data/corpus (and the big ones
# make-big.py writes) with the engine (tests/tools/sign-file), in all four
# canonicalisations, with a fresh RSA-2048 and a fresh Ed25519 key, and has the
# independent judges (tests/verify/verify-dkim) check each signature against
# the DNS record the core built for that key.  Also: messages with no From:,
# two From:, or an unusable From: are refused; one call signs with both keys;
# the records carry the keys openssl sees; signature fields are folded at 78.
# One TAP line per case.  SIGNPOST_CORPUS_JOBS sets how many run at once.
# In the sanitizer build the matrix is signed, not judged, and the judges
# are not proved again on tampered copies (the plain build judges the same
# code with the same judges; the sanitizers watch the signing), and each
# message and canonicalisation is signed once with both keys in one call:
# the same canonicalisation and both signing paths, at half the sanitized
# start-ups.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
. "$top_srcdir/tests/tap.sh"

sign_file=$top_builddir/tests/tools/sign-file
verify=$top_srcdir/tests/verify/verify-dkim
# The corpus is where the judges are compared: every one judges every case.
export SIGNPOST_VERIFY_ONLY=all
reference=$top_srcdir/tests/verify/reference-sign.py
corpus=$top_srcdir/tests/data/corpus
domain=example.com
now=1700000000          # a fixed clock: t= is reproducible and never in the future

[ -x "$sign_file" ] || bail_out "$sign_file is not built (make check builds it)"
command -v openssl >/dev/null || bail_out "openssl is missing"
jobs=${SIGNPOST_CORPUS_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Keys, made fresh for this run.
keys=$TAP_TMP/keys
mkdir -p "$keys" && chmod 0700 "$keys"
(umask 077
 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa.pem" 2>/dev/null &&
 openssl genpkey -algorithm ED25519 -out "$keys/ed.pem") || bail_out "openssl genpkey failed"
chmod 0600 "$keys/rsa.pem" "$keys/ed.pem"

# The messages: the committed ones and the big ones made now.
big=$TAP_TMP/big
mkdir -p "$big"
/usr/bin/python3 "$corpus/make-big.py" "$big" >/dev/null || bail_out "make-big.py failed"
messages=("$corpus"/[0-9]*.eml "$big"/*.eml)
[ "${#messages[@]}" -ge 30 ] || bail_out "only ${#messages[@]} corpus messages found in $corpus"
canons=(simple/simple simple/relaxed relaxed/simple relaxed/relaxed)
algs=(rsa ed25519)

# Judged by one verifier only, for a reason the verifiers state (README.md):
# for Ed25519 only mailauth parses a tab before a header field's colon
# (dkimpy refuses the message, OpenDKIM gives up, Mail::DKIM has no Ed25519).
one_judge() { # one_judge MESSAGE ALG
	case "$(basename "$1"):$2" in
	38-tab-before-colon.eml:ed25519) echo mailauth ;;
	*) return 1 ;;
	esac
}

rsa_key=$keys/rsa.pem ed_key=$keys/ed.pem rsa_sel=corpus-rsa ed_sel=corpus-ed
keyfile() { [ "$1" = rsa ] && echo "$rsa_key" || echo "$ed_key"; }
selector() { [ "$1" = rsa ] && echo "$rsa_sel" || echo "$ed_sel"; }
declare -A alg_name=([rsa]=rsa-sha256 [ed25519]=ed25519-sha256
	[both]="rsa-sha256 + ed25519-sha256")
algorithm() { echo "${alg_name[$1]}"; }
# key_args ALG: key=(sign-file's -k -d -s for ALG: rsa, ed25519 or both),
# without a process of its own.
key_args() {
	key=()
	[ "$1" = ed25519 ] || key+=(-k "$rsa_key" -d "$domain" -s "$rsa_sel")
	[ "$1" = rsa ] || key+=(-k "$ed_key" -d "$domain" -s "$ed_sel")
}

# sign_case N MESSAGE CANON ALG: sign-file's output, errors and records in
# $res/N/, and its exit status in $res/N/rc when it fails. Run by xargs -P,
# so what it uses is exported; it starts no process but sign-file (here a
# process costs more than a signature): sign_results judges the outcome.
sign_case() {
	local n=$1 msg=$2 canon=$3 alg=$4 key
	key_args "$alg"
	"$sign_file" "${key[@]}" -c "$canon" -t "$now" --records-out "$res/$n/records" \
		"$msg" >"$res/$n/signed.eml" 2>"$res/$n/sign.err" || echo "$?" >"$res/$n/rc"
}
export -f sign_case key_args
export rsa_key ed_key rsa_sel ed_sel

# sign_result N ALG: after sign_case, leaves $res/N/signed.eml to judge, or
# $res/N.log saying why there is nothing to judge (the signed message then
# removed). Under the sanitizers a case signed cleanly gets $res/N.clean:
# exit 0, nothing on stderr (where ASan and UBSan report), both signatures
# added on top, as $sigs_added (N -> added on top, or "" if not) says.
sign_result() {
	local n=$1 alg=$2 dir=$res/$1 got="" want=""
	if [ -e "$dir/rc" ]; then
		{ echo "sign-file failed (exit $(cat "$dir/rc")):"; cat "$dir/sign.err"; } >"$res/$n.log"
		rm -f "$dir/signed.eml"
		return
	fi
	IFS= read -r -d '' got <"$dir/records"
	IFS= read -r -d '' want <"$TAP_TMP/record-$alg"
	if [ "$got" != "$want" ]; then
		{ echo "--records-out differs from the record of the same key:"; cat "$dir/records"; } >"$res/$n.log"
		rm -f "$dir/signed.eml"
	elif [ "${SIGNPOST_SANITIZERS:-no}" = yes ]; then
		if [ ! -s "$dir/sign.err" ] && [ "${sigs_added[$n]:-}" = 2 ]; then
			: >"$res/$n.clean"
		else
			{ echo "sign-file wrote to stderr or did not add two signatures on top (${sigs_added[$n]:-none}):"
			  cat "$dir/sign.err"; } >"$res/$n.log"
		fi
	fi
}

# judged N MESSAGE ALG: did case N pass, given the judges' lines in $res/N.log?
judged() {
	local n=$1 msg=$2 alg=$3 judge sel
	[ -n "${judged_pass[$n]:-}" ] && return 0
	# the one case the verifiers themselves cannot judge twice (see one_judge)
	judge=$(one_judge "$msg" "$alg") || return 1
	sel=$(selector "$alg")
	grep -q "^pass $judge d=$domain s=$sel " "$res/$n.log" &&
		! grep -Ev '^fail verdict |^=> ' "$res/$n.log" | grep -q '^fail ' &&
		[ "$(grep -c "^fail verdict .*only 1 independent" "$res/$n.log")" -eq 1 ] || return 1
	echo "$(cat "$res/$n.name") (one judge: only $judge can parse this message for $(algorithm "$alg"))" >"$res/$n.name"
}

# control MESSAGE CANON ALG: the same message, key and canonicalisation signed
# by dkimpy instead: does that pass the judges?  (engine or message at fault?)
control() {
	local d
	d=$(mktemp -d "$TAP_TMP/control.XXXXXX")
	if /usr/bin/python3 "$reference" "$(keyfile "$3")" "$domain" "$(selector "$3")" "$2" "$1" \
		>"$d/signed.eml" 2>"$d/err"; then
		cat "$TAP_TMP/keys-records" "$corpus/foreign-records.txt" >"$d/records"
		if "$verify" --records "$d/records" "$d/signed.eml" >"$d/out" 2>&1; then
			echo "control: dkimpy's signature of the same message with the same key PASSES the judges: the engine is at fault"
		else
			echo "control: dkimpy's signature of the same message also fails:"; sed 's/^/  /' "$d/out"
		fi
	else
		echo "control: dkimpy cannot sign this message: $(tail -n 1 "$d/err")"
	fi
}

res=$TAP_TMP/results
mkdir -p "$res"

# The records the core builds for our keys (from one plain signing each).
for alg in "${algs[@]}"; do
	if "$sign_file" -k "$(keyfile "$alg")" -d "$domain" -s "$(selector "$alg")" -t "$now" \
		--records-out "$TAP_TMP/record-$alg" "$corpus/01-plain.eml" >/dev/null 2>"$TAP_TMP/record-$alg.err"; then
		cat "$TAP_TMP/record-$alg" >>"$TAP_TMP/keys-records"
	else
		bail_out "sign-file cannot sign 01-plain.eml with the $alg key: $(cat "$TAP_TMP/record-$alg.err")"
	fi
done

# Each record holds exactly the public key openssl derives from the private one.
check_record() { # check_record ALG K-TAG P-VALUE
	local rec want
	rec=$(cat "$TAP_TMP/record-$1")
	want="$(selector "$1")._domainkey.$domain v=DKIM1; k=$2; p=$3"
	if [ "$rec" = "$want" ]; then
		ok "the $1 record is v=DKIM1; k=$2 and openssl's public key"
	else
		not_ok "the $1 record is v=DKIM1; k=$2 and openssl's public key" "got:  $rec
want: $want"
	fi
}
check_record rsa rsa "$(openssl pkey -in "$keys/rsa.pem" -pubout -outform DER | base64 -w0)"
check_record ed25519 ed25519 "$(openssl pkey -in "$keys/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)"

# Every message x canonicalisation x algorithm: sign ($jobs at a time,
# through xargs: a shell loop that polls its jobs costs more than the
# signing), then let the judges see all the signed messages in one call.
if [ "${SIGNPOST_SANITIZERS:-no}" = yes ]; then
	case_algs=(both)
	cat "$TAP_TMP/record-rsa" "$TAP_TMP/record-ed25519" >"$TAP_TMP/record-both"
else
	case_algs=("${algs[@]}")
fi
export res keys domain now sign_file TAP_TMP
n=0
case_msg=() case_canon=() case_alg=() case_tamper=()
for m in "${!messages[@]}"; do
	for c in "${!canons[@]}"; do
		for alg in "${case_algs[@]}"; do
			n=$((n + 1))
			case_msg[n]=${messages[m]} case_canon[n]=${canons[c]} case_alg[n]=$alg
			[ "$c" -ne $((m % ${#canons[@]})) ] || case_tamper[n]=1
		done
	done
done
cases=$n
dirs=()
for i in $(seq 1 "$cases"); do
	echo "${case_msg[i]##*/} ${case_canon[i]} ${alg_name[${case_alg[i]}]}" >"$res/$i.name"
	dirs+=("$res/$i")
done
mkdir "${dirs[@]}"
for i in $(seq 1 "$cases"); do
	printf '%s\0' "$i" "${case_msg[i]}" "${case_canon[i]}" "${case_alg[i]}"
done | xargs -0 -n 4 -P "$jobs" bash -c 'sign_case "$@"' sign_case
# How many DKIM-Signature fields each case added on top of its message (the
# sanitizer build's test; one awk for all the files).
declare -A sigs_added=()
if [ "${SIGNPOST_SANITIZERS:-no}" = yes ]; then
	while read -r i added; do sigs_added[$i]=$added; done < <(
		for i in $(seq 1 "$cases"); do
			printf '%s\t%s\t%s\n' "$i" "${case_msg[i]}" "$res/$i/signed.eml"
		done | LC_ALL=C awk -F '\t' '
			function count(path,   line, c, top, first) {
				c = 0; top = 0; first = 1
				while ((getline line < path) > 0) {
					if (line ~ /^DKIM-Signature:/) c++
					if (first && line ~ /^DKIM-Signature: /) top = 1
					first = 0
				}
				close(path)
				return c " " top
			}
			{ split(count($3), s, " "); split(count($2), o, " ")
			  if (s[2]) print $1, s[1] - o[1] }')
fi
for i in $(seq 1 "$cases"); do
	sign_result "$i" "${case_alg[i]}"
done
signed=()
for i in $(seq 1 "$cases"); do
	[ -e "$res/$i/signed.eml" ] && signed+=("$res/$i/signed.eml")
done
cat "$TAP_TMP/keys-records" "$corpus/foreign-records.txt" >"$TAP_TMP/all-records"
if [ "${#signed[@]}" -gt 0 ] && [ "${SIGNPOST_SANITIZERS:-no}" != yes ]; then
	"$verify" --records "$TAP_TMP/all-records" "${signed[@]}" >"$TAP_TMP/verdicts" 2>&1
fi
# The judges' lines of case N go to $res/N.log, and the cases they passed
# into judged_pass[] (one awk for all: a process per case costs more than the
# judging).
declare -A judged_pass=()
if [ -e "$TAP_TMP/verdicts" ]; then
	while read -r i; do judged_pass[$i]=1; done < <(LC_ALL=C awk -v res="$res/" '
		index($0, res) == 1 {
			rest = substr($0, length(res) + 1); n = rest; sub(/\/.*/, "", n)
			p = index(rest, "/signed.eml: ")
			if (p == 0 || n !~ /^[0-9]+$/) next
			line = substr(rest, p + 13); print line > (res n ".log")
			if (line == "=> pass") print n
		}' "$TAP_TMP/verdicts")
fi
for i in $(seq 1 "$cases"); do
	if [ "${SIGNPOST_SANITIZERS:-no}" = yes ]; then
		read -r name <"$res/$i.name"
		if [ -e "$res/$i.clean" ]; then ok "$name (signed cleanly)"
		else not_ok "$name" "$(cat "$res/$i.log" 2>/dev/null || echo "sign_case left no result")"; fi
	elif [ -e "$res/$i/signed.eml" ] && judged "$i" "${case_msg[i]}" "${case_alg[i]}"; then
		read -r name <"$res/$i.name"
		ok "$name"
	else
		if [ -e "$res/$i/signed.eml" ]; then
			control "${case_msg[i]}" "${case_canon[i]}" "${case_alg[i]}" >>"$res/$i.log" 2>&1
		fi
		read -r name <"$res/$i.name"
		not_ok "$name" "$(cat "$res/$i.log" 2>/dev/null)"
	fi
done

# Signature fields are folded to lines of at most 78 characters.
long=
if [ "${#signed[@]}" -gt 0 ]; then
	long=$(LC_ALL=C awk '
		FNR == 1 { in_sig = 0 }
		/^DKIM-Signature:/ { in_sig = 1 }
		in_sig && !/^DKIM-Signature:/ && !/^[ \t]/ { in_sig = 0 }
		in_sig { sub(/\r$/, ""); if (length($0) > 78) { print FILENAME ": " length($0) ": " $0; nextfile } }
		/^\r?$/ { nextfile }' "${signed[@]}" | head -n 5)
fi
name="every DKIM-Signature line of the ${#signed[@]} signed messages is at most 78 characters"
[ -z "$long" ] && [ "${#signed[@]}" -gt 0 ] && ok "$name" || not_ok "$name" "$long"

# h= never names a field that Postfix or a later hop may add while it is
# absent (Date, Message-ID, To, Cc, Resent-*): adding it would break us.
absent=$(/usr/bin/python3 "$top_srcdir/tests/tools/msgtool.py" h-absent "$domain" "${signed[@]}")
name="no h= of the ${#signed[@]} signatures names an absent Date, Message-ID, To, Cc or Resent-* field"
[ -z "$absent" ] && [ "${#signed[@]}" -gt 0 ] && ok "$name" || not_ok "$name" "$(head -n 10 <<<"$absent")"

# Dual signing: both keys in one call; both signatures must pass.
for case in "01-plain.eml relaxed/relaxed" "20-nested-multipart.eml simple/simple" "26-existing-dkim-other-domain.eml relaxed/simple"; do
	set -- $case
	d=$TAP_TMP/dual-${1%.eml}
	mkdir -p "$d"
	name="$1 $2 dual-signed (rsa-sha256 + ed25519-sha256 in one call)"
	if ! "$sign_file" -k "$keys/rsa.pem" -d "$domain" -s corpus-rsa -k "$keys/ed.pem" -d "$domain" -s corpus-ed \
		-c "$2" -t "$now" --records-out "$d/records" "$corpus/$1" >"$d/signed.eml" 2>"$d/err"; then
		not_ok "$name" "sign-file failed: $(cat "$d/err")"
		continue
	fi
	cat "$d/records" "$corpus/foreign-records.txt" >"$d/all-records"
	out=$("$verify" --records "$d/all-records" "$d/signed.eml" 2>&1) && rc=0 || rc=$?
	sigs=$(grep -c '^DKIM-Signature:' "$d/signed.eml")
	want=2; [ "$1" = 26-existing-dkim-other-domain.eml ] && want=3
	if [ "$rc" -eq 0 ] && [ "$sigs" -eq "$want" ] && [ "$(wc -l <"$d/records")" -eq 2 ] &&
	   grep -q "^pass dkimpy d=$domain s=corpus-rsa a=rsa-sha256" <<<"$out" &&
	   grep -q "^pass dkimpy d=$domain s=corpus-ed a=ed25519-sha256" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, $sigs DKIM-Signature fields (want $want), records:
$(cat "$d/records")
$out"
	fi
done

# The judges are not vacuous here either: one more line in the body of a
# signed message must make every judge fail every signature.  Each message
# with both keys, in one canonicalisation that turns with the message (all
# four are tampered with), not all four of each: this proves the judges, not
# our code, and every judge still sees every message and key.  The plain
# build proves it; the sanitizer build has the same judges.
tampered=()
[ "${SIGNPOST_SANITIZERS:-no}" = yes ] && case_tamper=()
for i in "${!case_tamper[@]}"; do
	f=$res/$i/signed.eml t=$res/$i/signed.tampered.eml
	[ -e "$f" ] || continue
	if grep -q $'^\r$' "$f"; then
		{ cat "$f"; printf 'tampered\r\n'; } >"$t"
	else
		{ cat "$f"; printf '\r\ntampered\r\n'; } >"$t"
	fi
	tampered+=("$t")
done
name="all ${#tampered[@]} signed messages with a line added to the body fail, with no judge passing any signature"
if [ "${SIGNPOST_SANITIZERS:-no}" = yes ]; then
	diag "the judges are proved against tampered messages in the plain build"
elif [ "${#tampered[@]}" -eq 0 ]; then
	not_ok "$name" "nothing was signed"
else
	"$verify" --records "$TAP_TMP/all-records" "${tampered[@]}" >"$TAP_TMP/tampered" 2>&1 && rc=0 || rc=$?
	passed=$(grep -c ': => pass$' "$TAP_TMP/tampered")
	judged=$(grep -c ': => fail$' "$TAP_TMP/tampered")
	if [ "$rc" -eq 1 ] && [ "$passed" -eq 0 ] && [ "$judged" -eq "${#tampered[@]}" ] &&
	   ! grep -Eq ': pass (dkimpy|mail-dkim|mailauth|opendkim) ' "$TAP_TMP/tampered"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, $passed passed, $judged failed; judges that passed:
$(grep -E ': pass (dkimpy|mail-dkim|mailauth|opendkim) ' "$TAP_TMP/tampered" | head -n 20)"
	fi
fi

# Keys through a real DNS server (Knot on a loopback port): the 2048-bit RSA
# record is longer than one TXT string and must be split and joined right.
port=$(free_port)
mkdir -p "$TAP_TMP/dns"
if pid=$("$top_srcdir/tests/verify/serve-records" "$TAP_TMP/all-records" "$TAP_TMP/dns" "$port" 2>"$TAP_TMP/dns.err"); then
	stop_dns() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	at_exit stop_dns
	dual=("$TAP_TMP"/dual-*/signed.eml)
	out=$("$verify" --server "127.0.0.1#$port" "${dual[@]}" 2>&1) && rc=0 || rc=$?
	name="the ${#dual[@]} dual-signed messages pass with keys from a DNS server (--server)"
	if [ "$rc" -eq 0 ] && [ "$(grep -c ': => pass$' <<<"$out")" -eq "${#dual[@]}" ] &&
	   grep -q ": pass mail-dkim d=$domain s=corpus-rsa " <<<"$out" &&
	   grep -q ": pass opendkim d=$domain s=corpus-ed " <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc
$out"
	fi
else
	not_ok "start a DNS server with the corpus keys" "$(cat "$TAP_TMP/dns.err")"
fi

# Refusals: the engine must never sign these; it says why and exits 1.
for msg in "$corpus"/refuse/*.eml; do
	name="refuses $(basename "$msg") (exit 1, a reason, no signature)"
	rc=0
	"$sign_file" -k "$keys/rsa.pem" -d "$domain" -s corpus-rsa -t "$now" "$msg" \
		>"$TAP_TMP/refused.out" 2>"$TAP_TMP/refused.err" || rc=$?
	if [ "$rc" -eq 1 ] && [ -s "$TAP_TMP/refused.err" ] && ! grep -qi '^dkim-signature' "$TAP_TMP/refused.out"; then
		ok "$name: $(head -n 1 "$TAP_TMP/refused.err")"
	else
		not_ok "$name" "exit $rc; stderr: $(cat "$TAP_TMP/refused.err"); stdout: $(head -c 300 "$TAP_TMP/refused.out")"
	fi
done

# What ran, for the record.
verdicts=$(cat "$res"/*.log 2>/dev/null | grep -E '^(pass|fail) (dkimpy|mail-dkim|mailauth|opendkim) ' |
	awk '{ c[$1 " " $2]++ } END { for (k in c) printf "%s=%d ", k, c[k] }')
diag "${#messages[@]} messages x ${#canons[@]} canonicalisations x ${#algs[@]} algorithms = $cases cases; verdicts: $verdicts"
done_testing

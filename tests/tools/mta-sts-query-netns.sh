#!/bin/bash
# mta-sts-query-netns.sh - run Debian's mta-sts-query (postfix-mta-sts-resolver),
# an MTA-STS client that is not ours, against a test domain, inside a network
# and mount namespace made for it, because the client has no option for
# another DNS server, port or CA: in the namespace only loopback exists,
# /etc/resolv.conf names 127.0.0.1, where a private Knot serves the zone on
# port 53, and a private HTTPS server (https-policy-server.py) serves the
# policy on port 443; SSL_CERT_FILE makes the client trust the test CA.
#
#   unshare --net --mount --fork mta-sts-query-netns.sh \
#       WORKDIR DOMAIN ZONEFILE CA.pem CHAIN.pem KEY.pem POLICY [KNOWN-ID]
#
# Prints what mta-sts-query prints; exits with its status. Both servers are
# stopped by PID before it returns. Nothing here is used outside the tests.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
set -u
work=$1 domain=$2 zone=$3 ca=$4 chain=$5 key=$6 policy=$7 known=${8:-}
here=$(dirname "$0")
knotd=$(command -v knotd || echo /usr/sbin/knotd)
pids=""
stop() { local p; for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap stop EXIT

# Refuse to run outside a namespace of our own: never touch the host's files.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
	{ echo "mta-sts-query-netns.sh: run it under unshare --net --mount" >&2; exit 99; }
ip link set lo up || exit 99
mkdir -p "$work/run" "$work/db" "$work/zones"
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
mount --make-rprivate / && mount --bind "$work/resolv.conf" /etc/resolv.conf || exit 99
cp "$zone" "$work/zones/$domain.zone"
cat >"$work/knot.conf" <<CONF
server:
    rundir: "$work/run"
    listen: 127.0.0.1@53
database:
    storage: "$work/db"
template:
  - id: default
    storage: "$work/zones"
zone:
  - domain: $domain
CONF
"$knotd" -c "$work/knot.conf" >"$work/knotd.log" 2>&1 &
pids="$pids $!"
/usr/bin/python3 "$here/https-policy-server.py" --listen 127.0.0.1 --port 443 \
	--cert "$chain" --key "$key" --policy "$policy" >"$work/https.log" 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do
	dig +short +time=1 +tries=1 @127.0.0.1 "$domain" SOA 2>/dev/null | grep -q . &&
		/usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", 443), 1).close()' 2>/dev/null &&
		break
	sleep 0.1
done
SSL_CERT_FILE=$ca mta-sts-query "$domain" ${known:+"$known"}

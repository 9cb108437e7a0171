# dkim-served.py PORT SELECTOR... < RECORDS.JSON - for each SELECTOR, the
# server on 127.0.0.1:PORT serves exactly the one DKIM TXT record that
# dnsgen's JSON (on stdin) holds for SELECTOR._domainkey.DOMAIN; prints
# "SELECTOR not served" for each that it does not. No record in the JSON,
# or JSON that does not parse, counts as not served. One process for all
# the selectors: the rotation tests ask this after every run. Asks with
# dnspython directly, never the system resolver. Run by /usr/bin/python3.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
import json
import sys

import dns.exception
import dns.resolver

res = dns.resolver.Resolver(configure=False)
res.nameservers = ["127.0.0.1"]
res.port = int(sys.argv[1])
res.timeout = 2          # per try; a loaded machine answers late
res.lifetime = 10
try:
    records = json.load(sys.stdin)
except ValueError:          # dnsgen failed: nothing is known to be served
    records = []
for selector in sys.argv[2:]:
    want = [r for r in records if r["type"] == "TXT" and
            r["name"].startswith(selector + "._domainkey.")]
    try:
        got = [b"".join(rd.strings).decode("latin-1")
               for rd in res.resolve(want[0]["name"], "TXT")] if want else []
    except dns.exception.DNSException:
        got = []
    if len(want) != 1 or got != [want[0]["value"]]:
        print("%s not served" % selector)

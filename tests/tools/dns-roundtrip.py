# dns-roundtrip.py RECORDS.JSON PORT - every TXT value of dnsgen's JSON
# comes back unchanged from the DNS server on 127.0.0.1:PORT (dnspython,
# asked directly, never the system resolver). Exit 1 when one differs or
# fewer than 4 TXT records were checked. Run by /usr/bin/python3.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
import json, sys
import dns.resolver
res = dns.resolver.Resolver(configure=False)
res.nameservers = ["127.0.0.1"]
res.port = int(sys.argv[2])
bad = 0
txt = [r for r in json.load(open(sys.argv[1])) if r["type"] == "TXT"]
for r in txt:
    got = sorted(b"".join(rd.strings).decode("latin-1")
                 for rd in res.resolve(r["name"], "TXT"))
    if r["value"] not in got:
        print("%s: sent %r, served %r" % (r["name"], r["value"], got))
        bad += 1
print("%d TXT values checked" % len(txt))
sys.exit(1 if bad or len(txt) < 4 else 0)

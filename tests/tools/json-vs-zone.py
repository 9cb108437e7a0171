# json-vs-zone.py RECORDS.JSON ZONE ORIGIN [ZONE ORIGIN]... - dnsgen's JSON
# holds exactly the records of the zone files (SOA and NS aside): names,
# types, TTLs, values and TXT strings, each string at most 255 bytes and
# joining to the value. dnspython reads the zones. Run by /usr/bin/python3.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
import json, sys
import dns.zone, dns.rdatatype
records = json.load(open(sys.argv[1]))
zone_rrs = set()
for path, origin in zip(sys.argv[2::2], sys.argv[3::2]):
    z = dns.zone.from_file(path, origin, relativize=False)
    for name, rdataset in z.iterate_rdatasets():
        t = dns.rdatatype.to_text(rdataset.rdtype)
        if t in ("SOA", "NS"):
            continue
        for rd in rdataset:
            if t == "TXT":
                strings = [s.decode("latin-1") for s in rd.strings]
                zone_rrs.add((name.to_text(), t, rdataset.ttl, "".join(strings), tuple(strings)))
            else:
                zone_rrs.add((name.to_text(), t, rdataset.ttl, rd.to_text(), None))
json_rrs = set()
for r in records:
    if set(r) - {"name", "type", "ttl", "value", "strings"}:
        sys.exit("unexpected keys in %r" % r)
    strings = tuple(r["strings"]) if r["type"] == "TXT" else None
    if strings is not None and "".join(strings) != r["value"]:
        sys.exit("strings do not join to value in %r" % r)
    if strings is not None and any(len(s.encode()) > 255 for s in strings):
        sys.exit("a string over 255 bytes in %r" % r)
    json_rrs.add((r["name"], r["type"], r["ttl"], r["value"], strings))
if len(json_rrs) != len(records):
    sys.exit("duplicate records in the JSON")
if json_rrs != zone_rrs:
    print("only in json:", sorted(json_rrs - zone_rrs))
    print("only in zone:", sorted(zone_rrs - json_rrs))
    sys.exit(1)
print("%d records agree" % len(json_rrs))

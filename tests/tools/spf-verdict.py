#!/usr/bin/python3
"""spf-verdict.py - the independent SPF evaluator the tests compare dnsgen
with: pyspf (Debian's python3-spf), resolving through dnspython pointed at
one DNS server (a private Knot on loopback). For each line "IP DOMAIN" on
standard input it prints "IP DOMAIN RESULT LOOKUPS" and "# explanation",
with sender postmaster@DOMAIN and HELO DOMAIN, as tests/tools/spf-eval
does for dnsgen's evaluator.

    spf-verdict.py ADDR PORT < pairs

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""
import sys
import warnings

import dns.resolver
import spf


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: spf-verdict.py ADDR PORT < pairs")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [sys.argv[1]]
    resolver.port = int(sys.argv[2])
    resolver.lifetime = 10
    # pyspf asks through dnspython's module-level query(), which uses
    # the default resolver: make that ours.
    dns.resolver.default_resolver = resolver
    warnings.simplefilter("ignore", DeprecationWarning)
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 2:
            continue
        ip, domain = parts
        q = spf.query(i=ip, s="postmaster@" + domain, h=domain)
        result, _code, why = q.check()
        print("%s %s %s %d" % (ip, domain, result, q.lookups))
        print("# %s" % why)


if __name__ == "__main__":
    main()

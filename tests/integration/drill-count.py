#!/usr/bin/python3
"""drill-count.py - what the sink of a fault drill received.

Reads every NNNN.eml the sink stored in SINKDIR and matches it to the
load by its Message-ID <drill-N.PREFIX@example.com> (drill-load.py),
for N from 1 to COUNT. Prints one line:
    delivered=D distinct=U missing=M duplicates=X stray=S unsigned=Z
    signed_both=B
delivered: files in the sink; distinct: load messages seen at least once;
missing: load messages never seen; duplicates: extra copies of a load
message; stray: files that are not load messages; unsigned: load messages
with no DKIM-Signature field; signed_both: load messages with exactly two
DKIM-Signature fields, one for each SELECTOR given.
--extra PREFIX COUNT (repeatable) adds the messages of another load,
<drill-N.PREFIX@example.com> for N from 1 to COUNT, to the same counts.
With --list FILE, the paths of the load messages go to FILE (one per line,
each message once), for the verifiers. Each missing or duplicated number
is printed on stderr. Exit 0 (the drill judges the counts).

usage: drill-count.py [--list FILE] [--extra PREFIX COUNT]... SINKDIR PREFIX
                      COUNT SELECTOR...

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""

import argparse
import glob
import os
import re
import sys

MSGID = re.compile(rb"^message-id:\s*<drill-(\d+)\.([^@>]+)@example\.com>", re.I | re.M)


def header_fields(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        else:
            fields.append(line)
    return fields


def selectors(fields):
    found = []
    for f in fields:
        if f.lower().startswith(b"dkim-signature:"):
            m = re.search(rb"(?:^|;)\s*s\s*=\s*([^;\s]+)", f.split(b":", 1)[1])
            found.append(m.group(1).decode("latin-1") if m else "?")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list")
    ap.add_argument("--extra", nargs=2, action="append", default=[],
                    metavar=("PREFIX", "COUNT"))
    ap.add_argument("sinkdir")
    ap.add_argument("prefix")
    ap.add_argument("count", type=int)
    ap.add_argument("selector", nargs="+")
    args = ap.parse_args()
    loads = {args.prefix: args.count}
    for prefix, count in args.extra:
        loads[prefix] = int(count)
    seen = {}
    stray = unsigned = both = 0
    files = sorted(glob.glob(os.path.join(args.sinkdir, "*.eml")))
    for path in files:
        data = open(path, "rb").read()
        fields = header_fields(data)
        m = MSGID.search(b"\r\n".join(fields))
        prefix = m.group(2).decode("latin-1") if m else None
        if prefix not in loads or not 1 <= int(m.group(1)) <= loads[prefix]:
            stray += 1
            continue
        n = (prefix, int(m.group(1)))
        seen.setdefault(n, []).append(path)
        if len(seen[n]) > 1:
            continue
        sels = selectors(fields)
        if not sels:
            unsigned += 1
        elif sorted(sels) == sorted(args.selector):
            both += 1
    missing = [(p, n) for p, c in loads.items() for n in range(1, c + 1)
               if (p, n) not in seen]
    dups = {n: p for n, p in seen.items() if len(p) > 1}
    for n in missing:
        sys.stderr.write("missing: drill-%d.%s\n" % (n[1], n[0]))
    for n, p in sorted(dups.items()):
        sys.stderr.write("delivered %d times: drill-%d.%s (%s)\n"
                         % (len(p), n[1], n[0], " ".join(p)))
    if args.list:
        with open(args.list, "w") as f:
            for n in sorted(seen):
                f.write(seen[n][0] + "\n")
    print("delivered=%d distinct=%d missing=%d duplicates=%d stray=%d unsigned=%d signed_both=%d"
          % (len(files), len(seen), len(missing),
             sum(len(p) - 1 for p in dups.values()), stray, unsigned, both))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# dkimpy.py - one of verify-dkim's judges: dkimpy (Debian's python3-dkim, with
# python3-nacl for Ed25519).  Run by /usr/bin/python3 (the python3 first on
# PATH may lack dkimpy).
#
#   dkimpy.py (--records FILE | --server ADDR[#PORT]) MESSAGE...
#
# Prints "M S pass|fail|n/a REASON" for signature S (the S-th DKIM-Signature
# field from the top, from 0) of message M (from 0, in argument order); S is
# "*" for all of a message's signatures.  Keys come only from the records file
# (lines "NAME VALUE") or from the named DNS server, asked directly with
# dnspython: never the system resolver.  dkimpy refuses a message with white
# space before a header field's colon (RFC 5322 section 4.5 obsolete syntax):
# that, and only that, is "n/a".
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

import ast
import logging
import re
import sys

# dnspython would load HTTP clients for DNS-over-HTTPS, which we never use;
# skipping them halves the start-up time of every judgement.
sys.modules.setdefault("httpx", None)
sys.modules.setdefault("requests", None)
# Keys from a records file need no DNS library: keep dkimpy from loading
# dnspython and aiodns, a tenth of a second of every run (and the tests
# run this hundreds of times). dkimpy then asks only our dnsfunc.
if sys.argv[1:2] == ["--records"]:
    sys.modules["dns"] = None
    sys.modules["aiodns"] = None

import dkim  # noqa: E402

OBSOLETE_WSP = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]+:")


def records_dnsfunc(path):
    table = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            parts = line.split(None, 1)
            name = parts[0].rstrip(b".").lower()
            table.setdefault(name, parts[1] if len(parts) > 1 else b"")

    def lookup(name, timeout=5):
        if isinstance(name, str):
            name = name.encode("ascii")
        return table.get(name.rstrip(b".").lower())
    return lookup


def server_dnsfunc(spec):
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype

    addr, _, port = spec.partition("#")
    port = int(port) if port else 53

    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        qname = dns.name.from_text(name)
        query = dns.message.make_query(qname, dns.rdatatype.TXT)
        try:
            reply = dns.query.udp(query, addr, port=port, timeout=timeout)
            if reply.flags & dns.flags.TC:
                reply = dns.query.tcp(query, addr, port=port, timeout=timeout)
        except (dns.exception.DNSException, OSError) as e:
            raise dkim.DnsTimeoutError("query %s at %s: %s" % (name, spec, e))
        if reply.rcode() != dns.rcode.NOERROR:
            return None
        for rrset in reply.answer:
            if rrset.rdtype == dns.rdatatype.TXT and rrset.name == qname:
                for rdata in rrset:
                    return b"".join(rdata.strings)
        return None
    return lookup


class Reasons(logging.Handler):
    """Keeps what dkimpy logs, so a False verdict can say why."""
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        if record.levelno >= logging.INFO:
            self.lines.append(record.getMessage())


def verify_one(d, reasons, idx, dnsfunc):
    reasons.lines = []
    try:
        if d.verify(idx=idx, dnsfunc=dnsfunc):
            return "pass", ""
        return "fail", (reasons.lines[-1] if reasons.lines else "signature did not verify")
    except dkim.DKIMException as e:
        return "fail", "%s: %s" % (type(e).__name__, e)
    except Exception as e:  # dkimpy chokes on some input: that is a failure too
        return "fail", "dkimpy raised %s: %s" % (type(e).__name__, e)


def judge(m, path, dnsfunc):
    with open(path, "rb") as f:
        message = f.read()
    reasons = Reasons()
    log = logging.getLogger("dkimpy-verify")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.handlers = [reasons]
    try:
        # One parse for every signature of the message: dkimpy's parse of
        # a big message costs as much as checking a signature.
        d = dkim.DKIM(message, logger=log, minkey=1024)
    except dkim.DKIMException as e:
        bad = re.search(r"header: (b(['\"]).*\2)$", str(e))
        if bad and OBSOLETE_WSP.match(ast.literal_eval(bad.group(1))):
            print("%d * n/a dkimpy does not parse white space before a header field's colon" % m)
        else:
            print("%d * fail dkimpy cannot parse the message: %s" % (m, e))
        return
    except Exception as e:  # dkimpy chokes on some input: that is a failure too
        print("%d * fail dkimpy raised %s: %s" % (m, type(e).__name__, e))
        return
    count = sum(1 for name, _ in d.headers if name.lower() == b"dkim-signature")
    for idx in range(count):
        result, reason = verify_one(d, reasons, idx, dnsfunc)
        print(("%d %d %s %s" % (m, idx, result, " ".join(reason.split()))).rstrip())


def main(argv):
    if len(argv) < 3 or argv[0] not in ("--records", "--server"):
        sys.stderr.write("usage: dkimpy.py (--records FILE | --server ADDR[#PORT]) MESSAGE...\n")
        return 2
    dnsfunc = records_dnsfunc(argv[1]) if argv[0] == "--records" else server_dnsfunc(argv[1])
    for m, path in enumerate(argv[2:]):
        judge(m, path, dnsfunc)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

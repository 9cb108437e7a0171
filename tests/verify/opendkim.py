# opendkim.py - one of verify-dkim's judges: OpenDKIM (Debian's opendkim,
# libopendkim; RSA and Ed25519), run in its test mode ("opendkim -t") with a
# private configuration.  Run by /usr/bin/python3.
#
#   opendkim.py (--records FILE | --server ADDR[#PORT]) MESSAGE...
#
# Prints "M S pass|fail|n/a REASON" for signature S (the S-th DKIM-Signature
# field from the top, from 0) of message M (from 0, in argument order), read
# from the Authentication-Results field OpenDKIM would add.  Keys:
# OpenDKIM reads them from a file (its TestPublicKeys setting, lines "NAME
# VALUE": the records file itself); with --server this script first asks that
# DNS server (dnspython, nothing else) for each signature's key and writes
# such a file, because OpenDKIM would otherwise ask the system resolver.
#
# Its test mode hands header fields over as a milter without SMFIP_HDR_LEADSPC
# would, so OpenDKIM cannot judge (and says "n/a", never pass, in these cases
# only): a signature with simple header canonicalisation over a field whose
# value does not start with exactly one space (it rewrites what follows the
# colon to one space); a header field with a tab before its colon (RFC 5322
# obsolete syntax: it gives up); a header field over 64 KiB (it refuses).
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# dnspython would load HTTP clients for DNS-over-HTTPS, which we never use.
sys.modules.setdefault("httpx", None)
sys.modules.setdefault("requests", None)


OPENDKIM = shutil.which("opendkim", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/opendkim"


def header_fields(message):
    end = message.find(b"\r\n\r\n")
    head = message[:end + 2] if end >= 0 else message
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        elif line:
            fields.append(line)
    return fields


def signatures(message):
    """The tags (b, d, s, c, h) of every DKIM-Signature field, top first."""
    sigs = []
    for field in header_fields(message):
        name, _, value = field.partition(b":")
        if name.rstrip(b" \t").lower() != b"dkim-signature":
            continue
        tags = {}
        for part in value.split(b";"):
            tag, eq, val = part.partition(b"=")
            if eq:
                tags[re.sub(rb"\s+", b"", tag).decode("ascii", "replace")] = \
                    re.sub(rb"\s+", b"", val).decode("ascii", "replace")
        sigs.append({k: tags.get(k, "") for k in ("b", "d", "s", "c", "h")})
    return sigs


def loses_leading_space(message, sig):
    """Simple header canonicalisation over a field whose value does not start
    with exactly one space: OpenDKIM's test mode cannot reproduce its bytes."""
    if not sig["c"].lower().startswith("simple") and sig["c"] != "":
        return False
    signed = {n.lower() for n in sig["h"].split(":")}
    for field in header_fields(message):
        name, _, value = field.partition(b":")
        if name.rstrip(b" \t").decode("latin-1").lower() in signed and \
                not re.match(rb" [^ \t\r\n]", value):
            return True
    return False


def fetch_records(spec, sigs, path):
    """Ask the DNS server at spec for every signature's key; write NAME VALUE lines."""
    import dns.exception   # only here: --records runs never load dnspython
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype

    addr, _, port = spec.partition("#")
    port = int(port) if port else 53
    with open(path, "wb") as out:
        for sig in sigs:
            d, s = sig["d"], sig["s"]
            if not d or not s:
                continue
            name = "%s._domainkey.%s" % (s, d)
            qname = dns.name.from_text(name)
            query = dns.message.make_query(qname, dns.rdatatype.TXT)
            try:
                reply = dns.query.udp(query, addr, port=port, timeout=5)
                if reply.flags & dns.flags.TC:
                    reply = dns.query.tcp(query, addr, port=port, timeout=5)
            except (dns.exception.DNSException, OSError) as e:
                sys.stderr.write("opendkim.py: query %s at %s: %s\n" % (name, spec, e))
                continue
            for rrset in reply.answer:
                if rrset.rdtype == dns.rdatatype.TXT and rrset.name == qname:
                    for rdata in rrset:
                        out.write(name.encode("ascii") + b" " + b"".join(rdata.strings) + b"\n")
                        break
                    break


def auth_results(stdout):
    """The dkim=... entries of the Authentication-Results field OpenDKIM adds."""
    m = re.search(r"hname='Authentication-Results' hvalue='(.*?)'\s*$", stdout, re.S | re.M)
    if not m:
        return None
    entries = []
    for part in m.group(1).split(";"):
        part = " ".join(part.split())
        r = re.match(r"dkim=(\w+)", part)
        if not r:
            continue
        b = re.search(r"header\.b=(\S+)", part)
        why = re.search(r'reason="([^"]*)"', part)
        entries.append((r.group(1), b.group(1) if b else "", why.group(1) if why else part))
    return entries


def judge(m, path, mode, source, tmp):
    with open(path, "rb") as f:
        message = f.read()
    sigs = signatures(message)
    keys = source
    if mode == "--server":
        keys = os.path.join(tmp, "keys-%d" % m)
        fetch_records(source, sigs, keys)
    conf = os.path.join(tmp, "opendkim.conf")
    with open(conf, "w") as f:
        f.write("Mode v\nSyslog no\nAuthservID signpost-test\nAlwaysAddARHeader yes\n"
                "MinimumKeyBits 1024\nMaximumSignaturesToVerify 100\n"
                "MaximumHeaders 268435456\nTemporaryDirectory %s\nTestPublicKeys %s\n"
                % (tmp, keys))
    proc = subprocess.run([OPENDKIM, "-x", conf, "-vv", "-t", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    entries = auth_results(out)
    if entries is None:
        fields = header_fields(message)
        why = [l for l in err.splitlines() if "returned SMFIS_CONTINUE" not in l]
        if any(re.match(rb"[\x21-\x39\x3b-\x7e]+[ \t]*\t[ \t]*:", f) for f in fields):
            print("%d * n/a OpenDKIM does not parse a tab before a header field's colon" % m)
        elif re.search(r"line \d+: header '.*' too large", err, re.S):
            print("%d * n/a OpenDKIM's test mode refuses a header field over 64 KiB" % m)
        else:
            print("%d * fail OpenDKIM gave no verdict (exit %d): %s"
                  % (m, proc.returncode, " ".join(" / ".join(why[-2:]).split()) or "no output"))
        return
    used = set()
    for i, sig in enumerate(sigs):
        match = next((k for k, e in enumerate(entries)
                      if k not in used and e[1] and sig["b"].startswith(e[1])), None)
        if match is None:
            print("%d %d fail OpenDKIM reported nothing for this signature" % (m, i))
            continue
        used.add(match)
        result, _, why = entries[match]
        if result == "pass":
            print("%d %d pass" % (m, i))
        elif result == "fail" and loses_leading_space(message, sig):
            print("%d %d n/a OpenDKIM's test mode rewrites the white space after a signed field's "
                  "colon, so it cannot judge simple header canonicalisation here (it said: %s)"
                  % (m, i, why))
        else:
            print("%d %d fail %s: %s" % (m, i, result, why))


def main(argv):
    if len(argv) < 3 or argv[0] not in ("--records", "--server"):
        sys.stderr.write("usage: opendkim.py (--records FILE | --server ADDR[#PORT]) MESSAGE...\n")
        return 2
    mode, source = argv[0], argv[1]
    if mode == "--records":
        source = os.path.abspath(source)
    tmp = tempfile.mkdtemp(prefix="signpost-opendkim.")
    try:
        for m, path in enumerate(argv[2:]):
            judge(m, os.path.abspath(path), mode, source, tmp)
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

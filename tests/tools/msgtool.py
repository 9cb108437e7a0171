# msgtool.py - what the shell tests need to read or alter in a message
# file, in one place instead of Python heredocs. Run by /usr/bin/python3.
#
#   msgtool.py sig-tags FILE TAG...     "t1=v1 t2=v2" per DKIM-Signature
#   msgtool.py header-block FILE        the header unfolded, a field a line
#   msgtool.py keep-sigs FILE OUT N     OUT: FILE with only its first N
#                                       DKIM-Signature fields
#   msgtool.py flip-b FILE OUT N        OUT: FILE with one character of each
#                                       b= changed (exactly N of them, or exit 1)
#   msgtool.py received FILE            the first Received: value, raw
#   msgtool.py h-absent DOMAIN FILE...  each signature of d=DOMAIN whose h=
#                                       names an absent field Postfix or a
#                                       later hop may add (Date, Message-ID,
#                                       To, Cc, Resent-*), one line each
#   msgtool.py framing-message OUT      a message exercising the milter
#                                       framing (folded, empty, 8-bit, long
#                                       lines around 65,535 bytes)
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

import email.parser
import re
import sys

FIELD_SPLIT = re.compile(rb"\r\n(?![ \t])")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def read_header(path):
    """The header of the message at path, up to and with the empty line
    that ends it: the body is never read (a test message may be 50 MiB)."""
    lines = []
    with open(path, "rb") as f:
        for line in f:
            lines.append(line)
            if line in (b"\r\n", b"\n"):
                break
    return b"".join(lines)


def sig_tags(path, *tags):
    msg = email.parser.BytesParser().parsebytes(read_header(path), headersonly=True)
    for v in msg.get_all("DKIM-Signature") or []:
        v = re.sub(r"\s+", "", str(v))
        have = dict(t.split("=", 1) for t in v.split(";") if "=" in t)
        print(" ".join("%s=%s" % (t, have.get(t)) for t in tags))


def header_block(path):
    data = read_header(path).split(b"\r\n\r\n", 1)[0]
    fields = []
    for line in data.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        else:
            fields.append(line)
    sys.stdout.write("\n".join(f.decode("latin-1") for f in fields) + "\n")


def keep_sigs(path, out, n):
    head, sep, body = read(path).partition(b"\r\n\r\n")
    seen, kept = 0, []
    for f in FIELD_SPLIT.split(head):
        if f.lower().startswith(b"dkim-signature:"):
            seen += 1
            if seen > int(n):
                continue
        kept.append(f)
    with open(out, "wb") as f:
        f.write(b"\r\n".join(kept) + sep + body)


def flip_b(path, out, want):
    def flip(m):
        v = bytearray(m.group(2))
        i = len(v) // 2
        while not chr(v[i]).isalnum():
            i += 1
        v[i] = ord("A") if v[i] != ord("A") else ord("B")
        return m.group(1) + bytes(v)
    data, n = re.subn(rb"(\sb=)([A-Za-z0-9+/=\r\n\t ]+)", flip, read(path))
    if n != int(want):
        sys.exit("flip-b: %d b= tags in %s, expected %s" % (n, path, want))
    with open(out, "wb") as f:
        f.write(data)


def received(path):
    head = read_header(path).split(b"\r\n\r\n", 1)[0] + b"\r\n"
    m = re.search(rb"(?m)^Received: (.*?)\r\n(?=[^ \t])", head, re.S)
    sys.stdout.buffer.write(m.group(1) if m else b"")


def h_absent(domain, *paths):
    domain = domain.encode()
    addable = re.compile(rb"(date|message-id|to|cc|resent-.*)\Z")
    for path in paths:
        data = read_header(path)
        end = data.find(b"\r\n\r\n")
        head = data[:end + 2] if end >= 0 else data
        fields = FIELD_SPLIT.split(head)
        names = {f.split(b":", 1)[0].rstrip(b" \t").lower() for f in fields if f}
        for f in fields:
            if (not f.lower().startswith(b"dkim-signature")
                    or b"d=" + domain + b";" not in re.sub(rb"\s+", b"", f)):
                continue
            h = re.search(rb"[;:]\s*h\s*=([^;]*)", f)
            listed = {n.strip().lower() for n in (h.group(1) if h else b"").split(b":")}
            missing = sorted(n for n in listed if addable.match(n) and n not in names)
            if missing:
                print("%s: h= names absent %s" % (path, b", ".join(missing).decode()))


def framing_message(out):
    h = (b"From: Alice Example <alice@example.com>\n"
         b"To: Bob <bob@example.net>,\n\tCarol <carol@example.net>\n"
         b"Subject: the original subject\n"
         b"X-Dup: first\nX-Dup: second\nX-Dup: third\n"
         b"X-Empty:\nX-NoSpace:value\nX-Spaces:   three spaces\n"
         b"X-Folded-Spaces: a\n    b   \n\tc\n"
         b"X-Eight-Bit: Gr\xc3\xbc\xc3\x9fe\n"
         b"Date: Tue, 25 Nov 2025 10:00:00 +0000\n"
         b"Message-ID: <recorder@example.com>\n\n")
    body = b".leading dot\ntrailing blanks   \n\ttab line\n"
    line = b"0123456789abcdefghijklmnopqrstuvwxyz" * 2 + b"\n"
    body += line * 2000 + b"y" * 3000 + b"\n" + line * 10 + b"\n\n"
    with open(out, "wb") as f:
        f.write(h + body)


COMMANDS = {
    "sig-tags": (sig_tags, 2),
    "header-block": (header_block, 1),
    "keep-sigs": (keep_sigs, 3),
    "flip-b": (flip_b, 3),
    "received": (received, 1),
    "h-absent": (h_absent, 2),
    "framing-message": (framing_message, 1),
}


def main(argv):
    if not argv or argv[0] not in COMMANDS or len(argv) - 1 < COMMANDS[argv[0]][1]:
        sys.stderr.write("usage: msgtool.py %s ARGS...\n" % "|".join(COMMANDS))
        return 2
    COMMANDS[argv[0]][0](*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

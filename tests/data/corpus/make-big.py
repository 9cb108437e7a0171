# make-big.py - writes the corpus messages too big to keep in git, at test
# time, always byte for byte the same (no randomness, no clock).
#
#   /usr/bin/python3 make-big.py DIR      writes DIR/big-*.eml, prints the names
#
# See README.md beside this file for what each one tests.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
import base64
import hashlib
import os
import sys

MIB = 1024 * 1024
DATE = b"Date: Tue, 03 Mar 2026 09:15:00 +0100\r\n"


def head(subject, msgid, extra=b""):
    return (b"From: Big Sender <big@example.com>\r\n"
            b"To: receiver@example.net\r\n"
            b"Subject: " + subject + b"\r\n" + DATE +
            b"Message-ID: <" + msgid + b"@example.com>\r\n" + extra)


def stream(n):
    """n bytes that look random but are always the same."""
    out, block = bytearray(), b"signpost corpus"
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


def one_mib_line():
    line = (b"0123456789" * (MIB // 10 + 1))[:MIB]
    return head(b"A body line of 1 MiB", b"big-1mib-line") + b"\r\n" + \
        b"Before the long line.\r\n" + line + b"\r\nAfter the long line.\r\n"


def mib_lines_with_white_space():
    words = b"lorem \t ipsum  dolor\t\tsit   amet "
    line = (words * (MIB // len(words) + 1))[:MIB - 3] + b" \t "
    body = b"".join(line + b"\r\n" for _ in range(3)) + b"\r\n\r\n"
    return head(b"Three 1 MiB lines full of white space", b"big-1mib-ws") + b"\r\n" + body


def many_headers():
    fields = b"".join(b"X-Trace-%05d: hop %d\r\n" % (i, i) for i in range(4000))
    fields += b"".join(b"Received: from h%d.example.org by h%d.example.org;\r\n"
                       b"\tTue, 3 Mar 2026 09:%02d:%02d +0100\r\n" % (i, i + 1, i // 60 % 60, i % 60)
                       for i in range(1000))
    return fields + head(b"5,000 header fields", b"big-5000-headers") + b"\r\n" + \
        b"Four thousand X- fields and a thousand folded Received: fields.\r\n"


def long_folded_header():
    refs = b"\r\n ".join(b"<message-%06d.%d@lists.example.org>" % (i, i * 31) for i in range(2500))
    return head(b"A 100 KB References: field folded over 2,500 lines", b"big-folded-header",
                b"References: " + refs + b"\r\n") + b"\r\nSee References:.\r\n"


def big_attachment():
    data = base64.b64encode(stream(4 * MIB))
    lines = b"\r\n".join(data[i:i + 76] for i in range(0, len(data), 76))
    return head(b"A 4 MiB attachment", b"big-attachment",
                b"MIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=\"big-boundary\"\r\n") + b"\r\n" + \
        b"--big-boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" \
        b"The backup is attached.\r\n\r\n" \
        b"--big-boundary\r\nContent-Type: application/octet-stream; name=\"backup.bin\"\r\n" \
        b"Content-Disposition: attachment; filename=\"backup.bin\"\r\n" \
        b"Content-Transfer-Encoding: base64\r\n\r\n" + lines + b"\r\n--big-boundary--\r\n"


MESSAGES = {
    "big-1mib-line.eml": one_mib_line,
    "big-1mib-lines-white-space.eml": mib_lines_with_white_space,
    "big-5000-headers.eml": many_headers,
    "big-folded-header.eml": long_folded_header,
    "big-attachment.eml": big_attachment,
}


def main(argv):
    if len(argv) != 1:
        sys.stderr.write("usage: make-big.py DIR\n")
        return 2
    for name, make in MESSAGES.items():
        with open(os.path.join(argv[0], name), "wb") as f:
            f.write(make())
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

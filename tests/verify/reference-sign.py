# reference-sign.py - signs a message with dkimpy, a signer we did not write,
# so that when one of our signatures fails the judges, a test can show whether
# the same message signed by someone else passes them (the fault is ours) or
# not (the message, or a judge, is the problem).  Diagnosis only: never used
# to decide a test.  Run by /usr/bin/python3.
#
#   reference-sign.py KEY.pem DOMAIN SELECTOR HEADER/BODY MESSAGE > SIGNED
#
# KEY.pem: an RSA key (any PEM openssl reads) or an Ed25519 PKCS#8 key.  The
# message is signed as verify-dkim hands it to the judges (CRLF lines), with
# the header fields RFC 6376 section 5.4.1 recommends that are present.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

import base64
import re
import subprocess
import sys

import dkim

ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
SIGN = [b"from", b"reply-to", b"subject", b"date", b"to", b"cc", b"resent-date", b"resent-from",
        b"resent-to", b"resent-cc", b"in-reply-to", b"references", b"list-id", b"message-id",
        b"mime-version", b"content-type", b"content-transfer-encoding"]


def private_key(path):
    """(signature algorithm, key in the form dkimpy wants)."""
    der = subprocess.run(["openssl", "pkey", "-in", path, "-outform", "DER"], check=True,
                         stdout=subprocess.PIPE).stdout
    if der.startswith(ED25519_PKCS8_PREFIX) and len(der) == len(ED25519_PKCS8_PREFIX) + 32:
        return b"ed25519-sha256", base64.b64encode(der[len(ED25519_PKCS8_PREFIX):])
    pem = subprocess.run(["openssl", "pkey", "-in", path, "-traditional"], check=True,
                         stdout=subprocess.PIPE).stdout
    return b"rsa-sha256", pem


def main(argv):
    if len(argv) != 5 or not re.fullmatch(r"(simple|relaxed)/(simple|relaxed)", argv[3]):
        sys.stderr.write("usage: reference-sign.py KEY.pem DOMAIN SELECTOR HEADER/BODY MESSAGE\n")
        return 2
    keyfile, domain, selector, canon, path = argv
    algorithm, key = private_key(keyfile)
    with open(path, "rb") as f:
        message = re.sub(rb"(?<!\r)\n", b"\r\n", f.read())
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    try:
        headers, _ = dkim.rfc822_parse(message)
    except dkim.DKIMException as e:
        sys.stderr.write("dkimpy cannot sign this message: %s\n" % e)
        return 1
    present = {name.lower() for name, _ in headers}
    header_canon, body_canon = canon.encode().split(b"/")
    signature = dkim.sign(message, selector.encode(), domain.encode(), key,
                          canonicalize=(header_canon, body_canon), signature_algorithm=algorithm,
                          include_headers=[h for h in SIGN if h in present])
    sys.stdout.buffer.write(signature + message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

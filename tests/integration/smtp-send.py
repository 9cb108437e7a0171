#!/usr/bin/python3
"""smtp-send.py - submit one message file over SMTP, as a mail client would.

Used by signpost's end-to-end tests to talk to the private Postfix: from a
chosen loopback source address, optionally after SASL AUTH. Bare LF line
ends become CRLF (as any MUA sends them); a body with 8-bit bytes is sent
with BODY=8BITMIME. Prints the server's reply; exit 0 accepted, 1 refused,
2 usage or connection error.

usage: smtp-send.py --port N [--server ADDR] [--source ADDR]
                    [--auth USER:PASSWORD] [--from ADDR] [--to ADDR]...
                    [--repeat N] FILE

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""

import argparse
import smtplib
import sys


def main():
    ap = argparse.ArgumentParser(description="submit a message over SMTP")
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--source", default="127.0.0.1", help="client source address")
    ap.add_argument("--auth", help="USER:PASSWORD for SASL AUTH")
    ap.add_argument("--from", dest="sender", default="alice@example.com")
    ap.add_argument("--to", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=1,
                    help="send the message this many times in one session")
    ap.add_argument("file")
    args = ap.parse_args()
    with open(args.file, "rb") as f:
        data = f.read()
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    options = ["BODY=8BITMIME"] if any(b > 127 for b in data) else []
    try:
        s = smtplib.SMTP(args.server, args.port, source_address=(args.source, 0),
                         timeout=120)
        s.ehlo("client.example.org")
        if args.auth:
            user, password = args.auth.split(":", 1)
            s.login(user, password)
        for _ in range(args.repeat):
            refused = s.sendmail(args.sender, args.to or ["bob@example.net"], data,
                                 mail_options=options)
            if refused:
                break
        s.quit()
    except smtplib.SMTPException as e:
        print("refused: %s" % e)
        return 1
    except OSError as e:
        print("smtp-send: %s port %d: %s" % (args.server, args.port, e))
        return 2
    if refused:
        print("refused recipients: %s" % refused)
        return 1
    print("accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""smtp-fault-server.py - an SMTP server for the tests, on loopback only,
that breaks the protocol in one chosen way, so that the limits of
`dnsgen check`'s STARTTLS client can be tried.

    smtp-fault-server.py --listen 127.0.0.1 --port PORT --mode MODE

  line:N      the greeting is one line of N bytes with CRLF (512 is the
              RFC 5321 limit for a reply line, 513 is one past it)
  lines:N     the EHLO reply has N lines (the client reads at most 100)
  silent      accepts the connection and never says anything
  drip:MS     sends a greeting of many continuation lines, one byte every
              MS milliseconds, for ever

Every connection is served the same way, one at a time. Nothing here is
used outside the tests.

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""
import argparse
import socket
import sys
import time


def serve(conn, mode):
    name, _, arg = mode.partition(":")
    if name == "silent":
        time.sleep(60)
    elif name == "line":
        n = int(arg)
        conn.sendall(b"220 " + b"x" * (n - 6) + b"\r\n")
        conn.recv(1000)
    elif name == "lines":
        conn.sendall(b"220 fault.test ESMTP\r\n")
        conn.recv(1000)
        n = int(arg)
        body = b"".join(b"250-line%d\r\n" % i for i in range(n - 1))
        conn.sendall(body + b"250 STARTTLS\r\n")
        conn.recv(1000)
    elif name == "drip":
        delay = int(arg) / 1000.0
        while True:
            for b in b"220-drip\r\n":
                conn.sendall(bytes([b]))
                time.sleep(delay)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", required=True)
    args = p.parse_args()
    if not args.listen.startswith("127."):
        sys.exit("smtp-fault-server: loopback addresses only")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.listen, args.port))
    s.listen(5)
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, args.mode)
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""smtp-sink.py - the next hop of signpost's private Postfix in tests.

A minimal SMTP server on a loopback port that accepts every message and
stores its exact bytes (as sent after DATA, dot-unstuffed, CRLF kept) in
DIR/NNNN.eml, the envelope in DIR/NNNN.env, each written atomically so a
test can poll for them. By default it does not advertise 8BITMIME, the
worst case for DKIM: Postfix would then downgrade 8-bit bodies unless
disable_mime_output_conversion = yes.

usage: smtp-sink.py [--8bitmime] [--pidfile FILE] ADDR PORT DIR

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""

import argparse
import os
import socketserver
import sys
import threading


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0

    def next(self):
        with self.lock:
            self.n += 1
            return self.n


def store(directory, number, data, envelope):
    base = os.path.join(directory, "%04d" % number)
    for suffix, content in ((".env", envelope), (".eml", data)):
        tmp = base + suffix + ".tmp"
        with open(tmp, "wb") as f:
            f.write(content)
        os.rename(tmp, base + suffix)


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def read_data(self):
        """Lines up to the lone dot, dot-unstuffed, bytes exactly as sent."""
        data = bytearray()
        while True:
            line = self.rfile.readline(1 << 20)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return bytes(data)
            if line.startswith(b"."):
                line = line[1:]
            data += line

    def handle(self):
        try:
            self.converse()
        except (ConnectionError, OSError):
            pass  # a client that leaves early (a port probe) is no error

    def converse(self):
        server = self.server
        mail_from, rcpts = None, []
        self.reply("220 sink.signpost.test ESMTP test sink")
        while True:
            line = self.rfile.readline(1 << 16)
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                ext = ["250-sink.signpost.test", "250-PIPELINING"]
                if server.eightbit:
                    ext.append("250-8BITMIME")
                ext.append("250 SIZE 1073741824")
                self.reply("\r\n".join(ext))
            elif verb == "HELO":
                self.reply("250 sink.signpost.test")
            elif verb == "MAIL":
                mail_from, rcpts = cmd[5:].strip(), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(cmd[5:].strip())
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = self.read_data()
                if data is None:
                    return
                n = server.counter.next()
                env = "MAIL %s\n%s\n" % (mail_from, "\n".join("RCPT " + r for r in rcpts))
                store(server.directory, n, data, env.encode("latin-1"))
                self.reply("250 2.0.0 stored as %04d" % n)
            elif verb in ("RSET", "NOOP"):
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description="store every delivered message")
    ap.add_argument("--8bitmime", dest="eightbit", action="store_true")
    ap.add_argument("--pidfile")
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("dir")
    args = ap.parse_args()
    server = Server((args.addr, args.port), Handler)
    server.eightbit = args.eightbit
    server.directory = args.dir
    server.counter = Counter()
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stdout.write("smtp-sink: listening on %s port %d\n" % (args.addr, args.port))
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""postfix-recorder.py - a milter that writes down what the MTA sends it.

signpost's tests run it twice, once behind a real Postfix and once behind
tests/tools/milter-client, and compare the two records: the client must
speak the milter protocol exactly as Postfix does. Each connection's
packets go to LOGDIR/conn-N.log, one line each, with the values that depend
on the environment (queue id, ports, version, next-hop) masked. At the end
of every message it asks for a fixed set of header edits, so the delivered
message can be compared with the client's rendering of the same edits.

usage: postfix-recorder.py [--leadspc] [--noreply-headers] [--symlist]
                           [--skip-helo] SOCKET LOGDIR

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""

import argparse
import hashlib
import os
import re
import socket
import struct
import sys
import threading

SMFIP_NOHELO = 0x2
SMFIP_NR_HDR = 0x80
SMFIP_HDR_LEADSPC = 0x100000
SMFIF_ADDHDRS, SMFIF_CHGHDRS, SMFIF_SETSYMLIST = 0x1, 0x10, 0x100

# Macro values that differ between two runs of the same conversation.
MASKED = {"i", "v", "{daemon_addr}", "{client_port}", "{rcpt_host}",
          "{rcpt_mailer}", "{mail_host}", "{mail_mailer}"}
# Macro lists requested with smfi_setsymlist (stage, names).
SYMLISTS = [(0, "j _ {client_addr} {client_name} {daemon_name}"),
            (2, "i {auth_type} {auth_authen} {mail_addr}")]


def edits(leadspc):
    """The header edits asked for at the end of every message."""
    sp = " " if leadspc else ""
    return [
        (b"i", struct.pack(">I", 0) + b"X-Top\0" + (sp + "top\0").encode()),
        (b"i", struct.pack(">I", 2) + b"X-Second\0" + (sp + "second\0").encode()),
        (b"h", b"X-Last\0" + (sp + "last\0").encode()),
        (b"m", struct.pack(">I", 1) + b"Subject\0" + (sp + "changed subject\0").encode()),
        (b"m", struct.pack(">I", 2) + b"X-Dup\0\0"),
        (b"i", struct.pack(">I", 1) + b"X-Folded\0" + (sp + "one\n\ttwo\0").encode()),
    ]


def strings(data):
    return [s.decode("latin-1") for s in data.split(b"\0")[:-1]]


def describe(cmd, data):
    """One masked log line for a packet from the MTA."""
    if cmd == b"O":
        v, a, e = struct.unpack(">III", data[:12])
        return "OPTNEG version=%d actions=0x%x events=0x%x" % (v, a, e)
    if cmd == b"D":
        parts = strings(data[1:])
        pairs = ["%s=%s" % (n, "*" if n in MASKED else v)
                 for n, v in zip(parts[0::2], parts[1::2])]
        return "MACRO %s %s" % (data[:1].decode(), " ".join(pairs))
    if cmd == b"C":
        host, rest = data.split(b"\0", 1)
        return "CONNECT %s family=%s port=* addr=%s" % (
            host.decode(), rest[:1].decode(), rest[3:].rstrip(b"\0").decode())
    if cmd in (b"M", b"R"):
        args = [re.sub(r"(?i)^size=\d+$", "SIZE=*", s) for s in strings(data)]
        return "%s %s" % ("MAIL" if cmd == b"M" else "RCPT", " ".join(args))
    if cmd == b"L":
        name, value = strings(data)
        return "HEADER %r %r" % (name, value)
    if cmd == b"B":
        return "BODY %d %s" % (len(data), hashlib.sha256(data).hexdigest()[:16])
    names = {b"H": "HELO", b"T": "DATA", b"N": "EOH", b"E": "EOB", b"A": "ABORT",
             b"Q": "QUIT"}
    text = names.get(cmd, "UNKNOWN-%r" % cmd)
    return text + (" " + " ".join(strings(data)) if cmd == b"H" else "")


class Conn:
    def __init__(self, sock, log, args):
        self.sock, self.log, self.args = sock, log, args
        self.events = SMFIP_HDR_LEADSPC if args.leadspc else 0
        if args.noreply_headers:
            self.events |= SMFIP_NR_HDR
        if args.skip_helo:
            self.events |= SMFIP_NOHELO

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def send(self, cmd, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def optneg_reply(self):
        actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS
        tail = b""
        if self.args.symlist:
            actions |= SMFIF_SETSYMLIST
            for stage, names in SYMLISTS:
                tail += struct.pack(">I", stage) + names.encode() + b"\0"
        self.send(b"O", struct.pack(">III", 6, actions, self.events) + tail)

    def reply(self, cmd):
        if cmd == b"O":
            self.optneg_reply()
        elif cmd == b"E":
            for code, data in edits(self.args.leadspc):
                self.send(code, data)
            self.send(b"c")
        elif cmd == b"L" and self.events & SMFIP_NR_HDR:
            pass
        elif cmd in b"CHMRTLNB":
            self.send(b"c")

    def run(self):
        while True:
            head = self.recv_exact(5)
            if head is None:
                self.log.write("CLOSED\n")
                return
            length = struct.unpack(">I", head[:4])[0]
            cmd = head[4:5]
            data = self.recv_exact(length - 1) if length > 1 else b""
            self.log.write(describe(cmd, data) + "\n")
            self.log.flush()
            if cmd == b"Q":
                self.log.write("CLOSED\n")
                return
            self.reply(cmd)


def serve(args):
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    os.chmod(args.socket, 0o666)
    srv.listen(16)
    n = 0
    lock = threading.Lock()
    while True:
        sock, _ = srv.accept()
        with lock:
            n += 1
            path = os.path.join(args.logdir, "conn-%d.log" % n)

        def work(sock=sock, path=path):
            with open(path, "w") as log:
                try:
                    Conn(sock, log, args).run()
                finally:
                    sock.close()

        threading.Thread(target=work, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description="record what the MTA sends a milter")
    ap.add_argument("--leadspc", action="store_true", help="negotiate SMFIP_HDR_LEADSPC")
    ap.add_argument("--noreply-headers", action="store_true", help="negotiate SMFIP_NR_HDR")
    ap.add_argument("--symlist", action="store_true", help="override macro lists")
    ap.add_argument("--skip-helo", action="store_true", help="negotiate SMFIP_NOHELO")
    ap.add_argument("socket")
    ap.add_argument("logdir")
    args = ap.parse_args()
    os.makedirs(args.logdir, exist_ok=True)
    serve(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""scale-tree.py - the hosting-provider tree scale-bench.sh measures.

usage: scale-tree.py DIR DOMAINS

Writes into DIR:
  pool/r00.pem .. r49.pem, e00.pem .. e49.pem
      50 RSA-2048 and 50 Ed25519 keys made once with `openssl genpkey`
      (making 200,000 RSA keys would take hours; the loader cannot tell a
      copied key from a fresh one, and the decoding cost is the same);
  keys/cNNNNNNN.example/r.pem, e.pem
      a copy of pool key (N mod 50) of each kind for each domain, written
      as real files (not links) with mode 0600, owned by the running user;
  domains.d/cNNNNNNN.example.conf
      one file per customer: "[domain cNNNNNNN.example]", "selector = r, e";
  signpost.conf
      [milter] on unix:DIR/milter.sock, [signing] keys_dir = DIR/keys,
      [dns] with a mail host and addresses, include = domains.d/*.conf.

A finished tree is marked with DIR/.tree-DOMAINS and not written again.

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""
import os
import subprocess
import sys

POOL = 50


def domain(i):
    return "c%07d.example" % i


def make_pool(pool):
    os.makedirs(pool, exist_ok=True)
    for i in range(POOL):
        for kind, args in (("r", ["-algorithm", "RSA", "-pkeyopt",
                                  "rsa_keygen_bits:2048"]),
                           ("e", ["-algorithm", "ED25519"])):
            path = os.path.join(pool, "%s%02d.pem" % (kind, i))
            if not os.path.exists(path):
                subprocess.run(["openssl", "genpkey", *args, "-out", path],
                               check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                os.chmod(path, 0o600)
    return {kind: [open(os.path.join(pool, "%s%02d.pem" % (kind, i)), "rb")
                   .read() for i in range(POOL)] for kind in "re"}


def write(path, data, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    top, n = os.path.abspath(sys.argv[1]), int(sys.argv[2])
    marker = os.path.join(top, ".tree-%d" % n)
    if os.path.exists(marker):
        return
    os.makedirs(top, exist_ok=True)
    os.chmod(top, 0o711)
    pool = make_pool(os.path.join(top, "pool"))
    keys, confd = os.path.join(top, "keys"), os.path.join(top, "domains.d")
    os.makedirs(keys, mode=0o750, exist_ok=True)
    os.makedirs(confd, exist_ok=True)
    for i in range(n):
        d = domain(i)
        kdir = os.path.join(keys, d)
        os.makedirs(kdir, mode=0o750, exist_ok=True)
        write(os.path.join(kdir, "r.pem"), pool["r"][i % POOL], 0o600)
        write(os.path.join(kdir, "e.pem"), pool["e"][i % POOL], 0o600)
        write(os.path.join(confd, d + ".conf"),
              ("[domain %s]\nselector = r, e\n" % d).encode(), 0o644)
    write(os.path.join(top, "signpost.conf"), ((
        "[milter]\n"
        "socket = unix:%(top)s/milter.sock\n"
        "pidfile = %(top)s/milter.pid\n"
        "internal_hosts = 127.0.0.0/8\n"
        "log_level = notice\n"
        "\n[signing]\n"
        "keys_dir = %(top)s/keys\n"
        "\n[dns]\n"
        "mail_host = mail.example.net\n"
        "ipv4 = 192.0.2.25\n"
        "ipv6 = 2001:db8::25\n"
        "\ninclude = domains.d/*.conf\n") % {"top": top}).encode(), 0o644)
    write(marker, b"", 0o644)


if __name__ == "__main__":
    main()

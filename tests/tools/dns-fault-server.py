#!/usr/bin/python3
"""dns-fault-server.py - a small DNS server for the tests, on loopback only,
that serves zone files faithfully or breaks in one chosen way, so that
`dnsgen check` can be tried against the DNS servers it will meet.

    dns-fault-server.py [--listen 127.0.0.1] --port PORT
                        --zone ORIGIN=FILE [--zone ORIGIN=FILE]...
                        --mode-file FILE [--pidfile FILE]

UDP and TCP on the same port. The mode is read from --mode-file for every
question, so one server can be switched between faults by the test:

  normal          the zones, authoritative (AA), as a real server would
  silent          never answers (UDP dropped, TCP accepted and held)
  refused         rcode REFUSED            servfail   rcode SERVFAIL
  truncate        UDP: an empty answer with TC; TCP: the whole answer
  truncate-stall  UDP: TC; TCP: accepted, then nothing
  cname-loop      NAME CNAME loop-a, loop-a CNAME loop-b, loop-b CNAME NAME
  lame            no AA, no answer, a referral to ns.elsewhere.example.
  noaa            the zones' answer without the AA flag
  other-name      the question echoed, the records owned by another name
  other-question  the answer to another question (the question changed)
  bad-txt-length  TXT records whose first string length runs past the RDATA
  pad:N           the apex TXT answer padded with TXT records to N records
  size:N          the apex TXT answer padded to exactly N bytes (UDP: TC)

Nothing here is used outside the tests.

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""
import argparse
import os
import socket
import struct
import sys
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

UDP_MAX = 512  # no EDNS: RFC 1035 section 4.2.1


class Server:
    def __init__(self, zones, mode_file):
        self.zones = zones              # origin -> dns.zone.Zone
        self.origin = next(iter(zones))  # the first: the tested domain
        self.mode_file = mode_file

    def mode(self):
        try:
            with open(self.mode_file) as f:
                return f.read().strip() or "normal"
        except OSError:
            return "normal"

    def lookup(self, response, qname, qtype):
        """The zone's answer: records, CNAME, NODATA or NXDOMAIN."""
        zones = [z for z in self.zones if qname.is_subdomain(z)]
        if not zones:
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        node = self.zones[max(zones, key=len)].get_node(qname)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return
        rds = node.get_rdataset(dns.rdataclass.IN, qtype)
        if rds is None:
            rds = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if rds is not None:
            rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rds.rdtype)
            rrset.update(rds)
            response.answer.append(rrset)

    def txt(self, name, *texts):
        rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.TXT)
        for t in texts:
            rrset.add(dns.rdata.from_text("IN", "TXT", t))
        return rrset

    def pad_records(self, response, total):
        have = sum(len(r) for r in response.answer)
        fill = ['"pad-%d"' % i for i in range(max(0, total - have))]
        if fill:
            response.answer.append(self.txt(self.origin, *fill))

    def pad_bytes(self, query, response, size):
        """One more TXT record whose RDATA makes the message size bytes."""
        def filler(rdlen):
            data = b""
            while rdlen >= 256:
                data += b"\xff" + b"x" * 255
                rdlen -= 256
            if rdlen > 0:
                data += bytes([rdlen - 1]) + b"x" * (rdlen - 1)
            rrset = dns.rrset.RRset(self.origin, dns.rdataclass.IN,
                                    dns.rdatatype.TXT)
            rrset.add(dns.rdata.GenericRdata(dns.rdataclass.IN,
                                             dns.rdatatype.TXT, data))
            return rrset
        base = response.answer[:]
        rdlen = max(1, size - len(response.to_wire()) - 12)
        for _ in range(5):
            response.answer = base + [filler(rdlen)]
            got = len(response.to_wire())
            if got == size:
                return
            rdlen += size - got
        raise RuntimeError("cannot pad to %d bytes" % size)

    def answer(self, wire, over_tcp):
        """The reply's bytes for one query, or None to stay silent."""
        mode = self.mode()
        query = dns.message.from_wire(wire)
        q = query.question[0]
        response = dns.message.make_response(query)
        if mode == "silent" or (mode == "truncate-stall" and over_tcp):
            return None
        if mode in ("refused", "servfail"):
            response.set_rcode(dns.rcode.REFUSED if mode == "refused"
                               else dns.rcode.SERVFAIL)
            return response.to_wire()
        if mode in ("truncate", "truncate-stall") and not over_tcp:
            response.flags |= dns.flags.TC | dns.flags.AA
            return response.to_wire()
        if mode == "cname-loop":
            response.flags |= dns.flags.AA
            a = dns.name.from_text("loop-a", self.origin)
            b = dns.name.from_text("loop-b", self.origin)
            for owner, target in ((q.name, a), (a, b), (b, q.name)):
                rrset = dns.rrset.RRset(owner, dns.rdataclass.IN,
                                        dns.rdatatype.CNAME)
                rrset.add(dns.rdata.from_text("IN", "CNAME",
                                              target.to_text()))
                response.answer.append(rrset)
            return response.to_wire()
        if mode == "lame":
            rrset = dns.rrset.RRset(self.origin, dns.rdataclass.IN,
                                    dns.rdatatype.NS)
            rrset.add(dns.rdata.from_text("IN", "NS",
                                          "ns.elsewhere.example."))
            response.authority.append(rrset)
            return response.to_wire()
        if mode == "bad-txt-length" and q.rdtype == dns.rdatatype.TXT:
            response.flags |= dns.flags.AA
            rrset = dns.rrset.RRset(q.name, dns.rdataclass.IN,
                                    dns.rdatatype.TXT)
            # A string of 200 bytes announced, 9 there (RFC 1035 3.3.14).
            rrset.add(dns.rdata.GenericRdata(dns.rdataclass.IN,
                                             dns.rdatatype.TXT,
                                             b"\xc8v=spf1 -a"))
            response.answer.append(rrset)
            return response.to_wire()
        self.lookup(response, q.name, q.rdtype)
        if mode == "noaa":
            response.flags &= ~dns.flags.AA
        elif mode == "other-name":
            other = dns.name.from_text("other", self.origin)
            for rrset in response.answer:
                rrset.name = other
        elif mode == "other-question":
            other = dns.name.from_text("other", self.origin)
            response.question[0].name = other
        elif q.rdtype == dns.rdatatype.TXT and q.name == self.origin:
            if mode.startswith("pad:"):
                self.pad_records(response, int(mode[4:]))
            elif mode.startswith("size:"):
                self.pad_bytes(query, response, int(mode[5:]))
        out = response.to_wire()
        if not over_tcp and len(out) > UDP_MAX:
            response.answer = []
            response.flags |= dns.flags.TC
            out = response.to_wire()
        return out


def serve_udp(sock, server):
    while True:
        wire, peer = sock.recvfrom(65535)
        try:
            out = server.answer(wire, False)
        except Exception as e:  # a bad query must not stop the server
            print("dns-fault-server: %s" % e, file=sys.stderr)
            continue
        if out is not None:
            sock.sendto(out, peer)


def read_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_tcp_conn(conn, server):
    held = []
    with conn:
        while True:
            head = read_exactly(conn, 2)
            if head is None:
                return
            wire = read_exactly(conn, struct.unpack("!H", head)[0])
            if wire is None:
                return
            out = server.answer(wire, True)
            if out is None:
                held.append(conn.recv(1))  # hold it open until the peer goes
                return
            conn.sendall(struct.pack("!H", len(out)) + out)


def serve_tcp(sock, server):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, server),
                         daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--zone", action="append", required=True,
                   help="ORIGIN=FILE; the first is the domain under test")
    p.add_argument("--mode-file", required=True)
    p.add_argument("--pidfile")
    a = p.parse_args()
    if not (a.listen.startswith("127.") or a.listen == "::1"):
        sys.exit("dns-fault-server: loopback addresses only")
    zones = {}
    for spec in a.zone:
        origin, path = spec.split("=", 1)
        origin = dns.name.from_text(origin)
        zones[origin] = dns.zone.from_file(path, origin=origin,
                                           relativize=False)
    server = Server(zones, a.mode_file)
    family = socket.AF_INET6 if ":" in a.listen else socket.AF_INET
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.bind((a.listen, a.port))
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((a.listen, a.port))
    tcp.listen(16)
    threading.Thread(target=serve_tcp, args=(tcp, server),
                     daemon=True).start()
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    serve_udp(udp, server)


if __name__ == "__main__":
    main()

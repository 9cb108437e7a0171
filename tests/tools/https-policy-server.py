#!/usr/bin/python3
"""https-policy-server.py - a small HTTPS server for the tests, on loopback
only, that serves one MTA-STS policy file the way a web server would, so
that `dnsgen check` (and other MTA-STS clients) can fetch it.

    https-policy-server.py --listen 127.0.0.1 --port PORT
                           --cert CHAIN.pem --key KEY.pem --policy FILE
                           [--content-type TYPE] [--redirect URL]

GET /.well-known/mta-sts.txt answers 200 with the bytes of FILE, read
again for every request (a test may change it while the server runs),
as --content-type (default text/plain); with --redirect it answers 301
to URL instead. Every other path is 404. The certificate chain and key
are the server's, made by the test with openssl.

Nothing here is used outside the tests.

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""
import argparse
import http.server
import ssl
import sys

POLICY_PATH = "/.well-known/mta-sts.txt"


def handler_for(args):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != POLICY_PATH:
                self.send_error(404)
                return
            if args.redirect:
                self.send_response(301)
                self.send_header("Location", args.redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(args.policy, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", args.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *a):
            sys.stderr.write("https-policy-server: " + (fmt % a) + "\n")

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--policy", required=True)
    p.add_argument("--content-type", default="text/plain")
    p.add_argument("--redirect")
    args = p.parse_args()
    if not (args.listen.startswith("127.") or args.listen == "::1"):
        sys.exit("https-policy-server: loopback addresses only")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    httpd = http.server.HTTPServer((args.listen, args.port), handler_for(args))
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    sys.stderr.write("https-policy-server: listening on %s:%d\n"
                     % (args.listen, args.port))
    sys.stderr.flush()
    httpd.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""drill-load.py - the mail load of signpost's fault drills.

Sends COUNT distinct messages over SMTP to the private Postfix, from
several sessions at once, and behaves as a sending MTA must when the
server answers 4xx or drops the connection: the message is not lost, it is
tried again (in a new session, after a short pause) until it is accepted,
refused with 5xx, or --deadline seconds have passed since the start.

With --until FILE the load does not stop at COUNT: it goes on with new
messages until FILE exists (COUNT is then the least it sends), so that a
drill's faults all fall inside it.

Message number N carries Message-ID <drill-N.PREFIX@example.com> and
"Subject: drill N", so the sink's files can be matched to what was sent.
Each accepted message adds a line "accepted N" to --progress at once, and
each 4xx answer (or dropped connection) a line "tempfail N", so a drill
can strike after a given share of the load, or wait for the fault to show.

Prints one line at the end:
    sent=COUNT accepted=A tempfails=T refused=R gaveup=G
(sent is how many distinct messages there were; tempfails counts the
failed attempts that were tried again). Exit 0 when
every message was accepted, 1 otherwise, 2 on a usage error.

usage: drill-load.py --port N [--count N] [--sessions N] [--interval S]
                     [--deadline S] [--prefix P] [--progress FILE]
                     [--until FILE]

Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
"""

import argparse
import os
import queue
import smtplib
import socket
import sys
import threading
import time


def message(n, prefix):
    body = "".join("Line %d of drill message %d: the quick brown fox.\r\n" % (i, n)
                   for i in range(1, 21))
    return ("From: Alice Example <alice@example.com>\r\n"
            "To: Bob <bob@example.net>\r\n"
            "Subject: drill %d\r\n"
            "Date: Tue, 25 Nov 2025 10:00:00 +0000\r\n"
            "Message-ID: <drill-%d.%s@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n%s" % (n, n, prefix, body)).encode("ascii")


class Load:
    def __init__(self, args):
        self.args = args
        self.todo = queue.Queue()      # messages to try again
        self.lock = threading.Lock()
        self.accepted = self.tempfails = self.refused = self.gaveup = 0
        self.made = 0                  # messages numbered so far
        self.outstanding = 0           # made, not yet accepted or refused
        self.start = time.monotonic()
        self.progress = open(args.progress, "a") if args.progress else None

    def record(self, n, kind):
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if kind != "tempfails":
                self.outstanding -= 1
            if kind in ("accepted", "tempfails") and self.progress:
                self.progress.write("%s %d\n" % (kind.rstrip("s"), n))
                self.progress.flush()

    def more(self):
        if self.expired():
            return False        # past the deadline: nothing new
        return self.made < self.args.count or \
            (self.args.until is not None and not os.path.exists(self.args.until))

    def next_message(self):
        """A message to try again, a new one, or None when all is done."""
        while True:
            try:
                return self.todo.get_nowait()
            except queue.Empty:
                pass
            with self.lock:
                if self.more():
                    self.made += 1
                    self.outstanding += 1
                    return self.made
                if self.outstanding == 0:
                    return None
            time.sleep(0.1)

    def expired(self):
        return time.monotonic() - self.start > self.args.deadline

    def connect(self):
        s = smtplib.SMTP("127.0.0.1", self.args.port, timeout=60)
        s.ehlo("client.example.org")
        return s

    def send_one(self, session, n):
        """'accepted', 'refused' or 'tempfail' (session unusable then)."""
        try:
            session.sendmail("alice@example.com", ["bob@example.net"],
                             message(n, self.args.prefix))
            return "accepted"
        except smtplib.SMTPRecipientsRefused as e:
            codes = [c for c, _ in e.recipients.values()]
            return "refused" if all(c >= 500 for c in codes) else "tempfail"
        except smtplib.SMTPResponseException as e:
            return "refused" if e.smtp_code >= 500 else "tempfail"
        except (smtplib.SMTPException, OSError):
            return "tempfail"

    def session_loop(self):
        session = None
        while True:
            n = self.next_message()
            if n is None:
                break
            if self.expired():
                self.record(n, "gaveup")
                continue
            if session is None:
                try:
                    session = self.connect()
                except (smtplib.SMTPException, OSError):
                    session = None
            result = self.send_one(session, n) if session else "tempfail"
            if result == "tempfail":
                self.record(n, "tempfails")
                self.close(session)
                session = None
                time.sleep(0.3)       # as an MTA would, only sooner
                self.todo.put(n)
                continue
            self.record(n, "accepted" if result == "accepted" else "refused")
            if self.args.interval:
                time.sleep(self.args.interval)
        self.close(session)

    @staticmethod
    def close(session):
        if session is None:
            return
        try:
            session.quit()
        except (smtplib.SMTPException, OSError):
            try:
                session.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description="the fault drills' mail load")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--interval", type=float, default=0.0,
                    help="pause after each accepted message, per session")
    ap.add_argument("--deadline", type=float, default=180.0)
    ap.add_argument("--prefix", default="load")
    ap.add_argument("--progress")
    ap.add_argument("--until", help="go on until this file exists")
    args = ap.parse_args()
    if args.count < 1 or args.sessions < 1:
        ap.error("--count and --sessions must be at least 1")
    socket.setdefaulttimeout(60)
    load = Load(args)
    threads = [threading.Thread(target=load.session_loop)
               for _ in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("sent=%d accepted=%d tempfails=%d refused=%d gaveup=%d"
          % (load.made, load.accepted, load.tempfails, load.refused, load.gaveup))
    return 0 if load.accepted == load.made else 1


if __name__ == "__main__":
    sys.exit(main())

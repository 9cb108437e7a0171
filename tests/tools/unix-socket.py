# unix-socket.py - unix socket situations the milter tests set up around
# the daemon's socket path. Run by /usr/bin/python3.
#
#   unix-socket.py stale PATH         bind PATH and exit: a stale socket
#   unix-socket.py hold PATH          bind and listen on PATH, create
#                                     PATH.up, then wait 60 s: a live one
#   unix-socket.py race PATH TARGET   for 120 s, whenever PATH is a socket,
#                                     rename a symlink to TARGET over it
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.

import os
import socket
import stat
import sys
import time


def stale(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)


def hold(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(1)
    open(path + ".up", "w").close()
    time.sleep(60)


def race(sock, target):
    tmp = sock + ".lnk"
    end = time.time() + 120
    while time.time() < end:
        try:
            if stat.S_ISSOCK(os.lstat(sock).st_mode):
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                os.symlink(target, tmp)
                os.rename(tmp, sock)
        except FileNotFoundError:
            pass


COMMANDS = {"stale": (stale, 1), "hold": (hold, 1), "race": (race, 2)}


def main(argv):
    if not argv or argv[0] not in COMMANDS or len(argv) - 1 != COMMANDS[argv[0]][1]:
        sys.stderr.write("usage: unix-socket.py stale PATH | hold PATH | race PATH TARGET\n")
        return 2
    COMMANDS[argv[0]][0](*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

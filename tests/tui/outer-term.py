#!/usr/bin/env python3
"""outer-term.py - a made-up outer terminal for tmux: it runs COMMAND
(a tmux client) on a pty and answers what a kitty terminal answers, so
that what tmux passes through can be read byte by byte.

    outer-term.py --version 'kitty(0.35.2)' --out FILE [--timeout S] -- COMMAND...

Answers: DA1 (ESC [ c) "ESC [ ? 62 ; c"; DA2 (ESC [ > c); XTVERSION
(ESC [ > q) "ESC P > | VERSION ESC \\"; the kitty graphics query (a=q)
"ESC _ G i=ID ; OK ESC \\" (--no-kitty: none); the cell size (ESC [ 16 t)
20x10 px.  The pty is 100x30 cells, 1000x600 pixels.  Everything COMMAND
writes goes to --out.  Exits with COMMAND's status, 124 on --timeout.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

KITTY_Q = re.compile(rb"\x1b_G([^\x1b]*a=q[^\x1b]*)\x1b\\")


def answers(chunk, version, kitty):
    out = b""
    # In the order the questions came.
    pat = re.compile(rb"\x1b\[c|\x1b\[>c|\x1b\[>q|\x1b\[16t|\x1b_G[^\x1b]*\x1b\\")
    for m in pat.finditer(chunk):
        q = m.group(0)
        if q == b"\x1b[c":
            out += b"\x1b[?62;c"
        elif q == b"\x1b[>c":
            out += b"\x1b[>1;4000;29c"
        elif q == b"\x1b[>q":
            out += b"\x1bP>|" + version.encode() + b"\x1b\\"
        elif q == b"\x1b[16t":
            out += b"\x1b[6;20;10t"
        elif kitty and b"a=q" in q:
            ident = re.search(rb"i=(\d+)", q)
            out += b"\x1b_Gi=" + (ident.group(1) if ident else b"0") + b";OK\x1b\\"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", default="kitty(0.35.2)")
    ap.add_argument("--no-kitty", action="store_true")
    ap.add_argument("--out", default="/dev/null")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 1000, 600))
        os.environ["TERM"] = "xterm-256color"  # Debian's terminfo may lack xterm-kitty
        os.execvp(cmd[0], cmd)
    out = open(a.out, "wb")
    start = time.time()
    pending = b""
    status = None
    while True:
        if time.time() - start > a.timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 124
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            out.write(data)
            out.flush()
            pending += data
            # Answer whole questions; keep an unfinished escape for the next read.
            cut = pending.rfind(b"\x1b")
            whole = pending if cut < 0 or cut < len(pending) - 4096 else pending[:cut]
            reply = answers(whole, a.version, not a.no_kitty)
            if reply:
                os.write(fd, reply)
            pending = pending[len(whole):]
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        _, status = os.waitpid(pid, 0)
    out.close()
    return os.waitstatus_to_exitcode(status)


sys.exit(main())

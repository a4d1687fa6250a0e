#!/usr/bin/env python3
"""pty-term.py - a made-up terminal on a pty, for the start-up questions.

    pty-term.py [--answer sixel|kitty|garbage|none] [--late SECONDS]
                [--type KEYS] [--then KEYS] [--wait TEXT] [--out FILE]
                [--timeout SECONDS] -- COMMAND...

runs COMMAND on a pty of 100x30 cells (800x510 pixels).  When COMMAND
asks DA1 (ESC [ c), the terminal answers as --answer says (none: never),
after --late seconds; --type KEYS are typed right after the question,
before any answer (keys typed during start-up).  Once the output shows
--wait TEXT and the answer went out, --then KEYS are typed (each key
alone, 0.3 s apart).  All
output goes to --out.  Exits with COMMAND's status, or 124 when it did
not end within --timeout seconds (it is then killed).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

ANSWERS = {
    "sixel": b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;22c",
    "kitty": b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c",
    "garbage": b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b_junk\x1b\\\x1b[?63;1;2;4c",
    "none": b"",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--answer", default="none", choices=ANSWERS)
    ap.add_argument("--late", type=float, default=0)
    ap.add_argument("--type", default="")
    ap.add_argument("--then", default="")
    ap.add_argument("--wait", default="")
    ap.add_argument("--out", default="/dev/null")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 800, 510))
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)
    out = open(a.out, "wb")
    seen = b""
    start = time.time()
    answer_at = None
    answered = typed = False
    then = a.then
    next_key = 0
    status = None
    while True:
        now = time.time()
        if now - start > a.timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print("pty-term: %s did not end in %g s" % (cmd[0], a.timeout), file=sys.stderr)
            return 124
        if answer_at is not None and not answered and now >= answer_at:
            os.write(fd, ANSWERS[a.answer])
            answered = True
            next_key = now + 0.5
        ready = answered or a.answer == "none"
        if then and ready and (not a.wait or a.wait.encode() in seen) and now >= next_key:
            os.write(fd, then[0].encode())
            then = then[1:]
            next_key = now + 0.3
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            out.write(data)
            seen = (seen + data)[-200000:]
            if answer_at is None and b"\x1b[c" in seen:
                answer_at = time.time() + a.late
                if a.type and not typed:
                    os.write(fd, a.type.encode())
                    typed = True
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            # read what is left
            try:
                while True:
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if not r:
                        break
                    data = os.read(fd, 65536)
                    if not data:
                        break
                    out.write(data)
            except OSError:
                pass
            break
    if status is None:
        _, status = os.waitpid(pid, 0)
    out.close()
    return os.waitstatus_to_exitcode(status)


sys.exit(main())

#!/usr/bin/env python3
"""slow-link.py - a terminal at the far end of a slow link, on a pty relay
(no root, no tc): COMMAND runs on a pty of 100x30 cells (1000x600 px);
what it writes is read off the pty no faster than --rate bytes/s and
reaches "the screen" --latency ms later; keys and answers to its
questions take --latency ms the other way.  Reading slowly fills the pty,
so COMMAND's writes block as they would on a saturated SSH link.

    slow-link.py --rate 200000 --latency 50 --keys j --count 20 --gap 60 \\
                 --wait-text '[candidates]' -- COMMAND...

The terminal answers as kitty 0.26 does (kitty graphics OK, XTVERSION,
DA1).  Once --wait-text is on the screen and nothing has arrived for a
second, --count keys are typed --gap ms apart; once the link is quiet
for 1.5 s it types Q and prints what the link carried:

    key_to_text_p50_ms, key_to_text_p99_ms   a key to the next text on the screen
    picture_complete_ms   the last key to the end of the last upload
    texts_seen            keys whose text update was seen
    bytes                 all bytes COMMAND wrote after the first key
    bytes_per_decision    bytes / keys
    uploads_started, uploads_complete, uploads_abandoned   kitty uploads
"""
import argparse
import collections
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


def now():
    return time.monotonic()


def has_text(data, state):
    """1 when data holds a character to show outside escape sequences
    (ncurses' text, not picture bytes).  state[0] carries the parser's
    state across reads: 0 text, 1 after ESC, 2 in CSI, 3 in a string
    (APC, DCS, OSC), 4 ESC inside a string."""
    st = state[0]
    text = False
    for b in data:
        if st == 0:
            if b == 0x1b:
                st = 1
            elif b >= 0x20 and b != 0x7f:
                text = True
        elif st == 1:
            st = 2 if b == 0x5b else 3 if b in (0x5f, 0x50, 0x5d) else 0
        elif st == 2:
            if 0x40 <= b <= 0x7e:
                st = 0
        elif st == 3:
            if b == 0x1b:
                st = 4
            elif b == 0x07:
                st = 0
        elif st == 4:
            st = 0 if b == 0x5c else 3
    state[0] = st
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=1e6)
    ap.add_argument("--latency", type=float, default=0)
    ap.add_argument("--keys", default="j")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--gap", type=float, default=60)
    ap.add_argument("--wait-text", default="[candidates]")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--out", default="/dev/null")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    lat = a.latency / 1000.0
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 1000, 600))
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)
    out = open(a.out, "wb")
    arriving = collections.deque()  # (time it shows, bytes)
    to_app = collections.deque()    # (time it reaches the app, bytes)
    screen = b""                     # everything shown so far
    start = now()
    budget_t = now()
    quiet_since = None
    key_times = []
    first_key_at = None
    first_key_pos = 0
    bytes_after = 0
    typing = False
    next_key = 0
    sent = 0
    quit_at = None
    state = [0]
    pending_keys = []
    lat_ms = []
    completions = []   # when an upload's last chunk showed
    last_end = 0
    status = None
    while True:
        t = now()
        if t - start > a.timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print("slow-link: timed out", file=sys.stderr)
            return 124
        # Read off the pty at the link's rate.
        allowance = int((t - budget_t) * a.rate)
        if allowance > 0:
            r, _, _ = select.select([fd], [], [], 0)
            if r:
                try:
                    data = os.read(fd, min(allowance, 65536))
                except OSError:
                    data = b""
                if not data:
                    break
                arriving.append((t + lat, data))
                budget_t += len(data) / a.rate
            else:
                budget_t = t
        # What has crossed the link shows now.
        while arriving and arriving[0][0] <= t:
            _, data = arriving.popleft()
            out.write(data)
            screen += data
            quiet_since = t
            if first_key_at is not None:
                bytes_after += len(data)
            if has_text(data, state) and pending_keys:
                for kt in pending_keys:
                    lat_ms.append((t - kt) * 1000)
                pending_keys.clear()
            base = max(0, len(screen) - len(data) - 8200)
            for m in re.finditer(rb"\x1b_G(?:a=t,[^;]*)?m=0;[^\x1b]+\x1b\\", screen[base:]):
                if base + m.end() > last_end:
                    last_end = base + m.end()
                    completions.append(t)
            # Questions: answered as kitty 0.26 would, after the latency.
            base = max(0, len(screen) - len(data) - 2)
            for _ in re.finditer(rb"\x1b\[c", screen[base:]):
                to_app.append((t + lat, b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c"))
        while to_app and to_app[0][0] <= t:
            os.write(fd, to_app.popleft()[1])
        # Typing.
        if not typing and sent == 0 and a.wait_text.encode() in screen and quiet_since \
                and t - quiet_since > 1.0:
            typing = True
            next_key = t
        if typing and sent < a.count and t >= next_key:
            to_app.append((t + lat, a.keys.encode()))
            key_times.append(t)
            pending_keys.append(t)
            if first_key_at is None:
                first_key_at = t
                first_key_pos = len(screen)
            sent += 1
            next_key = t + a.gap / 1000.0
        # Done: every key typed and the link quiet for 1.5 s (the last
        # picture, if any, has arrived).
        if sent == a.count and quit_at is None and t - max(quiet_since or 0, key_times[-1]) > 1.5:
            quit_at = t
        if quit_at is not None and t >= quit_at and quit_at > 0:
            to_app.append((t + lat, b"Q"))
            quit_at = -1
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        time.sleep(0.002)
    out.close()
    # Figures, from what reached the screen after the first key.
    k0 = first_key_at or start
    lat_ms.sort()

    def pct(p):
        if not lat_ms:
            return -1
        return lat_ms[min(len(lat_ms) - 1, int(round(p / 100 * (len(lat_ms) - 1))))]
    after = screen[first_key_pos:]
    starts = len(re.findall(rb"\x1b_Ga=t,", after))
    completes = len(re.findall(rb"\x1b_Gm=0;[^\x1b]+\x1b\\", after)) + \
        len(re.findall(rb"\x1b_Ga=t,[^;]*m=0;[^\x1b]+\x1b\\", after))
    abandoned = len(re.findall(rb"\x1b_Gm=0;\x1b\\", after))
    print("keys %d" % len(key_times))
    print("key_to_text_p50_ms %.0f" % pct(50))
    print("key_to_text_p99_ms %.0f" % pct(99))
    print("texts_seen %d" % len(lat_ms))
    last_key = key_times[-1] if key_times else start
    done = [c for c in completions if c >= last_key]
    print("picture_complete_ms %.0f" % ((done[-1] - last_key) * 1000 if done else -1))
    print("bytes %d" % bytes_after)
    print("bytes_per_decision %d" % (bytes_after / max(1, len(key_times))))
    print("uploads_started %d" % starts)
    print("uploads_complete %d" % completes)
    print("uploads_abandoned %d" % abandoned)
    return os.waitstatus_to_exitcode(status) if status is not None else 0


sys.exit(main())

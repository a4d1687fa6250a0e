#!/usr/bin/env python3
"""powercut.py LOG - after a process run under powercut.so was killed,
undoes every write (newest first) that no fsync or fdatasync of its file
followed: the files are left as a power cut at the kill would have left
them.  Prints how many writes were undone and kept."""
import os
import struct
import sys


def records(data):
    i = 0
    while i < len(data):
        kind = data[i:i + 1]
        if len(data) < i + 5:
            return
        (plen,) = struct.unpack_from("<I", data, i + 1)
        head = 1 + 4 + plen + 24
        if len(data) < i + head:
            return  # the kill cut the last record: its write was never made
        path = data[i + 5:i + 5 + plen].decode()
        off, oldsize, have = struct.unpack_from("<QQQ", data, i + 5 + plen)
        if kind == b"S":
            yield kind, path, 0, 0, b""
            i += head
            continue
        if len(data) < i + head + have:
            return
        yield kind, path, off, oldsize, data[i + head:i + head + have]
        i += head + have


def main():
    data = open(sys.argv[1], "rb").read()
    pending = []  # writes not yet synced, oldest first
    synced = 0
    for kind, path, off, oldsize, old in records(data):
        if kind == b"S":
            keep = [w for w in pending if not (w[0] == path or w[0].startswith(path.rstrip("/") + "/"))]
            synced += len(pending) - len(keep)
            pending = keep
        else:
            pending.append((path, off, oldsize, old))
    for path, off, oldsize, old in reversed(pending):
        if not os.path.exists(path):
            continue
        with open(path, "r+b") as f:
            f.seek(off)
            f.write(old)
            f.truncate(oldsize)
    print("undone %d writes, %d were synced" % (len(pending), synced))


if __name__ == "__main__":
    main()

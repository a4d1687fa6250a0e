#!/usr/bin/env python3
"""noise-png.py W H FILE... - writes each FILE as a W x H PNG of random
RGB noise: it does not compress, so its size is known (about 3 W H bytes)
and it is a different picture each time."""
import os
import struct
import sys
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def main():
    w, h = int(sys.argv[1]), int(sys.argv[2])
    for path in sys.argv[3:]:
        rnd = os.urandom(w * h * 3)
        raw = b"".join(b"\0" + rnd[y * w * 3:(y + 1) * w * 3] for y in range(h))
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


main()

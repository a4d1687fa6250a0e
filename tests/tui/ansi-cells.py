#!/usr/bin/env python3
"""ansi-cells.py - what the cells of a `tmux capture-pane -p -e -N` hold.

    ansi-cells.py colours X0 X1 [Y0 Y1] < capture
        one line per colour met in the rectangle (columns X0..X1-1, rows
        Y0..Y1-1, 0-based; the whole height when no rows are given): the
        colour (an xterm index, or #rrggbb) and how many cells show it as
        their background or as the foreground of a block glyph
    ansi-cells.py glyphs X0 X1 [Y0 Y1] < capture
        how many cells hold a block or box-drawing glyph (U+2500..U+259F)
        and how many any colour at all
    ansi-cells.py runs COLOUR < capture
        every run of cells whose background is COLOUR (an xterm index),
        one a line: "ROW<TAB>COLUMN<TAB>TEXT" (a search's highlighted
        words; 0-based)

Symbols pictures are characters with colours, so this is how the screen
tests see a picture: its colours in the pane, none elsewhere.
"""
import re
import sys

SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def cells(text):
    """Yields (row, col, char, fg, bg) for every cell of the capture."""
    # capture-pane carries the attributes over line ends: a line that goes
    # on in the colour of the last one starts with no SGR at all.
    fg = bg = None
    for y, line in enumerate(text.split("\n")):
        x = 0
        i = 0
        while i < len(line):
            m = SGR.match(line, i)
            if m:
                fg, bg = sgr(m.group(1), fg, bg)
                i = m.end()
                continue
            if line[i] == "\x1b":  # another sequence: skip it
                j = i + 1
                while j < len(line) and not line[j].isalpha():
                    j += 1
                i = j + 1
                continue
            yield y, x, line[i], fg, bg
            x += 1
            i += 1


def sgr(params, fg, bg):
    p = [int(v) if v else 0 for v in re.split("[;:]", params)] if params else [0]
    k = 0
    while k < len(p):
        v = p[k]
        if v == 0:
            fg = bg = None
        elif v in (38, 48) and k + 1 < len(p):
            if p[k + 1] == 5 and k + 2 < len(p):
                col = str(p[k + 2])
                k += 2
            elif p[k + 1] == 2 and k + 4 < len(p):
                col = "#%02x%02x%02x" % tuple(p[k + 2:k + 5])
                k += 4
            else:
                col = None
            if v == 38:
                fg = col
            else:
                bg = col
        elif v == 39:
            fg = None
        elif v == 49:
            bg = None
        elif 30 <= v <= 37:
            fg = str(v - 30)
        elif 40 <= v <= 47:
            bg = str(v - 40)
        elif 90 <= v <= 97:
            fg = str(v - 90 + 8)
        elif 100 <= v <= 107:
            bg = str(v - 100 + 8)
        k += 1
    return fg, bg


def runs(colour):
    row, col, text, last = None, 0, "", None
    for y, x, ch, fg, bg in cells(sys.stdin.read()):
        if bg == colour and row == y and last == x - 1 and text:
            text += ch
        else:
            if text:
                print("%d\t%d\t%s" % (row, col, text))
            row, col, text = y, x, (ch if bg == colour else "")
        last = x
    if text:
        print("%d\t%d\t%s" % (row, col, text))


def main():
    if sys.argv[1] == "runs":
        runs(sys.argv[2])
        return
    what, x0, x1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    y0 = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    y1 = int(sys.argv[5]) if len(sys.argv) > 5 else 10 ** 6
    counts = {}
    glyphs = coloured = 0
    for y, x, ch, fg, bg in cells(sys.stdin.read()):
        if not (x0 <= x < x1 and y0 <= y < y1):
            continue
        block = "\u2500" <= ch <= "\u259f"
        if block:
            glyphs += 1
        seen = set()
        if bg is not None:
            seen.add(bg)
        if fg is not None and block:
            seen.add(fg)
        if seen:
            coloured += 1
        for c in seen:
            counts[c] = counts.get(c, 0) + 1
    if what == "colours":
        for c, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(c, n)
    else:
        print(glyphs, coloured)


main()

#!/usr/bin/env python3
"""holdlock.py - holds a lightbox store's write lock, as another process would.

    holdlock.py DB READY SECONDS [WHEN_SQL]

Waits (when WHEN_SQL is given) until that query returns a non-zero number,
then takes the write lock (BEGIN IMMEDIATE), announces itself as
"an import by bob" in the store's cache/ the way lightbox's long writers
do (cache/writer-PID: login, pid, what), creates READY, holds the lock for
SECONDS, and lets it go (rollback: it wrote nothing).  With HOLD_QUIET=1
in the environment it does not announce itself.  With HOLD_RELEASE=FILE it
lets go as soon as FILE exists (SECONDS is then the longest it holds), so
a test can check what happens while the lock is held without racing a
clock.
"""
import os
import sqlite3
import sys
import time

db, ready, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
when = sys.argv[4] if len(sys.argv) > 4 else None
con = sqlite3.connect(db, isolation_level=None, timeout=0)
deadline = time.time() + 60
if when:
    while time.time() < deadline and not con.execute(when).fetchone()[0]:
        time.sleep(0.001)
# Try for the lock every half millisecond rather than through SQLite's
# busy handler, whose sleeps grow to 100 ms: a writer that pauses a few
# milliseconds between transactions is caught in a pause.
while True:
    try:
        con.execute("BEGIN IMMEDIATE")
        break
    except sqlite3.OperationalError:
        if time.time() > deadline:
            raise
        time.sleep(0.0005)
cache = os.path.join(os.path.dirname(db), "cache")
os.makedirs(cache, exist_ok=True)
note = os.path.join(cache, "writer-%d" % os.getpid())
quiet = os.environ.get("HOLD_QUIET") == "1"
if not quiet:
    with open(note, "w") as f:
        f.write("bob\t%d\tan import\n" % os.getpid())
open(ready, "w").close()
release = os.environ.get("HOLD_RELEASE")
end = time.time() + secs
while time.time() < end and not (release and os.path.exists(release)):
    time.sleep(0.01)
con.execute("ROLLBACK")
if not quiet:
    os.unlink(note)
con.close()

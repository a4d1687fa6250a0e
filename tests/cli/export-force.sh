#!/bin/sh
. "$top_srcdir/tests/lib/tap.sh"
skip_all "todo"

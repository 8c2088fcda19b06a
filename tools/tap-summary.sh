#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Count the TAP results of a run ("ok", "not ok", "# SKIP") and print one
# line: "N passed, N failed, N skipped". Exits 1 when a test failed or
# when no test ran at all.
#
# usage: tap-summary.sh FILE...
set -u

cat "$@" | tr -d '\r' | awk '
/^[ \t]*not ok( |$)/ { failed++; next }
/^[ \t]*ok( |$)/ {
	if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) skipped++; else passed++
	next
}
END {
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit (failed > 0 || passed == 0) ? 1 : 0
}'

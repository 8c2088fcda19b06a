#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Count the TAP results of a run ("ok", "not ok", "# SKIP") and print one
# line: "N passed, N failed, N skipped". Exits 1 when a test failed or
# when no test ran at all. A suite that exits non-zero ("# suite NAME
# exited N", tools/vm/jobs/check) counts as one more failure, so that a
# result line the console garbled, or a suite that died before printing
# one, cannot pass unseen.
#
# usage: tap-summary.sh FILE...
set -u

cat "$@" | tr -d '\r' | awk '
/^# suite [^ ]+ exited [0-9]+$/ {
	if ($NF != 0) {
		failed++
		printf "# %s exited %s: counted as a failure\n", $3, $NF
	}
	next
}
/^[ \t]*not ok( |$)/ { failed++; next }
/^[ \t]*ok( |$)/ {
	if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) skipped++; else passed++
	next
}
END {
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit (failed > 0 || passed == 0) ? 1 : 0
}'

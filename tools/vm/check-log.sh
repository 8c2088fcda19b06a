#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Scan a guest kernel log for the reports that must fail a run (the
# patterns are in kernel-reports.txt beside this script). Prints the
# offending lines and exits 1 when there is one.
#
# usage: check-log.sh LOG
set -u
here=$(cd "$(dirname "$0")" && pwd)

hits=$(grep -E -n -f "$here/kernel-reports.txt" "$1")
if [ -n "$hits" ]; then
	echo "# kernel report in $1:"
	echo "$hits" | head -n 40 | sed 's/^/#   /'
	exit 1
fi
exit 0

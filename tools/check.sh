#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check` once everything is built and linted: the
# runner's own test, then every suite inside the VM; one summary line of
# all TAP results at the end. Exit status non-zero on any failure.
#
# usage: check.sh [NAME]   (NAME: check, or check-debug; names the logs)
# environment: as tools/vm/run-vm.sh
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
name=${1:-check}
results=$BUILD/results/$name
mkdir -p "$results"
rm -f "$results"/*.tap

start=$(date +%s)
rc=0
"$here/vm/selftest.sh" 2>&1 | tee "$results/vm-selftest.tap" || rc=1
"$here/vm/run-vm.sh" --job check --log "$BUILD/vm/$name.log" 2>&1 |
	tee "$results/check.tap" || rc=1
end=$(date +%s)

echo "# make $name: $((end - start)) s in the VM phase"
"$here/tap-summary.sh" "$results"/*.tap || rc=1
exit $rc

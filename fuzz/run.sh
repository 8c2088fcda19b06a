#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run each host harness for FUZZ_TIME seconds over its seeds
# (OUT/seeds/NAME, from the vectors), its committed corpus (CORPUS/NAME:
# regression inputs first) and what earlier runs found (OUT/corpus/NAME,
# where new inputs go). FUZZ_JOBS harnesses (nproc by default) run at
# once, each a single process on its own CPU, so each gets the time and
# the executions it had alone. libFuzzer's own lines, cov: and ft: among
# them, go to OUT/NAME.log, printed once the harness is done, in the
# order named; then one line:
#
#   fuzz-host: NAME: N execs, X exec/s, cov C, ft F, K crashes
#
# A crash, leak, timeout, out-of-memory or UBSan report fails the run;
# its input is kept in OUT/crashes/NAME/, to be added to CORPUS/NAME once
# fixed. A slow unit (libFuzzer's slow-unit-*, over 10 s of wall time) is
# reported but fails nothing: on a loaded machine it measures the
# scheduler; the -timeout of 10 s of the run itself is what fails.
#
# usage: FUZZ_TIME=600 OUT=build/fuzz CORPUS=fuzz/corpus run.sh NAME...
set -u -o pipefail

: "${FUZZ_TIME:=600}" "${OUT:?}" "${CORPUS:?}"
: "${FUZZ_JOBS:=$(nproc 2>/dev/null || echo 1)}"
failed=0

# fuzz_one NAME: the run, its output into OUT/NAME.log and its exit
# status into OUT/NAME.rc.
fuzz_one() {
	local name=$1 bin=$OUT/fuzz_$1 rc=0
	local dirs=("$OUT/corpus/$name" "$CORPUS/$name")
	[ -d "$OUT/seeds/$name" ] && dirs+=("$OUT/seeds/$name")
	# Runs the committed corpus first: a regression input fails at once.
	"$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/crashes/$name/" \
		"${dirs[@]}" >"$OUT/$name.log" 2>&1 || rc=$?
	echo "$rc" >"$OUT/$name.rc"
}

running=0
for name in "$@"; do
	mkdir -p "$OUT/corpus/$name" "$OUT/crashes/$name" "$CORPUS/$name"
	rm -f "$OUT/crashes/$name"/* "$OUT/$name.rc"
	if [ "$running" -ge "$FUZZ_JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "fuzz-host: $name: ${FUZZ_TIME} s"
	fuzz_one "$name" &
	running=$((running + 1))
done
wait

for name in "$@"; do
	log=$OUT/$name.log
	cat "$log"
	rc=$(cat "$OUT/$name.rc" 2>/dev/null || echo 1)

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	crashes=$(find "$OUT/crashes/$name" -type f \( -name 'crash-*' -o \
		-name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	slow=$(find "$OUT/crashes/$name" -type f -name 'slow-unit-*' | wc -l)
	note=""
	[ "$slow" -eq 0 ] || note=", $slow slow units"
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1	# died without an artifact: still a failure
	fi
	echo "fuzz-host: $name: ${execs:-0} execs, ${rate:-0} exec/s, cov ${cov:-?}, ft ${ft:-?}, $crashes crashes$note"
	if [ "$crashes" -ne 0 ]; then
		echo "fuzz-host: $name: FAILED, see $log and $OUT/crashes/$name/" >&2
		failed=1
	fi
done
exit $failed

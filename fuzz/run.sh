#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run each host harness for FUZZ_TIME seconds, one after the other, over
# its seeds (OUT/seeds/NAME, from the vectors), its committed corpus
# (CORPUS/NAME: regression inputs first) and what earlier runs found
# (OUT/corpus/NAME, where new inputs go). libFuzzer's own lines, cov: and
# ft: among them, go to the terminal and to OUT/NAME.log; then one line:
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
failed=0

for name in "$@"; do
	bin=$OUT/fuzz_$name
	log=$OUT/$name.log
	mkdir -p "$OUT/corpus/$name" "$OUT/crashes/$name" "$CORPUS/$name"
	rm -f "$OUT/crashes/$name"/*
	dirs=("$OUT/corpus/$name" "$CORPUS/$name")
	[ -d "$OUT/seeds/$name" ] && dirs+=("$OUT/seeds/$name")

	echo "fuzz-host: $name: ${FUZZ_TIME} s"
	rc=0
	# Runs the committed corpus first: a regression input fails at once.
	"$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/crashes/$name/" \
		"${dirs[@]}" 2>&1 | tee "$log" || rc=$?

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

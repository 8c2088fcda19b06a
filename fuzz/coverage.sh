#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Source coverage of the module's files that the harnesses reach: each
# harness built again with clang's coverage mapping (no sanitizer), run
# once over every input its corpora hold (seeds, fuzz/corpus/ and what
# make fuzz-host found), then llvm-cov's line and branch report over
# kmod/ only (userlib/client/ for the client_* harnesses), into OUT/coverage/NAME.txt and on the terminal (wire.txt:
# kmod/wire.c over the message and plaintext harnesses together).
#
# usage: OUT=build/fuzz CORPUS=fuzz/corpus CLANG=clang-14 coverage.sh NAME...
set -eu -o pipefail

: "${OUT:?}" "${CORPUS:?}" "${CLANG:=clang-14}"
top=$(cd "$(dirname "$0")/.." && pwd)
ver=${CLANG#clang-}
dir=$OUT/coverage
mkdir -p "$dir"

declare -A srcs=(
	[message]="kmod/wire.c kmod/codec.c"
	[plaintext]="kmod/wire.c kmod/codec.c"
	[payload]="kmod/payload.c"
	[codec]="kmod/codec.c"
)
declare -A libs=([payload]="-lz")
build=${BUILD:-$top/build}
client_flags="-I$top/uapi -I$top/userlib/include -I$top/userlib/client
	-I$top/userlib/client/include"
client_libs="$build/userlib/libmls.a $(pkg-config --libs libnl-genl-3.0 libcrypto)"

for name in "$@"; do
	bin=$dir/fuzz_$name
	files=()
	if [[ $name == client_* ]]; then
		files=("$top"/userlib/client/*.c)
		flags=$client_flags
		extra=$client_libs
	else
		for f in ${srcs[$name]}; do files+=("$top/$f"); done
		flags="-I$top/fuzz/shim -I$top"
		extra=${libs[$name]:-}
	fi
	# shellcheck disable=SC2086
	"$CLANG" -g -O0 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		$flags -o "$bin" "$top/fuzz/$name.c" "${files[@]}" $extra
	inputs=()
	for d in "$OUT/corpus/$name" "$CORPUS/$name" "$OUT/seeds/$name"; do
		[ -d "$d" ] && inputs+=("$d")
	done
	LLVM_PROFILE_FILE="$dir/$name.profraw" "$bin" -runs=0 "${inputs[@]}" \
		>"$dir/$name.run.log" 2>&1
	"llvm-profdata-$ver" merge -o "$dir/$name.profdata" "$dir/$name.profraw"
	"llvm-cov-$ver" report "$bin" -instr-profile="$dir/$name.profdata" \
		-show-functions=false "${files[@]}" | tee "$dir/$name.txt"
done

# kmod/wire.c is split between two harnesses: their union.
if [ -f "$dir/message.profraw" ] && [ -f "$dir/plaintext.profraw" ]; then
	"llvm-profdata-$ver" merge -o "$dir/wire.profdata" \
		"$dir/message.profraw" "$dir/plaintext.profraw"
	"llvm-cov-$ver" report "$dir/fuzz_message" -object "$dir/fuzz_plaintext" \
		-instr-profile="$dir/wire.profdata" "$top/kmod/wire.c" |
		tee "$dir/wire.txt"
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh - build, or find in the cache, the debug kernel that
# `make check-debug` boots (KASAN, lockdep, kmemleak, ...).
#
# Usage: tools/vm/build-debug-kernel.sh [-h|--help]
#
# The kernel is Debian's linux-source-6.1 tarball configured with
# `make tinyconfig` + tools/vm/debug-kernel.config + `make olddefconfig`.
# Every option the fragment names is checked in the final .config; one that
# Kconfig dropped fails the build.
#
# Environment:
#   MLS_DEBUG_KERNEL_CACHE  cache root (default /var/cache/mls/debug-kernel)
#   MLS_DEBUG_KERNEL_SRC    source tarball
#                           (default /usr/src/linux-source-6.1.tar.xz)
#   MLS_DEBUG_KERNEL_JOBS   parallel make jobs (default: nproc)
#
# The kernel lives in $root/$key, $key being the sha256 of the fragment, this
# script, the tarball's version (dpkg version, size and mtime) and the
# compiler's version.  That directory holds:
#   bzImage         the kernel; it is written last (by rename), so its
#                   presence means the build is complete
#   kernel.release  `make kernelrelease`, e.g. 6.1.192-mls-debug
#   config          the final .config
#   src/            the built tree, Module.symvers included; build an
#                   out-of-tree module against it with
#                     make -C $root/$key/src M=/path/to/module modules
#   build.log       everything the build printed
#
# If $root/$key/bzImage exists the script prints the directory and exits at
# once.  Otherwise it builds (one build at a time per cache root, under a
# lock), printing short progress lines on stderr.  In every successful case
# the LAST line of stdout is the directory $root/$key.  Exit status: 0 on
# success, 1 on a build failure (the end of build.log goes to stderr), 2 on
# a usage error.

set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/${BASH_SOURCE[0]##*/}"
fragment="$here/debug-kernel.config"
tarball=${MLS_DEBUG_KERNEL_SRC:-/usr/src/linux-source-6.1.tar.xz}
root=${MLS_DEBUG_KERNEL_CACHE:-/var/cache/mls/debug-kernel}
jobs=${MLS_DEBUG_KERNEL_JOBS:-$(nproc)}

usage() {
	sed -n '4,/^$/s/^# \{0,1\}//p' "$self"
}

say() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

die() {
	say "error: $*"
	exit 1
}

case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
"") ;;
*)
	usage >&2
	exit 2
	;;
esac

[[ -r $fragment ]] || die "no config fragment at $fragment"
[[ -r $tarball ]] || die "no kernel source at $tarball (apt-get install linux-source-6.1)"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "MLS_DEBUG_KERNEL_JOBS must be a positive integer"

# The version of the source tarball: its package's version if dpkg owns it,
# and in any case its size and mtime.
tarball_version() {
	local owner pkg
	owner=$(dpkg-query -S "$tarball" 2>/dev/null | head -n 1) || owner=
	pkg=${owner%%:*}
	if [[ -n $owner && -n $pkg ]]; then
		printf '%s ' "$pkg" \
			"$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)"
	fi
	stat -L -c '%s %Y' "$tarball"
}

compute_key() {
	{
		printf 'fragment\n'
		sha256sum <"$fragment"
		printf 'script\n'
		sha256sum <"$self"
		printf 'source\n'
		tarball_version
		printf 'compiler\n'
		gcc --version 2>/dev/null | head -n 1 || true
	} | sha256sum | cut -d' ' -f1
}

key=$(compute_key)
dir="$root/$key"

if [[ -f $dir/bzImage ]]; then
	printf '%s\n' "$dir"
	exit 0
fi

mkdir -p "$root" 2>/dev/null || die "cannot create $root (set MLS_DEBUG_KERNEL_CACHE)"
[[ -w $root ]] || die "$root is not writable (set MLS_DEBUG_KERNEL_CACHE)"

# One kernel build at a time per cache root.
lock="$root/.lock"
exec 9>>"$lock"
if ! flock -n 9; then
	say "waiting for another build to finish ($lock)"
	flock 9
fi

# Another process may have finished this very build while we waited.
if [[ -f $dir/bzImage ]]; then
	printf '%s\n' "$dir"
	exit 0
fi

mkdir -p "$dir"
src="$dir/src"
log="$dir/build.log"
: >"$log"

on_error() {
	local rc=$?
	say "build FAILED (exit $rc); last lines of $log:"
	tail -n 40 "$log" >&2 || true
	exit 1
}
trap on_error ERR

# kmake TARGET...: make in the source tree, output to the log.
kmake() {
	make -C "$src" ARCH=x86_64 "$@" >>"$log" 2>&1
}

# check_fragment: print every option the fragment sets (or unsets) that
# does not have that value in the final .config.
check_fragment() {
	local line sym want got
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			want=$line
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			want=
			;;
		*) continue ;;
		esac
		got=$(grep -E "^(# )?${sym}[= ]" "${src}/.config" || true)
		if [[ -z $want ]]; then
			[[ -z $got || $got == "# $sym is not set" ]] ||
				printf '%s: wanted unset, got %s\n' "$sym" "$got"
		elif [[ $got != "$want" ]]; then
			printf '%s: wanted %s, got %s\n' "$sym" "$want" "${got:-nothing}"
		fi
	done <"$fragment"
}

start=$SECONDS
say "building debug kernel in $dir (log: $log)"

# Unpack once; a half-unpacked tree is never called src.
if [[ ! -d $src ]]; then
	say "unpacking $tarball"
	rm -rf "$src.tmp"
	mkdir "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 >>"$log" 2>&1
	mv "$src.tmp" "$src"
fi

# Configure once (the key covers the fragment, so the config never changes
# for a given directory).
if [[ ! -f $src/.mls-configured ]]; then
	say "configuring (tinyconfig + $(basename "$fragment"))"
	kmake tinyconfig
	(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$log" 2>&1
	kmake olddefconfig
	mismatches=$(check_fragment)
	if [[ -n $mismatches ]]; then
		printf '%s\n' "$mismatches" | tee -a "$log" >&2
		say "these options of $(basename "$fragment") did not survive Kconfig"
		false
	fi
	touch "$src/.mls-configured"
fi

say "compiling bzImage with -j$jobs (this takes a while)"
kmake -j"$jobs" bzImage
say "compiling modules_prepare and modules"
kmake -j"$jobs" modules_prepare
kmake -j"$jobs" modules
[[ -s $src/Module.symvers ]] || {
	say "no Module.symvers after 'make modules'"
	false
}

release=$(make -s -C "$src" ARCH=x86_64 kernelrelease 2>>"$log")
printf '%s\n' "$release" >"$dir/kernel.release.tmp"
mv -f "$dir/kernel.release.tmp" "$dir/kernel.release"
cp "$src/.config" "$dir/config.tmp"
mv -f "$dir/config.tmp" "$dir/config"

# Last: bzImage marks the build as complete.
cp "$src/arch/x86/boot/bzImage" "$dir/bzImage.tmp"
mv -f "$dir/bzImage.tmp" "$dir/bzImage"

trap - ERR
say "built $release in $((SECONDS - start))s"
printf '%s\n' "$dir"

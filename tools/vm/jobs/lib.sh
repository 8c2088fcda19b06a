# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the guest jobs.

# Module parameters from the host: mlsvm.params=a=1,b=2 on the command line.
module_params() {
	sed -n 's/.*mlsvm\.params=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' '
}

# Forget what the kernel leaked (or seemed to) before the tests: only
# objects the run leaves behind are reported.
kmemleak_baseline() {
	k=/sys/kernel/debug/kmemleak
	[ -w $k ] || return 0
	echo scan >$k
	echo clear >$k
}

# The CPU's crypto drivers, as udev loads them from the CPU's modalias on
# a normal boot (the initramfs has no udev): without them the kernel's AES
# is aes-generic and its SHA-256 sha256-generic, which no real system runs
# on. mlsvm.cpucrypto=0 on the command line leaves them out. Prints what
# it loaded.
load_cpu_crypto() {
	loaded=
	if ! grep -q 'mlsvm\.cpucrypto=0' /proc/cmdline; then
		for m in aesni_intel ghash_clmulni_intel sha256_ssse3 \
			 sha512_ssse3 chacha_x86_64 poly1305_x86_64; do
			modprobe "$m" 2>/dev/null && loaded="$loaded $m"
		done
	fi
	echo "# CPU crypto modules loaded:${loaded:- none}"
}

load_module() {
	# insmod does not read MODULE_SOFTDEP as modprobe would: load the
	# "pre:" modules it names first (built-ins and absent ones are fine).
	for m in $(modinfo -F softdep /mls/mls.ko | sed 's/^pre://'); do
		modprobe "$m" 2>/dev/null
	done
	# shellcheck disable=SC2046
	if ! insmod /mls/mls.ko $(module_params); then
		echo "not ok - insmod mls.ko"
		return 1
	fi
	echo "ok - insmod mls.ko"
}

# A clean unload: no group, fd or reference left behind.
unload_module() {
	if ! rmmod mls; then
		echo "not ok - rmmod mls"
		return 1
	fi
	if [ -e /sys/module/mls ]; then
		echo "not ok - mls still present after rmmod"
		return 1
	fi
	echo "ok - rmmod mls"
}

# On a kernel with kmemleak: scan twice (a scan only reports objects
# unreferenced for a while) and print what it finds into the kernel log,
# where the host's log check sees it.
kmemleak_check() {
	k=/sys/kernel/debug/kmemleak
	[ -w $k ] || return 0
	echo scan >$k
	sleep 6
	echo scan >$k
	leaks=$(cat $k)
	if [ -n "$leaks" ]; then
		echo "not ok - kmemleak: no unreferenced objects"
		echo "$leaks" | sed 's/^/# /'
		echo "$leaks" >/dev/kmsg
		return 1
	fi
	echo "ok - kmemleak: no unreferenced objects"
}

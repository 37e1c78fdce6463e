# SPDX-License-Identifier: Apache-2.0
# Just enough of Buildroot's package infrastructure (generic-package,
# host-generic-package, TARGET_FINALIZE_HOOKS, the toolchain and directory
# variables) to drive buildroot/package/berth/berth.mk as Buildroot does:
# extract (rsync of the local site), configure, build, install into
# TARGET_DIR, the host package first, finalize hooks last. Packages berth
# depends on besides host-berth are taken as present in the staging
# directory (the toolchain wrapper points at it).
# usage: make -f buildroot-shim.mk BR2_CONFIG=FILE OUT=DIR TARGET_CC=... all
BR2_EXTERNAL_BERTH_PATH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../../buildroot)
include $(BR2_CONFIG)
BUILD_DIR := $(OUT)/build
TARGET_DIR := $(OUT)/target
HOST_DIR := $(OUT)/host
INSTALL := /usr/bin/install
HOSTCC := gcc
HOST_CFLAGS := -O2
HOST_LDFLAGS :=
TARGET_CFLAGS ?= -Os
TARGET_LDFLAGS ?=
TARGET_MAKE_ENV := PATH=$(HOST_DIR)/bin:$(PATH)
HOST_MAKE_ENV := PATH=$(HOST_DIR)/bin:$(PATH)
qstrip = $(strip $(subst ",,$(1)))
define sep


endef
.PHONY: all cjson inih libseccomp zlib host-cjson host-inih host-zlib
all:
cjson inih libseccomp zlib host-cjson host-inih host-zlib:

# shim-package PKG name builddir
define shim-package
$(3)/.stamp_extracted:
	rm -rf $(3) && mkdir -p $(3)
	rsync -a --exclude .git $$(BERTH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS) $$(BERTH_SITE)/ $(3)/
	touch $$@
$(3)/.stamp_configured: $(3)/.stamp_extracted | $$($(1)_DEPENDENCIES)
	$$($(1)_CONFIGURE_CMDS)
	touch $$@
$(3)/.stamp_built: $(3)/.stamp_configured
	$$($(1)_BUILD_CMDS)
	touch $$@
$(3)/.stamp_installed: $(3)/.stamp_built
	$$(if $$(filter HOST_%,$(1)),$$($(1)_INSTALL_CMDS),$$($(1)_INSTALL_TARGET_CMDS))
	touch $$@
.PHONY: $(2)
$(2): $(3)/.stamp_installed
all: $(2)
TARGET_FINALIZE_HOOKS += $$($(1)_TARGET_FINALIZE_HOOKS)
ROOTFS_PRE_CMD_HOOKS += $$($(1)_ROOTFS_PRE_CMD_HOOKS)
endef
generic-package = $(call shim-package,BERTH,berth,$(BUILD_DIR)/berth-$(BERTH_VERSION))
host-generic-package = $(call shim-package,HOST_BERTH,host-berth,$(BUILD_DIR)/host-berth-$(BERTH_VERSION))

include $(BR2_EXTERNAL_BERTH_PATH)/external.mk

.PHONY: target-finalize
all: target-finalize
target-finalize: berth
	$(foreach h,$(TARGET_FINALIZE_HOOKS),$($(h))$(sep))

# A root filesystem as fs/common.mk makes one (run alone, after all, by
# the user who builds): a copy of the target, a fakeroot script that
# makes it root's, runs the ROOTFS_PRE_CMD hooks and archives it.
PRINTF = printf '$(subst $(sep),\n,$(subst %,%%,$(subst ','\'',$(subst \,\\,$(1)))))\n'
ROOTFS_DIR := $(OUT)/rootfs
.PHONY: rootfs
rootfs: TARGET_DIR = $(ROOTFS_DIR)/target
rootfs:
	rm -rf $(ROOTFS_DIR)/target && mkdir -p $(ROOTFS_DIR)
	rsync -aH $(OUT)/target/ $(TARGET_DIR)
	echo '#!/bin/sh' > $(ROOTFS_DIR)/fakeroot
	echo 'set -e' >> $(ROOTFS_DIR)/fakeroot
	echo "chown -h -R 0:0 $(TARGET_DIR)" >> $(ROOTFS_DIR)/fakeroot
	$(foreach hook,$(ROOTFS_PRE_CMD_HOOKS),$(call PRINTF,$($(hook))) >> $(ROOTFS_DIR)/fakeroot$(sep))
	echo "tar --numeric-owner -cf $(ROOTFS_DIR)/rootfs.tar -C $(TARGET_DIR) ." >> $(ROOTFS_DIR)/fakeroot
	chmod a+x $(ROOTFS_DIR)/fakeroot
	FAKEROOTDONTTRYCHOWN=1 fakeroot -- $(ROOTFS_DIR)/fakeroot

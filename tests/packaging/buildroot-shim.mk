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
.PHONY: all cjson inih libseccomp zlib host-cjson host-inih
all:
cjson inih libseccomp zlib host-cjson host-inih:

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
endef
generic-package = $(call shim-package,BERTH,berth,$(BUILD_DIR)/berth-$(BERTH_VERSION))
host-generic-package = $(call shim-package,HOST_BERTH,host-berth,$(BUILD_DIR)/host-berth-$(BERTH_VERSION))

include $(BR2_EXTERNAL_BERTH_PATH)/external.mk

.PHONY: target-finalize
all: target-finalize
target-finalize: berth
	$(foreach h,$(TARGET_FINALIZE_HOOKS),$($(h))$(sep))

################################################################################
#
# berth
#
################################################################################

BERTH_VERSION = 0.1.0
BERTH_SITE = $(BR2_EXTERNAL_BERTH_PATH)/..
BERTH_SITE_METHOD = local
BERTH_LICENSE = Apache-2.0
BERTH_LICENSE_FILES = LICENSE
# The source tree's own build output and dependency sysroots stay behind.
BERTH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude build --exclude deps
HOST_BERTH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = $(BERTH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS)
BERTH_DEPENDENCIES = cjson \
	$(if $(BR2_PACKAGE_BERTH_SUPERVISOR),inih) \
	$(if $(BR2_PACKAGE_BERTH_SECCOMP),libseccomp) \
	$(if $(BR2_PACKAGE_BERTH_IMAGES),zlib)
HOST_BERTH_DEPENDENCIES = host-cjson host-inih host-zlib

BERTH_SERVICE_DIR = $(call qstrip,$(BR2_PACKAGE_BERTH_SERVICE_DIR))
BERTH_SERVICES = $(call qstrip,$(BR2_PACKAGE_BERTH_SERVICES))
BERTH_IMAGE_IMPORTS = $(call qstrip,$(BR2_PACKAGE_BERTH_IMAGE_IMPORTS))
# Service files are checked, and images imported, by the build host's berth.
ifneq ($(BERTH_SERVICES)$(BR2_PACKAGE_BERTH_EXAMPLES)$(BERTH_IMAGE_IMPORTS),)
BERTH_DEPENDENCIES += host-berth
endif

# berth's .config from the BR2_PACKAGE_BERTH_* choices: one BR2 option may
# stand for several of berth's Kconfig symbols. --systemd-cgroup only in
# an image whose init is systemd. An arm64 kernel with 4 KiB pages lets
# the binary drop its 64 KiB segment padding.
# (Each option named whole, so that utils/check-symbols sees it used.)
berth-kconfig = $(foreach s,$(2),CONFIG_$(s)=$(if $(1),y,n))
BERTH_KCONFIG = CONFIG_JSON=y \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_OCI_RUNTIME),OCI_RUNTIME) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_EXTRA_COMMANDS),CMD_SPEC CMD_UPDATE CMD_PAUSE CMD_PS CMD_EVENTS CMD_FEATURES) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_HOOKS),HOOKS) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_TERMINAL),TERMINAL) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_SUPERVISOR),INI CMD_CHECK SUPERVISOR) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_WATCHDOG),WATCHDOG) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_NETWORK),NETWORK NET_PUBLISH) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_INIT),INIT) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_IMAGES),IMAGE_STORE) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_SECCOMP),SECCOMP SECCOMP_CACHE) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_USERNS),USERNS IDMAP_MOUNTS) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_CGROUP_V1),CGROUP_V1) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_CGROUP_V2),CGROUP_V2 CGROUP_BPF_DEVICES) \
	$(call berth-kconfig,$(BR2_PACKAGE_BERTH_LSM),APPARMOR SELINUX) \
	CONFIG_SYSTEMD_CGROUP=$(if $(and $(BR2_INIT_SYSTEMD),$(BR2_PACKAGE_BERTH_CGROUP_V2)),y,n) \
	CONFIG_LINK_4K_PAGES=$(if $(BR2_ARM64_PAGE_SIZE_4K),y,n)

# DEPS=system: Buildroot's cross compiler, flags and staging libraries;
# Buildroot strips the binary itself.
BERTH_MAKE_OPTS = DEPS=system O=output \
	CC="$(TARGET_CC)" CFLAGS="$(TARGET_CFLAGS)" LDFLAGS="$(TARGET_LDFLAGS)" \
	$(if $(BR2_STATIC_LIBS),STATIC=1)

define BERTH_CONFIGURE_CMDS
	mkdir -p $(@D)/output
	for w in $(BERTH_KCONFIG); do echo "$$w"; done | \
		sed 's/^\(CONFIG_[A-Z0-9_]*\)=n$$/# \1 is not set/' > $(@D)/output/.config
	$(if $(BR2_PACKAGE_BERTH_SUPERVISOR),\
		echo 'CONFIG_SERVICE_DIR="$(BERTH_SERVICE_DIR)"' >> $(@D)/output/.config)
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) O=output olddefconfig
endef

define BERTH_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(BERTH_MAKE_OPTS)
endef

ifeq ($(BR2_PACKAGE_BERTH_EXAMPLES),y)
define BERTH_INSTALL_EXAMPLES
	$(HOST_DIR)/bin/berth check -q $(@D)/board/common/overlay/etc/berth
	mkdir -p $(TARGET_DIR)/usr/share/berth/examples
	$(INSTALL) -m 0644 $(@D)/board/common/overlay/etc/berth/*.conf \
		$(TARGET_DIR)/usr/share/berth/examples/
endef
endif

# Every directory is checked before any file is installed: an error
# leaves the target's service directory as it was. They are checked for
# the berth just built (its .config): a file that asks for what it left
# out (seccomp =, [network]...) fails here, not at boot. The files they
# name (seccomp profiles, bundles) are looked up in the root filesystem
# as it will be: the overlays (the last copied first), then the target
# directory; device nodes the kernel makes at boot. The examples above
# are documentation, checked for what any berth can do.
berth-reverse = $(if $(1),$(call berth-reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
BERTH_SYSROOTS = $(foreach d,$(call berth-reverse,$(call qstrip,$(BR2_ROOTFS_OVERLAY))),--sysroot $(d)) \
	--sysroot $(TARGET_DIR)
ifneq ($(BERTH_SERVICES),)
define BERTH_INSTALL_SERVICES
	$(foreach d,$(BERTH_SERVICES),\
		$(HOST_DIR)/bin/berth check -q --config $(@D)/output/.config $(BERTH_SYSROOTS) $(d)$(sep))
	mkdir -p $(TARGET_DIR)$(BERTH_SERVICE_DIR)
	$(foreach d,$(BERTH_SERVICES),$(INSTALL) -m 0644 $(d)/*.conf $(TARGET_DIR)$(BERTH_SERVICE_DIR)/$(sep))
endef
endif

define BERTH_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(BERTH_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install-bin
	$(BERTH_INSTALL_EXAMPLES)
	$(BERTH_INSTALL_SERVICES)
endef

# After every package has installed (busybox's inittab and init link
# included): make berth the init, or a respawned service of busybox init.
# With a merged /usr, /sbin is /usr/sbin: the link sits beside berth.
ifeq ($(BR2_PACKAGE_BERTH_START_INIT),y)
define BERTH_START_AT_BOOT
	ln -sf $(if $(BR2_ROOTFS_MERGED_USR),berth,../usr/sbin/berth) $(TARGET_DIR)/sbin/init
endef
else ifeq ($(BR2_PACKAGE_BERTH_START_INITTAB),y)
# The lines go into the init's own inittab, as busybox.mk's getty and
# petitboot.mk's kexec do: busybox's (no ids, no runlevels) or sysvinit's
# (id:runlevels:action:process). cgroup2 is mounted if nothing else has.
BERTH_CGROUP_MOUNT = /bin/sh -c "mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup"
ifeq ($(BR2_INIT_SYSV),y)
BERTH_INITTAB = 'bcg0::sysinit:$(BERTH_CGROUP_MOUNT)' 'brth:2345:respawn:/usr/sbin/berth supervise'
else
BERTH_INITTAB = '::sysinit:$(BERTH_CGROUP_MOUNT)' '::respawn:/usr/sbin/berth supervise'
endif
define BERTH_START_AT_BOOT
	grep -q 'berth supervise' $(TARGET_DIR)/etc/inittab || \
		printf '%s\n' $(BERTH_INITTAB) >> $(TARGET_DIR)/etc/inittab
endef
endif
ifneq ($(BERTH_START_AT_BOOT),)
BERTH_TARGET_FINALIZE_HOOKS += BERTH_START_AT_BOOT
endif

# Images go into the store while the root filesystem is made, inside
# Buildroot's fakeroot (a ROOTFS_PRE_CMD hook, after its chown to root):
# host-berth then keeps the owners an import as root keeps.
ifneq ($(BERTH_IMAGE_IMPORTS),)
define BERTH_IMPORT_IMAGES
	$(foreach i,$(BERTH_IMAGE_IMPORTS),\
		$(HOST_DIR)/bin/berth image --store $(TARGET_DIR)/var/lib/berth/images \
			import $(firstword $(subst =, ,$(i))) $(word 2,$(subst =, ,$(i)))$(sep))
endef
BERTH_ROOTFS_PRE_CMD_HOOKS += BERTH_IMPORT_IMAGES
endif

# host-berth: `berth check` and `berth image import`, for the service
# files and images above.
define HOST_BERTH_CONFIGURE_CMDS
	$(HOST_MAKE_ENV) $(MAKE) -C $(@D) O=output host_defconfig
endef

define HOST_BERTH_BUILD_CMDS
	$(HOST_MAKE_ENV) $(MAKE) -C $(@D) HOST=1 O=output \
		CC="$(HOSTCC)" CFLAGS="$(HOST_CFLAGS)" LDFLAGS="$(HOST_LDFLAGS)"
endef

define HOST_BERTH_INSTALL_CMDS
	$(INSTALL) -D -m 0755 $(@D)/output/berth $(HOST_DIR)/bin/berth
endef

$(eval $(generic-package))
$(eval $(host-generic-package))

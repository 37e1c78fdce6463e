/* SPDX-License-Identifier: Apache-2.0 */
/* The new mount API (Linux 5.2; mount_setattr 5.12): its system call
 * numbers and constants as the kernel's uapi gives them, for a libc whose
 * headers do not. The numbers are the same on every architecture berth
 * builds for (the calls came after the tables were unified). The names end
 * in _ where a newer libc or uapi header would define them too. */
#ifndef BERTH_LINUX_MOUNTAPI_H
#define BERTH_LINUX_MOUNTAPI_H
#include <stdint.h>
#include <sys/syscall.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#define OPEN_TREE_CLONE_ 1
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x04
#define MOVE_MOUNT_T_EMPTY_PATH_ 0x40
#define FSOPEN_CLOEXEC_ 1
#define FSCONFIG_SET_FLAG_ 0
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define FSMOUNT_CLOEXEC_ 1
#define MOUNT_ATTR_RDONLY_ 0x1
#define MOUNT_ATTR_NOSUID_ 0x2
#define MOUNT_ATTR_NODEV_ 0x4
#define MOUNT_ATTR_IDMAP_ 0x00100000

struct mount_attr_ {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* The steps of container creation, one file each under src/linux/. Each
 * returns 0 or logs what failed and returns -1. They run in the order
 * launch.c lists them. */
#ifndef BERTH_LINUX_H
#define BERTH_LINUX_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "berth/config.h"
#include "berth/spec/spec.h"

struct fences;

/* namespaces.c */
/* clone(2) flags for the namespaces created with the init process. The
 * cgroup namespace is left out: it must be unshared after the process has
 * been moved into its cgroup. */
int ns_clone_flags(const struct spec *s);
/* pid and time namespaces apply to children only, so the runtime enters
 * them (joining by path, or creating a time namespace with its offsets)
 * around the clone and restores its own afterwards. */
struct ns_saved {
	int pid_fd, time_fd;
};
int ns_enter_for_children(const struct spec *s, struct ns_saved *saved);
void ns_restore(struct ns_saved *saved);
/* In the init process: join the namespaces given by path (all but the
 * user namespace, which the runtime's helper joined before the clone). */
int ns_join_paths(const struct spec *s);
int ns_unshare_cgroup(const struct spec *s);
int ns_set_names(const struct spec *s);

/* userns.c (CONFIG_USERNS; validate refuses user namespaces without it) */
#ifdef CONFIG_USERNS
int userns_write_maps(const struct spec *s, pid_t pid);
/* One map file ("uid_map", "gid_map") of pid; field names it in errors. */
int userns_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n, const char *field);
int userns_become_root(const struct spec *s);
#else
static inline int userns_write_maps(const struct spec *s, pid_t pid) { (void)s, (void)pid; return 0; }
static inline int userns_become_root(const struct spec *s) { (void)s; return 0; }
#endif

/* rootfs.c: the mount namespace as a whole */
/* Before the mounts: propagation, the root (an image's mount, image, or an
 * overlay under state_dir, or root.path) bound onto itself. Returns an
 * O_PATH fd of that new root, from which every path inside is resolved. */
int rootfs_prepare(const struct spec *s, const char *state_dir, int image);

/* image.c (IMAGE_ROOT). In the runtime: the image file (root_image), its
 * rootfs-digest checked (a checked version kept in digest_dir), on a loop
 * device, mounted read-only and detached; its fd. In init: that
 * mount and the overlay over it or over root.path, attached in init's
 * mount namespace under state_dir/image; the root to use goes to root. */
#if defined(CONFIG_IMAGE_ROOT) && defined(CONFIG_OCI_RUNTIME)
int image_root_detached(const struct spec *s, const char *digest_dir);
int image_root_mount(const struct spec *s, const char *state_dir, int image, char *root, size_t cap);
#else
static inline int image_root_detached(const struct spec *s, const char *d) { (void)s, (void)d; return -1; }
static inline int image_root_mount(const struct spec *s, const char *d, int image, char *root, size_t cap)
{
	(void)d, (void)image;
	snprintf(root, cap, "%s", s->root_path);
	return 0;
}
#endif
/* pivot_root, or MS_MOVE + chroot on an initramfs (always with no_pivot,
 * runc's --no-pivot). */
int rootfs_pivot(const struct spec *s, int rootfd, bool no_pivot);
int rootfs_finish(const struct spec *s);	/* read-only root, final propagation */

/* mountat.c: mount(2) onto paths inside the root (rootfd), resolved by
 * fd, never by string (berth/inroot.h). Each returns 0, or -1 with errno
 * set and nothing logged: the caller says which mount. `how` is a set of
 * inroot_flags: INROOT_MKDIR or INROOT_MKFILE make the mount point,
 * INROOT_NO_SYMLINKS refuses a path through symlinks (procfs, sysfs). */
int mount_at(int rootfd, const char *dest, unsigned how, const char *src, const char *type, unsigned long flags,
	     const char *data);
/* An O_PATH fd of what is mounted at dest now (resolved again: a path
 * through the mount point's old fd names the directory underneath). */
int mounted_at(int rootfd, const char *dest, unsigned how);
/* copyup.c: tmpcopyup. Copy the directory `from` (an fd of the image's
 * directory, now covered) into `to` (the fresh tmpfs's root), following
 * nothing; the root takes from's owner, and its mode unless keep_mode.
 * path names it in messages. */
int copy_up(int from, int to, const char *path, bool keep_mode);
/* MS_REMOUNT | flags on the mount at dest; with MS_BIND, the flags the
 * kernel locks in a user namespace are kept. */
int remount_at(int rootfd, const char *dest, unsigned how, unsigned long flags, const char *data);
int propagate_at(int rootfd, const char *dest, unsigned how, unsigned long propagation);
/* Flags a bind remount of the mount holding fd must repeat. */
unsigned long mount_locked_flags(int fd);

/* mounts.c */
/* cgroup_path: the container's cgroup, for "cgroup" mounts. made: NULL,
 * or for each mount a detached mount (open_tree) to attach there as it
 * is, or -1. f: the host's directories containers can write (bind
 * sources below one are resolved inside it). */
int mounts_setup(const struct spec *s, int rootfd, const char *cgroup_path, const int *made, const struct fences *f);
/* A bind mount's source, opened O_PATH: the config's author's path,
 * followed as written down to a directory a container can write (f),
 * and inside it below that (host_open_fenced): a link a container
 * planted in place of a directory on the way to a nested source never
 * leads the next start to mount the host's root (the class of
 * Kubernetes' subPath CVE-2017-1002101). -1 logged. */
int bind_source_open(const char *src, const struct fences *f, const char *what);

/* move_mount(2) of a detached mount onto dest (resolved as mount_at). */
int move_mount_at(int rootfd, const char *dest, unsigned how, int detached);

/* idmount.c (CONFIG_IDMAP_MOUNTS): mounts[i] as an idmapped bind mount,
 * detached (open_tree + mount_setattr), made by the runtime: with the
 * mount's own mappings (in a user namespace made for them), or those of
 * the user namespace of init_pid. Returns its fd, or -1 (logged). */
#ifdef CONFIG_IDMAP_MOUNTS
int idmount_make(const struct spec *s, size_t i, pid_t init_pid, const struct fences *f);
#else
static inline int idmount_make(const struct spec *s, size_t i, pid_t init_pid, const struct fences *f)
{
	(void)s, (void)i, (void)init_pid, (void)f;
	return -1;
}
#endif

/* devices.c */
int devices_setup(const struct spec *s, int rootfd);
/* Allow, after linux.resources.devices, what the container was given. */
void devices_cgroup_rules(struct spec *s);

/* paths.c */
int paths_mask_and_protect(const struct spec *s, int rootfd);

/* sysctl.c */
int sysctl_apply(const struct spec *s, int rootfd);

/* sched.c (CONFIG_SCHED): process.scheduler and process.ioPriority */
#ifdef CONFIG_SCHED
int process_sched(const struct spec *s);
#else
static inline int process_sched(const struct spec *s) { (void)s; return 0; }
#endif
/* personality.c (CONFIG_PERSONALITY): linux.personality */
#ifdef CONFIG_PERSONALITY
int process_personality(const struct spec *s);
#else
static inline int process_personality(const struct spec *s) { (void)s; return 0; }
#endif
/* lsm.c (CONFIG_APPARMOR or CONFIG_SELINUX): labels for the next exec */
#if defined(CONFIG_APPARMOR) || defined(CONFIG_SELINUX)
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
int lsm_apply(const struct spec *s);
/* Mount data with linux.mountLabel's context= added (SELinux only). */
const char *lsm_mount_data(const struct spec *s, const char *data, char *buf, size_t cap);
#else
static inline bool lsm_apparmor_enabled(void) { return false; }
static inline bool lsm_selinux_enabled(void) { return false; }
static inline int lsm_apply(const struct spec *s) { (void)s; return 0; }
static inline const char *lsm_mount_data(const struct spec *s, const char *d, char *b, size_t c) { (void)s, (void)b, (void)c; return d; }
#endif

/* process.c */
int process_limits(const struct spec *s);	/* rlimits, oom_score_adj */
int process_identity(const struct spec *s);	/* groups, gid, uid, keeping caps */
int process_set_gid_uid(gid_t gid, uid_t uid);	/* setresgid, then setresuid, this thread only */
/* chdir to process.cwd, resolved inside the current root (after pivot_root
 * or setns), never through magic links, checked to be reachable. */
int process_cwd(const struct spec *s);
/* process.cwd made if missing, before pivot_root, as root. */
int process_make_cwd(const struct spec *s, int rootfd);
/* args[0] looked up in the container's $PATH (checked before the container
 * is reported created, as runc does). */
int process_find_exec(const struct spec *s, char *out, size_t cap);
/* execve; only returns on failure. */
int process_exec(const struct spec *s, const char *path);

/* caps.c */
int caps_drop_bounding(const struct spec *s);
int caps_apply(const struct spec *s);

/* tty.c (INIT, CMD_CONSOLE_SHELL): asks the terminal on fd where its cursor
 * is, once; where nothing answers within timeout_ms (a record of the
 * console, not a person's terminal), turns echo off (ECHONL kept), so that
 * a shell reads plain lines and sends no more queries. 1 if the terminal
 * answered, 0 if not, -1 if fd is not a terminal. */
int tty_choose_line_mode(int fd, int timeout_ms);
/* How long a terminal may take to answer: a console reached over a
 * network (ser2net, a remote KVM) answers in tens of milliseconds. */
#define TTY_ANSWER_MS 2000
/* The answer as it comes in, in pieces, with whatever else was typed:
 * true once the bytes so far hold ESC [ ROW ; COL R. */
struct tty_answer {
	char buf[64];
	size_t n;
};
bool tty_answer_feed(struct tty_answer *a, const char *bytes, size_t n);

/* console.c (CONFIG_TERMINAL; validate refuses process.terminal without it) */
#ifdef CONFIG_TERMINAL
/* In the container: a new pty from its devpts becomes the controlling
 * terminal and stdio (and /dev/console if make_console); returns the master. */
int console_open(const struct spec_process *p, bool make_console);
/* In the runtime: hand the master to --console-socket (SCM_RIGHTS). */
int console_send(const char *socket_path, int master);
#else
static inline int console_open(const struct spec_process *p, bool c) { (void)p, (void)c; return -1; }
static inline int console_send(const char *s, int m) { (void)s, (void)m; return -1; }
#endif

/* seccomp.c (CONFIG_SECCOMP; validate refuses linux.seccomp without it) */
#ifdef CONFIG_SECCOMP
/* In the runtime: the filter for sc, from <cache_dir> or compiled. */
int seccomp_filter_prepare(const struct spec_seccomp *sc, const char *cache_dir, struct seccomp_filter *f);
void seccomp_filter_free(struct seccomp_filter *f);
/* In init: load it; returns the listener fd (SCMP_ACT_NOTIFY) or 0. */
int seccomp_filter_load(const struct seccomp_filter *f);
int seccomp_filter_send_listener(const struct spec_seccomp *sc, const char *state_json, pid_t pid, int listener);
#else
static inline int seccomp_filter_prepare(const struct spec_seccomp *sc, const char *d, struct seccomp_filter *f) { (void)sc, (void)d, (void)f; return 0; }
static inline void seccomp_filter_free(struct seccomp_filter *f) { (void)f; }
static inline int seccomp_filter_load(const struct seccomp_filter *f) { (void)f; return 0; }
static inline int seccomp_filter_send_listener(const struct spec_seccomp *sc, const char *j, pid_t p, int l) { (void)sc, (void)j, (void)p, (void)l; return -1; }
#endif

/* fds.c */
/* Mark every fd from 3 + preserve up as close-on-exec. */
int fds_close_on_exec(int preserve);
/* Its walk of /proc/self/fd, where close_range is missing (tests call it). */
int fds_cloexec_walk(unsigned first);

/* protect_exe.c (CONFIG_PROTECT_EXE) */
/* Re-exec from a sealed copy unless already done or unnecessary (a
 * read-only filesystem); returns 0 when nothing needed doing, -1 (logged)
 * when it could not be done. */
#ifdef CONFIG_PROTECT_EXE
int protect_exe(char **argv);
#else
static inline int protect_exe(char **argv) { (void)argv; return 0; }
#endif

#endif

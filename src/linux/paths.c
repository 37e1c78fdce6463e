/* SPDX-License-Identifier: Apache-2.0 */
/* linux.maskedPaths and linux.readonlyPaths, resolved by fd inside the
 * new root once its mounts (and /proc, checked to be a fresh procfs) are
 * in place. A path the container does not have is nothing to protect;
 * any other failure is an error, never skipped in silence. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"

static bool absent(int err)
{
	return err == ENOENT || err == ENOTDIR;
}

static int mask(int rootfd, const char *path)
{
	int fd = inroot_open(rootfd, path, 0);
	if (fd < 0)
		return absent(errno) ? 0 : log_error("linux.maskedPaths %s: %m", path);
	struct stat st;
	struct fd_path p;
	int r = fstat(fd, &st);
	if (r == 0)
		r = S_ISDIR(st.st_mode) ? mount("tmpfs", fd_path(fd, &p), "tmpfs", MS_RDONLY, "size=0")
					: mount("/dev/null", fd_path(fd, &p), NULL, MS_BIND, NULL);
	close(fd);
	return r < 0 ? log_error("linux.maskedPaths %s: %m", path) : 0;
}

static int protect(int rootfd, const char *path)
{
	int fd = inroot_open(rootfd, path, 0);
	if (fd < 0)
		return absent(errno) ? 0 : log_error("linux.readonlyPaths %s: %m", path);
	struct fd_path p;
	int r = mount(fd_path(fd, &p), p.s, NULL, MS_BIND | MS_REC, NULL);
	close(fd);
	if (r < 0)
		return log_error("linux.readonlyPaths %s: %m", path);
	if (remount_at(rootfd, path, 0, MS_BIND | MS_RDONLY, NULL) < 0)
		return log_error("linux.readonlyPaths %s: remounting read-only: %m", path);
	return 0;
}

int paths_mask_and_protect(const struct spec *s, int rootfd)
{
	for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
		if (mask(rootfd, s->masked_paths[i]) < 0)
			return -1;
	for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
		if (protect(rootfd, s->readonly_paths[i]) < 0)
			return -1;
	return 0;
}

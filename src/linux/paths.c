/* linux.maskedPaths and linux.readonlyPaths, applied inside the new root. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "berth/linux.h"
#include "berth/log.h"

static int mask(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : log_error("linux.maskedPaths %s: %m", path);
	int r = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
				    : mount("/dev/null", path, NULL, MS_BIND, NULL);
	if (r < 0)
		return log_error("linux.maskedPaths %s: %m", path);
	return 0;
}

static int protect(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : log_error("linux.readonlyPaths %s: %m", path);
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_locked_flags(path), NULL) < 0)
		return log_error("linux.readonlyPaths %s: remounting read-only: %m", path);
	return 0;
}

int paths_mask_and_protect(const struct spec *s)
{
	for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
		if (mask(s->masked_paths[i]) < 0)
			return -1;
	for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
		if (protect(s->readonly_paths[i]) < 0)
			return -1;
	return 0;
}

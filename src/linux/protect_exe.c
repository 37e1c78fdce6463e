/* SPDX-License-Identifier: Apache-2.0 */
/* CVE-2019-5736: a container that can open /proc/<pid>/exe of a runtime
 * process inside it could rewrite the runtime binary on the host. Running
 * from a sealed memfd copy makes that file unwritable. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/trace.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int protect_exe(char **argv)
{
	int exe = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return log_error("/proc/self/exe: %m (is /proc mounted?)");
	int seals = fcntl(exe, F_GET_SEALS);
	struct statfs sf;
	/* Already a sealed copy, or on a read-only filesystem (squashfs on
	 * most firmware) that no container can write either. */
	if ((seals >= 0 && (seals & SEALS) == SEALS) || (fstatfs(exe, &sf) == 0 && (sf.f_flags & ST_RDONLY))) {
		close(exe);
		return 0;
	}
	struct stat st;
	int mem = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int r = -1;
	if (mem < 0 || fstat(exe, &st) < 0) {
		log_error("protecting the berth binary: memfd: %m");
		goto out;
	}
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(mem, exe, &off, (size_t)(st.st_size - off));
		if (n <= 0) {
			log_error("protecting the berth binary: copy: %m");
			goto out;
		}
	}
	if (fcntl(mem, F_ADD_SEALS, SEALS) < 0) {
		log_error("protecting the berth binary: sealing: %m");
		goto out;
	}
	TRACE("sealed copy made");
	fexecve(mem, argv, environ);
	log_error("protecting the berth binary: exec of the sealed copy: %m");
out:
	close(exe);
	if (mem >= 0)
		close(mem);
	return r;
}

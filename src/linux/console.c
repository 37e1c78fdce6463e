/* SPDX-License-Identifier: Apache-2.0 */
/* process.terminal: a pty made inside the container, from its own devpts,
 * so that the slave's name and permissions are the container's. The
 * slave becomes the process's controlling terminal, its stdio and
 * /dev/console; the master goes out to the runtime, which hands it to
 * --console-socket (containerd's shim, conmon) or relays it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* A character device of the container's /dev, kept only if it is `dev`,
 * and checked before anything is done with it: the container's processes
 * may have made any name there a link to /proc/self/fd/0, which opens
 * the runtime's own stdin (a file of the host). */
static int open_device(const char *path, dev_t dev)
{
	struct stat st;
	int fd = openat(AT_FDCWD, path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != dev)) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

/* /dev/console as a bind mount of the slave, by fd both ways (made
 * inside the root, without magic links): programs that write to the
 * console reach the terminal the user sees. */
static int bind_console(int slave)
{
	struct fd_path from, to;
	int root = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = inroot_open(root, "/dev/console", INROOT_MKFILE);
	if (root >= 0)
		close(root);
	if (fd < 0)
		return -1;
	int r = mount(fd_path(slave, &from), fd_path(fd, &to), NULL, MS_BIND, NULL);
	close(fd);
	return r;
}

/* "/" is the container's root here (after pivot_root, or in the
 * namespaces `exec` joined), arranged by processes berth does not trust. */
int console_open(const struct spec_process *p, bool make_console)
{
	int master = open_device("/dev/ptmx", makedev(5, 2)), fd = -1, n, unlock = 0;
	char slave[32];
	if (master < 0) {
		log_error("process.terminal: /dev/ptmx: %m (is /dev/pts mounted?)");
		goto out;
	}
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) {
		log_error("process.terminal: unlocking the pty: %m");
		goto fail;
	}
	snprintf(slave, sizeof(slave), "/dev/pts/%d", n);
	if (p->console_width || p->console_height) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height, .ws_col = (unsigned short)p->console_width };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	/* The slave by its master, not by its name, which the container can
	 * point anywhere (runc's CVE-2025-52565); by name, checked, only
	 * where the kernel cannot (before 4.13). */
	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && (fd = open_device(slave, makedev(136, (unsigned)n))) < 0) {
		log_error("process.terminal: %s: %m", slave);
		goto fail;
	}
	/* The container's uid must own its terminal, as with a login. */
	if (fchownat(fd, "", p->uid, (gid_t)-1, AT_EMPTY_PATH) < 0)
		log_debug("process.terminal: chown %s: %m", slave);
	if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
	    (make_console && bind_console(fd) < 0)) {
		log_error("process.terminal: making %s the controlling terminal: %m", slave);
		goto fail;
	}
	goto out;
fail:
	close(master);
	master = -1;
out:
	if (fd >= 0)
		close(fd);
	return master;
}

int console_send(const char *socket_path, int master)
{
	int sock = unix_connect(socket_path);
	if (sock < 0)
		return log_error("--console-socket %s: %m", socket_path);
	/* runc sends the pty's name as the message; conmon and the shims
	 * only take the fd, but keep the same shape. */
	char name[64] = "/dev/ptmx";
	int n = -1;
	if (ioctl(master, TIOCGPTN, &n) == 0)
		snprintf(name, sizeof(name), "/dev/pts/%d", n);
	int r = send_with_fd(sock, name, strlen(name), master) < 0 ? log_error("--console-socket %s: sending the terminal: %m", socket_path) : 0;
	close(sock);
	return r;
}

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
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* /dev/console as a bind mount of the slave: programs that write to the
 * console reach the terminal the user sees. */
static int bind_console(const char *slave)
{
	int fd = openat(AT_FDCWD, "/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error("process.terminal: /dev/console: %m");
	close(fd);
	if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return log_error("process.terminal: binding %s on /dev/console: %m", slave);
	return 0;
}

int console_open(const struct spec_process *p, bool make_console)
{
	int master = openat(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return log_error("process.terminal: /dev/ptmx: %m (is /dev/pts mounted?)");
	int n, unlock = 0;
	char slave[64];
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) {
		close(master);
		return log_error("process.terminal: unlocking the pty: %m");
	}
	snprintf(slave, sizeof(slave), "/dev/pts/%d", n);
	if (p->console_width || p->console_height) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height, .ws_col = (unsigned short)p->console_width };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	int fd = openat(AT_FDCWD, slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		close(master);
		return log_error("process.terminal: %s: %m", slave);
	}
	/* The container's uid must own its terminal, as with a login. */
	if (fchown(fd, p->uid, (gid_t)-1) < 0)
		log_debug("process.terminal: chown %s: %m", slave);
	if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
	    (make_console && bind_console(slave) < 0)) {
		log_error("process.terminal: making %s the controlling terminal: %m", slave);
		close(fd);
		close(master);
		return -1;
	}
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

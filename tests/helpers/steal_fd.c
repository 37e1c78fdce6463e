/* SPDX-License-Identifier: Apache-2.0 */
/* steal_fd PID FD: take a copy of another process's fd (pidfd_getfd,
 * Linux 5.6+, which asks what ptrace would: the target dumpable, or
 * CAP_SYS_PTRACE where its memory was made) and print what it reads.
 * Built static, to run inside a test container. Exits 0 when it got
 * the fd, 1 when refused (errno's message on stderr), 2 when the kernel
 * has no pidfd_getfd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	int fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, atoi(argv[2]), 0);
	if (fd < 0) {
		fprintf(stderr, "steal_fd: %s\n", strerror(errno));
		return errno == ENOSYS ? 2 : 1;
	}
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	if (n > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

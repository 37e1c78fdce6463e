/* SPDX-License-Identifier: Apache-2.0 */
/* For the test helpers that stand in for a runtime's peers (a seccomp
 * agent, a console-socket receiver): listen on a unix socket, accept one
 * connection and take the one message and fd it carries. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Returns the fd received (the message, NUL-terminated, in buf), or -1. */
static int receive_fd(const char *path, char *buf, size_t cap)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)
		return perror("bind"), -1;
	int c = accept(s, NULL, NULL);
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, cap - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(c, &m, 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (n < 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return fprintf(stderr, "%s: no fd received\n", path), -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	buf[n] = 0;
	return fd;
}

/* A minimal seccomp agent for the SCMP_ACT_NOTIFY test: accepts one
 * connection on argv[1], writes the runtime's JSON message to argv[2],
 * then answers every notification with errno argv[3] until the listener
 * closes (the container exited). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/seccomp.h>

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)
		return perror("bind"), 1;
	int c = accept(s, NULL, NULL);
	char buf[8192];
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(c, &m, 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (n <= 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return fprintf(stderr, "agent: no fd received\n"), 1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	buf[n] = 0;
	FILE *out = fopen(argv[2], "w");
	fprintf(out, "%s\n", buf);
	fclose(out);
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			return errno == ENOENT || errno == EINTR ? 0 : 0;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.error = -atoi(argv[3]);
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

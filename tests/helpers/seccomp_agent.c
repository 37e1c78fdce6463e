/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal seccomp agent for the SCMP_ACT_NOTIFY test: accepts one
 * connection on argv[1], writes the runtime's JSON message to argv[2],
 * then answers every notification with errno argv[3] until the listener
 * closes (the container exited). */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/seccomp.h>
#include "recv_fd.h"

int main(int argc, char **argv)
{
	char buf[8192];
	if (argc != 4)
		return 2;
	int fd = receive_fd(argv[1], buf, sizeof(buf));
	if (fd < 0)
		return 1;
	FILE *out = fopen(argv[2], "w");
	fprintf(out, "%s\n", buf);
	fclose(out);
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			return 0;	/* the container is gone */
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.error = -atoi(argv[3]);
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/* stuck_fuse DIR: mount a FUSE filesystem on DIR that never answers, so
 * that every look under DIR blocks (killably) until this program exits:
 * a mount that hangs, as a dead NFS server or a hostile FUSE daemon
 * makes one. Prints "mounted" once it is; exits on SIGTERM, and the
 * kernel then fails what was waiting with ENOTCONN. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: stuck_fuse DIR\n");
		return 2;
	}
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/fuse");
		return 1;
	}
	char opts[128];
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40755,user_id=0,group_id=0,allow_other", fd);
	if (mount("stuck", argv[1], "fuse.stuck", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("mount");
		return 1;
	}
	printf("mounted\n");
	fflush(stdout);
	/* Never read /dev/fuse: the INIT request stays unanswered. */
	for (;;)
		pause();
}

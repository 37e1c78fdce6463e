/* The other end of --console-socket, as containerd's shim or conmon:
 * accepts one connection on argv[1], takes the pty master it carries,
 * writes the message (the pty's name) to argv[2], types argv[3] into
 * the terminal, then copies what the container writes to stdout until
 * the terminal closes. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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
	char buf[4096], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(c, &m, 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (n < 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return fprintf(stderr, "receiver: no fd\n"), 1;
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(master));
	buf[n] = 0;
	FILE *f = fopen(argv[2], "w");
	fprintf(f, "%s\n", buf);
	fclose(f);
	write(master, argv[3], strlen(argv[3]));
	while ((n = read(master, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

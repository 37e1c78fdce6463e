/* SPDX-License-Identifier: Apache-2.0 */
/* The other end of --console-socket, as containerd's shim or conmon:
 * accepts one connection on argv[1], takes the pty master it carries,
 * writes the message (the pty's name) to argv[2], types argv[3] into
 * the terminal, then copies what the container writes to stdout until
 * the terminal closes. */
#include "recv_fd.h"

int main(int argc, char **argv)
{
	char buf[4096];
	if (argc != 4)
		return 2;
	int master = receive_fd(argv[1], buf, sizeof(buf));
	if (master < 0)
		return 1;
	FILE *f = fopen(argv[2], "w");
	fprintf(f, "%s\n", buf);
	fclose(f);
	write(master, argv[3], strlen(argv[3]));
	ssize_t n;
	while ((n = read(master, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

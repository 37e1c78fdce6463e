/* SPDX-License-Identifier: Apache-2.0 */
/* Run a program with every signal that can be ignored set to SIG_IGN,
 * by the system call: the C library's sigaction refuses the signals it
 * keeps for itself (glibc 32-33, musl 32-34), which a caller can still
 * ignore, as a CI runner did. Usage: ignore_signals PROGRAM [ARG...] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* The kernel's struct sigaction: handler first; no flags, no mask.
	 * No larger than this on any architecture. */
	unsigned long long ign[4] = { (unsigned long long)(unsigned long)SIG_IGN };
	if (argc < 2) {
		fprintf(stderr, "usage: ignore_signals PROGRAM [ARG...]\n");
		return 2;
	}
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, ign, NULL, 8);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

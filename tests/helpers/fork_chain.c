/* SPDX-License-Identifier: Apache-2.0 */
/* fork_chain FILE [IDLE]: a chain of short lives, each process forking
 * the next and exiting at once, so that the chain's pid changes all the
 * time, beside IDLE processes that only wait; as its container's init,
 * this process reaps the links (each is orphaned to it) and, being that
 * init, gets no signal it has no handler for. FILE is written once all
 * run. A signal sent to a list of the cgroup's members misses the chain
 * unless they are frozen while the list is read and signalled; the idle
 * ones make that list long, and so the chain's chance to move on before
 * its turn. Built static, to run inside a test container. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: fork_chain FILE [IDLE]\n");
		return 2;
	}
	for (int i = argc == 3 ? atoi(argv[2]) : 0; i > 0; i--) {
		pid_t idle = fork();
		if (idle < 0)
			return 1;
		if (idle == 0)
			for (;;)
				pause();
	}
	pid_t first = fork();
	if (first < 0)
		return 1;
	if (first == 0) {
		for (;;)
			if (fork() > 0)
				_exit(0);	/* a refused fork is tried again */
	}
	FILE *f = fopen(argv[1], "w");
	if (!f || fputs("up\n", f) < 0 || fclose(f) != 0)
		return 1;
	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* fork_hold FILE: fork children that only wait, as many as the kernel
 * allows, and keep asking for more; each time the count grows it is
 * written to FILE. A fork bomb that does not die of its first refusal
 * (as a shell does), so that it holds every task it got. Built static,
 * to run inside a test container. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fork_hold FILE\n");
		return 2;
	}
	long held = 0, said = -1;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid > 0) {
			held++;
			continue;
		}
		if (held != said) {
			FILE *f = fopen(argv[1], "w");
			if (f) {
				fprintf(f, "%ld\n", held);
				fclose(f);
			}
			said = held;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Run a command and SIGKILL it after a random delay: a runtime killed at
 * an arbitrary point of its work. Usage: kill_at_random SEED MAX_US CMD...
 * Prints the delay; exits 0 whether the command finished first or not. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: kill_at_random SEED MAX_US CMD...\n");
		return 2;
	}
	srand((unsigned)strtoul(argv[1], NULL, 10));
	long max = strtol(argv[2], NULL, 10);
	long delay = max > 0 ? rand() % max : 0;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	struct timespec ts = { delay / 1000000, (delay % 1000000) * 1000 };
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("%ld\n", delay);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/util.h"

void signal_default(int sig)
{
	/* The kernel's struct sigaction saying SIG_DFL, no flags, no mask:
	 * zeros, and no larger than this on any architecture. By the system
	 * call, as the C library's sigaction refuses the signals it keeps
	 * for itself (musl 32-34, glibc 32-33), which a caller can still
	 * have set to SIG_IGN. */
	static const unsigned long long dfl[4];
	syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
}

int signalfd_all(void)
{
	sigset_t all;
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
		return -1;
	return signalfd(-1, &all, SFD_CLOEXEC);
}

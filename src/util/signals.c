/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/signalfd.h>
#include "berth/util/util.h"

int signalfd_all(void)
{
	sigset_t all;
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
		return -1;
	return signalfd(-1, &all, SFD_CLOEXEC);
}

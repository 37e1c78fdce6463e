/* SPDX-License-Identifier: Apache-2.0 */
/* process.scheduler and process.ioPriority, set while init still has
 * CAP_SYS_NICE (real-time policies and RT I/O need it). */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"

/* sched_setattr(2)'s argument: no libc wraps it (musl neither). */
struct sched_attr_v1 {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

int process_sched(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	if (p->has_scheduler) {
		const struct spec_scheduler *sc = &p->scheduler;
		struct sched_attr_v1 a = {
			.size = sizeof(a), .sched_policy = (uint32_t)sc->policy, .sched_flags = sc->flags,
			.sched_nice = sc->nice, .sched_priority = (uint32_t)sc->priority,
			.sched_runtime = sc->runtime, .sched_deadline = sc->deadline, .sched_period = sc->period,
		};
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return log_error("process.scheduler: sched_setattr: %m%s",
					 errno == EPERM ? " (real-time policies need CAP_SYS_NICE and RT runtime)" : "");
	}
	if (p->has_io_priority) {
		/* IOPRIO_PRIO_VALUE(class, data) for IOPRIO_WHO_PROCESS, self. */
		if (syscall(SYS_ioprio_set, 1, 0, (p->io_class << 13) | p->io_priority) < 0)
			return log_error("process.ioPriority: ioprio_set: %m");
	}
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The hardware watchdog: petted from the loop at half its timeout while
 * every critical service is up; left alone once one stays failed, so the
 * device reboots and recovers on its own. A clean shutdown disarms it
 * with the magic close ('V'). */
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"

int watchdog_open(struct supervisor *sv, const char *dev)
{
	sv->wdfd = openat(AT_FDCWD, dev, O_WRONLY | O_CLOEXEC);
	if (sv->wdfd < 0)
		return log_error("watchdog %s: %m", dev);
	int timeout = 0;
	if (ioctl(sv->wdfd, WDIOC_GETTIMEOUT, &timeout) < 0 || timeout <= 0)
		timeout = 10;
	/* Half the timeout: one late wake-up still keeps it fed. */
	int64_t ms = timeout * 500;
	struct itimerspec t = { .it_interval = { ms / 1000, (ms % 1000) * 1000000 },
				.it_value = { ms / 1000, (ms % 1000) * 1000000 } };
	sv->wdtimer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sv->wdtimer < 0 || timerfd_settime(sv->wdtimer, 0, &t, NULL) < 0)
		return log_error("watchdog: timerfd: %m");
	sv->wd_w = (struct watch){ W_WATCHDOG, NULL };
	loop_add(sv, sv->wdtimer, &sv->wd_w, EPOLLIN);
	log_info("watchdog %s: %d s timeout, petted every %lld ms", dev, timeout, (long long)ms);
	watchdog_pet(sv);
	return 0;
}

void watchdog_pet(struct supervisor *sv)
{
	uint64_t ticks;
	if (read(sv->wdtimer, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("watchdog timer: %m");
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *s = sv->svcs[i];
		if (s->conf.critical && s->lc.state == SVC_FAILED) {
			if (!sv->wd_starving)
				log_error("watchdog: critical service %s failed: no longer petting the watchdog", s->name);
			sv->wd_starving = true;
			return;
		}
	}
	sv->wd_starving = false;
	if (ioctl(sv->wdfd, WDIOC_KEEPALIVE, 0) < 0 && write(sv->wdfd, "", 1) < 0)
		log_warn("watchdog: keepalive: %m");
}

void watchdog_close(struct supervisor *sv)
{
	if (sv->wdfd < 0)
		return;
	/* The magic close disarms it, where the driver allows. */
	if (write(sv->wdfd, "V", 1) < 0)
		log_warn("watchdog: magic close: %m");
	close(sv->wdfd);
	close(sv->wdtimer);
	sv->wdfd = sv->wdtimer = -1;
}

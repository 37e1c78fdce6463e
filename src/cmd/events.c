/* SPDX-License-Identifier: Apache-2.0 */
/* events: the container's resource usage as runc prints it, once
 * (--stats) or every --interval, with an "oom" event whenever the
 * kernel's OOM killer struck in the container since the last look. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/json_write.h"
#include "berth/util/util.h"

/* runc's event: numbers exact (a double would print 2^63 as
 * 9.2233720368547758e+18). */
static void print_event(const char *type, const char *id, const struct cgroup_stats *s)
{
	struct jw w;
	jw_init(&w, false);
	jw_object(&w, NULL);
	jw_string(&w, "type", type);
	jw_string(&w, "id", id);
	if (s) {
		jw_object(&w, "data");
		if (s->has_cpu) {
			jw_object(&w, "cpu");
			jw_object(&w, "usage");
			jw_u64(&w, "total", s->cpu_total_ns);
			jw_u64(&w, "kernel", s->cpu_kernel_ns);
			jw_u64(&w, "user", s->cpu_user_ns);
			jw_end(&w);
			jw_object(&w, "throttling");
			jw_u64(&w, "periods", s->cpu_periods);
			jw_u64(&w, "throttledPeriods", s->cpu_throttled_periods);
			jw_u64(&w, "throttledTime", s->cpu_throttled_ns);
			jw_end(&w);
			jw_end(&w);
		}
		if (s->has_memory) {
			jw_object(&w, "memory");
			jw_object(&w, "usage");
			jw_u64(&w, "limit", s->mem_limit);
			jw_u64(&w, "usage", s->mem_usage);
			jw_u64(&w, "max", s->mem_max);
			jw_u64(&w, "failcnt", s->mem_failcnt);
			jw_end(&w);
			jw_object(&w, "swap");
			jw_u64(&w, "limit", s->swap_limit);
			jw_u64(&w, "usage", s->swap_usage);
			jw_end(&w);
			jw_u64(&w, "oomKills", s->oom_kills);
			jw_end(&w);
		}
		if (s->has_pids) {
			jw_object(&w, "pids");
			jw_u64(&w, "current", s->pids_current);
			jw_u64(&w, "limit", s->pids_limit);
			jw_end(&w);
		}
		jw_end(&w);
	}
	jw_end(&w);
	char *text = jw_finish(&w);
	if (text) {
		puts(text);
		fflush(stdout);
	}
	free(text);
}

int cmd_events(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "stats", no_argument, 's' }, { "interval", required_argument, 'i' },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "events", "[--stats] [--interval DURATION] ID",
		"  --stats              print the usage once and exit\n"
		"  --interval DURATION  how often to report (default 5s; \"500ms\", \"1m\")\n", NULL };
	int c, code, once = 0;
	int64_t interval = 5000;
	while ((c = cli_getopt(argc, argv, "h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 's')
			once = 1;
		else if (parse_duration_ms(cli_optarg, &interval) < 0 || interval <= 0)
			return log_error("events: --interval \"%s\" is not a duration (\"5s\", \"500ms\")", cli_optarg), 1;
	}
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	const char *id = argv[cli_optind];
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		return 1;
	if (!st.cgroup[0])
		return log_error("container \"%s\" has no cgroup to report on", id), 1;
	uint64_t ooms = 0;
	for (bool first = true;; first = false) {
		if (state_status(g->root, &st) == STATUS_STOPPED) {
			if (first)
				return log_error("container \"%s\" is not running", id), 1;
			return 0;
		}
		struct cgroup_stats s;
		if (container_stats(&st, &s) < 0)
			return 1;
		if (!first && s.oom_kills > ooms)
			print_event("oom", id, NULL);
		ooms = s.oom_kills;
		print_event("stats", id, &s);
		if (once)
			return 0;
		nanosleep(&(struct timespec){ .tv_sec = interval / 1000, .tv_nsec = (interval % 1000) * 1000000 }, NULL);
	}
}

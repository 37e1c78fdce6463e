/* SPDX-License-Identifier: Apache-2.0 */
/* The process's scheduling (process.scheduler, process.ioPriority) and
 * execution domain (linux.personality): names as the spec spells them,
 * checked here so that a typo fails at create with its JSON path. */
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include "berth/util/json.h"
#include "berth/spec/oci.h"
#include "berth/util/util.h"

#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct name_value {
	const char *name;
	long value;
};

static int lookup_named_value(struct jctx *j, const char *key, const char *name, const struct name_value *t, size_t n, long *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, t[i].name)) {
			*out = t[i].value;
			return 0;
		}
	return jerr_at(j, key, "unknown value \"%s\"", name);
}

int oci_parse_io_priority(struct jctx *j, const cJSON *obj, struct spec_process *p)
{
	static const struct name_value classes[] = {
		{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
	};
	const char *cls = NULL;
	int64_t prio = 0;
	long v = 0;
	if (j_string(j, obj, "class", &cls) < 0 || j_i64(j, obj, "priority", 0, 7, &prio) < 0)
		return -1;
	if (!cls)
		return jerr_at(j, "class", "required");
	if (lookup_named_value(j, "class", cls, classes, ARRAY_SIZE(classes), &v) < 0)
		return -1;
	p->has_io_priority = true;
	p->io_class = (int)v;
	p->io_priority = (int)prio;
	return 0;
}

int oci_parse_scheduler(struct jctx *j, const cJSON *obj, struct spec_process *p)
{
	static const struct name_value policies[] = {
		{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
		{ "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 }, { "SCHED_IDLE", SCHED_IDLE },
		{ "SCHED_DEADLINE", SCHED_DEADLINE },
	};
	static const struct name_value flags[] = {
		{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
		{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
		{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
		{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
	};
	struct spec_scheduler *s = &p->scheduler;
	const char *policy = NULL;
	const char *const *fl = NULL;
	int64_t nice = 0, prio = 0;
	long v = 0;
	if (j_string(j, obj, "policy", &policy) < 0 || j_i64(j, obj, "nice", -20, 19, &nice) < 0 ||
	    j_i64(j, obj, "priority", 0, 99, &prio) < 0 || j_strings(j, obj, "flags", &fl, NULL) < 0 ||
	    j_u64(j, obj, "runtime", &s->runtime) < 0 || j_u64(j, obj, "deadline", &s->deadline) < 0 ||
	    j_u64(j, obj, "period", &s->period) < 0)
		return -1;
	if (!policy)
		return jerr_at(j, "policy", "required");
	if (lookup_named_value(j, "policy", policy, policies, ARRAY_SIZE(policies), &v) < 0)
		return -1;
	s->policy = (int)v;
	for (size_t i = 0; fl && fl[i]; i++) {
		if (lookup_named_value(j, "flags", fl[i], flags, ARRAY_SIZE(flags), &v) < 0)
			return -1;
		s->flags |= (uint64_t)v;
	}
	bool realtime = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
	if (!realtime && prio)
		return jerr_at(j, "priority", "only SCHED_FIFO and SCHED_RR take a priority");
	if (realtime && !prio)
		return jerr_at(j, "priority", "SCHED_FIFO and SCHED_RR need a priority from 1 to 99");
	if (s->policy == SCHED_DEADLINE && (!s->runtime || s->runtime > s->deadline ||
					    (s->period && s->deadline > s->period)))
		return jerr(j, "SCHED_DEADLINE needs runtime <= deadline <= period (period 0: deadline)");
	s->nice = (int)nice;
	s->priority = (int)prio;
	p->has_scheduler = true;
	return 0;
}

int oci_parse_personality(struct jctx *j, const cJSON *obj, struct spec *s)
{
	static const struct name_value domains[] = { { "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 } };
	const char *domain = NULL;
	const char *const *flags = NULL;
	size_t n_flags = 0;
	long v = 0;
	if (j_string(j, obj, "domain", &domain) < 0 || j_strings(j, obj, "flags", &flags, &n_flags) < 0)
		return -1;
	if (!domain)
		return jerr_at(j, "domain", "required");
	if (lookup_named_value(j, "domain", domain, domains, ARRAY_SIZE(domains), &v) < 0)
		return -1;
	/* The spec defines no flag yet: refuse rather than ignore one. */
	if (n_flags)
		return jerr_at(j, "flags", "\"%s\": no personality flags are defined", flags[0]);
	s->has_personality = true;
	s->personality = (unsigned long)v;
	return 0;
}

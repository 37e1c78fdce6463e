/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources (and `berth update -r FILE`, which holds the same
 * object) -> struct resources. Zero means "not set" for the limits where
 * runc reads it that way (a zero memory limit would kill the container at
 * once rather than mean anything). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "berth/util/json.h"
#include "berth/util/log.h"
#include "berth/spec/oci.h"
#include "berth/util/util.h"

enum scalar_kind { K_INT, K_BOOL };

/* A scalar's JSON path is its name (res_scalar_name, "memory.limit"):
 * the section before the dot, the key after it. */
static const struct scalar {
	unsigned char field;	/* enum res_scalar */
	unsigned char kind;	/* enum scalar_kind */
	bool zero_is_unset;
	int64_t min, max;
} scalars[] = {
	{ R_MEM_LIMIT, K_INT, true, -1, INT64_MAX },
	{ R_MEM_RESERVATION, K_INT, true, -1, INT64_MAX },
	{ R_MEM_SWAP, K_INT, true, -1, INT64_MAX },
	{ R_MEM_KERNEL, K_INT, true, -1, INT64_MAX },
	{ R_MEM_KERNEL_TCP, K_INT, true, -1, INT64_MAX },
	{ R_MEM_SWAPPINESS, K_INT, false, 0, 100 },
	{ R_MEM_DISABLE_OOM_KILLER, K_BOOL, false, 0, 1 },
	{ R_MEM_USE_HIERARCHY, K_BOOL, false, 0, 1 },
	{ R_CPU_SHARES, K_INT, true, 0, 262144 },
	{ R_CPU_QUOTA, K_INT, true, -1, INT64_MAX },
	{ R_CPU_BURST, K_INT, false, 0, INT64_MAX },
	{ R_CPU_PERIOD, K_INT, true, 0, 1000000 },
	{ R_CPU_RT_RUNTIME, K_INT, true, -1, INT64_MAX },
	{ R_CPU_RT_PERIOD, K_INT, true, 0, INT64_MAX },
	{ R_CPU_IDLE, K_INT, false, 0, 1 },
	{ R_PIDS_LIMIT, K_INT, true, INT64_MIN / 2, INT64_MAX },
	{ R_BLKIO_WEIGHT, K_INT, true, 0, 1000 },
	{ R_BLKIO_LEAF_WEIGHT, K_INT, true, 0, 1000 },
	{ R_NET_CLASS_ID, K_INT, false, 0, UINT32_MAX },
};

/* s's key if it is in section, else NULL. */
static const char *key_in(const struct scalar *s, const char *section)
{
	const char *name = res_scalar_name(s->field);
	size_t n = strlen(section);
	return !strncmp(name, section, n) && name[n] == '.' ? name + n + 1 : NULL;
}

static int parse_scalar(struct jctx *j, const cJSON *sect, const struct scalar *s, const char *key, struct resources *r)
{
	int64_t v = 0;
	int got;
	if (s->kind == K_BOOL) {
		bool b = false;
		got = j_bool(j, sect, key, &b);
		v = b;
	} else {
		got = j_i64(j, sect, key, s->min, s->max, &v);
	}
	if (got < 0)
		return -1;
	if (got && !(s->zero_is_unset && v == 0))
		res_put(r, s->field, v);
	return 0;
}

/* blockIO.weightDevice / throttle*Device: [{major, minor, weight|rate}] */
static int parse_blkio_devices(struct jctx *j, const cJSON *arr, const char *value_key,
			       struct res_blkio_device **out, size_t *n, struct arena *a)
{
	*n = (size_t)cJSON_GetArraySize(arr);
	*out = arena_array(a, *n, sizeof(**out));
	EACH(j, arr, i, e) {
		struct res_blkio_device *d = &(*out)[i];
		int64_t w;
		int hw, hl = 0;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_i64(j, e, "major", 0, INT32_MAX, &d->major) <= 0 ||
		    j_i64(j, e, "minor", 0, INT32_MAX, &d->minor) <= 0)
			return jerr(j, "major and minor are required");
		if (!strcmp(value_key, "weight")) {
			if ((hw = j_i64(j, e, "weight", 10, 1000, &w)) < 0 ||
			    (hl = j_u64(j, e, "leafWeight", &d->leaf_weight)) < 0)
				return -1;
			d->value = (uint64_t)w;
		} else if ((hw = j_u64(j, e, "rate", &d->value)) < 0) {
			return -1;
		} else if (!hw) {
			return jerr_at(j, "rate", "required");
		}
		d->has_value = hw;
		d->has_leaf_weight = hl;
	}
	return 0;
}

static int parse_blkio(struct jctx *j, const cJSON *b, struct resources *r, struct arena *a)
{
	static const char *const throttle_keys[THROTTLES] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"
	};
	const cJSON *arr;
	int got = j_array(j, b, "weightDevice", &arr);
	if (got < 0)
		return -1;
	if (got)
		SUB(j, "weightDevice", parse_blkio_devices(j, arr, "weight", &r->weight_devices, &r->n_weight_devices, a));
	for (int t = 0; t < THROTTLES; t++) {
		if ((got = j_array(j, b, throttle_keys[t], &arr)) < 0)
			return -1;
		if (got)
			SUB(j, throttle_keys[t], parse_blkio_devices(j, arr, "rate", &r->throttle[t], &r->n_throttle[t], a));
	}
	return 0;
}

/* "2MB", "1GB", "64KB": the size names hugetlb files carry. */
static bool is_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	return digits > 0 && s[0] != '0' && (!strcmp(s + digits, "KB") || !strcmp(s + digits, "MB") ||
					     !strcmp(s + digits, "GB"));
}

static int parse_hugepages(struct jctx *j, const cJSON *arr, struct resources *r, struct arena *a)
{
	r->n_hugepages = (size_t)cJSON_GetArraySize(arr);
	r->hugepages = arena_array(a, r->n_hugepages, sizeof(*r->hugepages));
	EACH(j, arr, i, e) {
		struct res_hugepage *h = &r->hugepages[i];
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "pageSize", &h->page_size) < 0 || j_u64(j, e, "limit", &h->limit) < 0)
			return -1;
		if (!h->page_size || !is_page_size(h->page_size))
			return jerr_at(j, "pageSize", "expected a page size such as \"2MB\" or \"1GB\"");
	}
	return 0;
}

static int parse_net_priorities(struct jctx *j, const cJSON *arr, struct resources *r, struct arena *a)
{
	r->n_net_priorities = (size_t)cJSON_GetArraySize(arr);
	r->net_priorities = arena_array(a, r->n_net_priorities, sizeof(*r->net_priorities));
	EACH(j, arr, i, e) {
		uint32_t prio;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "name", &r->net_priorities[i].key) < 0 || j_u32(j, e, "priority", &prio) < 0)
			return -1;
		if (!r->net_priorities[i].key || strpbrk(r->net_priorities[i].key, " \n/"))
			return jerr_at(j, "name", "expected an interface name");
		r->net_priorities[i].value = arena_printf(a, "%u", prio);
	}
	return 0;
}

static int parse_device_rules(struct jctx *j, const cJSON *arr, struct resources *r, struct arena *a)
{
	r->has_devices = true;
	r->n_devices = (size_t)cJSON_GetArraySize(arr);
	r->devices = arena_array(a, r->n_devices, sizeof(*r->devices));
	EACH(j, arr, i, e) {
		struct res_device_rule *d = &r->devices[i];
		const char *type = NULL, *access = NULL;
		int got_allow;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		d->major = d->minor = -1;
		if ((got_allow = j_bool(j, e, "allow", &d->allow)) < 0 || j_string(j, e, "type", &type) < 0 ||
		    j_i64(j, e, "major", -1, INT32_MAX, &d->major) < 0 ||
		    j_i64(j, e, "minor", -1, INT32_MAX, &d->minor) < 0 || j_string(j, e, "access", &access) < 0)
			return -1;
		if (!got_allow)
			return jerr_at(j, "allow", "required");
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return jerr_at(j, "type", "\"%s\": expected \"a\", \"c\" or \"b\"", type);
		d->type = type ? type[0] : 'a';
		if (!access || !*access)
			access = "rwm";
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return jerr_at(j, "access", "\"%s\": expected letters of \"rwm\"", access);
		snprintf(d->access, sizeof(d->access), "%s", access);
	}
	return 0;
}

static int parse_rdma(struct jctx *j, const cJSON *obj, struct resources *r, struct arena *a)
{
	r->n_rdma = (size_t)cJSON_GetArraySize(obj);
	r->rdma = arena_array(a, r->n_rdma, sizeof(*r->rdma));
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) {
		size_t mark = jpath_key(j, e->string);
		uint32_t handles, objects;
		int hh, ho;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if ((hh = j_u32(j, e, "hcaHandles", &handles)) < 0 || (ho = j_u32(j, e, "hcaObjects", &objects)) < 0)
			return -1;
		char hbuf[32] = "", obuf[32] = "";
		if (hh)
			snprintf(hbuf, sizeof(hbuf), "hca_handle=%u", handles);
		if (ho)
			snprintf(obuf, sizeof(obuf), "%shca_object=%u", hh ? " " : "", objects);
		r->rdma[i].key = arena_strdup(a, e->string);
		r->rdma[i].value = arena_printf(a, "%s%s", hbuf, obuf);
		jpath_pop(j, mark);
		i++;
	}
	return 0;
}

int oci_parse_resources(struct jctx *j, const cJSON *obj, struct resources *r, struct arena *a)
{
	static const char *const sections[] = { "memory", "cpu", "pids", "blockIO", "network" };
	const cJSON *sect[ARRAY_SIZE(sections)] = { 0 };
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++)
		if (j_object(j, obj, sections[s], &sect[s]) < 0)
			return -1;
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
		if (!sect[s])
			continue;
		size_t mark = jpath_key(j, sections[s]);
		for (size_t i = 0; i < ARRAY_SIZE(scalars); i++) {
			const char *key = key_in(&scalars[i], sections[s]);
			if (key && parse_scalar(j, sect[s], &scalars[i], key, r) < 0)
				return -1;
		}
		jpath_pop(j, mark);
	}
	const cJSON *cpu = sect[1], *blkio = sect[3], *net = sect[4], *v;
	if (cpu) {
		size_t mark = jpath_key(j, "cpu");
		if (j_string(j, cpu, "cpus", &r->cpus) < 0 || j_string(j, cpu, "mems", &r->mems) < 0)
			return -1;
		jpath_pop(j, mark);
	}
	if (blkio)
		SUB(j, "blockIO", parse_blkio(j, blkio, r, a));
	if (net) {
		size_t mark = jpath_key(j, "network");
		int got = j_array(j, net, "priorities", &v);
		if (got < 0)
			return -1;
		if (got)
			SUB(j, "priorities", parse_net_priorities(j, v, r, a));
		jpath_pop(j, mark);
	}
	int got;
	if ((got = j_array(j, obj, "hugepageLimits", &v)) < 0)
		return -1;
	if (got)
		SUB(j, "hugepageLimits", parse_hugepages(j, v, r, a));
	if ((got = j_array(j, obj, "devices", &v)) < 0)
		return -1;
	if (got)
		SUB(j, "devices", parse_device_rules(j, v, r, a));
	if ((got = j_object(j, obj, "rdma", &v)) < 0)
		return -1;
	if (got)
		SUB(j, "rdma", parse_rdma(j, v, r, a));
	if ((got = j_object(j, obj, "unified", &v)) < 0)
		return -1;
	if (got) {
		SUB(j, "unified", j_keyvals(j, v, &r->unified, &r->n_unified, a));
		for (size_t i = 0; i < r->n_unified; i++)
			if (!*r->unified[i].key || strchr(r->unified[i].key, '/') || r->unified[i].key[0] == '.')
				return jerr(j, "unified: \"%s\" is not a cgroup file name", r->unified[i].key);
	}
	return 0;
}

int oci_resources_from_text(struct resources *r, struct arena *a, const char *text, size_t len, const char *origin)
{
	struct jctx j = { .origin = origin, .arena = a };
	cJSON *doc = j_parse(&j, text, len);
	if (!doc)
		return -1;
	int ret = cJSON_IsObject(doc) ? oci_parse_resources(&j, doc, r, a)
				      : jerr(&j, "expected a JSON object (linux.resources), got %s", jtype(doc));
	j_release(&j);
	return ret;
}

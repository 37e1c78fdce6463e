/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp -> struct spec_seccomp. Every name is checked here, so a
 * profile with a typo fails at create with its JSON path; only syscall
 * names are left to the filter compiler, which skips those this
 * architecture lacks (as runc does). */
#include <string.h>
#include "berth/util/json.h"
#include "berth/util/log.h"
#include "berth/spec/oci.h"
#include "berth/util/util.h"

static const char *const action_names[SC_ACTIONS] = {
	[SC_KILL] = "SCMP_ACT_KILL", [SC_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SC_KILL_THREAD] = "SCMP_ACT_KILL_THREAD", [SC_TRAP] = "SCMP_ACT_TRAP", [SC_ERRNO] = "SCMP_ACT_ERRNO",
	[SC_TRACE] = "SCMP_ACT_TRACE", [SC_ALLOW] = "SCMP_ACT_ALLOW", [SC_LOG] = "SCMP_ACT_LOG",
	[SC_NOTIFY] = "SCMP_ACT_NOTIFY",
};
static const char *const op_names[SC_OPS] = {
	[SC_NE] = "SCMP_CMP_NE", [SC_LT] = "SCMP_CMP_LT", [SC_LE] = "SCMP_CMP_LE", [SC_EQ] = "SCMP_CMP_EQ",
	[SC_GE] = "SCMP_CMP_GE", [SC_GT] = "SCMP_CMP_GT", [SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};
static const char *const flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};
/* Every architecture libseccomp knows, as the spec spells them. */
static const char *const arch_names[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
	"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

const char *sc_action_name(enum sc_action a)
{
	return action_names[a];
}

const char *sc_op_name(enum sc_op op)
{
	return op_names[op];
}

const char *sc_arch_name(size_t i)
{
	return i < ARRAY_SIZE(arch_names) ? arch_names[i] : NULL;
}

const char *sc_flag_name(size_t i)
{
	return i < ARRAY_SIZE(flag_names) ? flag_names[i] : NULL;
}

/* Index of `name` in `names`, or -1 (logged, with the field). */
static int name_index(struct jctx *j, const char *key, const char *name, const char *const *names, size_t n,
		  const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			return (int)i;
	if (key)
		return jerr_at(j, key, "unknown %s \"%s\"", what, name);
	return jerr(j, "unknown %s \"%s\"", what, name);
}

static int parse_action(struct jctx *j, const cJSON *obj, const char *key, enum sc_action *out, bool required)
{
	const char *name = NULL;
	if (j_string(j, obj, key, &name) < 0)
		return -1;
	if (!name)
		return required ? jerr_at(j, key, "required") : 0;
	int a = name_index(j, key, name, action_names, SC_ACTIONS, "seccomp action");
	if (a < 0)
		return -1;
	*out = (enum sc_action)a;
	return 0;
}

static int parse_args(struct jctx *j, const cJSON *arr, struct seccomp_rule *r, struct arena *a)
{
	r->n_args = (size_t)cJSON_GetArraySize(arr);
	r->args = arena_array(a, r->n_args, sizeof(*r->args));
	EACH(j, arr, i, e) {
		struct seccomp_arg *g = &r->args[i];
		const char *op = NULL;
		int hi, hv;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if ((hi = j_u32(j, e, "index", &g->index)) < 0 || (hv = j_u64(j, e, "value", &g->value)) < 0 ||
		    j_u64(j, e, "valueTwo", &g->value_two) < 0 || j_string(j, e, "op", &op) < 0)
			return -1;
		if (!hi || g->index > 5)
			return jerr_at(j, "index", "expected a syscall argument index, 0 to 5");
		if (!hv)
			return jerr_at(j, "value", "required");
		if (!op)
			return jerr_at(j, "op", "required");
		int k = name_index(j, "op", op, op_names, SC_OPS, "comparison");
		if (k < 0)
			return -1;
		g->op = (enum sc_op)k;
	}
	return 0;
}

static int parse_rules(struct jctx *j, const cJSON *arr, struct spec_seccomp *sc, struct arena *a)
{
	sc->n_rules = (size_t)cJSON_GetArraySize(arr);
	sc->rules = arena_array(a, sc->n_rules, sizeof(*sc->rules));
	EACH(j, arr, i, e) {
		struct seccomp_rule *r = &sc->rules[i];
		const cJSON *args = NULL;
		size_t n_names = 0;
		int he;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_strings(j, e, "names", &r->names, &n_names) < 0 || parse_action(j, e, "action", &r->action, true) < 0 ||
		    (he = j_u32(j, e, "errnoRet", &r->errno_ret)) < 0 || j_array(j, e, "args", &args) < 0)
			return -1;
		if (!n_names)
			return jerr_at(j, "names", "required, with at least one syscall name");
		r->has_errno = he;
		if (he && r->action != SC_ERRNO && r->action != SC_TRACE)
			return jerr_at(j, "errnoRet", "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
		sc->notifies |= r->action == SC_NOTIFY;
		if (args)
			SUB(j, "args", parse_args(j, args, r, a));
	}
	return 0;
}

static int parse_flags(struct jctx *j, const cJSON *obj, struct spec_seccomp *sc)
{
	const char *const *flags = NULL;
	size_t n = 0;
	if (j_strings(j, obj, "flags", &flags, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t mark = jpath_key(j, "flags");
		int f = name_index(j, NULL, flags[i], flag_names, ARRAY_SIZE(flag_names), "seccomp flag");
		jpath_pop(j, mark);
		if (f < 0)
			return -1;
		sc->flags |= 1u << f;
	}
	return 0;
}

int oci_parse_seccomp(struct jctx *j, const cJSON *obj, struct spec_seccomp **out, struct arena *a)
{
	struct spec_seccomp *sc = arena_alloc(a, sizeof(*sc));
	const cJSON *syscalls = NULL;
	size_t n_arch = 0;
	int he;
	if (parse_action(j, obj, "defaultAction", &sc->default_action, true) < 0 ||
	    (he = j_u32(j, obj, "defaultErrnoRet", &sc->default_errno)) < 0 ||
	    j_strings(j, obj, "architectures", &sc->architectures, &n_arch) < 0 || parse_flags(j, obj, sc) < 0 ||
	    j_string(j, obj, "listenerPath", &sc->listener_path) < 0 ||
	    j_string(j, obj, "listenerMetadata", &sc->listener_metadata) < 0 || j_array(j, obj, "syscalls", &syscalls) < 0)
		return -1;
	sc->has_default_errno = he;
	if (he && sc->default_action != SC_ERRNO && sc->default_action != SC_TRACE)
		return jerr_at(j, "defaultErrnoRet", "only an SCMP_ACT_ERRNO or SCMP_ACT_TRACE default takes one");
	if (sc->default_action == SC_NOTIFY)
		return jerr_at(j, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
	for (size_t i = 0; i < n_arch; i++) {
		size_t mark = jpath_key(j, "architectures");
		int k = name_index(j, NULL, sc->architectures[i], arch_names, ARRAY_SIZE(arch_names), "architecture");
		jpath_pop(j, mark);
		if (k < 0)
			return -1;
	}
	if (syscalls)
		SUB(j, "syscalls", parse_rules(j, syscalls, sc, a));
	if (sc->notifies && (!sc->listener_path || !*sc->listener_path))
		return jerr_at(j, "listenerPath", "required when a rule uses SCMP_ACT_NOTIFY");
	*out = sc;
	return 0;
}

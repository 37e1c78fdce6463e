/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp as parsed (names, not libseccomp constants: the parser
 * must refuse a bad profile even in a build without libseccomp), and the
 * filter compiled from it. */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sc_action { SC_KILL, SC_KILL_PROCESS, SC_KILL_THREAD, SC_TRAP, SC_ERRNO, SC_TRACE, SC_ALLOW, SC_LOG,
		 SC_NOTIFY, SC_ACTIONS };
enum sc_op { SC_NE, SC_LT, SC_LE, SC_EQ, SC_GE, SC_GT, SC_MASKED_EQ, SC_OPS };
enum sc_flag { SC_FLAG_TSYNC = 1, SC_FLAG_LOG = 2, SC_FLAG_SPEC_ALLOW = 4, SC_FLAG_WAIT_KILLABLE_RECV = 8 };

struct seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	enum sc_op op;
};

struct seccomp_rule {
	const char *const *names;	/* NULL-terminated */
	enum sc_action action;
	bool has_errno;
	uint32_t errno_ret;		/* ERRNO's errno, TRACE's message */
	struct seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	enum sc_action default_action;
	bool has_default_errno;
	uint32_t default_errno;
	const char *const *architectures;	/* "SCMP_ARCH_X86_64", ...; NULL-terminated */
	unsigned flags;				/* enum sc_flag bits */
	const char *listener_path, *listener_metadata;
	struct seccomp_rule *rules;
	size_t n_rules;
	bool notifies;		/* some action is SCMP_ACT_NOTIFY */
};

const char *sc_action_name(enum sc_action a);
const char *sc_op_name(enum sc_op op);
/* The i-th architecture / flag name the spec knows; NULL past the end. */
const char *sc_arch_name(size_t i);
const char *sc_flag_name(size_t i);

/* The compiled filter, ready for seccomp(2): made by the runtime before
 * the container's init is cloned (so init inherits it), loaded by init. */
struct seccomp_filter {
	void *insns;		/* struct sock_filter[] */
	unsigned short len;
	unsigned flags;		/* SECCOMP_FILTER_FLAG_* */
};

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources.devices on cgroup v2: the kernel has no devices
 * controller there, only BPF_PROG_TYPE_CGROUP_DEVICE programs, so the
 * rules become a small program, as runc and crun make them.
 *
 * v1 applies the rules in order, each overriding what came before; the
 * program checks them last to first and the first match decides, which is
 * the same thing. With no matching rule the device is allowed, as in v1
 * before a "deny all" (every real spec starts with one). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: r2 type, r3 access, r4 major, r5 minor. */
enum { R0, R1, R2_TYPE, R3_ACCESS, R4_MAJOR, R5_MINOR };

static int access_bits(const char *access)
{
	int bits = 0;
	for (const char *p = access; *p; p++)
		bits |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

/* One rule: match, then return its verdict; on mismatch fall through.
 * Returns the instruction count (2: the rule matches every device). */
static size_t emit_rule(struct bpf_insn *out, const struct res_device_rule *d)
{
	struct bpf_insn body[8];
	size_t n = 0;
	int bits = access_bits(d->access);
	const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
	if (d->type != 'a')
		body[n++] = JNE_IMM(R2_TYPE, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
	if (bits != all) {
		/* An allow rule covers requests within its access; a deny
		 * rule refuses any request that touches its access. */
		body[n++] = MOV_REG(R1, R3_ACCESS);
		body[n++] = ALU_IMM(BPF_AND, R1, d->allow ? ~bits & all : bits);
		body[n++] = d->allow ? JNE_IMM(R1, 0, 0) : JEQ_IMM(R1, 0, 0);
	}
	if (d->type != 'a' && d->major >= 0)
		body[n++] = JNE_IMM(R4_MAJOR, (int32_t)d->major, 0);
	if (d->type != 'a' && d->minor >= 0)
		body[n++] = JNE_IMM(R5_MINOR, (int32_t)d->minor, 0);
	body[n++] = MOV_IMM(R0, d->allow ? 1 : 0);
	body[n++] = EXIT();
	/* Every conditional jump skips to just past this rule. */
	for (size_t i = 0; i < n; i++)
		if (BPF_CLASS(body[i].code) == BPF_JMP && BPF_OP(body[i].code) != BPF_EXIT)
			body[i].off = (int16_t)(n - i - 1);
	memcpy(out, body, n * sizeof(*body));
	return n;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct resources *r)
{
	size_t cap = 6 + r->n_devices * 8 + 2;
	struct bpf_insn *prog = calloc(cap, sizeof(*prog));
	if (!prog)
		return log_error("out of memory");
	size_t n = 0;
	prog[n++] = LDX_W(R2_TYPE, R1, 0);		/* access_type */
	prog[n++] = ALU_IMM(BPF_AND, R2_TYPE, 0xffff);
	prog[n++] = LDX_W(R3_ACCESS, R1, 0);
	prog[n++] = ALU_IMM(BPF_RSH, R3_ACCESS, 16);
	prog[n++] = LDX_W(R4_MAJOR, R1, 4);
	prog[n++] = LDX_W(R5_MINOR, R1, 8);
	/* A rule that matches everything ends the program: the verifier
	 * refuses unreachable instructions after it. */
	bool ended = false;
	for (size_t i = r->n_devices; i-- > 0 && !ended;) {
		size_t len = emit_rule(prog + n, &r->devices[i]);
		n += len;
		ended = len == 2;
	}
	if (!ended) {
		prog[n++] = MOV_IMM(R0, 1);
		prog[n++] = EXIT();
	}

	char log[4096] = "";
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	int fd = (int)bpf(BPF_PROG_LOAD, &attr);
	int saved = errno;
	free(prog);
	if (fd < 0) {
		errno = saved;
		return log_error("linux.resources.devices: loading the cgroup device program: %m%s%s",
				 *log ? ": " : "", log);
	}
	return fd;
}

/* Programs attached before ours: `update` replaces them. */
static size_t attached(int cgfd, uint32_t *ids, size_t cap)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = (uint32_t)cap;
	return bpf(BPF_PROG_QUERY, &attr) < 0 ? 0 : attr.query.prog_cnt;
}

static void detach(int cgfd, uint32_t id)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	int fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (bpf(BPF_PROG_DETACH, &attr) < 0)
		log_warn("linux.resources.devices: detaching the old device program: %m");
	close(fd);
}

int cgv2_devices(const char *dir, const struct resources *r)
{
	int cgfd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return log_error("linux.resources.devices: %s: %m", dir);
	uint32_t old[64];
	size_t n_old = attached(cgfd, old, ARRAY_SIZE(old));
	int prog = load_program(r), ret = -1;
	if (prog >= 0) {
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)cgfd;
		attr.attach_bpf_fd = (uint32_t)prog;
		attr.attach_type = BPF_CGROUP_DEVICE;
		attr.attach_flags = BPF_F_ALLOW_MULTI;
		if (bpf(BPF_PROG_ATTACH, &attr) < 0) {
			log_error("linux.resources.devices: attaching the device program to %s: %m", dir);
		} else {
			/* The new program is in force before the old go. */
			for (size_t i = 0; i < n_old; i++)
				detach(cgfd, old[i]);
			ret = 0;
		}
		close(prog);
	}
	close(cgfd);
	return ret;
}

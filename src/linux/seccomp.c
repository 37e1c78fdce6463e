/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp: compiled with libseccomp by the runtime, loaded by the
 * container's init with seccomp(2).
 *
 * Compiling a large profile (Docker's default has some 400 names, for
 * three architectures) costs milliseconds on every start, more than the
 * rest of berth's start together. The compiled program depends only on
 * the profile, the machine and libseccomp, so it is kept in
 * <root>/.seccomp/, keyed by all three; a later start with the same
 * profile loads the cached program instead. The cache file holds the
 * whole key, compared byte for byte: a hash collision cannot hand one
 * container another's filter. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include "berth/util/json_write.h"
#include "berth/config.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static uint32_t action_value(enum sc_action a, bool has_errno, uint32_t errno_ret)
{
	uint32_t data = has_errno ? errno_ret : EPERM;
	switch (a) {
	case SC_KILL:
	case SC_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case SC_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case SC_TRAP: return SCMP_ACT_TRAP;
	case SC_ERRNO: return SCMP_ACT_ERRNO(data);
	case SC_TRACE: return SCMP_ACT_TRACE(data);
	case SC_LOG: return SCMP_ACT_LOG;
	case SC_NOTIFY: return SCMP_ACT_NOTIFY;
	case SC_ALLOW:
	default: return SCMP_ACT_ALLOW;
	}
}

static const enum scmp_compare ops[SC_OPS] = {
	[SC_NE] = SCMP_CMP_NE, [SC_LT] = SCMP_CMP_LT, [SC_LE] = SCMP_CMP_LE, [SC_EQ] = SCMP_CMP_EQ,
	[SC_GE] = SCMP_CMP_GE, [SC_GT] = SCMP_CMP_GT, [SC_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *sc)
{
	for (const char *const *a = sc->architectures; a && *a; a++) {
		char name[32];
		snprintf(name, sizeof(name), "%s", *a + strlen("SCMP_ARCH_"));
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		/* An ABI libseccomp does not know is not one this machine's
		 * kernel runs (libseccomp knows those, or could filter
		 * nothing here): no filter for it could ever match. The
		 * libseccomp berth builds knows only this machine's
		 * (scripts/patches/libseccomp-3-this-machine-only.patch), so
		 * a spec written for several machines lists others. */
		uint32_t arch = seccomp_arch_resolve_name(name);
		if (!arch) {
			log_debug("linux.seccomp.architectures: %s: not an ABI of this machine (libseccomp %u.%u); skipped",
				  *a, seccomp_version()->major, seccomp_version()->minor);
			continue;
		}
		int r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST) {
			errno = -r;
			return log_error("linux.seccomp.architectures: %s: %m", *a);
		}
	}
	return 0;
}

static bool args_share_an_index(const struct seccomp_rule *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		for (size_t k = i + 1; k < r->n_args; k++)
			if (r->args[i].index == r->args[k].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, size_t i, const struct seccomp_rule *r, uint32_t default_action)
{
	uint32_t action = action_value(r->action, r->has_errno, r->errno_ret);
	/* libseccomp refuses a rule that repeats the default: it is moot. */
	if (action == default_action)
		return 0;
	struct scmp_arg_cmp cmp[6];
	size_t n = r->n_args < 6 ? r->n_args : 6;
	for (size_t k = 0; k < n; k++)
		cmp[k] = (struct scmp_arg_cmp){ r->args[k].index, ops[r->args[k].op], r->args[k].value, r->args[k].value_two };
	/* Two conditions on one argument cannot be one rule (libseccomp
	 * would AND them): as runc, they become one rule each, ORed. */
	bool split = args_share_an_index(r);
	for (const char *const *name = r->names; *name; name++) {
		int nr = seccomp_syscall_resolve_name(*name);
		if (nr == __NR_SCMP_ERROR) {
			log_debug("linux.seccomp.syscalls[%zu]: %s: not a syscall on this architecture; skipped", i, *name);
			continue;
		}
		for (size_t k = 0; k < (split ? n : 1); k++) {
			int e = split ? seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k])
				      : seccomp_rule_add_array(ctx, action, nr, (unsigned)n, cmp);
			if (e < 0) {
				errno = -e;
				return log_error("linux.seccomp.syscalls[%zu]: %s: %m", i, *name);
			}
		}
	}
	return 0;
}

/* The BPF program libseccomp makes for sc, into f->insns (malloc'd). */
static int compile(const struct spec_seccomp *sc, struct seccomp_filter *f)
{
	uint32_t default_action = action_value(sc->default_action, sc->has_default_errno, sc->default_errno);
	scmp_filter_ctx ctx = seccomp_init(default_action);
	if (!ctx)
		return log_error("linux.seccomp: libseccomp could not start a filter");
	int r = -1, fd = -1;
	/* A binary tree of syscall numbers rather than libseccomp's default
	 * list. Measured here with podman's default profile: the kernel
	 * loads it in 0.28 ms instead of 0.74 ms (at load, it runs the
	 * filter for every syscall number to build its cache of always-
	 * allowed ones, which a list makes quadratic), and every syscall
	 * the container makes walks fewer instructions. Compiling it costs
	 * more, once: the result is cached. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		log_debug("linux.seccomp: this libseccomp cannot build a binary tree; using a list");
	if (add_arches(ctx, sc) < 0)
		goto out;
	for (size_t i = 0; i < sc->n_rules; i++)
		if (add_rule(ctx, i, &sc->rules[i], default_action) < 0)
			goto out;
	fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
	int e = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	size_t len = 0;
	if (e < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(f->insns = read_fd(fd, &len))) {
		errno = e < 0 ? -e : errno;
		log_error("linux.seccomp: compiling the filter: %m");
		goto out;
	}
	if (len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		log_error("linux.seccomp: the compiled filter has %zu bytes, more than the kernel takes", len);
		goto out;
	}
	f->len = (unsigned short)(len / sizeof(struct sock_filter));
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return r;
}

/* ---- the cache ---- */

#define CACHE_MAGIC "BERTHSC1"

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap && !b->failed) {
		size_t cap = (b->len + n) * 2;
		char *bigger = realloc(b->data, cap);
		if (!bigger)
			b->failed = true;
		else
			b->data = bigger, b->cap = cap;
	}
	if (!b->failed) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

static void put_u64(struct buf *b, uint64_t v)
{
	buf_put(b, &v, sizeof(v));
}

static void put_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s) + 1);
}

/* Everything the compiled program depends on, in a fixed binary form:
 * the profile as parsed (so formatting and key order of the JSON do not
 * matter), this machine's architecture and libseccomp's version. */
static char *cache_key(const struct spec_seccomp *sc, size_t *len)
{
	const struct scmp_version *v = seccomp_version();
	struct buf b = { 0 };
	put_str(&b, "berth seccomp 1");
	put_u64(&b, seccomp_arch_native());
	put_u64(&b, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
	put_u64(&b, sc->default_action);
	put_u64(&b, sc->has_default_errno ? sc->default_errno : ~0ull);
	for (const char *const *a = sc->architectures; a && *a; a++)
		put_str(&b, *a);
	put_str(&b, "");
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct seccomp_rule *r = &sc->rules[i];
		put_u64(&b, r->action);
		put_u64(&b, r->has_errno ? r->errno_ret : ~0ull);
		for (const char *const *n = r->names; *n; n++)
			put_str(&b, *n);
		put_str(&b, "");
		put_u64(&b, r->n_args);
		for (size_t k = 0; k < r->n_args; k++) {
			put_u64(&b, r->args[k].index);
			put_u64(&b, r->args[k].op);
			put_u64(&b, r->args[k].value);
			put_u64(&b, r->args[k].value_two);
		}
	}
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	*len = b.len;
	return b.data;
}

static void cache_name(const char *key, size_t len, char *out, size_t cap)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a: names files, proves nothing */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ull;
	snprintf(out, cap, "%016llx.bpf", (unsigned long long)h);
}

static bool cache_load(int dirfd, const char *name, const char *key, size_t key_len, struct seccomp_filter *f)
{
	size_t len;
	char *data = dirfd >= 0 ? read_file_at(dirfd, name, &len) : NULL;
	size_t head = 8 + sizeof(uint32_t);
	bool ok = false;
	uint32_t stored_len;
	if (data && len >= head) {
		memcpy(&stored_len, data + 8, sizeof(stored_len));
		size_t body = len - head;
		ok = !memcmp(data, CACHE_MAGIC, 8) && stored_len == key_len && body >= key_len &&
		     !memcmp(data + head, key, key_len) && (body - key_len) % sizeof(struct sock_filter) == 0 &&
		     body > key_len && (body - key_len) / sizeof(struct sock_filter) <= BPF_MAXINSNS;
	}
	if (ok) {
		size_t insns = len - head - key_len;
		f->insns = malloc(insns);
		ok = f->insns != NULL;
		if (ok) {
			memcpy(f->insns, data + head + key_len, insns);
			f->len = (unsigned short)(insns / sizeof(struct sock_filter));
		}
	}
	free(data);
	return ok;
}

static void cache_store(int dirfd, const char *name, const char *key, size_t key_len, const struct seccomp_filter *f)
{
	size_t insns = f->len * sizeof(struct sock_filter), head = 8 + sizeof(uint32_t);
	char *data = malloc(head + key_len + insns);
	if (!data)
		return;
	uint32_t kl = (uint32_t)key_len;
	memcpy(data, CACHE_MAGIC, 8);
	memcpy(data + 8, &kl, sizeof(kl));
	memcpy(data + head, key, key_len);
	memcpy(data + head + key_len, f->insns, insns);
	/* A cache that cannot be written only costs the next start time. */
	if (write_file_atomic(dirfd, name, data, head + key_len + insns) < 0)
		log_debug("seccomp cache %s: %m", name);
	free(data);
}

static int open_cache_dir(const char *dir)
{
	if (!dir || !ENABLE_SECCOMP_CACHE)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int seccomp_filter_prepare(const struct spec_seccomp *sc, const char *cache_dir, struct seccomp_filter *f)
{
	memset(f, 0, sizeof(*f));
	static const unsigned flag_bits[][2] = {
		{ SC_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC }, { SC_FLAG_LOG, SECCOMP_FILTER_FLAG_LOG },
		{ SC_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_SPEC_ALLOW },
		{ SC_FLAG_WAIT_KILLABLE_RECV, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
	};
	for (size_t i = 0; i < ARRAY_SIZE(flag_bits); i++)
		if (sc->flags & flag_bits[i][0])
			f->flags |= flag_bits[i][1];
	/* The kernel refuses TSYNC with a listener; init has one thread. */
	if (sc->notifies)
		f->flags = (f->flags & ~(unsigned)SECCOMP_FILTER_FLAG_TSYNC) | SECCOMP_FILTER_FLAG_NEW_LISTENER;

	size_t key_len = 0;
	char *key = ENABLE_SECCOMP_CACHE ? cache_key(sc, &key_len) : NULL;
	int dirfd = key ? open_cache_dir(cache_dir) : -1;
	char name[32];
	if (key)
		cache_name(key, key_len, name, sizeof(name));
	int r = 0;
	if (!key || !cache_load(dirfd, name, key, key_len, f)) {
		r = compile(sc, f);
		if (r == 0 && dirfd >= 0)
			cache_store(dirfd, name, key, key_len, f);
	}
	if (dirfd >= 0)
		close(dirfd);
	free(key);
	return r;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	free(f->insns);
	f->insns = NULL;
}

int seccomp_filter_load(const struct seccomp_filter *f)
{
	struct sock_fprog prog = { .len = f->len, .filter = f->insns };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
	if (fd < 0)
		return log_error("linux.seccomp: loading the filter: %m%s",
				 errno == EINVAL && f->flags ? " (a flag this kernel does not know?)" : "");
	return (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int)fd : 0;
}

/* SCMP_ACT_NOTIFY: hand the listener fd to the process at listenerPath,
 * with the container's state, as runc does (the seccomp agent protocol:
 * one message, the fd in SCM_RIGHTS, "fds" naming it). */
int seccomp_filter_send_listener(const struct spec_seccomp *sc, const char *state_json, pid_t pid, int listener)
{
	struct jw w;
	jw_init(&w, false);
	jw_object(&w, NULL);
	jw_array(&w, "fds");
	jw_string(&w, NULL, "seccompFd");
	jw_end(&w);
	jw_string(&w, "ociVersion", OCI_VERSION);
	jw_int(&w, "pid", pid);
	jw_string(&w, "metadata", sc->listener_metadata ? sc->listener_metadata : "");
	jw_raw(&w, "state", state_json);
	jw_end(&w);
	char *text = jw_finish(&w);
	if (!text)
		return log_error("out of memory");
	int r = -1, sock = unix_connect(sc->listener_path);
	if (sock < 0) {
		log_error("linux.seccomp.listenerPath: connecting to %s: %m", sc->listener_path);
	} else if (send_with_fd(sock, text, strlen(text), listener) < 0) {
		log_error("linux.seccomp.listenerPath: sending the listener to %s: %m", sc->listener_path);
	} else {
		r = 0;
	}
	if (sock >= 0)
		close(sock);
	free(text);
	return r;
}

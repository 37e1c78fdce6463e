/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the config.json parser, the in-root path resolver and the small parsers.
 * Plain C, no framework: each check prints "ok"/"FAIL" and is counted. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/linux/mountopts.h"
#include "berth/util/json_write.h"
#include "berth/spec/oci.h"
#include "berth/spec/service.h"
#include "berth/spec/spec.h"
#include "berth/spec/target.h"
#include "berth/util/log.h"
#include "berth/util/mountinfo.h"
#include "berth/util/util.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { passed++; } \
	else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static int parse(struct spec *s, const char *json)
{
	spec_init(s);
	return oci_parse(s, json, strlen(json), "test.json");
}

/* Each input must be refused (-1); one that is not is printed. */
static void expect_all_refused(const char *const *inputs, size_t n, int (*load)(const char *))
{
	for (size_t i = 0; i < n; i++) {
		int r = load(inputs[i]);
		if (r != -1)
			printf("  accepted: %s\n", inputs[i]);
		CHECK(r == -1);
	}
}

static int try_config(const char *json)
{
	struct spec s;
	int r = parse(&s, json);
	spec_free(&s);
	return r;
}

#define BASE "\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, " \
	     "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"

static void test_minimal(void)
{
	struct spec s;
	CHECK(parse(&s, "{" BASE "}") == 0);
	CHECK(!strcmp(s.process.args[0], "sh") && !s.process.args[1]);
	CHECK(!strcmp(s.root_path, "rootfs") && !s.root_readonly);
	CHECK(s.n_mounts == 0 && !s.ns[NS_PID].wanted);
	spec_free(&s);
}

static void test_full(void)
{
	struct spec s;
	const char *json = "{\"ociVersion\": \"1.2.1\", \"hostname\": \"h\", \"root\": {\"path\": \"/r\", \"readonly\": true},"
		"\"process\": {\"args\": [\"a\", \"b\"], \"env\": [\"X=1\"], \"cwd\": \"/w\", \"noNewPrivileges\": true,"
		" \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [1, 2]},"
		" \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 18446744073709551615}],"
		" \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_SYS_ADMIN\"], \"ambient\": [\"CAP_FUTURE_THING\"]},"
		" \"oomScoreAdj\": -17},"
		"\"mounts\": [{\"destination\": \"/p\", \"type\": \"tmpfs\", \"source\": \"t\", \"options\": [\"ro\", \"nosuid\", \"size=1k\", \"rw\", \"rslave\"]},"
		" {\"destination\": \"/b\", \"source\": \"/x\", \"options\": [\"rbind\"]}],"
		"\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}],"
		" \"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 438}],"
		" \"sysctl\": {\"net.a\": \"1\"}, \"maskedPaths\": [\"/m\"], \"readonlyPaths\": [\"/r\"],"
		" \"rootfsPropagation\": \"rprivate\", \"cgroupsPath\": \"/c\","
		" \"timeOffsets\": {\"boottime\": {\"secs\": -5, \"nanosecs\": 7}}},"
		"\"hooks\": {\"poststop\": [{\"path\": \"/h\", \"timeout\": 3}]},"
		"\"annotations\": {\"k\": \"v\"}, \"unknownField\": {\"ignored\": [1, 2]}}";
	CHECK(parse(&s, json) == 0);
	CHECK(!strcmp(s.hostname, "h") && s.root_readonly);
	CHECK(s.process.uid == 1000 && s.process.gid == 100 && s.process.umask == 18 && s.process.has_umask);
	CHECK(s.process.n_additional_gids == 2 && s.process.additional_gids[1] == 2);
	CHECK(s.process.n_rlimits == 1 && s.process.rlimits[0].resource == RLIMIT_NOFILE);
	CHECK(s.process.rlimits[0].soft == 10 && s.process.rlimits[0].hard == UINT64_MAX);
	CHECK(s.process.caps[CAPS_BOUNDING] == ((1ull << 5) | (1ull << 21)) && s.process.caps[CAPS_AMBIENT] == 0);
	CHECK(s.process.has_oom_score_adj && s.process.oom_score_adj == -17 && s.process.no_new_privileges);
	CHECK(s.n_mounts == 2);
	CHECK(s.mounts[0].flags == MS_NOSUID && (s.mounts[0].clear & MS_RDONLY));
	CHECK(!strcmp(s.mounts[0].data, "size=1k") && s.mounts[0].propagation == (MS_SLAVE | MS_REC));
	CHECK(s.mounts[1].bind && s.mounts[1].recursive_bind && !s.mounts[1].type);
	CHECK(s.ns[NS_PID].wanted && !s.ns[NS_PID].path && !strcmp(s.ns[NS_NET].path, "/proc/1/ns/net"));
	CHECK(s.n_devices == 1 && s.devices[0].type == 'c' && s.devices[0].mode == 0666);
	CHECK(s.n_sysctl == 1 && !strcmp(s.sysctl[0].key, "net.a"));
	CHECK(s.rootfs_propagation == (MS_PRIVATE | MS_REC) && !strcmp(s.cgroups_path, "/c"));
	CHECK(s.has_time_offsets && s.time_offsets[1][0] == -5 && s.time_offsets[1][1] == 7);
	CHECK(s.n_hooks[HOOK_POSTSTOP] == 1 && s.hooks[HOOK_POSTSTOP][0].timeout == 3);
	CHECK(s.n_annotations == 1 && !strcmp(s.annotations[0].value, "v"));
	spec_free(&s);
}

/* Each bad document fails; the caller sees the message on stderr. */
static void test_errors(void)
{
	static const char *const bad[] = {
		"", "[]", "{", "{\"ociVersion\": 1}", "{\"ociVersion\": \"2.0.0\"}", "{\"ociVersion\": \"x\"}",
		"{\"ociVersion\": \"1.0.0\"}",
		"{" BASE ", \"hostname\": 5}",
		"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [], \"cwd\": \"/\"}}",
		"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
		"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
		"{" BASE ", \"mounts\": [{\"type\": \"tmpfs\"}]}",
		"{" BASE ", \"mounts\": [{\"destination\": \"/x\", \"options\": [\"bind\"], \"uidMappings\": [{\"containerID\": 0}]}]}",
		"{" BASE ", \"mounts\": [{\"destination\": \"/x\", \"gidMappings\": {}}]}",
		"{" BASE ", \"linux\": {\"devices\": [{\"path\": \"/d\", \"type\": \"c\"}]}}",
		"{" BASE ", \"linux\": {\"devices\": [{\"path\": \"/d\", \"type\": \"q\", \"major\": 1, \"minor\": 1}]}}",
		"{" BASE ", \"hooks\": {\"prestart\": [{\"path\": \"/h\", \"timeout\": 0}]}}",
		"{" BASE ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 0}]}}",
		"{" BASE ", \"linux\": {\"rootfsPropagation\": \"weird\"}}",
		"{" BASE ", \"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": 1, \"nanosecs\": 1000000000}}}}",
		"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"user\": {\"uid\": 1.5}}}",
		"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"oomScoreAdj\": 1001}}",
		"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"], \"cwd\": \"/\","
		" \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 2, \"hard\": 1}]}}",
	};
	expect_all_refused(bad, sizeof(bad) / sizeof(bad[0]), try_config);
}

static int try_resources(const char *json)
{
	struct resources r = { 0 };
	struct arena a = { 0 };
	int ret = oci_resources_from_text(&r, &a, json, strlen(json), "r.json");
	arena_free(&a);
	return ret;
}

static void test_resources(void)
{
	struct spec s;
	const char *json = "{" BASE ", \"linux\": {\"resources\": {"
		"\"memory\": {\"limit\": 67108864, \"swap\": -1, \"reservation\": 0, \"disableOOMKiller\": true},"
		"\"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000, \"cpus\": \"0-1\"},"
		"\"pids\": {\"limit\": -1}, \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1024}]},"
		"\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4096}], \"network\": {\"classID\": 7, \"priorities\": [{\"name\": \"eth0\", \"priority\": 3}]},"
		"\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"rw\"}],"
		"\"rdma\": {\"mlx\": {\"hcaHandles\": 2, \"hcaObjects\": 9}}, \"unified\": {\"memory.high\": \"1G\"}}}}";
	CHECK(parse(&s, json) == 0);
	const struct resources *r = &s.resources;
	CHECK(res_has(r, R_MEM_LIMIT) && r->v[R_MEM_LIMIT] == 67108864 && r->v[R_MEM_SWAP] == -1);
	CHECK(!res_has(r, R_MEM_RESERVATION));	/* zero is "not set", as runc reads it */
	CHECK(res_has(r, R_MEM_DISABLE_OOM_KILLER) && r->v[R_MEM_DISABLE_OOM_KILLER] == 1);
	CHECK(r->v[R_CPU_SHARES] == 512 && !strcmp(r->cpus, "0-1") && !r->mems && r->v[R_PIDS_LIMIT] == -1);
	CHECK(r->n_throttle[THROTTLE_READ_BPS] == 1 && r->throttle[THROTTLE_READ_BPS][0].value == 1024);
	CHECK(r->n_hugepages == 1 && r->hugepages[0].limit == 4096 && r->v[R_NET_CLASS_ID] == 7);
	CHECK(r->n_net_priorities == 1 && !strcmp(r->net_priorities[0].value, "3"));
	CHECK(r->n_devices == 2 && r->devices[0].type == 'a' && !r->devices[0].allow && r->devices[1].minor == -1);
	CHECK(r->n_rdma == 1 && !strcmp(r->rdma[0].value, "hca_handle=2 hca_object=9"));
	CHECK(r->n_unified == 1 && !strcmp(r->unified[0].key, "memory.high"));
	spec_free(&s);
	static const char *const bad[] = {
		"{\"memory\": {\"limit\": \"1G\"}}", "{\"memory\": {\"swappiness\": 101}}",
		"{\"cpu\": {\"period\": 2000000}}", "{\"blockIO\": {\"weightDevice\": [{\"major\": 8}]}}",
		"{\"hugepageLimits\": [{\"pageSize\": \"2XB\", \"limit\": 1}]}",
		"{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}", "{\"devices\": [{\"access\": \"r\"}]}",
		"{\"devices\": [{\"allow\": true, \"type\": \"z\"}]}", "{\"unified\": {\"../x\": \"1\"}}",
		"{\"network\": {\"priorities\": [{\"name\": \"a b\", \"priority\": 1}]}}",
	};
	expect_all_refused(bad, sizeof(bad) / sizeof(bad[0]), try_resources);
}

static int try_seccomp(const char *obj)
{
	char doc[1024];
	snprintf(doc, sizeof(doc), "{" BASE ", \"linux\": {\"seccomp\": %s}}", obj);
	return try_config(doc);
}

static void test_seccomp(void)
{
	struct spec s;
	const char *json = "{" BASE ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		"\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_AARCH64\"], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
		"\"listenerPath\": \"/run/agent.sock\", \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_NOTIFY\", \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]}]}}}";
	CHECK(parse(&s, json) == 0);
	const struct spec_seccomp *sc = s.seccomp;
	CHECK(sc && sc->default_action == SC_ERRNO && sc->has_default_errno && sc->default_errno == 38);
	CHECK(sc && sc->flags == SC_FLAG_LOG && sc->n_rules == 2 && sc->notifies);
	CHECK(sc && sc->rules[1].n_args == 1 && sc->rules[1].args[0].op == SC_EQ && sc->rules[1].args[0].value == 9);
	CHECK(sc && !strcmp(sc->architectures[1], "SCMP_ARCH_AARCH64") && !sc->architectures[2]);
	spec_free(&s);
	static const char *const bad[] = {
		"{}", "{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
		"{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/x\"}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_PDP11\"]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_X\"]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\","
		" \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\","
		" \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}",
	};
	expect_all_refused(bad, sizeof(bad) / sizeof(bad[0]), try_seccomp);
}

/* Three arrays appended to in turn, one element at a time, as repeated
 * keys do: contents intact, and the arena stays a small multiple. */
static void test_arena_grow(void)
{
	struct arena a = { 0 };
	int *v[3] = { NULL, NULL, NULL };
	size_t n = 20000;
	bool intact = true;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++) {
			v[k] = arena_grow(&a, v[k], i, sizeof(int));
			v[k][i] = (int)i * 3 + k;
		}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			intact &= v[k][i] == (int)i * 3 + k;
	CHECK(intact);
	const char *const *vec = NULL;
	for (int i = 0; i < 1000; i++)
		vec = arena_vec_add(&a, vec, i % 2 ? "odd" : "even");
	size_t len = 0;
	while (vec[len])
		len++;
	CHECK(len == 1000 && !strcmp(vec[999], "odd") && !strcmp(vec[0], "even"));
	arena_free(&a);
}

static int load_service(struct service_conf *c, const char *text);

/* Strings are packed (a string needs no alignment), everything else stays
 * aligned for any type, both intact; a small service's parse fits one
 * block (a supervisor keeps one per service). */
static void test_arena_pack(void)
{
	struct arena a = { 0 };
	char *s[64];
	void *p[64];
	bool aligned = true, intact = true;
	for (int i = 0; i < 64; i++) {
		char text[8];
		snprintf(text, sizeof(text), "s%d", i);
		s[i] = arena_strdup(&a, text);
		p[i] = arena_alloc(&a, 24);
		memset(p[i], 0xa5, 24);
		aligned &= (uintptr_t)p[i] % _Alignof(max_align_t) == 0;
	}
	for (int i = 0; i < 64; i++) {
		char text[8];
		snprintf(text, sizeof(text), "s%d", i);
		intact &= !strcmp(s[i], text) && ((unsigned char *)p[i])[23] == 0xa5;
	}
	CHECK(aligned && intact);
	char *x = arena_strdup(&a, "x"), *y = arena_strdup(&a, "y");
	CHECK(y == x + 2 && !strcmp(x, "x") && !strcmp(y, "y"));
	arena_free(&a);
	struct service_conf c;
	CHECK(load_service(&c, "[service]\nrootfs = /srv/r\nexec = sleep 100000\nrestart-delay = 0ms\n") == 0);
	CHECK(arena_blocks(&c.spec.arena) == 1);
	service_free(&c);
}

static int load_service(struct service_conf *c, const char *text)
{
	return service_load_text(c, text, strlen(text), "/etc/berth/web.conf");
}

static int try_service(const char *text)
{
	struct service_conf c;
	int r = load_service(&c, text);
	service_free(&c);
	return r;
}

/* Comments at the end of a line (# and ;, after a blank), as the README's
 * examples write them; quotes and a backslash keep a literal. */
static void test_service_comments(void)
{
	struct service_conf c;
	const char *text = "[service]   # the section\n"
		"rootfs = /srv/web    # the root\n"
		"exec = sh -c 'echo a ; echo b # not a comment' \"x ; y\" ; the command\n"
		"   --more  # continued\n"
		"env = A=x\\#y\\;z  ; escaped\n"
		"env = B=1;2#3\n"
		"wait-for = mounted:/data    # no bus\n"
		"wait-for = path:/run/x\t; tab before\n";
	CHECK(load_service(&c, text) == 0);
	const char *const *a = c.spec.process.args;
	CHECK(a && !strcmp(a[0], "sh") && !strcmp(a[1], "-c") && !strcmp(a[2], "echo a ; echo b # not a comment") &&
	      !strcmp(a[3], "x ; y") && !strcmp(a[4], "--more") && !a[5]);
	bool ax = false, b1 = false;
	for (size_t i = 0; c.spec.process.env[i]; i++) {
		ax |= !strcmp(c.spec.process.env[i], "A=x#y;z");
		b1 |= !strcmp(c.spec.process.env[i], "B=1;2#3");	/* no blank before: not a comment */
	}
	CHECK(ax && b1);
	CHECK(c.n_wait_for == 2 && !strcmp(c.wait_for[0].arg, "/data") && !strcmp(c.wait_for[1].arg, "/run/x"));
	service_free(&c);
}

/* overlay = and image roots (IMAGE_ROOT): the values, and what is refused. */
static void test_service_overlay(void)
{
	struct service_conf c;
	const char *base = "[service]\nrootfs = /r\nexec = true\n";
	char text[256];
	snprintf(text, sizeof(text), "%soverlay = tmpfs:16M\n", base);
	CHECK(load_service(&c, text) == 0 && c.spec.overlay == OVERLAY_TMPFS && c.spec.overlay_size == 16 << 20 &&
	      !c.spec.root_image);
	service_free(&c);
	snprintf(text, sizeof(text), "%soverlay = tmpfs\n", base);
	CHECK(load_service(&c, text) == 0 && c.spec.overlay == OVERLAY_TMPFS && c.spec.overlay_size == 0);
	service_free(&c);
	snprintf(text, sizeof(text), "%soverlay = /data/web\n", base);
	CHECK(load_service(&c, text) == 0 && c.spec.overlay == OVERLAY_DIR && !strcmp(c.spec.overlay_dir, "/data/web"));
	service_free(&c);
	snprintf(text, sizeof(text), "%soverlay = none\n", base);
	CHECK(load_service(&c, text) == 0 && c.spec.overlay == OVERLAY_NONE);
	service_free(&c);
	static const char *const bad[] = { "tmpfs:", "tmpfs:0", "tmpfs:lots", "tmpfs16M", "data/web", "/a,b", "/a:b",
					   "/a\\b", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%soverlay = %s\n", base, bad[i]);
		CHECK(try_service(text) < 0);
	}
	snprintf(text, sizeof(text), "%soverlay = tmpfs\n[container]\nread-only = yes\n", base);
	CHECK(try_service(text) < 0);	/* writable and read-only at once */
	/* An image by its name, without reading the file (the supervisor
	 * parses in its loop); anything else, a directory. */
	static const char *const images[] = { "/i/web.squashfs", "/i/web.sqfs", "/i/web.erofs", "/i/web.img" };
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		snprintf(text, sizeof(text), "[service]\nrootfs = %s\nexec = true\n", images[i]);
		CHECK(load_service(&c, text) == 0 && c.spec.root_image);
		service_free(&c);
	}
	CHECK(load_service(&c, "[service]\nrootfs = /proc/self/exe\nexec = true\n") == 0 && !c.spec.root_image);
	service_free(&c);
	CHECK(load_service(&c, "[service]\nrootfs = /srv/.img\nexec = true\n") == 0 && c.spec.root_image);
	service_free(&c);
	CHECK(try_service("[service]\nrootfs = /i/web.squashfs\nexec = true\n[container]\nnamespaces = pid\n") < 0);
	CHECK(try_service("[service]\nrootfs = /a,b\nexec = true\noverlay = tmpfs\n") < 0);	/* lowerdir's separator */
}

static void test_service(void)
{
	struct service_conf c;
	const char *good = "; comment\n[service]\nrootfs = /srv/web\nexec = httpd -f -p \"80 80\" 'a b' c\\ d\n"
		"   --extra\nenv = A=1\nenv = PATH=/x\nuser = 1000:100\nrestart = always\nrestart-delay = 250ms\n"
		"after = setup, net\nrequires = setup\nready = path:/run/ready\nwait-for = mounted:/data\n"
		"stop-signal = INT\nlog-size = 8k\n[container]\nmount = /data:/data:ro\nmount = tmpfs:/tmp:size=1m\n"
		"capability = CAP_NET_ADMIN\ncapability = -CAP_KILL\nrlimit = NOFILE=100:200\nnamespaces = pid mount\n"
		"[resources]\nmemory.max = 64M\nmemory.swap.max = 16M\ncpu.max = 50000\npids.max = max\ncpu.weight = 100\n";
	CHECK(load_service(&c, good) == 0);
	const struct spec *s = &c.spec;
	CHECK(!strcmp(c.name, "web") && !strcmp(s->root_path, "/srv/web") && !strcmp(s->bundle, "/srv"));
	CHECK(!strcmp(s->process.args[3], "80 80") && !strcmp(s->process.args[4], "a b") &&
	      !strcmp(s->process.args[5], "c d") && !strcmp(s->process.args[6], "--extra") && !s->process.args[7]);
	size_t n = 0;
	bool path_replaced = false;
	for (; s->process.env[n]; n++)
		path_replaced |= !strcmp(s->process.env[n], "PATH=/x");
	CHECK(path_replaced && n == 3);	/* PATH replaced, TERM kept, A added */
	service_free(&c);
	/* From text already read: what the supervisor parses is what it keeps. */
	static const char text[] = "[service]\nrootfs = /r\nexec = true\nenv = FROM=text\n";
	CHECK(service_load_text(&c, text, sizeof(text) - 1, "/etc/berth/t.conf") == 0 && !strcmp(c.name, "t"));
	bool from_text = false;
	for (int i = 0; c.spec.process.env[i]; i++)
		from_text |= !strcmp(c.spec.process.env[i], "FROM=text");
	CHECK(from_text);
	service_free(&c);
	CHECK(service_load_text(&c, "", 0, "/etc/berth/empty.conf") < 0);	/* no rootfs, no exec */
	service_free(&c);
	/* The last line needs no newline; a line past inih's 200 bytes is an
	 * error (at its line), the longest that fits is not. */
	static const char no_nl[] = "[service]\nrootfs = /r\nexec = true";
	CHECK(service_load_text(&c, no_nl, sizeof(no_nl) - 1, "/etc/berth/t.conf") == 0 &&
	      !strcmp(c.spec.process.args[0], "true"));
	service_free(&c);
	char longest[400];
	int at = snprintf(longest, sizeof(longest), "[service]\nrootfs = /r\nexec = true\nenv = A=");
	memset(longest + at, 'x', 190);	/* "env = A=" and 190: 198 characters, inih's 200 less two */
	snprintf(longest + at + 190, sizeof(longest) - at - 190, "\n");
	CHECK(service_load_text(&c, longest, strlen(longest), "/etc/berth/t.conf") == 0);
	service_free(&c);
	memset(longest + at, 'x', 300);
	snprintf(longest + at + 300, sizeof(longest) - at - 300, "\nuser = 1\n");
	CHECK(service_load_text(&c, longest, strlen(longest), "/etc/berth/t.conf") < 0);
	service_free(&c);
	/* Set twice: the first place, the last value, once. */
	CHECK(load_service(&c, "[service]\nrootfs = /r\nexec = true\nenv = A=1\nenv = B=2\nenv = A=3\n") == 0);
	int a_at = -1, b_at = -1, a_count = 0;
	for (int i = 0; c.spec.process.env[i]; i++) {
		if (!strncmp(c.spec.process.env[i], "A=", 2))
			a_at = i, a_count++;
		if (!strcmp(c.spec.process.env[i], "B=2"))
			b_at = i;
	}
	CHECK(a_count == 1 && a_at >= 0 && a_at < b_at && !strcmp(c.spec.process.env[a_at], "A=3"));
	service_free(&c);
	CHECK(load_service(&c, good) == 0);
	s = &c.spec;
	CHECK(s->process.uid == 1000 && s->process.gid == 100 && !s->process.terminal);
	CHECK(c.restart == RESTART_ALWAYS && c.restart_delay_ms == 250 && c.stop_signal == 2 && c.log_size == 8192);
	CHECK(c.after && !strcmp(c.after[1], "net") && !c.after[2] && !strcmp(c.requires[0], "setup"));
	CHECK(c.ready == READY_PATH && !strcmp(c.ready_path, "/run/ready") && c.n_wait_for == 1);
	CHECK(s->n_mounts >= 2 && s->mounts[s->n_mounts - 1].type && !strcmp(s->mounts[s->n_mounts - 1].type, "tmpfs"));
	CHECK(s->mounts[s->n_mounts - 2].bind && (s->mounts[s->n_mounts - 2].flags & MS_RDONLY));
	CHECK((s->process.caps[CAPS_BOUNDING] & (1ull << 12)) && !(s->process.caps[CAPS_EFFECTIVE] & (1ull << 5)));
	CHECK(s->ns[NS_PID].wanted && s->ns[NS_MNT].wanted && !s->ns[NS_NET].wanted && !s->hostname);	/* no uts: no hostname */
	const struct resources *r = &s->resources;
	CHECK(r->v[R_MEM_LIMIT] == 64 << 20 && r->v[R_MEM_SWAP] == 80 << 20 && r->v[R_PIDS_LIMIT] == -1);
	CHECK(r->v[R_CPU_QUOTA] == 50000 && r->v[R_CPU_PERIOD] == 100000 && r->v[R_CPU_SHARES] == 2 + 99 * 262142 / 9999);
	CHECK(r->pids_share == 0);	/* pids.max = max: no share */
	service_free(&c);
	/* pids.max: by default a share of the host's tasks; N% another share,
	 * a number a limit. */
	CHECK(load_service(&c, "[service]\nrootfs = /r\nexec = true\n") == 0);
	CHECK(!res_has(&c.spec.resources, R_PIDS_LIMIT) && c.spec.resources.pids_share == SERVICE_PIDS_SHARE);
	service_free(&c);
	CHECK(load_service(&c, "[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 40%\n") == 0);
	CHECK(!res_has(&c.spec.resources, R_PIDS_LIMIT) && c.spec.resources.pids_share == 40);
	service_free(&c);
	CHECK(load_service(&c, "[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 64\n") == 0);
	CHECK(c.spec.resources.v[R_PIDS_LIMIT] == 64 && c.spec.resources.pids_share == 0);
	service_free(&c);
	static const char *const bad[] = {
		"[service]\nexec = true\n",				/* no rootfs or bundle */
		"[service]\nrootfs = relative\nexec = true\n",
		"[service]\nrootfs = /r\n",				/* no exec (default sh?) */
		"[service]\nrootfs = /r\nexec = 'open\n",
		"[service]\nrootfs = /r\nexec = true\nrestart = maybe\n",
		"[service]\nrootfs = /r\nexec = true\nrestart-delay = 5y\n",
		"[service]\nrootfs = /r\nexec = true\nrestart = no\nrestart = always\n",
		"[service]\nrootfs = /r\nexec = true\nrequires = web\n",	/* itself */
		"[service]\nrootfs = /r\nexec = true\nready = exit\nrestart = always\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\nmemory.max = 64Q\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\ncpu.max = 50000 100000 7\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\ncpu.max = 50000 999\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\ncpu.max = \n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\nmemory.swap.max = 1M\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 0%\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 101%\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = %\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 5x%\n",
		"[service]\nrootfs = /r\nexec = true\n[resources]\npids.max = 100000000%\n",
		"[service]\nrootfs = /r\nexec = true\n[container]\nnamespaces = pid\n",
		"[service]\nrootfs = /r\nexec = true\n[container]\nmount = nodest\n",
		"[service]\nrootfs = /r\nexec = true\n[container]\ncapability = CAP_NOPE\n",
		"[service]\nrootfs = /r\nexec = true\n[container]\nrlimit = NOFILE=9:1\n",
		"[service]\nrootfs = /r\nexec = true\n[other]\nx = 1\n",
		"[service]\nrootfs = /r\nexec = true\nno equals sign here\n",
	};
	expect_all_refused(bad, sizeof(bad) / sizeof(bad[0]), try_service);
	const char *err;
	struct arena a = { 0 };
	const char *const *w = split_command("  a\\ b  \"c \\\" d\"'e'  ", &a, &err);
	CHECK(w && !strcmp(w[0], "a b") && !strcmp(w[1], "c \" de") && !w[2]);
	CHECK(!split_command("   ", &a, &err) && !split_command("a \"b", &a, &err));
	arena_free(&a);
}

static void test_validate(void)
{
	struct spec s;
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}") == 0);
	CHECK(spec_validate(&s) == 0);
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"hostname\": \"x\", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}") == 0);
	CHECK(spec_validate(&s) == -1);	/* hostname without a uts namespace */
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\"}],"
		    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.panic\": \"1\"}}}") == 0);
	CHECK(spec_validate(&s) == -1);	/* kernel.panic is host-wide */
	spec_free(&s);
	/* No mount namespace: the runtime's is shared, with a chroot; what
	 * would need one of its own is refused by name. */
	CHECK(parse(&s, "{" BASE "}") == 0);
	CHECK(spec_validate(&s) == 0);
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\"}]}") == 0);
	CHECK(spec_validate(&s) == -1);	/* mounts without a mount namespace */
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"maskedPaths\": [\"/proc/kcore\"]}}") == 0);
	CHECK(spec_validate(&s) == -1);	/* masked paths without a mount namespace */
	spec_free(&s);
	/* Idmapped mounts: bind only; both mappings or none; none needs a
	 * user namespace. */
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"mounts\": [{\"destination\": \"/x\","
		    " \"source\": \"/s\", \"options\": [\"rbind\", \"ridmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000,"
		    " \"size\": 1}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]}") == 0);
	CHECK(s.mounts[0].idmap == IDMAP_RECURSIVE && s.mounts[0].n_uid_mappings == 1 && s.mounts[0].uid_mappings[0].host_id == 1000);
	CHECK(spec_validate(&s) == 0);
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"mounts\": [{\"destination\": \"/x\","
		    " \"type\": \"tmpfs\", \"options\": [\"idmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}],"
		    " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}]}") == 0);
	CHECK(spec_validate(&s) == -1);	/* idmap on a tmpfs */
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"mounts\": [{\"destination\": \"/x\","
		    " \"source\": \"/s\", \"options\": [\"bind\", \"idmap\"]}]}") == 0);
	CHECK(s.mounts[0].idmap == IDMAP_FLAT);
	CHECK(spec_validate(&s) == -1);	/* no mappings and no user namespace */
	spec_free(&s);
	CHECK(parse(&s, "{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"mounts\": [{\"destination\": \"/x\","
		    " \"source\": \"/s\", \"options\": [\"bind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}]}") == 0);
	CHECK(s.mounts[0].idmap == IDMAP_FLAT);	/* mappings without the option: idmapped */
	CHECK(spec_validate(&s) == -1);	/* uidMappings without gidMappings */
	spec_free(&s);
}

/* inroot_open: does `in` resolve to root + `out` (same inode), with
 * openat2 and with berth's own walk alike? */
static bool resolves_to(int rootfd, const char *root, const char *in, const char *out, unsigned flags)
{
	char want[4200];
	snprintf(want, sizeof(want), "%s%s", root, out);
	struct stat a, b;
	int fd = inroot_open(rootfd, in, flags);
	bool same = fd >= 0 && fstat(fd, &a) == 0 && stat(want, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	if (!same)
		printf("  inroot_open(%s, %#x) does not reach %s (%m)\n", in, flags, out);
	if (fd >= 0)
		close(fd);
	return same;
}

static void test_inroot(void)
{
	char base[] = "/tmp/berth-unit-XXXXXX";
	CHECK(mkdtemp(base) != NULL);
	char root[4200], p[4200], outside[4200];
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(root, 0755);
	mkdir(outside, 0755);
#define AT(name) (snprintf(p, sizeof(p), "%s/%s", root, name), p)
	mkdir(AT("etc"), 0755);
	mkdir(AT("tmp"), 0755);
	CHECK(symlink("/etc", AT("abs")) == 0);
	CHECK(symlink("../../../..", AT("up")) == 0);
	CHECK(symlink("loop", AT("loop")) == 0);
	/* Through a missing component, then back up: the string resolver
	 * stopped checking at "missing" and let the ".." climb out. */
	CHECK(symlink("missing/../../outside", AT("through")) == 0);
	CHECK(symlink("/proc/self/fd/3", AT("magic")) == 0);
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	for (unsigned mode = 0; mode <= INROOT_WALK; mode += INROOT_WALK) {
		CHECK(resolves_to(rootfd, root, "/../../etc", "/etc", mode));
		CHECK(resolves_to(rootfd, root, "/abs", "/etc", mode));
		CHECK(resolves_to(rootfd, root, "/up/etc", "/etc", mode));
		CHECK(resolves_to(rootfd, root, "/up/../up/tmp", "/tmp", mode));
		CHECK(resolves_to(rootfd, root, "/", "", mode));
		CHECK(resolves_to(rootfd, root, "./etc/./", "/etc", mode));
		errno = 0;
		CHECK(inroot_open(rootfd, "/loop/x", mode) < 0 && errno == ELOOP);
		CHECK(inroot_open(rootfd, "/abs", mode | INROOT_NO_SYMLINKS) < 0 && errno == ELOOP);
		CHECK(inroot_open(rootfd, "/nothere", mode) < 0 && errno == ENOENT);
		CHECK(resolves_to(rootfd, root, "/through/made", "/outside/made", mode | INROOT_MKDIR));
		CHECK(resolves_to(rootfd, root, "/abs/file", "/etc/file", mode | INROOT_MKFILE));
		unlink(AT("etc/file"));
		rmdir(AT("outside/made"));
		/* A magic link is never followed to what it names. */
		int fd = inroot_open(rootfd, "/magic", mode);
		struct stat st, host;
		CHECK(fd < 0 || (fstat(fd, &st) == 0 && stat(outside, &host) == 0 && st.st_ino != host.st_ino));
		if (fd >= 0)
			close(fd);
	}
	snprintf(p, sizeof(p), "%s/made", outside);
	CHECK(access(p, F_OK) < 0);	/* nothing was made outside */
	const char *name;
	int fd = inroot_open_parent(rootfd, "/through/dev/null", INROOT_MKDIR, &name);
	CHECK(fd >= 0 && !strcmp(name, "null"));
	if (fd >= 0)
		close(fd);
	CHECK(inroot_open_parent(rootfd, "/dev/..", INROOT_MKDIR, &name) < 0 && errno == EINVAL);
	close(rootfd);
#undef AT
	remove_tree(base);
}

/* utc_stamp: RFC 3339 in UTC with nanoseconds, the second the clock
 * says (formatted by hand, not by strftime: clock.c says why). */
static void test_utc_stamp(void)
{
	char st[UTC_STAMP_LEN], again[32];
	/* The bounds from the clock utc_stamp reads: glibc's time() reads a
	 * coarser one, a tick behind, and the test failed once a second
	 * began between them. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_REALTIME, &t0);
	utc_stamp(st, sizeof(st));
	clock_gettime(CLOCK_REALTIME, &t1);
	time_t before = t0.tv_sec, after = t1.tv_sec;
	CHECK(strlen(st) == 30 && st[4] == '-' && st[7] == '-' && st[10] == 'T' && st[13] == ':' && st[16] == ':' &&
	      st[19] == '.' && st[29] == 'Z');
	bool matches = false;
	for (time_t t = before; t <= after; t++) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(again, sizeof(again), "%Y-%m-%dT%H:%M:%S", &tm);
		matches |= !strncmp(st, again, 19);
	}
	CHECK(matches);
	char small[12];
	utc_stamp(small, sizeof(small));
	CHECK(strlen(small) == sizeof(small) - 1);
}

/* mkdir_p: one mkdir where the parent exists, every level where it
 * does not, trailing and doubled slashes, a file in the way. */
static void test_mkdir_p(void)
{
	char base[] = "/tmp/berth-unit-mkdir.XXXXXX", p[256];
	CHECK(mkdtemp(base) != NULL);
	struct stat st;
	mode_t mask = umask(022);
	snprintf(p, sizeof(p), "%s/a/b//c/", base);
	CHECK(mkdir_p(p, 0750) == 0);
	snprintf(p, sizeof(p), "%s/a/b/c", base);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750);
	umask(mask);
	CHECK(mkdir_p(p, 0755) == 0);	/* there already */
	snprintf(p, sizeof(p), "%s/a/d", base);
	CHECK(mkdir_p(p, 0755) == 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(p, sizeof(p), "%s/file", base);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	errno = 0;
	CHECK(mkdir_p(p, 0755) < 0 && errno == ENOTDIR);
	snprintf(p, sizeof(p), "%s/file/x/y", base);
	errno = 0;
	CHECK(mkdir_p(p, 0755) < 0 && errno == ENOTDIR);
	CHECK(mkdir_p("/", 0755) == 0);
	remove_tree(base);
}

/* read_fd: files of every size around its stack buffer (4 KiB) and its
 * doublings, whole and ended by a NUL; a pipe that delivers a few bytes
 * at a time; an fd that cannot be read. */
static void test_read_fd(void)
{
	static const size_t sizes[] = { 0, 1, 255, 4095, 4096, 4097, 8191, 8192, 8193, 16385, 100000 };
	char path[] = "/tmp/berth-unit-read.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	char *want = malloc(100000);
	for (size_t i = 0; i < 100000; i++)
		want[i] = (char)('a' + i * 7 % 26);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, want, sizes[k], 0) == (ssize_t)sizes[k]);
		size_t len = 12345;
		char *got = read_file(path, &len);
		CHECK(got && len == sizes[k] && !memcmp(got, want, len) && got[len] == 0);
		free(got);
	}
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		for (size_t off = 0; off < 9000; off += 7)
			if (write(p[1], want + off, off + 7 > 9000 ? 9000 - off : 7) < 0)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	size_t len = 0;
	char *got = read_fd(p[0], &len);
	CHECK(got && len == 9000 && !memcmp(got, want, len) && got[len] == 0);
	free(got);
	close(p[0]);
	waitpid(pid, NULL, 0);
	int wr = open(path, O_WRONLY | O_CLOEXEC);
	errno = 0;
	CHECK(wr >= 0 && read_fd(wr, NULL) == NULL && errno == EBADF);
	close(wr);
	close(fd);
	unlink(path);
	free(want);
}

/* A process's subject (the supervisor's starter: "service NAME") names
 * each message, on the terminal and in a --log file, escaped there. Last:
 * the log file stays open. */
static char captured[8192];
static size_t captured_len;
static void capture(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	captured_len = len;
	snprintf(captured, sizeof(captured), "%.*s", (int)len, line);
}

static void test_log_subject(void)
{
	char path[] = "/tmp/berth-unit-log.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK(log_open(path, 1, 0) == 0);
	log_set_writer(capture, NULL);
	log_set_subject("service \"web\"");
	log_error("no %s", "rootfs");
	log_set_subject(NULL);
	log_warn("plain");
	log_set_writer(NULL, NULL);
	CHECK(!strcmp(captured, "berth: warning: plain\n"));
	char text[1024] = "";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = 0;
	CHECK(strstr(text, "{\"level\":\"error\",\"msg\":\"service \\\"web\\\": no rootfs\",\"time\":\"") == text);
	CHECK(strstr(text, "\"msg\":\"plain\"") != NULL);
	unlink(path);
	/* and on the terminal, named */
	log_set_writer(capture, NULL);
	log_set_subject("service web");
	log_error("exited");
	log_set_subject(NULL);
	log_set_writer(NULL, NULL);
	CHECK(!strcmp(captured, "berth: service web: exited\n"));
	/* A message longer than the stack's line (a path, say) comes whole,
	 * up to 4 KiB, and cut there; %m is still the caller's errno. */
	static char long_path[6000];
	memset(long_path, 'p', sizeof(long_path) - 1);
	log_set_writer(capture, NULL);
	log_set_subject("service web");
	errno = ENOENT;
	log_error("%.3000s: %m", long_path);
	size_t want = strlen("berth: service web: ") + 3000 + strlen(": No such file or directory\n");
	CHECK(captured_len == want && !strcmp(captured + want - 28, ": No such file or directory\n"));
	log_error("%s", long_path);
	CHECK(captured_len == strlen("berth: service web: ") + 4095 + 1 && captured[captured_len - 1] == '\n');
	log_message(LOG_ERROR, long_path);
	CHECK(captured_len == strlen("berth: service web: ") + 4095 + 1 && captured[captured_len - 1] == '\n');
	log_set_subject(NULL);
	log_set_writer(NULL, NULL);
}

/* A number where an integer belongs is named without a floating-point
 * conversion (berth's printf has none): a fraction as such, a whole
 * number out of range as digits, with its JSON path. */
static void test_number_errors(void)
{
	static const struct { const char *process, *msg; } cases[] = {
		{ "\"user\": {\"uid\": 1.5}", "process.user.uid: expected an integer, got a fraction" },
		{ "\"user\": {\"uid\": -3}", "process.user.uid: -3 is out of range (0 to 4294967295)" },
		{ "\"user\": {\"uid\": 4294967296}", "process.user.uid: 4294967296 is out of range (0 to 4294967295)" },
		{ "\"user\": {\"uid\": 1e30}", "process.user.uid: a number of 2^64 or more is out of range (0 to 4294967295)" },
		{ "\"user\": {\"uid\": -1e30}", "process.user.uid: a number below -2^63 is out of range (0 to 4294967295)" },
		{ "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": -2, \"hard\": 1}]",
		  "process.rlimits[0].soft: expected a non-negative integer, got -2" },
		{ "\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 0.5}]",
		  "process.rlimits[0].hard: expected a non-negative integer, got a fraction" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char json[512];
		snprintf(json, sizeof(json), "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"},"
			 " \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", %s}}", cases[i].process);
		captured[0] = 0;
		log_set_writer(capture, NULL);
		int r = try_config(json);
		log_set_writer(NULL, NULL);
		CHECK(r < 0 && strstr(captured, cases[i].msg));
		if (!strstr(captured, cases[i].msg))
			fprintf(stderr, "  want \"%s\", got %s", cases[i].msg, captured);
	}
}

/* str_words: what sscanf("%s %s") did, in place. */
static void test_str_words(void)
{
	char s1[] = "  cpu\t1 42  1\n", s2[] = "", s3[] = "a b c", *w[3];
	CHECK(str_words(s1, w, 3) == 4);	/* more than 3 */
	CHECK(!strcmp(w[0], "cpu") && !strcmp(w[1], "1") && !strcmp(w[2], "42"));
	CHECK(str_words(s2, w, 3) == 0);
	CHECK(str_words(s3, w, 3) == 3 && !strcmp(w[2], "c"));
	char s4[] = "max", s5[] = " \n ";
	CHECK(str_words(s4, w, 2) == 1 && !strcmp(w[0], "max") && str_words(s5, w, 2) == 0);
}

static int by_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* str_sort: the order qsort with strcmp gives, for every length up to
 * 300, duplicates and already sorted runs included. */
static void test_str_sort(void)
{
	static char pool[300][8];
	char *v[300], *want[300];
	unsigned seed = 7;
	bool same = true;
	for (size_t n = 0; n <= 300; n += n < 20 ? 1 : 37) {
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			snprintf(pool[i], sizeof(pool[i]), "%u", (seed >> 16) % (i % 3 ? 1000 : 50));
			v[i] = want[i] = pool[i];
		}
		qsort(want, n, sizeof(*want), by_strcmp);
		str_sort(v, n);
		for (size_t i = 0; i < n; i++)
			same &= !strcmp(v[i], want[i]);
		str_sort(v, n);	/* sorted already */
		for (size_t i = 0; i < n; i++)
			same &= !strcmp(v[i], want[i]);
	}
	CHECK(same);
}

static void test_small_parsers(void)
{
	CHECK(signal_from_name("KILL") == 9 && signal_from_name("SIGTERM") == 15 && signal_from_name("usr1") == 10);
	CHECK(signal_from_name("9") == 9 && signal_from_name("0") == -1 && signal_from_name("FOO") == -1);
	CHECK(signal_from_name("RTMIN+1") == signal_from_name("RTMIN") + 1 && signal_from_name("RTMAX-99") == -1);
	CHECK(cap_from_name("CAP_SYS_ADMIN") == 21 && cap_from_name("SYS_ADMIN") == -1);
	uint64_t v;
	CHECK(parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	CHECK(parse_u64("18446744073709551616", &v) == -1 && parse_u64("-1", &v) == -1 && parse_u64("1x", &v) == -1);
	CHECK(parse_u64("", &v) == -1 && parse_u64(" 1", &v) == -1 && parse_u64("+1", &v) == -1 && parse_u64("0x10", &v) == -1);
	CHECK(parse_u64("007", &v) == 0 && v == 7 && parse_u64(NULL, &v) == -1);
	CHECK(parse_u64("12x", &v) == -1 && v == 7);	/* junk leaves *out as it was */
	/* str_scan_u64 stops at the first non-digit and says where. */
	const char *end;
	CHECK(str_scan_u64("1.2.3", &v, &end) == 0 && v == 1 && *end == '.');
	CHECK(str_scan_u64("x1", &v, &end) == -1 && str_scan_u64("99999999999999999999 ", &v, &end) == -1);
	/* str_u64_at: what the kernel wrote; no digits is 0, too many saturate. */
	CHECK(str_u64_at("42\n") == 42 && str_u64_at("max") == 0 && str_u64_at("") == 0);
	CHECK(str_u64_at("99999999999999999999") == UINT64_MAX);
	/* Against strtoull on 100,000 strings of digits and a few others:
	 * what both accept must be the same number, and parse_u64 accepts
	 * exactly the all-digit strings that fit. */
	unsigned seed = 1, agree = 1;
	for (int i = 0; i < 100000; i++) {
		char buf[24];
		size_t len = (seed = seed * 1103515245 + 12345) / 65536 % 24;
		for (size_t k = 0; k < len; k++) {
			unsigned r = (seed = seed * 1103515245 + 12345) / 65536;
			buf[k] = r % 16 ? (char)('0' + r / 16 % 10) : " -+x"[r / 16 % 4];
		}
		buf[len] = 0;
		errno = 0;
		char *e;
		unsigned long long ref = strtoull(buf, &e, 10);
		bool ref_ok = len && buf[0] >= '0' && buf[0] <= '9' && !*e && !errno;
		int got = parse_u64(buf, &v);
		agree &= (got == 0) == ref_ok && (!ref_ok || v == ref);
	}
	CHECK(agree);
	int64_t n;
	CHECK(parse_i64("-9223372036854775808", &n) == 0 && n == INT64_MIN);
	CHECK(parse_i64("9223372036854775807", &n) == 0 && n == INT64_MAX && parse_i64("+5", &n) == 0 && n == 5);
	CHECK(parse_i64("9223372036854775808", &n) == -1 && parse_i64("-9223372036854775809", &n) == -1);
	CHECK(parse_i64("-", &n) == -1 && parse_i64("", &n) == -1 && parse_i64("--1", &n) == -1 && parse_i64("1-", &n) == -1);
	CHECK(parse_size("64m", &n) == 0 && n == 64 << 20 && parse_size("1GiB", &n) == 0 && n == 1 << 30);
	CHECK(parse_size("4096", &n) == 0 && n == 4096 && parse_size("-1", &n) == 0 && n == -1);
	CHECK(parse_size("12q", &n) == -1 && parse_size("", &n) == -1 && parse_size("99999999999p", &n) == -1);
	CHECK(parse_duration_ms("500ms", &n) == 0 && n == 500 && parse_duration_ms("2m", &n) == 0 && n == 120000);
	CHECK(parse_duration_ms("5", &n) == 0 && n == 5000 && parse_duration_ms("5x", &n) == -1);
	/* A cgroup path's components: "." and ".." anywhere, not dots in a name. */
	CHECK(path_has_dot_component("..") && path_has_dot_component("/..") && path_has_dot_component("a/../b"));
	CHECK(path_has_dot_component("a/..") && path_has_dot_component("//.//a") && path_has_dot_component("a/."));
	CHECK(!path_has_dot_component("") && !path_has_dot_component("/") && !path_has_dot_component("/a.b/..c/c../..."));
	CHECK(!path_has_dot_component(".a/b.") && !path_has_dot_component("machine.slice:libpod:x"));
}

/* utc_format against the C library's gmtime_r and strftime: the epoch,
 * leap days and century years, the year 2038 and 9999, times before 1970,
 * and 200,000 seconds spread over the years 1000 to 5900. */
static void test_utc_format(void)
{
	static const int64_t fixed[] = { 0, -1, 86399, 86400, 951782400, 951868799, 4107542399, 2147483647,
					 2147483648, 253402300799, -30610224000, -2208988801, 1709164800 };
	unsigned seed = 7, same = 1;
	for (int i = 0; i < 200000 + (int)ARRAY_SIZE(fixed); i++) {
		int64_t secs = i < (int)ARRAY_SIZE(fixed) ? fixed[i]
			: (int64_t)((seed = seed * 1103515245 + 12345) % 4000000u) * 39447 - 30610224000LL;
		char ours[UTC_STAMP_LEN], want[UTC_STAMP_LEN + 16];
		time_t t = (time_t)secs;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.000000042Z", &tm);
		utc_format(secs, 42, ours, sizeof(ours));
		if (strcmp(ours, want)) {
			if (same)
				printf("utc_format(%lld): %s, gmtime: %s\n", (long long)secs, ours, want);
			same = 0;
		}
	}
	CHECK(same);
}

/* next_line: whole lines however long, the last one with or without its
 * '\n', empty lines kept. */
static void test_next_line(void)
{
	char long_line[10001];
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = 0;
	size_t n = strlen(long_line) + 16;
	char *text = malloc(n);
	snprintf(text, n, "a\n\n%s\nlast", long_line);
	char *at = text, *l1 = next_line(&at), *l2 = next_line(&at), *l3 = next_line(&at), *l4 = next_line(&at);
	CHECK(l1 && !strcmp(l1, "a") && l2 && !*l2 && l3 && strlen(l3) == 10000 && l4 && !strcmp(l4, "last"));
	CHECK(!next_line(&at) && !next_line(&at));
	free(text);
	char one[] = "only\n", *at1 = one, *l = next_line(&at1);
	CHECK(l && !strcmp(l, "only") && !next_line(&at1));
	char none[] = "", *at0 = none;
	CHECK(!next_line(&at0));
}

/* str_find: strstr's answer on 200,000 random texts and words from a
 * three-letter alphabet (so that near matches and overlaps are common),
 * the empty word included. */
static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 16;
}

static void test_str_find(void)
{
	unsigned seed = 7;
	int same = 1;
	for (int i = 0; i < 200000 && same; i++) {
		char hay[40], needle[6];
		size_t nh = next_random(&seed) % 32, nn = next_random(&seed) % 5;
		for (size_t k = 0; k < nh; k++)
			hay[k] = (char)('a' + next_random(&seed) % 3);
		hay[nh] = 0;
		for (size_t k = 0; k < nn; k++)
			needle[k] = (char)('a' + next_random(&seed) % 3);
		needle[nn] = 0;
		if (str_find(hay, needle) != strstr(hay, needle)) {
			printf("str_find(\"%s\", \"%s\") is not strstr's\n", hay, needle);
			same = 0;
		}
	}
	CHECK(same);
	CHECK(str_find("", "") && !str_find("", "a") && !str_find("ab", "abc"));
}

/* json_write: the text cJSON_Print and cJSON_PrintUnformatted make of
 * the same values, on 20,000 random documents: nested objects and arrays
 * (empty ones too), strings with every kind of escape and raw UTF-8,
 * integers, booleans. */
static void random_text(char *out, unsigned *seed)
{
	static const char *const pieces[] = { "a", "Z", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x01", "\x1f",
					      "\x7f", "\xc3\xa9", "/", " " };
	size_t n = next_random(seed) % 5;
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		strcat(out, pieces[next_random(seed) % ARRAY_SIZE(pieces)]);
}

static cJSON *random_value(struct jw w[2], const char *key, unsigned *seed, int depth)
{
	char text[16];
	switch (next_random(seed) % (depth < 5 ? 6 : 3)) {
	case 0:
		random_text(text, seed);
		jw_string(&w[0], key, text), jw_string(&w[1], key, text);
		return cJSON_CreateString(text);
	case 1: {
		long long v = (long long)(next_random(seed) % 2000001) - 1000000;
		jw_int(&w[0], key, v), jw_int(&w[1], key, v);
		return cJSON_CreateNumber((double)v);
	}
	case 2: {
		bool v = next_random(seed) & 1;
		jw_bool(&w[0], key, v), jw_bool(&w[1], key, v);
		return cJSON_CreateBool(v);
	}
	case 3:
	case 4: {
		jw_object(&w[0], key), jw_object(&w[1], key);
		cJSON *o = cJSON_CreateObject();
		for (unsigned n = next_random(seed) % 4; n; n--) {
			random_text(text, seed);
			cJSON_AddItemToObject(o, text, random_value(w, text, seed, depth + 1));
		}
		jw_end(&w[0]), jw_end(&w[1]);
		return o;
	}
	default: {
		jw_array(&w[0], key), jw_array(&w[1], key);
		cJSON *a = cJSON_CreateArray();
		for (unsigned n = next_random(seed) % 4; n; n--)
			cJSON_AddItemToArray(a, random_value(w, NULL, seed, depth + 1));
		jw_end(&w[0]), jw_end(&w[1]);
		return a;
	}
	}
}

static void test_json_write(void)
{
	unsigned seed = 11;
	int same = 1;
	for (int i = 0; i < 20000 && same; i++) {
		struct jw w[2];
		jw_init(&w[0], false);
		jw_init(&w[1], true);
		cJSON *tree = random_value(w, NULL, &seed, 0);
		char *flat = jw_finish(&w[0]), *pretty = jw_finish(&w[1]);
		char *want_flat = cJSON_PrintUnformatted(tree), *want_pretty = cJSON_Print(tree);
		if (!flat || !pretty || strcmp(flat, want_flat) || strcmp(pretty, want_pretty)) {
			printf("json_write: %s\n  cJSON: %s\n", flat ? flat : "(null)", want_flat);
			printf("json_write: %s\n  cJSON: %s\n", pretty ? pretty : "(null)", want_pretty);
			same = 0;
		}
		free(flat), free(pretty), free(want_flat), free(want_pretty);
		cJSON_Delete(tree);
	}
	CHECK(same);
	/* Exact where a double is not; too deep, or left open: no text. */
	struct jw w;
	jw_init(&w, false);
	jw_object(&w, NULL);
	jw_u64(&w, "max", UINT64_MAX);
	jw_int(&w, "min", INT64_MIN);
	jw_raw(&w, "raw", "[1,2]");
	jw_end(&w);
	char *t = jw_finish(&w);
	CHECK(t && !strcmp(t, "{\"max\":18446744073709551615,\"min\":-9223372036854775808,\"raw\":[1,2]}"));
	free(t);
	jw_init(&w, false);
	for (int d = 0; d <= JW_DEPTH; d++)
		jw_array(&w, NULL);
	for (int d = 0; d <= JW_DEPTH; d++)
		jw_end(&w);
	CHECK(!jw_finish(&w));
	jw_init(&w, false);
	jw_object(&w, NULL);
	CHECK(!jw_finish(&w));
}

static void quiet_sink(int level, const char *msg)
{
	(void)level, (void)msg;
}

/* log_keep_first_error: the process's first error, until the container's
 * init reports one (log_message), which is kept instead, once. */
static void test_first_error(void)
{
	char buf[32];
	log_set_sink(quiet_sink);
	log_keep_first_error(buf, sizeof(buf));
	CHECK(buf[0] == 0);
	log_warn("a warning is no error");
	log_error("network: %s", "its namespace is gone");
	log_error("a later one");
	CHECK(!strcmp(buf, "network: its namespace is gone"));
	log_message(LOG_ERROR, "process.args[0]: exec \"x\": not found, and cut to the buffer");
	CHECK(!strcmp(buf, "process.args[0]: exec \"x\": not "));	/* 31 bytes */
	log_message(LOG_ERROR, "the init's second");
	log_error("the runtime's after it");
	CHECK(!strncmp(buf, "process.args[0]", 15));
	log_keep_first_error(NULL, 0);
	log_error("kept nowhere");
	CHECK(!strncmp(buf, "process.args[0]", 15));
	log_set_sink(NULL);
}

/* str_cat and str_utoa: the paths `list` builds per container. */
static void test_str_cat(void)
{
	char out[8], digits[21];
	CHECK(str_cat(out, sizeof(out), "/a", "/", "bc", (char *)NULL) == 5 && !strcmp(out, "/a/bc"));
	CHECK(str_cat(out, sizeof(out), "1234", "5678", (char *)NULL) == -1 && !strcmp(out, "1234567"));
	CHECK(str_cat(out, sizeof(out), (char *)NULL) == 0 && !strcmp(out, ""));
	CHECK(!strcmp(str_utoa(0, digits), "0") && !strcmp(str_utoa(4194304, digits), "4194304"));
	CHECK(!strcmp(str_utoa(18446744073709551615ul, digits), "18446744073709551615"));
}

/* mountinfo: optional fields or none, escaped paths, options longer than
 * any line buffer, lines that are not mountinfo. */
static int note_root_and_proc(const struct mountinfo *m, void *arg)
{
	int *seen = arg;
	seen[0] |= !strcmp(m->mount_point, "/") ? 1 : !strcmp(m->mount_point, "/proc") ? 2 : 0;
	seen[1]++;
	return 0;
}

static int stop_at_first(const struct mountinfo *m, void *arg)
{
	(*(int *)arg)++;
	return 7;
}

static void test_mountinfo(void)
{
	struct mountinfo m;
	char a[] = "36 35 98:0 /mnt1 /mnt/a\\040b rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n";
	CHECK(mountinfo_parse(a, &m) == 0);
	CHECK(!strcmp(m.root, "/mnt1") && !strcmp(m.mount_point, "/mnt/a b") && !strcmp(m.options, "rw,noatime"));
	CHECK(!strcmp(m.fstype, "ext3") && !strcmp(m.source, "/dev/root") && !strcmp(m.super_options, "rw,errors=continue"));
	char b[] = "25 1 0:22 / /sys/fs/cgroup/a\\011b\\012c\\134d rw - cgroup cgroup rw,memory";
	CHECK(mountinfo_parse(b, &m) == 0 && !strcmp(m.mount_point, "/sys/fs/cgroup/a\tb\nc\\d"));
	CHECK(!strcmp(m.fstype, "cgroup") && !strcmp(m.super_options, "rw,memory"));
	char c[] = "25 1 0:22 / /x\\999 rw - tmpfs none";	/* not an escape: kept */
	CHECK(mountinfo_parse(c, &m) == 0 && !strcmp(m.mount_point, "/x\\999") && !strcmp(m.super_options, ""));
	char d[] = "25 1 0:22 / /x\\000y rw - tmpfs none rw";	/* no path holds a NUL: kept */
	CHECK(mountinfo_parse(d, &m) == 0 && !strcmp(m.mount_point, "/x\\000y"));
	static char longline[20000];
	int n = snprintf(longline, sizeof(longline), "40 1 0:50 / /merged rw - overlay overlay rw,lowerdir=");
	for (int i = 0; i < 600; i++)
		n += snprintf(longline + n, sizeof(longline) - (size_t)n, "/var/lib/layer%03d:", i);
	CHECK(mountinfo_parse(longline, &m) == 0 && !strcmp(m.mount_point, "/merged") && strlen(m.super_options) > 10000);
	const char *bad[] = { "", "36 35 98:0 / /mnt rw", "36 35 98:0 / /mnt rw shared:1 ext3 /dev/root rw",
		"36 35 98:0 / /mnt rw -", "36 35 98:0 / /mnt rw - ext3", "36  98:0 / /mnt rw - ext3 x rw" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];
		snprintf(line, sizeof(line), "%s", bad[i]);
		CHECK(mountinfo_parse(line, &m) < 0);
	}
	/* This process's own: "/" and /proc among them; an answer stops it. */
	int seen[2] = { 0, 0 }, calls = 0;
	CHECK(mountinfo_each(note_root_and_proc, seen) == 0 && seen[0] == 3 && seen[1] >= 2);
	CHECK(mountinfo_each(stop_at_first, &calls) == 7 && calls == 1);
}

/* berth check --config: the device's build, from its .config. */
static void test_target(void)
{
	const char *dev = "# Automatically generated file; DO NOT EDIT.\n\nCONFIG_DEFAULT_ROOT=\"/run/berth\"\n"
			  "CONFIG_SUPERVISOR=y\nCONFIG_NETWORK=y\n# CONFIG_SECCOMP is not set\nCONFIG_HOOKS=y\n";
	long m = target_parse_config(dev, "dev.config");
	CHECK(m == (1L << TF_NETWORK | 1L << TF_HOOKS));
	CHECK(target_parse_config("CONFIG_SUPERVISOR=y\nCONFIG_SECCOMP=y\nCONFIG_SECCOMP=n", "x") == 0);	/* last wins */
	CHECK(target_parse_config("CONFIG_SUPERVISOR=y\nCONFIG_USERNS=y", "x") == 1L << TF_USERNS);	/* no newline at the end */
	const char *bad[] = {
		"", "CONFIG_SECCOMP=y\n",	/* no supervisor: not the device's berth, or a defconfig */
		"CONFIG_SUPERVISOR=y\r\n",	/* "y\r" */
		"CONFIG_SUPERVISOR=y\nSECCOMP=y\n", "CONFIG_SUPERVISOR=y\nCONFIG_=y\n", "CONFIG_SUPERVISOR=y\nCONFIG_SECCOMP\n",
		"CONFIG_SUPERVISOR=y\nCONFIG_SECCOMP=m\n", "CONFIG_SUPERVISOR=y\nCONFIG_SECCOMP=\"y\"\n", "CONFIG_SUPERVISOR=y\n CONFIG_HOOKS=y\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(target_parse_config(bad[i], "bad.config") == -1);
	/* Used: a service asking for what the device lacks is refused,
	 * with its file named; what it has passes. */
	char path[] = "/tmp/berth-unit-config.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, dev, strlen(dev)) == (ssize_t)strlen(dev));
	close(fd);
	unsigned was = target_features;
	CHECK(target_use_config(path) == 0 && str_starts(target_build(), "the build of ") && strstr(target_build(), path));
	struct service_conf c;
	log_set_writer(capture, NULL);
	const char *userns = "[service]\nrootfs = /r\nexec = true\n[container]\nnamespaces = pid mount user\n";
	CHECK(service_load_text(&c, userns, strlen(userns), "/etc/berth/u.conf") < 0);
	CHECK(strstr(captured, "berth: /etc/berth/u.conf: linux.namespaces: user namespaces are not in the build of ") &&
	      strstr(captured, "(CONFIG_USERNS)"));
	service_free(&c);
	const char *net = "[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\npublish = 8080:80\n";
	CHECK(service_load_text(&c, net, strlen(net), "/etc/berth/n.conf") < 0);
	CHECK(strstr(captured, "n.conf:6: publish: published ports: not in the build of ") &&
	      strstr(captured, "(CONFIG_NET_PUBLISH)"));
	service_free(&c);
	const char *image = "[service]\nimage = web:1\nexec = true\n";
	CHECK(service_load_text(&c, image, strlen(image), "/etc/berth/i.conf") < 0);
	CHECK(strstr(captured, "i.conf:2: image: images: not in the build of ") != NULL);
	service_free(&c);
	const char *plain = "[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\n";
	CHECK(service_load_text(&c, plain, strlen(plain), "/etc/berth/p.conf") == 0);
	service_free(&c);
	log_set_writer(NULL, NULL);
	CHECK(target_use_config("/nonexistent/.config") == -1);
	unlink(path);
	target_features = was;
	/* --sysroot: what a file names is read in the device's root, inside
	 * it: an absolute symlink there stays there, a climbing one cannot
	 * reach the host's decoy beside it. Last: a sysroot stays added. */
	char dir[] = "/tmp/berth-unit-sysroot.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char root[128], f[192];
	const char *profile = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(f, sizeof(f), "%s/root/etc", dir);
	CHECK(mkdir(root, 0755) == 0 && mkdir(f, 0755) == 0);
	snprintf(f, sizeof(f), "%s/root/etc/p.json", dir);
	CHECK(write_file(f, profile, strlen(profile), 0644) == 0);
	snprintf(f, sizeof(f), "%s/decoy.json", dir);
	CHECK(write_file(f, profile, strlen(profile), 0644) == 0);
	snprintf(f, sizeof(f), "%s/root/etc/link.json", dir);
	CHECK(symlink("/etc/p.json", f) == 0);
	snprintf(f, sizeof(f), "%s/root/etc/climb.json", dir);
	CHECK(symlink("../../decoy.json", f) == 0);
	CHECK(target_add_sysroot("/nonexistent/root") == -1 && target_sysroots() == 0);
	CHECK(target_add_sysroot(root) == 0 && target_sysroots() == 1);
	log_set_writer(capture, NULL);
	const char *linked = "[service]\nrootfs = /r\nexec = true\n[container]\nseccomp = /etc/link.json\ndevice = /dev/ttyBERTH9\n";
	CHECK(service_load_text(&c, linked, strlen(linked), "/etc/berth/s.conf") == 0);
	service_free(&c);
	const char *climb = "[service]\nrootfs = /r\nexec = true\n[container]\nseccomp = /etc/climb.json\n";
	CHECK(service_load_text(&c, climb, strlen(climb), "/etc/berth/s.conf") < 0);
	CHECK(strstr(captured, "s.conf:5: seccomp: /etc/climb.json (looked up in --sysroot): No such file") != NULL);
	service_free(&c);
	const char *node = "[service]\nrootfs = /r\nexec = true\n[container]\ndevice = /etc/p.json\n";
	CHECK(service_load_text(&c, node, strlen(node), "/etc/berth/s.conf") < 0);	/* found, not a node */
	CHECK(strstr(captured, "/etc/p.json is not a device node") != NULL);
	service_free(&c);
	log_set_writer(NULL, NULL);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* The words `features` lists are the ones the parser takes as options of
 * its own (none goes to the filesystem as data), each name whole: the
 * tables keep names in fixed arrays, and one that fills its array has no
 * NUL. Likewise every rlimit type runc knows. */
/* proc_self_open takes the process's own /proc files only: not a file
 * bound over one (what a container's process with CAP_SYS_ADMIN could
 * do to a `berth exec` writing its LSM label), not anything at /proc
 * that is not a procfs's root. As root, in a mount namespace of a child
 * of its own (its mounts end with it); the decoy is a temporary file. */
static void test_proc_self_open(void)
{
	int fd = proc_self_open("oom_score_adj", O_RDONLY);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	if (geteuid() != 0) {
		printf("skip: proc_self_open against mounts (needs root)\n");
		return;
	}
	char decoy[] = "/tmp/berth-unit-decoy.XXXXXX";
	int dfd = mkstemp(decoy);
	CHECK(dfd >= 0);
	if (dfd < 0)
		return;
	close(dfd);
	pid_t pid = fork();
	if (pid == 0) {
		/* "none": valgrind checks the type even where the kernel takes none */
		if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		char own[64];
		snprintf(own, sizeof(own), "/proc/%d/oom_score_adj", (int)getpid());
		if (mount(decoy, own, "none", MS_BIND, NULL) < 0)
			_exit(3);
		/* the path itself reaches the decoy; proc_self_open does not */
		int caught = proc_self_write("oom_score_adj", "0", 1);
		if (caught == 0 || errno != EXDEV)
			_exit(4);
		int other = proc_self_open("status", O_RDONLY);	/* beside it, untouched */
		if (other < 0)
			_exit(5);
		close(other);
		if (mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0 || mkdir("/proc/self", 0755) < 0 ||
		    creat("/proc/self/oom_score_adj", 0644) < 0)
			_exit(6);
		_exit(proc_self_open("oom_score_adj", O_WRONLY) < 0 && errno == EXDEV ? 0 : 7);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("  proc_self_open child: status %d\n", status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char text[8] = "";
	int r = open(decoy, O_RDONLY);
	CHECK(r >= 0 && read(r, text, sizeof(text)) == 0);	/* nothing was written to it */
	if (r >= 0)
		close(r);
	unlink(decoy);
}

/* fds_close_on_exec's walk, for kernels without close_range: every fd
 * /proc/self/fd lists gets FD_CLOEXEC, and a /proc that is not a
 * procfs's root (a tmpfs a container put there, listing only 0 1 2) is
 * refused rather than believed. */
static void test_fds_walk(void)
{
	int fd = open("/dev/null", O_RDONLY);	/* not close-on-exec */
	CHECK(fd >= 3 && fds_cloexec_walk((unsigned)fd) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	if (fd >= 0)
		fcntl(fd, F_SETFD, 0);
	if (geteuid() != 0) {
		printf("skip: fds_cloexec_walk against a tmpfs /proc (needs root)\n");
		close(fd);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0 || mkdir("/proc/self", 0755) < 0 ||
		    mkdir("/proc/self/fd", 0755) < 0)
			_exit(2);
		for (int i = 0; i < 3; i++) {
			char name[32];
			snprintf(name, sizeof(name), "/proc/self/fd/%d", i);
			if (creat(name, 0644) < 0)
				_exit(3);
		}
		int r = fds_cloexec_walk((unsigned)fd);
		_exit(r < 0 && errno == EXDEV && !(fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 0 : 4);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("  fds_cloexec_walk child: status %d\n", status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
}

static void test_option_words(void)
{
	struct arena a = { 0 };
	size_t n = 0;
	for (const char *w; (w = mountopt_name(n)); n++) {
		struct spec_mount m = { 0 };
		CHECK(strlen(w) < 14 && mountopt_apply(&m, &a, w, "test") == 0 && !m.data);
	}
	CHECK(n >= 36);
	arena_free(&a);
	static const char *const types[] = { "AS", "CORE", "CPU", "DATA", "FSIZE", "LOCKS", "MEMLOCK", "MSGQUEUE",
					     "NICE", "NOFILE", "NPROC", "RSS", "RTPRIO", "RTTIME", "SIGPENDING", "STACK" };
	static const int resources[] = { RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS,
					 RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC,
					 RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char json[512];
		snprintf(json, sizeof(json), "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": "
			 "{\"args\": [\"sh\"], \"cwd\": \"/\", "
			 "\"rlimits\": [{\"type\": \"RLIMIT_%s\", \"soft\": 1, \"hard\": 2}]}}", types[i]);
		struct spec s;
		CHECK(parse(&s, json) == 0 && s.process.n_rlimits == 1 && s.process.rlimits[0].resource == resources[i]);
		spec_free(&s);
		/* a service file's rlimit = takes them in any case, with or without RLIMIT_ */
		char conf[200], lower[16];
		for (size_t k = 0; k <= strlen(types[i]); k++)
			lower[k] = (char)(types[i][k] | (types[i][k] >= 'A' && types[i][k] <= 'Z' ? 0x20 : 0));
		snprintf(conf, sizeof(conf), "[service]\nrootfs = /r\nexec = true\n[container]\nrlimit = %s%s=1:2\n",
			 i % 2 ? "RLIMIT_" : "", i % 3 ? lower : types[i]);
		struct service_conf c;
		bool found = false;	/* beside the default spec's RLIMIT_NOFILE */
		CHECK(load_service(&c, conf) == 0);
		for (size_t k = 0; k < c.spec.process.n_rlimits; k++)
			found |= c.spec.process.rlimits[k].resource == resources[i] && c.spec.process.rlimits[k].hard == 2;
		CHECK(found);
		service_free(&c);
	}
	CHECK(!strcmp(rlimit_name(RLIMIT_SIGPENDING), "SIGPENDING") && !strcmp(rlimit_name(99), "?"));
}

/* proc_signal signals the process that is pid and started when the
 * state says, never another: a start time that is not the process's
 * (what a pid taken again looks like) is ESRCH and the process is
 * untouched; so are a reaped pid, a zombie, and pids <= 0 (a process
 * group, every process). */
static void test_proc_signal(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	uint64_t t = proc_start_time(pid);
	CHECK(t != 0);
	errno = 0;
	CHECK(proc_signal(pid, t + 1, SIGKILL) < 0 && errno == ESRCH);
	CHECK(proc_is_alive(pid, t));	/* untouched */
	CHECK(proc_signal(0, 0, 0) < 0 && errno == ESRCH && proc_signal(-1, 0, 0) < 0 && errno == ESRCH);
	CHECK(proc_signal(pid, t, 0) == 0 && proc_signal(pid, 0, 0) == 0);
	CHECK(proc_signal(pid, t, SIGKILL) == 0);
	/* killed, not yet reaped: a zombie is not signalled */
	siginfo_t si;
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 && si.si_status == SIGKILL);
	CHECK(proc_signal(pid, t, 0) < 0 && errno == ESRCH);
	waitpid(pid, NULL, 0);
	CHECK(proc_signal(pid, t, 0) < 0 && errno == ESRCH);
	/* pidfd_signal: through the pidfd, or kill(2) without one */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int fd = pidfd_open_compat(pid);
	CHECK(pidfd_signal(fd, pid, SIGTERM) == 0);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(fd < 0 || (pidfd_signal(fd, pid, 0) < 0 && errno == ESRCH));	/* reaped: the pidfd knows */
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	test_proc_signal();
	test_option_words();
	test_proc_self_open();
	test_fds_walk();
	test_str_cat();
	test_minimal();
	test_full();
	test_errors();
	test_resources();
	test_seccomp();
	test_service();
	test_service_comments();
	test_service_overlay();
	test_validate();
	test_inroot();
	test_arena_grow();
	test_arena_pack();
	test_small_parsers();
	test_utc_format();
	test_next_line();
	test_str_find();
	test_json_write();
	test_first_error();
	test_utc_stamp();
	test_mkdir_p();
	test_read_fd();
	test_number_errors();
	test_str_words();
	test_str_sort();
	test_log_subject();
	test_mountinfo();
	test_target();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

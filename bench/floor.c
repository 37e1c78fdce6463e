/* SPDX-License-Identifier: Apache-2.0 */
/* The floor: what a container start with berth's default spec costs the
 * kernel, with no runtime around it. No state, no config.json, no
 * hooks, no error reports; only the system calls:
 *   cgroups made in every hierarchy mounted (v1 and v2), joined by the
 *   container's first process itself (0 to tasks / cgroup.procs);
 *   pid, net, ipc, uts, mount namespaces, then cgroup;
 *   / rprivate, the rootfs bound on itself, /proc, /dev (tmpfs with the
 *   default nodes and links), /dev/pts, /dev/shm, /dev/mqueue, /sys
 *   read-only, /sys/fs/cgroup (a read-only tmpfs with each v1 hierarchy,
 *   or cgroup2), pivot_root, the masked and read-only paths, the root
 *   read-only, hostname, RLIMIT_NOFILE, the capabilities cut to the
 *   spec's three, no_new_privs, execve of /bin/true;
 *   the parent waits and removes the cgroups.
 * bench/floor.sh runs it beside `berth run` of the same rootfs, paired,
 * and reports berth as a multiple of it (issue: "closer to the floor").
 *
 * usage: floor RUNS ROOTFS BERTH BUNDLE STATE-DIR [BERTH-ON-A-READ-ONLY-MOUNT]
 *        floor one ROOTFS   (one start, as a command: what the harness
 *                            execs for its second side)
 * Prints, per side, the median wall and CPU (user + system of every
 * process of the start, the harness being their subreaper, and of the
 * harness itself, where the floor does its own part) in µs, and the
 * median count of page faults, counted alike; then what one fault costs
 * on this machine. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(127);
}

/* The cgroup hierarchies: mount point and (v1) options. */
struct hier {
	char dir[256], opts[256];
	int v2;
};
static struct hier hiers[32];
static int n_hiers;

static void read_hierarchies(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f) && n_hiers < 32) {
		char dir[256], fstype[64], super[512];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", dir) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, super) != 2)
			continue;
		/* A later mount on a hierarchy's directory hides it (the
		 * benches cover a hybrid host's unified one with a tmpfs). */
		for (int i = 0; i < n_hiers; i++)
			if (!strcmp(hiers[i].dir, dir))
				hiers[i--] = hiers[--n_hiers];
		if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
			continue;
		struct hier *h = &hiers[n_hiers++];
		snprintf(h->dir, sizeof(h->dir), "%s", dir);
		h->v2 = !strcmp(fstype, "cgroup2");
		/* The super options minus rw: the controllers (and name=). */
		h->opts[0] = 0;
		for (char *o = strtok(super, ","); o; o = strtok(NULL, ","))
			if (strcmp(o, "rw"))
				snprintf(h->opts + strlen(h->opts), sizeof(h->opts) - strlen(h->opts), "%s%s",
					 h->opts[0] ? "," : "", o);
	}
	if (f)
		fclose(f);
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		die(path);
	close(fd);
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(dst);
}

static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
	"/proc/scsi" };
static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

static long long now_us(void);
/* Shared with the container's process: the time just before its execve,
 * so that the harness can tell how long the exec, the run of /bin/true,
 * the exit and the namespaces' end take until it has reaped it. */
static long long *exec_at;

/* The container's first process, in its new namespaces (but cgroup). */
static int container(void *arg)
{
	const char *rootfs = arg, *name = "floor";
	char path[512];
	for (int i = 0; i < n_hiers; i++) {
		snprintf(path, sizeof(path), "%.255s/%s/%s", hiers[i].dir, name, hiers[i].v2 ? "cgroup.procs" : "tasks");
		write_str(path, "0");
	}
	if (unshare(CLONE_NEWCGROUP) < 0)
		die("unshare cgroup");
	mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die(rootfs);
	mnt("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	static const struct { const char *name; int major, minor; } nodes[] = {
		{ "dev/null", 1, 3 }, { "dev/zero", 1, 5 }, { "dev/full", 1, 7 },
		{ "dev/random", 1, 8 }, { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 } };
	for (size_t i = 0; i < sizeof(nodes) / sizeof(*nodes); i++) {
		if (mknod(nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
			die(nodes[i].name);
		chmod(nodes[i].name, 0666);
	}
	static const char *const links[][2] = { { "/proc/self/fd", "dev/fd" }, { "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" }, { "pts/ptmx", "dev/ptmx" },
		{ "/proc/kcore", "dev/core" } };
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die(links[i][1]);
	mkdir("dev/pts", 0755);
	mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mkdir("dev/shm", 0755);
	mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
	mkdir("dev/mqueue", 0755);
	mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mnt("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	unsigned long cg = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME;
	if (n_hiers == 1 && hiers[0].v2) {
		mnt("cgroup", "sys/fs/cgroup", "cgroup2", cg | MS_RDONLY, NULL);
	} else {
		mnt("tmpfs", "sys/fs/cgroup", "tmpfs", cg, "mode=755");
		for (int i = 0; i < n_hiers; i++) {
			if (hiers[i].v2)
				continue;
			const char *leaf = strrchr(hiers[i].dir, '/') + 1;
			snprintf(path, sizeof(path), "sys/fs/cgroup/%s", leaf);
			mkdir(path, 0755);
			mnt("cgroup", path, "cgroup", cg | MS_RDONLY, hiers[i].opts);
		}
		mnt(NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_BIND | cg | MS_RDONLY, NULL);
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die("umount old root");
	struct stat st;
	for (size_t i = 0; i < sizeof(masked) / sizeof(*masked); i++) {
		if (stat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
		else
			mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(*readonly); i++) {
		if (stat(readonly[i], &st) < 0)
			continue;
		mnt(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL);
		mnt(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
	}
	mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	if (sethostname("berth", 5) < 0)
		die("sethostname");
	struct rlimit rl = { 1024, 1024 };
	setrlimit(RLIMIT_NOFILE, &rl);
	/* The spec's capabilities: AUDIT_WRITE, KILL, NET_BIND_SERVICE. */
	uint64_t keep = 1ULL << CAP_AUDIT_WRITE | 1ULL << CAP_KILL | 1ULL << CAP_NET_BIND_SERVICE;
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			die("capbset");
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { (uint32_t)keep, (uint32_t)keep, 0 }, { 0, 0, 0 } };
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	char *argv[] = { "/bin/true", NULL }, *envp[] = { "PATH=/bin", NULL };
	*exec_at = now_us();
	execve(argv[0], argv, envp);
	die("execve");
	return 0;
}

static long long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* The harness's own CPU counts too: the floor's cgroups, its clone (where
 * the kernel builds the namespaces), its wait and its rmdirs run here, in
 * this process; berth's side pays only a fork and a wait here. */
static long long cpu_us(void)
{
	long long us = 0;
	for (int who = 0; who < 2; who++) {
		struct rusage r;
		getrusage(who ? RUSAGE_CHILDREN : RUSAGE_SELF, &r);
		us += (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000LL + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
	}
	return us;
}

/* Page faults (minor and major) of the harness and its reaped children,
 * counted as the CPU is: a machine-independent share of a start's cost. */
static long long faults(void)
{
	long long n = 0;
	for (int who = 0; who < 2; who++) {
		struct rusage r;
		getrusage(who ? RUSAGE_CHILDREN : RUSAGE_SELF, &r);
		n += r.ru_minflt + r.ru_majflt;
	}
	return n;
}

/* What one page fault costs here: the first touch of each of 512 fresh
 * anonymous pages. A virtual machine that shadows its guest's page
 * tables makes this tens of times what bare hardware takes. */
static double fault_us(void)
{
	size_t pages = 512, page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	long long t0 = now_us();
	for (size_t i = 0; i < pages; i++)
		p[i * page] = 1;
	double us = (double)(now_us() - t0) / (double)pages;
	munmap((void *)p, pages * page);
	return us;
}

/* Every process of a start, reaped: ours, and what the subreaper got. */
static int reap_all(pid_t first)
{
	int status, first_status = -1;
	pid_t p;
	while ((p = wait(&status)) > 0)
		if (p == first)
			first_status = status;
	return first_status;
}

static char stack[256 * 1024];

static long long *exec_to_reaped;	/* per floor start, in µs */
static int n_starts;

static int floor_start(const char *rootfs)
{
	char path[512];
	for (int i = 0; i < n_hiers; i++) {
		snprintf(path, sizeof(path), "%.255s/floor", hiers[i].dir);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die(path);
		/* A new v1 cpuset has no CPUs or memory nodes: its parent's. */
		if (!hiers[i].v2 && strstr(hiers[i].opts, "cpuset"))
			for (int k = 0; k < 2; k++) {
				char from[600], value[256];
				const char *file = k ? "cpuset.mems" : "cpuset.cpus";
				snprintf(from, sizeof(from), "%.255s/%s", hiers[i].dir, file);
				int fd = open(from, O_RDONLY | O_CLOEXEC);
				ssize_t n = fd < 0 ? -1 : read(fd, value, sizeof(value) - 1);
				if (n < 0)
					die(from);
				close(fd);
				value[n] = 0;
				snprintf(from, sizeof(from), "%s/%s", path, file);
				write_str(from, value);
			}
	}
	pid_t pid = clone(container, stack + sizeof(stack),
			  CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | SIGCHLD, (void *)rootfs);
	if (pid < 0)
		die("clone");
	int status = reap_all(pid);
	if (exec_to_reaped)
		exec_to_reaped[n_starts++] = now_us() - *exec_at;
	for (int i = 0; i < n_hiers; i++) {
		snprintf(path, sizeof(path), "%.255s/floor", hiers[i].dir);
		if (rmdir(path) < 0)
			die(path);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A command, its stdout on /dev/null, run and reaped with all it left:
 * 0 when it exited 0. */
static int command(char **argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = reap_all(pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The floor as a command of its own, exec'd for each start as a
 * runtime's CLI is ("floor one ROOTFS"): the exec and the exit of a
 * process, which a runc-compatible `run` cannot do without, on both
 * sides. */
static int floor_exec_start(char *self, char *rootfs)
{
	char *argv[] = { self, "one", rootfs, NULL };
	return command(argv);
}

static int berth_start(char *berth, char *bundle, char *state, int variant, int i)
{
	char id[32];
	snprintf(id, sizeof(id), "floor-b%d-%d", variant, i);
	char *argv[] = { berth, "--root", state, "run", "--bundle", bundle, id, NULL };
	return command(argv);
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static long long median(long long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static void share_exec_at(void)
{
	exec_at = mmap(NULL, sizeof(*exec_at), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (exec_at == MAP_FAILED)
		die("mmap");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "one")) {
		read_hierarchies();
		share_exec_at();
		return floor_start(argv[2]) < 0;
	}
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: floor RUNS ROOTFS BERTH BUNDLE STATE-DIR [BERTH-ON-A-READ-ONLY-MOUNT]\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	if (runs < 1 || runs > 100000)
		return 2;
	/* What is timed, in turns: the floor in this process and as a
	 * command of its own, berth, and (given) the same berth from a
	 * read-only mount, which makes no sealed copy of itself. */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("/proc/self/exe");
	self[n] = 0;
	char *berth[2] = { argv[3], argc == 7 ? argv[6] : NULL };
	int kinds = berth[1] ? 4 : 3;
	static const char *const name[] = { "floor", "floor_exec", "berth", "berth_ro" };
	read_hierarchies();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	share_exec_at();
	long long *wall[4], *cpu[4], *flt[4];
	for (int s = 0; s < kinds; s++) {
		wall[s] = calloc((size_t)runs, sizeof(long long));
		cpu[s] = calloc((size_t)runs, sizeof(long long));
		flt[s] = calloc((size_t)runs, sizeof(long long));
	}
	/* A warm-up each, then all in turn, so that the machine's drift
	 * falls on each alike. */
	if (floor_start(argv[2]) < 0 || floor_exec_start(self, argv[2]) < 0) {
		fprintf(stderr, "floor: a warm-up start failed\n");
		return 1;
	}
	for (int s = 2; s < kinds; s++)
		if (berth_start(berth[s - 2], argv[4], argv[5], s, -1) < 0) {
			fprintf(stderr, "floor: a warm-up start of %s failed\n", berth[s - 2]);
			return 1;
		}
	exec_to_reaped = calloc((size_t)runs, sizeof(long long));
	for (int i = 0; i < runs; i++)
		for (int s = 0; s < kinds; s++) {
			long long w0 = now_us(), c0 = cpu_us(), f0 = faults();
			int r = s == 0 ? floor_start(argv[2]) : s == 1 ? floor_exec_start(self, argv[2])
					    : berth_start(berth[s - 2], argv[4], argv[5], s, i);
			wall[s][i] = now_us() - w0;
			cpu[s][i] = cpu_us() - c0;
			flt[s][i] = faults() - f0;
			if (r < 0) {
				fprintf(stderr, "floor: %s start %d failed\n", name[s], i);
				return 1;
			}
		}
	printf("hierarchies %d\n", n_hiers);
	for (int s = 0; s < kinds; s++)
		printf("%s wall_us %lld cpu_us %lld faults %lld\n", name[s], median(wall[s], runs), median(cpu[s], runs),
		       median(flt[s], runs));
	printf("exec_to_reaped_us %lld\n", median(exec_to_reaped, n_starts));
	printf("fault_us %.2f\n", fault_us());
	return 0;
}

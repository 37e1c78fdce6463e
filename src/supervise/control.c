/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket `berth ctl` talks to. A request is the command's
 * words, each ended by a NUL, and an empty word to end it; the answer is
 * '0' (done) or '1' (refused) and text, then the connection closes, but
 * for `logs -f`, which stays to follow, and `wait`, answered once the
 * boot has settled. Writes never block the loop: a
 * reader too slow for a follower's stream loses lines, not the service. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"
#include "berth/util/util.h"

struct client {
	struct client *next;
	int fd;
	struct watch w;
	char in[2048];
	size_t in_len;
	struct svc *follow;	/* logs -f, console */
	bool console;		/* what it sends goes to the service's terminal */
	bool waits_boot;	/* ctl wait: answered once the boot has settled */
	uint64_t pos;		/* the follower's place in the ring */
};

int control_listen(struct supervisor *sv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(sv->socket_path) >= sizeof(a.sun_path))
		return log_error("--socket %s: too long for a socket path", sv->socket_path);
	strcpy(a.sun_path, sv->socket_path);
	char dir[sizeof(a.sun_path)];
	snprintf(dir, sizeof(dir), "%s", sv->socket_path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir_p(dir, 0755);
	}
	/* One supervisor per socket: a lock beside it, held for life (and
	 * let go by the kernel if it dies), so that a second one neither
	 * takes the socket from the first nor removes it. */
	char lock[sizeof(a.sun_path) + 8];
	snprintf(lock, sizeof(lock), "%s.lock", sv->socket_path);
	sv->lockfd = openat(AT_FDCWD, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (sv->lockfd < 0)
		return log_error("control socket: %s: %m", lock);
	if (flock(sv->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(sv->lockfd);
		sv->lockfd = -1;
		errno = e;
		return e == EWOULDBLOCK ? log_error("another supervisor is running on %s (it holds %s)", sv->socket_path, lock)
					: log_error("control socket: locking %s: %m", lock);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_error("control socket: %m");
	unlink(sv->socket_path);	/* left by a supervisor that died */
	/* Only root may steer the services. */
	mode_t old = umask(0077);
	int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	struct stat st;
	if (r < 0 || listen(fd, 16) < 0 || stat(sv->socket_path, &st) < 0) {
		close(fd);
		return log_error("control socket %s: %m", sv->socket_path);
	}
	sv->socket_dev = st.st_dev;
	sv->socket_ino = st.st_ino;
	sv->listenfd = fd;
	sv->listen_w = (struct watch){ W_LISTEN, NULL };
	loop_add(sv, fd, &sv->listen_w, EPOLLIN);
	return 0;
}

void control_unlisten(struct supervisor *sv)
{
	struct stat st;
	/* Only the socket this supervisor made, not one that replaced it. */
	if (stat(sv->socket_path, &st) == 0 && st.st_dev == sv->socket_dev && st.st_ino == sv->socket_ino)
		unlink(sv->socket_path);
	if (sv->listenfd >= 0)
		close(sv->listenfd);
	if (sv->lockfd >= 0)
		close(sv->lockfd);
	sv->listenfd = sv->lockfd = -1;
}

static void client_free(struct supervisor *sv, struct client *c)
{
	for (struct client **p = &sv->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	loop_del(sv, c->fd);
	close(c->fd);
	free(c);
}

void control_leave(struct supervisor *sv)
{
	for (struct client *c = sv->clients; c; c = c->next)
		close(c->fd);
}

void control_forget(struct supervisor *sv, struct svc *s)
{
	for (struct client *c = sv->clients, *next; c; c = next) {
		next = c->next;
		if (c->follow == s)
			client_free(sv, c);
	}
}

void control_close_all(struct supervisor *sv)
{
	while (sv->clients)
		client_free(sv, sv->clients);
}

void control_accept(struct supervisor *sv)
{
	int fd = accept4(sv->listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	struct client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->w = (struct watch){ W_CLIENT, c };
	c->next = sv->clients;
	sv->clients = c;
	loop_add(sv, fd, &c->w, EPOLLIN);
}

/* Never blocks: what the socket cannot take now is dropped. */
static void out(struct client *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void outf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct client *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(c, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void fmt_ms(char *buf, size_t cap, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, cap, "-");
	else if (ms < 10000)
		snprintf(buf, cap, "%lldms", (long long)ms);
	else if (ms < 3600 * 1000)
		snprintf(buf, cap, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, cap, "%lldh%02lldm", (long long)(ms / 3600000), (long long)(ms / 60000 % 60));
}

static void fmt_exit(char *buf, size_t cap, int status)
{
	if (status < 0)
		snprintf(buf, cap, "-");
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "status %d", WEXITSTATUS(status));
}

static void reply_list(struct supervisor *sv, struct client *c)
{
	outf(c, "%-16s %-9s %7s %8s %8s %-11s %8s %8s\n", "NAME", "STATE", "PID", "RESTARTS", "UPTIME", "LAST-EXIT",
	     "TO-EXEC", "TO-READY");
	int64_t now = now_ms();
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *s = sv->svcs[i];
		if (svc_gone(s))
			continue;
		char up[16], ex[24], te[16], tr[16], pid[16] = "-";
		fmt_ms(up, sizeof(up), svc_running(s) ? now - s->lc.started_ms : -1);
		fmt_exit(ex, sizeof(ex), s->last_status);
		fmt_ms(te, sizeof(te), s->exec_ms ? s->exec_ms - sv->boot_ms : -1);
		fmt_ms(tr, sizeof(tr), s->ready_ms ? s->ready_ms - sv->boot_ms : -1);
		if (svc_running(s))
			snprintf(pid, sizeof(pid), "%d", (int)s->ctr.pid);
		outf(c, "%-16s %-9s %7s %8d %8s %-11s %8s %8s\n", s->name, svc_state_name(s->lc.state), pid, s->lc.restarts, up,
		     ex, te, tr);
	}
}

static void send_log(struct client *c, const struct logring *r, uint64_t from)
{
	const char *p1, *p2;
	size_t n1, n2;
	logring_since(r, from, &p1, &n1, &p2, &n2);
	out(c, p1, n1);
	out(c, p2, n2);
}

/* "published: 8080->80/tcp 192.168.55.1:8081->80/tcp": what reaches the
 * container from the device's ports while it runs. */
static void status_published(struct client *c, const struct net_conf *n)
{
#ifdef CONFIG_NET_PUBLISH
	if (!n->n_publish)
		return;
	outf(c, "published:");
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct net_publish *p = &n->publish[i];
		char ip[NET_ADDR_STRLEN + 3] = "";
		if (p->host_ip.family) {
			char b[NET_ADDR_STRLEN];
			net_addr_format(&p->host_ip, false, b);
			snprintf(ip, sizeof(ip), p->host_ip.family == AF_INET6 ? "[%s]:" : "%s:", b);
		}
		outf(c, " %s%u->%u/%s", ip, p->host_port, p->port, net_proto_name(p->proto));
	}
	outf(c, "%s\n", n->publish[0].exposed ? " (the image's ExposedPorts)" : "");
#else
	(void)c, (void)n;
#endif
}

static void reply_status(struct supervisor *sv, struct client *c, struct svc *s)
{
	char ex[24], up[16];
	fmt_exit(ex, sizeof(ex), s->last_status);
	fmt_ms(up, sizeof(up), svc_running(s) ? now_ms() - s->lc.started_ms : -1);
	outf(c, "0name: %s\nfile: %s\nstate: %s\n", s->name, s->file, svc_state_name(s->lc.state));
	if (svc_running(s))
		outf(c, "pid: %d\nuptime: %s\n", (int)s->ctr.pid, up);
	if (svc_running(s) && s->addresses)
		outf(c, "addresses: %s\n", s->addresses);
	if (svc_running(s))
		status_published(c, &s->conf.net);
	outf(c, "restarts: %d\nfailures in a row: %d\nlast exit: %s\n", s->lc.restarts, s->lc.failures, ex);
	if (s->conf.log_console || s->conf.log_kmsg)
		outf(c, "console lines dropped: %llu\n", (unsigned long long)s->lines_dropped);
	if (s->why[0] && s->lc.state != SVC_RUNNING && s->lc.state != SVC_READY)
		outf(c, "why: %s\n", s->why);
	char image[1200];
	update_describe(s, image, sizeof(image));
	if (image[0])
		outf(c, "%s", image);
	if (s->lc.state != SVC_BROKEN) {
		outf(c, "--- last output ---\n");
		uint64_t from = s->ring.total > 2048 ? s->ring.total - 2048 : 0;
		send_log(c, &s->ring, from);
	}
	(void)sv;
}

static void reply_logs(struct supervisor *sv, struct client *c, struct svc *s, bool follow)
{
	out(c, "0", 1);
	send_log(c, &s->ring, 0);
	if (follow) {
		c->follow = s;
		c->pos = s->ring.total;
	}
	(void)sv;
}

void control_log_follow(struct supervisor *sv, struct svc *s)
{
	for (struct client *c = sv->clients; c; c = c->next)
		if (c->follow == s) {
			send_log(c, &s->ring, c->pos);
			c->pos = s->ring.total;
		}
}

static const struct {
	const char *name;
	enum power_action action;
} power_words[] = { { "poweroff", POWER_OFF }, { "reboot", POWER_REBOOT }, { "halt", POWER_HALT } };

/* ctl start | stop | restart: an event for the service's lifecycle
 * (restart: stopped first, started again once it has exited). */
static const struct {
	const char *name;
	enum svc_event event;
} service_words[] = { { "start", EV_START }, { "stop", EV_STOP }, { "restart", EV_RESTART } };

/* ctl wait's answer: the boot's summary; the verdict says whether every
 * service it wanted up came up. */
static void reply_boot(struct supervisor *sv, struct client *c)
{
	outf(c, "%c%s\n", sv->boot_ok ? '0' : '1', sv->boot_summary);
}

void control_boot_settled(struct supervisor *sv)
{
	for (struct client *c = sv->clients, *next; c; c = next) {
		next = c->next;
		if (c->waits_boot) {
			reply_boot(sv, c);
			client_free(sv, c);
		}
	}
}

#ifdef CONFIG_IMAGE_STORE
#define IF_IMAGES(x) x
#else
#define IF_IMAGES(x)
#endif

#ifdef CONFIG_IMAGE_STORE
/* ctl update NAME [IMAGE|FILE] [--timeout D] [--settle D] | rollback NAME */
static void reply_update(struct supervisor *sv, struct client *c, char **argv, int argc)
{
	bool update = !strcmp(argv[0], "update");
	struct svc *s = argc >= 2 ? svc_find(sv, argv[1]) : NULL;
	const char *ref = NULL;
	int64_t timeout = s ? s->conf.update_timeout_ms : 0, settle = s ? s->conf.update_settle_ms : 0;
	for (int i = 2; s && i < argc; i++) {
		int64_t *d = !strcmp(argv[i], "--timeout") ? &timeout : !strcmp(argv[i], "--settle") ? &settle : NULL;
		if (update && d && i + 1 < argc && parse_duration_ms(argv[i + 1], d) == 0 && *d >= 0) {
			i++;
		} else if (update && !d && !ref && argv[i][0] != '-') {
			ref = argv[i];
		} else {
			outf(c, "1%s: expected: update NAME [IMAGE|FILE] [--timeout DURATION] [--settle DURATION], "
				"or rollback NAME\n", argv[0]);
			return;
		}
	}
	if (!s) {
		outf(c, "1%s: expected an image service's NAME (berth ctl list shows them)\n", argv[0]);
		return;
	}
	char msg[800];
	int r = update ? update_begin(sv, s, ref, timeout, settle, msg, sizeof(msg)) : update_rollback(sv, s, msg, sizeof(msg));
	svc_schedule(sv);
	outf(c, "%c%s\n", r < 0 ? '1' : '0', msg);
}
#endif

/* Returns true when the client stays (following, or waiting). */
static bool dispatch(struct supervisor *sv, struct client *c, char **argv, int argc)
{
	const char *cmd = argv[0];
	if (!strcmp(cmd, "list")) {
		out(c, "0", 1);
		reply_list(sv, c);
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(power_words); i++) {
		if (strcmp(cmd, power_words[i].name))
			continue;
		enum power_action action = power_words[i].action;
		char why[32], err[300];
		snprintf(why, sizeof(why), "ctl %s", cmd);
		log_keep_first_error(err, sizeof(err));	/* what to answer, if it fails */
		int r = supervisor_power(sv, action, why);
		log_keep_first_error(NULL, 0);
		if (r < 0)
			outf(c, "1%s\n", err);
		else if (sv->pid1)
			outf(c, "0stopping every service, then %s\n", cmd);
		else
			outf(c, "0asked init (pid 1) to %s\n", cmd);
		return false;
	}
	if (!strcmp(cmd, "reload")) {
		svc_reload(sv);
		svc_schedule(sv);
		out(c, "0", 1);
		reply_list(sv, c);
		return false;
	}
	if (!strcmp(cmd, "wait")) {
		if (sv->settled)
			reply_boot(sv, c);
		return c->waits_boot = !sv->settled;
	}
	if (!strcmp(cmd, "root")) {
		outf(c, "0%s\n", sv->root);
		return false;
	}
#ifdef CONFIG_IMAGE_STORE
	if (!strcmp(cmd, "update") || !strcmp(cmd, "rollback")) {
		reply_update(sv, c, argv, argc);
		return false;
	}
#endif
	bool follow = argc == 3 && !strcmp(argv[1], "-f");
	const char *name = argc >= 2 ? argv[argc - 1] : NULL;
	struct svc *s = name ? svc_find(sv, name) : NULL;
	if (!name || argc > (follow ? 3 : 2)) {
		outf(c, "1%s: expected: %s NAME\n", cmd, cmd);
		return false;
	}
	if (!s) {
		outf(c, "1no service \"%s\" (berth ctl list shows them)\n", name);
		return false;
	}
	int word = -1;
	for (size_t i = 0; i < ARRAY_SIZE(service_words); i++)
		if (!strcmp(cmd, service_words[i].name))
			word = (int)i;
	if (!strcmp(cmd, "status")) {
		reply_status(sv, c, s);
	} else if (!strcmp(cmd, "console")) {
		if (!s->conf.spec.process.terminal || s->lc.state == SVC_BROKEN) {
			outf(c, "1%s: not a terminal service (its file needs terminal = yes)\n", s->name);
			return false;
		}
		if (!svc_running(s) || s->log_fd < 0) {
			outf(c, "1%s: not running\n", s->name);
			return false;
		}
		/* What it printed before the attach comes first. */
		reply_logs(sv, c, s, true);
		c->console = true;
		return true;
	} else if (!strcmp(cmd, "logs")) {
		if (s->lc.state == SVC_BROKEN) {
			outf(c, "1%s: %s\n", s->name, s->why);
			return false;
		}
		reply_logs(sv, c, s, follow);
		return follow;
	} else if (word >= 0) {
		if (s->lc.state == SVC_BROKEN) {
			outf(c, "1%s: %s\n", s->name, s->why);
			return false;
		}
		svc_event(sv, s, service_words[word].event, false);
		svc_schedule(sv);
		outf(c, "0%s: %s\n", s->name, svc_state_name(s->lc.state));
	} else {
		outf(c, "1unknown command \"%s\" (list, status, start, stop, restart, logs [-f], console, reload, "
			"wait, poweroff, reboot, halt, root" IF_IMAGES(", update, rollback") ")\n", cmd);
	}
	return false;
}

void control_client(struct supervisor *sv, struct client *c, uint32_t events)
{
	if (c->console) {
		char buf[1024];
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || c->follow->log_fd < 0) {
			client_free(sv, c);
			return;
		}
		/* Typed into the terminal; a full pty drops it, never blocks. */
		if (write(c->follow->log_fd, buf, (size_t)n) < 0 && errno != EAGAIN)
			client_free(sv, c);
		return;
	}
	if (c->follow || c->waits_boot) {	/* a follower or waiter only ever hangs up */
		client_free(sv, c);
		return;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0 || (events & (EPOLLHUP | EPOLLERR)) || (c->in_len += (size_t)n) == sizeof(c->in)) {
		client_free(sv, c);
		return;
	}
	/* Complete once it ends with an empty word: "...\0\0". */
	if (c->in_len < 2 || c->in[c->in_len - 1] || c->in[c->in_len - 2])
		return;
	char *argv[16];
	int argc = 0;
	for (char *p = c->in; *p && argc < 16; p += strlen(p) + 1)
		argv[argc++] = p;
	if (!argc || !dispatch(sv, c, argv, argc))
		client_free(sv, c);
}

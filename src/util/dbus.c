/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal D-Bus client (berth/dbus.h): the wire format of the D-Bus
 * specification for the types berth sends, and just enough of a reply to
 * know whether a call worked and, if not, why. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "berth/util/dbus.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

enum { MSG_CALL = 1, MSG_RETURN = 2, MSG_ERROR = 3, MSG_SIGNAL = 4 };
enum { FIELD_PATH = 1, FIELD_INTERFACE, FIELD_MEMBER, FIELD_ERROR_NAME, FIELD_REPLY_SERIAL, FIELD_DESTINATION,
       FIELD_SENDER, FIELD_SIGNATURE };
/* Larger replies than this are refused: systemd's are a few hundred bytes. */
#define MAX_MESSAGE (1u << 20)

static bool little_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

/* ---- writing ---- */

static void put(struct dbus_buf *b, const void *v, size_t n)
{
	if (b->failed)
		return;
	unsigned char *p = buffer_reserve(b->p, &b->cap, b->len + n);
	if (!p) {
		b->failed = true;
		return;
	}
	b->p = p;
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void align(struct dbus_buf *b, size_t a)
{
	static const unsigned char zeros[8];
	if (b->len % a)
		put(b, zeros, a - b->len % a);
}

void dbus_buf_free(struct dbus_buf *b)
{
	free(b->p);
	*b = (struct dbus_buf){ 0 };
}

void dbus_put_byte(struct dbus_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

void dbus_put_u32(struct dbus_buf *b, uint32_t v)
{
	align(b, 4);
	put(b, &v, 4);
}

void dbus_put_bool(struct dbus_buf *b, bool v)
{
	dbus_put_u32(b, v ? 1 : 0);
}

void dbus_put_u64(struct dbus_buf *b, uint64_t v)
{
	align(b, 8);
	put(b, &v, 8);
}

void dbus_put_string(struct dbus_buf *b, const char *s)
{
	dbus_put_u32(b, (uint32_t)strlen(s));
	put(b, s, strlen(s) + 1);
}

void dbus_put_signature(struct dbus_buf *b, const char *s)
{
	dbus_put_byte(b, (uint8_t)strlen(s));
	put(b, s, strlen(s) + 1);
}

void dbus_put_struct(struct dbus_buf *b)
{
	align(b, 8);
}

/* The length counts the elements only, from after the padding that
 * aligns the first one (there even when the array is empty). */
struct dbus_array dbus_array_begin(struct dbus_buf *b, size_t element_alignment)
{
	struct dbus_array a;
	dbus_put_u32(b, 0);
	a.at = b->len - 4;
	align(b, element_alignment);
	a.start = b->len;
	return a;
}

void dbus_array_end(struct dbus_buf *b, struct dbus_array a)
{
	uint32_t n = (uint32_t)(b->len - a.start);
	if (!b->failed)
		memcpy(b->p + a.at, &n, 4);
}

/* ---- reading ---- */

struct reader {
	const unsigned char *p;
	size_t len, pos;
	bool big;
	bool bad;
};

static bool take(struct reader *r, size_t a, size_t n)
{
	size_t pos = (r->pos + a - 1) / a * a;
	if (r->bad || pos > r->len || n > r->len - pos) {
		r->bad = true;
		return false;
	}
	r->pos = pos;
	return true;
}

static uint32_t get_u32(struct reader *r)
{
	if (!take(r, 4, 4))
		return 0;
	const unsigned char *q = r->p + r->pos;
	r->pos += 4;
	return r->big ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]
		      : (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

/* A string ('s', 'o'; 'g' when sig_len) into out, truncated to cap. */
static void get_string(struct reader *r, bool signature, char *out, size_t cap)
{
	size_t n;
	if (signature) {
		if (!take(r, 1, 1))
			return;
		n = r->p[r->pos++];
	} else {
		n = get_u32(r);
	}
	if (!take(r, 1, n) || n + 1 > r->len - r->pos || r->p[r->pos + n]) {
		r->bad = true;
		return;
	}
	if (out && cap)
		snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), (const char *)r->p + r->pos);
	r->pos += n + 1;
}

size_t dbus_message_length(const unsigned char *head)
{
	if ((head[0] != 'l' && head[0] != 'B') || head[3] != 1)
		return 0;
	struct reader r = { head, 16, 4, head[0] == 'B', false };
	uint32_t body = get_u32(&r);
	r.pos = 12;
	uint32_t fields = get_u32(&r);
	if (body > MAX_MESSAGE || fields > MAX_MESSAGE)
		return 0;
	size_t header = (16 + (size_t)fields + 7) / 8 * 8;
	return header + body > MAX_MESSAGE ? 0 : header + body;
}

int dbus_parse_reply(const unsigned char *msg, size_t len, int *type, uint32_t *reply_serial, struct dbus_reply *out)
{
	if (len < 16 || dbus_message_length(msg) != len)
		return -1;
	*out = (struct dbus_reply){ 0 };
	*type = msg[1];
	*reply_serial = 0;
	struct reader r = { msg, len, 12, msg[0] == 'B', false };
	size_t end = 16 + (size_t)get_u32(&r);
	char sig[256] = "";
	while (!r.bad && r.pos < end) {
		if (!take(&r, 8, 1))
			break;
		int code = r.p[r.pos++];
		char vsig[256];
		get_string(&r, true, vsig, sizeof(vsig));
		if (r.bad)
			break;
		if (!strcmp(vsig, "u")) {
			uint32_t v = get_u32(&r);
			if (code == FIELD_REPLY_SERIAL)
				*reply_serial = v;
		} else if (!strcmp(vsig, "s") || !strcmp(vsig, "o")) {
			get_string(&r, false, code == FIELD_ERROR_NAME ? out->name : NULL, sizeof(out->name));
		} else if (!strcmp(vsig, "g")) {
			get_string(&r, true, code == FIELD_SIGNATURE ? sig : NULL, sizeof(sig));
		} else {
			r.bad = true;	/* no other type belongs in a header field */
		}
	}
	if (r.bad || r.pos > end)
		return -1;
	out->error = *type == MSG_ERROR;
	if (out->error && sig[0] == 's') {
		r.pos = (end + 7) / 8 * 8;
		get_string(&r, false, out->message, sizeof(out->message));
		if (r.bad)
			return -1;
	}
	return 0;
}

/* ---- the connection ---- */

static int send_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t got = recv(fd, p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = ECONNRESET;
			return -1;
		}
		p = (char *)p + got;
		n -= (size_t)got;
	}
	return 0;
}

/* The authentication is lines of text: read one, byte by byte (the
 * binary protocol follows on the same stream). */
static int recv_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		if (recv_all(fd, line + n, 1) < 0)
			return -1;
		if (line[n] == '\n') {
			line[n] = 0;
			return 0;
		}
		n++;
	}
	errno = EPROTO;
	return -1;
}

static void close_fd(struct dbus *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int dbus_open(struct dbus *c, const char *path, bool bus, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	c->serial = 0;
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error("D-Bus socket %s: path too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	if (c->fd < 0 || setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_error("D-Bus socket %s: %m", path);
		close_fd(c);
		return -1;
	}
	/* EXTERNAL: the server checks our uid with SO_PEERCRED; we name it
	 * as the decimal digits, each written as two hex digits. */
	char uid[16], auth[64], line[256];
	int n = snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	size_t k = (size_t)snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", 0);
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(auth + k, sizeof(auth) - k, "%02x", (unsigned char)uid[i]);
	k += (size_t)snprintf(auth + k, sizeof(auth) - k, "\r\n");
	if (send_all(c->fd, auth, k) < 0 || recv_line(c->fd, line, sizeof(line)) < 0) {
		log_error("D-Bus socket %s: authenticating: %m", path);
		close_fd(c);
		return -1;
	}
	if (strncmp(line, "OK ", 3)) {
		log_error("D-Bus socket %s: authentication refused (%.*s)", path, (int)strcspn(line, "\r"), line);
		close_fd(c);
		return -1;
	}
	if (send_all(c->fd, "BEGIN\r\n", 7) < 0) {
		log_error("D-Bus socket %s: %m", path);
		close_fd(c);
		return -1;
	}
	if (!bus)
		return 0;
	struct dbus_reply r = { 0 };
	int rc = dbus_call(c, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", NULL,
			   NULL, &r);
	if (rc == 0 && r.error)
		log_error("D-Bus socket %s: Hello: %s: %s", path, r.name, r.message);
	if (rc < 0 || r.error) {
		close_fd(c);
		return -1;
	}
	return 0;
}

void dbus_close(struct dbus *c)
{
	close_fd(c);
}

static void header_field(struct dbus_buf *h, uint8_t code, const char *type, const char *value)
{
	if (!value)
		return;
	dbus_put_struct(h);
	dbus_put_byte(h, code);
	dbus_put_signature(h, type);
	if (type[0] == 'g')
		dbus_put_signature(h, value);
	else
		dbus_put_string(h, value);
}

int dbus_call(struct dbus *c, const char *dest, const char *path, const char *iface, const char *member,
	      const char *sig, const struct dbus_buf *body, struct dbus_reply *r)
{
	struct dbus_buf h = { 0 };
	uint32_t serial = ++c->serial;
	dbus_put_byte(&h, little_endian() ? 'l' : 'B');
	dbus_put_byte(&h, MSG_CALL);
	dbus_put_byte(&h, 0);
	dbus_put_byte(&h, 1);
	dbus_put_u32(&h, body ? (uint32_t)body->len : 0);
	dbus_put_u32(&h, serial);
	struct dbus_array fields = dbus_array_begin(&h, 8);
	header_field(&h, FIELD_PATH, "o", path);
	header_field(&h, FIELD_INTERFACE, "s", iface);
	header_field(&h, FIELD_MEMBER, "s", member);
	header_field(&h, FIELD_DESTINATION, "s", dest);
	header_field(&h, FIELD_SIGNATURE, "g", sig && *sig ? sig : NULL);
	dbus_array_end(&h, fields);
	dbus_put_struct(&h);	/* the body starts 8-aligned */
	if (h.failed || (body && body->failed)) {
		dbus_buf_free(&h);
		return log_error("D-Bus: out of memory");
	}
	int sent = send_all(c->fd, h.p, h.len) < 0 || (body && body->len && send_all(c->fd, body->p, body->len) < 0);
	dbus_buf_free(&h);
	if (sent)
		return log_error("D-Bus: sending %s: %m", member);
	for (;;) {
		unsigned char head[16];
		if (recv_all(c->fd, head, sizeof(head)) < 0)
			return log_error("D-Bus: waiting for the answer to %s: %m", member);
		size_t len = dbus_message_length(head);
		unsigned char *msg = len ? malloc(len) : NULL;
		if (!msg)
			return log_error("D-Bus: the answer to %s is not a D-Bus message", member);
		memcpy(msg, head, sizeof(head));
		int type = 0;
		uint32_t to = 0;
		int bad = recv_all(c->fd, msg + sizeof(head), len - sizeof(head)) < 0 ? -2
			  : dbus_parse_reply(msg, len, &type, &to, r);
		free(msg);
		if (bad == -2)
			return log_error("D-Bus: waiting for the answer to %s: %m", member);
		if (bad < 0)
			return log_error("D-Bus: the answer to %s is malformed", member);
		if ((type == MSG_RETURN || type == MSG_ERROR) && to == serial)
			return 0;
	}
}

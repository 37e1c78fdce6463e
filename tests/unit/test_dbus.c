/* SPDX-License-Identifier: Apache-2.0 */
/* The D-Bus wire format berth writes and reads (src/util/dbus.c), byte for
 * byte against the specification's rules, and the cgroupsPath of
 * --systemd-cgroup (src/linux/systemd_cgroup.c). No bus, no systemd:
 * tests/integration/systemd_cgroup.sh talks to a real one in a VM. */
#include <stdio.h>
#include <string.h>
#include "berth/linux/systemd_cgroup.h"
#include "berth/util/dbus.h"

static int failed, passed;
#define CHECK(cond, ...) do { \
	if (cond) { passed++; } else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static int little(void)
{
	const unsigned short one = 1;
	return *(const unsigned char *)&one;
}

/* Compare b against hex bytes given for a little-endian machine. */
static void same_bytes(const struct dbus_buf *b, const unsigned char *want, size_t n, const char *what)
{
	if (!little()) {
		passed++;	/* the expected bytes below are little-endian */
		return;
	}
	int ok = b->len == n && !memcmp(b->p, want, n);
	CHECK(ok, "%s: %zu bytes, wanted %zu", what, b->len, n);
	if (!ok)
		for (size_t i = 0; i < b->len; i++)
			printf("%02x%s", b->p[i], i + 1 < b->len ? " " : "\n");
}

static void test_writers(void)
{
	struct dbus_buf b = { 0 };
	/* s "ab": length, bytes, nul; then u32 aligned to 4; then t to 8. */
	dbus_put_string(&b, "ab");
	dbus_put_u32(&b, 7);
	dbus_put_byte(&b, 1);
	dbus_put_u64(&b, 0x0102030405060708ull);
	static const unsigned char w1[] = { 2, 0, 0, 0, 'a', 'b', 0, 0, 7, 0, 0, 0, 1, 0, 0, 0,
					    8, 7, 6, 5, 4, 3, 2, 1 };
	same_bytes(&b, w1, sizeof(w1), "s u y t with padding");
	dbus_buf_free(&b);

	/* a(sv) with one ("Delegate", <true>): the length counts from the
	 * first struct, after the padding to 8. */
	dbus_put_byte(&b, 9);
	struct dbus_array a = dbus_array_begin(&b, 8);
	dbus_put_struct(&b);
	dbus_put_string(&b, "D");
	dbus_put_signature(&b, "b");
	dbus_put_bool(&b, true);
	dbus_array_end(&b, a);
	static const unsigned char w2[] = { 9, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 'D', 0, 1, 'b', 0, 0, 0, 0,
					    1, 0, 0, 0 };
	same_bytes(&b, w2, sizeof(w2), "a(sv)");
	dbus_buf_free(&b);

	/* An empty array of structs still pads to 8 after its length. */
	a = dbus_array_begin(&b, 8);
	dbus_array_end(&b, a);
	static const unsigned char w3[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	same_bytes(&b, w3, sizeof(w3), "empty a(sa(sv))");
	dbus_buf_free(&b);

	/* au with one pid: 4-aligned elements, no extra padding. */
	dbus_put_signature(&b, "au");
	a = dbus_array_begin(&b, 4);
	dbus_put_u32(&b, 42);
	dbus_array_end(&b, a);
	static const unsigned char w4[] = { 2, 'a', 'u', 0, 4, 0, 0, 0, 42, 0, 0, 0 };
	same_bytes(&b, w4, sizeof(w4), "variant au");
	dbus_buf_free(&b);
}

/* An error reply as systemd sends it: ERROR_NAME, REPLY_SERIAL,
 * SIGNATURE "s", body = the message. Built in either byte order. */
static size_t error_reply(unsigned char *m, int big, uint32_t serial, const char *name, const char *text)
{
	size_t n = 0;
#define U32(v) do { uint32_t _v = (v); \
	if (big) { m[n++] = _v >> 24; m[n++] = _v >> 16; m[n++] = _v >> 8; m[n++] = _v; } \
	else { m[n++] = _v; m[n++] = _v >> 8; m[n++] = _v >> 16; m[n++] = _v >> 24; } } while (0)
#define PAD(a) while (n % (a)) m[n++] = 0
	m[n++] = big ? 'B' : 'l';
	m[n++] = 3;	/* ERROR */
	m[n++] = 1;
	m[n++] = 1;
	size_t body_at = n;
	U32(0);		/* body length, filled in below */
	U32(77);	/* serial */
	size_t fields_at = n;
	U32(0);		/* fields' length */
	size_t start = n;
	PAD(8);
	m[n++] = 4; m[n++] = 1; m[n++] = 's'; m[n++] = 0;
	U32((uint32_t)strlen(name)); memcpy(m + n, name, strlen(name) + 1); n += strlen(name) + 1;
	PAD(8);
	m[n++] = 5; m[n++] = 1; m[n++] = 'u'; m[n++] = 0;
	U32(serial);
	PAD(8);
	m[n++] = 8; m[n++] = 1; m[n++] = 'g'; m[n++] = 0;
	m[n++] = 1; m[n++] = 's'; m[n++] = 0;
	size_t fields = n - start;
	PAD(8);
	size_t body = n;
	U32((uint32_t)strlen(text)); memcpy(m + n, text, strlen(text) + 1); n += strlen(text) + 1;
	size_t save = n;
	n = body_at; U32((uint32_t)(save - body));
	n = fields_at; U32((uint32_t)fields);
	return save;
#undef U32
#undef PAD
}

static void test_replies(void)
{
	for (int big = 0; big < 2; big++) {
		unsigned char m[512];
		size_t n = error_reply(m, big, 5, "org.freedesktop.systemd1.UnitExists", "Unit x.scope already exists.");
		CHECK(dbus_message_length(m) == n, "%s: the length from the header (%zu) is the message's (%zu)",
		      big ? "big" : "little", dbus_message_length(m), n);
		int type = 0;
		uint32_t to = 0;
		struct dbus_reply r;
		CHECK(dbus_parse_reply(m, n, &type, &to, &r) == 0, "an error reply parses");
		CHECK(type == 3 && to == 5 && r.error, "type %d, reply to %u", type, to);
		CHECK(!strcmp(r.name, "org.freedesktop.systemd1.UnitExists"), "error name [%s]", r.name);
		CHECK(!strcmp(r.message, "Unit x.scope already exists."), "error message [%s]", r.message);
		/* Each truncation is refused, none read past the end. */
		int refused = 0;
		for (size_t cut = 16; cut < n; cut++)
			refused += dbus_parse_reply(m, cut, &type, &to, &r) < 0;
		CHECK(refused == (int)(n - 16), "truncated replies refused: %d of %zu", refused, n - 16);
		/* A string that claims to run past its field is refused. */
		m[big ? 23 : 20] = 200;
		CHECK(dbus_parse_reply(m, n, &type, &to, &r) < 0, "an overlong string is refused");
	}
	unsigned char junk[16] = { 'x', 1, 0, 1 };
	CHECK(dbus_message_length(junk) == 0, "not a message: no length");
}

static void scope(const char *path, const char *id, int ok, const char *unit, const char *cg)
{
	struct systemd_scope s;
	int r = systemd_scope_parse(path, id, &s);
	CHECK((r == 0) == ok, "cgroupsPath [%s]: %s", path ? path : "(none)", ok ? "refused" : "accepted");
	if (r == 0 && ok) {
		CHECK(!strcmp(s.unit, unit), "[%s]: unit %s, wanted %s", path, s.unit, unit);
		CHECK(!strcmp(s.path, cg), "[%s]: cgroup %s, wanted %s", path, s.path, cg);
	}
}

static void test_scopes(void)
{
	scope(NULL, "c1", 1, "berth-c1.scope", "/system.slice/berth-c1.scope");
	scope("", "c1", 1, "berth-c1.scope", "/system.slice/berth-c1.scope");
	scope("system.slice:docker:abc", "x", 1, "docker-abc.scope", "/system.slice/docker-abc.scope");
	scope(":docker:abc", "x", 1, "docker-abc.scope", "/system.slice/docker-abc.scope");
	scope("machine.slice::vm1", "x", 1, "vm1.scope", "/machine.slice/vm1.scope");
	scope("a-b-c.slice:p:n", "x", 1, "p-n.scope", "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	scope("-.slice:p:n", "x", 1, "p-n.scope", "/p-n.scope");
	scope("/docker/abc", "x", 0, NULL, NULL);
	scope("system.slice:docker", "x", 0, NULL, NULL);
	scope("system.slice:a:b:c", "x", 0, NULL, NULL);
	scope("system.slice:p:", "x", 0, NULL, NULL);
	scope("system:p:n", "x", 0, NULL, NULL);
	scope("a--b.slice:p:n", "x", 0, NULL, NULL);
	scope("-a.slice:p:n", "x", 0, NULL, NULL);
	scope("system.slice:p:n/../x", "x", 0, NULL, NULL);
	scope("system.slice:p:sub.slice", "x", 0, NULL, NULL);
}

int main(void)
{
	test_writers();
	test_replies();
	test_scopes();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

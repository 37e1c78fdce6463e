/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of what [network] reads and decides without a kernel:
 * addresses, MACs, interface names, the [network] keys and their checks,
 * and the lease file (parse, stable choice). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/runtime/leases.h"
#include "berth/spec/deps.h"
#include "berth/spec/network.h"
#include "berth/spec/service.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { passed++; } \
	else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static const char *fmt(const struct net_addr *a)
{
	static char b[NET_ADDR_STRLEN];
	return net_addr_format(a, true, b);
}

static void test_addr(void)
{
	struct net_addr a, s;
	CHECK(net_addr_parse("10.0.0.2", &a) == 0 && a.family == AF_INET && a.prefix == -1 && !strcmp(fmt(&a), "10.0.0.2"));
	CHECK(net_addr_parse("10.0.0.2/24", &a) == 0 && a.prefix == 24 && !strcmp(fmt(&a), "10.0.0.2/24"));
	CHECK(net_addr_parse("fd00::2/64", &a) == 0 && a.family == AF_INET6 && !strcmp(fmt(&a), "fd00::2/64"));
	CHECK(net_addr_parse("0.0.0.0/0", &a) == 0 && a.prefix == 0);
	static const char *const bad[] = { "", "/24", "10.0.0.256", "10.0.0.1/33", "fd00::/129", "10.0.0.1/",
		"10.0.0.1/024", "10.0.0.1/-1", "1.2.3.4/8x", "1.2.3.4 ", "web", "::g",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int r = net_addr_parse(bad[i], &a);
		if (r != -1)
			printf("  accepted: \"%s\"\n", bad[i]);
		CHECK(r == -1);
	}
	net_addr_parse("10.0.88.1/24", &s);
	net_addr_parse("10.0.88.254", &a);
	CHECK(net_addr_in(&s, &a));
	net_addr_parse("10.0.89.1", &a);
	CHECK(!net_addr_in(&s, &a));
	net_addr_parse("10.0.88.0/23", &s);	/* a boundary inside a byte */
	CHECK(net_addr_in(&s, &a));
	net_addr_parse("10.0.90.1", &a);
	CHECK(!net_addr_in(&s, &a));
	net_addr_parse("fd00:1::1/64", &s);
	net_addr_parse("fd00:1::abcd", &a);
	CHECK(net_addr_in(&s, &a));
	net_addr_parse("10.0.88.1", &a);
	CHECK(!net_addr_in(&s, &a));	/* another family */
	net_addr_parse("10.0.88.1", &s);
	CHECK(!net_addr_in(&s, &a));	/* no prefix: not a subnet */
}

static void test_mac_and_names(void)
{
	uint8_t m[6], m2[6];
	CHECK(net_mac_parse("02:42:ac:11:00:02", m) == 0 && m[0] == 2 && m[5] == 2);
	CHECK(net_mac_parse("02:42:AC:11:00:0F", m) == 0 && m[2] == 0xac && m[5] == 0x0f);
	static const char *const bad[] = { "", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "0242ac110002",
		"01:00:5e:00:00:01" /* multicast */, "02:42:ac:11:00:0g", "2:42:ac:11:00:02", "02-42-ac-11-00-02" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(net_mac_parse(bad[i], m) == -1);
	net_mac_from_name("web", m);
	net_mac_from_name("web", m2);
	CHECK(!memcmp(m, m2, 6) && m[0] == 0x02);	/* stable, locally administered, unicast */
	net_mac_from_name("db", m2);
	CHECK(memcmp(m, m2, 6) != 0);
	CHECK(net_ifname_ok("eth0") && net_ifname_ok("berth0") && net_ifname_ok("a23456789012345"));
	CHECK(!net_ifname_ok("") && !net_ifname_ok("a234567890123456") && !net_ifname_ok("a/b") &&
	      !net_ifname_ok("a b") && !net_ifname_ok("..") && !net_ifname_ok("eth0:1"));
}

static int load(struct service_conf *c, const char *text)
{
	return service_load_text(c, text, strlen(text), "/etc/berth/web.conf");
}

static int try_load(const char *text)
{
	struct service_conf c;
	int r = load(&c, text);
	service_free(&c);
	return r;
}

#define SVC "[service]\nrootfs = /r\nexec = true\n"

static void test_keys(void)
{
	struct service_conf c;
	CHECK(load(&c, SVC) == 0 && c.net.mode == NET_NONE && c.spec.ns[NS_NET].wanted);
	service_free(&c);
	CHECK(load(&c, SVC "[network]\nmode = bridge\n") == 0 && c.net.mode == NET_BRIDGE &&
	      !strcmp(c.net.bridge, NET_DEFAULT_BRIDGE) && !c.net.n_addrs);
	service_free(&c);
	CHECK(load(&c, SVC "[network]\nmode = bridge\nbridge = br-lan\nbridge-address = 192.168.7.1/24\n"
		       "bridge-address = fd07::1/64\naddress = 192.168.7.20\naddress = fd07::20/64\ngateway = 192.168.7.254\n"
		       "mtu = 1400\nmac = 02:00:00:00:00:20\ndns = 192.168.7.1\ndns = fd07::1\ndns-search = lan\n"
		       "dns-search = example.org\nhosts = printer:192.168.7.9\nhosts = nas:fd07::9\n") == 0);
	CHECK(!strcmp(c.net.bridge, "br-lan") && c.net.n_bridge_addrs == 2 && c.net.n_addrs == 2 &&
	      c.net.addrs[0].prefix == 24 /* the bridge's */ && c.net.mtu == 1400 && c.net.has_mac && c.net.n_dns == 2 &&
	      c.net.n_hosts == 2 && !strcmp(c.net.hosts[1].name, "nas") && c.net.hosts[1].ip.family == AF_INET6 &&
	      !strcmp(c.net.dns_search[1], "example.org") && c.net.n_gateways == 1);
	service_free(&c);
	/* macvlan waits for its parent, as wait-for = link: would. */
	CHECK(load(&c, SVC "[network]\nmode = macvlan\nparent = eth1\naddress = 192.168.1.50/24\n") == 0 &&
	      c.net.macvlan_mode == 4 /* MACVLAN_MODE_BRIDGE */ && c.n_wait_for == 1 && c.wait_for[0].kind == WAIT_LINK &&
	      !strcmp(c.wait_for[0].arg, "eth1"));
	service_free(&c);
	/* publish: HOSTPORT:PORT (tcp), HOSTIP:HOSTPORT:PORT/udp; one port once. */
	CHECK(load(&c, SVC "[network]\nmode = bridge\npublish = 8080:80\npublish = 192.168.1.2:53:5353/udp\n"
		       "publish = 53:53/tcp\n") == 0 && c.net.n_publish == 3);
	CHECK(c.net.publish[0].proto == IPPROTO_TCP && c.net.publish[0].host_port == 8080 && c.net.publish[0].port == 80 &&
	      !c.net.publish[0].host_ip.family);
	CHECK(c.net.publish[1].proto == IPPROTO_UDP && c.net.publish[1].host_port == 53 && c.net.publish[1].port == 5353 &&
	      !strcmp(fmt(&c.net.publish[1].host_ip), "192.168.1.2"));
	CHECK(!net_publish_clash(&c.net.publish[1], &c.net.publish[2]));	/* udp and tcp */
	CHECK(net_publish_clash(&c.net.publish[0], &c.net.publish[0]));
	service_free(&c);
	/* An IPv6 HOSTIP, in brackets; it and an IPv4 one share a port. */
	CHECK(load(&c, SVC "[network]\nmode = bridge\npublish = [fd00::1]:8080:80/udp\npublish = 10.0.0.1:8080:80/udp\n") == 0 &&
	      c.net.n_publish == 2);
	CHECK(c.net.publish[0].proto == IPPROTO_UDP && c.net.publish[0].host_port == 8080 && c.net.publish[0].port == 80 &&
	      !strcmp(fmt(&c.net.publish[0].host_ip), "fd00::1"));
	CHECK(!net_publish_clash(&c.net.publish[0], &c.net.publish[1]));
	service_free(&c);
	/* host: the device's network namespace. */
	CHECK(load(&c, SVC "[network]\nmode = host\ndns = 1.1.1.1\n") == 0 && !c.spec.ns[NS_NET].wanted);
	service_free(&c);
	static const char *const bad[] = {
		SVC "[network]\nmode = nat\n",
		SVC "[network]\nmode = bridge\nbridge-address = 10.1.0.1/24\naddress = 10.2.0.5\n",	/* outside */
		SVC "[network]\nmode = bridge\nbridge-address = 10.1.0.1/24\naddress = 10.1.0.1\n",	/* the bridge's */
		SVC "[network]\nmode = bridge\nbridge-address = 10.1.0.1\n",			/* no prefix */
		SVC "[network]\nmode = bridge\naddress = 10.1.0.5/24\naddress = 10.1.0.5/24\n",		/* twice */
		SVC "[network]\nmode = bridge\naddress = 10.1.0.5/24\ngateway = 10.9.0.1\n",		/* unreachable */
		SVC "[network]\nmode = bridge\ngateway = 10.1.0.1\ngateway = 10.1.0.2\n",		/* two for a family */
		SVC "[network]\nmode = bridge\nparent = eth0\n",
		SVC "[network]\nmode = macvlan\naddress = 10.1.0.5/24\n",				/* no parent */
		SVC "[network]\nmode = macvlan\nparent = eth0\n",					/* no address */
		SVC "[network]\nmode = macvlan\nparent = eth0\naddress = 10.1.0.5\n",			/* no prefix */
		SVC "[network]\nmode = macvlan\nparent = eth0\naddress = 10.1.0.5/24\nmacvlan-mode = l2\n",
		SVC "[network]\nmode = ipvlan\nparent = eth0\naddress = 10.1.0.5/24\nmac = 02:00:00:00:00:01\n",
		SVC "[network]\nmode = ipvlan\nparent = eth0\naddress = 10.1.0.5/24\nmacvlan-mode = vepa\n",
		SVC "[network]\nmode = bridge\nparent = eth0/1\n",
		SVC "[network]\nmode = bridge\nbridge = a-very-long-bridge-name\n",
		SVC "[network]\nmode = none\naddress = 10.1.0.5/24\n",
		SVC "[network]\nmode = host\nmtu = 1400\n",
		SVC "[network]\nmode = bridge\nmtu = 10\n",
		SVC "[network]\nmode = bridge\nmac = ff:ff:ff:ff:ff:ff\n",
		SVC "[network]\nmode = bridge\ndns = 1.1.1.1/32\n",
		SVC "[network]\nmode = bridge\ndns-search = a b\n",
		SVC "[network]\nmode = bridge\nhosts = printer\n",
		SVC "[network]\nmode = bridge\nhosts = pr inter:10.0.0.1\n",
		SVC "[network]\nmode = bridge\nhosts = printer:10.0.0\n",
		SVC "[network]\nmode = bridge\nport = 80\n",
		SVC "[network]\nmode = bridge\npublish = 80\n",
		SVC "[network]\nmode = bridge\npublish = 0:80\n",
		SVC "[network]\nmode = bridge\npublish = 80:65536\n",
		SVC "[network]\nmode = bridge\npublish = 80:80/icmp\n",
		SVC "[network]\nmode = bridge\npublish = fd00::1:80:80\n",			/* no brackets */
		SVC "[network]\nmode = bridge\npublish = [10.0.0.1]:80:80\n",
		SVC "[network]\nmode = bridge\npublish = [fd00::1:80:80\n",
		SVC "[network]\nmode = bridge\npublish = [fd00::1]:80\n",
		SVC "[network]\nmode = bridge\npublish = [fd00::1]:1:2:3\n",
		SVC "[network]\nmode = bridge\npublish = [fd00::1/64]:80:80\n",
		SVC "[network]\nmode = bridge\npublish = 10.0.0.1/24:80:80\n",
		SVC "[network]\nmode = bridge\npublish = 80:80\npublish = 10.0.0.1:80:81\n",
		SVC "[network]\nmode = host\npublish = 80:80\n",
		SVC "[network]\nmode = bridge\nmode = macvlan\n",
		SVC "[container]\nnamespaces = mount pid\n[network]\nmode = bridge\n",	/* no netns of its own */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int r = try_load(bad[i]);
		if (r != -1)
			printf("  accepted: %s\n", bad[i]);
		CHECK(r == -1);
	}
}

static void test_leases(void)
{
	struct leases l;
	static const char text[] = "web 10.0.88.240\n# a comment\n\nclient 10.0.88.39\nbad\n../x 10.0.88.5\n"
				   "db 10.0.88.300\nnas fd00::9\ncut 10.0.88.7/24\nlast 10.0.88.8";
	CHECK(leases_parse(text, sizeof(text) - 1, &l) == 4 && l.n == 4);
	CHECK(!strcmp(l.v[0].name, "web") && !strcmp(l.v[3].name, "last") && l.v[2].ip.family == AF_INET6);
	struct net_addr subnet, out, again, bridge;
	net_addr_parse("10.0.88.1/24", &subnet);
	net_addr_parse("10.0.88.1", &bridge);
	CHECK(leases_find(&l, "web", &subnet) && !leases_find(&l, "nas", &subnet) && !leases_find(&l, "x", &subnet));
	/* The same name, the same address; never the bridge's, nor a taken one. */
	struct leases none = { 0 };
	CHECK(leases_choose(&none, "app", &subnet, &bridge, 1, &out) == 0 && out.prefix == 24 && net_addr_in(&subnet, &out));
	CHECK(leases_choose(&none, "app", &subnet, &bridge, 1, &again) == 0 && net_addr_equal(&out, &again));
	struct lease taken = { "other", out };
	struct leases one = { &taken, 1 };
	CHECK(leases_choose(&one, "app", &subnet, &bridge, 1, &again) == 0 && !net_addr_equal(&out, &again));
	/* A /30 has 2 hosts: the bridge's and one more; a /31 none. */
	net_addr_parse("10.9.0.1/30", &subnet);
	net_addr_parse("10.9.0.1", &bridge);
	CHECK(leases_choose(&none, "a", &subnet, &bridge, 1, &out) == 0 && !strcmp(fmt(&out), "10.9.0.2/30"));
	struct lease full = { "a", out };
	struct leases busy = { &full, 1 };
	CHECK(leases_choose(&busy, "b", &subnet, &bridge, 1, &out) == -1);
	net_addr_parse("10.9.0.0/31", &subnet);
	CHECK(leases_choose(&none, "a", &subnet, NULL, 0, &out) == -1);
	net_addr_parse("fd00:9::1/64", &subnet);
	CHECK(leases_choose(&none, "a", &subnet, NULL, 0, &out) == 0 && out.family == AF_INET6 && net_addr_in(&subnet, &out));
	leases_free(&l);
}

/* deps.c: unknown names and cycles, the rest untouched. */
struct refused {
	bool v[8];
	char why[8][600];
};
static bool skip_refused(size_t i, void *arg) { return ((struct refused *)arg)->v[i]; }
static void note_refused(size_t i, const char *why, void *arg)
{
	struct refused *r = arg;
	r->v[i] = true;
	snprintf(r->why[i], sizeof(r->why[i]), "%s", why);
}

static void test_deps(void)
{
	static const char *const texts[] = {
		SVC "requires = b\n",		/* a -> b -> c -> a */
		SVC "after = c\n",
		SVC "requires = a\n",
		SVC "requires = nope\n",	/* d: unknown */
		SVC "after = nope\n",		/* e: after an unknown one is fine */
		SVC "requires = e\nafter = a\n",	/* f: after a refused one is fine */
	};
	static const char *const names[] = { "a", "b", "c", "d", "e", "f" };
	struct service_conf c[6];
	const struct service_conf *p[6];
	bool loaded = true;
	for (int i = 0; i < 6; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/etc/berth/%s.conf", names[i]);
		loaded &= service_load_text(&c[i], texts[i], strlen(texts[i]), path) == 0;
		p[i] = &c[i];
	}
	CHECK(loaded);
	struct refused r = { 0 };
	deps_run(&(struct deps_check){ p, 6, skip_refused, note_refused, &r });
	CHECK(r.v[0] && r.v[1] && r.v[2] && r.v[3] && !r.v[4] && !r.v[5]);
	CHECK(!strcmp(r.why[0], "dependency cycle: a -> b -> c -> a") && !strcmp(r.why[2], r.why[0]));
	CHECK(!strcmp(r.why[3], "requires \"nope\", which has no service file"));
	for (int i = 0; i < 6; i++)
		service_free(&c[i]);
}

int main(void)
{
	test_deps();
	test_addr();
	test_mac_and_names();
	test_keys();
	test_leases();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

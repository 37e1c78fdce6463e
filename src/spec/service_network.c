/* SPDX-License-Identifier: Apache-2.0 */
/* The [network] section of a service file: how its container is wired to
 * the device's network (berth.conf(5)). Everything that can be known from
 * the file alone is checked here, so that `berth check` reports it with
 * the file and line; the rest (a parent link that is missing, an address
 * another service holds) is found when the service starts. */
#include <linux/if_link.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/spec/network.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "keys.h"

static const char *const mode_names[] = { "none", "host", "bridge", "macvlan", "ipvlan" };

static const struct {
	const char *name;
	int mode;
} macvlan_modes[] = {
	{ "bridge", MACVLAN_MODE_BRIDGE }, { "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA }, { "passthru", MACVLAN_MODE_PASSTHRU },
};

static int get_addr(struct key_ctx *k, const char *s, struct net_addr *a, bool prefix_ok)
{
	if (net_addr_parse(s, a) < 0)
		return KERR(k, "\"%s\" is not an IPv4 or IPv6 address%s", s, prefix_ok ? " (with an optional /prefix)" : "");
	if (!prefix_ok && a->prefix >= 0)
		return KERR(k, "\"%s\": expected an address without /prefix", s);
	a->line = k->e->line;
	return 0;
}

/* Append to one of the address lists, refusing a repeat. */
static int add_addr(struct key_ctx *k, struct net_addr **list, size_t *n, bool prefix_ok)
{
	struct net_addr a;
	if (*n == NET_MAX_ADDRS)
		return KERR(k, "at most %d", NET_MAX_ADDRS);
	if (get_addr(k, k->e->value, &a, prefix_ok) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (net_addr_equal(&(*list)[i], &a))
			return KERR(k, "%s given twice (first at line %d)", k->e->value, (*list)[i].line);
	*list = arena_grow(k->a, *list, *n, sizeof(**list));
	(*list)[(*n)++] = a;
	return 0;
}

static int get_ifname(struct key_ctx *k, const char **out)
{
	if (!net_ifname_ok(k->e->value))
		return KERR(k, "\"%s\" is not an interface name (1 to 15 characters, no '/', ':' or blank)", k->e->value);
	*out = k->e->value;
	return 0;
}

static int k_mode(struct key_ctx *k, struct net_conf *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(k->e->value, mode_names[i])) {
			n->mode = (enum net_mode)i;
			n->line = k->e->line;
			return 0;
		}
	return KERR(k, "\"%s\" is not a mode (none, host, bridge, macvlan, ipvlan)", k->e->value);
}

static int k_macvlan_mode(struct key_ctx *k, struct net_conf *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(macvlan_modes); i++)
		if (!strcmp(k->e->value, macvlan_modes[i].name)) {
			n->macvlan_mode = macvlan_modes[i].mode;
			return 0;
		}
	return KERR(k, "\"%s\" is not a macvlan mode (bridge, private, vepa, passthru)", k->e->value);
}

static int k_gateway(struct key_ctx *k, struct net_conf *n)
{
	struct net_addr a;
	if (get_addr(k, k->e->value, &a, false) < 0)
		return -1;
	for (size_t i = 0; i < n->n_gateways; i++)
		if (n->gateways[i].family == a.family)
			return KERR(k, "one gateway per address family (the other is at line %d)", n->gateways[i].line);
	n->gateways[n->n_gateways++] = a;
	return 0;
}

static int k_mtu(struct key_ctx *k, struct net_conf *n)
{
	int64_t v;
	if (parse_i64(k->e->value, &v) < 0 || v < 68 || v > 65535)
		return KERR(k, "\"%s\" is not an MTU from 68 to 65535", k->e->value);
	n->mtu = (int)v;
	return 0;
}

static int k_mac(struct key_ctx *k, struct net_conf *n)
{
	if (net_mac_parse(k->e->value, n->mac) < 0)
		return KERR(k, "\"%s\" is not a unicast MAC address (02:00:00:00:00:01)", k->e->value);
	n->has_mac = true;
	return 0;
}

/* A name as resolv.conf and /etc/hosts hold them: letters, digits, '-',
 * '.', '_' (no blank, which would start the next field). */
static bool hostname_ok(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
		    !strchr("-._", *s))
			return false;
	return true;
}

static int k_dns_search(struct key_ctx *k, struct net_conf *n)
{
	if (!hostname_ok(k->e->value))
		return KERR(k, "\"%s\" is not a domain name", k->e->value);
	n->dns_search = arena_vec_add(k->a, n->dns_search, k->e->value);
	return 0;
}

/* hosts = NAME:IP (an IPv6 address has colons of its own: the name ends
 * at the first). */
static int k_hosts(struct key_ctx *k, struct net_conf *n)
{
	char *name = arena_strdup(k->a, k->e->value);
	char *ip = strchr(name, ':');
	if (!ip)
		return KERR(k, "\"%s\": expected NAME:IP", k->e->value);
	*ip++ = 0;
	if (!hostname_ok(name))
		return KERR(k, "\"%s\" is not a host name", name);
	n->hosts = arena_grow(k->a, n->hosts, n->n_hosts, sizeof(*n->hosts));
	struct net_host *h = &n->hosts[n->n_hosts];
	h->name = name;
	if (get_addr(k, ip, &h->ip, false) < 0)
		return -1;
	n->n_hosts++;
	return 0;
}

#ifdef CONFIG_NET_PUBLISH
static int get_port(const char *s, uint16_t *port)
{
	int64_t v;
	if (parse_i64(s, &v) < 0 || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* publish = [HOSTIP:]HOSTPORT:PORT[/tcp|udp], an IPv6 HOSTIP in brackets
 * as in a URL: [fd00::1]:8080:80; publish = none publishes nothing, not
 * even the image's ExposedPorts. The file's lines replace the image's. */
static int k_publish(struct key_ctx *k, struct net_conf *n)
{
	bool none = !strcmp(k->e->value, "none");
	if (n->n_publish && n->publish[0].exposed)
		n->n_publish = 0;
	if (none ? n->n_publish != 0 : n->publish_none != 0)
		return KERR(k, "publish = none and a port (line %d): give one",
			    none ? n->publish[0].line : n->publish_none);
	if (none) {
		n->publish_none = k->e->line;
		return 0;
	}
	char *v = arena_strdup(k->a, k->e->value);
	struct net_publish p = { .proto = IPPROTO_TCP, .line = k->e->line };
	char *slash = strrchr(v, '/');
	if (slash && !strchr(slash, ':')) {	/* not an address's prefix */
		*slash++ = 0;
		if (!strcmp(slash, "udp"))
			p.proto = IPPROTO_UDP;
		else if (strcmp(slash, "tcp"))
			return KERR(k, "\"%s\": the protocol is tcp or udp", k->e->value);
	}
	char *ports = v, *host = NULL;
	if (*v == '[') {
		char *close = strchr(v, ']');
		if (!close || close[1] != ':')
			return KERR(k, "\"%s\": expected [IPV6]:HOSTPORT:PORT", k->e->value);
		*close = 0;
		host = v + 1;
		ports = close + 2;
	}
	char *last = strrchr(ports, ':');
	if (!last)
		return KERR(k, "\"%s\": expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]", k->e->value);
	*last = 0;
	char *host_port = ports, *colon;
	if (!host && (colon = strrchr(ports, ':'))) {
		*colon = 0;
		host = ports;
		host_port = colon + 1;
	}
	if (strchr(host_port, ':'))
		return KERR(k, "\"%s\": expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]", k->e->value);
	if (host && (net_addr_parse(host, &p.host_ip) < 0 || p.host_ip.prefix >= 0 ||
		     (p.host_ip.family == AF_INET6) != (*v == '[')))
		return KERR(k, "\"%s\" is not an address of the device (IPv4, or IPv6 in brackets)", host);
	if (get_port(host_port, &p.host_port) < 0 || get_port(last + 1, &p.port) < 0)
		return KERR(k, "\"%s\": ports are numbers from 1 to 65535", k->e->value);
	for (size_t i = 0; i < n->n_publish; i++)
		if (net_publish_clash(&n->publish[i], &p))
			return KERR(k, "port %u/%s is published already (line %d)", p.host_port, net_proto_name(p.proto),
				    n->publish[i].line);
	n->publish = arena_grow(k->a, n->publish, n->n_publish, sizeof(*n->publish));
	n->publish[n->n_publish++] = p;
	return 0;
}

int network_expose(struct service_conf *c, const char *port, int line)
{
	struct net_conf *n = &c->net;
	struct net_publish p = { .proto = IPPROTO_TCP, .line = line, .exposed = true };
	char num[8];
	size_t len = strcspn(port, "/");
	const char *proto = port[len] ? port + len + 1 : "tcp";
	if (!strcmp(proto, "sctp")) {
		log_warn("%s:%d: image: ExposedPorts \"%s\": berth publishes tcp and udp only", c->file, line, port);
		return 0;
	}
	if (!strcmp(proto, "udp"))
		p.proto = IPPROTO_UDP;
	else if (strcmp(proto, "tcp"))
		return -1;
	if (len >= sizeof(num))
		return -1;
	memcpy(num, port, len);
	num[len] = '\0';
	if (get_port(num, &p.port) < 0)
		return -1;
	p.host_port = p.port;
	for (size_t i = 0; i < n->n_publish; i++)
		if (net_publish_clash(&n->publish[i], &p))
			return 0;	/* "80" and "80/tcp" */
	n->publish = arena_grow(&c->spec.arena, n->publish, n->n_publish, sizeof(*n->publish));
	n->publish[n->n_publish++] = p;
	return 0;
}
#endif

/* The keys, as service_keys.c's table names them. */
int k_net_mode(struct key_ctx *k) { return k_mode(k, &k->c->net); }
int k_net_bridge(struct key_ctx *k) { return get_ifname(k, &k->c->net.bridge); }
int k_net_bridge_address(struct key_ctx *k) { return add_addr(k, &k->c->net.bridge_addrs, &k->c->net.n_bridge_addrs, true); }
int k_net_parent(struct key_ctx *k) { return get_ifname(k, &k->c->net.parent); }
int k_net_macvlan_mode(struct key_ctx *k) { return k_macvlan_mode(k, &k->c->net); }
int k_net_address(struct key_ctx *k) { return add_addr(k, &k->c->net.addrs, &k->c->net.n_addrs, true); }
int k_net_gateway(struct key_ctx *k) { return k_gateway(k, &k->c->net); }
int k_net_mtu(struct key_ctx *k) { return k_mtu(k, &k->c->net); }
int k_net_mac(struct key_ctx *k) { return k_mac(k, &k->c->net); }
int k_net_dns(struct key_ctx *k) { return add_addr(k, &k->c->net.dns, &k->c->net.n_dns, false); }
int k_net_dns_search(struct key_ctx *k) { return k_dns_search(k, &k->c->net); }
int k_net_hosts(struct key_ctx *k) { return k_hosts(k, &k->c->net); }
#ifdef CONFIG_NET_PUBLISH
int k_net_publish(struct key_ctx *k) { return k_publish(k, &k->c->net); }
#endif

/* "file:line: key: ..." for a check made once the whole file is read. */
static int line_error(const struct service_conf *c, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int line_error(const struct service_conf *c, int line, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return log_error("%s:%d: %s: %s", c->file, line, key, msg);
}

static int check_bridge(struct service_conf *c, struct net_conf *n)
{
	char b[NET_ADDR_STRLEN];
	if (!n->bridge)
		n->bridge = NET_DEFAULT_BRIDGE;
	for (size_t i = 0; i < n->n_bridge_addrs; i++)
		if (n->bridge_addrs[i].prefix < 0)
			return line_error(c, n->bridge_addrs[i].line, "bridge-address", "%s: the bridge's subnet needs its /prefix",
				    net_addr_format(&n->bridge_addrs[i], false, b));
	/* An address must lie in a subnet of the bridge, when the file says
	 * which (else the bridge is the device's, found at start). */
	for (size_t i = 0; i < n->n_addrs; i++) {
		struct net_addr *a = &n->addrs[i];
		const struct net_addr *in = NULL;
		for (size_t j = 0; j < n->n_bridge_addrs && !in; j++)
			if (net_addr_in(&n->bridge_addrs[j], a))
				in = &n->bridge_addrs[j];
		if (n->n_bridge_addrs && !in)
			return line_error(c, a->line, "address", "%s is outside the bridge's subnets (bridge-address)",
				    net_addr_format(a, true, b));
		if (in && net_addr_equal(in, a))
			return line_error(c, a->line, "address", "%s is the bridge's own address", net_addr_format(a, false, b));
		if (in && a->prefix < 0)
			a->prefix = in->prefix;
	}
	return 0;
}

static int check_vlan(struct service_conf *c, struct net_conf *n)
{
	const char *what = n->mode == NET_MACVLAN ? "macvlan" : "ipvlan";
	if (!n->parent)
		return line_error(c, n->line, "mode", "%s needs parent = IFACE (the link it sits on)", what);
	if (!n->n_addrs)
		return line_error(c, n->line, "mode", "%s needs address = CIDR (berth allocates addresses on its bridges only)",
			    what);
	for (size_t i = 0; i < n->n_addrs; i++)
		if (n->addrs[i].prefix < 0)
			return line_error(c, n->addrs[i].line, "address", "%s needs its /prefix on a %s link",
				    n->addrs[i].family == AF_INET ? "an IPv4 address" : "an IPv6 address", what);
	if (n->mode == NET_IPVLAN && n->has_mac)
		return log_error("%s: mac: an ipvlan link has its parent's MAC address", c->file);
	/* The parent may come later (a USB adapter, a driver loaded late):
	 * the service waits for it, as with wait-for = link:IFACE. */
	for (size_t i = 0; i < c->n_wait_for; i++)
		if (c->wait_for[i].kind == WAIT_LINK && !strcmp(c->wait_for[i].arg, n->parent))
			return 0;
	c->wait_for = arena_grow(&c->spec.arena, c->wait_for, c->n_wait_for, sizeof(*c->wait_for));
	c->wait_for[c->n_wait_for++] = (struct wait_cond){ WAIT_LINK, n->parent };
	return 0;
}

int network_finish(struct service_conf *c)
{
	struct net_conf *n = &c->net;
	bool wired = net_wired(n);
	/* The image's ports are published from a bridge only: on the host's
	 * network or a link of its own, the container is reached as it is. */
	if (n->mode != NET_BRIDGE && n->n_publish && n->publish[0].exposed)
		n->n_publish = 0;
	const char *misplaced = !wired && n->n_addrs ? "address" : !wired && n->n_gateways ? "gateway"
		: !wired && n->mtu ? "mtu" : !wired && n->has_mac ? "mac"
		: n->mode != NET_BRIDGE && n->bridge ? "bridge" : n->mode != NET_BRIDGE && n->n_bridge_addrs ? "bridge-address"
		: n->mode != NET_MACVLAN && n->mode != NET_IPVLAN && n->parent ? "parent"
		: n->mode != NET_MACVLAN && n->macvlan_mode ? "macvlan-mode"
		: n->mode != NET_BRIDGE && n->n_publish ? "publish" : NULL;
	if (misplaced)
		return log_error("%s: [network]: %s: not used by mode = %s", c->file, misplaced, mode_names[n->mode]);
	if (n->mode == NET_HOST) {
		c->spec.ns[NS_NET].wanted = false;
		c->spec.ns[NS_NET].path = NULL;
	} else if (!c->spec.ns[NS_NET].wanted || c->spec.ns[NS_NET].path) {
		if (n->line || n->n_dns || n->n_hosts || n->dns_search)
			return log_error("%s: [network] needs a network namespace of the container's own "
					 "(namespaces = ... network), or mode = host", c->file);
		return 0;	/* the device's network, as the file's namespaces say */
	}
	for (size_t i = 0; i < n->n_gateways; i++) {
		bool reachable = n->mode == NET_BRIDGE && !n->n_addrs;	/* allocated in the bridge's subnet */
		for (size_t j = 0; j < n->n_addrs && !reachable; j++)
			reachable = n->addrs[j].family == n->gateways[i].family &&
				    (n->addrs[j].prefix < 0 || net_addr_in(&n->addrs[j], &n->gateways[i]));
		char b[NET_ADDR_STRLEN];
		if (!reachable)
			return line_error(c, n->gateways[i].line, "gateway", "%s is not in the subnet of any address",
				    net_addr_format(&n->gateways[i], false, b));
	}
	if (n->mode == NET_BRIDGE)
		return check_bridge(c, n);
	if (n->mode == NET_MACVLAN || n->mode == NET_IPVLAN) {
		if (!n->macvlan_mode)
			n->macvlan_mode = MACVLAN_MODE_BRIDGE;
		return check_vlan(c, n);
	}
	return 0;
}

/* What two files of one directory ask for that only one may have: an
 * address on a bridge, a published port. Reported against the later. */
int service_network_clash(const struct service_conf *a, const struct service_conf *b)
{
	const struct net_conf *x = &a->net, *y = &b->net;
	char buf[NET_ADDR_STRLEN];
	if (x->mode == NET_BRIDGE && y->mode == NET_BRIDGE && !strcmp(x->bridge, y->bridge))
		for (size_t i = 0; i < y->n_addrs; i++)
			for (size_t j = 0; j < x->n_addrs; j++)
				if (net_addr_equal(&y->addrs[i], &x->addrs[j]))
					return line_error(b, y->addrs[i].line, "address", "%s is service %s's too (%s:%d)",
							  net_addr_format(&y->addrs[i], false, buf), a->name, a->file,
							  x->addrs[j].line);
	for (size_t i = 0; i < y->n_publish; i++)
		for (size_t j = 0; j < x->n_publish; j++)
			if (net_publish_clash(&y->publish[i], &x->publish[j]))
				return line_error(b, y->publish[i].line, y->publish[i].exposed ? "image" : "publish",
						  "port %u/%s%s is published by service %s too (%s:%d)%s",
						  y->publish[i].host_port, net_proto_name(y->publish[i].proto),
						  y->publish[i].exposed ? " (its ExposedPorts)" : "", a->name, a->file,
						  x->publish[j].line,
						  y->publish[i].exposed ? ": publish = in [network] replaces them" : "");
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* A service's container on the network, set up by the supervisor's
 * starter between creating the container and starting it, over
 * rtnetlink, with no other program:
 *   bridge:  a veth pair, one end enslaved to the bridge (made, with its
 *            address, and brought up if absent), the other moved into
 *            the container as eth0;
 *   macvlan, ipvlan: a link on the parent, made in the container as eth0;
 * then, inside: lo up, the MAC, the addresses, the default routes.
 * Everything in the container's namespace goes with it; the host's end
 * of a veth pair goes with its peer. What stays: the bridge (shared by
 * services) and the leases (kept on purpose). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>
#include "berth/linux/mountopts.h"
#include "berth/linux/netlink.h"
#include "berth/linux/nftables.h"
#include "berth/runtime/leases.h"
#include "berth/runtime/network.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* The host's end of a service's veth pair: "b-NAME", or, for a name too
 * long for an interface, its start and a hash of the whole. The same
 * name each time, so that an end left by a container that is still
 * being torn down is found and removed. */
static void host_link_name(const char *name, char out[16])
{
	if (strlen(name) <= 13)
		snprintf(out, 16, "b-%s", name);
	else
		snprintf(out, 16, "b-%.5s%08x", name, (unsigned)net_name_hash(name));
}

static int ensure_bridge(struct nl *nl, const struct net_conf *n, int *index)
{
	bool made = false;
	*index = nl_link_index(nl, n->bridge);
	if (*index < 0)
		return -1;
	if (!*index) {
		struct nl_link l = { .name = n->bridge, .kind = "bridge", .peer_netns_fd = -1, .netns_fd = -1 };
		int r = nl_link_add(nl, &l);
		if (r < 0 && errno != EEXIST)	/* EEXIST: another starter made it meanwhile */
			return -1;
		made = r == 0;
		if ((*index = nl_link_index(nl, n->bridge)) <= 0)
			return log_error("network: bridge %s: gone after it was made", n->bridge);
	}
	struct net_addr def;
	const struct net_addr *addrs = n->bridge_addrs;
	size_t count = n->n_bridge_addrs;
	if (!count && made && !strcmp(n->bridge, NET_DEFAULT_BRIDGE)) {
		net_addr_parse(NET_DEFAULT_BRIDGE_ADDR, &def);
		addrs = &def;
		count = 1;
	}
	for (size_t i = 0; i < count; i++)
		if (nl_addr_add(nl, *index, &addrs[i], false) < 0)
			return -1;
	return nl_link_set(nl, *index, n->bridge, &(struct nl_link_change){ .up = true });
}

/* The subnets of the bridge (its own addresses), per family. */
static int bridge_subnets(struct nl *nl, int index, struct net_addr *out, size_t max)
{
	int v4 = nl_addr_list(nl, index, AF_INET, out, max);
	int v6 = v4 < 0 ? -1 : nl_addr_list(nl, index, AF_INET6, out + v4, max - (size_t)v4);
	return v6 < 0 ? -1 : v4 + v6;
}

static void add_hosts_line(char *buf, size_t cap, size_t *len, const struct net_addr *ip, const char *name)
{
	char b[NET_ADDR_STRLEN];
	int k = snprintf(buf + *len, *len < cap ? cap - *len : 0, "%s\t%s\n", net_addr_format(ip, false, b), name);
	if (k > 0)
		*len += (size_t)k;
}

/* name's own addresses, the other services' on its bridge, hosts = lines. */
static char *hosts_text(const struct net_conf *n, const char *name, const char *hostname, const struct net_plan *p,
			const struct leases *all, size_t *len)
{
	size_t cap = 256 + (p->n_addrs + n->n_hosts + all->n) * (NET_ADDR_STRLEN + 260);
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	*len = (size_t)snprintf(buf, cap, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (size_t i = 0; i < p->n_addrs; i++) {
		add_hosts_line(buf, cap, len, &p->addrs[i], name);
		if (hostname && strcmp(hostname, name))
			add_hosts_line(buf, cap, len, &p->addrs[i], hostname);
	}
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->v[i].name, name))
			add_hosts_line(buf, cap, len, &all->v[i].ip, all->v[i].name);
	for (size_t i = 0; i < n->n_hosts; i++)
		add_hosts_line(buf, cap, len, &n->hosts[i].ip, n->hosts[i].name);
	if (*len >= cap)
		*len = cap - 1;
	return buf;
}

static char *resolv_text(const struct net_conf *n, size_t *len)
{
	size_t cap = 64 + n->n_dns * (NET_ADDR_STRLEN + 16);
	for (const char *const *s = n->dns_search; s && *s; s++)
		cap += strlen(*s) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n->n_dns; i++) {
		char b[NET_ADDR_STRLEN];
		k += (size_t)snprintf(buf + k, cap - k, "nameserver %s\n", net_addr_format(&n->dns[i], false, b));
	}
	if (n->dns_search) {
		k += (size_t)snprintf(buf + k, cap - k, "search");
		for (const char *const *s = n->dns_search; *s; s++)
			k += (size_t)snprintf(buf + k, cap - k, " %s", *s);
		k += (size_t)snprintf(buf + k, cap - k, "\n");
	}
	*len = k;
	return buf;
}

/* files_dir/NAME.WHAT, written, and bind-mounted read-only on dest. */
static int mount_file(struct spec *spec, const char *files_dir, const char *name, const char *what, const char *dest,
		      char *text, size_t len)
{
	char *path = arena_printf(&spec->arena, "%s/%s.%s", files_dir, name, what);
	if (!text || mkdir_p(files_dir, 0755) < 0 || write_file(path, text, len, 0644) < 0) {
		int e = errno;
		free(text);
		errno = e;
		return log_error("network: %s: %m", path);
	}
	free(text);
	spec->mounts = arena_grow(&spec->arena, spec->mounts, spec->n_mounts, sizeof(*spec->mounts));
	struct spec_mount *m = &spec->mounts[spec->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = dest;
	m->source = path;
	m->bind = true;
	return mountopt_apply(m, &spec->arena, "ro", path);
}

/* A device that turns IPv6 forwarding on becomes a router, and a router
 * ignores router advertisements on links whose accept_ra is 1: the
 * device would lose the address and route its LAN's router gives it.
 * Those links (and the default for new ones) get 2, which takes them
 * while forwarding, so that the device stays a host on its own links. */
static void keep_router_advertisements(void)
{
	DIR *d = opendir("/proc/sys/net/ipv6/conf");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300];
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra", e->d_name);
		char *v = e->d_name[0] == '.' ? NULL : read_file(path, NULL);
		if (v && !strcmp(v, "1\n") && write_kernel_file(path, "2", 1) < 0)
			log_warn("network: %s: %m (router advertisements are ignored there while forwarding)", path);
		free(v);
	}
	if (d)
		closedir(d);
}

/* Whether the family's forwarding was off: then berth turns it on for its
 * bridges only (*guard: the device's other links stay unrouted, by a
 * forward chain of its own, policy drop); a device that routes already
 * keeps its own rules. */
static const char *forwarding_file(int af)
{
	return af == AF_INET6 ? "/proc/sys/net/ipv6/conf/all/forwarding" : "/proc/sys/net/ipv4/ip_forward";
}

static bool forwarding_off(int af)
{
	char *was = read_file(forwarding_file(af), NULL);
	bool off = !was || was[0] != '1';
	free(was);
	return off;
}

/* Past the bridge, for each family it has a subnet of: what leaves the
 * bridge's subnet for another link masqueraded (a table per bridge and
 * family, made once a boot), then forwarding on. Starters run side by
 * side: under a lock, so that one that finds forwarding on also finds
 * the guard the one that turned it on made (or it would leave its own
 * bridge out of the guard, and its traffic dropped); the guard is made
 * before forwarding goes on, so a starter killed in between leaves
 * forwarding off, for the next one to see. */
static int bridge_outbound(const struct net_conf *n, const struct net_addr *subnets, size_t n_subnets,
			   const char *files_dir)
{
	char lock[4200];
	snprintf(lock, sizeof(lock), "%s/outbound.lock", files_dir);
	int lfd = mkdir_p(files_dir, 0755) < 0 ? -1 : openat(AT_FDCWD, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		int r = log_error("network: %s: %m", lock);
		if (lfd >= 0)
			close(lfd);
		return r;
	}
	bool done[2] = { false, false };
	int r = 0;
	for (size_t i = 0; i < n_subnets && r == 0; i++) {
		int af = subnets[i].family;
		if (done[af == AF_INET6])
			continue;
		done[af == AF_INET6] = true;
		char table[64];
		snprintf(table, sizeof(table), "berth-bridge-%s", n->bridge);
		bool off = forwarding_off(af);
		bool guard = off || nft_table_exists(af, NFT_FORWARD_TABLE) == 1;
		r = nft_masquerade(table, &subnets[i], n->bridge, guard);
		if (r == 0 && off && af == AF_INET6)
			keep_router_advertisements();
		if (r == 0 && off && write_kernel_file(forwarding_file(af), "1", 1) < 0)
			r = log_error("network: %s: %m", forwarding_file(af));
	}
	close(lfd);	/* and with it the lock */
	return r;
}

static void publish_table(const char *name, char *out, size_t cap) { snprintf(out, cap, "berth-svc-%s", name); }

/* The service's ports, to its first address of each family: an IPv4
 * and an IPv6 rule for a port without HOSTIP, where it has both. */
static int publish_ports(const struct net_conf *n, const char *name, const struct net_plan *p)
{
	const struct net_addr *to[2] = { NULL, NULL };
	for (size_t i = p->n_addrs; i-- > 0;)
		to[p->addrs[i].family == AF_INET6] = &p->addrs[i];
	struct nft_dnat d[2 * 64];
	size_t k = 0;
	if (n->n_publish > ARRAY_SIZE(d) / 2)
		return log_error("network: at most %zu publish lines", ARRAY_SIZE(d) / 2);
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct net_publish *u = &n->publish[i];
		size_t before = k;
		for (int six = 0; six < 2; six++)
			if (to[six] && (!u->host_ip.family || (u->host_ip.family == AF_INET6) == six))
				d[k++] = (struct nft_dnat){ u->proto, u->host_ip.family ? &u->host_ip : NULL, u->host_port,
							    to[six], u->port };
		if (k == before) {
			char b[NET_ADDR_STRLEN];
			return log_error("network: publish on %s: the container has no %s address",
					 net_addr_format(&u->host_ip, false, b), u->host_ip.family == AF_INET6 ? "IPv6" : "IPv4");
		}
	}
	char table[300];
	publish_table(name, table, sizeof(table));
	return nft_publish(table, d, k);
}

/* The addresses on a bridge: the file's (each in a subnet of the
 * bridge), else one allocated per family the bridge has a subnet of;
 * both recorded in the leases, which *all gets. */
static int bridge_addresses(const struct net_conf *n, const char *name, const char *lease_dir,
			    const struct net_addr *subnets, size_t n_subnets, struct net_plan *p, struct leases *all)
{
	char b[NET_ADDR_STRLEN];
	for (size_t i = 0; i < n->n_addrs; i++) {
		const struct net_addr *in = NULL;
		for (size_t j = 0; j < n_subnets && !in; j++)
			if (net_addr_in(&subnets[j], &n->addrs[i]))
				in = &subnets[j];
		if (!in)
			return log_error("network: address %s is not in a subnet of bridge %s",
					 net_addr_format(&n->addrs[i], true, b), n->bridge);
		leases_free(all);
		if (lease_take(lease_dir, n->bridge, name, in, subnets, n_subnets, &n->addrs[i], &p->addrs[p->n_addrs],
			       all) < 0)
			return -1;
		p->addrs[p->n_addrs++].prefix = in->prefix;
	}
	for (int fam = 0; fam < 2 && !n->n_addrs; fam++) {
		const struct net_addr *in = NULL;
		for (size_t j = 0; j < n_subnets && !in; j++)
			if (subnets[j].family == (fam ? AF_INET6 : AF_INET))
				in = &subnets[j];
		if (!in)
			continue;
		leases_free(all);
		if (lease_take(lease_dir, n->bridge, name, in, subnets, n_subnets, NULL, &p->addrs[p->n_addrs], all) < 0)
			return -1;
		p->n_addrs++;
	}
	if (!p->n_addrs)
		return log_error("network: bridge %s has no address to allocate from (bridge-address = CIDR)", n->bridge);
	/* The default routes: the file's gateways, else the bridge itself. */
	for (size_t i = 0; i < p->n_addrs && !n->n_gateways; i++) {
		bool have = false;
		for (size_t g = 0; g < p->n_gateways; g++)
			have |= p->gateways[g].family == p->addrs[i].family;
		for (size_t j = 0; j < n_subnets && !have; j++)
			if (net_addr_in(&subnets[j], &p->addrs[i])) {
				p->gateways[p->n_gateways++] = subnets[j];
				have = true;
			}
	}
	return 0;
}

int network_prepare(const struct net_conf *n, const char *name, struct spec *spec, const char *files_dir,
		    const char *lease_dir, struct net_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->own_netns = spec->ns[NS_NET].wanted && !spec->ns[NS_NET].path;
	struct leases all = { 0 };
	bool wired = net_wired(n);
	if (wired) {
		struct nl nl;
		if (nl_open(&nl) < 0)
			return -1;
		int r = 0;
		if (n->mode == NET_BRIDGE) {
			struct net_addr subnets[2 * NET_MAX_ADDRS];
			int k;
			r = ensure_bridge(&nl, n, &p->bridge_index);
			if (r == 0 && (k = bridge_subnets(&nl, p->bridge_index, subnets, ARRAY_SIZE(subnets))) < 0)
				r = -1;
			if (r == 0)
				r = bridge_addresses(n, name, lease_dir, subnets, (size_t)k, p, &all);
			if (r == 0 && ENABLE_NET_PUBLISH)
				r = bridge_outbound(n, subnets, (size_t)k, files_dir);
		} else {
			p->parent_index = nl_link_index(&nl, n->parent);
			if (p->parent_index == 0)
				r = log_error("network: parent link %s does not exist", n->parent);
			if (p->parent_index < 0)
				r = -1;
			memcpy(p->addrs, n->addrs, n->n_addrs * sizeof(*n->addrs));
			p->n_addrs = n->n_addrs;
		}
		nl_close(&nl);
		if (r < 0) {
			leases_free(&all);
			return -1;
		}
	}
	for (size_t g = 0; g < n->n_gateways; g++)
		p->gateways[p->n_gateways++] = n->gateways[g];
	size_t len = 0;
	int r = 0;
	if (wired || n->n_hosts) {
		char *text = hosts_text(n, name, spec->hostname, p, &all, &len);
		r = mount_file(spec, files_dir, name, "hosts", "/etc/hosts", text, len);
	}
	if (r == 0 && (n->n_dns || n->dns_search)) {
		char *text = resolv_text(n, &len);
		r = mount_file(spec, files_dir, name, "resolv.conf", "/etc/resolv.conf", text, len);
	}
	if (r == 0 && p->n_addrs) {	/* for a supervisor that adopts it */
		char text[NET_DESCRIBE_LEN];
		char *path = arena_printf(&spec->arena, "%s/%s.addresses", files_dir, name);
		network_describe(p, text, sizeof(text));
		if (!path || write_file(path, text, strlen(text), 0644) < 0)
			r = log_error("network: %s: %m", path ? path : "out of memory");
	}
	leases_free(&all);
	return r;
}

/* The links of the container's side, through a socket made in its
 * namespace. */
static int configure_inside(struct nl *in, const struct net_conf *n, const char *name, const struct net_plan *p)
{
	int lo = nl_link_index(in, "lo");
	if (lo <= 0 || nl_link_set(in, lo, "lo", &(struct nl_link_change){ .up = true }) < 0)
		return lo == 0 ? log_error("network: the container has no lo") : -1;
	if (!net_wired(n))
		return 0;
	int eth = nl_link_index(in, "eth0");
	if (eth <= 0)
		return eth == 0 ? log_error("network: eth0 did not reach the container") : -1;
	uint8_t mac[6];
	if (n->mode != NET_IPVLAN) {
		if (n->has_mac)
			memcpy(mac, n->mac, 6);
		else
			net_mac_from_name(name, mac);
		if (nl_link_set(in, eth, "eth0", &(struct nl_link_change){ .mac = mac }) < 0)
			return -1;
	}
	if (nl_link_set(in, eth, "eth0", &(struct nl_link_change){ .up = true }) < 0)
		return -1;
	for (size_t i = 0; i < p->n_addrs; i++)
		if (nl_addr_add(in, eth, &p->addrs[i], true) < 0)
			return -1;
	for (size_t i = 0; i < p->n_gateways; i++)
		if (nl_route_default(in, eth, &p->gateways[i]) < 0)
			return -1;
	return 0;
}

/* The veth pair or the vlan link, made from the host's side with its
 * container end straight in the container's namespace. */
static int make_link(const struct net_conf *n, const char *name, int nsfd, const struct net_plan *p)
{
	struct nl nl;
	if (nl_open(&nl) < 0)
		return -1;
	int r;
	if (n->mode == NET_BRIDGE) {
		char host[16];
		host_link_name(name, host);
		struct nl_link l = { .name = host, .kind = "veth", .peer = "eth0", .peer_netns_fd = nsfd,
				     .netns_fd = -1, .mtu = n->mtu };
		r = nl_link_del(&nl, host);	/* the end of a container still being torn down */
		if (r == 0 && (r = nl_link_add(&nl, &l)) < 0 && errno == EEXIST)
			r = log_error("network: link %s exists (another service's name starts the same way?)", host);
		int index = r < 0 ? -1 : nl_link_index(&nl, host);
		if (r == 0)
			r = index <= 0 ? -1
			    : nl_link_set(&nl, index, host, &(struct nl_link_change){ .master = p->bridge_index, .up = true });
	} else {
		struct nl_link l = { .name = "eth0", .kind = n->mode == NET_MACVLAN ? "macvlan" : "ipvlan",
				     .parent = p->parent_index, .netns_fd = nsfd, .peer_netns_fd = -1, .mtu = n->mtu,
				     .mode = n->mode == NET_MACVLAN ? n->macvlan_mode : IPVLAN_MODE_L2 };
		/* A link hands its frames to one kind of upper link: macvlan's,
		 * ipvlan's or a bridge's, and the kernel says only "busy". */
		if ((r = nl_link_add(&nl, &l)) < 0 && errno == EBUSY)
			r = log_error("network: parent link %s has another kind of link on it (macvlan and ipvlan "
				      "links, and a bridge's ports, do not share a parent)", n->parent);
	}
	nl_close(&nl);
	return r;
}

int network_attach(const struct net_conf *n, const char *name, pid_t pid, const struct net_plan *p)
{
	if (!p->own_netns)
		return 0;
	bool wired = net_wired(n);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int nsfd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC), self = openat(AT_FDCWD, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || self < 0) {
		log_error("network: %s: %m", nsfd < 0 ? path : "/proc/self/ns/net");
		goto fail;
	}
	if (wired && make_link(n, name, nsfd, p) < 0)
		goto fail;
	/* A socket made inside talks to that namespace for its life. */
	struct nl in = { -1, 0 };
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		log_error("network: entering the container's network namespace: %m");
		goto fail;
	}
	int r = nl_open(&in);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Nothing this process does after may happen in the wrong one. */
		log_error("network: back to the host's network namespace: %m");
		_exit(1);
	}
	if (r == 0)
		r = configure_inside(&in, n, name, p);
	nl_close(&in);
	if (r == 0 && n->n_publish)
		r = publish_ports(n, name, p);
	close(nsfd);
	close(self);
	return wired ? r : 0;
fail:
	if (nsfd >= 0)
		close(nsfd);
	if (self >= 0)
		close(self);
	/* lo alone (mode = none) is a courtesy: a supervisor without the
	 * privilege to enter the namespace still starts the service. */
	return wired ? -1 : 0;
}

void network_describe(const struct net_plan *p, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < p->n_addrs && len < cap; i++) {
		char a[NET_ADDR_STRLEN];
		int w = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", net_addr_format(&p->addrs[i], true, a));
		len += w > 0 ? (size_t)w : 0;
	}
}

char *network_recorded(const char *files_dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.addresses", files_dir, name);
	char *text = read_file(path, NULL);
	if (text && !text[0]) {
		free(text);
		text = NULL;
	}
	return text;
}

void network_forget(const struct net_conf *n, const char *files_dir, const char *name)
{
	if (n->n_publish) {
		char table[300];
		publish_table(name, table, sizeof(table));
		nft_drop(table);
	}
	static const char *const what[] = { "hosts", "resolv.conf", "addresses" };
	for (size_t i = 0; i < ARRAY_SIZE(what); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.%s", files_dir, name, what[i]);
		unlink(path);
	}
}

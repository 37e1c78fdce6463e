/* SPDX-License-Identifier: Apache-2.0 */
/* A service's network: the [network] section of its file (berth.conf(5)).
 * The OCI runtime stays network-agnostic, as runc is; the supervisor sets
 * this up between creating a service's container and starting it. */
#ifndef BERTH_SPEC_NETWORK_H
#define BERTH_SPEC_NETWORK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* none: a namespace of its own with lo only; host: the device's. */
enum net_mode { NET_NONE, NET_HOST, NET_BRIDGE, NET_MACVLAN, NET_IPVLAN };

/* An IPv4 or IPv6 address, with a prefix length (-1: none given). */
struct net_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t ip[16];		/* network byte order; 4 bytes for AF_INET */
	int prefix;
	int line;		/* where the service file gave it (0: not from a file) */
};

struct net_host {
	const char *name;
	struct net_addr ip;
};

#define NET_MAX_ADDRS 8

/* publish = [HOSTIP:]HOSTPORT:PORT[/tcp|udp] */
struct net_publish {
	int proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	struct net_addr host_ip;	/* family 0: any address of the device */
	uint16_t host_port, port;
	int line;
	bool exposed;			/* the image's ExposedPorts: a default that publish = replaces */
};

struct net_conf {
	enum net_mode mode;
	const char *bridge;		/* NET_BRIDGE: its name (default "berth0") */
	/* Address lists (at most NET_MAX_ADDRS each) are in the arena: most
	 * services have none, and a supervisor keeps each service's. */
	struct net_addr *bridge_addrs;	/* given to the bridge if berth creates it */
	size_t n_bridge_addrs;
	const char *parent;		/* NET_MACVLAN, NET_IPVLAN: the link they sit on */
	int macvlan_mode;		/* MACVLAN_MODE_* (default bridge) */
	struct net_addr *addrs;		/* none on a bridge: one allocated per family */
	size_t n_addrs;
	struct net_addr gateways[2];	/* at most one per family */
	size_t n_gateways;
	int mtu;			/* 0: the kernel's default */
	uint8_t mac[6];
	bool has_mac;			/* else derived from the service's name */
	struct net_addr *dns;
	size_t n_dns;
	const char *const *dns_search;
	struct net_host *hosts;		/* hosts = NAME:IP, in the arena */
	size_t n_hosts;
	struct net_publish *publish;	/* NET_BRIDGE (CONFIG_NET_PUBLISH), in the arena */
	size_t n_publish;
	int publish_none;		/* the line of publish = none, else 0 */
	int line;			/* of its mode key, for messages */
};

/* The container gets a link of its own: a veth, a macvlan or an ipvlan. */
static inline bool net_wired(const struct net_conf *n)
{
	return n->mode == NET_BRIDGE || n->mode == NET_MACVLAN || n->mode == NET_IPVLAN;
}

#define NET_DEFAULT_BRIDGE "berth0"
/* The default bridge's own address when berth creates it and no service
 * file gives one. */
#define NET_DEFAULT_BRIDGE_ADDR "10.0.88.1/24"

/* netaddr.c: "10.0.0.2", "10.0.0.2/24", "fd00::2/64". -1 if malformed. */
int net_addr_parse(const char *s, struct net_addr *a);
/* Into buf (at least NET_ADDR_STRLEN), with "/prefix" when it has one
 * and with_prefix is set. */
#define NET_ADDR_STRLEN 52
char *net_addr_format(const struct net_addr *a, bool with_prefix, char *buf);
static inline size_t net_addr_len(const struct net_addr *a) { return a->family == AF_INET6 ? 16 : 4; }
static inline bool net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, net_addr_len(a));
}
/* ip lies in the subnet (its address and prefix). */
bool net_addr_in(const struct net_addr *subnet, const struct net_addr *ip);
/* "02:42:ac:11:00:02". -1 if malformed. */
int net_mac_parse(const char *s, uint8_t mac[6]);
/* A locally administered unicast address derived from a name: the same
 * name, the same address, on every boot. */
void net_mac_from_name(const char *name, uint8_t mac[6]);
static inline const char *net_proto_name(int proto) { return proto == IPPROTO_UDP ? "udp" : "tcp"; }
/* Two publish lines ask for one port of the device. */
static inline bool net_publish_clash(const struct net_publish *a, const struct net_publish *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       (!a->host_ip.family || !b->host_ip.family || net_addr_equal(&a->host_ip, &b->host_ip));
}
/* FNV-1a of a name: where stable choices from a name start. */
uint32_t net_name_hash(const char *name);
/* A valid interface name: 1-15 bytes, no '/', ':' or blank, not "." or "..". */
bool net_ifname_ok(const char *name);

#endif

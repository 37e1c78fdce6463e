/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink, as much as wiring a container needs. A socket talks to the
 * network namespace it was made in. Every function logs what failed, with
 * the kernel's own words when it gives them, and returns -1 (errno set). */
#ifndef BERTH_LINUX_NETLINK_H
#define BERTH_LINUX_NETLINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "berth/spec/network.h"

struct nl {
	int fd;
	uint32_t seq;
};

int nl_open(struct nl *nl);	/* NETLINK_ROUTE */
/* Another netlink family (NETLINK_NETFILTER for nf_tables). */
int nl_open_family(struct nl *nl, int family);
void nl_close(struct nl *nl);

/* Requests, one message or a batch of them, built in place: start each
 * with nl_msg_add (its header, zeroed, returned), then its attributes.
 * Too much for the buffer: the request is refused (-EMSGSIZE) when sent. */
struct nlmsghdr;
struct rtattr;
struct nl_msg {
	char buf[4096];
	size_t len, cur;	/* all messages; where the last one starts */
	bool overflow;
};
void *nl_msg_add(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen);
struct rtattr *nl_attr(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_attr_str(struct nl_msg *m, uint16_t type, const char *s);
void nl_attr_u32(struct nl_msg *m, uint16_t type, uint32_t v);
struct rtattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct rtattr *a);
/* Send them all, then wait for an answer to each that asks for one
 * (NLM_F_ACK: its ack; NLM_F_DUMP: its end), each(h, arg) called for
 * every other answer. 0, or -errno with *why the kernel's reason (empty
 * if none). */
int nl_talk(struct nl *nl, struct nl_msg *m, void (*each)(const struct nlmsghdr *, void *), void *arg, char *why,
	    size_t cap);

/* A link's index; 0 if there is none of that name. */
int nl_link_index(struct nl *nl, const char *name);

/* A new link. Present already: -1 with EEXIST (not logged). */
struct nl_link {
	const char *name;
	const char *kind;	/* "bridge", "veth", "macvlan" or "ipvlan" */
	int parent;		/* macvlan, ipvlan: the index of the link they sit on */
	int mode;		/* macvlan: MACVLAN_MODE_*; ipvlan: IPVLAN_MODE_* */
	const char *peer;	/* veth: the other end's name... */
	int peer_netns_fd;	/* ...and the namespace it goes to (-1: this one) */
	int netns_fd;		/* the link itself goes there (-1: this one) */
	int mtu;		/* 0: the kernel's default */
};
int nl_link_add(struct nl *nl, const struct nl_link *l);

/* Changes to a link, by index (name: for messages). */
struct nl_link_change {
	bool up;
	int master;		/* > 0: enslave to that bridge */
	int mtu;		/* > 0 */
	const uint8_t *mac;	/* 6 bytes, or NULL */
};
int nl_link_set(struct nl *nl, int index, const char *name, const struct nl_link_change *c);

/* Delete a link by name; 0 also when there is none. */
int nl_link_del(struct nl *nl, const char *name);

/* An address on a link (present already: 0). nodad: usable at once, for
 * an address berth alone hands out. */
int nl_addr_add(struct nl *nl, int index, const struct net_addr *a, bool nodad);
/* The link's addresses of a family (AF_INET, AF_INET6; global scope
 * only), at most max of them; their count. */
int nl_addr_list(struct nl *nl, int index, int family, struct net_addr *out, size_t max);

/* The default route of gw's family through gw, on the link. */
int nl_route_default(struct nl *nl, int index, const struct net_addr *gw);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink requests, each sent and then waited for until the kernel
 * acknowledges it; a refusal carries the kernel's reason (extended ack)
 * when it has one. Requests are built in a fixed buffer: what berth asks
 * for is small, and a request that would not fit is a bug, refused. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "berth/linux/netlink.h"
#include "berth/util/log.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct msg {
	union {
		struct nlmsghdr h;
		char buf[1024];
	};
	bool overflow;
};

static void *msg_tail(struct msg *m) { return m->buf + NLMSG_ALIGN(m->h.nlmsg_len); }

static void *msg_start(struct msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	m->h.nlmsg_type = type;
	m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&m->h);
}

static struct rtattr *attr_put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
	if (at + RTA_SPACE(len) > sizeof(m->buf)) {
		m->overflow = true;
		return NULL;
	}
	struct rtattr *a = (struct rtattr *)(m->buf + at);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	return a;
}

static void attr_str(struct msg *m, uint16_t type, const char *s) { attr_put(m, type, s, strlen(s) + 1); }
static void attr_u32(struct msg *m, uint16_t type, uint32_t v) { attr_put(m, type, &v, sizeof(v)); }

/* A nest: its length is known once what it holds is written. */
static struct rtattr *nest_start(struct msg *m, uint16_t type) { return attr_put(m, type, NULL, 0); }
static void nest_end(struct msg *m, struct rtattr *a)
{
	if (a)
		a->rta_len = (unsigned short)((char *)msg_tail(m) - (char *)a);
}

int nl_open(struct nl *nl)
{
	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return log_error("netlink: %m");
	int one = 1;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));	/* the kernel's reasons, if it can */
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	if (bind(nl->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(nl->fd);
		nl->fd = -1;
		errno = e;
		return log_error("netlink: bind: %m");
	}
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* The kernel's words for a refusal (NLMSGERR_ATTR_MSG), if any. */
static void extack_message(const struct nlmsghdr *h, char *why, size_t cap)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;	/* the request came back too */
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || NLMSG_HDRLEN + off > h->nlmsg_len)
		return;
	int left = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);
	for (const struct rtattr *a = (const void *)((const char *)e + off); RTA_OK(a, left); a = RTA_NEXT(a, left))
		if (a->rta_type == NLMSGERR_ATTR_MSG) {
			size_t n = RTA_PAYLOAD(a);
			if (n >= cap)
				n = cap - 1;
			memcpy(why, RTA_DATA(a), n);
			why[n] = 0;
			why[strcspn(why, "\n")] = 0;
		}
}

/* each(h, arg) for every answer of a dump; NULL for an acknowledged request.
 * 0, or -errno with *why the kernel's reason (empty if none). */
static int talk(struct nl *nl, struct msg *m, void (*each)(const struct nlmsghdr *, void *), void *arg, char *why,
		size_t cap)
{
	why[0] = 0;
	if (m->overflow)
		return -EMSGSIZE;
	m->h.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, m->buf, m->h.nlmsg_len, 0) < 0)
		return -errno;
	char answer[16384];	/* a dump's parts are at most this (the kernel sizes them to the reader) */
	for (;;) {
		ssize_t n = recv(nl->fd, answer, sizeof(answer), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)answer; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != nl->seq)
				continue;	/* a late answer to an earlier question */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (e->error)
					extack_message(h, why, cap);
				return e->error;
			}
			if (each)
				each(h, arg);
		}
	}
}

/* talk(), and a logged message on refusal: "WHAT: reason". */
static int request(struct nl *nl, struct msg *m, const char *what, const char *name)
{
	char why[200];
	int r = talk(nl, m, NULL, NULL, why, sizeof(why));
	if (r == 0)
		return 0;
	errno = -r;
	if (why[0])
		log_error("%s %s: %s (%m)", what, name, why);
	else
		log_error("%s %s: %m", what, name);
	return -1;
}

struct found_index {
	int index;
};

static void take_index(const struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type == RTM_NEWLINK)
		((struct found_index *)arg)->index = ((const struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
}

int nl_link_index(struct nl *nl, const char *name)
{
	struct msg m;
	msg_start(&m, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	attr_str(&m, IFLA_IFNAME, name);
	struct found_index f = { 0 };
	char why[200];
	int r = talk(nl, &m, take_index, &f, why, sizeof(why));
	if (r == -ENODEV)
		return 0;
	if (r < 0) {
		errno = -r;
		return log_error("link %s: %m", name);
	}
	return f.index;
}

int nl_link_add(struct nl *nl, const struct nl_link *l)
{
	struct msg m;
	msg_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	attr_str(&m, IFLA_IFNAME, l->name);
	if (l->mtu)
		attr_u32(&m, IFLA_MTU, (uint32_t)l->mtu);
	if (l->parent)
		attr_u32(&m, IFLA_LINK, (uint32_t)l->parent);
	if (l->netns_fd >= 0)
		attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)l->netns_fd);
	struct rtattr *info = nest_start(&m, IFLA_LINKINFO);
	attr_str(&m, IFLA_INFO_KIND, l->kind);
	if (!strcmp(l->kind, "veth") || !strcmp(l->kind, "macvlan") || !strcmp(l->kind, "ipvlan")) {
		struct rtattr *data = nest_start(&m, IFLA_INFO_DATA);
		if (!strcmp(l->kind, "veth")) {
			/* The peer: an ifinfomsg, then its own attributes. */
			struct rtattr *peer = nest_start(&m, VETH_INFO_PEER);
			struct ifinfomsg empty = { 0 };
			size_t at = NLMSG_ALIGN(m.h.nlmsg_len);
			if (at + sizeof(empty) <= sizeof(m.buf)) {
				memcpy(m.buf + at, &empty, sizeof(empty));
				m.h.nlmsg_len = (uint32_t)(at + sizeof(empty));
			} else {
				m.overflow = true;
			}
			attr_str(&m, IFLA_IFNAME, l->peer);
			if (l->mtu)
				attr_u32(&m, IFLA_MTU, (uint32_t)l->mtu);
			if (l->peer_netns_fd >= 0)
				attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)l->peer_netns_fd);
			nest_end(&m, peer);
		} else if (!strcmp(l->kind, "macvlan")) {
			attr_u32(&m, IFLA_MACVLAN_MODE, (uint32_t)l->mode);
		} else {
			uint16_t mode = (uint16_t)l->mode;
			attr_put(&m, IFLA_IPVLAN_MODE, &mode, sizeof(mode));
		}
		nest_end(&m, data);
	}
	nest_end(&m, info);
	char why[200];
	int r = talk(nl, &m, NULL, NULL, why, sizeof(why));
	if (r == -EEXIST) {
		errno = EEXIST;
		return -1;
	}
	if (r == 0)
		return 0;
	errno = -r;
	if (r == -EOPNOTSUPP && !why[0])
		return log_error("creating %s link %s: the kernel has no %s driver (%m)", l->kind, l->name, l->kind);
	return why[0] ? log_error("creating %s link %s: %s (%m)", l->kind, l->name, why)
		      : log_error("creating %s link %s: %m", l->kind, l->name);
}

int nl_link_set(struct nl *nl, int index, const char *name, const struct nl_link_change *c)
{
	struct msg m;
	struct ifinfomsg *i = msg_start(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	i->ifi_index = index;
	if (c->up) {
		i->ifi_flags = IFF_UP;
		i->ifi_change = IFF_UP;
	}
	if (c->master > 0)
		attr_u32(&m, IFLA_MASTER, (uint32_t)c->master);
	if (c->mtu > 0)
		attr_u32(&m, IFLA_MTU, (uint32_t)c->mtu);
	if (c->mac)
		attr_put(&m, IFLA_ADDRESS, c->mac, 6);
	return request(nl, &m, "setting up link", name);
}

int nl_link_del(struct nl *nl, const char *name)
{
	struct msg m;
	msg_start(&m, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	attr_str(&m, IFLA_IFNAME, name);
	char why[200];
	int r = talk(nl, &m, NULL, NULL, why, sizeof(why));
	if (r == 0 || r == -ENODEV)
		return 0;
	errno = -r;
	return log_error("deleting link %s: %m", name);
}

static void addr_msg(struct msg *m, uint16_t type, uint16_t flags, int index, const struct net_addr *a, bool nodad)
{
	struct ifaddrmsg *i = msg_start(m, type, flags, sizeof(struct ifaddrmsg));
	i->ifa_family = (uint8_t)a->family;
	i->ifa_prefixlen = (uint8_t)(a->prefix < 0 ? (int)net_addr_len(a) * 8 : a->prefix);
	i->ifa_index = (uint32_t)index;
	i->ifa_scope = RT_SCOPE_UNIVERSE;
	attr_put(m, IFA_LOCAL, a->ip, net_addr_len(a));
	attr_put(m, IFA_ADDRESS, a->ip, net_addr_len(a));
	if (nodad && a->family == AF_INET6)
		attr_u32(m, IFA_FLAGS, IFA_F_NODAD);
}

int nl_addr_add(struct nl *nl, int index, const struct net_addr *a, bool nodad)
{
	struct msg m;
	addr_msg(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, index, a, nodad);
	char b[NET_ADDR_STRLEN];
	return request(nl, &m, "adding address", net_addr_format(a, true, b));
}

struct addr_list {
	int index, family;
	struct net_addr *out;
	size_t max, n;
};

static void take_addr(const struct nlmsghdr *h, void *arg)
{
	struct addr_list *l = arg;
	const struct ifaddrmsg *i = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWADDR || (int)i->ifa_index != l->index || i->ifa_family != l->family ||
	    i->ifa_scope != RT_SCOPE_UNIVERSE || l->n == l->max)
		return;
	int left = (int)IFA_PAYLOAD(h);
	for (const struct rtattr *a = IFA_RTA(i); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t len = l->family == AF_INET6 ? 16 : 4;
		if ((a->rta_type == IFA_LOCAL || (a->rta_type == IFA_ADDRESS && l->family == AF_INET6)) &&
		    RTA_PAYLOAD(a) == len) {
			struct net_addr *o = &l->out[l->n++];
			memset(o, 0, sizeof(*o));
			o->family = l->family;
			o->prefix = i->ifa_prefixlen;
			memcpy(o->ip, RTA_DATA(a), len);
			return;
		}
	}
}

int nl_addr_list(struct nl *nl, int index, int family, struct net_addr *out, size_t max)
{
	struct msg m;
	struct ifaddrmsg *i = msg_start(&m, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
	m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;	/* a dump ends with NLMSG_DONE, not an ack */
	i->ifa_family = (uint8_t)family;
	struct addr_list l = { index, family, out, max, 0 };
	char why[200];
	int r = talk(nl, &m, take_addr, &l, why, sizeof(why));
	if (r < 0) {
		errno = -r;
		return log_error("listing addresses: %m");
	}
	return (int)l.n;
}

int nl_route_default(struct nl *nl, int index, const struct net_addr *gw)
{
	struct msg m;
	struct rtmsg *r = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	r->rtm_family = (uint8_t)gw->family;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = RTPROT_STATIC;
	r->rtm_scope = RT_SCOPE_UNIVERSE;
	r->rtm_type = RTN_UNICAST;
	attr_put(&m, RTA_GATEWAY, gw->ip, net_addr_len(gw));
	attr_u32(&m, RTA_OIF, (uint32_t)index);
	char b[NET_ADDR_STRLEN];
	return request(nl, &m, "default route via", net_addr_format(gw, false, b));
}

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

void *nl_msg_add(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
	size_t at = NLMSG_ALIGN(m->len);
	if (at + NLMSG_SPACE(hdrlen) > sizeof(m->buf)) {
		m->overflow = true;
		at = 0;	/* written over, never sent */
	}
	struct nlmsghdr *h = (struct nlmsghdr *)(m->buf + at);
	memset(h, 0, NLMSG_SPACE(hdrlen));
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	m->cur = at;
	m->len = at + NLMSG_ALIGN(h->nlmsg_len);
	return NLMSG_DATA(h);
}

static struct nlmsghdr *msg_cur(struct nl_msg *m) { return (struct nlmsghdr *)(m->buf + m->cur); }

struct rtattr *nl_attr(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *h = msg_cur(m);
	size_t at = m->cur + NLMSG_ALIGN(h->nlmsg_len);
	if (at + RTA_SPACE(len) > sizeof(m->buf)) {
		m->overflow = true;
		return NULL;
	}
	struct rtattr *a = (struct rtattr *)(m->buf + at);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	memset((char *)RTA_DATA(a) + len, 0, RTA_SPACE(len) - RTA_LENGTH(len));
	h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len) - m->cur);
	m->len = at + RTA_SPACE(len);
	return a;
}

void nl_attr_str(struct nl_msg *m, uint16_t type, const char *s) { nl_attr(m, type, s, strlen(s) + 1); }
void nl_attr_u32(struct nl_msg *m, uint16_t type, uint32_t v) { nl_attr(m, type, &v, sizeof(v)); }

struct rtattr *nl_nest_start(struct nl_msg *m, uint16_t type) { return nl_attr(m, type, NULL, 0); }
void nl_nest_end(struct nl_msg *m, struct rtattr *a)
{
	if (a)
		a->rta_len = (unsigned short)(m->buf + m->len - (char *)a);
}

int nl_open_family(struct nl *nl, int family)
{
	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, family);
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

int nl_open(struct nl *nl) { return nl_open_family(nl, NETLINK_ROUTE); }

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

int nl_talk(struct nl *nl, struct nl_msg *m, void (*each)(const struct nlmsghdr *, void *), void *arg, char *why,
	    size_t cap)
{
	why[0] = 0;
	if (m->overflow)
		return -EMSGSIZE;
	/* Number the messages; count the answers to wait for: an ack each,
	 * or the end of a dump. */
	uint32_t first = nl->seq + 1;
	unsigned waiting = 0;
	int left = (int)m->len;
	for (struct nlmsghdr *h = (struct nlmsghdr *)m->buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		h->nlmsg_seq = ++nl->seq;
		waiting += (h->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) != 0;
	}
	if (send(nl->fd, m->buf, m->len, 0) < 0)
		return -errno;
	char answer[16384];	/* a dump's parts are at most this (the kernel sizes them to the reader) */
	while (waiting) {
		ssize_t n = recv(nl->fd, answer, sizeof(answer), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)answer; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq < first || h->nlmsg_seq > nl->seq)
				continue;	/* a late answer to an earlier question */
			if (h->nlmsg_type == NLMSG_DONE) {
				waiting--;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (e->error) {
					extack_message(h, why, cap);
					return e->error;
				}
				waiting--;
			} else if (each) {
				each(h, arg);
			}
		}
	}
	return 0;
}

/* talk(), and a logged message on refusal: "WHAT: reason". */
static int request(struct nl *nl, struct nl_msg *m, const char *what, const char *name)
{
	char why[200];
	int r = nl_talk(nl, m, NULL, NULL, why, sizeof(why));
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
	struct nl_msg m = { .len = 0 };
	nl_msg_add(&m, RTM_GETLINK, NLM_F_ACK, sizeof(struct ifinfomsg));
	nl_attr_str(&m, IFLA_IFNAME, name);
	struct found_index f = { 0 };
	char why[200];
	int r = nl_talk(nl, &m, take_index, &f, why, sizeof(why));
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
	struct nl_msg m = { .len = 0 };
	nl_msg_add(&m, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	nl_attr_str(&m, IFLA_IFNAME, l->name);
	if (l->mtu)
		nl_attr_u32(&m, IFLA_MTU, (uint32_t)l->mtu);
	if (l->parent)
		nl_attr_u32(&m, IFLA_LINK, (uint32_t)l->parent);
	if (l->netns_fd >= 0)
		nl_attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)l->netns_fd);
	struct rtattr *info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_attr_str(&m, IFLA_INFO_KIND, l->kind);
	if (!strcmp(l->kind, "veth") || !strcmp(l->kind, "macvlan") || !strcmp(l->kind, "ipvlan")) {
		struct rtattr *data = nl_nest_start(&m, IFLA_INFO_DATA);
		if (!strcmp(l->kind, "veth")) {
			/* The peer: an ifinfomsg, then its own attributes. */
			struct ifinfomsg empty = { 0 };
			struct rtattr *peer = nl_attr(&m, VETH_INFO_PEER, &empty, sizeof(empty));
			nl_attr_str(&m, IFLA_IFNAME, l->peer);
			if (l->mtu)
				nl_attr_u32(&m, IFLA_MTU, (uint32_t)l->mtu);
			if (l->peer_netns_fd >= 0)
				nl_attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)l->peer_netns_fd);
			nl_nest_end(&m, peer);
		} else if (!strcmp(l->kind, "macvlan")) {
			nl_attr_u32(&m, IFLA_MACVLAN_MODE, (uint32_t)l->mode);
		} else {
			uint16_t mode = (uint16_t)l->mode;
			nl_attr(&m, IFLA_IPVLAN_MODE, &mode, sizeof(mode));
		}
		nl_nest_end(&m, data);
	}
	nl_nest_end(&m, info);
	char why[200];
	int r = nl_talk(nl, &m, NULL, NULL, why, sizeof(why));
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
	struct nl_msg m = { .len = 0 };
	struct ifinfomsg *i = nl_msg_add(&m, RTM_NEWLINK, NLM_F_ACK, sizeof(struct ifinfomsg));
	i->ifi_index = index;
	if (c->up) {
		i->ifi_flags = IFF_UP;
		i->ifi_change = IFF_UP;
	}
	if (c->master > 0)
		nl_attr_u32(&m, IFLA_MASTER, (uint32_t)c->master);
	if (c->mtu > 0)
		nl_attr_u32(&m, IFLA_MTU, (uint32_t)c->mtu);
	if (c->mac)
		nl_attr(&m, IFLA_ADDRESS, c->mac, 6);
	return request(nl, &m, "setting up link", name);
}

int nl_link_del(struct nl *nl, const char *name)
{
	struct nl_msg m = { .len = 0 };
	nl_msg_add(&m, RTM_DELLINK, NLM_F_ACK, sizeof(struct ifinfomsg));
	nl_attr_str(&m, IFLA_IFNAME, name);
	char why[200];
	int r = nl_talk(nl, &m, NULL, NULL, why, sizeof(why));
	if (r == 0 || r == -ENODEV)
		return 0;
	errno = -r;
	return log_error("deleting link %s: %m", name);
}

static void addr_msg(struct nl_msg *m, uint16_t type, uint16_t flags, int index, const struct net_addr *a, bool nodad)
{
	struct ifaddrmsg *i = nl_msg_add(m, type, flags, sizeof(struct ifaddrmsg));
	i->ifa_family = (uint8_t)a->family;
	i->ifa_prefixlen = (uint8_t)(a->prefix < 0 ? (int)net_addr_len(a) * 8 : a->prefix);
	i->ifa_index = (uint32_t)index;
	i->ifa_scope = RT_SCOPE_UNIVERSE;
	nl_attr(m, IFA_LOCAL, a->ip, net_addr_len(a));
	nl_attr(m, IFA_ADDRESS, a->ip, net_addr_len(a));
	if (nodad && a->family == AF_INET6)
		nl_attr_u32(m, IFA_FLAGS, IFA_F_NODAD);
}

int nl_addr_add(struct nl *nl, int index, const struct net_addr *a, bool nodad)
{
	struct nl_msg m = { .len = 0 };
	addr_msg(&m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, index, a, nodad);
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
	struct nl_msg m = { .len = 0 };
	struct ifaddrmsg *i = nl_msg_add(&m, RTM_GETADDR, NLM_F_DUMP,	/* ends with NLMSG_DONE */ sizeof(struct ifaddrmsg));
	i->ifa_family = (uint8_t)family;
	struct addr_list l = { index, family, out, max, 0 };
	char why[200];
	int r = nl_talk(nl, &m, take_addr, &l, why, sizeof(why));
	if (r < 0) {
		errno = -r;
		return log_error("listing addresses: %m");
	}
	return (int)l.n;
}

int nl_route_default(struct nl *nl, int index, const struct net_addr *gw)
{
	struct nl_msg m = { .len = 0 };
	struct rtmsg *r = nl_msg_add(&m, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	r->rtm_family = (uint8_t)gw->family;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = RTPROT_STATIC;
	r->rtm_scope = RT_SCOPE_UNIVERSE;
	r->rtm_type = RTN_UNICAST;
	nl_attr(&m, RTA_GATEWAY, gw->ip, net_addr_len(gw));
	nl_attr_u32(&m, RTA_OIF, (uint32_t)index);
	char b[NET_ADDR_STRLEN];
	return request(nl, &m, "default route via", net_addr_format(gw, false, b));
}

/* SPDX-License-Identifier: Apache-2.0 */
/* nf_tables rules, written as the kernel reads them: a batch of netlink
 * messages (begin, tables, chains, rules, end) that the kernel applies
 * whole or not at all. A table is replaced by adding it (a no-op if it
 * is there), deleting it and adding it again with its contents, all in
 * one batch: no moment without rules, no error for a table that was not
 * there, and nothing half-made if a rule is refused. Each rule is a list
 * of expressions over registers, as `nft` itself would send them:
 *   ip daddr A  tcp dport P  dnat to B:Q
 *   = payload(network header +16, 4) == A; meta l4proto == tcp;
 *     payload(transport header +2, 2) == P; immediate r1 = B, r2 = Q; nat dnat r1 r2
 * Integers in nf_tables attributes are big-endian. IPv4 rules live in
 * tables of the ip family, IPv6 ones in tables of the same name in the
 * ip6 family (the inet family's NAT needs Linux 5.2, and a kernel built
 * without IPv6 has no ip6 family at all: it is asked for only when a
 * service has an IPv6 address). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include "berth/linux/netlink.h"
#include "berth/linux/nftables.h"
#include "berth/util/log.h"

#define NLA_NESTED(type) ((uint16_t)((type) | NLA_F_NESTED))
/* The hook priorities of NAT (linux/netfilter_ipv4.h: NF_IP_PRI_NAT_*). */
#define PRI_NAT_DST (-100)
#define PRI_NAT_SRC 100

static void be32(struct nl_msg *m, uint16_t type, uint32_t v) { nl_attr_u32(m, type, htonl(v)); }

static void batch_mark(struct nl_msg *m, uint16_t type)
{
	struct nfgenmsg *g = nl_msg_add(m, type, 0, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
}

/* Where a family's header keeps its addresses, and how long they are. */
struct family {
	uint8_t nfproto;
	uint32_t saddr, daddr, len;
};
static const struct family ipv4 = { NFPROTO_IPV4, 12, 16, 4 }, ipv6 = { NFPROTO_IPV6, 8, 24, 16 };
static const struct family *family_of(int af) { return af == AF_INET6 ? &ipv6 : &ipv4; }

static void nft_msg(struct nl_msg *m, const struct family *f, uint16_t type, uint16_t flags)
{
	struct nfgenmsg *g = nl_msg_add(m, (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | type), NLM_F_ACK | flags, sizeof(*g));
	g->nfgen_family = f->nfproto;
	g->version = NFNETLINK_V0;
}

/* How a batch treats the table it fills. */
enum table_start {
	TABLE_NEW,	/* made: the batch fails with EEXIST if it is there */
	TABLE_REPLACE,	/* whatever it held, gone, then made anew */
	TABLE_DROP,	/* gone (no error if it was not there) */
};

/* A delete waits for the kernel's readers to let go of the old table (an
 * RCU grace period, milliseconds on a busy device): TABLE_NEW first, and
 * TABLE_REPLACE only when a table was left behind. */
static void table_start(struct nl_msg *m, const struct family *f, const char *table, enum table_start how)
{
	if (how != TABLE_NEW) {
		nft_msg(m, f, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		nl_attr_str(m, NFTA_TABLE_NAME, table);
		nft_msg(m, f, NFT_MSG_DELTABLE, 0);
		nl_attr_str(m, NFTA_TABLE_NAME, table);
	}
	if (how != TABLE_DROP) {
		nft_msg(m, f, NFT_MSG_NEWTABLE, NLM_F_CREATE | (how == TABLE_NEW ? NLM_F_EXCL : 0));
		nl_attr_str(m, NFTA_TABLE_NAME, table);
	}
}

/* A base chain (on a hook) of that type; policy: NF_ACCEPT or NF_DROP. */
static void base_chain(struct nl_msg *m, const struct family *f, const char *table, const char *chain,
		       const char *type, uint32_t hook, int32_t priority, uint32_t policy)
{
	nft_msg(m, f, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nl_attr_str(m, NFTA_CHAIN_TABLE, table);
	nl_attr_str(m, NFTA_CHAIN_NAME, chain);
	struct rtattr *h = nl_nest_start(m, NLA_NESTED(NFTA_CHAIN_HOOK));
	be32(m, NFTA_HOOK_HOOKNUM, hook);
	be32(m, NFTA_HOOK_PRIORITY, (uint32_t)priority);
	nl_nest_end(m, h);
	be32(m, NFTA_CHAIN_POLICY, policy);
	nl_attr_str(m, NFTA_CHAIN_TYPE, type);
}

static void nat_chain(struct nl_msg *m, const struct family *f, const char *table, const char *chain, uint32_t hook,
		      int32_t priority)
{
	base_chain(m, f, table, chain, "nat", hook, priority, NF_ACCEPT);
}

/* A rule: its expressions go between rule_start and rule_end. */
static struct rtattr *rule_start(struct nl_msg *m, const struct family *f, const char *table, const char *chain)
{
	nft_msg(m, f, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nl_attr_str(m, NFTA_RULE_TABLE, table);
	nl_attr_str(m, NFTA_RULE_CHAIN, chain);
	return nl_nest_start(m, NLA_NESTED(NFTA_RULE_EXPRESSIONS));
}

/* One expression: its name, then its data (a nest) between the two. */
static struct rtattr *expr_start(struct nl_msg *m, const char *name, struct rtattr **data)
{
	struct rtattr *e = nl_nest_start(m, NLA_NESTED(NFTA_LIST_ELEM));
	nl_attr_str(m, NFTA_EXPR_NAME, name);
	*data = nl_nest_start(m, NLA_NESTED(NFTA_EXPR_DATA));
	return e;
}

static void expr_end(struct nl_msg *m, struct rtattr *e, struct rtattr *data)
{
	nl_nest_end(m, data);
	nl_nest_end(m, e);
}

static void value(struct nl_msg *m, uint16_t type, const void *v, size_t len)
{
	struct rtattr *d = nl_nest_start(m, NLA_NESTED(type));
	nl_attr(m, NFTA_DATA_VALUE, v, len);
	nl_nest_end(m, d);
}

static void load_payload(struct nl_msg *m, uint32_t base, uint32_t offset, uint32_t len)
{
	struct rtattr *d, *e = expr_start(m, "payload", &d);
	be32(m, NFTA_PAYLOAD_DREG, NFT_REG_1);
	be32(m, NFTA_PAYLOAD_BASE, base);
	be32(m, NFTA_PAYLOAD_OFFSET, offset);
	be32(m, NFTA_PAYLOAD_LEN, len);
	expr_end(m, e, d);
}

static void load_meta(struct nl_msg *m, uint32_t key)
{
	struct rtattr *d, *e = expr_start(m, "meta", &d);
	be32(m, NFTA_META_KEY, key);
	be32(m, NFTA_META_DREG, NFT_REG_1);
	expr_end(m, e, d);
}

static void compare(struct nl_msg *m, uint32_t op, const void *v, size_t len)
{
	struct rtattr *d, *e = expr_start(m, "cmp", &d);
	be32(m, NFTA_CMP_SREG, NFT_REG_1);
	be32(m, NFTA_CMP_OP, op);
	value(m, NFTA_CMP_DATA, v, len);
	expr_end(m, e, d);
}

static void immediate(struct nl_msg *m, uint32_t reg, const void *v, size_t len)
{
	struct rtattr *d, *e = expr_start(m, "immediate", &d);
	be32(m, NFTA_IMMEDIATE_DREG, reg);
	value(m, NFTA_IMMEDIATE_DATA, v, len);
	expr_end(m, e, d);
}

/* The verdict: accept. */
static void verdict_accept(struct nl_msg *m)
{
	struct rtattr *d, *e = expr_start(m, "immediate", &d);
	be32(m, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	struct rtattr *data = nl_nest_start(m, NLA_NESTED(NFTA_IMMEDIATE_DATA));
	struct rtattr *v = nl_nest_start(m, NLA_NESTED(NFTA_DATA_VERDICT));
	be32(m, NFTA_VERDICT_CODE, NF_ACCEPT);
	nl_nest_end(m, v);
	nl_nest_end(m, data);
	expr_end(m, e, d);
}

/* Register 1 &= mask (the network part of an address). */
static void mask(struct nl_msg *m, const void *mask, const void *zero, uint32_t len)
{
	struct rtattr *d, *e = expr_start(m, "bitwise", &d);
	be32(m, NFTA_BITWISE_SREG, NFT_REG_1);
	be32(m, NFTA_BITWISE_DREG, NFT_REG_1);
	be32(m, NFTA_BITWISE_LEN, len);
	value(m, NFTA_BITWISE_MASK, mask, len);
	value(m, NFTA_BITWISE_XOR, zero, len);
	expr_end(m, e, d);
}

/* Send the batch; EEXIST is returned (-1, errno set) without a message
 * when quiet_exists is set. */
static int commit(struct nl_msg *m, const char *what, const char *table, bool quiet_exists)
{
	struct nl nl;
	if (nl_open_family(&nl, NETLINK_NETFILTER) < 0)
		return -1;
	char why[200];
	int r = nl_talk(&nl, m, NULL, NULL, why, sizeof(why));
	nl_close(&nl);
	if (r == 0)
		return 0;
	errno = -r;
	if (r == -EEXIST && quiet_exists)
		return -1;
	if (r == -ENOENT && !why[0])
		return log_error("nf_tables: %s %s: %m (a kernel without nf_tables NAT?)", what, table);
	return why[0] ? log_error("nf_tables: %s %s: %s (%m)", what, table, why)
		      : log_error("nf_tables: %s %s: %m", what, table);
}

/* The family's table and its DNAT rules: those of d whose container
 * address is of that family. */
static void publish_family(struct nl_msg *m, const struct family *f, const char *table, const struct nft_dnat *d,
			   size_t n, enum table_start how)
{
	table_start(m, f, table, how);
	nat_chain(m, f, table, "prerouting", NF_INET_PRE_ROUTING, PRI_NAT_DST);
	for (size_t i = 0; i < n; i++) {
		if (family_of(d[i].to->family) != f)
			continue;
		struct rtattr *r = rule_start(m, f, table, "prerouting");
		if (d[i].host_ip) {
			load_payload(m, NFT_PAYLOAD_NETWORK_HEADER, f->daddr, f->len);	/* ip daddr */
			compare(m, NFT_CMP_EQ, d[i].host_ip->ip, f->len);
		}
		uint8_t proto = (uint8_t)d[i].proto;
		load_meta(m, NFT_META_L4PROTO);
		compare(m, NFT_CMP_EQ, &proto, 1);
		uint16_t port = htons(d[i].host_port), to_port = htons(d[i].to_port);
		load_payload(m, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);	/* tcp or udp dport */
		compare(m, NFT_CMP_EQ, &port, 2);
		immediate(m, NFT_REG_1, d[i].to->ip, f->len);
		immediate(m, NFT_REG_2, &to_port, 2);
		struct rtattr *dd, *e = expr_start(m, "nat", &dd);
		be32(m, NFTA_NAT_TYPE, NFT_NAT_DNAT);
		be32(m, NFTA_NAT_FAMILY, f->nfproto);
		be32(m, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
		be32(m, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
		expr_end(m, e, dd);
		nl_nest_end(m, r);
	}
}

/* One batch: a table per family that d's rules use. */
static void publish_batch(struct nl_msg *m, const char *table, const struct nft_dnat *d, size_t n, enum table_start how)
{
	m->len = 0;
	m->overflow = false;
	batch_mark(m, NFNL_MSG_BATCH_BEGIN);
	bool used[2] = { false, false };
	for (size_t i = 0; i < n; i++)
		used[family_of(d[i].to->family) == &ipv6] = true;
	for (int k = 0; k < 2; k++)
		if (used[k])
			publish_family(m, k ? &ipv6 : &ipv4, table, d, n, how);
	batch_mark(m, NFNL_MSG_BATCH_END);
}

int nft_publish(const char *table, const struct nft_dnat *d, size_t n)
{
	struct nl_msg m;
	publish_batch(&m, table, d, n, TABLE_NEW);
	if (commit(&m, "publishing ports in", table, true) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	publish_batch(&m, table, d, n, TABLE_REPLACE);	/* left by a container that is gone */
	return commit(&m, "publishing ports in", table, false);
}

/* 1: the table is there; 0: it is not; -1: the kernel would not say. */
static int table_exists(const struct family *f, const char *table)
{
	struct nl nl;
	if (nl_open_family(&nl, NETLINK_NETFILTER) < 0)
		return -1;
	struct nl_msg m = { .len = 0 };
	nft_msg(&m, f, NFT_MSG_GETTABLE, 0);
	nl_attr_str(&m, NFTA_TABLE_NAME, table);
	char why[200];
	int r = nl_talk(&nl, &m, NULL, NULL, why, sizeof(why));
	nl_close(&nl);
	/* EAFNOSUPPORT: a kernel without that family has no such table. */
	return r == 0 ? 1 : r == -ENOENT || r == -EAFNOSUPPORT ? 0 : -1;
}

int nft_table_exists(int af, const char *table) { return table_exists(family_of(af), table); }

int nft_masquerade(const char *table, const struct net_addr *subnet, const char *bridge, bool guard)
{
	const struct family *f = family_of(subnet->family);
	/* Made once, by the first service on the bridge this boot: asking is
	 * cheap, a batch that fails is not (the kernel undoes it). */
	if (table_exists(f, table) == 1)
		return 0;
	struct nl_msg m = { .len = 0 };
	uint8_t net[16], bits[16], zero[16] = { 0 };
	for (uint32_t i = 0; i < f->len; i++) {
		int left = subnet->prefix - 8 * (int)i;
		bits[i] = (uint8_t)(left >= 8 ? 0xff : left <= 0 ? 0 : 0xff << (8 - left));
		net[i] = subnet->ip[i] & bits[i];
	}
	char ifname[IFNAMSIZ] = { 0 };
	strncpy(ifname, bridge, IFNAMSIZ - 1);
	batch_mark(&m, NFNL_MSG_BATCH_BEGIN);
	table_start(&m, f, table, TABLE_NEW);
	nat_chain(&m, f, table, "postrouting", NF_INET_POST_ROUTING, PRI_NAT_SRC);
	struct rtattr *r = rule_start(&m, f, table, "postrouting");
	load_payload(&m, NFT_PAYLOAD_NETWORK_HEADER, f->saddr, f->len);	/* ip saddr */
	mask(&m, bits, zero, f->len);
	compare(&m, NFT_CMP_EQ, net, f->len);
	load_meta(&m, NFT_META_OIFNAME);
	compare(&m, NFT_CMP_NEQ, ifname, IFNAMSIZ);
	struct rtattr *d, *e = expr_start(&m, "masq", &d);
	expr_end(&m, e, d);
	nl_nest_end(&m, r);
	if (guard) {
		/* Forwarding is on for the bridges only: a forward chain whose
		 * policy is drop (made if absent), and for this bridge, what
		 * comes in or goes out by it, accepted. */
		nft_msg(&m, f, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		nl_attr_str(&m, NFTA_TABLE_NAME, NFT_FORWARD_TABLE);
		base_chain(&m, f, NFT_FORWARD_TABLE, "forward", "filter", NF_INET_FORWARD, 0, NF_DROP);
		static const uint32_t keys[] = { NFT_META_IIFNAME, NFT_META_OIFNAME };
		for (size_t i = 0; i < 2; i++) {
			r = rule_start(&m, f, NFT_FORWARD_TABLE, "forward");
			load_meta(&m, keys[i]);
			compare(&m, NFT_CMP_EQ, ifname, IFNAMSIZ);
			verdict_accept(&m);
			nl_nest_end(&m, r);
		}
	}
	batch_mark(&m, NFNL_MSG_BATCH_END);
	/* There already: the first service on the bridge made it this boot. */
	return commit(&m, "masquerading in", table, true) < 0 && errno != EEXIST ? -1 : 0;
}

int nft_drop(const char *table)
{
	int r = 0;
	for (int k = 0; k < 2; k++) {
		const struct family *f = k ? &ipv6 : &ipv4;
		if (f == &ipv6 && table_exists(f, table) != 1)
			continue;	/* never made, or no IPv6 in this kernel */
		struct nl_msg m = { .len = 0 };
		batch_mark(&m, NFNL_MSG_BATCH_BEGIN);
		table_start(&m, f, table, TABLE_DROP);
		batch_mark(&m, NFNL_MSG_BATCH_END);
		r |= commit(&m, "removing", table, false);
	}
	return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* nf_tables over netlink, as much as publishing a container's ports
 * needs: a table of berth's own per service (its DNAT rules) and per
 * bridge (the masquerade of its subnet), in the ip family and, for IPv6,
 * the ip6 one; each replaced or deleted whole, in one atomic batch. Logs
 * and returns -1 on failure. */
#ifndef BERTH_LINUX_NFTABLES_H
#define BERTH_LINUX_NFTABLES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "berth/config.h"
#include "berth/spec/network.h"

struct nft_dnat {
	int proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	const struct net_addr *host_ip;	/* only to this address of the device (NULL: any) */
	uint16_t host_port;
	const struct net_addr *to;	/* the container's address (of host_ip's family) */
	uint16_t to_port;
};

/* The forward hook's guard table (see nft_masquerade). */
#define NFT_FORWARD_TABLE "berth-forward"

#ifdef CONFIG_NET_PUBLISH
/* Table `table` holds these DNAT rules (hook prerouting), and nothing
 * else: in the ip family for IPv4 ones, the ip6 family for IPv6 ones. */
int nft_publish(const char *table, const struct nft_dnat *d, size_t n);
/* Table `table`, of subnet's family, masquerades what leaves subnet by a
 * link other than bridge; made once (a table of that name already there
 * is kept). With guard, the forward hook lets through only what comes in
 * or goes out by a bridge (NFT_FORWARD_TABLE of that family, its chain's
 * policy drop), for a device on which berth turned forwarding on: its
 * other links stay unrouted. */
int nft_masquerade(const char *table, const struct net_addr *subnet, const char *bridge, bool guard);
int nft_table_exists(int af, const char *table);	/* AF_INET or AF_INET6 */
/* Table `table` is gone, in both families (0 also when there was none). */
int nft_drop(const char *table);

#else
static inline int nft_publish(const char *t, const struct nft_dnat *d, size_t n) { (void)t, (void)d, (void)n; return 0; }
static inline int nft_masquerade(const char *t, const struct net_addr *s, const char *b, bool g)
{
	(void)t, (void)s, (void)b, (void)g;
	return 0;
}
static inline int nft_table_exists(int af, const char *t) { (void)af, (void)t; return 0; }
static inline int nft_drop(const char *t) { (void)t; return 0; }
#endif

#endif

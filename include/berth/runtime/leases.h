/* SPDX-License-Identifier: Apache-2.0 */
/* The addresses services hold on a bridge, kept across reboots: a file
 * per bridge, "NAME ADDRESS" per line. */
#ifndef BERTH_RUNTIME_LEASES_H
#define BERTH_RUNTIME_LEASES_H
#include <stddef.h>
#include "berth/spec/network.h"

struct lease {
	char *name;
	struct net_addr ip;
};

struct leases {
	struct lease *v;
	size_t n;
};

/* The lines of a lease file; a malformed line is skipped (a file cut
 * by a power loss before berth wrote it whole, or edited by hand).
 * Returns the number of lines skipped. */
int leases_parse(const char *text, size_t len, struct leases *l);
void leases_free(struct leases *l);
/* The address name holds in subnet, if any (NULL: none). */
const struct lease *leases_find(const struct leases *l, const char *name, const struct net_addr *subnet);
/* The first free address of subnet, from a hash of name on: neither the
 * subnet's own address, its broadcast (IPv4), one of reserved[], nor one
 * another name holds. -1 when the subnet is full. */
int leases_choose(const struct leases *l, const char *name, const struct net_addr *subnet,
		  const struct net_addr *reserved, size_t n_reserved, struct net_addr *out);

/* Under DIR/BRIDGE.leases, locked against other starters: the address
 * for name in subnet (want: a fixed one, or NULL to keep or choose one),
 * written down durably. *all gets every lease of the file, for the
 * container's /etc/hosts. Logs and returns -1 on failure (the subnet is
 * full, or want is another service's). */
int lease_take(const char *dir, const char *bridge, const char *name, const struct net_addr *subnet,
	       const struct net_addr *reserved, size_t n_reserved, const struct net_addr *want, struct net_addr *out,
	       struct leases *all);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Wiring a service's container to the network ([network]), in two steps
 * around its creation: what the container's mounts need before (its
 * addresses, /etc/hosts, resolv.conf), then its links once its network
 * namespace exists and before its program runs. The links live in that
 * namespace (or are a veth pair with an end in it): they go with it. */
#ifndef BERTH_RUNTIME_NETWORK_H
#define BERTH_RUNTIME_NETWORK_H
#include <stdbool.h>
#include <sys/types.h>
#include "berth/config.h"
#include "berth/spec/network.h"
#include "berth/spec/spec.h"

struct net_plan {
	struct net_addr addrs[NET_MAX_ADDRS];	/* with their prefixes */
	size_t n_addrs;
	struct net_addr gateways[2];
	size_t n_gateways;
	int bridge_index, parent_index;
	bool own_netns;		/* the container has a network namespace of its own */
};

/* network_describe's text, at most. */
#define NET_DESCRIBE_LEN (NET_MAX_ADDRS * (NET_ADDR_STRLEN + 1))

#ifdef CONFIG_NETWORK
/* Before the container is created: the bridge (made if absent), the
 * addresses (leases in lease_dir, and a record in files_dir), and the
 * container's /etc/hosts and /etc/resolv.conf as files in files_dir,
 * added to spec's mounts read-only. Logs and returns -1 on failure. */
int network_prepare(const struct net_conf *n, const char *name, struct spec *spec, const char *files_dir,
		    const char *lease_dir, struct net_plan *plan);
/* Once the container exists (pid: its init, not yet started): lo up and
 * its link, named eth0 inside. */
int network_attach(const struct net_conf *n, const char *name, pid_t pid, const struct net_plan *plan);
/* What network_prepare and network_attach left for name outside its
 * namespace: its files, its published ports. */
void network_forget(const struct net_conf *n, const char *files_dir, const char *name);
/* The plan's addresses, "10.0.88.2/24 fd00::2/64" ("" if none), for
 * `berth ctl status`, in a buffer of NET_DESCRIBE_LEN. */
void network_describe(const struct net_plan *plan, char *buf, size_t cap);
/* What network_prepare wrote down of them (files_dir/NAME.addresses),
 * for a supervisor that adopts the running container: malloc'd, or NULL. */
char *network_recorded(const char *files_dir, const char *name);

#else
static inline int network_prepare(const struct net_conf *n, const char *name, struct spec *spec, const char *files_dir,
				  const char *lease_dir, struct net_plan *plan)
{
	(void)n, (void)name, (void)spec, (void)files_dir, (void)lease_dir, (void)plan;
	return 0;
}
static inline int network_attach(const struct net_conf *n, const char *name, pid_t pid, const struct net_plan *plan)
{
	(void)n, (void)name, (void)pid, (void)plan;
	return 0;
}
static inline void network_forget(const struct net_conf *n, const char *files_dir, const char *name)
{
	(void)n, (void)files_dir, (void)name;
}
static inline void network_describe(const struct net_plan *plan, char *buf, size_t cap)
{
	(void)plan;
	if (cap)
		buf[0] = 0;
}
static inline char *network_recorded(const char *files_dir, const char *name)
{
	(void)files_dir, (void)name;
	return NULL;
}
#endif

#endif

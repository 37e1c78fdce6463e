/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files that apply a service file's keys (service_keys.c,
 * service_network.c): the key being applied and how to blame it. */
#ifndef BERTH_SPEC_KEYS_H
#define BERTH_SPEC_KEYS_H
#include "berth/config.h"
#include "berth/spec/ini.h"
#include "berth/spec/service.h"
#include "berth/util/arena.h"

struct key_ctx {
	struct service_conf *c;
	const struct ini_entry *e;
	const char *file;
	struct arena *a;
};

/* "file:line: key: what was wrong", logged; returns -1. */
#define KERR(k, ...) ini_error((k)->e, (k)->file, __VA_ARGS__)

/* service_network.c: a key of [network]; its checks once the whole file
 * is read. */
#ifdef CONFIG_NETWORK
int k_net_mode(struct key_ctx *k), k_net_bridge(struct key_ctx *k), k_net_bridge_address(struct key_ctx *k),
	k_net_parent(struct key_ctx *k), k_net_macvlan_mode(struct key_ctx *k), k_net_address(struct key_ctx *k),
	k_net_gateway(struct key_ctx *k), k_net_mtu(struct key_ctx *k), k_net_mac(struct key_ctx *k),
	k_net_dns(struct key_ctx *k), k_net_dns_search(struct key_ctx *k), k_net_hosts(struct key_ctx *k),
	k_net_publish(struct key_ctx *k);
int network_finish(struct service_conf *c);
#define IF_NETWORK(x) x
#else
static inline int network_finish(struct service_conf *c) { (void)c; return 0; }
#define IF_NETWORK(x)
#endif
/* An image's ExposedPorts entry ("80/tcp", "53/udp", "8080"): published
 * on the same port from a bridge unless the file says publish =. -1 if
 * it is no port. */
#ifdef CONFIG_NET_PUBLISH
int network_expose(struct service_conf *c, const char *port, int line);
#else
static inline int network_expose(struct service_conf *c, const char *port, int line)
{
	(void)c, (void)port, (void)line;
	return 0;
}
#endif

/* service_image.c: image = NAME[:TAG], a root and defaults from the image
 * store, over berth's default spec (load_base). */
#ifdef CONFIG_IMAGE_STORE
int service_image_base(struct service_conf *c, const struct ini_entry *e, const char *file);
/* rootfs = FILE (an image file): the version its pin chooses, after the
 * keys are read (rootfs-digest is the named file's only). */
int service_image_file(struct service_conf *c);
#define IF_IMAGE_STORE(x) x
#else
static inline int service_image_base(struct service_conf *c, const struct ini_entry *e, const char *file)
{
	(void)c;
	return ini_error(e, file, "images are not in this build (CONFIG_IMAGE_STORE)");
}
static inline int service_image_file(struct service_conf *c)
{
	(void)c;
	return 0;
}
#define IF_IMAGE_STORE(x)
#endif

#endif

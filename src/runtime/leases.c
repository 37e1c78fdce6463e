/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses handed out on a bridge. A service keeps the address it was
 * given across restarts and reboots; a new one gets the first free
 * address from a hash of its name on, so that on a fresh device the same
 * names get the same addresses too. Several starters may allocate at
 * once: the file is read, changed and replaced (synced, renamed) under a
 * lock, and a power cut leaves the old file or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "berth/runtime/leases.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define LEASES_MAX_FILE (1 << 20)

/* One more lease (its address kept without prefix); -1 out of memory. */
static int lease_add(struct leases *l, const char *name, const struct net_addr *ip)
{
	struct lease *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	char *copy = strdup(name);
	if (v)
		l->v = v;
	if (!v || !copy) {
		free(copy);
		return -1;
	}
	l->v[l->n] = (struct lease){ copy, *ip };
	l->v[l->n++].ip.prefix = -1;
	return 0;
}

int leases_parse(const char *text, size_t len, struct leases *l)
{
	l->v = NULL;
	l->n = 0;
	int skipped = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512];
		const char *next = nl ? nl + 1 : end;
		if (n >= sizeof(line)) {
			skipped++;
			p = next;
			continue;
		}
		memcpy(line, p, n);
		line[n] = 0;
		p = next;
		if (!line[0] || line[0] == '#')
			continue;
		char *sp = strchr(line, ' ');
		struct net_addr a;
		if (!sp || sp == line || (*sp = 0, !name_is_valid(line)) || net_addr_parse(sp + 1, &a) < 0 || a.prefix >= 0) {
			skipped++;
			continue;
		}
		skipped += lease_add(l, line, &a) < 0;
	}
	return skipped;
}

void leases_free(struct leases *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const struct lease *leases_find(const struct leases *l, const char *name, const struct net_addr *subnet)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name) && net_addr_in(subnet, &l->v[i].ip))
			return &l->v[i];
	return NULL;
}

static const struct lease *holder(const struct leases *l, const struct net_addr *ip)
{
	for (size_t i = 0; i < l->n; i++)
		if (net_addr_equal(&l->v[i].ip, ip))
			return &l->v[i];
	return NULL;
}

/* subnet's address with index as its host part (the low bits). */
static void host_address(const struct net_addr *subnet, uint64_t index, struct net_addr *out)
{
	*out = *subnet;
	out->line = 0;
	size_t len = net_addr_len(subnet);
	int host_bits = (int)len * 8 - subnet->prefix;
	for (int bit = 0; bit < (int)len * 8; bit++) {
		size_t byte = len - 1 - (size_t)bit / 8;
		uint8_t mask = (uint8_t)(1u << (bit % 8));
		if (bit < host_bits)
			out->ip[byte] = (uint8_t)((out->ip[byte] & ~mask) | ((bit < 64 && (index >> bit) & 1) ? mask : 0));
	}
}

int leases_choose(const struct leases *l, const char *name, const struct net_addr *subnet,
		  const struct net_addr *reserved, size_t n_reserved, struct net_addr *out)
{
	int host_bits = (int)net_addr_len(subnet) * 8 - subnet->prefix;
	if (subnet->prefix < 0 || host_bits < 2)
		return -1;
	/* Hosts 1 .. count-2 (IPv4 keeps the last for broadcast; IPv6 keeps
	 * the all-ones for symmetry); at most 2^24 candidates looked at. */
	uint64_t count = host_bits >= 32 ? (uint64_t)1 << 32 : (uint64_t)1 << host_bits;
	uint64_t usable = count - 2, tries = usable < (1u << 24) ? usable : (1u << 24);
	uint64_t start = net_name_hash(name) % usable;
	for (uint64_t i = 0; i < tries; i++) {
		host_address(subnet, 1 + (start + i) % usable, out);
		bool taken = holder(l, out) != NULL;
		for (size_t r = 0; r < n_reserved && !taken; r++)
			taken = net_addr_equal(&reserved[r], out);
		if (!taken) {
			out->prefix = subnet->prefix;
			return 0;
		}
	}
	return -1;
}

static char *leases_format(const struct leases *l, size_t *len)
{
	size_t cap = 1, n = 0;
	for (size_t i = 0; i < l->n; i++)
		cap += strlen(l->v[i].name) + NET_ADDR_STRLEN + 2;
	char *text = malloc(cap);
	if (!text)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		char b[NET_ADDR_STRLEN];
		n += (size_t)snprintf(text + n, cap - n, "%s %s\n", l->v[i].name, net_addr_format(&l->v[i].ip, false, b));
	}
	text[n] = 0;
	*len = n;
	return text;
}

/* name holds ip now: its other address of that subnet goes. */
static int leases_set(struct leases *l, const char *name, const struct net_addr *subnet, const struct net_addr *ip)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name) && net_addr_in(subnet, &l->v[i].ip)) {
			l->v[i].ip = *ip;
			l->v[i].ip.prefix = -1;
			return 0;
		}
	return lease_add(l, name, ip);
}

int lease_take(const char *dir, const char *bridge, const char *name, const struct net_addr *subnet,
	       const struct net_addr *reserved, size_t n_reserved, const struct net_addr *want, struct net_addr *out,
	       struct leases *all)
{
	char file[300], lock[300], b[NET_ADDR_STRLEN], s[NET_ADDR_STRLEN];
	snprintf(file, sizeof(file), "%s.leases", bridge);
	snprintf(lock, sizeof(lock), ".%s.lock", bridge);
	all->v = NULL;
	all->n = 0;
	if (mkdir_p(dir, 0755) < 0)
		return log_error("network: lease directory %s: %m", dir);
	int dfd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int lfd = dfd < 0 ? -1 : openat(dfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		log_error("network: %s/%s: %m", dir, lock);
		goto fail;
	}
	size_t len = 0;
	char *text = read_file_at(dfd, file, &len);
	if (!text && errno != ENOENT) {
		log_error("network: %s/%s: %m", dir, file);
		goto fail;
	}
	if (text && len > LEASES_MAX_FILE) {
		free(text);
		log_error("network: %s/%s: larger than %d bytes: not a lease file", dir, file, LEASES_MAX_FILE);
		goto fail;
	}
	int skipped = text ? leases_parse(text, len, all) : 0;
	free(text);
	if (skipped)
		log_warn("network: %s/%s: %d malformed line%s ignored", dir, file, skipped, skipped > 1 ? "s" : "");
	const struct lease *mine = leases_find(all, name, subnet);
	if (want) {
		const struct lease *h = holder(all, want);
		if (h && strcmp(h->name, name)) {
			log_error("network: %s is service %s's address on %s (%s/%s)", net_addr_format(want, false, b),
				  h->name, bridge, dir, file);
			goto fail;
		}
		*out = *want;
	} else if (mine) {
		*out = mine->ip;
		out->prefix = subnet->prefix;
	} else if (leases_choose(all, name, subnet, reserved, n_reserved, out) < 0) {
		log_error("network: no free address left in %s on %s", net_addr_format(subnet, true, s), bridge);
		goto fail;
	}
	if (!mine || !net_addr_equal(&mine->ip, out)) {
		size_t n;
		char *new_text = leases_set(all, name, subnet, out) < 0 ? NULL : leases_format(all, &n);
		/* Unrecorded, the address may go to another name later: say so,
		 * but a read-only /var must not keep the service down. */
		if (!new_text || write_file_durable(dfd, file, new_text, n, 0644) < 0)
			log_warn("network: %s/%s: %m: %s's address %s is not recorded", dir, file, name,
				 net_addr_format(out, false, b));
		free(new_text);
	}
	close(lfd);
	close(dfd);
	return 0;
fail:
	if (lfd >= 0)
		close(lfd);
	if (dfd >= 0)
		close(dfd);
	leases_free(all);
	return -1;
}

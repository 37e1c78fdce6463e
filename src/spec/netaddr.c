/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses as service files write them: IPv4 and IPv6 with an optional
 * prefix length, MAC addresses, interface names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/spec/network.h"
#include "berth/util/util.h"

int net_addr_parse(const char *s, struct net_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	if (!len || len >= sizeof(ip))
		return -1;
	memcpy(ip, s, len);
	ip[len] = 0;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, a->ip) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a->ip) == 1)
		a->family = AF_INET6;
	else
		return -1;
	a->prefix = -1;
	if (slash) {
		const char *p = slash + 1;
		uint64_t n;
		if ((p[0] == '0' && p[1]) || parse_u64(p, &n) < 0 || n > net_addr_len(a) * 8)
			return -1;
		a->prefix = (int)n;
	}
	return 0;
}

char *net_addr_format(const struct net_addr *a, bool with_prefix, char *buf)
{
	if (!inet_ntop(a->family, a->ip, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	if (with_prefix && a->prefix >= 0)
		sprintf(buf + strlen(buf), "/%d", a->prefix);
	return buf;
}

bool net_addr_in(const struct net_addr *subnet, const struct net_addr *ip)
{
	if (subnet->family != ip->family || subnet->prefix < 0)
		return false;
	int bits = subnet->prefix;
	size_t whole = (size_t)bits / 8;
	if (memcmp(subnet->ip, ip->ip, whole))
		return false;
	if (bits % 8 == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));
	return (subnet->ip[whole] & mask) == (ip->ip[whole] & mask);
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int d = 0; d < 2; d++, s++) {
			char c = *s;
			int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (x < 0)
				return -1;
			v = v * 16 + (unsigned)x;
		}
		mac[i] = (uint8_t)v;
		if (*s != (i == 5 ? 0 : ':'))
			return -1;
		s += i < 5;
	}
	/* A multicast address cannot be a link's own. */
	return mac[0] & 1 ? -1 : 0;
}

uint32_t net_name_hash(const char *name)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

void net_mac_from_name(const char *name, uint8_t mac[6])
{
	uint32_t h = net_name_hash(name), g = h * 2654435761u + 0x9e3779b9u;
	mac[0] = 0x02;	/* locally administered, unicast */
	mac[1] = (uint8_t)(g >> 24);
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

bool net_ifname_ok(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 15 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return !strpbrk(name, "/: \t\n");
}

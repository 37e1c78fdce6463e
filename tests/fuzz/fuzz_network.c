/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for what [network] reads from outside a service file: the
 * lease file (leases_parse, whatever a power cut or a hand left in it),
 * then a stable choice from what was read. The first line of the input
 * is an address, a subnet or a MAC address. Whatever happens:
 * - every lease kept has a valid name and an address without prefix;
 * - a chosen address lies in the subnet, is not one reserved, and is
 *   not one that a lease holds;
 * - an address formatted and parsed again is the same address. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/runtime/leases.h"
#include "berth/spec/network.h"
#include "berth/util/util.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t first = nl ? (size_t)(nl - text) : size;
	char head[128];
	if (first < sizeof(head)) {
		memcpy(head, text, first);
		head[first] = 0;
		struct net_addr a, again;
		uint8_t mac[6];
		net_mac_parse(head, mac);
		if (net_addr_parse(head, &a) == 0) {
			char b[NET_ADDR_STRLEN];
			if (net_addr_parse(net_addr_format(&a, true, b), &again) < 0 || !net_addr_equal(&a, &again) ||
			    a.prefix != again.prefix)
				abort();
		}
	}
	struct leases l;
	leases_parse(text, size, &l);
	for (size_t i = 0; i < l.n; i++)
		if (!name_is_valid(l.v[i].name) || l.v[i].ip.prefix >= 0)
			abort();
	static const char *const subnets[] = { "10.0.88.1/24", "10.9.0.1/30", "fd00::1/64", "10.0.0.1/8" };
	struct net_addr subnet, out;
	net_addr_parse(subnets[size % 4], &subnet);
	const char *name = l.n ? l.v[0].name : "svc";
	if (leases_choose(&l, name, &subnet, &subnet, 1, &out) == 0) {
		if (!net_addr_in(&subnet, &out) || net_addr_equal(&out, &subnet))
			abort();
		for (size_t i = 0; i < l.n; i++)
			if (net_addr_equal(&l.v[i].ip, &out))
				abort();
	}
	leases_free(&l);
	return 0;
}

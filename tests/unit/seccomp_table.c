/* SPDX-License-Identifier: Apache-2.0 */
/* Prints what libseccomp resolves, name to number and back, for every
 * syscall named on standard input and every architecture it knows, after
 * a line "ARCH -" for each one it does not: built once against Debian's
 * libseccomp and once against berth's patched one for each machine
 * (scripts/patches/libseccomp-*.patch: its table in shorts, sorted, with
 * only the ABIs of the machine it is built for), tests/unit/run.sh checks
 * that berth's knows exactly its machine's ABIs, each resolving every
 * name as Debian's does. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const arches[] = { "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64",
	"mips64n32", "mipsel", "mipsel64", "mipsel64n32", "parisc", "parisc64", "ppc", "ppc64",
	"ppc64le", "riscv64", "s390", "s390x" };
#define N_ARCHES (sizeof(arches) / sizeof(arches[0]))

int main(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
	uint32_t token[N_ARCHES];
	for (size_t i = 0; i < N_ARCHES; i++)
		if (!(token[i] = seccomp_arch_resolve_name(arches[i])))
			printf("%s -\n", arches[i]);
	char name[128];
	unsigned long lines = 0;
	while (fgets(name, sizeof(name), stdin)) {
		name[strcspn(name, "\n")] = 0;
		for (size_t i = 0; i < N_ARCHES; i++) {
			if (!token[i])
				continue;
			int nr = seccomp_syscall_resolve_name_arch(token[i], name);
			char *back = seccomp_syscall_resolve_num_arch(token[i], nr);
			printf("%s %s %d %s\n", arches[i], name, nr, back ? back : "-");
			free(back);
			lines++;
		}
	}
	fprintf(stderr, "%lu lookups\n", lines);
	return 0;
}

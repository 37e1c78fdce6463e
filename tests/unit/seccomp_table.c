/* SPDX-License-Identifier: Apache-2.0 */
/* Prints what libseccomp resolves, name to number and back, for every
 * syscall named on standard input and every architecture it knows: built
 * once against Debian's libseccomp and once against berth's patched one
 * (scripts/patches/libseccomp-short-syscall-table.patch), the two outputs
 * must be the same (tests/unit/run.sh). */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	static const char *const arches[] = { "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64",
		"mips64n32", "mipsel", "mipsel64", "mipsel64n32", "parisc", "parisc64", "ppc", "ppc64",
		"ppc64le", "riscv64", "s390", "s390x" };
	const struct scmp_version *v = seccomp_version();
	printf("libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
	char name[128];
	unsigned long lines = 0;
	while (fgets(name, sizeof(name), stdin)) {
		name[strcspn(name, "\n")] = 0;
		for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
			uint32_t arch = seccomp_arch_resolve_name(arches[i]);
			if (!arch)
				continue;
			int nr = seccomp_syscall_resolve_name_arch(arch, name);
			char *back = seccomp_syscall_resolve_num_arch(arch, nr);
			printf("%s %s %d %s\n", arches[i], name, nr, back ? back : "-");
			free(back);
			lines++;
		}
	}
	fprintf(stderr, "%lu lookups\n", lines);
	return 0;
}

#include <stdio.h>
#include <string.h>
#include "berth/linux.h"
#include "berth/log.h"
#include "berth/util.h"

int sysctl_apply(const struct spec *s)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		char path[512];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", s->sysctl[i].key);
		if (n < 0 || (size_t)n >= sizeof(path))
			return log_error("linux.sysctl: %s: name too long", s->sysctl[i].key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		const char *v = s->sysctl[i].value;
		if (write_file(path, v, strlen(v), 0) < 0)
			return log_error("linux.sysctl: %s = \"%s\": %m", s->sysctl[i].key, v);
	}
	return 0;
}

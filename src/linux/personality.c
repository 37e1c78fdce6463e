/* SPDX-License-Identifier: Apache-2.0 */
/* linux.personality: the execution domain (LINUX32: `uname -m` says
 * i686 on x86_64, armv8l on arm64), inherited across exec. */
#include <sys/personality.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"

int process_personality(const struct spec *s)
{
	if (s->has_personality && personality(s->personality) < 0)
		return log_error("linux.personality: %m");
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The fuzz targets feed bad input on purpose: berth's error messages
 * would be most of their output. Each calls log_set_sink(fuzz_quiet). */
#ifndef BERTH_FUZZ_QUIET_H
#define BERTH_FUZZ_QUIET_H
#include "berth/util/log.h"

static void fuzz_quiet(int level, const char *msg)
{
	(void)level, (void)msg;
}

#endif

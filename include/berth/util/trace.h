/* SPDX-License-Identifier: Apache-2.0 */
/* Step timestamps for bench/steps.sh (CONFIG_TRACE): TRACE("step") marks
 * the end of a step, appending "SECONDS PID STEP" to the file that
 * BERTH_TRACE names. Nothing at all in a build without it. */
#ifndef BERTH_TRACE_H
#define BERTH_TRACE_H
#include "berth/config.h"

#ifdef CONFIG_TRACE
void trace_mark(const char *step);
#define TRACE(step) trace_mark(step)
#else
#define TRACE(step) ((void)0)
#endif

#endif

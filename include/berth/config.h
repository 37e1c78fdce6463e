/* SPDX-License-Identifier: Apache-2.0 */
/* The build configuration (generated from .config by the Makefile). */
#ifndef BERTH_CONFIG_H
#define BERTH_CONFIG_H
#include "generated/config.h"
#endif

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FUZZ_SHIM_LINUX_KERNEL_H
#define _FUZZ_SHIM_LINUX_KERNEL_H

#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif

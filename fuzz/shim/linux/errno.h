/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the errno values are the uapi ones. */
#ifndef _FUZZ_SHIM_LINUX_ERRNO_H
#define _FUZZ_SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>	/* the uapi values, asm/errno.h */

#endif

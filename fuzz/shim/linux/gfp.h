/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: allocation flags mean nothing to malloc(). */
#ifndef _FUZZ_SHIM_LINUX_GFP_H
#define _FUZZ_SHIM_LINUX_GFP_H

typedef unsigned int gfp_t;

#define GFP_KERNEL		0U
#define GFP_KERNEL_ACCOUNT	0U
#define __GFP_RETRY_MAYFAIL	0U
#define __GFP_NOWARN		0U

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: only the type, for kmod/quota.h's declarations. */
#ifndef _FUZZ_SHIM_LINUX_UIDGID_H
#define _FUZZ_SHIM_LINUX_UIDGID_H

typedef struct {
	unsigned int val;
} kuid_t;

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: only the type, for kmod/quota.h's declarations. */
#ifndef _FUZZ_SHIM_LINUX_ATOMIC_H
#define _FUZZ_SHIM_LINUX_ATOMIC_H

typedef struct {
	long long counter;
} atomic64_t;

#endif

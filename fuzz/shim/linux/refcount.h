/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: kmod/quota.h's inline mls_user_hold() needs refcount_inc(). */
#ifndef _FUZZ_SHIM_LINUX_REFCOUNT_H
#define _FUZZ_SHIM_LINUX_REFCOUNT_H

typedef struct {
	int refs;
} refcount_t;

static inline void refcount_inc(refcount_t *r)
{
	r->refs++;
}

#endif

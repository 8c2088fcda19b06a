/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: only the type, for kmod/quota.h's declarations. */
#ifndef _FUZZ_SHIM_LINUX_RCUPDATE_H
#define _FUZZ_SHIM_LINUX_RCUPDATE_H

struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *head);
};

#endif

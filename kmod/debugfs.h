/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_DEBUGFS_H
#define _MLS_DEBUGFS_H

/*
 * /sys/kernel/debug/mls/groups. As the kernel's convention has it, a
 * debugfs failure (or no debugfs at all) is no error: nothing to check.
 */
void mls_debugfs_init(void);
void mls_debugfs_exit(void);

#endif /* _MLS_DEBUGFS_H */

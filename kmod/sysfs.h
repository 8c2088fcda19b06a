/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_SYSFS_H
#define _MLS_SYSFS_H

int mls_sysfs_init(void);
void mls_sysfs_exit(void);

#endif /* _MLS_SYSFS_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_SYSFS_H
#define _MLS_SYSFS_H

struct mls_group;

int mls_sysfs_init(void);
void mls_sysfs_exit(void);

/*
 * /sys/kernel/mls/groups/<id>: made when @g is published, removed by its
 * destroyer. Once mls_sysfs_group_del() returns no show of its files runs,
 * so the directory holds no reference on @g.
 */
int mls_sysfs_group_add(struct mls_group *g);
void mls_sysfs_group_del(struct mls_group *g);

#endif /* _MLS_SYSFS_H */

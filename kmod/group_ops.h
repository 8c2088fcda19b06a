/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_GROUP_OPS_H
#define _MLS_GROUP_OPS_H

#include <linux/fs.h>

long mls_group_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _MLS_GROUP_OPS_H */

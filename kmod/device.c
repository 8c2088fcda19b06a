// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mls: the control node. Its ioctls create, join and open groups
 * (each returns a group fd) and run the module-wide operations.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "device.h"
#include "drain.h"
#include "evbuf.h"
#include "group_new.h"
#include "join_stage.h"
#include "ioctl.h"
#include "snapshot.h"
#include "suite.h"

#include <uapi/linux/mls.h>

#include <linux/miscdevice.h>
#include <linux/module.h>

static int mls_ioc_get_version(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_version *v = arg;

	if (v->flags || v->reserved)
		return -EINVAL;
	v->api_version = MLS_API_VERSION;
	v->features = MLS_FEATURE_VERSION_IOCTL | MLS_FEATURE_GROUPS |
		      MLS_FEATURE_EVBUF | MLS_FEATURE_EVENTS |
		      MLS_FEATURE_HANDSHAKE | MLS_FEATURE_BATCH |
		      MLS_FEATURE_PERSIST | MLS_FEATURE_RESERVE |
		      MLS_FEATURE_DRAIN | MLS_FEATURE_DECRYPT_ZEROCOPY |
		      MLS_FEATURE_COMMIT_FINAL;
	v->suites = mls_suite_mask();
	return 0;
}

static const struct mls_ioctl_desc mls_ctl_ioctls[] = {
	{ MLS_IOC_GET_VERSION, MLS_VERSION_SIZE_VER0, mls_ioc_get_version },
	{ MLS_IOC_GROUP_CREATE, MLS_GROUP_NEW_SIZE_VER0, mls_ioc_group_create,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_GROUP_JOIN, MLS_GROUP_NEW_SIZE_VER0, mls_ioc_group_join,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_GROUP_OPEN, MLS_GROUP_OPEN_SIZE_VER0, mls_ioc_group_open },
	{ MLS_IOC_GROUP_LIST, MLS_GROUP_LIST_SIZE_VER0, mls_ioc_group_list },
	{ MLS_IOC_JOIN_STAGE, MLS_JOIN_STAGE_SIZE_VER0, mls_ioc_join_stage,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_GROUP_IMPORT, MLS_GROUP_IMPORT_SIZE_VER0,
	  mls_ioc_group_import, MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_DRAIN, MLS_DRAIN_SIZE_VER0, mls_ioc_drain },
};

/* ioctl numbers 0x40-0x4f: the event buffer (evbuf_ioctl.c). */
#define MLS_IOC_NR_EVBUF_FIRST	0x40
#define MLS_IOC_NR_EVBUF_LAST	0x4f

static long mls_ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (_IOC_TYPE(cmd) == MLS_IOC_MAGIC &&
	    _IOC_NR(cmd) >= MLS_IOC_NR_EVBUF_FIRST &&
	    _IOC_NR(cmd) <= MLS_IOC_NR_EVBUF_LAST)
		return mls_evbuf_ioctl(file, cmd, arg);
	return mls_ioctl_dispatch(mls_ctl_ioctls, ARRAY_SIZE(mls_ctl_ioctls),
				  file, cmd, arg);
}

static const struct file_operations mls_ctl_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mls_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * Any user may open /dev/mls: what one may do is decided per object
 * (groups carry an owner and a mode), as for /dev/net/tun.
 */
static struct miscdevice mls_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= MLS_DEVICE_NAME,
	.fops	= &mls_ctl_fops,
	.mode	= 0666,
};

int mls_device_init(void)
{
	return misc_register(&mls_miscdev);
}

void mls_device_exit(void)
{
	misc_deregister(&mls_miscdev);
}

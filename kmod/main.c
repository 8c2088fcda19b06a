// SPDX-License-Identifier: GPL-2.0
/*
 * mls: Messaging Layer Security (RFC 9420) group state and message
 * protection in the kernel. This file only orders init and exit.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "device.h"
#include "netlink.h"
#include "sysfs.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/genetlink.h>
#include <linux/module.h>

static int __init mls_mod_init(void)
{
	int ret;

	ret = mls_sysfs_init();
	if (ret)
		goto err_sysfs;
	ret = mls_genl_init();
	if (ret)
		goto err_genl;
	ret = mls_device_init();
	if (ret)
		goto err_device;

	pr_info("mls " MLS_MODULE_VERSION " loaded (api %d)\n", MLS_API_VERSION);
	return 0;

err_device:
	mls_genl_exit();
err_genl:
	mls_sysfs_exit();
err_sysfs:
	return ret;
}

static void __exit mls_mod_exit(void)
{
	mls_device_exit();
	mls_genl_exit();
	mls_sysfs_exit();
}

module_init(mls_mod_init);
module_exit(mls_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Messaging Layer Security (RFC 9420) group state and message protection");
MODULE_AUTHOR("The mls authors");
MODULE_VERSION(MLS_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(MLS_GENL_NAME);

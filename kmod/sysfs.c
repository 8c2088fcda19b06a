// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mls: module state, one value per file, never a secret.
 * Documented in Documentation/ABI/testing/sysfs-kernel-mls.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "sysfs.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/kobject.h>
#include <linux/sysfs.h>

static struct kobject *mls_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MLS_MODULE_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t api_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", MLS_API_VERSION);
}

static struct kobj_attribute api_version_attr = __ATTR_RO(api_version);

static struct attribute *mls_attrs[] = {
	&version_attr.attr,
	&api_version_attr.attr,
	NULL,
};

static const struct attribute_group mls_attr_group = {
	.attrs = mls_attrs,
};

int mls_sysfs_init(void)
{
	int ret;

	mls_kobj = kobject_create_and_add("mls", kernel_kobj);
	if (!mls_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mls_kobj, &mls_attr_group);
	if (ret) {
		kobject_put(mls_kobj);
		mls_kobj = NULL;
	}
	return ret;
}

void mls_sysfs_exit(void)
{
	sysfs_remove_group(mls_kobj, &mls_attr_group);
	kobject_put(mls_kobj);
	mls_kobj = NULL;
}

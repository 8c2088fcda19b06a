// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The control device: open, version, and the groups it makes and finds. */
#include <libmls.h>

#include "lib.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MLS_EXPORT int mls_open(int flags)
{
	int saved = errno;
	int fd = open("/dev/" MLS_DEVICE_NAME, O_RDWR | O_CLOEXEC | flags);

	if (fd < 0)
		fd = -errno;
	errno = saved;
	return fd;
}

MLS_EXPORT int mls_get_version(int ctl_fd, struct mls_version *v)
{
	if (!v)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	return mls_ioctl(ctl_fd, MLS_IOC_GET_VERSION, v);
}

/*
 * struct mls_group_new grew in libmls 0.3 (psks, staged_fd): a program
 * linked before passes MLS_GROUP_NEW_SIZE_VER0 bytes, and its calls name
 * that size to the kernel, which gives the new fields zero.
 */
MLS_EXPORT int mls_group_create_v01(int ctl_fd, struct mls_group_new *g);
MLS_EXPORT int mls_group_create_v01(int ctl_fd, struct mls_group_new *g)
{
	if (!g)
		return -EINVAL;
	return mls_ioctl(ctl_fd, MLS_IOC_SIZED(MLS_IOC_GROUP_CREATE,
					       MLS_GROUP_NEW_SIZE_VER0), g);
}
MLS_SYMVER(mls_group_create_v01, mls_group_create, "@LIBMLS_0.1");

MLS_EXPORT int mls_group_create_v03(int ctl_fd, struct mls_group_new *g);
MLS_EXPORT int mls_group_create_v03(int ctl_fd, struct mls_group_new *g)
{
	if (!g)
		return -EINVAL;
	return mls_ioctl(ctl_fd, MLS_IOC_GROUP_CREATE, g);
}
MLS_SYMVER(mls_group_create_v03, mls_group_create, "@@LIBMLS_0.3");

MLS_EXPORT int mls_group_join_v01(int ctl_fd, struct mls_group_new *g);
MLS_EXPORT int mls_group_join_v01(int ctl_fd, struct mls_group_new *g)
{
	if (!g)
		return -EINVAL;
	return mls_ioctl(ctl_fd, MLS_IOC_SIZED(MLS_IOC_GROUP_JOIN,
					       MLS_GROUP_NEW_SIZE_VER0), g);
}
MLS_SYMVER(mls_group_join_v01, mls_group_join, "@LIBMLS_0.1");

MLS_EXPORT int mls_group_join_v03(int ctl_fd, struct mls_group_new *g);
MLS_EXPORT int mls_group_join_v03(int ctl_fd, struct mls_group_new *g)
{
	if (!g)
		return -EINVAL;
	return mls_ioctl(ctl_fd, MLS_IOC_GROUP_JOIN, g);
}
MLS_SYMVER(mls_group_join_v03, mls_group_join, "@@LIBMLS_0.3");

MLS_EXPORT int mls_group_open(int ctl_fd, uint32_t id)
{
	struct mls_group_open o = { .flags = 0, .id = id };

	return mls_ioctl(ctl_fd, MLS_IOC_GROUP_OPEN, &o);
}

/*
 * Ask with room for what exists now plus some: groups made between two
 * calls make the kernel ask again, a bounded number of times.
 */
MLS_EXPORT int mls_group_list(int ctl_fd, uint32_t **ids, size_t *count)
{
	struct mls_group_list l;
	uint32_t cap = 16, *buf;
	int ret, i;

	if (!ids || !count)
		return -EINVAL;
	*ids = NULL;
	*count = 0;
	for (i = 0; i < MLS_RETRIES; i++) {
		buf = mls_malloc(cap * sizeof(*buf));
		if (!buf)
			return -ENOMEM;
		memset(&l, 0, sizeof(l));
		l.count = cap;
		l.ids = (uint64_t)(uintptr_t)buf;
		ret = mls_ioctl(ctl_fd, MLS_IOC_GROUP_LIST, &l);
		if (ret == 0) {
			if (l.count == 0) {
				free(buf);
				buf = NULL;
			}
			*ids = buf;
			*count = l.count;
			return 0;
		}
		free(buf);
		if (ret != -ENOSPC)
			return ret;
		if (l.count > UINT32_MAX / 2 - 16)
			return -EOVERFLOW;
		cap = l.count + l.count / 4 + 16;
	}
	return -ENOSPC;
}

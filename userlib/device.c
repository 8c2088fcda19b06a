// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The control device: open and version. */
#include "lib.h"

#include <libmls.h>

#include <fcntl.h>
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
	memset(v, 0, sizeof(*v));
	return mls_ioctl(ctl_fd, MLS_IOC_GET_VERSION, v);
}

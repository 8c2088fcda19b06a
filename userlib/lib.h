/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/* libmls internals, not installed. */
#ifndef LIBMLS_LIB_H
#define LIBMLS_LIB_H

#include <errno.h>
#include <sys/ioctl.h>

#define MLS_EXPORT __attribute__((visibility("default")))

/* ioctl(2) that returns -errno instead of setting errno. */
static inline int mls_ioctl(int fd, unsigned long req, void *arg)
{
	int saved = errno;
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

#endif /* LIBMLS_LIB_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * File descriptor helpers shared by the tools (fdio.h).
 *
 * Copyright (C) 2026 The mls authors.
 */
#include "fdio.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

int write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

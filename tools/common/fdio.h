/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File descriptor helpers shared by the tools (mlsctl, mls-persistd):
 * built into each of them by tools/Makefile.
 */
#ifndef MLS_TOOLS_FDIO_H
#define MLS_TOOLS_FDIO_H

#include <stddef.h>

/* All @len bytes of @p to @fd, again after EINTR and short writes: 0, or -errno. */
int write_all(int fd, const void *p, size_t len);

#endif /* MLS_TOOLS_FDIO_H */

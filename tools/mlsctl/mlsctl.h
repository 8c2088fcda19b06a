/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLSCTL_H
#define MLSCTL_H

#include <stdbool.h>

/* Exit statuses (mlsctl(8)). */
enum {
	EXIT_OK		= 0,
	EXIT_USAGE	= 1,
	EXIT_KERNEL	= 2,
};

struct mlsctl_opts {
	bool json;
};

int cmd_version(const struct mlsctl_opts *o, int argc, char **argv);

#endif /* MLSCTL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table-driven ioctl dispatch shared by /dev/mls and the group fds: the
 * argument struct is copied in and out here, by the rules of the uapi
 * header (size from the ioctl number, growth at the end), so that the
 * handlers only see a kernel copy.
 */
#ifndef _MLS_IOCTL_H
#define _MLS_IOCTL_H

#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/types.h>

/* Largest argument struct of any mls ioctl. */
#define MLS_IOCTL_MAX_ARG 256

/**
 * struct mls_ioctl_ctx - what a handler hands back besides its return value
 * @file: the file the ioctl was called on
 * @new_file: a file to install as a new fd once the argument has been
 *            copied back (NULL if none); the handler has reserved @new_fd
 * @new_fd: the reserved descriptor number for @new_file
 * @undo: called when the ioctl fails after the handler succeeded (the
 *	argument could not be copied back): undoes what the handler did, so
 *	that a failed call leaves nothing behind
 * @done: called once the ioctl succeeded (the argument was copied back):
 *	commits what the handler only prepared
 * @undo_arg: the argument of @undo and @done
 * @finish: for a handler whose state change must not happen unless the
 *	call succeeds: called once the argument has been copied back, makes
 *	the change and gives the call's result
 * @cancel: called instead of @finish when the copy back failed, so that
 *	the failed call changed nothing
 * @finish_arg: their argument
 *
 * A handler sets @undo and @done only when it returns 0: exactly one of
 * them is then called. @finish runs before @done; a handler uses either
 * @done or @finish and @cancel, whichever fits its change.
 */
struct mls_ioctl_ctx {
	struct file *file;
	struct file *new_file;
	int new_fd;
	void (*undo)(void *arg);
	void (*done)(void *arg);
	void *undo_arg;
	int (*finish)(void *arg);
	void (*cancel)(void *arg);
	void *finish_arg;
};

/**
 * struct mls_ioctl_desc - one row of an ioctl table
 * @cmd: the ioctl number as published (its size is the current struct's)
 * @min_size: the struct's first published size (…_SIZE_VER0)
 * @handler: works on the kernel copy @arg; returns 0 or -errno
 * @flags: MLS_IOCTL_F_*
 */
struct mls_ioctl_desc {
	unsigned int cmd;
	unsigned int min_size;
	int (*handler)(struct mls_ioctl_ctx *ctx, void *arg);
	unsigned int flags;
};

/* Makes a group or changes one's state: -ESHUTDOWN during a drain. */
#define MLS_IOCTL_F_SERVICE	BIT(0)

long mls_ioctl_dispatch(const struct mls_ioctl_desc *table, size_t n,
			struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _MLS_IOCTL_H */

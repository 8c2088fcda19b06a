// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mls authors.
 */

#include "drain.h"
#include "ioctl.h"

#include <uapi/linux/mls.h>

#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

static const struct mls_ioctl_desc *find_desc(const struct mls_ioctl_desc *table,
					      size_t n, unsigned int cmd)
{
	size_t i;

	if (_IOC_TYPE(cmd) != MLS_IOC_MAGIC)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned int c = table[i].cmd;

		if (_IOC_NR(c) == _IOC_NR(cmd) && _IOC_DIR(c) == _IOC_DIR(cmd))
			return &table[array_index_nospec(i, n)];
	}
	return NULL;
}

static long mls_ioctl_run(const struct mls_ioctl_desc *d, struct file *file,
			  unsigned int cmd, unsigned long arg)
{
	struct mls_ioctl_ctx ctx = { .file = file, .new_fd = -1 };
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);
	size_t ksize;
	u8 karg[MLS_IOCTL_MAX_ARG] __aligned(8);
	long ret;

	ksize = _IOC_SIZE(d->cmd);
	if (WARN_ON_ONCE(ksize > sizeof(karg)))
		return -ENOTTY;
	if (usize < d->min_size)
		return -EINVAL;

	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(karg, ksize, uarg, usize);
		if (ret)
			goto out;
	} else {
		memset(karg, 0, ksize);
	}

	ret = d->handler(&ctx, karg);
	/* -ENOSPC writes back the sizes needed, per the uapi rules. */
	if (ret < 0 && ret != -ENOSPC)
		goto out;

	if ((_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, karg, min(usize, ksize))) {
		if (ret >= 0 && ctx.cancel)
			ctx.cancel(ctx.finish_arg);
		if (ret >= 0 && ctx.undo)
			ctx.undo(ctx.undo_arg);
		ret = -EFAULT;
		goto out;
	}
	if (ret < 0)
		goto out;
	if (ctx.finish) {
		ret = ctx.finish(ctx.finish_arg);
		if (ret < 0) {
			if (ctx.undo)
				ctx.undo(ctx.undo_arg);
			goto out;
		}
	}
	if (ctx.done)
		ctx.done(ctx.undo_arg);
	if (ctx.new_file) {
		fd_install(ctx.new_fd, ctx.new_file);
		ctx.new_file = NULL;
		ret = ctx.new_fd;
	}
out:
	if (ctx.new_file) {
		fput(ctx.new_file);
		put_unused_fd(ctx.new_fd);
	}
	/* Arguments may carry secrets (commit inputs): never leave them. */
	memzero_explicit(karg, ksize);
	return ret;
}

long mls_ioctl_dispatch(const struct mls_ioctl_desc *table, size_t n,
			struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct mls_ioctl_desc *d = find_desc(table, n, cmd);
	long ret;
	int idx;

	if (!d)
		return -ENOTTY;
	if (!(d->flags & MLS_IOCTL_F_SERVICE))
		return mls_ioctl_run(d, file, cmd, arg);
	/* A drain waits for the calls it let in (drain.c). */
	idx = srcu_read_lock(&mls_service_srcu);
	if (unlikely(mls_drain_id()))
		ret = -ESHUTDOWN;
	else
		ret = mls_ioctl_run(d, file, cmd, arg);
	srcu_read_unlock(&mls_service_srcu, idx);
	return ret;
}

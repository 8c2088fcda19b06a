// SPDX-License-Identifier: GPL-2.0
/*
 * Staged joins (RFC 9420 §12.4.3.1).
 *
 * A Welcome's GroupInfo is encrypted under welcome_secret, derived from
 * the member secret Extract(joiner_secret, psk_secret); the GroupContext
 * a join needs is inside that GroupInfo. When the psk_secret needs a
 * resumption PSK, only the kernel can compute it: MLS_IOC_JOIN_STAGE
 * keeps the member secret behind an fd and returns welcome_secret, and
 * MLS_IOC_GROUP_JOIN with MLS_GROUP_F_STAGED completes the join.
 *
 * The member secret is erased by whichever comes first: a join that
 * succeeds with it, the fd's release, or its timeout (a delayed work).
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch_args.h"
#include "join_stage.h"
#include "keysched.h"
#include "params.h"
#include "psk.h"
#include "uarg.h"

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

enum staged_state {
	STAGED_READY,
	STAGED_TAKEN,		/* a join is running with it */
	STAGED_USED,
	STAGED_TIMED_OUT,
};

struct mls_join_staged {
	struct file *file;
	const struct mls_suite *suite;
	struct mutex lock;		/* state, member */
	enum staged_state state;
	u8 member[MLS_MAX_HASH_LEN];
	struct delayed_work timeout;
};

static void staged_erase(struct mls_join_staged *j, enum staged_state state)
{
	lockdep_assert_held(&j->lock);
	memzero_explicit(j->member, sizeof(j->member));
	j->state = state;
}

static void staged_timeout(struct work_struct *work)
{
	struct mls_join_staged *j = container_of(to_delayed_work(work),
						 struct mls_join_staged, timeout);

	mutex_lock(&j->lock);
	/* A join running with it finishes; a ready one is erased. */
	if (j->state == STAGED_READY)
		staged_erase(j, STAGED_TIMED_OUT);
	mutex_unlock(&j->lock);
}

static int staged_release(struct inode *inode, struct file *file)
{
	struct mls_join_staged *j = file->private_data;

	cancel_delayed_work_sync(&j->timeout);
	memzero_explicit(j->member, sizeof(j->member));
	mutex_destroy(&j->lock);
	kfree_sensitive(j);
	return 0;
}

static const struct file_operations mls_join_staged_fops = {
	.owner		= THIS_MODULE,
	.release	= staged_release,
	.llseek		= noop_llseek,
};

static int check_stage(const struct mls_join_stage *a)
{
	if (a->flags || a->reserved0 || a->reserved1)
		return -EINVAL;
	if (a->timeout_ms > mls_commit_timeout_ms_max)
		return -EINVAL;
	return 0;
}

int mls_ioc_join_stage(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_join_stage *a = arg;
	u8 joiner[MLS_MAX_HASH_LEN], psk[MLS_MAX_HASH_LEN];
	u8 welcome[MLS_MAX_HASH_LEN];
	const struct mls_suite *s;
	struct mls_join_staged *j;
	struct file *file;
	u32 timeout;
	int fd, ret;

	ret = check_stage(a);
	if (ret)
		return ret;
	s = mls_suite_find(a->suite);
	if (!s)
		return -EINVAL;
	ret = mls_buf_fits(&a->welcome_secret, s->nh);
	if (ret)
		return ret;
	j = kzalloc(sizeof(*j), GFP_KERNEL_ACCOUNT);
	if (!j)
		return -ENOMEM;
	mutex_init(&j->lock);
	INIT_DELAYED_WORK(&j->timeout, staged_timeout);
	j->suite = s;
	ret = mls_epoch_args_secret(s, &a->joiner_secret, joiner, true) ?:
	      mls_psk_secret_read(s, &a->psk_secret, &a->psks, psk) ?:
	      mls_keysched_member(s, joiner, psk, j->member, welcome) ?:
	      mls_buf_write(&a->welcome_secret, welcome, s->nh);
	memzero_explicit(joiner, sizeof(joiner));
	memzero_explicit(psk, sizeof(psk));
	memzero_explicit(welcome, sizeof(welcome));
	if (ret)
		goto err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err;
	}
	file = anon_inode_getfile("[mls-join]", &mls_join_staged_fops, j,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto err;
	}
	j->file = file;
	timeout = a->timeout_ms ?: min(mls_commit_timeout_ms,
				       mls_commit_timeout_ms_max);
	schedule_delayed_work(&j->timeout, msecs_to_jiffies(max(timeout, 1U)));
	/* Installed by the dispatcher once the struct is copied back. */
	ctx->new_file = file;
	ctx->new_fd = fd;
	return 0;
err:
	memzero_explicit(j->member, sizeof(j->member));
	mutex_destroy(&j->lock);
	kfree_sensitive(j);
	return ret;
}

struct mls_join_staged *mls_join_staged_get(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &mls_join_staged_fops) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	return file->private_data;
}

void mls_join_staged_put(struct mls_join_staged *j)
{
	fput(j->file);
}

int mls_join_staged_take(struct mls_join_staged *j, const struct mls_suite *s,
			 u8 *member)
{
	int ret = 0;

	mutex_lock(&j->lock);
	if (j->suite != s)
		ret = -EINVAL;
	else if (j->state == STAGED_TIMED_OUT)
		ret = -ETIMEDOUT;
	else if (j->state == STAGED_USED)
		ret = -ESTALE;
	else if (j->state == STAGED_TAKEN)
		ret = -EBUSY;
	if (!ret) {
		memcpy(member, j->member, s->nh);
		j->state = STAGED_TAKEN;
	}
	mutex_unlock(&j->lock);
	return ret;
}

void mls_join_staged_done(struct mls_join_staged *j, bool used)
{
	mutex_lock(&j->lock);
	if (used)
		staged_erase(j, STAGED_USED);
	else if (delayed_work_pending(&j->timeout))
		j->state = STAGED_READY;
	else
		staged_erase(j, STAGED_TIMED_OUT);
	mutex_unlock(&j->lock);
}

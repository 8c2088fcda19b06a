// SPDX-License-Identifier: GPL-2.0
/*
 * Batches: MLS_IOC_ENCRYPT_BATCH and MLS_IOC_DECRYPT_BATCH.
 *
 * A batch is the single-message ioctls in a loop inside one system call:
 * each entry is read, handled by exactly the code of MLS_IOC_ENCRYPT or
 * MLS_IOC_DECRYPT (its checks, its epoch, its generation, its errno) and
 * written back before the next is read. No lock is held from one entry
 * to the next, nor across an AEAD: a commit, a destroy or another thread
 * interleaves with a batch as with single calls, and every (epoch, leaf,
 * generation) is still used once. What a batch saves is the system call
 * and the dispatcher's copies per message, the HMAC key blocks of the
 * sender-data derivations (the epoch's sender_data_secret is made ready
 * once per epoch of the batch), and half the AEAD setkeys: the batch
 * owns one AEAD tfm (struct mls_batch_keys, which also holds a reference
 * on the epoch until the batch ends or moves on), rekeyed per operation
 * without the zero key in between. An encrypt seals the content and then
 * the sender data in it (2 setkeys instead of 4), a decrypt opens the
 * sender data in it and the content in the pool's slot, wiped as for a
 * single call (3 instead of 4): so no content key outlives its entry,
 * and what stays in the tfm between entries is a sender-data key, which
 * the batch's sender_data_secret derives at will anyway. The zero key is
 * set once the batch ends, whatever stopped it (mls_batch_keys_free()),
 * and the tfm is owned without a lock: the copies between entries may
 * fault and sleep without stalling anyone else's AEAD.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "group_ops.h"
#include "ioctl.h"
#include "params.h"

#include <uapi/linux/mls.h>

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static int batch_check(struct mls_batch *b, size_t entry_size)
{
	unsigned int max = min_t(unsigned int, READ_ONCE(mls_max_batch),
				 MLS_MAX_BATCH_LIMIT);

	b->done = 0;
	b->lost = 0;
	b->lost_generation = 0;
	b->lost_epoch = 0;
	if (b->flags || !b->count || b->count > max ||
	    b->entry_size != entry_size)
		return -EINVAL;
	return 0;
}

/*
 * An entry's result as userspace may see it. A single call that a
 * signal interrupted before it consumed anything returns -ERESTARTSYS,
 * which the signal code turns into a restart or -EINTR; an entry is not
 * restarted (the batch returns its count), so it reports -EINTR.
 */
static int batch_errno(int err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	}
	return err;
}

static void __user *batch_entry(const struct mls_batch *b, u32 i)
{
	return u64_to_user_ptr(b->entries + (u64)i * b->entry_size);
}

int mls_ioc_encrypt_batch(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_batch *b = arg;
	struct mls_encrypt_entry e;
	struct mls_batch_keys *bk;
	u32 i;
	int ret;

	ret = batch_check(b, sizeof(e));
	if (ret)
		return ret;
	/* Without it (no memory), each message makes its own. */
	bk = mls_batch_keys_new();
	for (i = 0; i < b->count; i++) {
		struct mls_encrypt_entry __user *u = batch_entry(b, i);
		struct mls_ioctl_ctx one = { .file = ctx->file, .new_fd = -1 };
		bool used = false;

		/* A killed caller stops like a short write. */
		if (fatal_signal_pending(current))
			break;
		if (copy_from_user(&e, u, sizeof(e)))
			break;
		/*
		 * The entry must take its result before a generation is
		 * used for it: a fault here costs nothing.
		 */
		if (put_user(-EINPROGRESS, &u->error))
			break;
		if (e.reserved)
			e.error = -EINVAL;
		else
			e.error = batch_errno(mls_group_encrypt(&one, &e.op,
								bk, &used));
		if (copy_to_user(u, &e, sizeof(e))) {
			if (used) {
				b->lost = 1;
				b->lost_epoch = e.op.epoch;
				b->lost_generation = e.op.generation;
			}
			break;
		}
		b->done = i + 1;
		cond_resched();
	}
	mls_batch_keys_free(bk);
	return b->done;
}

int mls_ioc_decrypt_batch(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_batch *b = arg;
	struct mls_decrypt_entry e;
	struct mls_batch_keys *bk;
	u32 i;
	int ret;

	ret = batch_check(b, sizeof(e));
	if (ret)
		return ret;
	/* Without it (no memory), each message makes its own. */
	bk = mls_batch_keys_new();
	for (i = 0; i < b->count; i++) {
		struct mls_decrypt_entry __user *u = batch_entry(b, i);
		struct mls_ioctl_ctx one = { .file = ctx->file, .new_fd = -1 };

		/* A killed caller stops like a short write. */
		if (fatal_signal_pending(current))
			break;
		if (copy_from_user(&e, u, sizeof(e)))
			break;
		e.error = e.reserved ? -EINVAL :
			  batch_errno(mls_group_decrypt(&one, &e.op, bk));
		/*
		 * As the dispatcher does for one call: the generation is
		 * consumed once the entry was written back, and released
		 * (its plaintext wiped) if it could not be.
		 */
		if (copy_to_user(u, &e, sizeof(e))) {
			if (!e.error && one.undo)
				one.undo(one.undo_arg);
			break;
		}
		if (!e.error && one.done)
			one.done(one.undo_arg);
		b->done = i + 1;
		cond_resched();
	}
	mls_batch_keys_free(bk);
	return b->done;
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The kernel half of the handshake: pending commits, confirmation and
 * membership tags, external_pub, staged joins (uapi/linux/mls.h).
 */
#include <libmls.h>

#include "lib.h"

#include <string.h>

MLS_EXPORT int mls_commit_prepare(int gfd, struct mls_commit *c)
{
	if (!c)
		return -EINVAL;
	return mls_ioctl(gfd, MLS_IOC_COMMIT_PREPARE, c);
}

MLS_EXPORT int mls_commit_merge(int gfd, uint64_t epoch)
{
	struct mls_commit_pending p = { .flags = 0, .reserved0 = 0, .epoch = epoch };

	return mls_ioctl(gfd, MLS_IOC_COMMIT_MERGE, &p);
}

MLS_EXPORT int mls_commit_discard(int gfd, uint64_t epoch)
{
	struct mls_commit_pending p = { .flags = 0, .reserved0 = 0, .epoch = epoch };

	return mls_ioctl(gfd, MLS_IOC_COMMIT_DISCARD, &p);
}

static uint32_t len32(size_t len)
{
	return len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
}

/*
 * One MLS_IOC_*_TAG call. Computing: @tag has *@tag_len bytes, which
 * gets the tag's length (also on -ENOSPC). Verifying (MLS_TAG_F_VERIFY
 * in @flags): @tag has *@tag_len bytes to compare.
 */
static int tag_ioctl(int gfd, unsigned long req, uint32_t flags,
		     uint64_t *epoch, const void *data, size_t data_len,
		     const void *tag, size_t *tag_len)
{
	struct mls_tag t;
	int ret;

	memset(&t, 0, sizeof(t));
	t.flags = flags;
	if (epoch)
		t.epoch = *epoch;
	mls_buf_set(&t.data, data, data_len);
	mls_buf_set(&t.tag, tag, len32(*tag_len));
	ret = mls_ioctl(gfd, req, &t);
	if (!(flags & MLS_TAG_F_VERIFY) && (ret == 0 || ret == -ENOSPC))
		*tag_len = t.tag.len;
	if (ret == 0 && epoch)
		*epoch = t.epoch;
	return ret;
}

MLS_EXPORT int mls_confirmation_tag(int gfd, uint32_t flags, void *tag,
				    size_t *len, uint64_t *epoch)
{
	uint64_t e = 0;
	int ret;

	if (!tag || !len || (flags & MLS_TAG_F_VERIFY))
		return -EINVAL;
	ret = tag_ioctl(gfd, MLS_IOC_CONFIRMATION_TAG, flags, &e, NULL, 0,
			tag, len);
	if (ret == 0 && epoch)
		*epoch = e;
	return ret;
}

MLS_EXPORT int mls_confirmation_tag_verify(int gfd, uint32_t flags,
					   const void *tag, size_t len,
					   uint64_t *epoch)
{
	uint64_t e = 0;
	int ret;

	if ((!tag && len) || (flags & MLS_TAG_F_VERIFY))
		return -EINVAL;
	ret = tag_ioctl(gfd, MLS_IOC_CONFIRMATION_TAG, flags | MLS_TAG_F_VERIFY,
			&e, NULL, 0, tag, &len);
	if (ret == 0 && epoch)
		*epoch = e;
	return ret;
}

MLS_EXPORT int mls_membership_tag(int gfd, uint32_t flags, uint64_t *epoch,
				  const void *tbm, size_t tbm_len, void *tag,
				  size_t *len)
{
	if (!tag || !len || (!tbm && tbm_len) || tbm_len > UINT32_MAX ||
	    (flags & MLS_TAG_F_VERIFY) || ((flags & MLS_TAG_F_EPOCH) && !epoch))
		return -EINVAL;
	return tag_ioctl(gfd, MLS_IOC_MEMBERSHIP_TAG, flags, epoch, tbm,
			 tbm_len, tag, len);
}

MLS_EXPORT int mls_membership_tag_verify(int gfd, uint32_t flags,
					 uint64_t *epoch, const void *tbm,
					 size_t tbm_len, const void *tag,
					 size_t len)
{
	if ((!tag && len) || (!tbm && tbm_len) || tbm_len > UINT32_MAX ||
	    (flags & MLS_TAG_F_VERIFY) || ((flags & MLS_TAG_F_EPOCH) && !epoch))
		return -EINVAL;
	return tag_ioctl(gfd, MLS_IOC_MEMBERSHIP_TAG, flags | MLS_TAG_F_VERIFY,
			 epoch, tbm, tbm_len, tag, &len);
}

MLS_EXPORT int mls_external_pub(int gfd, uint32_t flags, void *pub,
				size_t *len, uint64_t *epoch)
{
	struct mls_external_pub x;
	int ret;

	if (!pub || !len)
		return -EINVAL;
	memset(&x, 0, sizeof(x));
	x.flags = flags;
	mls_buf_set(&x.pub, pub, len32(*len));
	ret = mls_ioctl(gfd, MLS_IOC_EXTERNAL_PUB, &x);
	if (ret == 0 || ret == -ENOSPC)
		*len = x.pub.len;
	if (ret == 0 && epoch)
		*epoch = x.epoch;
	return ret;
}

MLS_EXPORT int mls_join_stage(int ctl_fd, struct mls_join_stage *s)
{
	if (!s)
		return -EINVAL;
	return mls_ioctl(ctl_fd, MLS_IOC_JOIN_STAGE, s);
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* A group's state: info, policy, destroy, epochs and their public outputs. */
#include <libmls.h>

#include "lib.h"

#include <string.h>

MLS_EXPORT int mls_group_info(int gfd, struct mls_group_info *info,
			      void *group_id, size_t *group_id_len)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t len;
	int ret;

	if (!info || (group_id && !group_id_len))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	/* The kernel's limit always fits: no -ENOSPC from it. */
	mls_buf_set(&info->group_id, gid, sizeof(gid));
	ret = mls_ioctl(gfd, MLS_IOC_GROUP_INFO, info);
	len = info->group_id.len;
	memset(&info->group_id, 0, sizeof(info->group_id));
	if (ret)
		return ret;
	if (len > sizeof(gid))
		return -EPROTO;
	if (group_id && *group_id_len < len) {
		*group_id_len = len;
		return -ENOSPC;
	}
	if (group_id)
		memcpy(group_id, gid, len);
	if (group_id_len)
		*group_id_len = len;
	return 0;
}

MLS_EXPORT int mls_group_set_policy(int gfd, uint32_t mask,
				    const struct mls_policy *p)
{
	struct mls_set_policy sp;

	if (!p)
		return -EINVAL;
	memset(&sp, 0, sizeof(sp));
	/* Not a field of @p: MLS_POLICY_ALL leaves it as it is. */
	sp.mask = mask & ~MLS_POLICY_RECV_SAVE;
	sp.policy = *p;
	return mls_ioctl(gfd, MLS_IOC_SET_POLICY, &sp);
}

MLS_EXPORT int mls_group_set_recv_save(int gfd, uint32_t n, uint32_t flags)
{
	struct mls_set_policy sp;

	memset(&sp, 0, sizeof(sp));
	sp.mask = MLS_POLICY_RECV_SAVE;
	sp.recv_save = n;
	sp.recv_save_flags = flags;
	return mls_ioctl(gfd, MLS_IOC_SET_POLICY, &sp);
}

MLS_EXPORT int mls_group_destroy(int gfd)
{
	struct mls_group_destroy d = { 0, 0 };

	return mls_ioctl(gfd, MLS_IOC_GROUP_DESTROY, &d);
}

/* A GroupContext with one hash each and no extension fits in 512 bytes. */
#define CONTEXT_GUESS	512

MLS_EXPORT int mls_get_context(int gfd, uint32_t flags, uint64_t *epoch,
			       struct mls_bytes *ctx)
{
	struct mls_get_context c;
	size_t cap = CONTEXT_GUESS;
	int ret, i;

	if (!epoch || !ctx)
		return -EINVAL;
	ctx->data = NULL;
	ctx->len = 0;
	for (i = 0; i < MLS_RETRIES; i++) {
		ret = mls_bytes_alloc(ctx, cap);
		if (ret)
			return ret;
		memset(&c, 0, sizeof(c));
		c.flags = flags;
		c.epoch = *epoch;
		mls_buf_set(&c.context, ctx->data, cap);
		ret = mls_ioctl(gfd, MLS_IOC_GET_CONTEXT, &c);
		if (ret == 0 && c.context.len <= cap) {
			ctx->len = c.context.len;
			*epoch = c.epoch;
			return 0;
		}
		mls_bytes_free(ctx);
		if (ret != -ENOSPC)
			return ret ? ret : -EPROTO;
		cap = c.context.len;
	}
	return -ENOSPC;
}

/* struct mls_commit grew in libmls 0.3 (psks, kem_output): as in device.c. */
MLS_EXPORT int mls_commit_v01(int gfd, struct mls_commit *c);
MLS_EXPORT int mls_commit_v01(int gfd, struct mls_commit *c)
{
	if (!c)
		return -EINVAL;
	return mls_ioctl(gfd, MLS_IOC_SIZED(MLS_IOC_COMMIT, MLS_COMMIT_SIZE_VER0), c);
}
MLS_SYMVER(mls_commit_v01, mls_commit, "@LIBMLS_0.1");

MLS_EXPORT int mls_commit_v03(int gfd, struct mls_commit *c);
MLS_EXPORT int mls_commit_v03(int gfd, struct mls_commit *c)
{
	if (!c)
		return -EINVAL;
	return mls_ioctl(gfd, MLS_IOC_COMMIT, c);
}
MLS_SYMVER(mls_commit_v03, mls_commit, "@@LIBMLS_0.3");

MLS_EXPORT int mls_exporter(int gfd, const char *label, const void *context,
			    size_t context_len, void *out, size_t len,
			    uint64_t *epoch)
{
	struct mls_exporter e;
	int ret;

	if (!label || (!context && context_len) || !out ||
	    context_len > UINT32_MAX || len > UINT32_MAX)
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	mls_buf_set(&e.label, label, strlen(label));
	mls_buf_set(&e.context, context, context_len);
	mls_buf_set(&e.secret, out, len);
	ret = mls_ioctl(gfd, MLS_IOC_EXPORTER, &e);
	if (ret == 0 && epoch)
		*epoch = e.epoch;
	return ret;
}

MLS_EXPORT int mls_epoch_authenticator(int gfd, void *out, size_t *len,
				       uint64_t *epoch)
{
	struct mls_authenticator a;
	int ret;

	if (!out || !len)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	mls_buf_set(&a.authenticator, out, *len > UINT32_MAX ? UINT32_MAX : *len);
	ret = mls_ioctl(gfd, MLS_IOC_EPOCH_AUTHENTICATOR, &a);
	if (ret == 0 || ret == -ENOSPC)
		*len = a.authenticator.len;
	if (ret == 0 && epoch)
		*epoch = a.epoch;
	return ret;
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* Sealed snapshots: export a group, import it back; the drain. */
#include <libmls.h>

#include "lib.h"

#include <string.h>

/* A small group's snapshot fits; a larger one is sized by the kernel. */
#define SNAPSHOT_GUESS	4096

MLS_EXPORT int mls_group_export(int gfd, struct mls_bytes *snap,
				uint64_t *seq, uint64_t *epoch)
{
	struct mls_group_export e;
	size_t cap = SNAPSHOT_GUESS;
	int ret, i;

	if (!snap)
		return -EINVAL;
	snap->data = NULL;
	snap->len = 0;
	for (i = 0; i < MLS_RETRIES; i++) {
		ret = mls_bytes_alloc(snap, cap);
		if (ret)
			return ret;
		memset(&e, 0, sizeof(e));
		mls_buf_set(&e.snapshot, snap->data, cap);
		ret = mls_ioctl(gfd, MLS_IOC_GROUP_EXPORT, &e);
		if (ret == 0 && e.snapshot.len <= cap) {
			snap->len = e.snapshot.len;
			if (seq)
				*seq = e.seq;
			if (epoch)
				*epoch = e.epoch;
			return 0;
		}
		mls_bytes_free(snap);
		if (ret != -ENOSPC)
			return ret ? ret : -EPROTO;
		/* The trees may grow meanwhile: some room to spare. */
		cap = e.snapshot.len + e.snapshot.len / 8;
	}
	return -ENOSPC;
}

MLS_EXPORT int mls_group_import(int ctl_fd, const void *snap, size_t len,
				uint32_t *id)
{
	return mls_group_import2(ctl_fd, snap, len, 0, id);
}

MLS_EXPORT int mls_group_import2(int ctl_fd, const void *snap, size_t len,
				 uint32_t flags, uint32_t *id)
{
	return mls_group_import3(ctl_fd, snap, len, flags, id, NULL);
}

MLS_EXPORT int mls_group_import3(int ctl_fd, const void *snap, size_t len,
				 uint32_t flags, uint32_t *id, uint32_t *result)
{
	struct mls_group_import im;
	int ret;

	if (!snap || !len || len > MLS_MAX_SNAPSHOT_LEN)
		return -EINVAL;
	memset(&im, 0, sizeof(im));
	im.flags = flags;
	mls_buf_set(&im.snapshot, snap, len);
	ret = mls_ioctl(ctl_fd, MLS_IOC_GROUP_IMPORT, &im);
	if (ret >= 0 && id)
		*id = im.id;
	if (ret >= 0 && result)
		*result = im.result;
	return ret;
}

MLS_EXPORT int mls_group_saved(int gfd, uint64_t seq)
{
	struct mls_group_saved sv;

	memset(&sv, 0, sizeof(sv));
	sv.seq = seq;
	return mls_ioctl(gfd, MLS_IOC_GROUP_SAVED, &sv);
}

MLS_EXPORT int mls_drain(int ctl_fd, uint32_t flags, uint32_t timeout_ms,
			 struct mls_drain *out)
{
	struct mls_drain d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.flags = flags;
	d.timeout_ms = timeout_ms;
	ret = mls_ioctl(ctl_fd, MLS_IOC_DRAIN, &d);
	if (ret >= 0 && out)
		*out = d;
	return ret;
}

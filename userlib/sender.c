// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Sending signed application messages.
 *
 * A message's signature covers FramedContentTBS, which ends with the
 * GroupContext of the epoch the message is sent in (§6.1). A sender
 * handle keeps what does not change for a member (group_id, leaf) and the
 * GroupContext of the last epoch it saw, so that a send is one ioctl:
 * MLS_IOC_ENCRYPT with MLS_ENCRYPT_F_EPOCH, which the kernel refuses
 * (-ESTALE, no generation used) unless that epoch is still current. Only
 * then does the handle read the new epoch's GroupContext, sign again and
 * retry. A message is therefore never sent in an epoch its signature does
 * not cover, and an epoch change costs one MLS_IOC_GET_CONTEXT.
 */
#include <libmls.h>

#include "lib.h"

#include <string.h>

/* A commit between each read of the context and the encrypt: give up. */
#define SEND_TRIES	4

struct mls_sender {
	int gfd;
	const struct mls_sig_key *key;	/* borrowed */
	uint8_t group_id[MLS_MAX_GROUP_ID_LEN];
	size_t group_id_len;
	uint32_t leaf;
	/* The GroupContext of @epoch; empty until read. */
	uint64_t epoch;
	struct mls_bytes ctx;
};

/* The current epoch and its GroupContext, in place of the kept ones. */
static int sender_refresh(struct mls_sender *s)
{
	struct mls_bytes ctx;
	uint64_t epoch = 0;
	int ret = mls_get_context(s->gfd, 0, &epoch, &ctx);

	if (ret)
		return ret;
	mls_bytes_free(&s->ctx);
	s->ctx = ctx;
	s->epoch = epoch;
	return 0;
}

MLS_EXPORT int mls_sender_new(int gfd, const struct mls_sig_key *key,
			      struct mls_sender **out)
{
	struct mls_group_info info;
	struct mls_sender *s;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!key)
		return -EINVAL;
	s = mls_calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->gfd = gfd;
	s->key = key;
	s->group_id_len = sizeof(s->group_id);
	ret = mls_group_info(gfd, &info, s->group_id, &s->group_id_len);
	if (ret)
		goto err;
	ret = -EINVAL;
	if (mls_sig_key_scheme(key) != mls_suite_signature_scheme(info.suite))
		goto err;
	s->leaf = info.own_leaf;
	ret = sender_refresh(s);
	if (ret)
		goto err;
	*out = s;
	return 0;
err:
	mls_sender_free(s);
	return ret;
}

MLS_EXPORT void mls_sender_free(struct mls_sender *s)
{
	if (!s)
		return;
	mls_bytes_free(&s->ctx);
	free(s);
}

static int sign_tbs(const struct mls_sender *s, const void *data, size_t len,
		    const void *aad, size_t aad_len, uint8_t *sig,
		    size_t *sig_len)
{
	struct mls_framed_content fc;
	struct mls_bytes tbs;
	int ret;

	memset(&fc, 0, sizeof(fc));
	fc.wire_format = MLS_WIRE_FORMAT_PRIVATE_MESSAGE;
	fc.group_id = s->group_id;
	fc.group_id_len = s->group_id_len;
	fc.epoch = s->epoch;
	fc.sender_leaf = s->leaf;
	fc.authenticated_data = aad;
	fc.authenticated_data_len = aad_len;
	fc.content_type = MLS_CONTENT_APPLICATION;
	fc.content = data;
	fc.content_len = len;
	fc.context = s->ctx.data;
	fc.context_len = s->ctx.len;
	ret = mls_framed_content_tbs(&fc, &tbs);
	if (ret)
		return ret;
	ret = mls_sign_with_label(s->key, MLS_TBS_LABEL, tbs.data, tbs.len,
				  sig, sig_len);
	mls_bytes_free(&tbs);
	return ret;
}

MLS_EXPORT int mls_sender_send(struct mls_sender *s, const void *data,
			       size_t len, const void *aad, size_t aad_len,
			       uint32_t padding_block, struct mls_sent *out)
{
	uint8_t sig[MLS_SIGNATURE_MAX];
	struct mls_encrypt_opts o;
	size_t sig_len;
	int ret, i;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!s || (!data && len) || (!aad && aad_len))
		return -EINVAL;
	for (i = 0; i < SEND_TRIES; i++) {
		sig_len = sizeof(sig);
		ret = sign_tbs(s, data, len, aad, aad_len, sig, &sig_len);
		if (ret)
			return ret;
		memset(&o, 0, sizeof(o));
		o.flags = MLS_ENCRYPT_F_EPOCH;
		o.epoch = s->epoch;
		o.padding_block = padding_block;
		ret = mls_encrypt_ex(s->gfd, &o, MLS_CONTENT_APPLICATION, aad,
				     aad_len, data, len, sig, sig_len, out);
		if (ret != -ESTALE)
			return ret;
		/* The group moved on: nothing was sent, sign for its epoch. */
		ret = sender_refresh(s);
		if (ret)
			return ret;
	}
	return -ESTALE;
}

MLS_EXPORT int mls_send(int gfd, const struct mls_sig_key *key, const void *data,
			size_t len, const void *aad, size_t aad_len,
			struct mls_sent *out)
{
	struct mls_sender *s;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!key || (!data && len) || (!aad && aad_len))
		return -EINVAL;
	ret = mls_sender_new(gfd, key, &s);
	if (ret)
		return ret;
	ret = mls_sender_send(s, data, len, aad, aad_len, 0, out);
	mls_sender_free(s);
	return ret;
}

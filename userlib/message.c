// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Signed application messages: FramedContentTBS (RFC 9420 §6.1), and
 * receive as decrypt + verify (sending is in sender.c).
 */
#include <libmls.h>

#include "lib.h"

#include <string.h>

#define MLS_VERSION_10		1
#define MLS_SENDER_MEMBER	1

MLS_EXPORT int mls_framed_content_tbs(const struct mls_framed_content *fc,
				      struct mls_bytes *tbs)
{
	uint16_t wire_format;
	struct mls_wbuf w;

	if (!tbs)
		return -EINVAL;
	tbs->data = NULL;
	tbs->len = 0;
	if (!fc)
		return -EINVAL;
	wire_format = fc->wire_format ? fc->wire_format :
		      MLS_WIRE_FORMAT_PRIVATE_MESSAGE;
	if ((wire_format != MLS_WIRE_FORMAT_PUBLIC_MESSAGE &&
	     wire_format != MLS_WIRE_FORMAT_PRIVATE_MESSAGE) ||
	    fc->content_type < MLS_CONTENT_APPLICATION ||
	    fc->content_type > MLS_CONTENT_COMMIT ||
	    !fc->group_id_len || !fc->group_id || !fc->context_len ||
	    !fc->context || (!fc->content && fc->content_len) ||
	    (!fc->authenticated_data && fc->authenticated_data_len))
		return -EINVAL;

	mls_wb_init(&w, 64 + fc->group_id_len + fc->authenticated_data_len +
		    fc->content_len + fc->context_len);
	mls_wb_u16(&w, MLS_VERSION_10);
	mls_wb_u16(&w, wire_format);
	/* FramedContent */
	mls_wb_vec(&w, fc->group_id, fc->group_id_len);
	mls_wb_u64(&w, fc->epoch);
	mls_wb_u8(&w, MLS_SENDER_MEMBER);
	mls_wb_u32(&w, fc->sender_leaf);
	mls_wb_vec(&w, fc->authenticated_data, fc->authenticated_data_len);
	mls_wb_u8(&w, (uint8_t)fc->content_type);
	if (fc->content_type == MLS_CONTENT_APPLICATION)
		mls_wb_vec(&w, fc->content, fc->content_len);
	else
		mls_wb_raw(&w, fc->content, fc->content_len);
	/* A member's content is signed with the GroupContext. */
	mls_wb_raw(&w, fc->context, fc->context_len);
	return mls_wb_finish(&w, tbs);
}

MLS_EXPORT int mls_recv(int gfd, mls_sender_key_fn lookup, void *arg,
			const void *msg, size_t len, struct mls_received *out)
{
	const struct mls_sig_key *key = NULL;
	struct mls_message_header h;
	struct mls_framed_content fc;
	struct mls_bytes ctx, tbs;
	uint64_t epoch;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!lookup || !msg || !len)
		return -EINVAL;
	/* Before any key is used: the type, and the epoch's GroupContext. */
	ret = mls_message_peek(msg, len, &h);
	if (ret)
		return ret;
	if (h.content_type != MLS_CONTENT_APPLICATION)
		return -ENOMSG;
	epoch = h.epoch;
	ret = mls_get_context(gfd, MLS_CONTEXT_F_EPOCH, &epoch, &ctx);
	if (ret)
		return ret;

	ret = mls_decrypt(gfd, msg, len, out);
	if (ret)
		goto out;
	ret = -EPROTO;
	if (out->epoch != h.epoch ||
	    out->content_type != MLS_CONTENT_APPLICATION)
		goto out;
	ret = lookup(arg, out->sender_leaf, out->epoch, &key);
	if (ret > 0 || (!ret && !key))
		ret = -EPROTO;
	if (ret)
		goto out;

	memset(&fc, 0, sizeof(fc));
	fc.wire_format = MLS_WIRE_FORMAT_PRIVATE_MESSAGE;
	fc.group_id = h.group_id;
	fc.group_id_len = h.group_id_len;
	fc.epoch = out->epoch;
	fc.sender_leaf = out->sender_leaf;
	fc.authenticated_data = out->authenticated_data;
	fc.authenticated_data_len = out->authenticated_data_len;
	fc.content_type = MLS_CONTENT_APPLICATION;
	fc.content = out->content;
	fc.content_len = out->content_len;
	fc.context = ctx.data;
	fc.context_len = ctx.len;
	ret = mls_framed_content_tbs(&fc, &tbs);
	if (ret)
		goto out;
	ret = mls_verify_with_label(key, MLS_TBS_LABEL, tbs.data, tbs.len,
				    out->signature, out->signature_len);
	mls_bytes_free(&tbs);
out:
	mls_bytes_free(&ctx);
	if (ret)
		mls_received_free(out);
	return ret;
}

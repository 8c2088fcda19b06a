// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A sender's framing of its handshake messages (RFC 9420 §6), shared by
 * a member's Proposal and Commit and by the PublicMessages of senders
 * outside the group.
 */
#include <string.h>

#include "frame.h"
#include "internal.h"

int mlsc_frame_may_send(const struct mlsc_group *g)
{
	if (g->reinit)
		return -ESHUTDOWN;
	if (g->pending || g->joining)
		return -EBUSY;
	return 0;
}

void mlsc_frame_header(const struct mlsc_group *g,
		       const struct mlsc_group_context *gc, const void *ad,
		       size_t ad_len, uint8_t content_type,
		       struct mlsc_framed_content *fc)
{
	fc->group_id = gc->group_id;
	fc->epoch = gc->epoch;
	fc->sender.type = MLSC_SENDER_MEMBER;
	fc->sender.index = g->own_leaf;
	fc->authenticated_data = (struct mlsc_slice){ ad, ad_len };
	fc->content_type = content_type;
}

int mlsc_frame_sign(const struct mlsc_group *g, uint16_t wire_format,
		    const struct mlsc_framed_content *fc,
		    const struct mlsc_slice *content,
		    const struct mls_sig_key *key, struct mls_bytes *tbs,
		    uint8_t *sig, size_t *sig_len)
{
	struct mls_framed_content f = {
		.wire_format = wire_format,
		.group_id = fc->group_id.p,
		.group_id_len = fc->group_id.len,
		.epoch = fc->epoch,
		.sender_leaf = g->own_leaf,
		.authenticated_data = fc->authenticated_data.p,
		.authenticated_data_len = fc->authenticated_data.len,
		.content_type = fc->content_type,
		.content = content->p,
		.content_len = content->len,
		.context = g->context,
		.context_len = g->context_len,
	};
	int err;

	err = mls_framed_content_tbs(&f, tbs);
	if (err)
		return err;
	return mls_sign_with_label(key, "FramedContentTBS", tbs->data,
				   tbs->len, sig, sig_len);
}

/* FramedContentAuthData, as the membership tag and the AEAD cover it. */
static int auth_data_bytes(const struct mlsc_frame_in *in,
			   struct mlsc_wbuf *w)
{
	struct mlsc_auth_data a = *in->auth;
	struct mlsc_io io;

	mlsc_io_writer(&io, w);
	mlsc_io_auth_data(&io, &a, in->fc->content_type);
	return mlsc_io_finish(&io);
}

/* membership_tag over AuthenticatedContentTBM: FramedContentTBS || auth. */
static int membership_tag(const struct mlsc_group *g,
			  const struct mlsc_frame_in *in, uint8_t *mtag,
			  size_t *mtag_len)
{
	struct mlsc_wbuf ad = { 0 };
	uint8_t *tbm = NULL;
	int err;

	err = auth_data_bytes(in, &ad);
	if (err)
		goto out;
	err = -ENOMEM;
	tbm = mlsc_malloc(in->tbs.len + ad.len);
	if (!tbm)
		goto out;
	memcpy(tbm, in->tbs.p, in->tbs.len);
	memcpy(tbm + in->tbs.len, ad.p, ad.len);
	err = mls_membership_tag(g->gfd, 0, NULL, tbm, in->tbs.len + ad.len,
				 mtag, mtag_len);
out:
	free(tbm);
	mlsc_wbuf_free(&ad);
	return err;
}

static int frame_public(const struct mlsc_group *g,
			const struct mlsc_frame_in *in, struct mls_bytes *out)
{
	struct mlsc_wbuf w = { 0 };
	struct mlsc_mls_message m;
	uint8_t mtag[MLSC_MAX_HASH];
	size_t mtag_len = sizeof(mtag);
	int err;

	memset(&m, 0, sizeof(m));
	if (in->fc->sender.type == MLSC_SENDER_MEMBER) {
		if (!g)
			return -EINVAL;
		err = membership_tag(g, in, mtag, &mtag_len);
		if (err)
			return err;
		m.pub.membership_tag = (struct mlsc_slice){ mtag, mtag_len };
	}
	m.version = MLSC_VERSION_MLS10;
	m.wire_format = MLSC_WIRE_PUBLIC_MESSAGE;
	m.pub.content = *in->fc;
	m.pub.auth = *in->auth;
	err = MLSC_ENCODE(&m, mlsc_io_mls_message, &w);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
	mlsc_wbuf_free(&w);
	return err;
}

/* The kernel encrypts the content and its auth data in its epoch. */
static int frame_private(const struct mlsc_group *g,
			 const struct mlsc_frame_in *in, struct mls_bytes *out)
{
	const struct mlsc_framed_content *fc = in->fc;
	struct mls_encrypt_opts o = {
		.flags = MLS_ENCRYPT_F_EPOCH, .epoch = fc->epoch,
	};
	struct mlsc_wbuf ad = { 0 };
	struct mls_sent sent;
	uint8_t *content = NULL;
	size_t len;
	int err;

	if (!g)
		return -EINVAL;
	err = auth_data_bytes(in, &ad);
	if (err)
		goto out;
	len = in->content.len + ad.len;
	err = -ENOMEM;
	content = mlsc_malloc(len);
	if (!content)
		goto out;
	memcpy(content, in->content.p, in->content.len);
	memcpy(content + in->content.len, ad.p, ad.len);
	memset(&sent, 0, sizeof(sent));
	err = mls_encrypt_ex(g->gfd, &o, fc->content_type,
			     fc->authenticated_data.p,
			     fc->authenticated_data.len, content, len, NULL,
			     0, &sent);
	if (!err)
		*out = sent.message;
out:
	free(content);
	mlsc_wbuf_free(&ad);
	return err;
}

int mlsc_frame(const struct mlsc_group *g, const struct mlsc_frame_in *in,
	       struct mls_bytes *out)
{
	switch (in->wire_format) {
	case MLSC_WIRE_PUBLIC_MESSAGE:
		return frame_public(g, in, out);
	case MLSC_WIRE_PRIVATE_MESSAGE:
		return frame_private(g, in, out);
	}
	return -EINVAL;
}

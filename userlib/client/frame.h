/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * A handshake message as its sender frames it (RFC 9420 §6): a member's
 * FramedContentTBS signed, and a FramedContent with its
 * FramedContentAuthData made a PublicMessage (with the kernel's
 * membership tag when the sender is a member) or a PrivateMessage (the
 * kernel encrypts it in the content's epoch).
 */
#ifndef MLSC_FRAME_H
#define MLSC_FRAME_H

#include <stdint.h>

#include <libmls.h>

#include "group.h"
#include "wire.h"

/*
 * Whether @g's member may send a Proposal or a Commit: 0, -ESHUTDOWN (a
 * ReInit ended the group) or -EBUSY (its own Commit, or its external
 * join, not merged yet).
 */
int mlsc_frame_may_send(const struct mlsc_group *g);

/*
 * The header of @fc as @g's member sends it in @gc's epoch, with
 * @ad_len bytes of authenticated data at @ad and @content_type
 * (MLSC_CONTENT_*). @fc points into @gc and @ad, which outlive it.
 */
void mlsc_frame_header(const struct mlsc_group *g,
		       const struct mlsc_group_context *gc, const void *ad,
		       size_t ad_len, uint8_t content_type,
		       struct mlsc_framed_content *fc);

/*
 * The FramedContentTBS of @fc (encoded as @content, sent as
 * @wire_format by @g's own leaf, with @g's GroupContext) into @tbs, and
 * its signature with @key into @sig (*@sig_len bytes at most, then its
 * length). The caller frees @tbs, also on error. 0 or -errno.
 */
int mlsc_frame_sign(const struct mlsc_group *g, uint16_t wire_format,
		    const struct mlsc_framed_content *fc,
		    const struct mlsc_slice *content,
		    const struct mls_sig_key *key, struct mls_bytes *tbs,
		    uint8_t *sig, size_t *sig_len);

/* What mlsc_frame() frames. */
struct mlsc_frame_in {
	uint16_t wire_format;			/* MLSC_WIRE_*_MESSAGE */
	const struct mlsc_framed_content *fc;
	const struct mlsc_auth_data *auth;	/* for fc->content_type */
	struct mlsc_slice tbs;		/* FramedContentTBS: a member's public */
	struct mlsc_slice content;	/* the content, encoded: private */
};

/*
 * @in framed as an MLSMessage into @out. @g is the sending member's
 * group (its kernel group keys the membership tag and the encryption);
 * NULL for a PublicMessage of a sender that is not a member. 0, -EINVAL
 * (another wire format, no group for it), -ENOMEM, -EMSGSIZE, or the
 * kernel's error.
 */
int mlsc_frame(const struct mlsc_group *g, const struct mlsc_frame_in *in,
	       struct mls_bytes *out);

#endif /* MLSC_FRAME_H */

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Signatures through libmls, credentials through the application, and
 * the checks of one LeafNode (RFC 9420 §5.1.2, §5.3, §7.3).
 *
 * Errors: -EBADMSG a signature that does not verify (or a signature key
 * that is not one), -EKEYEXPIRED a lifetime that does not cover "now",
 * -EKEYREJECTED a credential refused by default (X.509 without a
 * callback) or whatever the application's callback returned, -EOPNOTSUPP
 * a capability missing (an extension not listed, a required capability
 * the leaf lacks), -EINVAL, -ENOMEM.
 */
#ifndef MLSC_LEAF_H
#define MLSC_LEAF_H

#include <mls_client.h>

#include "codec.h"
#include "wire.h"

/* §11.1 RequiredCapabilities */
struct mlsc_required_caps {
	uint16_t *extensions;
	size_t n_extensions;
	uint16_t *proposals;
	size_t n_proposals;
	uint16_t *credentials;
	size_t n_credentials;
};

void mlsc_io_required_caps(struct mlsc_io *io, struct mlsc_required_caps *r);

/*
 * The required_capabilities extension among @exts, parsed into @out
 * (arrays from @arena): 1 if present, 0 if not, -EBADMSG.
 */
int mlsc_find_required_caps(const struct mlsc_extensions *exts,
			    struct mlsc_arena *arena,
			    struct mlsc_required_caps *out);

/*
 * VerifyWithLabel(@pub, @label, @content, @sig) with the signature scheme
 * of @suite: 0 or -EBADMSG (also for a malformed key), -EINVAL, -ENOMEM.
 */
int mlsc_verify_with_label(uint16_t suite, const struct mlsc_slice *pub,
			   const char *label, const uint8_t *content,
			   size_t len, const struct mlsc_slice *sig);

/*
 * LeafNodeTBS (§7.2) of @l: with @group_id and @leaf_index unless the
 * leaf's source is key_package. @out is freed with mlsc_wbuf_free().
 */
int mlsc_leaf_tbs(const struct mlsc_leaf_node *l,
		  const struct mlsc_slice *group_id, uint32_t leaf_index,
		  struct mlsc_wbuf *out);

/* The leaf's signature over its LeafNodeTBS. */
int mlsc_leaf_verify(uint16_t suite, const struct mlsc_leaf_node *l,
		     const struct mlsc_slice *group_id, uint32_t leaf_index);

/* The longest X.509 chain handed to the application. */
#define MLSC_CRED_MAX_CERTS 16

/* @c as the application sees it, in @cred (pointing into @c, @certs). */
int mlsc_cred_view(const struct mlsc_credential *c, struct mlsc_cred *cred,
		   struct mlsc_cert certs[MLSC_CRED_MAX_CERTS]);

/*
 * §12.2 for a resync: @new_c stands for the participant of @old_c. Same
 * type, equal identity if basic, and the application's same_member_cb
 * if @opts has one (MLSC_VALIDATE_EXT); without it only basic
 * credentials pass. 0, -EPROTO or the callback's error.
 */
int mlsc_same_member(const struct mlsc_credential *old_c,
		     const struct mlsc_credential *new_c, uint16_t suite,
		     const struct mlsc_validate_opts *opts);

/* The application's verdict on @c, bound to @sig_key (see the opts). */
int mlsc_credential_check(const struct mlsc_credential *c,
			  const struct mlsc_slice *sig_key, uint16_t suite,
			  const struct mlsc_validate_opts *opts);

/* Whether @v is among @list's @n values. */
bool mlsc_u16_in(uint16_t v, const uint16_t *list, size_t n);

/*
 * The checks of §7.3 that concern @l alone: its signature, its
 * credential, its lifetime when its source is key_package (unless
 * MLSC_VALIDATE_NO_LIFETIME), its extensions listed in its capabilities,
 * and @req (may be NULL) covered by its capabilities. @source: the
 * source the leaf must have, or 0 for update or commit (a leaf in a tree
 * may have any source).
 */
int mlsc_leaf_validate(uint16_t suite, const struct mlsc_leaf_node *l,
		       uint8_t source, const struct mlsc_slice *group_id,
		       uint32_t leaf_index,
		       const struct mlsc_required_caps *req,
		       const struct mlsc_validate_opts *opts);

#endif /* MLSC_LEAF_H */

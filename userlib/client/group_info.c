// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The GroupInfo a member publishes so that others can join by an
 * external commit (RFC 9420 §12.4.3.2): the current GroupContext, an
 * external_pub extension with the epoch's external public key (from the
 * kernel, which keeps the private half), optionally the ratchet_tree
 * extension, the epoch's confirmation_tag (from the kernel), signed by
 * the member over GroupInfoTBS.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "group.h"
#include "group_info.h"
#include "internal.h"

#define MAX_SIG		256

bool mlsc_suite_external_ok(const struct mlsc_suite *s)
{
	return s->kem == MLSC_KEM_X25519 || s->kem == MLSC_KEM_P256 ||
	       s->kem == MLSC_KEM_P384;
}

int mlsc_find_extension(const struct mlsc_extensions *exts, uint16_t type,
			const struct mlsc_extension **ext)
{
	*ext = NULL;
	for (size_t i = 0; i < exts->n; i++) {
		if (exts->v[i].type != type)
			continue;
		if (*ext)
			return -EBADMSG;
		*ext = &exts->v[i];
	}
	return *ext ? 0 : -ENODATA;
}

int mlsc_group_info_sign(struct mlsc_group_info *gi,
			 const struct mls_sig_key *key, struct mlsc_wbuf *out)
{
	struct mlsc_mls_message m;
	struct mlsc_wbuf tbs = { 0 };
	uint8_t sig[MAX_SIG];
	size_t sig_len = sizeof(sig);
	int err;

	memset(out, 0, sizeof(*out));
	gi->signature = (struct mlsc_slice){ NULL, 0 };
	/* GroupInfoTBS: all but the signature, here an empty <V> (1 byte) */
	err = MLSC_ENCODE(gi, mlsc_io_group_info, &tbs);
	if (!err)
		err = mls_sign_with_label(key, "GroupInfoTBS", tbs.p,
					  tbs.len - 1, sig, &sig_len);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	gi->signature = (struct mlsc_slice){ sig, sig_len };
	memset(&m, 0, sizeof(m));
	m.version = MLSC_VERSION_MLS10;
	m.wire_format = MLSC_WIRE_GROUP_INFO;
	m.group_info = *gi;
	err = MLSC_ENCODE(&m, mlsc_io_mls_message, out);
	gi->signature = (struct mlsc_slice){ NULL, 0 };
	return err;
}

/* @key is the signature key of @g's own leaf. */
static int own_key(const struct mlsc_group *g, const struct mls_sig_key *key)
{
	const struct mlsc_leaf_node *l = mlsc_tree_leaf(&g->tree, g->own_leaf);
	struct mls_bytes pub = { 0 };
	int err;

	err = mls_sig_key_export(key, MLS_KEY_PUBLIC, &pub);
	if (err)
		return -EINVAL;
	if (!l || pub.len != l->signature_key.len ||
	    memcmp(pub.data, l->signature_key.p, pub.len))
		err = -EINVAL;
	mls_bytes_free(&pub);
	return err;
}

MLSC_EXPORT int mlsc_group_info_export(const struct mlsc_group *g,
				       uint32_t flags,
				       const struct mls_sig_key *sig_key,
				       struct mls_bytes *out)
{
	const struct mlsc_suite *s;
	struct mlsc_group_info gi;
	struct mlsc_extension ext[2];
	struct mlsc_wbuf tree = { 0 }, epub = { 0 }, w = { 0 };
	struct mlsc_arena arena;
	struct mlsc_io io;
	struct mlsc_slice pk;
	uint8_t pub[MLSC_MAX_PK], tag[MLSC_MAX_HASH];
	size_t pub_len = sizeof(pub), tag_len = sizeof(tag);
	uint64_t e1 = 0, e2 = 0;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!g || !sig_key || (flags & ~MLSC_GROUP_INFO_F_ALL))
		return -EINVAL;
	/* the epoch of an external join the DS has not yet accepted */
	if (g->joining)
		return -EBUSY;
	s = g->suite;
	if (!mlsc_suite_external_ok(s))
		return -EOPNOTSUPP;
	err = own_key(g, sig_key);
	if (err)
		return err;
	mlsc_arena_init(&arena);
	memset(&gi, 0, sizeof(gi));
	err = MLSC_DECODE(g->context, g->context_len, &arena,
			  &gi.group_context, mlsc_io_group_context);
	if (err)
		goto out;
	err = mls_external_pub(g->gfd, 0, pub, &pub_len, &e1);
	if (!err)
		err = mls_confirmation_tag(g->gfd, 0, tag, &tag_len, &e2);
	if (err)
		goto out;
	/* the kernel's epoch is the one the client knows */
	if (e1 != gi.group_context.epoch || e2 != e1 || tag_len != s->nh) {
		err = -ESTALE;
		goto out;
	}
	/* ExternalPub: HPKEPublicKey external_pub (opaque<V>) */
	pk = (struct mlsc_slice){ pub, pub_len };
	mlsc_io_writer(&io, &epub);
	mlsc_io_opaque(&io, &pk);
	err = mlsc_io_finish(&io);
	if (err)
		goto out;
	ext[0] = (struct mlsc_extension){ MLSC_EXT_EXTERNAL_PUB,
					  { epub.p, epub.len } };
	gi.extensions.v = ext;
	gi.extensions.n = 1;
	if (flags & MLSC_GROUP_INFO_F_RATCHET_TREE) {
		err = mlsc_tree_serialize(&g->tree, &tree);
		if (err)
			goto out;
		ext[1] = (struct mlsc_extension){ MLSC_EXT_RATCHET_TREE,
						  { tree.p, tree.len } };
		gi.extensions.n = 2;
	}
	gi.confirmation_tag = (struct mlsc_slice){ tag, s->nh };
	gi.signer = g->own_leaf;
	err = mlsc_group_info_sign(&gi, sig_key, &w);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
out:
	mlsc_wbuf_free(&w);
	mlsc_wbuf_free(&tree);
	mlsc_wbuf_free(&epub);
	mlsc_arena_free(&arena);
	return err;
}

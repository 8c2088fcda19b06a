// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The Welcome of a Commit that adds members (RFC 9420 §12.4.3), the
 * inverse of welcome.c: the GroupInfo of the new epoch, signed by the
 * committer and sealed with welcome_key and welcome_nonce from the
 * welcome_secret; for each joiner its GroupSecrets (the joiner_secret,
 * the path secret of the lowest node of the committer's path above its
 * leaf when there is a path, the PSK ids), EncryptWithLabel "Welcome" to
 * its init_key, with the GroupInfo ciphertext as context. The
 * joiner_secret and welcome_secret come from the kernel
 * (MLS_COMMIT_F_RETURN_SECRETS), the two secrets §12.4.3 hands a
 * committer, and every copy of them here is wiped before return.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "hpke.h"
#include "internal.h"
#include "kdf.h"
#include "keypkg.h"

#define MAX_SIG		256

/* GroupInfo, signed: its bytes into @out. */
static int group_info(const struct mlsc_welcome_in *in,
		      struct mlsc_arena *arena, struct mlsc_wbuf *out)
{
	struct mlsc_group_info gi;
	struct mlsc_wbuf tree = { 0 }, tbs = { 0 };
	uint8_t sig[MAX_SIG];
	size_t sig_len = sizeof(sig);
	int err = 0;

	memset(&gi, 0, sizeof(gi));
	gi.group_context = *in->gc;
	gi.confirmation_tag = (struct mlsc_slice){ in->confirmation_tag,
						   in->suite->nh };
	gi.signer = in->own_leaf;
	if (in->ratchet_tree) {
		err = mlsc_tree_serialize(in->tree, &tree);
		gi.extensions.v = mlsc_arena_alloc(arena, sizeof(*gi.extensions.v));
		if (!err && !gi.extensions.v)
			err = -ENOMEM;
		if (!err) {
			gi.extensions.n = 1;
			gi.extensions.v[0].type = MLSC_EXT_RATCHET_TREE;
			gi.extensions.v[0].data = (struct mlsc_slice){
				tree.p, tree.len };
		}
	}
	/* GroupInfoTBS: all but the signature, here an empty <V> (1 byte) */
	if (!err)
		err = MLSC_ENCODE(&gi, mlsc_io_group_info, &tbs);
	if (!err)
		err = mls_sign_with_label(in->sig_key, "GroupInfoTBS", tbs.p,
					  tbs.len - 1, sig, &sig_len);
	if (!err) {
		gi.signature = (struct mlsc_slice){ sig, sig_len };
		err = MLSC_ENCODE(&gi, mlsc_io_group_info, out);
	}
	mlsc_wbuf_free(&tbs);
	mlsc_wbuf_free(&tree);
	return err;
}

/* encrypted_group_info: AEAD with welcome_key and welcome_nonce. */
static int seal_group_info(const struct mlsc_welcome_in *in,
			   const struct mlsc_wbuf *gi, uint8_t **ct,
			   size_t *ct_len)
{
	const struct mlsc_suite *s = in->suite;
	struct mlsc_hpke_ctx ctx;
	int err;

	memset(&ctx, 0, sizeof(ctx));
	err = mlsc_hpke_suite_mls(&ctx.suite, s);
	if (!err)
		err = mlsc_expand_with_label(s, in->welcome_secret, "key",
					     NULL, 0, ctx.key, s->nk);
	if (!err)
		err = mlsc_expand_with_label(s, in->welcome_secret, "nonce",
					     NULL, 0, ctx.base_nonce, s->nn);
	if (err)
		goto out;
	*ct_len = gi->len + MLSC_TAG;
	err = -ENOMEM;
	*ct = mlsc_malloc(*ct_len);
	if (!*ct)
		goto out;
	/* sequence number 0: the nonce is welcome_nonce itself */
	err = mlsc_hpke_seal(&ctx, NULL, 0, gi->p, gi->len, *ct, ct_len);
out:
	mlsc_hpke_ctx_clear(&ctx);
	return err;
}

/* One joiner's EncryptedGroupSecrets into @e (bytes from @arena). */
static int group_secrets(const struct mlsc_welcome_in *in, size_t j,
			 const struct mlsc_slice *egi,
			 struct mlsc_arena *arena,
			 struct mlsc_encrypted_group_secrets *e)
{
	const struct mlsc_suite *s = in->suite;
	const struct mlsc_keypkg *kp = in->joiners[j];
	struct mlsc_group_secrets gs;
	struct mlsc_wbuf pt = { 0 };
	uint8_t *ref, *kem, *ct;
	size_t ref_len = MLSC_MAX_HASH, kem_len = MLSC_MAX_PK, ct_len;
	int err;

	memset(&gs, 0, sizeof(gs));
	gs.joiner_secret = (struct mlsc_slice){ in->joiner_secret, s->nh };
	if (in->priv) {
		uint32_t x = mlsc_tm_common_ancestor(
			mlsc_leaf_node(in->own_leaf),
			mlsc_leaf_node(in->joiner_leaves[j]));
		const uint8_t *ps = mlsc_tree_priv_path_secret(in->priv, x);

		if (!ps)
			return -EPROTO;
		gs.has_path_secret = true;
		gs.path_secret = (struct mlsc_slice){ ps, s->nh };
	}
	gs.psks = (struct mlsc_psk_id *)in->psks;
	gs.n_psks = in->n_psks;
	err = MLSC_ENCODE(&gs, mlsc_io_group_secrets, &pt);
	if (err)
		return err;
	ref = mlsc_arena_alloc(arena, ref_len);
	kem = mlsc_arena_alloc(arena, kem_len);
	ct_len = pt.len + MLSC_TAG;
	ct = mlsc_arena_alloc(arena, ct_len);
	err = ref && kem && ct ? 0 : -ENOMEM;
	if (!err)
		err = mlsc_keypkg_ref_raw(kp, ref, &ref_len);
	if (!err)
		err = mlsc_encrypt_with_label(s, kp->kp.init_key.p,
					      kp->kp.init_key.len, "Welcome",
					      egi->p, egi->len, pt.p, pt.len,
					      kem, &kem_len, ct, &ct_len);
	mlsc_wbuf_free(&pt);
	if (err)
		return err;
	e->new_member = (struct mlsc_slice){ ref, ref_len };
	e->secrets.kem_output = (struct mlsc_slice){ kem, kem_len };
	e->secrets.ciphertext = (struct mlsc_slice){ ct, ct_len };
	return 0;
}

int mlsc_welcome_build(const struct mlsc_welcome_in *in,
		       struct mls_bytes *out)
{
	struct mlsc_wbuf gi = { 0 }, w = { 0 };
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	uint8_t *egi = NULL;
	size_t egi_len = 0;
	int err;

	memset(out, 0, sizeof(*out));
	mlsc_arena_init(&arena);
	memset(&m, 0, sizeof(m));
	m.version = MLSC_VERSION_MLS10;
	m.wire_format = MLSC_WIRE_WELCOME;
	m.welcome.cipher_suite = in->suite->id;
	err = group_info(in, &arena, &gi);
	if (!err)
		err = seal_group_info(in, &gi, &egi, &egi_len);
	if (err)
		goto out;
	m.welcome.encrypted_group_info = (struct mlsc_slice){ egi, egi_len };
	m.welcome.n_secrets = in->n_joiners;
	m.welcome.secrets = mlsc_arena_alloc(&arena, (in->n_joiners ?
					     in->n_joiners : 1) *
					     sizeof(*m.welcome.secrets));
	if (!m.welcome.secrets)
		err = -ENOMEM;
	for (size_t j = 0; j < in->n_joiners && !err; j++)
		err = group_secrets(in, j, &m.welcome.encrypted_group_info,
				    &arena, &m.welcome.secrets[j]);
	if (!err)
		err = MLSC_ENCODE(&m, mlsc_io_mls_message, &w);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
out:
	free(egi);
	mlsc_wbuf_free(&gi);
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	return err;
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A member's own Update proposal (RFC 9420 §12.1.2): a new LeafNode for
 * its leaf with a fresh HPKE encryption key, for another member to
 * commit by reference. propose.c frames and caches it like any other
 * proposal; the new private key stays with the cache entry
 * (mlsc_proposal_cache_set_key()) until a Commit applies the Update
 * (commit_recv.c installs it) or the epoch ends, and is wiped with it.
 *
 * The signature key, the credential, the capabilities and the leaf's
 * extensions stay as they are: §12.1.2 asks for a fresh encryption key
 * only, and a new signature key needs a new credential, which is the
 * application's to issue. The new leaf is signed with the member's
 * present key, as every message of its leaf is.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "group.h"
#include "hpke.h"
#include "internal.h"
#include "leaf.h"
#include "proposal.h"

/* SignWithLabel(., "LeafNodeTBS", LeafNodeTBS) with group_id and leaf. */
static int sign_leaf(struct mlsc_leaf_node *ln, const struct mls_sig_key *key,
		     const struct mlsc_slice *group_id, uint32_t leaf,
		     struct mlsc_arena *arena)
{
	struct mlsc_wbuf tbs = { 0 };
	size_t sig_len = MLS_SIGNATURE_MAX;
	uint8_t *sig;
	int err;

	ln->signature = (struct mlsc_slice){ 0 };
	err = mlsc_leaf_tbs(ln, group_id, leaf, &tbs);
	sig = err ? NULL : mlsc_arena_alloc(arena, MLS_SIGNATURE_MAX);
	if (!err && !sig)
		err = -ENOMEM;
	if (!err)
		err = mls_sign_with_label(key, "LeafNodeTBS", tbs.p, tbs.len,
					  sig, &sig_len);
	if (!err)
		ln->signature = (struct mlsc_slice){ sig, sig_len };
	mlsc_wbuf_free(&tbs);
	return err;
}

/*
 * The leaf keeps the credential the group accepted: the members judge
 * it again, each with its own callback, when they commit or follow the
 * Update; here it is not this member's to judge (an X.509 one would
 * otherwise be refused for want of a callback).
 */
static int same_credential(void *arg, const struct mlsc_cred *cred,
			   const void *sig_key, size_t sig_key_len,
			   uint16_t suite)
{
	(void)arg;
	(void)cred;
	(void)sig_key;
	(void)sig_key_len;
	(void)suite;
	return 0;
}

/* The Update as another member that commits it checks it (§12.2). */
static int check_as_committer(const struct mlsc_group *g,
			      const struct mlsc_group_context *gc,
			      const struct mlsc_proposal *p)
{
	struct mlsc_validate_opts now = {
		.now = (uint64_t)time(NULL), .credential_cb = same_credential,
	};
	struct mlsc_group_view v = { g->suite, &g->tree, gc, &now };
	struct mlsc_resolved r = { .p = *p, .sender = g->own_leaf };
	bool path;

	/* committed by a member other than this one (UINT32_MAX: anyone) */
	return mlsc_proposals_validate(&v, UINT32_MAX, &r, 1, &path);
}

int mlsc_update_from_spec(const struct mlsc_group *g,
			  const struct mlsc_proposal_spec *p,
			  const struct mls_sig_key *key,
			  const struct mlsc_group_context *gc,
			  struct mlsc_arena *arena, struct mlsc_proposal *out,
			  struct mlsc_node_key *sk)
{
	const struct mlsc_leaf_node *cur = mlsc_tree_leaf(&g->tree, g->own_leaf);
	struct mlsc_leaf_node *ln = &out->update;
	struct mlsc_hpke_suite hs;
	size_t pk_len = MLSC_MAX_PK;
	uint8_t *pk;
	int err;

	memset(out, 0, sizeof(*out));
	memset(sk, 0, sizeof(*sk));
	if (p->key_package || p->leaf || p->psk_id || p->psk_id_len ||
	    p->psk || p->psk_len)
		return -EINVAL;
	if (!cur)
		return -ENOKEY;
	pk = mlsc_arena_alloc(arena, MLSC_MAX_PK);
	if (!pk)
		return -ENOMEM;
	err = mlsc_hpke_suite_mls(&hs, g->suite);
	if (err)
		return err;
	sk->len = sizeof(sk->sk);
	err = mlsc_hpke_generate_key_pair(&hs, sk->sk, &sk->len, pk, &pk_len);
	if (err)
		goto fail;
	sk->node = mlsc_leaf_node(g->own_leaf);
	out->type = MLSC_PROPOSAL_UPDATE;
	*ln = *cur;
	ln->encryption_key = (struct mlsc_slice){ pk, pk_len };
	ln->source = MLSC_LEAF_SOURCE_UPDATE;
	/* update carries neither a lifetime nor a parent_hash */
	memset(&ln->lifetime, 0, sizeof(ln->lifetime));
	err = sign_leaf(ln, key, &gc->group_id, g->own_leaf, arena);
	if (!err)
		err = check_as_committer(g, gc, out);
	if (!err)
		return 0;
fail:
	OPENSSL_cleanse(sk, sizeof(*sk));
	return err;
}

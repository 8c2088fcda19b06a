// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A received ratchet tree, checked as a joiner must (§7.9, §12.4.3.1):
 * tree hash, parent hashes, every leaf (§7.3), and the checks that span
 * leaves: credential types supported by all, keys that are unique;
 * and, with the tree, the GroupContext's external senders' credentials
 * (§5.3.1), which a joiner accepts with the group.
 */
#include <string.h>

#include "ext_sender.h"
#include "internal.h"
#include "leaf.h"
#include "suite.h"
#include "tree_validate.h"

static int slice_cmp(const void *a, const void *b)
{
	const struct mlsc_slice *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->p, y->p, n) : 0;

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* -EBADMSG if two of the @n keys at @v are equal (@v is sorted). */
static int unique(struct mlsc_slice *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), slice_cmp);
	for (size_t i = 1; i < n; i++)
		if (!slice_cmp(&v[i - 1], &v[i]))
			return -EBADMSG;
	return 0;
}

/* No two leaves with one signature key, no two nodes with one HPKE key. */
static int keys_unique(const struct mlsc_tree *t)
{
	struct mlsc_slice *sig, *enc;
	size_t n_sig = 0, n_enc = 0;
	int err;

	sig = mlsc_calloc(t->n_leaves, sizeof(*sig));
	enc = mlsc_calloc(t->n_nodes, sizeof(*enc));
	if (!sig || !enc) {
		free(sig);
		free(enc);
		return -ENOMEM;
	}
	for (uint32_t x = 0; x < t->n_nodes; x++) {
		const struct mlsc_node *n = &t->nodes[x];

		if (n->type == MLSC_NODE_LEAF) {
			sig[n_sig++] = n->leaf.signature_key;
			enc[n_enc++] = n->leaf.encryption_key;
		} else if (n->type == MLSC_NODE_PARENT) {
			enc[n_enc++] = n->parent.encryption_key;
		}
	}
	err = unique(sig, n_sig);
	if (!err)
		err = unique(enc, n_enc);
	free(sig);
	free(enc);
	return err;
}

/* §7.3: each leaf's credential type is one every leaf supports. */
static int credentials_supported(const struct mlsc_tree *t)
{
	for (uint32_t i = 0; i < t->n_leaves; i++) {
		const struct mlsc_node *a = &t->nodes[mlsc_leaf_node(i)];

		if (!a->type)
			continue;
		for (uint32_t j = 0; j < t->n_leaves; j++) {
			const struct mlsc_node *b = &t->nodes[mlsc_leaf_node(j)];
			const struct mlsc_capabilities *c;

			if (!b->type)
				continue;
			c = &b->leaf.capabilities;
			if (!mlsc_u16_in(a->leaf.credential.type, c->credentials,
					 c->n_credentials))
				return -EOPNOTSUPP;
		}
	}
	return 0;
}

int mlsc_tree_validate(const struct mlsc_tree *t,
		       const struct mlsc_slice *group_id,
		       const struct mlsc_slice *tree_hash,
		       const struct mlsc_extensions *gc_ext,
		       const struct mlsc_validate_opts *opts)
{
	struct mlsc_required_caps req;
	struct mlsc_arena arena;
	size_t nh;
	int err, has_req;

	if (!t || !t->n_nodes || !group_id)
		return -EINVAL;
	nh = mlsc_tree_hash_size(t);
	if (!nh)
		return -EINVAL;
	if (tree_hash) {
		uint8_t h[MLSC_MAX_HASH];
		struct mlsc_slice mine = { h, nh };

		err = mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), h);
		if (err)
			return err;
		if (!mlsc_slice_eq(&mine, tree_hash))
			return -EBADMSG;
	}
	err = mlsc_tree_verify_parent_hashes(t);
	if (err)
		return err;
	mlsc_arena_init(&arena);
	has_req = mlsc_find_required_caps(gc_ext, &arena, &req);
	err = has_req < 0 ? has_req : 0;
	for (uint32_t i = 0; !err && i < t->n_leaves; i++) {
		const struct mlsc_node *n = &t->nodes[mlsc_leaf_node(i)];

		if (n->type)
			err = mlsc_leaf_validate(t->suite, &n->leaf, 0,
						 group_id, i,
						 has_req ? &req : NULL, opts);
	}
	mlsc_arena_free(&arena);
	if (!err)
		err = credentials_supported(t);
	if (!err)
		err = keys_unique(t);
	if (!err)
		err = mlsc_external_senders_check(gc_ext, t->suite, opts);
	return err;
}

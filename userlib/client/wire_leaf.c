// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * RFC 9420 structures of the tree and of KeyPackages: Extension,
 * Credential (§5.3), Capabilities, Lifetime, LeafNode (§7.2), ParentNode
 * (§7.1), KeyPackage (§10), the ratchet_tree extension (§12.4.3.3) and
 * GroupContext (§8.1).
 */
#include "internal.h"
#include "wire.h"

static void io_extension(struct mlsc_io *io, struct mlsc_extension *e)
{
	mlsc_io_u16(io, &e->type);
	mlsc_io_opaque(io, &e->data);
}

void mlsc_io_extensions(struct mlsc_io *io, struct mlsc_extensions *e)
{
	mlsc_io_array(io, &e->v, &e->n, io_extension);
}

static void io_cert(struct mlsc_io *io, struct mlsc_slice *s)
{
	mlsc_io_opaque(io, s);
}

void mlsc_io_credential(struct mlsc_io *io, struct mlsc_credential *c)
{
	mlsc_io_u16(io, &c->type);
	switch (c->type) {
	case MLSC_CREDENTIAL_BASIC:
		mlsc_io_opaque(io, &c->identity);
		break;
	case MLSC_CREDENTIAL_X509:
		mlsc_io_array(io, &c->certs, &c->n_certs, io_cert);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_capabilities(struct mlsc_io *io, struct mlsc_capabilities *c)
{
	mlsc_io_u16_list(io, &c->versions, &c->n_versions);
	mlsc_io_u16_list(io, &c->cipher_suites, &c->n_cipher_suites);
	mlsc_io_u16_list(io, &c->extensions, &c->n_extensions);
	mlsc_io_u16_list(io, &c->proposals, &c->n_proposals);
	mlsc_io_u16_list(io, &c->credentials, &c->n_credentials);
}

void mlsc_io_leaf_node(struct mlsc_io *io, struct mlsc_leaf_node *l)
{
	mlsc_io_opaque(io, &l->encryption_key);
	mlsc_io_opaque(io, &l->signature_key);
	mlsc_io_credential(io, &l->credential);
	mlsc_io_capabilities(io, &l->capabilities);
	mlsc_io_u8(io, &l->source);
	switch (l->source) {
	case MLSC_LEAF_SOURCE_KEY_PACKAGE:
		mlsc_io_u64(io, &l->lifetime.not_before);
		mlsc_io_u64(io, &l->lifetime.not_after);
		break;
	case MLSC_LEAF_SOURCE_UPDATE:
		break;
	case MLSC_LEAF_SOURCE_COMMIT:
		mlsc_io_opaque(io, &l->parent_hash);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
	mlsc_io_extensions(io, &l->extensions);
	mlsc_io_opaque(io, &l->signature);
}

void mlsc_io_parent_node(struct mlsc_io *io, struct mlsc_parent_node *p)
{
	mlsc_io_opaque(io, &p->encryption_key);
	mlsc_io_opaque(io, &p->parent_hash);
	mlsc_io_u32_list(io, &p->unmerged_leaves, &p->n_unmerged);
}

void mlsc_io_key_package(struct mlsc_io *io, struct mlsc_key_package *kp)
{
	mlsc_io_u16(io, &kp->version);
	mlsc_io_u16(io, &kp->cipher_suite);
	mlsc_io_opaque(io, &kp->init_key);
	mlsc_io_leaf_node(io, &kp->leaf_node);
	mlsc_io_extensions(io, &kp->extensions);
	mlsc_io_opaque(io, &kp->signature);
}

static void io_node(struct mlsc_io *io, struct mlsc_node *n)
{
	bool present = n->type != 0;

	if (!mlsc_io_optional(io, &present)) {
		n->type = 0;
		return;
	}
	mlsc_io_u8(io, &n->type);
	switch (n->type) {
	case MLSC_NODE_LEAF:
		mlsc_io_leaf_node(io, &n->leaf);
		break;
	case MLSC_NODE_PARENT:
		mlsc_io_parent_node(io, &n->parent);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_ratchet_tree(struct mlsc_io *io, struct mlsc_ratchet_tree *t)
{
	mlsc_io_array(io, &t->nodes, &t->n, io_node);
}

void mlsc_io_group_context(struct mlsc_io *io, struct mlsc_group_context *gc)
{
	mlsc_io_u16(io, &gc->version);
	mlsc_io_u16(io, &gc->cipher_suite);
	mlsc_io_opaque(io, &gc->group_id);
	mlsc_io_u64(io, &gc->epoch);
	mlsc_io_opaque(io, &gc->tree_hash);
	mlsc_io_opaque(io, &gc->confirmed_transcript_hash);
	mlsc_io_extensions(io, &gc->extensions);
}

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Running a group as its committer: the pending commit the client keeps
 * beside the kernel's (the next epoch's tree, own keys, GroupContext and
 * interim transcript hash, made current on merge), and the helpers that
 * group_create.c, commit_send.c and welcome_create.c share.
 */
#ifndef MLSC_COMMIT_H
#define MLSC_COMMIT_H

#include <stdbool.h>

#include <mls_client.h>

#include "group.h"
#include "treekem.h"
#include "wire.h"

struct mlsc_pending {
	uint64_t epoch;			/* the kernel's pending epoch */
	struct mlsc_tree tree;
	bool has_path;			/* @keys and @priv replace the group's */
	struct mlsc_node_key *keys;
	size_t n_keys;
	struct mlsc_tree_priv *priv;	/* what following the group decrypts with */
	uint8_t *context;		/* the new GroupContext, encoded */
	size_t context_len;
	uint8_t interim[MLSC_MAX_HASH];
	uint8_t *reinit;		/* the Commit's ReInit, encoded */
	size_t reinit_len;
};

/*
 * A resumption PSK of usage reinit (§11.2), as struct
 * mlsc_resumption_psk in a struct mlsc_proposal_spec: only in the first
 * Commit of a group a ReInit started, mlsc_commit_create_reinit()'s. Not
 * an RFC value, nor one of the API's: mlsc_commit_create() refuses it
 * (-EOPNOTSUPP).
 */
#define MLSC_PROPOSE_PSK_REINIT		0x8204

/* Wipe and free @p (NULL is ignored). */
void mlsc_pending_free(struct mlsc_pending *p);

/*
 * The private keys of a member from @priv: its leaf's, then those of its
 * path's nodes, into a fresh @keys of *@n (wipe and free).
 */
int mlsc_keys_from_priv(const struct mlsc_suite *s,
			const struct mlsc_tree_priv *priv,
			struct mlsc_node_key **keys, size_t *n);

/* What the Welcome of a commit takes (welcome_create.c). */
struct mlsc_welcome_in {
	const struct mlsc_suite *suite;
	const struct mlsc_tree *tree;		/* the new epoch's */
	const struct mlsc_tree_priv *priv;	/* NULL: no UpdatePath */
	uint32_t own_leaf;
	const struct mls_sig_key *sig_key;
	const struct mlsc_group_context *gc;	/* the new epoch's */
	const uint8_t *confirmation_tag;	/* Nh */
	const uint8_t *joiner_secret;		/* Nh */
	const uint8_t *welcome_secret;		/* Nh */
	const struct mlsc_psk_id *psks;
	size_t n_psks;
	const struct mlsc_keypkg *const *joiners;	/* KeyPackages added */
	const uint32_t *joiner_leaves;
	size_t n_joiners;
	bool ratchet_tree;			/* the extension in GroupInfo */
};

/* A proposal a Commit names by reference, as its committer resolved it. */
struct mlsc_ref_proposal {
	struct mlsc_slice ref;		/* ProposalRef */
	uint32_t sender;		/* a member's leaf (Update's leaf) */
	struct mlsc_proposal p;
	struct mlsc_keypkg *kp;		/* Add: its KeyPackage, for the Welcome */
};

/*
 * The proposals @refs (@n of them) name in @g's cache of the epoch of
 * @gc, into @out (in @arena), each checked as the Commit's receivers
 * will: a ref twice (-EINVAL); one not received in this epoch
 * (-ENOENT); a type other than Add, Update, Remove, PreSharedKey,
 * GroupContextExtensions or ReInit (-EOPNOTSUPP; the last three are
 * checked with the whole list, a PSK's value found by the caller); a
 * Remove of a leaf past the tree (-ERANGE), blank (-ENOENT) or one's own
 * (-EINVAL); one's own Update (-EINVAL: §12.2, the committer's new leaf
 * comes in its UpdatePath) or an Update from outside the group
 * (-EINVAL); an Add whose KeyPackage fails §10.1 under @vo (its
 * errors), or whose keys a member has (-EEXIST). Another member's
 * Update is checked with the list.
 */
int mlsc_commit_refs_resolve(const struct mlsc_group *g,
			     const struct mlsc_group_context *gc,
			     const struct mls_bytes *refs, size_t n,
			     const struct mlsc_validate_opts *vo,
			     struct mlsc_arena *arena,
			     struct mlsc_ref_proposal *out);

/* Does a member of @t already hold a key of @kp's (-EEXIST for an Add)? */
bool mlsc_keys_known(const struct mlsc_tree *t,
		     const struct mlsc_key_package *kp);

/*
 * The checks of one proposal spec, @v[@i], by value (a Commit's list
 * @v, or a proposal of its own with @i 0), and against those before it
 * in @v; the errnos of mlsc_commit_create():
 * an Add: its KeyPackage under @vo (NULL: basic, now), once, with keys
 * no member has (-EEXIST); a Remove: of an occupied leaf in the tree
 * (-ERANGE, -ENOENT), not @g's own, once (-EINVAL); an external or
 * resumption PSK: a well-formed spec, once (-EINVAL).
 */
int mlsc_spec_check_add(const struct mlsc_group *g,
			const struct mlsc_proposal_spec *v, size_t i,
			const struct mlsc_validate_opts *vo);
int mlsc_spec_check_remove(const struct mlsc_group *g,
			   const struct mlsc_proposal_spec *v, size_t i);
int mlsc_spec_check_psk(const struct mlsc_proposal_spec *v, size_t i);

/*
 * The PreSharedKeyID @id of @p, a PSK spec checked by
 * mlsc_spec_check_psk(), with a fresh nonce, and the kernel's entry @k
 * for it: an external PSK by id and value; a resumption PSK by its
 * group's group_id (read from the kernel) and epoch, its value left to
 * the kernel. Both point into @p and @arena. 0; -ENOMEM, -EIO, the
 * errors of MLS_IOC_GROUP_INFO (-EBADF).
 */
int mlsc_psk_from_spec(const struct mlsc_suite *s,
		       const struct mlsc_proposal_spec *p,
		       struct mlsc_arena *arena, struct mlsc_psk_id *id,
		       struct mls_psk *k);

/*
 * mlsc_commit_create() for the first Commit of the group a ReInit
 * started (reinit_group.c): the list may hold one
 * %MLSC_PROPOSE_PSK_REINIT, which the receivers' checks then take.
 */
int mlsc_commit_create_reinit(struct mlsc_group *g,
			      const struct mlsc_commit_args *a,
			      struct mlsc_commit_out *out);

/* The MLSMessage(Welcome) into @out (mls_bytes_free()). */
int mlsc_welcome_build(const struct mlsc_welcome_in *in,
		       struct mls_bytes *out);

#endif /* MLSC_COMMIT_H */

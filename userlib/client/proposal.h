/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Proposals (RFC 9420 §12.1 to §12.3): their references (§5.2), the
 * cache of those received by reference in an epoch, and the checks of
 * one proposal and of a Commit's list.
 *
 * Errors: -EPROTO a proposal or list the RFC calls invalid, -ENOENT a
 * reference to a proposal this epoch did not bring, and the errors of
 * the KeyPackage and LeafNode checks (leaf.h: -EBADMSG a signature,
 * -EKEYEXPIRED, -EKEYREJECTED, -EOPNOTSUPP); -ENOMEM, -EIO.
 */
#ifndef MLSC_PROPOSAL_H
#define MLSC_PROPOSAL_H

#include <mls_client.h>

#include "suite.h"
#include "tree.h"
#include "wire.h"

struct mlsc_group;
struct mlsc_node_key;

/*
 * Proposals one epoch may cache, past which a new one is refused: the
 * members' and, counted apart so that anyone outside the group cannot
 * fill the members' room, those from outside (§12.1.8).
 */
#define MLSC_MAX_CACHED_PROPOSALS	4096
#define MLSC_MAX_OUTSIDER_PROPOSALS	64

struct mlsc_cached_proposal {
	uint8_t ref[MLSC_MAX_HASH];	/* ProposalRef, Nh bytes */
	uint32_t sender;		/* its sender's leaf or external index */
	uint8_t outsider;		/* 0, or the MLSC_SENDER_* of a non-member */
	uint8_t *bytes;			/* the Proposal, encoded */
	size_t len;
	/*
	 * This member's own Update (propose_update.c): the HPKE private
	 * key of its new LeafNode, @leaf_sk_len bytes, installed when a
	 * Commit applies it (§12.4.2); wiped with the entry. 0: none.
	 */
	size_t leaf_sk_len;
	uint8_t leaf_sk[MLSC_MAX_SK];
};

struct mlsc_proposal_cache {
	uint64_t epoch;
	struct mlsc_cached_proposal *v;
	size_t n, cap;
	size_t n_outsiders;	/* of @n, from outside the group */
};

/*
 * ProposalRef (§5.2): RefHash("MLS 1.0 Proposal Reference",
 * AuthenticatedContent), the @len bytes at @ac, into @ref (Nh bytes).
 */
int mlsc_proposal_ref(const struct mlsc_suite *s, const uint8_t *ac,
		      size_t len, uint8_t *ref);

/*
 * Keep proposal @p of @sender (a member's leaf, an external sender's
 * index, a new member) under @ref (Nh bytes) for @epoch: a cache of
 * another epoch is emptied first. A ref kept already is left as it is.
 * 0, -ENOSPC (MLSC_MAX_CACHED_PROPOSALS of members, or
 * MLSC_MAX_OUTSIDER_PROPOSALS from outside the group), -ENOMEM.
 */
int mlsc_proposal_cache_add(struct mlsc_proposal_cache *c, size_t nh,
			    uint64_t epoch, const uint8_t *ref,
			    const struct mlsc_sender *sender,
			    const struct mlsc_proposal *p);
/*
 * The proposal cached under @ref (@ref_len bytes) in @epoch, or NULL.
 */
const struct mlsc_cached_proposal *
mlsc_proposal_cache_find(const struct mlsc_proposal_cache *c, size_t nh,
			 uint64_t epoch, const uint8_t *ref, size_t ref_len);
/* Wipe and free every entry (with an own Update's private key). */
void mlsc_proposal_cache_clear(struct mlsc_proposal_cache *c);
/*
 * Keep @sk (@len bytes, an own Update's new leaf private key) with the
 * entry of @ref in @epoch: 0, -ENOENT (no such entry), -EINVAL (@len).
 */
int mlsc_proposal_cache_set_key(struct mlsc_proposal_cache *c, size_t nh,
				uint64_t epoch, const uint8_t *ref,
				const uint8_t *sk, size_t len);

/* One proposal of a Commit, its reference resolved. */
struct mlsc_resolved {
	struct mlsc_proposal p;
	uint32_t sender;	/* leaf; the committer's for one by value */
	uint8_t outsider;	/* 0: a member's; else its MLSC_SENDER_* */
	bool by_ref;
	/* by reference: its cache entry (an own Update's private key) */
	const struct mlsc_cached_proposal *cached;
};

/*
 * The Commit @c of leaf @committer in @epoch, its proposals resolved
 * from @cache into @out (@c->n_proposals entries; by-reference ones
 * parsed into @arena).
 */
int mlsc_proposals_resolve(const struct mlsc_proposal_cache *cache,
			   size_t nh, uint64_t epoch,
			   const struct mlsc_commit *c, uint32_t committer,
			   struct mlsc_arena *arena, struct mlsc_resolved *out);

/* What checking a list needs of the group. */
struct mlsc_group_view {
	const struct mlsc_suite *suite;
	const struct mlsc_tree *tree;		/* of the current epoch */
	const struct mlsc_group_context *gc;	/* of the current epoch */
	const struct mlsc_validate_opts *opts;
};

/*
 * §12.2 for a Commit by member @committer: each proposal valid (§12.1:
 * Add's KeyPackage per §10.1 and the group's required capabilities,
 * Update's LeafNode per §7.3 from a member other than the committer,
 * Remove of a non-blank leaf, PSK ids of the suite's nonce length and
 * resumption usage "application", ReInit's version, the extensions of a GroupContextExtensions
 * supported by every member), and the list:
 * no ExternalInit, ReInit alone, at most one GroupContextExtensions, no
 * two Update or Remove of one leaf, the committer not removed, no PSK
 * twice; a proposal from outside the group of a type its sender may
 * send (§12.1.8: an external sender's Add, Remove, PreSharedKey,
 * ReInit or GroupContextExtensions, a new member's Add). *@path_required tells whether it needs an UpdatePath (§12.4).
 */
int mlsc_proposals_validate(const struct mlsc_group_view *v,
			    uint32_t committer,
			    const struct mlsc_resolved *r, size_t n,
			    bool *path_required);

/*
 * mlsc_proposals_validate() for the first Commit of a group a ReInit
 * started (§11.2), whose list also takes resumption PSKs of usage
 * reinit.
 */
int mlsc_proposals_validate_reinit(const struct mlsc_group_view *v,
				   uint32_t committer,
				   const struct mlsc_resolved *r, size_t n,
				   bool *path_required);

/*
 * §12.2 and §12.4.3.2 for an external Commit @c (sender
 * new_member_commit) whose UpdatePath brings @leaf, its proposals in
 * @r: all by value; exactly one ExternalInit (a kem_output of Npk
 * bytes, else -EBADMSG); at most one Remove, of a member whose
 * credential @leaf carries again (the same type, for a basic one the
 * same identity); PreSharedKeys, each once; nothing else.
 */
int mlsc_proposals_validate_external(const struct mlsc_group_view *v,
				     const struct mlsc_commit *c,
				     const struct mlsc_leaf_node *leaf,
				     const struct mlsc_resolved *r);

/*
 * The GroupContext extensions @x (@n of them) as a new group's or a
 * GroupContextExtensions proposal's, into @e (pointing into @x's): each
 * type once, none of those only a GroupInfo carries (-EINVAL); a
 * well-formed external_senders list whose keys are of @suite's scheme
 * and required_capabilities (-EINVAL); supported by @leaf
 * (-EOPNOTSUPP), as they must be by every member (§12.1.7).
 */
int mlsc_extensions_take(const struct mlsc_ext *x, size_t n, uint16_t suite,
			 const struct mlsc_leaf_node *leaf,
			 struct mlsc_arena *arena, struct mlsc_extensions *e);

/*
 * A member's GroupContextExtensions or ReInit spec @p (struct
 * mlsc_gce_spec, struct mlsc_reinit_spec) as the Proposal @out of @g,
 * pointing into @p's and @arena: -EINVAL (a bad spec, an extension
 * type twice or a GroupInfo's own), -EOPNOTSUPP (another type, an
 * extension @g's own leaf lacks), -EPROTONOSUPPORT (a ReInit's version
 * or suite), -ENOMEM. The other members' support is checked with the
 * list (mlsc_proposals_validate()).
 */
int mlsc_proposal_from_spec(const struct mlsc_group *g,
			    const struct mlsc_proposal_spec *p,
			    struct mlsc_arena *arena, struct mlsc_proposal *out);

/*
 * A member's own Update (§12.1.2, propose_update.c): the Proposal @out
 * of @g in the epoch of @gc, for spec @p (nothing but its type), a new
 * LeafNode of @g's own leaf (source update, a fresh HPKE key pair, the
 * leaf's signature key, credential, capabilities and extensions) signed
 * with @key over its LeafNodeTBS (group_id and leaf index, §7.2) and
 * checked as another member committing it will (§7.3, §12.2); its new
 * private key into @sk (the caller wipes it). Pointing into @arena.
 * -EINVAL (a spec with more than its type, @key not the leaf's:
 * -EBADMSG from the check), -EPROTO (the leaf as §7.3 refuses it),
 * -ENOMEM, -EIO.
 */
int mlsc_update_from_spec(const struct mlsc_group *g,
			  const struct mlsc_proposal_spec *p,
			  const struct mls_sig_key *key,
			  const struct mlsc_group_context *gc,
			  struct mlsc_arena *arena, struct mlsc_proposal *out,
			  struct mlsc_node_key *sk);

/*
 * No two leaves of @t share a signature key, and no two nodes an
 * encryption key (§7.3): 0, -EPROTO, -ENOMEM.
 */
int mlsc_tree_keys_unique(const struct mlsc_tree *t);

#endif /* MLSC_PROPOSAL_H */

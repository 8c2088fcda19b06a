/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * A member of a group, as the client keeps it: the kernel's group fd,
 * the ratchet tree, its own leaf and its own private keys (the leaf's
 * and those of the path secrets a Welcome gave). The epoch secrets are
 * the kernel's.
 */
#ifndef MLSC_GROUP_H
#define MLSC_GROUP_H

#include <stdbool.h>

#include <libmls.h>

#include "suite.h"
#include "tree.h"

struct mlsc_tree_priv;
struct mlsc_proposal_cache;
struct mlsc_pending;
struct mlsc_retry;
struct mlsc_reinit;

/* The private key of one node of the tree. */
struct mlsc_node_key {
	uint32_t node;
	size_t len;
	uint8_t sk[MLSC_MAX_SK];
};

struct mlsc_group {
	int gfd;
	const struct mlsc_suite *suite;
	uint32_t own_leaf;
	struct mlsc_tree tree;
	/* index 0: own leaf (if given); then the path's parents, upwards */
	struct mlsc_node_key *keys;
	size_t n_keys;
	/* the GroupContext, encoded (public) */
	uint8_t *context;
	size_t context_len;
	/* interim_transcript_hash of the epoch (§8.2), s->nh bytes */
	uint8_t interim[MLSC_MAX_HASH];
	/*
	 * Following the group (commit_recv.c): the leaf key and path
	 * secrets TreeKEM decrypts with (NULL without a leaf key), and the
	 * proposals received by reference in this epoch.
	 */
	struct mlsc_tree_priv *priv;
	struct mlsc_proposal_cache *cache;
	/* the commit this member prepared, until merged or discarded */
	struct mlsc_pending *pending;
	/*
	 * The MLSMessage of the last Commit this member made (public
	 * bytes): given back to mlsc_group_process(), before or after its
	 * merge, it is -EALREADY.
	 */
	uint8_t *own_commit;
	size_t own_commit_len;
	/*
	 * The last PrivateMessage proposal or commit the kernel opened in
	 * this epoch and the client then refused (recv.c): the kernel has
	 * used up its generation, so a second try of the same bytes takes
	 * the content from here.
	 */
	struct mlsc_retry *retry;
	/*
	 * Joined by an external commit (external_join.c) that the delivery
	 * service has not accepted yet: mlsc_commit_merge() ends it,
	 * mlsc_commit_discard() destroys the kernel group.
	 */
	bool joining;
	/*
	 * The ReInit (§12.1.5), encoded, of the Commit that ended the
	 * group: no more proposals or commits (mlsc_group_reinit()).
	 */
	uint8_t *reinit;
	size_t reinit_len;
	/*
	 * The module takes MLS_COMMIT_F_FINAL (MLS_FEATURE_COMMIT_FINAL):
	 * a ReInit Commit ends the kernel group too. An older module
	 * refuses the flag, and its members still follow the ReInit.
	 */
	bool kernel_final;
};

/*
 * @g's TreeKEM state from its leaf key (keys[0]) and, if not NULL, the
 * Welcome's @path_secret for the committer @signer: 0, -ENOMEM, or
 * -EPROTO for a path secret that does not match the tree.
 */
int mlsc_group_priv_init(struct mlsc_group *g, const uint8_t *path_secret,
			 uint32_t signer);
/*
 * The GroupContext's extensions as the kernel takes them, without their
 * length: encoded into @out, the first @skip bytes of which are the
 * length (mlsc_wbuf_free()).
 */
int mlsc_context_extensions(const struct mlsc_group_context *gc,
			    struct mlsc_wbuf *out, size_t *skip);
/* The roster's occupied-leaf bitmap of @t, freshly allocated. */
int mlsc_roster_bitmap(const struct mlsc_tree *t, uint8_t **out, size_t *len);
/*
 * Whether the module behind @ctl_fd reports MLS_FEATURE_COMMIT_FINAL
 * (false when it cannot be asked).
 */
bool mlsc_kernel_final(int ctl_fd);
/* Release what following the group holds (wiped). */
void mlsc_group_recv_free(struct mlsc_group *g);
/* The ReInit @r encoded into a fresh *@out of *@len bytes: 0, -ENOMEM. */
int mlsc_reinit_encode(const struct mlsc_reinit *r, uint8_t **out,
		       size_t *len);
/* Drop the kept PrivateMessage content, wiped (a new epoch, or free). */
void mlsc_group_retry_clear(struct mlsc_group *g);
/* Keep a copy of the Commit @msg this member made: 0 or -ENOMEM. */
int mlsc_group_set_own_commit(struct mlsc_group *g, const uint8_t *msg,
			      size_t len);

/*
 * Erase @g's private keys, and nothing else: mlsc_group_free() calls
 * it first. Separate so that a test can see the keys gone.
 */
void mlsc_group_wipe_keys(struct mlsc_group *g);

/*
 * A member's saved state (group_save.c) without the kernel: encoded with
 * the kernel id @id, and decoded into a member whose gfd is -1, with
 * its kernel id and signature key (NULL if none was saved).
 */
int mlsc_state_encode(const struct mlsc_group *g, uint32_t id,
		      const struct mls_sig_key *sig_key, struct mls_bytes *out);
int mlsc_state_decode(const void *data, size_t len, struct mlsc_group **out,
		      uint32_t *id, struct mls_sig_key **sig_key);

#endif /* MLSC_GROUP_H */

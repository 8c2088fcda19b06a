/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * A member of a group, as the client keeps it: the kernel's group fd,
 * the ratchet tree, its own leaf and its own private keys (the leaf's
 * and those of the path secrets a Welcome gave). The epoch secrets are
 * the kernel's.
 */
#ifndef MLSC_GROUP_H
#define MLSC_GROUP_H

#include "suite.h"
#include "tree.h"

struct mlsc_pending;

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
	/* the commit this member prepared, until merged or discarded */
	struct mlsc_pending *pending;
};

/*
 * Erase @g's private keys, and nothing else: mlsc_group_free() calls
 * it first. Separate so that a test can see the keys gone.
 */
void mlsc_group_wipe_keys(struct mlsc_group *g);

#endif /* MLSC_GROUP_H */

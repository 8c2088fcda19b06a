/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * A handshake message received, its framing removed and its sender
 * authenticated (recv.c), on its way to the Commit's processing
 * (commit_recv.c).
 */
#ifndef MLSC_RECV_H
#define MLSC_RECV_H

#include <mls_client.h>

#include "group.h"
#include "treekem.h"
#include "wire.h"

struct mlsc_content_in {
	uint16_t wire_format;
	struct mlsc_framed_content fc;
	struct mlsc_auth_data auth;
};

/*
 * Apply the authenticated Commit @in of the current epoch, whose
 * GroupContext is @gc, to @g (§12.4.2): see mlsc_group_process().
 */
int mlsc_commit_recv(struct mlsc_group *g,
		     const struct mlsc_group_context *gc,
		     const struct mlsc_content_in *in,
		     const struct mlsc_process_opts *opts,
		     struct mlsc_processed *out);

/*
 * The node keys of @p in @t as struct mlsc_group keeps them (the leaf's,
 * then those of its path upwards) into a fresh @out (1 + MLSC_MAX_PATH
 * entries, @n used).
 */
int mlsc_node_keys_from_priv(const struct mlsc_suite *s,
			     const struct mlsc_tree *t,
			     const struct mlsc_tree_priv *p,
			     struct mlsc_node_key **out, size_t *n);

#endif /* MLSC_RECV_H */

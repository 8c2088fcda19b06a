/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Validation of a ratchet tree received from others (RFC 9420 §7.9,
 * §12.4.3.1): what a joiner checks before it trusts the tree.
 */
#ifndef MLSC_TREE_VALIDATE_H
#define MLSC_TREE_VALIDATE_H

#include <mls_client.h>

#include "tree.h"

/*
 * Validate @t as the tree of the group @group_id:
 *  - its tree hash is @tree_hash (when not NULL: the GroupContext's);
 *  - every parent node is parent-hash valid, unmerged leaves included
 *    (mlsc_tree_verify_parent_hashes());
 *  - every non-blank leaf passes §7.3: its signature (LeafNodeTBS with
 *    @group_id and its leaf index unless its source is key_package), its
 *    credential (@opts' callback), its lifetime when its source is
 *    key_package (@opts' now, unless MLSC_VALIDATE_NO_LIFETIME), its
 *    extensions listed in its capabilities, the required_capabilities
 *    among @gc_ext (may be NULL) covered by its capabilities;
 *  - every leaf's credential type is supported by every leaf;
 *  - no two leaves share a signature key, no two nodes an encryption
 *    key.
 * Returns 0; -EBADMSG (tree hash, parent hash, signature, duplicate
 * key, unmerged leaves), -EKEYEXPIRED, -EKEYREJECTED or the callback's
 * error (credential), -EOPNOTSUPP (a capability missing), -EINVAL,
 * -ENOMEM, -EIO.
 */
int mlsc_tree_validate(const struct mlsc_tree *t,
		       const struct mlsc_slice *group_id,
		       const struct mlsc_slice *tree_hash,
		       const struct mlsc_extensions *gc_ext,
		       const struct mlsc_validate_opts *opts);

#endif /* MLSC_TREE_VALIDATE_H */

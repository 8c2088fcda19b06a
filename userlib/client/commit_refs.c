// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The proposals a Commit names by reference (RFC 9420 §12.4): resolved
 * from the epoch's cache of received proposals, a member's or one from
 * outside the group (§12.1.8), and checked as §12.2 has the receivers
 * check them, so that a Commit the committer makes is one they accept
 * (the errnos of the committer's API; the receivers' own check of the
 * whole list runs after it, in commit_send.c).
 */
#include <string.h>

#include "commit.h"
#include "internal.h"
#include "keypkg.h"
#include "proposal.h"

/* The KeyPackage of an Add, as a Welcome to it needs it: kp and raw. */
static int add_keypkg(struct mlsc_ref_proposal *r, struct mlsc_arena *arena)
{
	struct mlsc_wbuf w = { 0 };
	uint8_t *raw;
	int err;

	r->kp = mlsc_arena_alloc(arena, sizeof(*r->kp));
	if (!r->kp)
		return -ENOMEM;
	memset(r->kp, 0, sizeof(*r->kp));
	err = MLSC_ENCODE(&r->p.add, mlsc_io_key_package, &w);
	if (err)
		return err;
	raw = mlsc_arena_alloc(arena, w.len);
	if (raw) {
		memcpy(raw, w.p, w.len);
		r->kp->kp = r->p.add;
		r->kp->raw = (struct mlsc_slice){ raw, w.len };
	}
	mlsc_wbuf_free(&w);
	return raw ? 0 : -ENOMEM;
}

static int check_one(const struct mlsc_group *g,
		     const struct mlsc_validate_opts *vo,
		     const struct mlsc_cached_proposal *e,
		     struct mlsc_arena *arena, struct mlsc_ref_proposal *r)
{
	int err;

	switch (r->p.type) {
	case MLSC_PROPOSAL_UPDATE:
		/* §12.2: never the committer's own; its LeafNode with the list */
		return e->outsider || e->sender == g->own_leaf ? -EINVAL : 0;
	case MLSC_PROPOSAL_REMOVE:
		if (r->p.remove >= g->tree.n_leaves)
			return -ERANGE;
		if (!mlsc_tree_leaf(&g->tree, r->p.remove))
			return -ENOENT;
		return r->p.remove == g->own_leaf ? -EINVAL : 0;
	case MLSC_PROPOSAL_ADD:
		err = mlsc_key_package_check(&r->p.add, g->suite->id, vo);
		if (!err && mlsc_keys_known(&g->tree, &r->p.add))
			err = -EEXIST;
		return err ? err : add_keypkg(r, arena);
	case MLSC_PROPOSAL_PSK:
	case MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS:
	case MLSC_PROPOSAL_REINIT:
		/* checked with the list, as the receivers check it */
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int mlsc_commit_refs_resolve(const struct mlsc_group *g,
			     const struct mlsc_group_context *gc,
			     const struct mls_bytes *refs, size_t n,
			     const struct mlsc_validate_opts *vo,
			     struct mlsc_arena *arena,
			     struct mlsc_ref_proposal *out)
{
	static const struct mlsc_proposal_cache empty;
	const struct mlsc_proposal_cache *c = g->cache ?: &empty;
	size_t nh = g->suite->nh;

	for (size_t i = 0; i < n; i++) {
		const struct mlsc_cached_proposal *e;
		int err;

		if (!refs[i].data || refs[i].len != nh)
			return refs[i].data ? -ENOENT : -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (!memcmp(refs[j].data, refs[i].data, nh))
				return -EINVAL;
		e = mlsc_proposal_cache_find(c, nh, gc->epoch, refs[i].data,
					     refs[i].len);
		if (!e)
			return -ENOENT;
		memset(&out[i], 0, sizeof(out[i]));
		out[i].ref = (struct mlsc_slice){ e->ref, nh };
		out[i].sender = e->sender;
		err = MLSC_DECODE(e->bytes, e->len, arena, &out[i].p,
				  mlsc_io_proposal);
		if (!err)
			err = check_one(g, vo, e, arena, &out[i]);
		if (err)
			return err;
	}
	return 0;
}

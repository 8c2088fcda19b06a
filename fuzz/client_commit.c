// SPDX-License-Identifier: GPL-2.0
/*
 * What libmlsclient does with a received Commit before the kernel is
 * asked anything (userlib/client/commit_recv.c), over a tree and a
 * Commit of any bytes:
 *
 *   uint16 cipher_suite; opaque group_id<V>; uint64 epoch;
 *   opaque ratchet_tree<V>; uint32 committer;
 *   then an MLSMessage (a PublicMessage's Commit, its sender the
 *   committer) or a Commit alone.
 *
 * The tree is parsed and must be the committer's group's (a non-blank
 * leaf). The proposals are resolved (none is cached: a reference is
 * -ENOENT), and each one by value also goes into a proposal cache and
 * is resolved again by reference, which must give it back, bytes and
 * sender. The list is validated (§12.2, §12.3); a list that passes must
 * apply to a copy of the tree, in §12.3's order (Update, Remove, Add),
 * without error. The UpdatePath's leaf is checked (§7.3) and the path
 * merged into the tree (§7.5, parent hashes) whether or not it passed,
 * as a check of memory safety; the tree's hash and parent hashes are
 * then computed. A failed check aborts.
 */
#include <mls_client.h>

#include "fuzz.h"
#include "leaf.h"
#include "proposal.h"
#include "tree.h"
#include "treekem.h"
#include "wire.h"

struct input {
	uint16_t suite;
	struct mlsc_slice group_id;
	uint64_t epoch;
	struct mlsc_slice tree;
	uint32_t committer;
	const uint8_t *body;
	size_t body_len;
};

static const struct mlsc_validate_opts vopts = {
	.flags = MLSC_VALIDATE_NO_LIFETIME,
};

static int read_input(const uint8_t *p, size_t len, struct input *in)
{
	struct mlsc_io io;

	mlsc_io_reader(&io, p, len, NULL);
	mlsc_io_u16(&io, &in->suite);
	mlsc_io_opaque(&io, &in->group_id);
	mlsc_io_u64(&io, &in->epoch);
	mlsc_io_opaque(&io, &in->tree);
	mlsc_io_u32(&io, &in->committer);
	in->body = p + io.off;
	in->body_len = len - io.off;
	return io.err;
}

/* The Commit of @in, and its committer: from a PublicMessage or alone. */
static int read_commit(const struct input *in, struct mlsc_arena *arena,
		       struct mlsc_commit *c, uint32_t *committer)
{
	struct mlsc_mls_message m;

	*committer = in->committer;
	if (!MLSC_DECODE(in->body, in->body_len, arena, &m,
			 mlsc_io_mls_message)) {
		if (m.wire_format != MLSC_WIRE_PUBLIC_MESSAGE ||
		    m.pub.content.content_type != MLSC_CONTENT_COMMIT ||
		    m.pub.content.sender.type != MLSC_SENDER_MEMBER)
			return -EBADMSG;
		*c = m.pub.content.commit;
		*committer = m.pub.content.sender.index;
		return 0;
	}
	return MLSC_DECODE(in->body, in->body_len, arena, c, mlsc_io_commit);
}

/* Each proposal by value, cached and resolved again by reference. */
static void check_cache(const struct mlsc_suite *s, uint64_t epoch,
			const struct mlsc_commit *c, uint32_t committer,
			const struct mlsc_resolved *r)
{
	struct mlsc_proposal_cache cache = { 0 };
	struct mlsc_proposal_or_ref *refs;
	struct mlsc_commit byref = { 0 };
	struct mlsc_resolved *back;
	struct mlsc_wbuf *enc;
	struct mlsc_arena arena;
	size_t n = 0;

	mlsc_arena_init(&arena);
	refs = mlsc_arena_alloc(&arena, (c->n_proposals + 1) * sizeof(*refs));
	enc = mlsc_arena_alloc(&arena, (c->n_proposals + 1) * sizeof(*enc));
	back = mlsc_arena_alloc(&arena, (c->n_proposals + 1) * sizeof(*back));
	FUZZ_CHECK(refs && enc && back);
	for (size_t i = 0; i < c->n_proposals; i++) {
		struct mlsc_sender sender = { .type = MLSC_SENDER_MEMBER };
		uint8_t *ref;

		if (c->proposals[i].type != MLSC_POR_PROPOSAL)
			continue;
		ref = mlsc_arena_alloc(&arena, s->nh);
		FUZZ_CHECK(ref);
		FUZZ_CHECK(!MLSC_ENCODE(&r[i].p, mlsc_io_proposal, &enc[n]));
		/* a stand-in for the AuthenticatedContent: unique per proposal */
		FUZZ_CHECK(!mlsc_proposal_ref(s, enc[n].p, enc[n].len, ref));
		ref[0] ^= (uint8_t)i;
		ref[1] ^= (uint8_t)(i >> 8);
		sender.index = committer + (uint32_t)i;
		FUZZ_CHECK(!mlsc_proposal_cache_add(&cache, s->nh, epoch, ref,
						    &sender, &r[i].p));
		refs[n].type = MLSC_POR_REFERENCE;
		refs[n].reference = (struct mlsc_slice){ ref, s->nh };
		n++;
	}
	byref.proposals = refs;
	byref.n_proposals = n;
	FUZZ_CHECK(!mlsc_proposals_resolve(&cache, s->nh, epoch, &byref,
					   committer, &arena, back));
	for (size_t i = 0, j = 0; i < c->n_proposals; i++) {
		struct mlsc_wbuf w;

		if (c->proposals[i].type != MLSC_POR_PROPOSAL)
			continue;
		FUZZ_CHECK(back[j].by_ref);
		FUZZ_CHECK(back[j].sender == committer + (uint32_t)i);
		FUZZ_CHECK(!MLSC_ENCODE(&back[j].p, mlsc_io_proposal, &w));
		FUZZ_CHECK(w.len == enc[j].len &&
			   !memcmp(w.p, enc[j].p, w.len));
		mlsc_wbuf_free(&w);
		mlsc_wbuf_free(&enc[j]);
		j++;
	}
	/* a cache of another epoch resolves nothing */
	if (n)
		FUZZ_CHECK(mlsc_proposals_resolve(&cache, s->nh, epoch + 1,
						  &byref, committer, &arena,
						  back) == -ENOENT);
	mlsc_proposal_cache_clear(&cache);
	mlsc_arena_free(&arena);
}

/* §12.3's order on a copy of @t: what passed validation must apply. */
static void apply(struct mlsc_tree *t, const struct mlsc_resolved *r,
		  size_t n)
{
	uint32_t leaf;

	for (size_t i = 0; i < n; i++)
		if (r[i].p.type == MLSC_PROPOSAL_UPDATE)
			FUZZ_CHECK(!mlsc_tree_update(t, r[i].sender,
						     &r[i].p.update));
	for (size_t i = 0; i < n; i++)
		if (r[i].p.type == MLSC_PROPOSAL_REMOVE)
			FUZZ_CHECK(!mlsc_tree_remove(t, r[i].p.remove));
	for (size_t i = 0; i < n; i++)
		if (r[i].p.type == MLSC_PROPOSAL_ADD)
			FUZZ_CHECK(!mlsc_tree_add(t, &r[i].p.add.leaf_node,
						  &leaf));
}

static void path(struct mlsc_tree *t, const struct input *in,
		 uint32_t committer, const struct mlsc_update_path *up)
{
	uint8_t h[MLSC_MAX_HASH];

	mlsc_leaf_validate(in->suite, &up->leaf_node, MLSC_LEAF_SOURCE_COMMIT,
			   &in->group_id, committer, NULL, &vopts);
	if (mlsc_treekem_merge(t, committer, up))
		return;
	FUZZ_CHECK(mlsc_tree_leaf(t, committer));
	FUZZ_CHECK(!mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), h));
	mlsc_tree_verify_parent_hashes(t);
}

static void commit_in(const struct input *in, struct mlsc_tree *t)
{
	static const struct mlsc_proposal_cache empty;
	const struct mlsc_suite *s = mlsc_suite_get(in->suite);
	struct mlsc_group_context gc = {
		.version = MLSC_VERSION_MLS10,
		.cipher_suite = in->suite,
		.group_id = in->group_id,
		.epoch = in->epoch,
	};
	struct mlsc_group_view v = { s, t, &gc, &vopts };
	struct mlsc_resolved *r;
	struct mlsc_arena arena;
	struct mlsc_commit c;
	struct mlsc_tree next;
	uint32_t committer;
	bool path_required;
	bool has_ref = false;
	int err;

	mlsc_arena_init(&arena);
	if (read_commit(in, &arena, &c, &committer) ||
	    !mlsc_tree_leaf(t, committer))
		goto out;
	r = mlsc_arena_alloc(&arena, (c.n_proposals + 1) * sizeof(*r));
	FUZZ_CHECK(r);
	for (size_t i = 0; i < c.n_proposals; i++)
		has_ref |= c.proposals[i].type == MLSC_POR_REFERENCE;
	err = mlsc_proposals_resolve(&empty, s->nh, in->epoch, &c, committer,
				     &arena, r);
	FUZZ_CHECK(has_ref ? err == -ENOENT : !err);
	if (err)
		goto out;
	if (c.n_proposals <= MLSC_MAX_CACHED_PROPOSALS)
		check_cache(s, in->epoch, &c, committer, r);
	err = mlsc_proposals_validate(&v, committer, r, c.n_proposals,
				      &path_required);
	FUZZ_CHECK(err <= 0);
	if (mlsc_tree_clone(&next, t))
		goto out;
	if (!err)
		apply(&next, r, c.n_proposals);
	if (c.has_path)
		path(&next, in, committer, &c.path);
	mlsc_tree_free(&next);
out:
	mlsc_arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_dup(data, size);
	struct mlsc_tree t;
	struct input in;

	if (!read_input(p, size, &in) && mlsc_suite_get(in.suite) &&
	    !mlsc_tree_parse(&t, in.suite, in.tree.p, in.tree.len)) {
		commit_in(&in, &t);
		mlsc_tree_free(&t);
	}
	free(p);
	return 0;
}

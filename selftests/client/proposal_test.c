// SPDX-License-Identifier: GPL-2.0
/*
 * Proposals (RFC 9420 §12.1, §12.2): the ProposalRef cache of an epoch,
 * and the list rules one by one over a tree of tree-operations.json with
 * three members or more: each invalid list -EPROTO, the valid ones
 * accepted with the right "path required" (a reinit PSK only in the
 * first Commit of a group a ReInit started); duplicate keys in a tree.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "proposal.h"
#include "tap.h"
#include "vectors.h"

static const struct mlsc_validate_opts opts = {
	.flags = MLSC_VALIDATE_NO_LIFETIME,
};

/* A tree of the vectors with at least three members, and its leaves. */
static int find_tree(struct mlsc_tree *t, uint32_t *m, struct bytes *raw)
{
	json_t *root = vec_load("tree-operations.json");
	int err = -1;

	for (size_t i = 0; root && i < json_array_size(root) && err; i++) {
		json_t *c = json_array_get(root, i);
		uint64_t suite;
		size_t n = 0;

		if (vec_get_u64(c, "cipher_suite", &suite) || suite != 1 ||
		    vec_get_hex(c, "tree_before", raw))
			continue;
		if (mlsc_tree_parse(t, 1, raw->data, raw->len)) {
			bytes_free(raw);
			continue;
		}
		for (uint32_t l = 0; l < t->n_leaves && n < 3; l++)
			if (mlsc_tree_leaf(t, l))
				m[n++] = l;
		if (n == 3) {
			err = 0;
		} else {
			mlsc_tree_free(t);
			bytes_free(raw);
		}
	}
	json_decref(root);
	return err;
}

static int check(const struct mlsc_group_view *v, uint32_t committer,
		 const struct mlsc_resolved *r, size_t n, bool *path)
{
	return mlsc_proposals_validate(v, committer, r, n, path);
}

static void lists(void)
{
	static const uint8_t gid[] = "group", nonce[32] = { 7 };
	struct mlsc_group_context gc = { .cipher_suite = 1 };
	struct mlsc_group_view v = { .opts = &opts };
	struct mlsc_resolved r[3];
	struct bytes raw = { 0 };
	struct mlsc_tree t;
	uint32_t m[3];
	bool path = false, good = true;

	REQUIRE(!find_tree(&t, m, &raw));
	gc.group_id = (struct mlsc_slice){ gid, sizeof(gid) };
	v.suite = mlsc_suite_get(1);
	v.tree = &t;
	v.gc = &gc;
	memset(r, 0, sizeof(r));

	/* empty: valid, path required */
	EXPECT(!check(&v, m[0], r, 0, &path) && path);
	/* a Remove of another member: valid, path required */
	r[0].p.type = MLSC_PROPOSAL_REMOVE;
	r[0].p.remove = m[1];
	r[0].sender = m[0];
	path = false;
	EXPECT(!check(&v, m[0], r, 1, &path) && path);
	/* the committer removed */
	r[0].p.remove = m[0];
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	/* a blank or absent leaf removed */
	r[0].p.remove = t.n_leaves + 1;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	/* one leaf removed twice */
	r[0].p.remove = m[1];
	r[1] = r[0];
	EXPECT(check(&v, m[0], r, 2, &path) == -EPROTO);
	/* an Update by the committer */
	r[1].p.type = MLSC_PROPOSAL_UPDATE;
	r[1].sender = m[0];
	EXPECT(check(&v, m[0], r + 1, 1, &path) == -EPROTO);
	/* an Update and a Remove of the same leaf */
	r[1].sender = m[1];
	EXPECT(check(&v, m[0], r, 2, &path) == -EPROTO);
	/* ExternalInit in a member's Commit */
	r[0].p.type = MLSC_PROPOSAL_EXTERNAL_INIT;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	/* a PSK: valid, no path required; twice: invalid */
	r[0].p.type = MLSC_PROPOSAL_PSK;
	r[0].p.psk.type = MLSC_PSK_EXTERNAL;
	r[0].p.psk.psk_id = (struct mlsc_slice){ gid, 3 };
	r[0].p.psk.psk_nonce = (struct mlsc_slice){ nonce, 32 };
	path = true;
	EXPECT(!check(&v, m[0], r, 1, &path) && !path);
	r[1] = r[0];
	EXPECT(check(&v, m[0], r, 2, &path) == -EPROTO);
	/* a nonce of another length */
	r[0].p.psk.psk_nonce.len = 31;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	r[0].p.psk.psk_nonce.len = 32;
	/* a resumption PSK of another usage */
	r[0].p.psk.type = MLSC_PSK_RESUMPTION;
	r[0].p.psk.usage = MLS_PSK_USAGE_REINIT;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	/* a new group's first Commit takes a reinit PSK (§11.2), no branch */
	EXPECT(!mlsc_proposals_validate_reinit(&v, m[0], r, 1, &path));
	r[0].p.psk.usage = MLS_PSK_USAGE_BRANCH;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	EXPECT(mlsc_proposals_validate_reinit(&v, m[0], r, 1, &path) ==
	       -EPROTO);
	/* the same reinit PSK twice: invalid there too */
	r[0].p.psk.usage = MLS_PSK_USAGE_REINIT;
	r[1] = r[0];
	EXPECT(mlsc_proposals_validate_reinit(&v, m[0], r, 2, &path) ==
	       -EPROTO);
	/* ReInit alone: valid; with another proposal: invalid */
	memset(r, 0, sizeof(r));
	r[0].p.type = MLSC_PROPOSAL_REINIT;
	r[0].p.reinit.version = 1;
	r[0].p.reinit.cipher_suite = 1;
	EXPECT(!check(&v, m[0], r, 1, &path) && !path);
	r[1].p.type = MLSC_PROPOSAL_REMOVE;
	r[1].p.remove = m[1];
	EXPECT(check(&v, m[0], r, 2, &path) == -EPROTO);
	/* two GroupContextExtensions */
	r[0].p.type = MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS;
	r[1] = r[0];
	EXPECT(!check(&v, m[0], r, 1, &path) && path);
	EXPECT(check(&v, m[0], r, 2, &path) == -EPROTO);
	/* from outside the group (§12.1.8): what each sender may propose */
	memset(r, 0, sizeof(r));
	r[0].p.type = MLSC_PROPOSAL_REMOVE;
	r[0].p.remove = m[1];
	r[0].outsider = MLSC_SENDER_EXTERNAL;
	EXPECT(!check(&v, m[0], r, 1, &path) && path);
	r[0].outsider = MLSC_SENDER_NEW_MEMBER_PROPOSAL;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	r[0].p.type = MLSC_PROPOSAL_UPDATE;
	r[0].p.update = *mlsc_tree_leaf(&t, m[1]);
	r[0].outsider = MLSC_SENDER_EXTERNAL;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	r[0].p.type = MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS;
	memset(&r[0].p.gce, 0, sizeof(r[0].p.gce));
	EXPECT(!check(&v, m[0], r, 1, &path));
	r[0].outsider = MLSC_SENDER_NEW_MEMBER_COMMIT;
	EXPECT(check(&v, m[0], r, 1, &path) == -EPROTO);
	/* keys: the tree's are unique; a leaf with another's key is not */
	EXPECT(!mlsc_tree_keys_unique(&t));
	{
		struct mlsc_leaf_node ln = *mlsc_tree_leaf(&t, m[2]);

		ln.encryption_key = mlsc_tree_leaf(&t, m[1])->encryption_key;
		EXPECT(!mlsc_tree_set_leaf(&t, m[2], &ln));
		EXPECT(mlsc_tree_keys_unique(&t) == -EPROTO);
	}
	mlsc_tree_free(&t);
out:
	bytes_free(&raw);
	tap_ok(good, "proposal lists (§12.2): every rule");
}

static void cache(void)
{
	struct mlsc_proposal_cache c = { 0 };
	struct mlsc_proposal_or_ref por[2];
	struct mlsc_commit cm = { .proposals = por, .n_proposals = 2 };
	struct mlsc_proposal p = { .type = MLSC_PROPOSAL_REMOVE, .remove = 5 };
	const struct mlsc_suite *s = mlsc_suite_get(1);
	struct mlsc_resolved r[2];
	struct mlsc_arena arena;
	struct mlsc_sender m3 = { MLSC_SENDER_MEMBER, 3 };
	struct mlsc_sender ext = { MLSC_SENDER_EXTERNAL, 2 };
	uint8_t ref[32], other[32];
	bool good = true;

	mlsc_arena_init(&arena);
	EXPECT(!mlsc_proposal_ref(s, (const uint8_t *)"content", 7, ref));
	memcpy(other, ref, 32);
	other[0] ^= 1;
	EXPECT(!mlsc_proposal_cache_add(&c, 32, 9, ref, &m3, &p));
	/* the same ref again is kept once */
	EXPECT(!mlsc_proposal_cache_add(&c, 32, 9, ref, &m3, &p) && c.n == 1);
	memset(por, 0, sizeof(por));
	por[0].type = MLSC_POR_REFERENCE;
	por[0].reference = (struct mlsc_slice){ ref, 32 };
	por[1].type = MLSC_POR_PROPOSAL;
	por[1].proposal = p;
	EXPECT(!mlsc_proposals_resolve(&c, 32, 9, &cm, 1, &arena, r));
	EXPECT(r[0].by_ref && r[0].sender == 3 && !r[0].outsider &&
	       r[0].p.type == MLSC_PROPOSAL_REMOVE && r[0].p.remove == 5);
	EXPECT(!r[1].by_ref && r[1].sender == 1);
	/* another epoch, another ref: not there */
	EXPECT(mlsc_proposals_resolve(&c, 32, 10, &cm, 1, &arena, r) ==
	       -ENOENT);
	por[0].reference.p = other;
	EXPECT(mlsc_proposals_resolve(&c, 32, 9, &cm, 1, &arena, r) ==
	       -ENOENT);
	/* a proposal of the next epoch empties the cache */
	EXPECT(!mlsc_proposal_cache_add(&c, 32, 10, other, &ext, &p) &&
	       c.n == 1);
	/* an external sender's, by reference: its sender type kept */
	por[0].reference.p = other;
	EXPECT(!mlsc_proposals_resolve(&c, 32, 10, &cm, 1, &arena, r));
	EXPECT(r[0].by_ref && r[0].sender == 2 &&
	       r[0].outsider == MLSC_SENDER_EXTERNAL);
	mlsc_proposal_cache_clear(&c);
	EXPECT(!c.n && !c.v);
	mlsc_arena_free(&arena);
	tap_ok(good, "ProposalRef cache: by reference, per epoch");
}

/*
 * Outsiders have their own room in an epoch's cache: past
 * MLSC_MAX_OUTSIDER_PROPOSALS theirs are -ENOSPC, and the members' room
 * of MLSC_MAX_CACHED_PROPOSALS is still all theirs.
 */
static void cache_quota(void)
{
	struct mlsc_proposal_cache c = { 0 };
	struct mlsc_proposal p = { .type = MLSC_PROPOSAL_REMOVE, .remove = 1 };
	struct mlsc_sender nm = { MLSC_SENDER_NEW_MEMBER_PROPOSAL, 0 };
	struct mlsc_sender ext = { MLSC_SENDER_EXTERNAL, 0 };
	struct mlsc_sender m = { MLSC_SENDER_MEMBER, 1 };
	uint8_t ref[32] = { 0 };
	uint32_t i, k = 0;
	bool good = true;

	for (i = 0; i < MLSC_MAX_OUTSIDER_PROPOSALS && good; i++, k++) {
		memcpy(ref, &k, sizeof(k));
		EXPECT(!mlsc_proposal_cache_add(&c, 32, 3, ref,
						i & 1 ? &ext : &nm, &p));
	}
	memcpy(ref, &k, sizeof(k));
	k++;
	EXPECT(mlsc_proposal_cache_add(&c, 32, 3, ref, &nm, &p) == -ENOSPC);
	EXPECT(mlsc_proposal_cache_add(&c, 32, 3, ref, &ext, &p) == -ENOSPC);
	EXPECT(c.n == MLSC_MAX_OUTSIDER_PROPOSALS);
	for (i = 0; i < MLSC_MAX_CACHED_PROPOSALS && good; i++, k++) {
		memcpy(ref, &k, sizeof(k));
		EXPECT(!mlsc_proposal_cache_add(&c, 32, 3, ref, &m, &p));
	}
	memcpy(ref, &k, sizeof(k));
	EXPECT(mlsc_proposal_cache_add(&c, 32, 3, ref, &m, &p) == -ENOSPC);
	/* the next epoch: room again for outsiders */
	EXPECT(!mlsc_proposal_cache_add(&c, 32, 4, ref, &nm, &p) &&
	       c.n == 1 && c.n_outsiders == 1);
	mlsc_proposal_cache_clear(&c);
	EXPECT(!c.n && !c.n_outsiders);
	tap_ok(good, "ProposalRef cache: outsiders' own quota per epoch");
}

int main(void)
{
	cache();
	cache_quota();
	lists();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libmlsclient's decoders and the checks that need no kernel, over any
 * bytes. The first byte picks what the rest is read as:
 *
 *   0  MLSMessage, every wire format
 *   1  GroupSecrets (what a Welcome encrypts to each joiner)
 *   2  Proposal
 *   3  Commit
 *   4  GroupInfo (what a Welcome encrypts with the welcome_secret)
 *   5  uint16 cipher_suite, opaque group_id<V>, then the data of a
 *      ratchet_tree extension
 *   6  LeafNode
 *
 * (the byte modulo 7). An MLSMessage goes through mlsc_message_parse()
 * too, which must agree with the decoder. Whatever parses must
 * serialize back to the very input (RFC 9420 §2.1.2: one encoding; the client writes what it read).
 * Then, with no kernel: a KeyPackage goes through mlsc_keypkg_parse(),
 * mlsc_keypkg_validate() (§10.1, signatures included) and
 * mlsc_keypkg_ref(); a GroupInfo's ratchet_tree extension and a
 * ratchet tree through mlsc_tree_parse() and mlsc_tree_validate() (tree
 * and parent hashes, every leaf per §7.3); a PublicMessage's Proposal
 * into the proposal cache as a receiver keeps it. A failed check aborts.
 */
#include <mls_client.h>

#include "fuzz.h"
#include "keypkg.h"
#include "proposal.h"
#include "tree.h"
#include "tree_validate.h"
#include "wire.h"

enum { SEL_MESSAGE, SEL_GROUP_SECRETS, SEL_PROPOSAL, SEL_COMMIT,
       SEL_GROUP_INFO, SEL_TREE, SEL_LEAF_NODE, SEL_COUNT };

static const struct mlsc_validate_opts vopts = {
	.flags = MLSC_VALIDATE_NO_LIFETIME,
};

/* A parsed @obj serializes back to the @len bytes at @in. */
static void check_roundtrip(const void *obj, mlsc_io_fn fn, const uint8_t *in,
			    size_t len)
{
	struct mlsc_wbuf w;

	FUZZ_CHECK(!mlsc_encode(obj, fn, &w));
	FUZZ_CHECK(w.len == len && !memcmp(w.p, in, len));
	mlsc_wbuf_free(&w);
}

/* A tree parsed, re-serialized to the same bytes, then validated. */
static void tree_in(uint16_t suite, const uint8_t *p, size_t len,
		    const struct mlsc_slice *group_id,
		    const struct mlsc_slice *tree_hash,
		    const struct mlsc_extensions *gc_ext)
{
	uint8_t h[MLSC_MAX_HASH];
	struct mlsc_wbuf w;
	struct mlsc_tree t;
	uint32_t res[64];
	int err;

	if (mlsc_tree_parse(&t, suite, p, len))
		return;
	FUZZ_CHECK(t.n_nodes == 2 * t.n_leaves - 1);
	FUZZ_CHECK(!mlsc_tree_serialize(&t, &w));
	FUZZ_CHECK(w.len == len && !memcmp(w.p, p, len));
	mlsc_wbuf_free(&w);
	err = mlsc_tree_validate(&t, group_id, tree_hash, gc_ext, &vopts);
	FUZZ_CHECK(err <= 0);
	if (!mlsc_tree_hash(&t, mlsc_tm_root(t.n_leaves), h))
		mlsc_tree_resolution(&t, mlsc_tm_root(t.n_leaves), res, 64);
	mlsc_tree_free(&t);
}

static void tree_sel(const uint8_t *p, size_t len)
{
	struct mlsc_slice group_id;
	struct mlsc_io io;
	uint16_t suite;

	mlsc_io_reader(&io, p, len, NULL);
	mlsc_io_u16(&io, &suite);
	mlsc_io_opaque(&io, &group_id);
	if (!io.err)
		tree_in(suite, p + io.off, len - io.off, &group_id, NULL,
			NULL);
}

static void key_package_in(const uint8_t *msg, size_t len)
{
	struct mlsc_keypkg *kp;
	struct mls_bytes b;

	if (mlsc_keypkg_parse(msg, len, &kp))
		return;
	FUZZ_CHECK(!mlsc_keypkg_serialize(kp, &b));
	FUZZ_CHECK(b.len == len && !memcmp(b.data, msg, len));
	mls_bytes_free(&b);
	if (!mlsc_keypkg_validate(kp, 0, &vopts) &&
	    !mlsc_keypkg_ref(kp, &b)) {
		FUZZ_CHECK(b.len == mlsc_suite_get(mlsc_keypkg_suite(kp))->nh);
		mls_bytes_free(&b);
	}
	mlsc_keypkg_free(kp);
}

static void group_info_in(const struct mlsc_group_info *gi)
{
	const struct mlsc_group_context *gc = &gi->group_context;

	for (size_t i = 0; i < gi->extensions.n; i++) {
		const struct mlsc_extension *e = &gi->extensions.v[i];

		if (e->type == MLSC_EXT_RATCHET_TREE)
			tree_in(gc->cipher_suite, e->data.p, e->data.len,
				&gc->group_id, &gc->tree_hash,
				&gc->extensions);
	}
}

/* A handshake's content: its proposals' references, as a receiver makes. */
static void content_in(const struct mlsc_public_message *pm,
		       const uint8_t *msg, size_t len)
{
	const struct mlsc_suite *s = mlsc_suite_get(1);
	struct mlsc_proposal_cache cache = { 0 };
	uint8_t ref[MLSC_MAX_HASH];

	if (pm->content.content_type != MLSC_CONTENT_PROPOSAL)
		return;
	/* the AuthenticatedContent stands in for the whole message here */
	FUZZ_CHECK(!mlsc_proposal_ref(s, msg, len, ref));
	FUZZ_CHECK(!mlsc_proposal_cache_add(&cache, s->nh,
					    pm->content.epoch, ref,
					    &pm->content.sender,
					    &pm->content.proposal));
	FUZZ_CHECK(cache.n == 1 && cache.v[0].sender ==
		   pm->content.sender.index);
	/* a sender from outside the group is counted in its own room */
	FUZZ_CHECK(cache.n_outsiders ==
		   (pm->content.sender.type != MLSC_SENDER_MEMBER));
	mlsc_proposal_cache_clear(&cache);
}

static void message_in(const uint8_t *p, size_t len)
{
	struct mlsc_message *pub = NULL;
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	struct mls_bytes b;
	int err;

	/* the public API agrees with the decoder */
	err = mlsc_message_parse(p, len, &pub);
	FUZZ_CHECK(err == 0 || err == -EBADMSG);
	if (!err) {
		FUZZ_CHECK(!mlsc_message_serialize(pub, &b));
		FUZZ_CHECK(b.len == len && !memcmp(b.data, p, len));
		mls_bytes_free(&b);
	}
	mlsc_arena_init(&arena);
	FUZZ_CHECK(!MLSC_DECODE(p, len, &arena, &m, mlsc_io_mls_message) ==
		   !err);
	if (!err) {
		FUZZ_CHECK(mlsc_message_wire_format(pub) == m.wire_format);
		check_roundtrip(&m, (mlsc_io_fn)mlsc_io_mls_message, p, len);
		if (m.wire_format == MLSC_WIRE_KEY_PACKAGE)
			key_package_in(p, len);
		else if (m.wire_format == MLSC_WIRE_GROUP_INFO)
			group_info_in(&m.group_info);
		else if (m.wire_format == MLSC_WIRE_PUBLIC_MESSAGE)
			content_in(&m.pub, p, len);
	}
	mlsc_message_free(pub);
	mlsc_arena_free(&arena);
}

#define STRUCT_IN(type, fn)						\
	do {								\
		type obj;						\
		if (!MLSC_DECODE(p, len, &arena, &obj, fn))		\
			check_roundtrip(&obj, (mlsc_io_fn)fn, p, len);	\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlsc_arena arena;
	struct mlsc_group_info gi;
	uint8_t *p;
	size_t len;

	if (!size)
		return 0;
	len = size - 1;
	p = fuzz_dup(data + 1, len);
	mlsc_arena_init(&arena);
	switch (data[0] % SEL_COUNT) {
	case SEL_MESSAGE:
		message_in(p, len);
		break;
	case SEL_GROUP_SECRETS:
		STRUCT_IN(struct mlsc_group_secrets, mlsc_io_group_secrets);
		break;
	case SEL_PROPOSAL:
		STRUCT_IN(struct mlsc_proposal, mlsc_io_proposal);
		break;
	case SEL_COMMIT:
		STRUCT_IN(struct mlsc_commit, mlsc_io_commit);
		break;
	case SEL_GROUP_INFO:
		if (!MLSC_DECODE(p, len, &arena, &gi, mlsc_io_group_info)) {
			check_roundtrip(&gi, (mlsc_io_fn)mlsc_io_group_info,
					p, len);
			group_info_in(&gi);
		}
		break;
	case SEL_TREE:
		tree_sel(p, len);
		break;
	case SEL_LEAF_NODE:
		STRUCT_IN(struct mlsc_leaf_node, mlsc_io_leaf_node);
		break;
	}
	mlsc_arena_free(&arena);
	free(p);
	return 0;
}

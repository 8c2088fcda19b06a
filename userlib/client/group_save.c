// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A member's state between two programs (or two runs of one): what the
 * client holds beside the kernel's group, saved to bytes and loaded back
 * onto the kernel group it names. The epoch secrets stay in the kernel,
 * which keeps the group under its kernel id; the saved bytes hold the
 * GroupContext, the public ratchet tree, the own leaf index, the
 * interim transcript hash, the leaf's HPKE private key and the path
 * secrets of the direct path, and optionally the signature private key
 * and the pending commit's counterparts. Never an epoch secret.
 *
 * The format (TLS presentation language, RFC 9420 §2.1), version 2:
 *
 *	struct {
 *	    uint32 node;
 *	    opaque path_secret<V>;		// Nh bytes
 *	} MemberPathSecret;
 *
 *	struct {
 *	    opaque leaf_private_key<V>;		// Nsk bytes
 *	    MemberPathSecret path_secrets<V>;
 *	} MemberKeys;
 *
 *	struct {
 *	    uint64 epoch;
 *	    opaque group_context<V>;
 *	    opaque interim_transcript_hash<V>;	// Nh bytes
 *	    opaque ratchet_tree<V>;
 *	    optional<MemberKeys> keys;		// present: the commit's path
 *	} MemberPendingCommit;
 *
 *	struct {
 *	    opaque magic[4] = "MLSm";
 *	    uint16 version = 1;
 *	    uint16 cipher_suite;
 *	    uint32 kernel_id;
 *	    uint32 own_leaf;
 *	    opaque group_context<V>;
 *	    opaque interim_transcript_hash<V>;
 *	    opaque ratchet_tree<V>;		// optional<Node> ratchet_tree<V>
 *	    optional<MemberKeys> keys;
 *	    optional<opaque signature_private_key<V>>;
 *	    optional<MemberPendingCommit> pending;
 *	    // version 2 only:
 *	    optional<ReInit> reinit;		// the ReInit that ended the group
 *	    optional<ReInit> pending_reinit;	// the pending commit's
 *	} MemberState;
 *
 * A group that no ReInit ended, and none pending, is saved as version 1,
 * which a library from before version 2 loads; the ReInit fields make it
 * version 2, which such a library refuses (-EPROTONOSUPPORT) rather than
 * load as a live group one that has ended.
 */
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "group.h"
#include "internal.h"
#include "treekem.h"

#define STATE_MAGIC	"MLSm"
#define STATE_VERSION_1	1
#define STATE_VERSION	2	/* the ReInit fields */

struct st_path {
	uint32_t node;
	struct mlsc_slice secret;
};

struct st_keys {
	struct mlsc_slice leaf_sk;
	struct st_path *path;
	size_t n_path;
};

struct st_pending {
	uint64_t epoch;
	struct mlsc_slice context, interim, tree;
	bool has_keys;
	struct st_keys keys;
};

struct st_state {
	uint8_t magic[4];
	uint16_t version;
	uint16_t suite;
	uint32_t kernel_id;
	uint32_t own_leaf;
	struct mlsc_slice context, interim, tree;
	bool has_keys;
	struct st_keys keys;
	bool has_sig;
	struct mlsc_slice sig;
	bool has_pending;
	struct st_pending pending;
	bool has_reinit, has_pending_reinit;
	struct mlsc_reinit reinit, pending_reinit;
};

static void io_path(struct mlsc_io *io, struct st_path *p)
{
	mlsc_io_u32(io, &p->node);
	mlsc_io_opaque(io, &p->secret);
}

static void io_keys(struct mlsc_io *io, struct st_keys *k)
{
	mlsc_io_opaque(io, &k->leaf_sk);
	mlsc_io_array(io, &k->path, &k->n_path, io_path);
}

static void io_pending(struct mlsc_io *io, struct st_pending *p)
{
	mlsc_io_u64(io, &p->epoch);
	mlsc_io_opaque(io, &p->context);
	mlsc_io_opaque(io, &p->interim);
	mlsc_io_opaque(io, &p->tree);
	if (mlsc_io_optional(io, &p->has_keys))
		io_keys(io, &p->keys);
}

static void io_state(struct mlsc_io *io, struct st_state *s)
{
	mlsc_io_fixed(io, s->magic, sizeof(s->magic));
	mlsc_io_u16(io, &s->version);
	mlsc_io_u16(io, &s->suite);
	mlsc_io_u32(io, &s->kernel_id);
	mlsc_io_u32(io, &s->own_leaf);
	mlsc_io_opaque(io, &s->context);
	mlsc_io_opaque(io, &s->interim);
	mlsc_io_opaque(io, &s->tree);
	if (mlsc_io_optional(io, &s->has_keys))
		io_keys(io, &s->keys);
	if (mlsc_io_optional(io, &s->has_sig))
		mlsc_io_opaque(io, &s->sig);
	if (mlsc_io_optional(io, &s->has_pending))
		io_pending(io, &s->pending);
	if (s->version < STATE_VERSION)
		return;
	if (mlsc_io_optional(io, &s->has_reinit))
		mlsc_io_reinit(io, &s->reinit);
	if (mlsc_io_optional(io, &s->has_pending_reinit))
		mlsc_io_reinit(io, &s->pending_reinit);
}

/* ------------------------------------------------------------- saving */

/* @priv (if any: *@has) as MemberKeys, its path array from @arena. */
static int keys_out(const struct mlsc_tree_priv *priv, size_t nh,
		    struct mlsc_arena *arena, bool *has, struct st_keys *k)
{
	*has = priv != NULL;
	if (!priv)
		return 0;
	k->leaf_sk = (struct mlsc_slice){ priv->leaf_sk, priv->leaf_sk_len };
	k->n_path = priv->n_path;
	k->path = mlsc_arena_alloc(arena, (priv->n_path + 1) *
					  sizeof(*k->path));
	if (!k->path)
		return -ENOMEM;
	for (uint32_t i = 0; i < priv->n_path; i++) {
		k->path[i].node = priv->path[i].node;
		k->path[i].secret = (struct mlsc_slice){ priv->path[i].secret,
							 nh };
	}
	return 0;
}

/* The encoded ReInit @b, @len (if any: *@has) parsed into @r. */
static int reinit_out(const uint8_t *b, size_t len, struct mlsc_arena *arena,
		      bool *has, struct mlsc_reinit *r)
{
	*has = b != NULL;
	return b ? MLSC_DECODE(b, len, arena, r, mlsc_io_reinit) : 0;
}

/* The kernel id of @gfd's group. */
static int kernel_id(int gfd, uint32_t *id)
{
	struct mls_group_info info;
	int err;

	memset(&info, 0, sizeof(info));
	err = mls_group_info(gfd, &info, NULL, NULL);
	if (!err)
		*id = info.id;
	return err;
}

int mlsc_state_encode(const struct mlsc_group *g, uint32_t id,
		      const struct mls_sig_key *sig_key, struct mls_bytes *out)
{
	struct mlsc_wbuf tree = { 0 }, ptree = { 0 }, w = { 0 };
	struct mls_bytes sig = { 0 };
	struct mlsc_arena arena;
	struct st_state s;
	size_t nh;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!g)
		return -EINVAL;
	nh = g->suite->nh;
	mlsc_arena_init(&arena);
	memset(&s, 0, sizeof(s));
	memcpy(s.magic, STATE_MAGIC, sizeof(s.magic));
	s.suite = g->suite->id;
	s.own_leaf = g->own_leaf;
	s.kernel_id = id;
	err = mlsc_tree_serialize(&g->tree, &tree);
	if (err)
		goto out;
	s.context = (struct mlsc_slice){ g->context, g->context_len };
	s.interim = (struct mlsc_slice){ g->interim, nh };
	s.tree = (struct mlsc_slice){ tree.p, tree.len };
	err = keys_out(g->priv, nh, &arena, &s.has_keys, &s.keys);
	if (err)
		goto out;
	if (sig_key) {
		if (mls_sig_key_scheme(sig_key) != g->suite->sig_scheme) {
			err = -EINVAL;
			goto out;
		}
		err = mls_sig_key_export(sig_key, MLS_KEY_PRIVATE, &sig);
		if (err)
			goto out;
		s.has_sig = true;
		s.sig = (struct mlsc_slice){ sig.data, sig.len };
	}
	if (g->pending) {
		const struct mlsc_pending *p = g->pending;

		err = mlsc_tree_serialize(&p->tree, &ptree);
		if (err)
			goto out;
		s.has_pending = true;
		s.pending.epoch = p->epoch;
		s.pending.context = (struct mlsc_slice){ p->context,
							 p->context_len };
		s.pending.interim = (struct mlsc_slice){ p->interim, nh };
		s.pending.tree = (struct mlsc_slice){ ptree.p, ptree.len };
		err = keys_out(p->has_path ? p->priv : NULL, nh, &arena,
			       &s.pending.has_keys, &s.pending.keys);
		if (!err)
			err = reinit_out(p->reinit, p->reinit_len, &arena,
					 &s.has_pending_reinit,
					 &s.pending_reinit);
		if (err)
			goto out;
	}
	err = reinit_out(g->reinit, g->reinit_len, &arena, &s.has_reinit,
			 &s.reinit);
	if (err)
		goto out;
	/* what an older library can load, as long as it means the same */
	s.version = s.has_reinit || s.has_pending_reinit ? STATE_VERSION :
							    STATE_VERSION_1;
	err = MLSC_ENCODE(&s, io_state, &w);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
out:
	mlsc_wbuf_free(&w);
	mlsc_wbuf_free(&ptree);
	mlsc_wbuf_free(&tree);
	mls_bytes_free(&sig);
	mlsc_arena_free(&arena);
	return err;
}

MLSC_EXPORT int mlsc_group_save(const struct mlsc_group *g,
				const struct mls_sig_key *sig_key,
				struct mls_bytes *out)
{
	uint32_t id = 0;
	int err = 0;

	/* the arguments are mlsc_state_encode()'s to check */
	if (g && out) {
		/* an external join awaiting the DS: its state is not the group's */
		err = g->joining ? -EBUSY : kernel_id(g->gfd, &id);
	}
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	return mlsc_state_encode(g, id, sig_key, out);
}

/* ------------------------------------------------------------ loading */

/* A GroupContext of @suite: its epoch and group_id. */
static int context_in(const struct mlsc_slice *b, uint16_t suite,
		      struct mlsc_arena *arena, struct mlsc_group_context *gc)
{
	int err = MLSC_DECODE(b->p, b->len, arena, gc, mlsc_io_group_context);

	if (err)
		return err;
	if (gc->version != MLSC_VERSION_MLS10 || gc->cipher_suite != suite ||
	    !gc->group_id.len || gc->group_id.len > MLS_MAX_GROUP_ID_LEN)
		return -EBADMSG;
	return 0;
}

/*
 * A tree whose hash is the GroupContext's, where @leaf is a member: the
 * tree the context names. The bytes are copied.
 */
static int tree_in(struct mlsc_tree *t, const struct mlsc_suite *s,
		   const struct mlsc_slice *b,
		   const struct mlsc_group_context *gc, uint32_t leaf)
{
	uint8_t th[MLSC_MAX_HASH];
	int err;

	err = mlsc_tree_parse(t, s->id, b->p, b->len);
	if (err)
		return err == -EINVAL ? -EBADMSG : err;
	err = mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), th);
	if (!err && (gc->tree_hash.len != s->nh ||
		     memcmp(th, gc->tree_hash.p, s->nh)))
		err = -EBADMSG;
	if (!err && !mlsc_tree_leaf(t, leaf))
		err = -EBADMSG;
	if (err)
		mlsc_tree_free(t);
	return err;
}

/*
 * MemberKeys into a fresh @out, checked against the tree @t, and the
 * HPKE keys of its nodes into @keys, @n_keys.
 */
static int keys_in(const struct st_keys *k, const struct mlsc_suite *s,
		   uint32_t leaf, const struct mlsc_tree *t,
		   struct mlsc_tree_priv **out, struct mlsc_node_key **keys,
		   size_t *n_keys)
{
	struct mlsc_tree_priv *p;
	int err = -EBADMSG;

	p = mlsc_calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (k->leaf_sk.len != s->nsk || k->n_path > MLSC_MAX_PATH)
		goto out;
	err = mlsc_tree_priv_init(p, s->id, leaf, k->leaf_sk.p, k->leaf_sk.len);
	for (size_t i = 0; i < k->n_path && !err; i++) {
		err = -EBADMSG;
		if (k->path[i].secret.len != s->nh ||
		    mlsc_tree_priv_path_secret(p, k->path[i].node))
			break;
		err = mlsc_tree_priv_set_path_secret(p, t->n_leaves,
						     k->path[i].node,
						     k->path[i].secret.p);
	}
	if (!err)
		err = mlsc_tree_priv_check(p, t);
	if (err == -EINVAL || err == -ENOSPC)
		err = -EBADMSG;
out:
	if (err) {
		OPENSSL_clear_free(p, sizeof(*p));
		return err;
	}
	*out = p;
	return mlsc_keys_from_priv(s, p, keys, n_keys);
}

static int copy_out(const struct mlsc_slice *b, uint8_t **p, size_t *len)
{
	*p = mlsc_malloc(b->len);
	if (!*p)
		return -ENOMEM;
	memcpy(*p, b->p, b->len);
	*len = b->len;
	return 0;
}

/* The saved pending commit, for epoch @epoch + 1. */
static int pending_in(const struct st_pending *sp, const struct mlsc_suite *s,
		      uint32_t leaf, uint64_t epoch,
		      struct mlsc_arena *arena, struct mlsc_pending **out)
{
	struct mlsc_group_context gc;
	struct mlsc_pending *p;
	int err;

	p = mlsc_calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->epoch = sp->epoch;
	err = context_in(&sp->context, s->id, arena, &gc);
	if (!err && (gc.epoch != sp->epoch || sp->epoch != epoch + 1 ||
		     sp->interim.len != s->nh))
		err = -EBADMSG;
	if (!err)
		err = tree_in(&p->tree, s, &sp->tree, &gc, leaf);
	if (err) {
		free(p);
		return err;
	}
	memcpy(p->interim, sp->interim.p, s->nh);
	err = copy_out(&sp->context, &p->context, &p->context_len);
	if (!err && sp->has_keys) {
		err = keys_in(&sp->keys, s, leaf, &p->tree, &p->priv, &p->keys,
			      &p->n_keys);
		p->has_path = !err;
	}
	if (err) {
		mlsc_pending_free(p);
		return err;
	}
	*out = p;
	return 0;
}

/* A saved ReInit, checked as a received one is, encoded into @out. */
static int reinit_in(const struct mlsc_reinit *r, uint8_t **out, size_t *len)
{
	if (r->version < MLSC_VERSION_MLS10 || !mlsc_suite_get(r->cipher_suite))
		return -EBADMSG;
	return mlsc_reinit_encode(r, out, len);
}

/*
 * The kernel's group @id, if it is @g's: the same suite, group_id and
 * own leaf (else -ENOENT), and the same GroupContext (else -ESTALE: it
 * moved on since the state was saved, or the state is newer).
 */
static int kernel_open(int ctl_fd, uint32_t id, const struct mlsc_group *g)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len = sizeof(gid);
	struct mlsc_group_context gc;
	struct mls_group_info info;
	struct mls_bytes ctx = { 0 };
	struct mlsc_arena arena;
	uint64_t epoch = 0;
	int gfd, err;

	mlsc_arena_init(&arena);
	err = MLSC_DECODE(g->context, g->context_len, &arena, &gc,
			  mlsc_io_group_context);
	if (err)
		goto out;
	gfd = mls_group_open(ctl_fd, id);
	if (gfd < 0) {
		err = gfd;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	err = mls_group_info(gfd, &info, gid, &gid_len);
	if (!err && (info.suite != g->suite->id ||
		     info.own_leaf != g->own_leaf ||
		     gid_len != gc.group_id.len ||
		     memcmp(gid, gc.group_id.p, gid_len)))
		err = -ENOENT;
	if (!err)
		err = mls_get_context(gfd, 0, &epoch, &ctx);
	if (!err && (epoch != gc.epoch || ctx.len != g->context_len ||
		     memcmp(ctx.data, g->context, ctx.len)))
		err = -ESTALE;
	mls_bytes_free(&ctx);
	if (err)
		close(gfd);
out:
	mlsc_arena_free(&arena);
	return err ? err : gfd;
}

/* Parse and check @data into @st; the version first. */
static int state_in(const uint8_t *data, size_t len, struct mlsc_arena *arena,
		    struct st_state *st)
{
	int err;

	if (len < 6 || memcmp(data, STATE_MAGIC, 4))
		return -EBADMSG;
	switch ((uint16_t)data[4] << 8 | data[5]) {
	case STATE_VERSION_1:
	case STATE_VERSION:
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	err = MLSC_DECODE(data, len, arena, st, io_state);
	if (err)
		return err;
	if (!mlsc_suite_get(st->suite))
		return -EPROTONOSUPPORT;
	if (st->interim.len != mlsc_suite_get(st->suite)->nh)
		return -EBADMSG;
	return 0;
}

int mlsc_state_decode(const void *data, size_t len, struct mlsc_group **out,
		      uint32_t *id, struct mls_sig_key **sig_key)
{
	struct mlsc_group_context gc;
	struct mls_sig_key *key = NULL;
	struct mlsc_arena arena;
	struct mlsc_group *g = NULL;
	struct st_state st;
	int err;

	*out = NULL;
	*sig_key = NULL;
	mlsc_arena_init(&arena);
	err = state_in(data, len, &arena, &st);
	if (err)
		goto out;
	err = -ENOMEM;
	g = mlsc_calloc(1, sizeof(*g));
	if (!g)
		goto out;
	g->gfd = -1;
	g->suite = mlsc_suite_get(st.suite);
	g->own_leaf = st.own_leaf;
	mlsc_arena_init(&g->tree.arena);
	err = context_in(&st.context, st.suite, &arena, &gc);
	if (!err)
		err = tree_in(&g->tree, g->suite, &st.tree, &gc, st.own_leaf);
	if (err)
		goto out;
	memcpy(g->interim, st.interim.p, st.interim.len);
	err = copy_out(&st.context, &g->context, &g->context_len);
	if (!err && st.has_keys)
		err = keys_in(&st.keys, g->suite, st.own_leaf, &g->tree,
			      &g->priv, &g->keys, &g->n_keys);
	if (!err && st.has_pending)
		err = pending_in(&st.pending, g->suite, st.own_leaf, gc.epoch,
				 &arena, &g->pending);
	if (!err && st.has_pending_reinit)
		err = g->pending ? reinit_in(&st.pending_reinit,
					     &g->pending->reinit,
					     &g->pending->reinit_len) :
				   -EBADMSG;
	if (!err && st.has_reinit)
		err = reinit_in(&st.reinit, &g->reinit, &g->reinit_len);
	if (!err && st.has_sig) {
		err = mls_sig_key_import(st.suite, MLS_KEY_PRIVATE, st.sig.p,
					 st.sig.len, &key);
		if (err == -EINVAL)
			err = -EBADMSG;
	}
	if (err)
		goto out;
	*id = st.kernel_id;
	*out = g;
	g = NULL;
	*sig_key = key;
	key = NULL;
out:
	mls_sig_key_free(key);
	mlsc_group_free(g);
	mlsc_arena_free(&arena);
	return err;
}

MLSC_EXPORT int mlsc_group_load(int ctl_fd, const void *data, size_t len,
				struct mlsc_group **out,
				struct mls_sig_key **sig_key)
{
	struct mls_sig_key *key;
	struct mlsc_group *g;
	uint32_t id;
	int gfd, err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (sig_key)
		*sig_key = NULL;
	if (!data)
		return -EINVAL;
	err = mlsc_state_decode(data, len, &g, &id, &key);
	if (err)
		return err;
	gfd = kernel_open(ctl_fd, id, g);
	if (gfd < 0) {
		mls_sig_key_free(key);
		mlsc_group_free(g);
		return gfd;
	}
	g->gfd = gfd;
	g->kernel_final = mlsc_kernel_final(ctl_fd);
	*out = g;
	if (sig_key)
		*sig_key = key;
	else
		mls_sig_key_free(key);
	return 0;
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Sending a Commit (RFC 9420 §12.4): the committer's proposals, by value,
 * applied to a copy of the tree; an UpdatePath when §12.4 requires one
 * or the caller asks; the new GroupContext and transcript hashes; the
 * next epoch prepared in the kernel (MLS_IOC_COMMIT_PREPARE), which
 * returns its confirmation tag and, when members are added, the
 * joiner_secret and welcome_secret their Welcome needs; the signature,
 * and the framing as a PublicMessage (membership tag from the kernel) or
 * a PrivateMessage (encrypted by the kernel in the current epoch).
 *
 * The proposal list is valid by construction (§12.2, §12.3): a
 * GroupContextExtensions, Removes, Adds, PSKs, a ReInit, each checked
 * here (a GCE's extensions well formed and supported by the own leaf,
 * a ReInit's version and suite known, each once; a leaf in the tree,
 * occupied, not one's own, named once; a valid KeyPackage, added once,
 * whose keys no member has; an external PSK id, or a resumption PSK's
 * group and epoch, named once). No Update by value: the
 * committer's own leaf changes through its UpdatePath. Then, with those
 * by reference, the list goes through mlsc_proposals_validate() and the
 * new tree through mlsc_tree_keys_unique(), as on every receiver: one
 * check on both sides, so that the group cannot split over a Commit.
 *
 * The new epoch's state waits in struct mlsc_pending until the delivery
 * service's verdict: merged into the group or discarded, both in the
 * kernel and here.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "commit.h"
#include "ext_sender.h"
#include "frame.h"
#include "internal.h"
#include "keypkg.h"
#include "proposal.h"
#include "psk.h"
#include "transcript.h"
#include "treekem.h"

#define MAX_SIG		256	/* the largest signature of a suite's scheme */

/* What one Commit is built from; freed by commit_free(). */
struct build {
	struct mlsc_group *g;
	const struct mlsc_commit_args *a;
	struct mlsc_arena arena;
	struct mlsc_group_context gc;		/* the current epoch's */
	struct mlsc_group_context ngc;		/* the next epoch's */
	const struct mls_bytes *refs;		/* by reference (0.5) */
	size_t n_refs;
	struct mlsc_ref_proposal *rp;		/* what @refs name */
	const struct mlsc_psk *psks;		/* PSK values for @refs (0.7) */
	size_t n_given;
	struct mlsc_psk *given;			/* @psks and the group's own */
	struct mlsc_proposal *specs;		/* GCE, ReInit by value (0.6) */
	struct mlsc_proposal_or_ref *props;
	struct mlsc_proposal *vals;		/* @props' proposals, resolved */
	uint32_t *senders;			/* @vals' senders' leaves */
	size_t n_props;
	const struct mlsc_keypkg **joiners;
	uint32_t *joiner_leaves;
	size_t n_joiners;
	struct mlsc_psk_id *psk_ids;
	struct mls_psk *kpsks;
	size_t n_psks;
	struct mlsc_pending *pend;
	struct mlsc_tree_priv priv;
	bool has_priv;
	struct mlsc_wbuf path;			/* the UpdatePath, encoded */
	struct mlsc_framed_content fc;
	uint16_t wire_format;
	const struct mlsc_extensions *next_ext;	/* a GCE's, else NULL */
	uint8_t commit_secret[MLSC_MAX_HASH];
	uint8_t joiner_secret[MLSC_MAX_HASH];
	uint8_t welcome_secret[MLSC_MAX_HASH];
	uint8_t tree_hash[MLSC_MAX_HASH];
	uint8_t confirmed[MLSC_MAX_HASH];
	uint8_t tag[MLSC_MAX_HASH];
	uint8_t sig[MAX_SIG];
	size_t sig_len;
	struct mlsc_wbuf commit_bytes;		/* the Commit, encoded */
	struct mls_bytes tbs;			/* FramedContentTBS */
	bool prepared;				/* the kernel's epoch is pending */
	bool reinit_psk;	/* a new group's first Commit (reinit_group.c) */
};

static void build_free(struct build *b)
{
	if (b->prepared)
		mls_commit_discard(b->g->gfd, b->ngc.epoch);
	mlsc_pending_free(b->pend);
	mlsc_tree_priv_clear(&b->priv);
	mlsc_wbuf_free(&b->path);
	mlsc_wbuf_free(&b->commit_bytes);
	mls_bytes_free(&b->tbs);
	mlsc_arena_free(&b->arena);
	OPENSSL_cleanse(b->commit_secret, sizeof(b->commit_secret));
	OPENSSL_cleanse(b->joiner_secret, sizeof(b->joiner_secret));
	OPENSSL_cleanse(b->welcome_secret, sizeof(b->welcome_secret));
}

/* -------------------------------------------------------- the inputs */

bool mlsc_keys_known(const struct mlsc_tree *t,
		     const struct mlsc_key_package *kp)
{
	const struct mlsc_leaf_node *ln = &kp->leaf_node;

	for (uint32_t i = 0; i < t->n_leaves; i++) {
		const struct mlsc_leaf_node *l = mlsc_tree_leaf(t, i);

		if (l && (mlsc_slice_eq(&l->encryption_key,
					&ln->encryption_key) ||
			  mlsc_slice_eq(&l->signature_key,
					&ln->signature_key) ||
			  mlsc_slice_eq(&l->encryption_key, &kp->init_key)))
			return true;
	}
	return false;
}

int mlsc_spec_check_add(const struct mlsc_group *g,
			const struct mlsc_proposal_spec *v, size_t i,
			const struct mlsc_validate_opts *vo)
{
	const struct mlsc_proposal_spec *p = &v[i];
	struct mlsc_validate_opts opts = { .now = (uint64_t)time(NULL) };
	const struct mlsc_key_package *kp;
	int err;

	if (!p->key_package)
		return -EINVAL;
	err = mlsc_keypkg_validate(p->key_package, g->suite->id,
				   vo ? vo : &opts);
	if (err)
		return err;
	kp = &p->key_package->kp;
	for (size_t j = 0; j < i; j++) {
		const struct mlsc_proposal_spec *q = &v[j];

		if (q->type == MLSC_PROPOSE_ADD && q->key_package &&
		    (q->key_package == p->key_package ||
		     mlsc_slice_eq(&q->key_package->raw, &p->key_package->raw) ||
		     mlsc_slice_eq(&q->key_package->kp.leaf_node.signature_key,
				   &kp->leaf_node.signature_key)))
			return -EINVAL;
	}
	return mlsc_keys_known(&g->tree, kp) ? -EEXIST : 0;
}

int mlsc_spec_check_remove(const struct mlsc_group *g,
			   const struct mlsc_proposal_spec *v, size_t i)
{
	const struct mlsc_proposal_spec *p = &v[i];

	if (p->leaf >= g->tree.n_leaves)
		return -ERANGE;
	if (!mlsc_tree_leaf(&g->tree, p->leaf))
		return -ENOENT;
	if (p->leaf == g->own_leaf)
		return -EINVAL;
	for (size_t j = 0; j < i; j++)
		if (v[j].type == MLSC_PROPOSE_REMOVE && v[j].leaf == p->leaf)
			return -EINVAL;
	return 0;
}

static bool is_psk(uint16_t type)
{
	return type == MLSC_PROPOSE_PSK || type == MLSC_PROPOSE_PSK_RESUMPTION ||
	       type == MLSC_PROPOSE_PSK_REINIT;
}

/* The resumption PSK @p names, or NULL if @p is not a valid one. */
static const struct mlsc_resumption_psk *
resumption_of(const struct mlsc_proposal_spec *p)
{
	const struct mlsc_resumption_psk *r = p->psk;

	if (p->psk_id || p->psk_id_len || !r || p->psk_len != sizeof(*r) ||
	    r->group_fd < 0 || r->reserved)
		return NULL;
	return r;
}

/* Do @p and @q, both PSK specs, name the same PSK? */
static bool same_psk(const struct mlsc_proposal_spec *p,
		     const struct mlsc_proposal_spec *q)
{
	const struct mlsc_resumption_psk *a, *b;

	if (p->type != q->type)
		return false;
	if (p->type == MLSC_PROPOSE_PSK)
		return q->psk_id_len == p->psk_id_len &&
		       !memcmp(q->psk_id, p->psk_id, p->psk_id_len);
	a = p->psk;
	b = q->psk;
	return a->group_fd == b->group_fd && a->epoch == b->epoch;
}

int mlsc_spec_check_psk(const struct mlsc_proposal_spec *v, size_t i)
{
	const struct mlsc_proposal_spec *p = &v[i];

	if (p->type != MLSC_PROPOSE_PSK) {
		if (!resumption_of(p))
			return -EINVAL;
	} else if (!p->psk_id || !p->psk_id_len ||
		   p->psk_id_len > MLS_MAX_PSK_ID_LEN || !p->psk ||
		   !p->psk_len || p->psk_len > MLS_MAX_PSK_LEN) {
		return -EINVAL;
	}
	for (size_t j = 0; j < i; j++)
		if (same_psk(p, &v[j]))
			return -EINVAL;
	return 0;
}

/* A GroupContextExtensions or ReInit, once each (0.6). */
static int check_spec(struct build *b, size_t i)
{
	uint16_t type = b->a->proposals[i].type;

	for (size_t j = 0; j < i; j++)
		if (b->a->proposals[j].type == type)
			return -EINVAL;
	return mlsc_proposal_from_spec(b->g, &b->a->proposals[i], &b->arena,
				       &b->specs[i]);
}

static int check_inputs(struct build *b)
{
	size_t n_psk = 0;
	int err = 0;

	b->specs = mlsc_arena_alloc(&b->arena, (b->a->n_proposals ?: 1) *
				    sizeof(*b->specs));
	if (!b->specs)
		return -ENOMEM;
	for (size_t i = 0; i < b->a->n_proposals && !err; i++) {
		switch (b->a->proposals[i].type) {
		case MLSC_PROPOSE_GCE:
		case MLSC_PROPOSE_REINIT:
			err = check_spec(b, i);
			break;
		case MLSC_PROPOSE_ADD:
			err = mlsc_spec_check_add(b->g, b->a->proposals, i,
						  b->a->validate);
			b->n_joiners++;
			break;
		case MLSC_PROPOSE_REMOVE:
			err = mlsc_spec_check_remove(b->g, b->a->proposals, i);
			break;
		case MLSC_PROPOSE_PSK_REINIT:
			if (!b->reinit_psk) {
				err = -EOPNOTSUPP;
				break;
			}
			/* fall through */
		case MLSC_PROPOSE_PSK:
		case MLSC_PROPOSE_PSK_RESUMPTION:
			err = mlsc_spec_check_psk(b->a->proposals, i);
			n_psk++;
			break;
		case MLSC_PROPOSE_UPDATE:
			/* §12.2: the committer's new leaf is its UpdatePath's */
			err = -EINVAL;
			break;
		default:
			err = -EOPNOTSUPP;
		}
	}
	if (!err && n_psk > MLS_MAX_PSKS)
		err = -EINVAL;
	return err;
}

/* The leaf an Update (its sender's) or a Remove changes, or -1. */
static int64_t changed_leaf(const struct mlsc_ref_proposal *r)
{
	if (r->p.type == MLSC_PROPOSAL_UPDATE)
		return r->sender;
	if (r->p.type == MLSC_PROPOSAL_REMOVE)
		return r->p.remove;
	return -1;
}

/*
 * Two Adds of one signature key, or two Updates or Removes of one leaf
 * (§12.2: one change per leaf)?
 */
static bool same_change(const struct mlsc_ref_proposal *r,
			const struct mlsc_ref_proposal *s)
{
	const struct mlsc_proposal *p = &r->p, *q = &s->p;

	if (changed_leaf(r) >= 0)
		return changed_leaf(r) == changed_leaf(s);
	if (p->type != q->type)
		return false;
	/* the others (GCE, ReInit) are judged with the whole list */
	if (p->type != MLSC_PROPOSAL_ADD)
		return false;
	return mlsc_slice_eq(&p->add.leaf_node.signature_key,
			     &q->add.leaf_node.signature_key);
}

/* The proposals by reference, each checked, and against those by value. */
static int check_refs(struct build *b)
{
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	size_t n_psk = 0;
	int err;

	if (!b->n_refs)
		return 0;
	b->rp = mlsc_arena_alloc(&b->arena, b->n_refs * sizeof(*b->rp));
	if (!b->rp)
		return -ENOMEM;
	err = mlsc_commit_refs_resolve(b->g, &b->gc, b->refs, b->n_refs,
				       b->a->validate ?: &now, &b->arena,
				       b->rp);
	for (size_t i = 0; i < b->n_refs && !err; i++) {
		const struct mlsc_proposal *p = &b->rp[i].p;

		for (size_t j = 0; j < i; j++)
			if (same_change(&b->rp[i], &b->rp[j]))
				return -EINVAL;
		for (size_t j = 0; j < b->a->n_proposals; j++) {
			const struct mlsc_proposal_spec *q = &b->a->proposals[j];

			if ((q->type == MLSC_PROPOSE_REMOVE &&
			     changed_leaf(&b->rp[i]) == q->leaf) ||
			    (q->type == MLSC_PROPOSE_ADD &&
			     p->type == MLSC_PROPOSAL_ADD &&
			     mlsc_slice_eq(&q->key_package->kp.leaf_node.signature_key,
					   &p->add.leaf_node.signature_key)))
				return -EINVAL;
		}
		if (p->type == MLSC_PROPOSAL_ADD)
			b->n_joiners++;
		if (p->type == MLSC_PROPOSAL_PSK)
			n_psk++;
	}
	if (err)
		return err;
	for (size_t j = 0; j < b->a->n_proposals; j++)
		if (is_psk(b->a->proposals[j].type))
			n_psk++;
	return n_psk > MLS_MAX_PSKS ? -EINVAL : 0;
}

/* ----------------------------------------------------- the proposals */

/* Also the PSK of a member's own proposal (propose.c). */
int mlsc_psk_from_spec(const struct mlsc_suite *s,
		       const struct mlsc_proposal_spec *p,
		       struct mlsc_arena *arena, struct mlsc_psk_id *id,
		       struct mls_psk *k)
{
	const struct mlsc_resumption_psk *r;
	struct mls_group_info info;
	size_t gid_len = MLS_MAX_GROUP_ID_LEN;
	uint8_t *nonce, *gid;
	int err;

	nonce = mlsc_arena_alloc(arena, s->nh);
	if (!nonce)
		return -ENOMEM;
	if (RAND_bytes(nonce, (int)s->nh) != 1)
		return -EIO;
	memset(k, 0, sizeof(*k));
	memset(id, 0, sizeof(*id));
	id->psk_nonce = (struct mlsc_slice){ nonce, s->nh };
	mls_buf_set(&k->nonce, nonce, s->nh);
	if (p->type == MLSC_PROPOSE_PSK) {
		id->type = MLSC_PSK_EXTERNAL;
		id->psk_id = (struct mlsc_slice){ p->psk_id, p->psk_id_len };
		k->type = MLS_PSK_EXTERNAL;
		mls_buf_set(&k->id, p->psk_id, p->psk_id_len);
		mls_buf_set(&k->secret, p->psk, p->psk_len);
		return 0;
	}
	r = p->psk;
	gid = mlsc_arena_alloc(arena, MLS_MAX_GROUP_ID_LEN);
	if (!gid)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	err = mls_group_info(r->group_fd, &info, gid, &gid_len);
	if (err)
		return err;
	id->type = MLSC_PSK_RESUMPTION;
	id->usage = p->type == MLSC_PROPOSE_PSK_REINIT ?
		    MLS_PSK_USAGE_REINIT : MLS_PSK_USAGE_APPLICATION;
	id->psk_group_id = (struct mlsc_slice){ gid, gid_len };
	id->psk_epoch = r->epoch;
	k->type = MLS_PSK_RESUMPTION;
	k->usage = id->usage;
	k->group = (uint32_t)r->group_fd;
	k->epoch = r->epoch;
	return 0;
}

/*
 * The kernel's entry @k for PreSharedKeyID @id, a PSK by reference:
 * its value found among the caller's PSKs (struct mlsc_commit_args_ext
 * psks) or, a resumption PSK of this group, the group's own, as its
 * receivers find it (-ENOKEY: none; -EPROTO: a nonce not Nh bytes).
 */
static int ref_psk(struct build *b, const struct mlsc_psk_id *id,
		   struct mls_psk *k)
{
	int err;

	if (!b->given) {
		b->given = mlsc_arena_alloc(&b->arena, (b->n_given + 1) *
					    sizeof(*b->given));
		if (!b->given)
			return -ENOMEM;
		if (b->n_given)
			memcpy(b->given, b->psks,
			       b->n_given * sizeof(*b->given));
		b->given[b->n_given] = (struct mlsc_psk){
			.type = MLS_PSK_RESUMPTION, .group_fd = b->g->gfd };
	}
	err = mlsc_psk_list(b->g->suite, id, 1, b->given, b->n_given + 1, k);
	if (err == -ENOENT)
		return -ENOKEY;
	return err == -EBADMSG ? -EPROTO : err;
}

/*
 * The list in the order §12.3 applies it: GroupContextExtensions,
 * Updates (other members', by reference), Removes, Adds, PSKs (external
 * and resumption ones in the caller's order), and a ReInit (alone in a
 * valid list).
 */
static int make_proposals(struct build *b)
{
	static const uint16_t order[] = {
		MLSC_PROPOSE_GCE, MLSC_PROPOSE_UPDATE, MLSC_PROPOSE_REMOVE,
		MLSC_PROPOSE_ADD, MLSC_PROPOSE_PSK, MLSC_PROPOSE_REINIT,
	};
	size_t n = b->a->n_proposals + b->n_refs;
	int err;

	b->props = mlsc_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*b->props));
	b->vals = mlsc_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*b->vals));
	b->joiners = mlsc_arena_alloc(&b->arena, (n ? n : 1) *
				      sizeof(*b->joiners));
	b->joiner_leaves = mlsc_arena_alloc(&b->arena, (n ? n : 1) *
					    sizeof(*b->joiner_leaves));
	b->psk_ids = mlsc_arena_alloc(&b->arena, (n ? n : 1) *
				      sizeof(*b->psk_ids));
	b->kpsks = mlsc_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*b->kpsks));
	b->senders = mlsc_arena_alloc(&b->arena, (n ? n : 1) *
				      sizeof(*b->senders));
	if (!b->props || !b->vals || !b->joiners || !b->joiner_leaves ||
	    !b->psk_ids || !b->kpsks || !b->senders)
		return -ENOMEM;
	b->n_joiners = 0;
	n = b->a->n_proposals;
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		/* those by reference first, as received */
		for (size_t i = 0; i < b->n_refs; i++) {
			const struct mlsc_ref_proposal *r = &b->rp[i];

			if (r->p.type != order[k])
				continue;
			b->props[b->n_props].type = MLSC_POR_REFERENCE;
			b->props[b->n_props].reference = r->ref;
			b->senders[b->n_props] = r->sender;
			b->vals[b->n_props++] = r->p;
			if (r->p.type == MLSC_PROPOSAL_ADD)
				b->joiners[b->n_joiners++] = r->kp;
			if (r->p.type == MLSC_PROPOSAL_PSK) {
				err = ref_psk(b, &r->p.psk,
					      &b->kpsks[b->n_psks]);
				if (err)
					return err;
				b->psk_ids[b->n_psks++] = r->p.psk;
			}
		}
		for (size_t i = 0; i < n; i++) {
			const struct mlsc_proposal_spec *p = &b->a->proposals[i];
			struct mlsc_proposal_or_ref *por = &b->props[b->n_props];
			struct mlsc_psk_id *id;

			if (p->type != order[k] &&
			    !(order[k] == MLSC_PROPOSE_PSK && is_psk(p->type)))
				continue;
			por->type = MLSC_POR_PROPOSAL;
			por->proposal.type = order[k];
			b->senders[b->n_props] = b->g->own_leaf;
			b->n_props++;
			if (p->type == MLSC_PROPOSE_GCE ||
			    p->type == MLSC_PROPOSE_REINIT) {
				por->proposal = b->specs[i];
			} else if (p->type == MLSC_PROPOSE_REMOVE) {
				por->proposal.remove = p->leaf;
			} else if (p->type == MLSC_PROPOSE_ADD) {
				por->proposal.add = p->key_package->kp;
				b->joiners[b->n_joiners++] = p->key_package;
			} else {
				id = &b->psk_ids[b->n_psks];
				err = mlsc_psk_from_spec(b->g->suite, p,
							 &b->arena, id,
							 &b->kpsks[b->n_psks]);
				if (err)
					return err;
				por->proposal.psk = *id;
				b->n_psks++;
			}
			b->vals[b->n_props - 1] = por->proposal;
		}
	}
	/* every proposal is of a type listed above */
	return b->n_props == n + b->n_refs ? 0 : -EOPNOTSUPP;
}

/*
 * The list as every receiver checks it (§12.2): its references resolved
 * from the same cache, then mlsc_proposals_validate() with the current
 * GroupContext, the required_capabilities among it. A list they refuse
 * is refused here with their errno (-EPROTO, -EOPNOTSUPP, ...), before
 * the kernel prepares anything. *@path: whether §12.4 needs a path.
 */
static int check_as_receivers(struct build *b, bool *path)
{
	static const struct mlsc_proposal_cache empty;
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	struct mlsc_group_view v = {
		b->g->suite, &b->g->tree, &b->gc, b->a->validate ?: &now,
	};
	struct mlsc_commit c = {
		.proposals = b->props, .n_proposals = b->n_props,
	};
	struct mlsc_resolved *r;
	int err;

	r = mlsc_arena_alloc(&b->arena, (b->n_props ?: 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = mlsc_proposals_resolve(b->g->cache ?: &empty, b->g->suite->nh,
				     b->gc.epoch, &c, b->g->own_leaf,
				     &b->arena, r);
	if (!err)
		err = (b->reinit_psk ? mlsc_proposals_validate_reinit :
				       mlsc_proposals_validate)
			(&v, b->g->own_leaf, r, b->n_props, path);
	if (!err)
		err = mlsc_gce_senders_check(&v, b->g->own_leaf, r,
					     b->n_props);
	return err;
}

/* Apply the list to the copy of the tree; the joiners' leaves. */
static int apply_proposals(struct build *b)
{
	size_t j = 0;
	int err;

	b->pend = mlsc_calloc(1, sizeof(*b->pend));
	if (!b->pend)
		return -ENOMEM;
	err = mlsc_tree_clone(&b->pend->tree, &b->g->tree);
	for (size_t i = 0; i < b->n_props && !err; i++) {
		struct mlsc_proposal *p = &b->vals[i];
		uint32_t leaf;

		if (p->type == MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS)
			b->next_ext = &p->gce;
		if (p->type == MLSC_PROPOSAL_REINIT)
			err = mlsc_reinit_encode(&p->reinit, &b->pend->reinit,
						 &b->pend->reinit_len);
		/* the tree's: Add, Update, Remove */
		if (p->type != MLSC_PROPOSAL_ADD &&
		    p->type != MLSC_PROPOSAL_UPDATE &&
		    p->type != MLSC_PROPOSAL_REMOVE)
			continue;
		err = mlsc_tree_apply_proposal(&b->pend->tree, b->senders[i],
					       p, &leaf);
		if (!err && p->type == MLSC_PROPOSAL_ADD)
			b->joiner_leaves[j++] = leaf;
	}
	return err;
}

/* ---------------------------------------------------------- the path */

static bool path_required(const struct build *b, bool required)
{
	if (required || !b->n_props || (b->a->flags & MLSC_COMMIT_F_PATH))
		return true;
	for (size_t i = 0; i < b->n_props; i++)
		if (b->vals[i].type == MLSC_PROPOSAL_REMOVE)
			return true;
	return false;
}

/* The own leaf's HPKE private key, as the group keeps it. */
static const struct mlsc_node_key *own_leaf_key(const struct mlsc_group *g)
{
	for (size_t i = 0; i < g->n_keys; i++)
		if (g->keys[i].node == mlsc_leaf_node(g->own_leaf))
			return &g->keys[i];
	return NULL;
}

static int make_path(struct build *b, struct mlsc_commit *c)
{
	const struct mlsc_node_key *k = own_leaf_key(b->g);
	struct mlsc_leaf_node tmpl;
	struct mlsc_group_context pgc;
	int err;

	if (!k)
		return -ENOKEY;
	err = mlsc_tree_priv_init(&b->priv, b->g->suite->id, b->g->own_leaf,
				  k->sk, k->len);
	if (err)
		return err;
	b->has_priv = true;
	tmpl = *mlsc_tree_leaf(&b->g->tree, b->g->own_leaf);
	/* the provisional GroupContext (§12.4.2): the next epoch's */
	pgc = b->gc;
	pgc.epoch++;
	if (b->next_ext)
		pgc.extensions = *b->next_ext;
	err = mlsc_treekem_encap(&b->pend->tree, &b->priv, &tmpl,
				 b->a->sig_key, &pgc, b->joiner_leaves,
				 b->n_joiners, NULL, &b->path,
				 b->commit_secret);
	if (err)
		return err;
	c->has_path = true;
	err = MLSC_DECODE(b->path.p, b->path.len, &b->arena, &c->path,
			  mlsc_io_update_path);
	if (!err)
		err = mlsc_keys_from_priv(b->g->suite, &b->priv,
					  &b->pend->keys, &b->pend->n_keys);
	if (!err) {
		b->pend->priv = mlsc_malloc(sizeof(*b->pend->priv));
		if (!b->pend->priv)
			err = -ENOMEM;
		else
			*b->pend->priv = b->priv;
	}
	b->pend->has_path = !err;
	return err;
}

/* ------------------------------------------------- content, contexts */

static int sign_content(struct build *b)
{
	struct mlsc_slice content = { b->commit_bytes.p, b->commit_bytes.len };

	b->sig_len = sizeof(b->sig);
	return mlsc_frame_sign(b->g, b->wire_format, &b->fc, &content,
			       b->a->sig_key, &b->tbs, b->sig, &b->sig_len);
}

/* The next GroupContext, encoded into the pending state. */
static int next_context(struct build *b)
{
	const struct mlsc_suite *s = b->g->suite;
	struct mlsc_slice sig = { b->sig, b->sig_len };
	struct mlsc_wbuf w = { 0 };
	int err;

	err = mlsc_transcript_confirmed(s, b->g->interim, b->wire_format,
					&b->fc, &sig, b->confirmed);
	if (!err)
		err = mlsc_tree_hash(&b->pend->tree,
				     mlsc_tm_root(b->pend->tree.n_leaves),
				     b->tree_hash);
	if (err)
		return err;
	b->ngc = b->gc;
	b->ngc.epoch = b->gc.epoch + 1;
	if (b->next_ext)
		b->ngc.extensions = *b->next_ext;
	b->ngc.tree_hash = (struct mlsc_slice){ b->tree_hash, s->nh };
	b->ngc.confirmed_transcript_hash =
		(struct mlsc_slice){ b->confirmed, s->nh };
	err = MLSC_ENCODE(&b->ngc, mlsc_io_group_context, &w);
	if (!err) {
		b->pend->context = mlsc_malloc(w.len);
		err = b->pend->context ? 0 : -ENOMEM;
	}
	if (!err) {
		memcpy(b->pend->context, w.p, w.len);
		b->pend->context_len = w.len;
	}
	mlsc_wbuf_free(&w);
	return err;
}

/* MLS_IOC_COMMIT_PREPARE, then the pending epoch's confirmation tag. */
static int kernel_prepare(struct build *b)
{
	const struct mlsc_suite *s = b->g->suite;
	struct mlsc_slice conf = { b->confirmed, s->nh };
	struct mlsc_slice tag = { b->tag, s->nh };
	struct mlsc_wbuf ext = { 0 };
	uint8_t *occupied = NULL;
	size_t occupied_len = 0, skip = 0, tag_len = sizeof(b->tag);
	struct mls_commit c;
	int err;

	err = mlsc_context_extensions(&b->ngc, &ext, &skip);
	if (!err)
		err = mlsc_roster_bitmap(&b->pend->tree, &occupied,
					 &occupied_len);
	if (err)
		goto out;
	memset(&c, 0, sizeof(c));
	if (b->n_joiners) {
		c.flags = MLS_COMMIT_F_RETURN_SECRETS;
		mls_buf_set(&c.joiner_secret, b->joiner_secret, s->nh);
		mls_buf_set(&c.welcome_secret, b->welcome_secret, s->nh);
	}
	/* A ReInit: the epoch it starts is the last, the kernel ends the group. */
	if (b->pend->reinit && b->g->kernel_final)
		c.flags |= MLS_COMMIT_F_FINAL;
	/* Fresh path secrets: this ends an import's receive-only state. */
	if (b->pend->has_path) {
		c.flags |= MLS_COMMIT_F_OWN_PATH;
		mls_buf_set(&c.commit_secret, b->commit_secret, s->nh);
	}
	c.context.epoch = b->ngc.epoch;
	mls_buf_set(&c.context.tree_hash, b->tree_hash, s->nh);
	mls_buf_set(&c.context.confirmed_transcript_hash, b->confirmed, s->nh);
	mls_buf_set(&c.context.extensions, ext.p + skip, ext.len - skip);
	c.roster.own_leaf = b->g->own_leaf;
	c.roster.leaf_count = b->pend->tree.n_leaves;
	mls_buf_set(&c.roster.occupied, occupied, occupied_len);
	if (b->n_psks)
		mls_psk_list_set(&c.psks, b->kpsks, b->n_psks);
	err = mls_commit_prepare(b->g->gfd, &c);
	if (err)
		goto out;
	b->prepared = true;
	b->pend->epoch = b->ngc.epoch;
	err = mls_confirmation_tag(b->g->gfd, MLS_TAG_F_PENDING, b->tag,
				   &tag_len, NULL);
	if (!err && tag_len != s->nh)
		err = -EPROTO;
	if (!err)
		err = mlsc_transcript_interim(s, &conf, &tag, b->pend->interim);
out:
	free(occupied);
	mlsc_wbuf_free(&ext);
	return err;
}

/* ------------------------------------------------------ the framing */

static int frame(struct build *b, struct mls_bytes *out)
{
	struct mlsc_auth_data auth = {
		.signature = { b->sig, b->sig_len },
		.confirmation_tag = { b->tag, b->g->suite->nh },
	};
	struct mlsc_frame_in in = {
		.wire_format = b->wire_format,
		.fc = &b->fc,
		.auth = &auth,
		.tbs = { b->tbs.data, b->tbs.len },
		.content = { b->commit_bytes.p, b->commit_bytes.len },
	};

	return mlsc_frame(b->g, &in, out);
}

static int make_welcome(struct build *b, struct mls_bytes *out)
{
	struct mlsc_welcome_in in = {
		.suite = b->g->suite,
		.tree = &b->pend->tree,
		.priv = b->has_priv ? &b->priv : NULL,
		.own_leaf = b->g->own_leaf,
		.sig_key = b->a->sig_key,
		.gc = &b->ngc,
		.confirmation_tag = b->tag,
		.joiner_secret = b->joiner_secret,
		.welcome_secret = b->welcome_secret,
		.psks = b->psk_ids,
		.n_psks = b->n_psks,
		.joiners = b->joiners,
		.joiner_leaves = b->joiner_leaves,
		.n_joiners = b->n_joiners,
		.ratchet_tree = !!(b->a->flags & MLSC_COMMIT_F_RATCHET_TREE),
	};

	return mlsc_welcome_build(&in, out);
}

/* ------------------------------------------------------------ the API */

static int build_commit(struct build *b, struct mlsc_commit_out *out)
{
	struct mlsc_commit c;
	bool required = false;
	int err;

	err = MLSC_DECODE(b->g->context, b->g->context_len, &b->arena, &b->gc,
			  mlsc_io_group_context);
	if (!err)
		err = check_inputs(b);
	if (!err)
		err = check_refs(b);
	if (!err)
		err = make_proposals(b);
	if (!err)
		err = check_as_receivers(b, &required);
	if (!err)
		err = apply_proposals(b);
	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	c.proposals = b->props;
	c.n_proposals = b->n_props;
	if (path_required(b, required))
		err = make_path(b, &c);
	/* the new tree as receivers check it: no key held twice (§7.3) */
	if (!err)
		err = mlsc_tree_keys_unique(&b->pend->tree);
	if (!err)
		err = MLSC_ENCODE(&c, mlsc_io_commit, &b->commit_bytes);
	if (err)
		return err;
	b->wire_format = (b->a->flags & MLSC_COMMIT_F_PRIVATE) ?
			 MLSC_WIRE_PRIVATE_MESSAGE : MLSC_WIRE_PUBLIC_MESSAGE;
	mlsc_frame_header(b->g, &b->gc, b->a->authenticated_data,
			  b->a->authenticated_data_len, MLSC_CONTENT_COMMIT,
			  &b->fc);
	b->fc.commit = c;
	err = sign_content(b);
	if (!err)
		err = next_context(b);
	if (!err)
		err = kernel_prepare(b);
	if (!err && b->n_joiners)
		err = make_welcome(b, &out->welcome);
	if (!err)
		err = frame(b, &out->commit);
	return err;
}

static int commit_create(struct mlsc_group *g, const struct mlsc_commit_args *a,
			 bool reinit_psk, struct mlsc_commit_out *out)
{
	struct build b;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!g || !a || !a->sig_key ||
	    (a->flags & ~(MLSC_COMMIT_F_ALL | MLSC_COMMIT_F_EXT |
			  MLSC_COMMIT_F_PSKS)) ||
	    ((a->flags & MLSC_COMMIT_F_PSKS) &&
	     !(a->flags & MLSC_COMMIT_F_EXT)) ||
	    (a->n_proposals && !a->proposals) ||
	    (a->authenticated_data_len && !a->authenticated_data))
		return -EINVAL;
	err = mlsc_frame_may_send(g);
	if (err)
		return err;
	memset(&b, 0, sizeof(b));
	if (a->flags & MLSC_COMMIT_F_EXT) {
		const struct mlsc_commit_args_ext *x = (const void *)a;

		if (x->n_proposal_refs && !x->proposal_refs)
			return -EINVAL;
		b.refs = x->proposal_refs;
		b.n_refs = x->n_proposal_refs;
	}
	if (a->flags & MLSC_COMMIT_F_PSKS) {
		const struct mlsc_commit_args_ext *x = (const void *)a;

		if ((x->n_psks && !x->psks) ||
		    x->n_psks >= SIZE_MAX / sizeof(*x->psks))
			return -EINVAL;
		b.psks = x->psks;
		b.n_given = x->n_psks;
	}
	b.g = g;
	b.a = a;
	b.reinit_psk = reinit_psk;
	mlsc_arena_init(&b.arena);
	err = build_commit(&b, out);
	if (!err)
		err = mlsc_group_set_own_commit(g, out->commit.data,
						out->commit.len);
	if (err) {
		mlsc_commit_out_free(out);
	} else {
		out->epoch = b.ngc.epoch;
		g->pending = b.pend;
		b.pend = NULL;
		b.prepared = false;
	}
	build_free(&b);
	return err;
}

MLSC_EXPORT int mlsc_commit_create(struct mlsc_group *g,
				   const struct mlsc_commit_args *a,
				   struct mlsc_commit_out *out)
{
	return commit_create(g, a, false, out);
}

int mlsc_commit_create_reinit(struct mlsc_group *g,
			      const struct mlsc_commit_args *a,
			      struct mlsc_commit_out *out)
{
	return commit_create(g, a, true, out);
}

MLSC_EXPORT void mlsc_commit_out_free(struct mlsc_commit_out *out)
{
	if (!out)
		return;
	mls_bytes_free(&out->commit);
	mls_bytes_free(&out->welcome);
	memset(out, 0, sizeof(*out));
}

/* The kernel has nothing pending any more for these errors. */
static bool kernel_dropped(int err)
{
	return err == -ETIMEDOUT || err == -ENOENT || err == -ESTALE;
}

MLSC_EXPORT int mlsc_commit_merge(struct mlsc_group *g)
{
	struct mlsc_pending *p;
	int err;

	if (!g)
		return -EINVAL;
	/* an external join: its kernel group is in the Commit's epoch */
	if (g->joining) {
		g->joining = false;
		return 0;
	}
	p = g->pending;
	if (!p)
		return -ENOENT;
	err = mls_commit_merge(g->gfd, p->epoch);
	if (err) {
		if (kernel_dropped(err)) {
			mlsc_pending_free(p);
			g->pending = NULL;
		}
		return err;
	}
	mlsc_tree_free(&g->tree);
	g->tree = p->tree;
	memset(&p->tree, 0, sizeof(p->tree));
	if (p->has_path) {
		mlsc_group_wipe_keys(g);
		free(g->keys);
		g->keys = p->keys;
		g->n_keys = p->n_keys;
		p->keys = NULL;
		p->n_keys = 0;
		if (g->priv)
			OPENSSL_clear_free(g->priv, sizeof(*g->priv));
		g->priv = p->priv;
		p->priv = NULL;
	}
	free(g->context);
	g->context = p->context;
	g->context_len = p->context_len;
	p->context = NULL;
	memcpy(g->interim, p->interim, sizeof(g->interim));
	/* a ReInit: the group ends here */
	if (p->reinit) {
		free(g->reinit);
		g->reinit = p->reinit;
		g->reinit_len = p->reinit_len;
		p->reinit = NULL;
	}
	mlsc_pending_free(p);
	g->pending = NULL;
	/* the old epoch's proposals, with any own Update's private key */
	if (g->cache)
		mlsc_proposal_cache_clear(g->cache);
	mlsc_group_retry_clear(g);
	return 0;
}

MLSC_EXPORT int mlsc_commit_discard(struct mlsc_group *g)
{
	int err;

	if (!g)
		return -EINVAL;
	if (g->joining) {
		g->joining = false;
		return mls_group_destroy(g->gfd);
	}
	if (!g->pending)
		return -ENOENT;
	err = mls_commit_discard(g->gfd, g->pending->epoch);
	if (err && !kernel_dropped(err))
		return err;
	mlsc_pending_free(g->pending);
	g->pending = NULL;
	return 0;
}

MLSC_EXPORT int mlsc_group_ratchet_tree(const struct mlsc_group *g,
					struct mls_bytes *out)
{
	struct mlsc_wbuf w = { 0 };
	int err;

	if (!g || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = mlsc_tree_serialize(&g->tree, &w);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
	mlsc_wbuf_free(&w);
	return err;
}


// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Proposals (RFC 9420 §12.1 to §12.3): references, the epoch's cache,
 * and the validity of one proposal and of a Commit's list.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ext_sender.h"
#include "internal.h"
#include "kdf.h"
#include "keypkg.h"
#include "leaf.h"
#include "proposal.h"

#define PROPOSAL_REF_LABEL	"MLS 1.0 Proposal Reference"

int mlsc_proposal_ref(const struct mlsc_suite *s, const uint8_t *ac,
		      size_t len, uint8_t *ref)
{
	return mlsc_ref_hash(s, PROPOSAL_REF_LABEL, ac, len, ref);
}

void mlsc_proposal_cache_clear(struct mlsc_proposal_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		OPENSSL_clear_free(c->v[i].bytes, c->v[i].len);
		c->v[i].bytes = NULL;
	}
	/* the own Updates' private keys, and the room past @n */
	if (c->v)
		OPENSSL_cleanse(c->v, c->cap * sizeof(*c->v));
	free(c->v);
	c->v = NULL;
	c->n = c->cap = c->n_outsiders = 0;
}

const struct mlsc_cached_proposal *
mlsc_proposal_cache_find(const struct mlsc_proposal_cache *c, size_t nh,
			 uint64_t epoch, const uint8_t *ref, size_t ref_len)
{
	if (c->epoch != epoch || ref_len != nh)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!memcmp(c->v[i].ref, ref, nh))
			return &c->v[i];
	return NULL;
}

int mlsc_proposal_cache_set_key(struct mlsc_proposal_cache *c, size_t nh,
				uint64_t epoch, const uint8_t *ref,
				const uint8_t *sk, size_t len)
{
	struct mlsc_cached_proposal *e;

	e = (struct mlsc_cached_proposal *)
		mlsc_proposal_cache_find(c, nh, epoch, ref, nh);
	if (!e)
		return -ENOENT;
	if (!len || len > sizeof(e->leaf_sk))
		return -EINVAL;
	memcpy(e->leaf_sk, sk, len);
	e->leaf_sk_len = len;
	return 0;
}

int mlsc_proposal_cache_add(struct mlsc_proposal_cache *c, size_t nh,
			    uint64_t epoch, const uint8_t *ref,
			    const struct mlsc_sender *sender,
			    const struct mlsc_proposal *p)
{
	bool outsider = sender->type != MLSC_SENDER_MEMBER;
	struct mlsc_cached_proposal *e;
	struct mlsc_wbuf w = { 0 };
	int err;

	if (c->epoch != epoch) {
		mlsc_proposal_cache_clear(c);
		c->epoch = epoch;
	}
	if (mlsc_proposal_cache_find(c, nh, epoch, ref, nh))
		return 0;
	/* each kind of sender has its own room */
	if (outsider ? c->n_outsiders >= MLSC_MAX_OUTSIDER_PROPOSALS :
		       c->n - c->n_outsiders >= MLSC_MAX_CACHED_PROPOSALS)
		return -ENOSPC;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		/* not realloc(): the old room is wiped, keys may be in it */
		struct mlsc_cached_proposal *v = mlsc_calloc(cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		if (c->v) {
			memcpy(v, c->v, c->n * sizeof(*v));
			OPENSSL_clear_free(c->v, c->cap * sizeof(*v));
		}
		c->v = v;
		c->cap = cap;
	}
	err = MLSC_ENCODE(p, mlsc_io_proposal, &w);
	if (err)
		return err;
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->ref, ref, nh);
	e->sender = sender->index;
	e->outsider = outsider ? sender->type : 0;
	c->n_outsiders += outsider;
	e->bytes = w.p;
	e->len = w.len;
	return 0;
}

int mlsc_proposals_resolve(const struct mlsc_proposal_cache *cache,
			   size_t nh, uint64_t epoch,
			   const struct mlsc_commit *c, uint32_t committer,
			   struct mlsc_arena *arena, struct mlsc_resolved *out)
{
	for (size_t i = 0; i < c->n_proposals; i++) {
		const struct mlsc_proposal_or_ref *por = &c->proposals[i];
		const struct mlsc_cached_proposal *e;
		int err;

		memset(&out[i], 0, sizeof(out[i]));
		if (por->type == MLSC_POR_PROPOSAL) {
			out[i].p = por->proposal;
			out[i].sender = committer;
			continue;
		}
		e = mlsc_proposal_cache_find(cache, nh, epoch,
					     por->reference.p,
					     por->reference.len);
		if (!e)
			return -ENOENT;
		err = MLSC_DECODE(e->bytes, e->len, arena, &out[i].p,
				  mlsc_io_proposal);
		if (err)
			return err;
		out[i].sender = e->sender;
		out[i].outsider = e->outsider;
		out[i].by_ref = true;
		out[i].cached = e;
	}
	return 0;
}

/* ---- one proposal (§12.1) ---------------------------------------------- */

static bool default_extension(uint16_t t)
{
	return t >= MLSC_EXT_APPLICATION_ID && t <= MLSC_EXT_EXTERNAL_SENDERS;
}

/* Leaf @l supports the extension types of @exts and what @req requires. */
static bool leaf_supports(const struct mlsc_leaf_node *l,
			  const struct mlsc_extensions *exts,
			  const struct mlsc_required_caps *req)
{
	const struct mlsc_capabilities *c = &l->capabilities;

	for (size_t i = 0; exts && i < exts->n; i++)
		if (!default_extension(exts->v[i].type) &&
		    !mlsc_u16_in(exts->v[i].type, c->extensions,
				 c->n_extensions))
			return false;
	for (size_t i = 0; req && i < req->n_extensions; i++)
		if (!default_extension(req->extensions[i]) &&
		    !mlsc_u16_in(req->extensions[i], c->extensions,
				 c->n_extensions))
			return false;
	for (size_t i = 0; req && i < req->n_proposals; i++)
		if (req->proposals[i] > MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS &&
		    !mlsc_u16_in(req->proposals[i], c->proposals,
				 c->n_proposals))
			return false;
	for (size_t i = 0; req && i < req->n_credentials; i++)
		if (!mlsc_u16_in(req->credentials[i], c->credentials,
				 c->n_credentials))
			return false;
	return true;
}

static int check_add(const struct mlsc_group_view *v,
		     const struct mlsc_key_package *kp,
		     const struct mlsc_required_caps *req)
{
	int err = mlsc_key_package_check(kp, v->suite->id, v->opts);

	if (err == -EPROTONOSUPPORT)
		return -EPROTO;
	if (err)
		return err;
	return leaf_supports(&kp->leaf_node, NULL, req) ? 0 : -EOPNOTSUPP;
}

static int check_update(const struct mlsc_group_view *v,
			const struct mlsc_resolved *r,
			const struct mlsc_required_caps *req)
{
	const struct mlsc_leaf_node *cur = mlsc_tree_leaf(v->tree, r->sender);
	const struct mlsc_leaf_node *l = &r->p.update;

	if (!cur || mlsc_slice_eq(&cur->encryption_key, &l->encryption_key))
		return -EPROTO;
	return mlsc_leaf_validate(v->suite->id, l, MLSC_LEAF_SOURCE_UPDATE,
				  &v->gc->group_id, r->sender, req, v->opts);
}

static int check_psk(const struct mlsc_group_view *v,
		     const struct mlsc_psk_id *id, bool reinit)
{
	if (id->psk_nonce.len != v->suite->nh)
		return -EPROTO;
	if (id->type == MLSC_PSK_EXTERNAL)
		return id->psk_id.len ? 0 : -EPROTO;
	if (id->type == MLSC_PSK_RESUMPTION)
		return id->usage == MLS_PSK_USAGE_APPLICATION ||
		       (reinit && id->usage == MLS_PSK_USAGE_REINIT) ?
		       0 : -EPROTO;
	return -EPROTO;
}

/* Every member supports the GroupContextExtensions' extensions. */
static int check_gce(const struct mlsc_group_view *v,
		     const struct mlsc_extensions *exts)
{
	struct mlsc_required_caps req;
	struct mlsc_arena arena;
	int err;

	mlsc_arena_init(&arena);
	err = mlsc_find_required_caps(exts, &arena, &req);
	if (err < 0) {
		err = -EPROTO;
		goto out;
	}
	err = 0;
	for (uint32_t i = 0; i < v->tree->n_leaves && !err; i++) {
		const struct mlsc_leaf_node *l = mlsc_tree_leaf(v->tree, i);

		if (l && !leaf_supports(l, exts, &req))
			err = -EOPNOTSUPP;
	}
out:
	mlsc_arena_free(&arena);
	return err;
}

static int check_one(const struct mlsc_group_view *v,
		     const struct mlsc_resolved *r,
		     const struct mlsc_required_caps *req, bool reinit)
{
	switch (r->p.type) {
	case MLSC_PROPOSAL_ADD:
		return check_add(v, &r->p.add, req);
	case MLSC_PROPOSAL_UPDATE:
		return check_update(v, r, req);
	case MLSC_PROPOSAL_REMOVE:
		return mlsc_tree_leaf(v->tree, r->p.remove) ? 0 : -EPROTO;
	case MLSC_PROPOSAL_PSK:
		return check_psk(v, &r->p.psk, reinit);
	case MLSC_PROPOSAL_REINIT:
		return r->p.reinit.version >= MLSC_VERSION_MLS10 &&
		       mlsc_suite_get(r->p.reinit.cipher_suite) ? 0 : -EPROTO;
	case MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS:
		return check_gce(v, &r->p.gce);
	default:
		/* ExternalInit: only in an external commit */
		return -EPROTO;
	}
}

/* ---- the list (§12.2) ------------------------------------------------- */

static bool psk_id_eq(const struct mlsc_psk_id *a,
		      const struct mlsc_psk_id *b)
{
	if (a->type != b->type || !mlsc_slice_eq(&a->psk_nonce, &b->psk_nonce))
		return false;
	if (a->type == MLSC_PSK_EXTERNAL)
		return mlsc_slice_eq(&a->psk_id, &b->psk_id);
	return a->usage == b->usage && a->psk_epoch == b->psk_epoch &&
	       mlsc_slice_eq(&a->psk_group_id, &b->psk_group_id);
}

/* The leaf an Update or Remove changes, or -1. */
static int64_t changed_leaf(const struct mlsc_resolved *r)
{
	if (r->p.type == MLSC_PROPOSAL_UPDATE)
		return r->sender;
	if (r->p.type == MLSC_PROPOSAL_REMOVE)
		return r->p.remove;
	return -1;
}

static int check_list(uint32_t committer, const struct mlsc_resolved *r,
		      size_t n, bool *path_required)
{
	size_t gce = 0, reinit = 0;

	*path_required = n == 0;
	for (size_t i = 0; i < n; i++) {
		const struct mlsc_proposal *p = &r[i].p;
		int64_t leaf = changed_leaf(&r[i]);

		/* §12.1.8: what a sender from outside may propose */
		if (r[i].outsider &&
		    !mlsc_sender_may_propose(r[i].outsider, p->type))
			return -EPROTO;
		switch (p->type) {
		case MLSC_PROPOSAL_UPDATE:
			if (r[i].sender == committer)
				return -EPROTO;
			*path_required = true;
			break;
		case MLSC_PROPOSAL_REMOVE:
			if (p->remove == committer)
				return -EPROTO;
			*path_required = true;
			break;
		case MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS:
			gce++;
			*path_required = true;
			break;
		case MLSC_PROPOSAL_REINIT:
			reinit++;
			break;
		case MLSC_PROPOSAL_EXTERNAL_INIT:
			return -EPROTO;
		}
		for (size_t j = 0; j < i; j++) {
			if (leaf >= 0 && changed_leaf(&r[j]) == leaf)
				return -EPROTO;
			if (p->type == MLSC_PROPOSAL_PSK &&
			    r[j].p.type == MLSC_PROPOSAL_PSK &&
			    psk_id_eq(&p->psk, &r[j].p.psk))
				return -EPROTO;
		}
	}
	if (gce > 1 || (reinit && n > 1))
		return -EPROTO;
	return 0;
}

static int validate(const struct mlsc_group_view *v, uint32_t committer,
		    const struct mlsc_resolved *r, size_t n,
		    bool *path_required, bool reinit)
{
	struct mlsc_required_caps req;
	struct mlsc_arena arena;
	int err;

	err = check_list(committer, r, n, path_required);
	if (err)
		return err;
	mlsc_arena_init(&arena);
	err = mlsc_find_required_caps(&v->gc->extensions, &arena, &req);
	if (err >= 0)
		err = 0;
	for (size_t i = 0; i < n && !err; i++)
		err = check_one(v, &r[i], &req, reinit);
	mlsc_arena_free(&arena);
	return err;
}

int mlsc_proposals_validate(const struct mlsc_group_view *v,
			    uint32_t committer,
			    const struct mlsc_resolved *r, size_t n,
			    bool *path_required)
{
	return validate(v, committer, r, n, path_required, false);
}

int mlsc_proposals_validate_reinit(const struct mlsc_group_view *v,
				   uint32_t committer,
				   const struct mlsc_resolved *r, size_t n,
				   bool *path_required)
{
	return validate(v, committer, r, n, path_required, true);
}

/* ---- keys ------------------------------------------------------------- */

static const struct mlsc_slice *enc_key(const struct mlsc_tree *t,
					uint32_t x)
{
	if (mlsc_tree_blank(t, x))
		return NULL;
	return mlsc_tm_is_leaf(x) ? &t->nodes[x].leaf.encryption_key :
				    &t->nodes[x].parent.encryption_key;
}

int mlsc_tree_keys_unique(const struct mlsc_tree *t)
{
	for (uint32_t x = 0; x < t->n_nodes; x++) {
		const struct mlsc_slice *k = enc_key(t, x);

		if (!k)
			continue;
		for (uint32_t y = x + 1; y < t->n_nodes; y++) {
			const struct mlsc_slice *o = enc_key(t, y);

			if (o && mlsc_slice_eq(k, o))
				return -EPROTO;
			if (o && mlsc_tm_is_leaf(x) && mlsc_tm_is_leaf(y) &&
			    mlsc_slice_eq(&t->nodes[x].leaf.signature_key,
					  &t->nodes[y].leaf.signature_key))
				return -EPROTO;
		}
	}
	return 0;
}

/* ---- an external commit's list (§12.2, §12.4.3.2) --------------------- */

int mlsc_proposals_validate_external(const struct mlsc_group_view *v,
				     const struct mlsc_commit *c,
				     const struct mlsc_leaf_node *leaf,
				     const struct mlsc_resolved *r)
{
	size_t inits = 0, removes = 0;
	int err = 0;

	for (size_t i = 0; i < c->n_proposals; i++) {
		/* a joiner cannot judge the group's proposals */
		if (c->proposals[i].type != MLSC_POR_PROPOSAL)
			return -EPROTO;
		switch (r[i].p.type) {
		case MLSC_PROPOSAL_EXTERNAL_INIT:
			if (r[i].p.external_init.len != v->suite->npk)
				return -EBADMSG;
			inits++;
			break;
		case MLSC_PROPOSAL_REMOVE:
			removes++;
			break;
		case MLSC_PROPOSAL_PSK:
			for (size_t j = 0; j < i; j++)
				if (r[j].p.type == MLSC_PROPOSAL_PSK &&
				    psk_id_eq(&r[i].p.psk, &r[j].p.psk))
					return -EPROTO;
			break;
		default:
			return -EPROTO;
		}
	}
	if (inits != 1 || removes > 1)
		return -EPROTO;
	for (size_t i = 0; i < c->n_proposals && !err; i++) {
		const struct mlsc_leaf_node *old;

		if (r[i].p.type == MLSC_PROPOSAL_PSK) {
			err = check_psk(v, &r[i].p.psk, false);
			continue;
		}
		if (r[i].p.type != MLSC_PROPOSAL_REMOVE)
			continue;
		/* a resync: the new leaf stands for the one removed */
		old = mlsc_tree_leaf(v->tree, r[i].p.remove);
		if (!old)
			return -EPROTO;
		/* §12.1.2 as for an Update of the removed leaf: a fresh key */
		if (mlsc_slice_eq(&old->encryption_key, &leaf->encryption_key))
			return -EPROTO;
		/* §12.2: the removed participant's, in the application's eyes */
		err = mlsc_same_member(&old->credential, &leaf->credential,
				       v->suite->id, v->opts);
	}
	return err;
}

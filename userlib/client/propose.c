// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A member's own Proposal (RFC 9420 §12.1): an Add, a Remove, an
 * external or resumption PreSharedKey (those by the checks of a Commit
 * by value, commit_send.c), a GroupContextExtensions or a ReInit,
 * checked as the Commit that carries it will be (§12.2),
 * signed over its FramedContentTBS and framed as a PublicMessage (the
 * kernel's membership tag) or a PrivateMessage (the kernel's
 * encryption), and kept under its ProposalRef in the member's own cache
 * so that it can commit it by reference like the members that receive
 * it. The specs are turned into proposals here for mlsc_commit_create()
 * too.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "frame.h"
#include "group.h"
#include "internal.h"
#include "keypkg.h"
#include "proposal.h"

#define MAX_SIG		256	/* the largest signature of a suite's scheme */

static int reinit_from_spec(const struct mlsc_reinit_spec *r,
			    struct mlsc_arena *arena, struct mlsc_reinit *out)
{
	struct mlsc_extensions *e = &out->extensions;

	if (!r->group_id || !r->group_id_len ||
	    r->group_id_len > MLS_MAX_GROUP_ID_LEN || r->reserved ||
	    (r->n_extensions && !r->extensions))
		return -EINVAL;
	if (r->version != MLSC_VERSION_MLS10 || !mlsc_suite_get(r->cipher_suite))
		return -EPROTONOSUPPORT;
	e->n = r->n_extensions;
	e->v = mlsc_arena_alloc(arena, (e->n ?: 1) * sizeof(*e->v));
	if (!e->v)
		return -ENOMEM;
	for (size_t i = 0; i < e->n; i++) {
		const struct mlsc_ext *x = &r->extensions[i];

		if (x->len && !x->data)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (e->v[j].type == x->type)
				return -EINVAL;
		e->v[i] = (struct mlsc_extension){ x->type, { x->data, x->len } };
	}
	out->group_id = (struct mlsc_slice){ r->group_id, r->group_id_len };
	out->version = r->version;
	out->cipher_suite = r->cipher_suite;
	return 0;
}

int mlsc_proposal_from_spec(const struct mlsc_group *g,
			    const struct mlsc_proposal_spec *p,
			    struct mlsc_arena *arena, struct mlsc_proposal *out)
{
	memset(out, 0, sizeof(*out));
	if (p->type != MLSC_PROPOSE_GCE && p->type != MLSC_PROPOSE_REINIT)
		return -EOPNOTSUPP;
	if (p->key_package || p->psk_id || p->psk_id_len || !p->psk)
		return -EINVAL;
	if (p->type == MLSC_PROPOSE_GCE) {
		const struct mlsc_gce_spec *x = p->psk;

		if (p->psk_len != sizeof(*x))
			return -EINVAL;
		out->type = MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS;
		return mlsc_extensions_take(x->extensions, x->n_extensions,
					    g->suite->id,
					    mlsc_tree_leaf(&g->tree, g->own_leaf),
					    arena, &out->gce);
	}
	if (p->psk_len != sizeof(struct mlsc_reinit_spec))
		return -EINVAL;
	out->type = MLSC_PROPOSAL_REINIT;
	return reinit_from_spec(p->psk, arena, &out->reinit);
}

/* What one Proposal message is built from. */
struct prop {
	struct mlsc_group *g;
	const struct mlsc_propose_args *a;
	const struct mlsc_validate_opts *vo;	/* NULL: basic, now */
	struct mlsc_arena arena;
	struct mlsc_group_context gc;
	struct {
		uint16_t wire_format;
		struct mlsc_framed_content fc;
		struct mlsc_auth_data auth;
	} in;
	struct mlsc_wbuf content;	/* the Proposal, encoded */
	uint8_t sig[MAX_SIG];
	size_t sig_len;
	struct mls_bytes tbs;
	struct mlsc_node_key update_sk;	/* an Update's (propose_update.c) */
};

/*
 * An Add, a Remove or a PreSharedKey (0.7) as a Commit by value takes
 * it, alone in its list (a PSK's value stays with the caller: the
 * committer gives it, as the receivers do); the others from their spec.
 */
static int from_spec(struct prop *b, struct mlsc_proposal *out)
{
	const struct mlsc_proposal_spec *p = b->a->proposal;
	struct mls_psk k;
	int err;

	memset(out, 0, sizeof(*out));
	switch (p->type) {
	case MLSC_PROPOSE_ADD:
		err = mlsc_spec_check_add(b->g, p, 0, b->vo);
		if (!err) {
			out->type = MLSC_PROPOSAL_ADD;
			out->add = p->key_package->kp;
		}
		return err;
	case MLSC_PROPOSE_REMOVE:
		out->type = MLSC_PROPOSAL_REMOVE;
		out->remove = p->leaf;
		return mlsc_spec_check_remove(b->g, p, 0);
	case MLSC_PROPOSE_PSK:
	case MLSC_PROPOSE_PSK_RESUMPTION:
		out->type = MLSC_PROPOSAL_PSK;
		err = mlsc_spec_check_psk(p, 0);
		/* @k, the kernel's entry, is the committer's to make */
		if (!err)
			err = mlsc_psk_from_spec(b->g->suite, p, &b->arena,
						 &out->psk, &k);
		return err;
	default:
		return mlsc_proposal_from_spec(b->g, p, &b->arena, out);
	}
}

/* The list of one, as the receivers of its Commit check it. */
static int check_as_receivers(struct prop *b)
{
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	struct mlsc_group_view v = {
		b->g->suite, &b->g->tree, &b->gc, b->vo ?: &now,
	};
	struct mlsc_resolved r = {
		.p = b->in.fc.proposal, .sender = b->g->own_leaf,
	};
	bool path;

	return mlsc_proposals_validate(&v, b->g->own_leaf, &r, 1, &path);
}

static int sign(struct prop *b)
{
	struct mlsc_slice content = { b->content.p, b->content.len };
	int err;

	b->sig_len = sizeof(b->sig);
	err = mlsc_frame_sign(b->g, b->in.wire_format, &b->in.fc, &content,
			      b->a->sig_key, &b->tbs, b->sig, &b->sig_len);
	b->in.auth.signature = (struct mlsc_slice){ b->sig, b->sig_len };
	return err;
}

static int frame(struct prop *b, struct mls_bytes *out)
{
	struct mlsc_frame_in in = {
		.wire_format = b->in.wire_format,
		.fc = &b->in.fc,
		.auth = &b->in.auth,
		.tbs = { b->tbs.data, b->tbs.len },
		.content = { b->content.p, b->content.len },
	};

	return mlsc_frame(b->g, &in, out);
}

/* AuthenticatedContent, which its ProposalRef hashes (§5.2). */
static int authenticated_content(struct prop *b, struct mlsc_wbuf *w)
{
	struct mlsc_io io;

	mlsc_io_writer(&io, w);
	mlsc_io_u16(&io, &b->in.wire_format);
	mlsc_io_framed_content(&io, &b->in.fc);
	mlsc_io_auth_data(&io, &b->in.auth, MLSC_CONTENT_PROPOSAL);
	return mlsc_io_finish(&io);
}

/* Its ProposalRef into @out->ref, and the proposal into the own cache. */
static int keep(struct prop *b, struct mlsc_proposal_out *out)
{
	const struct mlsc_suite *s = b->g->suite;
	uint8_t ref[MLSC_MAX_HASH];
	struct mlsc_wbuf ac = { 0 };
	int err;

	if (!b->g->cache) {
		b->g->cache = mlsc_calloc(1, sizeof(*b->g->cache));
		if (!b->g->cache)
			return -ENOMEM;
	}
	err = authenticated_content(b, &ac);
	if (!err)
		err = mlsc_proposal_ref(s, ac.p, ac.len, ref);
	mlsc_wbuf_free(&ac);
	if (!err)
		err = mlsc_bytes_dup(&out->ref, ref, s->nh);
	if (!err)
		err = mlsc_proposal_cache_add(b->g->cache, s->nh, b->gc.epoch,
					      ref, &b->in.fc.sender,
					      &b->in.fc.proposal);
	return err;
}

static int propose(struct prop *b, struct mlsc_proposal_out *out)
{
	struct mlsc_framed_content *fc = &b->in.fc;
	int err;

	err = MLSC_DECODE(b->g->context, b->g->context_len, &b->arena, &b->gc,
			  mlsc_io_group_context);
	if (!err && b->a->proposal->type == MLSC_PROPOSE_UPDATE)
		err = mlsc_update_from_spec(b->g, b->a->proposal,
					    b->a->sig_key, &b->gc, &b->arena,
					    &fc->proposal, &b->update_sk);
	else if (!err)
		err = from_spec(b, &fc->proposal) ?: check_as_receivers(b);
	if (!err)
		err = MLSC_ENCODE(&fc->proposal, mlsc_io_proposal, &b->content);
	if (err)
		return err;
	b->in.wire_format = (b->a->flags & MLSC_PROPOSE_F_PRIVATE) ?
			    MLSC_WIRE_PRIVATE_MESSAGE : MLSC_WIRE_PUBLIC_MESSAGE;
	mlsc_frame_header(b->g, &b->gc, b->a->authenticated_data,
			  b->a->authenticated_data_len, MLSC_CONTENT_PROPOSAL,
			  fc);
	err = sign(b);
	if (!err)
		err = frame(b, &out->message);
	if (!err)
		err = keep(b, out);
	if (!err && b->update_sk.len)
		err = mlsc_proposal_cache_set_key(b->g->cache, b->g->suite->nh,
						  b->gc.epoch, out->ref.data,
						  b->update_sk.sk,
						  b->update_sk.len);
	return err;
}

MLSC_EXPORT int mlsc_group_propose(struct mlsc_group *g,
				   const struct mlsc_propose_args *a,
				   struct mlsc_proposal_out *out)
{
	struct prop b;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!g || !a || !a->proposal || !a->sig_key || a->reserved ||
	    (a->flags & ~MLSC_PROPOSE_F_ALL) ||
	    (a->authenticated_data_len && !a->authenticated_data))
		return -EINVAL;
	err = mlsc_frame_may_send(g);
	if (err)
		return err;
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.a = a;
	if (a->flags & MLSC_PROPOSE_F_EXT)
		b.vo = ((const struct mlsc_propose_args_ext *)a)->validate;
	mlsc_arena_init(&b.arena);
	err = propose(&b, out);
	mlsc_wbuf_free(&b.content);
	mls_bytes_free(&b.tbs);
	mlsc_arena_free(&b.arena);
	OPENSSL_cleanse(&b.update_sk, sizeof(b.update_sk));
	if (err)
		mlsc_proposal_out_free(out);
	return err;
}

MLSC_EXPORT void mlsc_proposal_out_free(struct mlsc_proposal_out *out)
{
	if (!out)
		return;
	mls_bytes_free(&out->message);
	mls_bytes_free(&out->ref);
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The group a ReInit starts (RFC 9420 §11.2, §12.4.3.1): one member of
 * the ended group creates it with the ReInit's parameters and adds the
 * others in its first Commit, whose PreSharedKey proposal and Welcome
 * name a resumption PSK of usage reinit: the ended group's last epoch.
 * The kernel resolves that PSK from the ended group on both sides, so
 * the new group's key schedule depends on the old one's without its
 * resumption_psk ever reaching userspace. The joiners check the new
 * group against their own record of the ReInit.
 *
 * Creation and the Commit are mlsc_group_create() and
 * mlsc_commit_create()'s; only the reinit PSK goes through
 * mlsc_commit_create_reinit(). §11.2 ends "A PreSharedKey proposal with
 * type resumption and usage reinit MUST be considered invalid", while
 * §12.1.4 allows usage reinit "as part of a reinitialization": the
 * library reads §11.2 as of every Commit but the new group's first,
 * whose PSK §11.2 itself prescribes.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "group.h"
#include "internal.h"
#include "keypkg.h"
#include "reinit.h"
#include "wire.h"

/* @g's ReInit, decoded into @r (in @arena): 0, -ENOENT, -ENOMEM. */
static int reinit_of(const struct mlsc_group *g, struct mlsc_arena *arena,
		     struct mlsc_reinit *r)
{
	if (!g->reinit)
		return -ENOENT;
	return MLSC_DECODE(g->reinit, g->reinit_len, arena, r,
			   mlsc_io_reinit);
}

/* @g's GroupContext, decoded into @gc (in @arena). */
static int context_of(const struct mlsc_group *g, struct mlsc_arena *arena,
		      struct mlsc_group_context *gc)
{
	return MLSC_DECODE(g->context, g->context_len, arena, gc,
			   mlsc_io_group_context);
}

static bool is_reinit(const struct mlsc_psk_id *id)
{
	return id->type == MLSC_PSK_RESUMPTION &&
	       id->usage == MLS_PSK_USAGE_REINIT;
}

/* The PSKs §12.4.3.1 allows only once in a Welcome: reinit and branch. */
static bool is_reinit_or_branch(const struct mlsc_psk_id *id)
{
	return id->type == MLSC_PSK_RESUMPTION &&
	       (id->usage == MLS_PSK_USAGE_REINIT ||
		id->usage == MLS_PSK_USAGE_BRANCH);
}

int mlsc_reinit_psks_check(const struct mlsc_group *old,
			   const struct mlsc_psk_id *ids, size_t n,
			   bool *branch)
{
	const struct mlsc_psk_id *one = NULL;
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	size_t found = 0;
	int err;

	*branch = false;
	for (size_t i = 0; i < n; i++)
		if (is_reinit_or_branch(&ids[i]) && !found++)
			one = &ids[i];
	if (found > 1)
		return -EPROTO;
	if (!old) {
		/* a branch's Welcome: its epoch 1 is checked on the GroupInfo */
		if (one && is_reinit(one))
			return -EPROTO;
		*branch = one != NULL;
		return 0;
	}
	if (!old->reinit)
		return -ENOENT;
	if (!one || !is_reinit(one))
		return -EPROTO;
	mlsc_arena_init(&arena);
	err = context_of(old, &arena, &gc);
	if (!err && (one->psk_epoch != gc.epoch ||
		     !mlsc_slice_eq(&one->psk_group_id, &gc.group_id)))
		err = -EPROTO;
	mlsc_arena_free(&arena);
	return err;
}

/* Two extension lists the same, byte for byte as encoded. */
static int same_extensions(const struct mlsc_extensions *a,
			   const struct mlsc_extensions *b)
{
	struct mlsc_extensions x = *a, y = *b;
	struct mlsc_wbuf wa = { 0 }, wb = { 0 };
	int err;

	err = MLSC_ENCODE(&x, mlsc_io_extensions, &wa);
	if (!err)
		err = MLSC_ENCODE(&y, mlsc_io_extensions, &wb);
	if (!err && (wa.len != wb.len || memcmp(wa.p, wb.p, wa.len)))
		err = -EPROTO;
	mlsc_wbuf_free(&wa);
	mlsc_wbuf_free(&wb);
	return err;
}

int mlsc_reinit_context_check(const struct mlsc_group *old,
			      const struct mlsc_group_context *gc)
{
	struct mlsc_arena arena;
	struct mlsc_reinit r;
	int err;

	mlsc_arena_init(&arena);
	err = reinit_of(old, &arena, &r);
	if (!err && (gc->epoch != 1 || gc->version != r.version ||
		     gc->cipher_suite != r.cipher_suite ||
		     !mlsc_slice_eq(&gc->group_id, &r.group_id)))
		err = -EPROTO;
	if (!err)
		err = same_extensions(&gc->extensions, &r.extensions);
	mlsc_arena_free(&arena);
	return err;
}

/* ------------------------------------------------------ the starter */

/* The new group of @r, its creator's leaf from @a->own. */
static int create(int ctl_fd, const struct mlsc_reinit *r,
		  const struct mlsc_reinit_args *a, struct mlsc_group **out)
{
	struct mlsc_group_params_ext p = {
		.base = {
			.group_id = r->group_id.p,
			.group_id_len = r->group_id.len,
			.flags = a->group_flags | MLSC_GROUP_F_EXT,
			.mode = a->mode,
		},
	};
	struct mlsc_ext *x;
	int err;

	x = mlsc_calloc(r->extensions.n, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < r->extensions.n; i++)
		x[i] = (struct mlsc_ext){
			.type = r->extensions.v[i].type,
			.data = r->extensions.v[i].data.p,
			.len = r->extensions.v[i].data.len,
		};
	p.extensions = x;
	p.n_extensions = r->extensions.n;
	err = mlsc_group_create(ctl_fd, &p.base, a->own, out);
	free(x);
	return err;
}

/* The first Commit of @g: the Adds and the reinit PSK of @old's @epoch. */
static int first_commit(struct mlsc_group *g, const struct mlsc_group *old,
			uint64_t epoch, const struct mlsc_reinit_args *a,
			struct mlsc_commit_out *out)
{
	struct mlsc_resumption_psk psk = {
		.group_fd = old->gfd,
		.epoch = epoch,
	};
	struct mlsc_commit_args c = {
		.flags = a->commit_flags,
		.n_proposals = a->n_key_packages + 1,
		.sig_key = a->sig_key,
		.authenticated_data = a->authenticated_data,
		.authenticated_data_len = a->authenticated_data_len,
		.validate = a->validate,
	};
	struct mlsc_proposal_spec *v;
	int err;

	v = mlsc_calloc(c.n_proposals, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_key_packages; i++) {
		v[i].type = MLSC_PROPOSE_ADD;
		v[i].key_package = a->key_packages[i];
	}
	v[a->n_key_packages] = (struct mlsc_proposal_spec){
		.type = MLSC_PROPOSE_PSK_REINIT,
		.psk = &psk,
		.psk_len = sizeof(psk),
	};
	c.proposals = v;
	err = mlsc_commit_create_reinit(g, &c, out);
	free(v);
	return err;
}

/* @kp's private keys as they were in @was, before the group took them. */
static void restore_keys(struct mlsc_keypkg_priv *kp,
			 const struct mlsc_keypkg_priv *was)
{
	memcpy(kp->init_sk, was->init_sk, sizeof(kp->init_sk));
	kp->init_sk_len = was->init_sk_len;
	memcpy(kp->enc_sk, was->enc_sk, sizeof(kp->enc_sk));
	kp->enc_sk_len = was->enc_sk_len;
}

static bool args_valid(const struct mlsc_reinit_args *a)
{
	return a && a->own && a->sig_key && !a->reserved &&
	       !(a->group_flags & ~MLSC_JOIN_F_ALL) &&
	       !(a->commit_flags & ~MLSC_COMMIT_F_ALL) &&
	       (a->key_packages || !a->n_key_packages) &&
	       a->n_key_packages < SIZE_MAX / sizeof(struct mlsc_proposal_spec) &&
	       (a->authenticated_data || !a->authenticated_data_len);
}

MLSC_EXPORT int mlsc_reinit_create(int ctl_fd, const struct mlsc_group *old,
				   const struct mlsc_reinit_args *a,
				   struct mlsc_group **out,
				   struct mlsc_commit_out *commit)
{
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	struct mlsc_reinit r;
	struct mlsc_keypkg_priv keep = { 0 };
	struct mlsc_group *g = NULL;
	int err;

	if (!out || !commit)
		return -EINVAL;
	*out = NULL;
	memset(commit, 0, sizeof(*commit));
	if (!old || !args_valid(a))
		return -EINVAL;
	for (size_t i = 0; i < a->n_key_packages; i++)
		if (!a->key_packages[i])
			return -EINVAL;
	mlsc_arena_init(&arena);
	err = reinit_of(old, &arena, &r);
	if (!err)
		err = context_of(old, &arena, &gc);
	if (err)
		goto out;
	if (r.version != MLSC_VERSION_MLS10) {
		err = -EPROTONOSUPPORT;
		goto out;
	}
	if (a->own->suite != r.cipher_suite) {
		err = -EINVAL;
		goto out;
	}
	/* the group takes @a->own's keys: back to it if the Commit fails */
	keep = *a->own;
	err = create(ctl_fd, &r, a, &g);
	if (err)
		goto out;
	err = first_commit(g, old, gc.epoch, a, commit);
	if (err) {
		mls_group_destroy(g->gfd);
		mlsc_group_free(g);
		restore_keys(a->own, &keep);
		goto out;
	}
	*out = g;
out:
	OPENSSL_cleanse(&keep, sizeof(keep));
	mlsc_arena_free(&arena);
	return err;
}

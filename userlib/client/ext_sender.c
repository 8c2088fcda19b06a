// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The external_senders extension (RFC 9420 §12.1.8.1) and which sender
 * type may propose what (§12.1.8, the "External" column of the
 * proposal types registry, §17.4).
 */
#include "internal.h"
#include "ext_sender.h"
#include "group_info.h"
#include "leaf.h"
#include "proposal.h"

void mlsc_io_external_sender(struct mlsc_io *io,
			     struct mlsc_external_sender *s)
{
	mlsc_io_opaque(io, &s->signature_key);
	mlsc_io_credential(io, &s->credential);
}

struct sender_list {
	struct mlsc_external_sender *v;
	size_t n;
};

static void io_sender_list(struct mlsc_io *io, struct sender_list *l)
{
	mlsc_io_array(io, &l->v, &l->n, mlsc_io_external_sender);
}

int mlsc_external_senders_parse(const struct mlsc_slice *data,
				struct mlsc_arena *arena,
				struct mlsc_external_sender **v, size_t *n)
{
	struct sender_list l;
	int err;

	err = MLSC_DECODE(data->p, data->len, arena, &l, io_sender_list);
	if (err)
		return err == -ENOMEM ? err : -EBADMSG;
	*v = l.v;
	*n = l.n;
	return 0;
}

int mlsc_external_sender_key(const struct mlsc_extensions *exts,
			     uint32_t index, struct mlsc_arena *arena,
			     struct mlsc_slice *key)
{
	const struct mlsc_extension *e;
	struct mlsc_external_sender *v;
	size_t n;
	int err;

	err = mlsc_find_extension(exts, MLSC_EXT_EXTERNAL_SENDERS, &e);
	if (err == -ENODATA)
		return -ERANGE;
	if (!err)
		err = mlsc_external_senders_parse(&e->data, arena, &v, &n);
	if (err)
		return err;
	if (index >= n)
		return -ERANGE;
	*key = v[index].signature_key;
	return 0;
}

int mlsc_external_senders_check(const struct mlsc_extensions *exts,
				 uint16_t suite,
				 const struct mlsc_validate_opts *opts)
{
	const struct mlsc_extension *e;
	struct mlsc_external_sender *v;
	struct mlsc_arena arena;
	size_t n;
	int err;

	if (!exts)
		return 0;
	err = mlsc_find_extension(exts, MLSC_EXT_EXTERNAL_SENDERS, &e);
	if (err)
		return err == -ENODATA ? 0 : err;
	mlsc_arena_init(&arena);
	err = mlsc_external_senders_parse(&e->data, &arena, &v, &n);
	for (size_t i = 0; !err && i < n; i++)
		err = mlsc_credential_check(&v[i].credential,
					    &v[i].signature_key, suite, opts);
	mlsc_arena_free(&arena);
	return err;
}

int mlsc_gce_senders_check(const struct mlsc_group_view *v, uint32_t self,
			   const struct mlsc_resolved *r, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		if (r[i].p.type != MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS)
			continue;
		/* this member's own choice, as a creator's */
		if (!r[i].outsider && r[i].sender == self)
			continue;
		err = mlsc_external_senders_check(&r[i].p.gce, v->suite->id,
						  v->opts);
	}
	return err == -EBADMSG ? -EPROTO : err;
}

bool mlsc_sender_may_propose(uint8_t sender_type, uint16_t proposal_type)
{
	switch (sender_type) {
	case MLSC_SENDER_MEMBER:
		return proposal_type != MLSC_PROPOSAL_EXTERNAL_INIT;
	case MLSC_SENDER_EXTERNAL:
		return proposal_type == MLSC_PROPOSAL_ADD ||
		       proposal_type == MLSC_PROPOSAL_REMOVE ||
		       proposal_type == MLSC_PROPOSAL_PSK ||
		       proposal_type == MLSC_PROPOSAL_REINIT ||
		       proposal_type == MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS;
	case MLSC_SENDER_NEW_MEMBER_PROPOSAL:
		return proposal_type == MLSC_PROPOSAL_ADD;
	default:
		return false;
	}
}

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A group ended by a ReInit (RFC 9420 §11.2, §12.1.5): the Commit that
 * carries it, once merged, leaves its parameters with the member, and
 * the member makes no more proposals or commits in this group. The
 * application starts the new group from them.
 */
#include <string.h>

#include "group.h"
#include "internal.h"
#include "wire.h"

int mlsc_reinit_encode(const struct mlsc_reinit *r, uint8_t **out,
		       size_t *len)
{
	struct mlsc_reinit copy = *r;
	struct mlsc_wbuf w = { 0 };
	int err;

	err = MLSC_ENCODE(&copy, mlsc_io_reinit, &w);
	if (err)
		return err;
	*out = w.p;
	*len = w.len;
	return 0;
}

MLSC_EXPORT int mlsc_group_reinit(const struct mlsc_group *g,
				  struct mlsc_reinit_params *out)
{
	struct mlsc_wbuf w = { 0 };
	struct mlsc_reinit r;
	struct mlsc_arena arena;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!g)
		return -EINVAL;
	if (!g->reinit)
		return -ENOENT;
	mlsc_arena_init(&arena);
	err = MLSC_DECODE(g->reinit, g->reinit_len, &arena, &r,
			  mlsc_io_reinit);
	if (!err)
		err = MLSC_ENCODE(&r.extensions, mlsc_io_extensions, &w);
	if (!err)
		err = mlsc_bytes_dup(&out->group_id, r.group_id.p,
				     r.group_id.len);
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, &out->extensions);
	if (!err) {
		out->version = r.version;
		out->cipher_suite = r.cipher_suite;
	} else {
		mlsc_reinit_params_free(out);
	}
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	return err;
}

MLSC_EXPORT void mlsc_reinit_params_free(struct mlsc_reinit_params *p)
{
	if (!p)
		return;
	mls_bytes_free(&p->group_id);
	mls_bytes_free(&p->extensions);
	memset(p, 0, sizeof(*p));
}

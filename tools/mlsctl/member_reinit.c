// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl member: a group ended by a ReInit (RFC 9420 §11.2). The state
 * file (mlsc_group_save()) does not hold the ReInit, and the member must
 * not go on in that group in a later run: the ReInit struct is kept in
 * STATE.reinit, written when its Commit is merged or processed.
 */
#include "member.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *reinit_path(const char *state)
{
	char *p;

	return asprintf(&p, "%s.reinit", state) < 0 ? NULL : p;
}

bool ended(const char *state)
{
	char *p = reinit_path(state);
	bool r = p && access(p, F_OK) == 0;

	free(p);
	return r;
}

/*
 * Written before the state, which a crash between both leaves in the
 * epoch before: the next load then fails rather than forgets the ReInit.
 */
int mark_ended(struct member *m, bool *done)
{
	struct mlsc_reinit_params rp;
	struct mls_bytes b = { 0 };
	char *p;
	int r;

	*done = false;
	r = mlsc_group_reinit(m->g, &rp);
	if (r == -ENOENT)
		return EXIT_OK;
	if (!r)
		r = reinit_encode(&rp, &b);
	mlsc_reinit_params_free(&rp);
	p = r ? NULL : reinit_path(m->path);
	if (!r && !p)
		r = -ENOMEM;
	if (!r)
		r = write_private_atomic(p, b.data, b.len);
	mls_bytes_free(&b);
	if (r) {
		r = op_error(r, "reinit %s", p ? p : m->path);
		free(p);
		return r;
	}
	free(p);
	*done = true;
	return EXIT_OK;
}

int reinit_suite_check(const struct mlsc_group *old, const char *what,
		       const char *path, int suite)
{
	struct mlsc_reinit_params rp;
	int r = mlsc_group_reinit(old, &rp);

	if (r)
		return op_error(r, "reinit");
	r = suite == rp.cipher_suite ? EXIT_OK :
	    op_error(-EINVAL, "%s %s: a KeyPackage of suite %d, not of the "
		     "ReInit's suite %u", what, path, suite, rp.cipher_suite);
	mlsc_reinit_params_free(&rp);
	return r;
}

int reinit_show(const struct mlsctl_opts *o, const char *state)
{
	struct mls_bytes b = { 0 };
	struct reinit_view v;
	char *path;
	int r;

	if (access(state, F_OK))
		return op_error(-errno, "state %s", state);
	path = reinit_path(state);
	if (!path)
		return op_error(-ENOMEM, "member reinit");
	r = read_file(path, MEMBER_MSG_MAX, &b);
	if (r == -ENOENT)
		r = op_error(r, "member reinit: no ReInit ended the group of %s",
			     state);
	else if (r)
		r = op_error(r, "%s", path);
	else if (reinit_decode(&b, &v))
		r = op_error(-EBADMSG, "%s: not a ReInit", path);
	free(path);
	if (r) {
		mls_bytes_free(&b);
		return r;
	}
	if (o->json) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_hex(&w, "group_id", v.group_id, v.group_id_len);
		jw_u64(&w, "version", v.version);
		jw_u64(&w, "suite", v.cipher_suite);
		jw_hex(&w, "extensions", v.extensions, v.extensions_len);
		jw_obj_end(&w);
	} else {
		printf("group-id ");
		print_hex(stdout, v.group_id, v.group_id_len);
		printf(" version %u suite %u extensions ", v.version,
		       v.cipher_suite);
		print_hex(stdout, v.extensions, v.extensions_len);
		putchar('\n');
	}
	mls_bytes_free(&b);
	return EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * What the client's VM tests share: the passive-client-*.json cases
 * read and joined through the kernel, counts of groups and fds, and
 * members made, joined and released.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sanitizer/lsan_interface.h>

#include "client_util.h"
#include "group.h"
#include "keypkg.h"

/* The open fds of this process. */
int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own */
}

long group_count(int ctl)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	int err = mls_group_list(ctl, &ids, &n);

	free(ids);
	return err ? err : (long)n;
}


void case_free(struct join_case *c)
{
	bytes_free(&c->kp);
	bytes_free(&c->init_priv);
	bytes_free(&c->enc_priv);
	bytes_free(&c->welcome);
	bytes_free(&c->tree);
	bytes_free(&c->auth);
	for (size_t i = 0; i < c->n_psks; i++) {
		bytes_free(&c->psk_id[i]);
		bytes_free(&c->psk[i]);
	}
	memset(c, 0, sizeof(*c));
}

/* A passive-client-welcome.json case. */
int passive_case(json_t *v, struct join_case *c)
{
	json_t *psks = json_object_get(v, "external_psks");
	json_t *tree = json_object_get(v, "ratchet_tree");
	uint64_t suite;

	memset(c, 0, sizeof(*c));
	if (vec_get_u64(v, "cipher_suite", &suite) ||
	    vec_get_hex(v, "key_package", &c->kp) ||
	    vec_get_hex(v, "init_priv", &c->init_priv) ||
	    vec_get_hex(v, "encryption_priv", &c->enc_priv) ||
	    vec_get_hex(v, "welcome", &c->welcome) ||
	    vec_get_hex(v, "initial_epoch_authenticator", &c->auth) ||
	    !json_is_array(psks) || json_array_size(psks) > 8)
		return -1;
	c->suite = (unsigned int)suite;
	if (!json_is_null(tree) && vec_get_hex(v, "ratchet_tree", &c->tree))
		return -1;
	for (size_t i = 0; i < json_array_size(psks); i++) {
		json_t *p = json_array_get(psks, i);

		c->n_psks++;
		if (vec_get_hex(p, "psk_id", &c->psk_id[i]) ||
		    vec_get_hex(p, "psk", &c->psk[i]))
			return -1;
		c->psks[i] = (struct mlsc_psk){
			.type = MLS_PSK_EXTERNAL,
			.id = c->psk_id[i].data, .id_len = c->psk_id[i].len,
			.secret = c->psk[i].data, .secret_len = c->psk[i].len,
		};
	}
	return 0;
}

struct mlsc_welcome_keys case_keys(const struct join_case *c)
{
	return (struct mlsc_welcome_keys){
		.key_package = c->kp.data, .key_package_len = c->kp.len,
		.init_priv = c->init_priv.data,
		.init_priv_len = c->init_priv.len,
		.psks = c->psks, .n_psks = c->n_psks,
	};
}

/*
 * The vectors' leaves have the lifetimes of the day they were made, past
 * by now: lifetimes are not what these tests judge (keypkg_test does).
 */
const struct mlsc_validate_opts vector_opts = {
	.flags = MLSC_VALIDATE_NO_LIFETIME,
};

struct mlsc_join_args case_args(const struct join_case *c)
{
	return (struct mlsc_join_args){
		.validate = &vector_opts,
		.flags = MLSC_JOIN_F_EPHEMERAL,
		.ratchet_tree = c->tree.data, .ratchet_tree_len = c->tree.len,
		.encryption_priv = c->enc_priv.data,
		.encryption_priv_len = c->enc_priv.len,
	};
}

/*
 * Open and join @welcome with @c's keys: 0 with *@g set, or the first
 * -errno. Nothing of a failed attempt stays.
 */
int join(int ctl, const struct join_case *c, const uint8_t *welcome,
		size_t len, const struct mlsc_join_args *args,
		struct mlsc_group **g)
{
	struct mlsc_welcome_keys k = case_keys(c);
	struct mlsc_joiner *w = NULL;
	int err;

	*g = NULL;
	err = mlsc_welcome_open(ctl, welcome, len, &k, &w);
	if (!err)
		err = mlsc_welcome_join(w, args, g);
	mlsc_welcome_free(w);
	return err;
}

/* The group's epoch_authenticator is @c's initial one. */
int auth_ok(const struct mlsc_group *g, const struct join_case *c)
{
	uint8_t auth[64];
	size_t len = sizeof(auth);

	if (mls_epoch_authenticator(mlsc_group_fd(g), auth, &len, NULL))
		return 0;
	return len == c->auth.len && !memcmp(auth, c->auth.data, len);
}

int leaks(void)
{
	return __lsan_do_recoverable_leak_check();
}

/* ---- members ------------------------------------------------------------ */

int member_new(unsigned int suite, const char *name, struct member *m)
{
	return member_new_ext(suite, name, NULL, 0, m);
}

int member_new_ext(unsigned int suite, const char *name,
		   const uint16_t *ext_types, size_t n_ext_types,
		   struct member *m)
{
	uint64_t now = (uint64_t)time(NULL);
	struct mlsc_keypkg_params p = {
		.cipher_suite = (uint16_t)suite,
		.credential = {
			.type = MLS_CREDENTIAL_BASIC,
			.identity = name, .identity_len = strlen(name),
		},
		.not_before = now - 3600, .not_after = now + 86400,
		.extension_types = ext_types, .n_extension_types = n_ext_types,
	};
	int err;

	memset(m, 0, sizeof(*m));
	m->suite = suite;
	err = mls_sig_key_generate(suite, &m->sig);
	if (!err)
		err = mlsc_keypkg_create(&p, m->sig, &m->kp_msg, &m->priv);
	if (!err)
		err = mlsc_keypkg_parse(m->kp_msg.data, m->kp_msg.len, &m->kp);
	return err;
}

void member_free(struct member *m)
{
	if (m->g)
		mls_group_destroy(mlsc_group_fd(m->g));
	mlsc_group_free(m->g);
	mlsc_keypkg_free(m->kp);
	mlsc_keypkg_priv_free(m->priv);
	mls_bytes_free(&m->kp_msg);
	mls_sig_key_free(m->sig);
	memset(m, 0, sizeof(*m));
}

/* Join @m from @welcome (and @tree when not in it), with @psks. */
int member_join(int ctl, struct member *m, const struct mls_bytes *welcome,
		const struct mls_bytes *tree, const struct mlsc_psk *psks,
		size_t n_psks)
{
	return member_join_judged(ctl, m, welcome, tree, psks, n_psks, NULL);
}

int member_join_judged(int ctl, struct member *m,
		       const struct mls_bytes *welcome,
		       const struct mls_bytes *tree,
		       const struct mlsc_psk *psks, size_t n_psks,
		       const struct mlsc_validate_opts *vo)
{
	struct mlsc_welcome_keys k = {
		.key_package = m->kp_msg.data,
		.key_package_len = m->kp_msg.len,
		.init_priv = m->priv->init_sk,
		.init_priv_len = m->priv->init_sk_len,
		.psks = psks, .n_psks = n_psks,
	};
	struct mlsc_join_args a = {
		.flags = MLSC_JOIN_F_EPHEMERAL,
		.encryption_priv = m->priv->enc_sk,
		.encryption_priv_len = m->priv->enc_sk_len,
		.ratchet_tree = tree ? tree->data : NULL,
		.ratchet_tree_len = tree ? tree->len : 0,
		.validate = vo,
	};
	struct mlsc_joiner *w = NULL;
	int err;

	err = mlsc_welcome_open(ctl, welcome->data, welcome->len, &k, &w);
	if (!err)
		err = mlsc_welcome_join(w, &a, &m->g);
	mlsc_welcome_free(w);
	return err;
}

uint64_t kernel_epoch(const struct mlsc_group *g)
{
	uint8_t auth[64];
	size_t len = sizeof(auth);
	uint64_t epoch = UINT64_MAX;

	if (mls_epoch_authenticator(mlsc_group_fd(g), auth, &len, &epoch))
		return UINT64_MAX;
	return epoch;
}

bool nothing_pending(const struct mlsc_group *g)
{
	uint64_t e = kernel_epoch(g);

	return mls_commit_discard(mlsc_group_fd(g), e + 1) == -ENOENT &&
	       mls_commit_merge(mlsc_group_fd(g), e + 1) == -ENOENT;
}

int group_mark(const struct mlsc_group *g, struct group_mark *m)
{
	if (g->context_len > sizeof(m->ctx))
		return -ENOSPC;
	m->epoch = (uint64_t)mlsc_group_epoch(g);
	m->ctx_len = g->context_len;
	memcpy(m->ctx, g->context, g->context_len);
	return 0;
}

bool group_unchanged(const struct mlsc_group *g, const struct group_mark *m)
{
	return (uint64_t)mlsc_group_epoch(g) == m->epoch &&
	       kernel_epoch(g) == m->epoch && nothing_pending(g) &&
	       g->context_len == m->ctx_len &&
	       !memcmp(g->context, m->ctx, m->ctx_len);
}

bool same_authenticator(const struct mlsc_group *a,
			const struct mlsc_group *b)
{
	uint8_t x[64], y[64];
	size_t xl = sizeof(x), yl = sizeof(y);
	uint64_t ex, ey;

	if (mls_epoch_authenticator(mlsc_group_fd(a), x, &xl, &ex) ||
	    mls_epoch_authenticator(mlsc_group_fd(b), y, &yl, &ey))
		return false;
	return ex == ey && xl == yl && !memcmp(x, y, xl);
}

int talk_to(struct member *from, struct member *to, const char *text)
{
	struct mls_sent sent = { 0 };
	struct mlsc_processed p;
	int err;

	memset(&p, 0, sizeof(p));
	err = mls_send(mlsc_group_fd(from->g), from->sig, text, strlen(text),
		       "ad", 2, &sent);
	if (!err)
		err = mlsc_group_process(to->g, sent.message.data,
					 sent.message.len, NULL, &p);
	if (!err && (p.content_type != MLS_CONTENT_APPLICATION ||
		     p.sender_leaf != mlsc_group_own_leaf(from->g) ||
		     p.epoch != sent.epoch ||
		     p.epoch != kernel_epoch(to->g) ||
		     p.data.len != strlen(text) ||
		     memcmp(p.data.data, text, p.data.len) ||
		     p.authenticated_data.len != 2 ||
		     memcmp(p.authenticated_data.data, "ad", 2)))
		err = -EPROTO;
	mlsc_processed_free(&p);
	mls_bytes_free(&sent.message);
	return err;
}

int follow_commit(struct member *m, const struct mls_bytes *msg,
		  const struct mlsc_process_opts *opts, int64_t sender,
		  uint64_t epoch, uint32_t *flags)
{
	struct mlsc_processed p;
	int err;

	memset(&p, 0xa5, sizeof(p));
	err = mlsc_group_process(m->g, msg->data, msg->len, opts, &p);
	if (!err && (p.content_type != MLS_CONTENT_COMMIT ||
		     p.epoch != epoch || p.sender_leaf != sender))
		err = -EPROTO;
	if (flags)
		*flags = err ? UINT32_MAX : p.flags;
	if (!err)
		mlsc_processed_free(&p);
	return err;
}

int accept_any(void *arg, const struct mlsc_cred *cred, const void *sig_key,
	       size_t sig_key_len, uint16_t suite)
{
	(void)arg;
	(void)cred;
	(void)sig_key;
	(void)sig_key_len;
	(void)suite;
	return 0;
}

static const uint8_t psk_id[] = "an external psk";
static const uint8_t psk_value[] = "its value, shared beforehand";
/* The external PSK as the followers are given it, and as proposed. */
const struct mlsc_psk ext_psk = {
	.type = MLS_PSK_EXTERNAL,
	.id = psk_id, .id_len = sizeof(psk_id),
	.secret = psk_value, .secret_len = sizeof(psk_value),
};
const struct mlsc_proposal_spec psk_proposal = {
	.type = MLSC_PROPOSE_PSK,
	.psk_id = psk_id, .psk_id_len = sizeof(psk_id),
	.psk = psk_value, .psk_len = sizeof(psk_value),
};

/* Alice's group of one, for suite @suite. */
int member_create(int ctl, struct member *alice, unsigned int suite)
{
	char gid[32];
	struct mlsc_group_params p = { .flags = MLSC_JOIN_F_EPHEMERAL };
	int err = member_new(suite, "alice", alice);

	snprintf(gid, sizeof(gid), "group of suite %u", suite);
	p.group_id = gid;
	p.group_id_len = strlen(gid);
	if (!err)
		err = mlsc_group_create(ctl, &p, alice->priv, &alice->g);
	return err;
}

int member_add(int ctl, struct member *alice, struct member *bob)
{
	struct mlsc_proposal_spec add = {
		.type = MLSC_PROPOSE_ADD, .key_package = bob->kp,
	};
	struct mlsc_commit_args ca = {
		.flags = MLSC_COMMIT_F_RATCHET_TREE, .sig_key = alice->sig,
		.proposals = &add, .n_proposals = 1,
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	err = mlsc_commit_create(alice->g, &ca, &out);
	if (!err)
		err = mlsc_commit_merge(alice->g);
	if (!err)
		err = member_join(ctl, bob, &out.welcome, NULL, NULL, 0);
	mlsc_commit_out_free(&out);
	return err;
}

int alice_and_bob(int ctl, unsigned int suite, struct member *alice,
		  struct member *bob)
{
	int err;

	err = member_create(ctl, alice, suite);
	if (!err)
		err = member_new(suite, "bob", bob);
	return err ? err : member_add(ctl, alice, bob);
}

int commit_merged(struct member *m, const struct mlsc_proposal_spec *spec,
		  size_t n_spec, const struct mls_bytes *refs, size_t n_refs,
		  struct mlsc_commit_out *out)
{
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT, .sig_key = m->sig,
			.proposals = spec, .n_proposals = n_spec,
		},
		.proposal_refs = refs, .n_proposal_refs = n_refs,
	};
	int err = mlsc_commit_create(m->g, &x.base, out);

	return err ? err : mlsc_commit_merge(m->g);
}

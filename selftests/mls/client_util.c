// SPDX-License-Identifier: GPL-2.0
/*
 * What the client's VM tests share: the passive-client-*.json cases
 * read and joined through the kernel, and counts of groups and fds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/lsan_interface.h>

#include "client_util.h"

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


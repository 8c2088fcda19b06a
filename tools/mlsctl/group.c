// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl group: create, join, list, show, commit, set, destroy,
 * export-secret, authenticator, context.
 *
 * A group lives in the kernel until destroyed, not as long as mlsctl:
 * create and join print its kernel id, and the other commands take it.
 */
#include "mlsctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define GROUP_ID_DEFAULT_LEN	16

/* Buffers given on the command line, freed by args_free(). */
struct context_args {
	bool has_epoch, has_leaf, has_leaves;
	uint64_t epoch;
	uint32_t leaf, leaves;
	struct mls_bytes tree_hash, transcript_hash, extensions, occupied;
};

/* Secrets: where to read them (never their value on the command line). */
struct secret_args {
	const char *init, *commit, *psk, *joiner, *encryption, *sender_data;
	uint8_t init_v[MLS_MAX_HASH_LEN], commit_v[MLS_MAX_HASH_LEN];
	uint8_t psk_v[MLS_MAX_HASH_LEN], joiner_v[MLS_MAX_HASH_LEN];
	uint8_t encryption_v[MLS_MAX_HASH_LEN], sender_data_v[MLS_MAX_HASH_LEN];
};

static void context_free(struct context_args *c)
{
	mls_bytes_free(&c->tree_hash);
	mls_bytes_free(&c->transcript_hash);
	mls_bytes_free(&c->extensions);
	mls_bytes_free(&c->occupied);
}

static void secrets_wipe(struct secret_args *s)
{
	explicit_bzero(s, sizeof(*s));
}

static bool hex_arg(const char *name, const char *value, struct mls_bytes *b)
{
	mls_bytes_free(b);
	if (parse_hex(value, b))
		return true;
	usage_error("%s: \"%s\" is not hex", name, value);
	return false;
}

/*
 * One word (and its value) of the GroupContext and roster: 1 if it was
 * one, 0 if not, -1 on error (message printed).
 */
static int context_word(struct context_args *c, int argc, char **argv, int *i)
{
	const char *w = argv[*i];

	if (strcmp(w, "epoch") == 0) {
		if (!arg_next(argc, argv, i))
			return -1;
		if (!parse_u64(argv[*i], &c->epoch))
			return usage_error("epoch: bad number \"%s\"", argv[*i]), -1;
		c->has_epoch = true;
	} else if (strcmp(w, "leaf") == 0) {
		if (!arg_next(argc, argv, i))
			return -1;
		if (!parse_u32(argv[*i], &c->leaf))
			return usage_error("leaf: bad number \"%s\"", argv[*i]), -1;
		c->has_leaf = true;
	} else if (strcmp(w, "leaves") == 0) {
		if (!arg_next(argc, argv, i))
			return -1;
		if (!parse_u32(argv[*i], &c->leaves))
			return usage_error("leaves: bad number \"%s\"", argv[*i]), -1;
		c->has_leaves = true;
	} else if (strcmp(w, "tree-hash") == 0) {
		if (!arg_next(argc, argv, i) || !hex_arg(w, argv[*i], &c->tree_hash))
			return -1;
	} else if (strcmp(w, "transcript-hash") == 0) {
		if (!arg_next(argc, argv, i) ||
		    !hex_arg(w, argv[*i], &c->transcript_hash))
			return -1;
	} else if (strcmp(w, "extensions") == 0) {
		if (!arg_next(argc, argv, i) || !hex_arg(w, argv[*i], &c->extensions))
			return -1;
	} else if (strcmp(w, "occupied") == 0) {
		if (!arg_next(argc, argv, i) || !hex_arg(w, argv[*i], &c->occupied))
			return -1;
	} else {
		return 0;
	}
	return 1;
}

/* One secret-file word: 1 if it was one, 0 if not, -1 on error. */
static int secret_word(struct secret_args *s, int argc, char **argv, int *i)
{
	static const char *const names[] = {
		"init-secret", "commit-secret", "psk-secret", "joiner-secret",
		"encryption-secret", "sender-data-secret",
	};
	const char **slots[] = {
		&s->init, &s->commit, &s->psk, &s->joiner, &s->encryption,
		&s->sender_data,
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(names); k++) {
		if (strcmp(argv[*i], names[k]))
			continue;
		if (!arg_next(argc, argv, i))
			return -1;
		*slots[k] = argv[*i];
		return 1;
	}
	return 0;
}

/* Read each secret named, Nh bytes; EXIT_OK or EXIT_USAGE. */
static int secrets_read(struct secret_args *s, size_t nh)
{
	struct {
		const char *what, *path;
		uint8_t *out;
	} t[] = {
		{ "init-secret", s->init, s->init_v },
		{ "commit-secret", s->commit, s->commit_v },
		{ "psk-secret", s->psk, s->psk_v },
		{ "joiner-secret", s->joiner, s->joiner_v },
		{ "encryption-secret", s->encryption, s->encryption_v },
		{ "sender-data-secret", s->sender_data, s->sender_data_v },
	};
	int stdin_users = 0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(t); k++)
		stdin_users += t[k].path && strcmp(t[k].path, "-") == 0;
	if (stdin_users > 1)
		return usage_error("only one secret can come from stdin (\"-\")");
	for (k = 0; k < ARRAY_SIZE(t); k++)
		if (t[k].path && read_secret(t[k].what, t[k].path, nh, t[k].out))
			return EXIT_USAGE;
	return EXIT_OK;
}

static void secret_buf(struct mls_buf *b, const char *path, const uint8_t *v,
		       size_t nh)
{
	mls_buf_set(b, path ? v : NULL, path ? nh : 0);
}

static void context_fill(struct mls_group_context *gc, const struct context_args *c)
{
	gc->epoch = c->epoch;
	mls_buf_set(&gc->tree_hash, c->tree_hash.data, c->tree_hash.len);
	mls_buf_set(&gc->confirmed_transcript_hash, c->transcript_hash.data,
		    c->transcript_hash.len);
	mls_buf_set(&gc->extensions, c->extensions.data, c->extensions.len);
}

static void roster_fill(struct mls_roster *r, const struct context_args *c)
{
	r->own_leaf = c->leaf;
	r->leaf_count = c->leaves;
	mls_buf_set(&r->occupied, c->occupied.data, c->occupied.len);
}

static void print_created(const struct mlsctl_opts *o, uint32_t id)
{
	struct jw w;

	if (!o->json) {
		printf("%" PRIu32 "\n", id);
		return;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "id", id);
	jw_obj_end(&w);
}

/* ------------------------------------------------------ create and join */

static const char usage_create[] =
	"[suite N] [group-id HEX] [mode MODE] [ephemeral]\n"
	"        [epoch N] [leaf N] [leaves N] [occupied HEX]\n"
	"        [tree-hash HEX] [transcript-hash HEX] [extensions HEX]\n"
	"        [init-secret FILE [commit-secret FILE] [psk-secret FILE]]\n"
	"        [encryption-secret FILE sender-data-secret FILE]\n"
	"\n"
	"Creates a group and prints its kernel id. By default this member is\n"
	"leaf 0 of one leaf at epoch 0 with a random epoch secret (RFC 9420\n"
	"section 11), suite 1, a random 16-byte group-id, mode 0600.\n"
	"init-secret runs the key schedule from the given inputs; encryption-\n"
	"and sender-data-secret install an epoch's secrets directly. Secrets\n"
	"are read from FILE (\"-\": stdin), raw or hex. ephemeral: the group\n"
	"dies with its last descriptor, that is when mlsctl exits.\n";

static const char usage_join[] =
	"suite N group-id HEX joiner-secret FILE [psk-secret FILE]\n"
	"        epoch N leaf N leaves N [occupied HEX]\n"
	"        [tree-hash HEX] [transcript-hash HEX] [extensions HEX]\n"
	"        [mode MODE] [ephemeral]\n"
	"\n"
	"Joins a group from the joiner_secret of a Welcome (read from FILE,\n"
	"raw or hex) and the new epoch's GroupContext, as leaf N of the\n"
	"roster; prints the new group's kernel id.\n";

struct new_args {
	uint32_t suite, mode;
	bool ephemeral;
	struct mls_bytes group_id;
	struct context_args ctx;
	struct secret_args sec;
};

static int parse_new(struct new_args *a, int argc, char **argv)
{
	int i, r;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		r = context_word(&a->ctx, argc, argv, &i);
		if (!r)
			r = secret_word(&a->sec, argc, argv, &i);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(w, "suite") == 0) {
			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			if (!parse_u32(argv[i], &a->suite) || !mls_suite_hash_len(a->suite))
				return usage_error("suite: %s is not a ciphersuite (1 to 7)",
						   argv[i]);
		} else if (strcmp(w, "group-id") == 0) {
			if (!arg_next(argc, argv, &i) ||
			    !hex_arg(w, argv[i], &a->group_id))
				return EXIT_USAGE;
		} else if (strcmp(w, "mode") == 0) {
			char *end;

			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			a->mode = (uint32_t)strtoul(argv[i], &end, 8);
			if (!*argv[i] || *end || a->mode > 0777)
				return usage_error("mode: \"%s\" is not octal 0 to 0777",
						   argv[i]);
		} else if (strcmp(w, "ephemeral") == 0) {
			a->ephemeral = true;
		} else {
			return usage_error("unknown argument \"%s\"", w);
		}
	}
	return EXIT_OK;
}

static void new_free(struct new_args *a)
{
	mls_bytes_free(&a->group_id);
	context_free(&a->ctx);
	secrets_wipe(&a->sec);
}

static int new_group(const struct mlsctl_opts *o, int argc, char **argv, bool join)
{
	struct new_args a;
	struct mls_group_new g;
	const char *what = join ? "group join" : "group create";
	int ret, ctl, fd;
	uint32_t id;
	size_t nh;

	memset(&a, 0, sizeof(a));
	a.suite = 1;
	ret = parse_new(&a, argc, argv);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (join && (!a.sec.joiner || !a.group_id.len || !a.ctx.has_epoch ||
		     !a.ctx.has_leaf || !a.ctx.has_leaves)) {
		usage_error("group join: needs group-id, joiner-secret, epoch, leaf and leaves");
		goto out;
	}
	if (join && (a.sec.init || a.sec.commit || a.sec.encryption ||
		     a.sec.sender_data)) {
		usage_error("group join: only joiner-secret and psk-secret");
		goto out;
	}
	if (!join && a.sec.joiner) {
		usage_error("group create: joiner-secret belongs to group join");
		goto out;
	}
	if (!join && !a.group_id.len) {
		mls_bytes_free(&a.group_id);
		a.group_id.data = malloc(GROUP_ID_DEFAULT_LEN);
		if (!a.group_id.data ||
		    getrandom(a.group_id.data, GROUP_ID_DEFAULT_LEN, 0) !=
		    GROUP_ID_DEFAULT_LEN) {
			ret = op_error(-ENOMEM, "group create: random group-id");
			goto out;
		}
		a.group_id.len = GROUP_ID_DEFAULT_LEN;
	}
	nh = mls_suite_hash_len(a.suite);
	if (secrets_read(&a.sec, nh))
		goto out;

	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)a.suite;
	g.mode = (uint16_t)a.mode;
	if (a.ephemeral)
		g.flags |= MLS_GROUP_F_EPHEMERAL;
	if (!join && a.sec.init)
		g.flags |= MLS_GROUP_F_FROM_INPUTS;
	if (!join && (a.sec.encryption || a.sec.sender_data))
		g.flags |= MLS_GROUP_F_INSTALL;
	/* By default, leaf 0 of one leaf. */
	if (!join && !a.ctx.has_leaves)
		a.ctx.leaves = 1;
	mls_buf_set(&g.group_id, a.group_id.data, a.group_id.len);
	secret_buf(&g.init_secret, a.sec.init, a.sec.init_v, nh);
	secret_buf(&g.commit_secret, a.sec.commit, a.sec.commit_v, nh);
	secret_buf(&g.psk_secret, a.sec.psk, a.sec.psk_v, nh);
	secret_buf(&g.joiner_secret, a.sec.joiner, a.sec.joiner_v, nh);
	secret_buf(&g.encryption_secret, a.sec.encryption, a.sec.encryption_v, nh);
	secret_buf(&g.sender_data_secret, a.sec.sender_data, a.sec.sender_data_v, nh);
	context_fill(&g.context, &a.ctx);
	roster_fill(&g.roster, &a.ctx);

	ctl = open_ctl();
	if (ctl < 0) {
		ret = EXIT_KERNEL;
		goto out;
	}
	fd = join ? mls_group_join(ctl, &g) : mls_group_create(ctl, &g);
	close(ctl);
	id = g.id;
	explicit_bzero(&g, sizeof(g));
	if (fd < 0) {
		ret = op_error(fd, "%s", what);
		goto out;
	}
	/* The group outlives this descriptor unless it is ephemeral. */
	close(fd);
	print_created(o, id);
	ret = EXIT_OK;
out:
	new_free(&a);
	return ret;
}

static int group_create(const struct mlsctl_opts *o, int argc, char **argv)
{
	return new_group(o, argc, argv, false);
}

static int group_join(const struct mlsctl_opts *o, int argc, char **argv)
{
	return new_group(o, argc, argv, true);
}

/* ------------------------------------------------------------ list, show */

static const char usage_list[] = "\n"
	"Prints the kernel ids of the live groups, one per line.\n";

static int group_list(const struct mlsctl_opts *o, int argc, char **argv)
{
	uint32_t *ids;
	size_t n, i;
	struct jw w;
	int ctl, ret;

	if (argc > 0)
		return usage_error("group list: unexpected argument \"%s\"", argv[0]);
	ctl = open_ctl();
	if (ctl < 0)
		return EXIT_KERNEL;
	ret = mls_group_list(ctl, &ids, &n);
	close(ctl);
	if (ret)
		return op_error(ret, "group list");
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_arr(&w, "groups");
		for (i = 0; i < n; i++)
			jw_u64(&w, NULL, ids[i]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	} else {
		for (i = 0; i < n; i++)
			printf("%" PRIu32 "\n", ids[i]);
	}
	free(ids);
	return EXIT_OK;
}

const char *state_name(uint32_t state)
{
	switch (state) {
	case MLS_GROUP_STATE_ACTIVE:
		return "active";
	case MLS_GROUP_STATE_SHUTTING_DOWN:
		return "shutting-down";
	case MLS_GROUP_STATE_DESTROYED:
		return "destroyed";
	case MLS_GROUP_STATE_ENDED:
		return "ended";
	}
	return "unknown";
}

const char *const flag_names[5] = {
	"ephemeral",	/* MLS_GROUP_F_EPHEMERAL */
	"from-inputs",	/* MLS_GROUP_F_FROM_INPUTS */
	"install",	/* MLS_GROUP_F_INSTALL */
	"staged",	/* MLS_GROUP_F_STAGED */
	"persistent",	/* MLS_GROUP_F_PERSISTENT */
};

static void show_json(struct jw *w, const struct mls_group_info *in,
		      const uint8_t *gid, size_t gid_len)
{
	const struct mls_policy *p = &in->policy;
	char mode[8];
	size_t b;

	snprintf(mode, sizeof(mode), "%04o", in->mode);
	jw_obj(w, NULL);
	jw_u64(w, "id", in->id);
	jw_hex(w, "group_id", gid, gid_len);
	jw_u64(w, "suite", in->suite);
	if (mls_suite_name(in->suite))
		jw_str(w, "suite_name", mls_suite_name(in->suite));
	else
		jw_null(w, "suite_name");
	jw_str(w, "state", state_name(in->state));
	jw_str(w, "mode", mode);
	jw_u64(w, "owner_uid", in->owner_uid);
	jw_u64(w, "owner_gid", in->owner_gid);
	jw_arr(w, "flags");
	for (b = 0; b < ARRAY_SIZE(flag_names); b++)
		if (in->group_flags & (1U << b))
			jw_str(w, NULL, flag_names[b]);
	jw_arr_end(w);
	jw_u64(w, "own_leaf", in->own_leaf);
	jw_u64(w, "leaf_count", in->leaf_count);
	jw_u64(w, "epoch", in->epoch);
	jw_u64(w, "oldest_epoch", in->oldest_epoch);
	jw_obj(w, "policy");
	jw_u64(w, "out_of_order", p->out_of_order);
	jw_u64(w, "max_forward", p->max_forward);
	jw_u64(w, "epochs_kept", p->epochs_kept);
	jw_u64(w, "epoch_max_age_ms", p->epoch_max_age_ms);
	jw_u64(w, "padding_block", p->padding_block);
	jw_u64(w, "encrypt_rate", p->encrypt_rate);
	jw_u64(w, "encrypt_burst", p->encrypt_burst);
	jw_u64(w, "commit_timeout_ms", p->commit_timeout_ms);
	jw_u64(w, "recv_save", in->recv_save);
	jw_bool(w, "recv_save_strict",
		in->recv_save_flags & MLS_RECV_SAVE_F_STRICT);
	jw_obj_end(w);
	jw_u64(w, "recv_unsaved", in->recv_unsaved);
	jw_obj_end(w);
}

static void show_text(const struct mls_group_info *in, const uint8_t *gid,
		      size_t gid_len)
{
	const struct mls_policy *p = &in->policy;
	size_t b;

	printf("group %" PRIu32 ": group-id ", in->id);
	print_hex(stdout, gid, gid_len);
	printf(" suite %u %s\n", in->suite,
	       mls_suite_name(in->suite) ? mls_suite_name(in->suite) : "");
	printf("    state %s epoch %" PRIu64 " oldest-epoch %" PRIu64
	       " leaf %" PRIu32 " leaves %" PRIu32 "\n",
	       state_name(in->state), (uint64_t)in->epoch,
	       (uint64_t)in->oldest_epoch, in->own_leaf, in->leaf_count);
	printf("    mode %04o owner %" PRIu32 ":%" PRIu32, in->mode,
	       in->owner_uid, in->owner_gid);
	for (b = 0; b < ARRAY_SIZE(flag_names); b++)
		if (in->group_flags & (1U << b))
			printf(" %s", flag_names[b]);
	printf("\n    policy out-of-order %" PRIu32 " max-forward %" PRIu32
	       " epochs-kept %" PRIu32 " epoch-max-age %" PRIu32
	       " padding %" PRIu32 " encrypt-rate %" PRIu32
	       " encrypt-burst %" PRIu32 " commit-timeout %" PRIu32 "\n",
	       p->out_of_order, p->max_forward, p->epochs_kept,
	       p->epoch_max_age_ms, p->padding_block, p->encrypt_rate,
	       p->encrypt_burst, p->commit_timeout_ms);
	if (in->group_flags & MLS_GROUP_F_PERSISTENT)
		printf("    recv-save %" PRIu32 "%s unsaved %" PRIu64 "\n",
		       in->recv_save,
		       in->recv_save_flags & MLS_RECV_SAVE_F_STRICT ?
		       " strict" : "", (uint64_t)in->recv_unsaved);
}

/* Show one group through @fd: 0, or -errno. */
static int show_fd(const struct mlsctl_opts *o, struct jw *w, int fd)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len = sizeof(gid);
	struct mls_group_info info;
	int ret = mls_group_info(fd, &info, gid, &gid_len);

	if (ret)
		return ret;
	if (o->json)
		show_json(w, &info, gid, gid_len);
	else
		show_text(&info, gid, gid_len);
	return 0;
}

static const char usage_show[] = "[ID]\n"
	"\n"
	"Shows a group (ID) or every group this user may open: group-id,\n"
	"suite, state, epochs, leaves, owner, mode and policy. Groups others\n"
	"own and do not share are named on stderr and left out.\n";

static int group_show(const struct mlsctl_opts *o, int argc, char **argv)
{
	uint32_t id, *ids;
	size_t n, i;
	struct jw w;
	int ctl, fd, ret;

	jw_init(&w, stdout);
	if (argc > 1)
		return usage_error("group show: unexpected argument \"%s\"", argv[1]);
	if (argc == 1) {
		if (!parse_id(argv[0], &id))
			return usage_error("group show: \"%s\" is not a group id", argv[0]);
		fd = open_group(id);
		if (fd < 0)
			return EXIT_KERNEL;
		ret = show_fd(o, &w, fd);
		close(fd);
		return ret ? op_error(ret, "group %" PRIu32, id) : EXIT_OK;
	}
	ctl = open_ctl();
	if (ctl < 0)
		return EXIT_KERNEL;
	ret = mls_group_list(ctl, &ids, &n);
	if (ret) {
		close(ctl);
		return op_error(ret, "group list");
	}
	if (o->json)
		jw_arr(&w, NULL);
	for (i = 0; i < n; i++) {
		fd = mls_group_open(ctl, ids[i]);
		/* Destroyed since the list was made: not there any more. */
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			fprintf(stderr, "mlsctl: group %" PRIu32 ": %s\n", ids[i],
				strerror(-fd));
			continue;
		}
		ret = show_fd(o, &w, fd);
		close(fd);
		if (ret && ret != -ENOENT)
			fprintf(stderr, "mlsctl: group %" PRIu32 ": %s\n", ids[i],
				strerror(-ret));
	}
	if (o->json)
		jw_arr_end(&w);
	free(ids);
	close(ctl);
	return EXIT_OK;
}

/* --------------------------------------------------------------- commit */

static const char usage_commit[] =
	"ID [epoch N] [leaves N] [occupied HEX]\n"
	"        [commit-secret FILE] [psk-secret FILE]\n"
	"        [tree-hash HEX] [transcript-hash HEX] [extensions HEX]\n"
	"        [encryption-secret FILE sender-data-secret FILE]\n"
	"        [joiner-secret-out FILE] [welcome-secret-out FILE]\n"
	"\n"
	"Moves the group to its next epoch (epoch defaults to the current + 1,\n"
	"leaves to the current count) from the commit secret (Nh zeros if not\n"
	"given) and the new GroupContext, or installs the given secrets. The\n"
	"previous epoch stays for late messages within the group's policy.\n"
	"joiner-secret-out and welcome-secret-out write the secrets a Welcome\n"
	"carries to FILE (mode 0600, hex; \"-\": stdout).\n";

static int group_commit(const struct mlsctl_opts *o, int argc, char **argv)
{
	const char *joiner_out = NULL, *welcome_out = NULL;
	uint8_t joiner[MLS_MAX_HASH_LEN], welcome[MLS_MAX_HASH_LEN];
	struct context_args ctx;
	struct secret_args sec;
	struct mls_group_info info;
	struct mls_commit c;
	int i, r, fd = -1, ret = EXIT_USAGE;
	uint32_t id;
	size_t nh;
	struct jw w;

	memset(&ctx, 0, sizeof(ctx));
	memset(&sec, 0, sizeof(sec));
	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("group commit: needs a group id");
	for (i = 1; i < argc; i++) {
		r = context_word(&ctx, argc, argv, &i);
		if (!r)
			r = secret_word(&sec, argc, argv, &i);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "joiner-secret-out") == 0) {
			if (!arg_next(argc, argv, &i))
				goto out;
			joiner_out = argv[i];
		} else if (strcmp(argv[i], "welcome-secret-out") == 0) {
			if (!arg_next(argc, argv, &i))
				goto out;
			welcome_out = argv[i];
		} else {
			usage_error("group commit: unknown argument \"%s\"", argv[i]);
			goto out;
		}
	}
	if (sec.init || sec.joiner || ctx.has_leaf) {
		usage_error("group commit: no init-secret, joiner-secret or leaf here");
		goto out;
	}
	if ((joiner_out || welcome_out) && (sec.encryption || sec.sender_data)) {
		usage_error("group commit: an installed epoch has no joiner or welcome secret");
		goto out;
	}
	if ((joiner_out && strcmp(joiner_out, "-") == 0) +
	    (welcome_out && strcmp(welcome_out, "-") == 0) + o->json > 1) {
		usage_error("group commit: only one of the secrets and -j can use stdout");
		goto out;
	}

	fd = open_group(id);
	if (fd < 0) {
		ret = EXIT_KERNEL;
		goto out;
	}
	ret = mls_group_info(fd, &info, NULL, NULL);
	if (ret) {
		ret = op_error(ret, "group %" PRIu32, id);
		goto out;
	}
	nh = mls_suite_hash_len(info.suite);
	ret = secrets_read(&sec, nh);
	if (ret)
		goto out;
	if (!ctx.has_epoch)
		ctx.epoch = info.epoch + 1;
	if (!ctx.has_leaves)
		ctx.leaves = info.leaf_count;
	ctx.leaf = info.own_leaf;

	memset(&c, 0, sizeof(c));
	if (sec.encryption || sec.sender_data)
		c.flags |= MLS_COMMIT_F_INSTALL;
	if (joiner_out || welcome_out) {
		c.flags |= MLS_COMMIT_F_RETURN_SECRETS;
		mls_buf_set(&c.joiner_secret, joiner, nh);
		mls_buf_set(&c.welcome_secret, welcome, nh);
	}
	secret_buf(&c.commit_secret, sec.commit, sec.commit_v, nh);
	secret_buf(&c.psk_secret, sec.psk, sec.psk_v, nh);
	secret_buf(&c.encryption_secret, sec.encryption, sec.encryption_v, nh);
	secret_buf(&c.sender_data_secret, sec.sender_data, sec.sender_data_v, nh);
	context_fill(&c.context, &ctx);
	roster_fill(&c.roster, &ctx);
	r = mls_commit(fd, &c);
	if (r) {
		ret = op_error(r, "group commit %" PRIu32, id);
		goto wipe;
	}
	if (joiner_out) {
		r = write_secret(joiner_out, joiner, c.joiner_secret.len);
		if (r) {
			ret = op_error(r, "joiner-secret-out %s", joiner_out);
			goto wipe;
		}
	}
	if (welcome_out) {
		r = write_secret(welcome_out, welcome, c.welcome_secret.len);
		if (r) {
			ret = op_error(r, "welcome-secret-out %s", welcome_out);
			goto wipe;
		}
	}
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", ctx.epoch);
		jw_obj_end(&w);
	}
	ret = EXIT_OK;
wipe:
	explicit_bzero(&c, sizeof(c));
	explicit_bzero(joiner, sizeof(joiner));
	explicit_bzero(welcome, sizeof(welcome));
out:
	if (fd >= 0)
		close(fd);
	context_free(&ctx);
	secrets_wipe(&sec);
	return ret;
}

/* ------------------------------------------------------------------ set */

static const char usage_set[] =
	"ID [out-of-order N] [max-forward N] [epochs-kept N]\n"
	"        [epoch-max-age MS] [padding N] [encrypt-rate N] [encrypt-burst N]\n"
	"        [commit-timeout MS] [recv-save N] [recv-save-strict 0|1]\n"
	"\n"
	"Sets the group's policy: skipped generations kept per sender, the\n"
	"maximum forward distance, past epochs kept and their maximum age in\n"
	"milliseconds (0: no limit), the padding block, the encrypt rate\n"
	"(messages per second, 0: no limit) and burst, and how long a pending\n"
	"commit may wait for its merge (milliseconds, at least 1) before the\n"
	"kernel discards it. A smaller epochs-kept or epoch-max-age erases\n"
	"past epochs at once. A persistent group's recv-save N asks for a\n"
	"save after N decrypts no saved snapshot holds (0: off); strict, the\n"
	"decrypt after them fails with ENOBUFS until the group is saved.\n";

static int group_set(const struct mlsctl_opts *o, int argc, char **argv)
{
	static const struct {
		const char *name;
		uint32_t mask;
		size_t off;
	} fields[] = {
		{ "out-of-order", MLS_POLICY_OUT_OF_ORDER,
		  offsetof(struct mls_policy, out_of_order) },
		{ "max-forward", MLS_POLICY_MAX_FORWARD,
		  offsetof(struct mls_policy, max_forward) },
		{ "epochs-kept", MLS_POLICY_EPOCHS_KEPT,
		  offsetof(struct mls_policy, epochs_kept) },
		{ "epoch-max-age", MLS_POLICY_EPOCH_MAX_AGE,
		  offsetof(struct mls_policy, epoch_max_age_ms) },
		{ "padding", MLS_POLICY_PADDING_BLOCK,
		  offsetof(struct mls_policy, padding_block) },
		{ "encrypt-rate", MLS_POLICY_ENCRYPT_RATE,
		  offsetof(struct mls_policy, encrypt_rate) },
		{ "encrypt-burst", MLS_POLICY_ENCRYPT_RATE,
		  offsetof(struct mls_policy, encrypt_burst) },
		{ "commit-timeout", MLS_POLICY_COMMIT_TIMEOUT,
		  offsetof(struct mls_policy, commit_timeout_ms) },
	};
	struct mls_group_info info;
	struct mls_policy p;
	bool rate = false, burst = false, rs = false, strict_set = false;
	uint32_t id, mask = 0, v, rs_n = 0, strict = 0;
	size_t k;
	int i, fd, ret;

	(void)o;
	memset(&p, 0, sizeof(p));
	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("group set: needs a group id");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "recv-save") == 0 ||
		    strcmp(argv[i], "recv-save-strict") == 0) {
			bool is_strict = argv[i][9] != '\0';

			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			if (!parse_u32(argv[i], &v) || (is_strict && v > 1))
				return usage_error("group set: %s: bad value \"%s\"",
						   argv[i - 1], argv[i]);
			if (is_strict) {
				strict = v;
				strict_set = true;
			} else {
				rs_n = v;
				rs = true;
			}
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(fields); k++)
			if (strcmp(argv[i], fields[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(fields))
			return usage_error("group set: unknown argument \"%s\"", argv[i]);
		if (!arg_next(argc, argv, &i))
			return EXIT_USAGE;
		if (!parse_u32(argv[i], &v))
			return usage_error("group set: %s: bad number \"%s\"",
					   fields[k].name, argv[i]);
		memcpy((char *)&p + fields[k].off, &v, sizeof(v));
		mask |= fields[k].mask;
		rate |= strcmp(fields[k].name, "encrypt-rate") == 0;
		burst |= strcmp(fields[k].name, "encrypt-burst") == 0;
	}
	if (!mask && !rs && !strict_set)
		return usage_error("group set: nothing to set");
	fd = open_group(id);
	if (fd < 0)
		return EXIT_KERNEL;
	/* Rate and burst, N and strict, are set together: keep the other. */
	if (rate != burst || rs != strict_set) {
		ret = mls_group_info(fd, &info, NULL, NULL);
		if (ret) {
			close(fd);
			return op_error(ret, "group %" PRIu32, id);
		}
		if (!rate)
			p.encrypt_rate = info.policy.encrypt_rate;
		if (!burst)
			p.encrypt_burst = info.policy.encrypt_burst;
		if (!rs)
			rs_n = info.recv_save;
		if (!strict_set)
			strict = info.recv_save_flags & MLS_RECV_SAVE_F_STRICT;
	}
	ret = mask ? mls_group_set_policy(fd, mask, &p) : 0;
	/* Turned off, it keeps no flag; strict asked for without N: EINVAL. */
	if (!ret && (rs || strict_set))
		ret = mls_group_set_recv_save(fd, rs_n,
					      strict && (rs_n || strict_set) ?
					      MLS_RECV_SAVE_F_STRICT : 0);
	close(fd);
	return ret ? op_error(ret, "group set %" PRIu32, id) : EXIT_OK;
}

/* -------------------------------------------------------------- destroy */

static const char usage_destroy[] = "ID\n"
	"\n"
	"Destroys the group: every secret is erased, and every descriptor on\n"
	"it then fails with ENOENT.\n";

static int group_destroy(const struct mlsctl_opts *o, int argc, char **argv)
{
	uint32_t id;
	int fd, ret;

	(void)o;
	if (argc != 1 || !parse_id(argv[0], &id))
		return usage_error("group destroy: needs one group id");
	fd = open_group(id);
	if (fd < 0)
		return EXIT_KERNEL;
	ret = mls_group_destroy(fd);
	close(fd);
	return ret ? op_error(ret, "group destroy %" PRIu32, id) : EXIT_OK;
}

/* --------------------------------------- export-secret, authenticator, context */

static const char usage_export[] =
	"ID label LABEL [context HEX] [length N] [out FILE]\n"
	"\n"
	"Prints MLS-Exporter(LABEL, context, N) of the current epoch (RFC 9420\n"
	"section 8.5) as hex, N bytes (default 32), or writes it to FILE\n"
	"(mode 0600).\n";

static int group_export(const struct mlsctl_opts *o, int argc, char **argv)
{
	const char *label = NULL, *out = NULL;
	struct mls_bytes ctx = { NULL, 0 };
	uint32_t id, len = 32;
	uint8_t *secret = NULL;
	uint64_t epoch = 0;
	int i, fd = -1, ret = EXIT_USAGE, r;
	struct jw w;

	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("group export-secret: needs a group id");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "label") == 0) {
			if (!arg_next(argc, argv, &i))
				goto out;
			label = argv[i];
		} else if (strcmp(argv[i], "context") == 0) {
			if (!arg_next(argc, argv, &i) || !hex_arg("context", argv[i], &ctx))
				goto out;
		} else if (strcmp(argv[i], "length") == 0) {
			if (!arg_next(argc, argv, &i))
				goto out;
			if (!parse_u32(argv[i], &len) || !len || len > MLS_MAX_EXPORTER_LEN) {
				usage_error("length: 1 to %d", MLS_MAX_EXPORTER_LEN);
				goto out;
			}
		} else if (strcmp(argv[i], "out") == 0) {
			if (!arg_next(argc, argv, &i))
				goto out;
			out = argv[i];
		} else {
			usage_error("group export-secret: unknown argument \"%s\"", argv[i]);
			goto out;
		}
	}
	if (!label) {
		usage_error("group export-secret: needs a label");
		goto out;
	}
	secret = malloc(len);
	if (!secret) {
		ret = op_error(-ENOMEM, "group export-secret");
		goto out;
	}
	fd = open_group(id);
	if (fd < 0) {
		ret = EXIT_KERNEL;
		goto out;
	}
	r = mls_exporter(fd, label, ctx.data, ctx.len, secret, len, &epoch);
	if (r) {
		ret = op_error(r, "group export-secret %" PRIu32, id);
		goto out;
	}
	if (out) {
		r = write_secret(out, secret, len);
		if (r) {
			ret = op_error(r, "out %s", out);
			goto out;
		}
	} else if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", epoch);
		if (is_text((const uint8_t *)label, strlen(label)))
			jw_str(&w, "label", label);
		else
			jw_null(&w, "label");
		jw_hex(&w, "context", ctx.data, ctx.len);
		jw_u64(&w, "length", len);
		jw_hex(&w, "secret", secret, len);
		jw_obj_end(&w);
	} else {
		print_hex(stdout, secret, len);
		printf("\n");
	}
	ret = EXIT_OK;
out:
	if (secret) {
		explicit_bzero(secret, len);
		free(secret);
	}
	if (fd >= 0)
		close(fd);
	mls_bytes_free(&ctx);
	return ret;
}

static const char usage_authenticator[] = "ID\n"
	"\n"
	"Prints the current epoch's epoch_authenticator (RFC 9420 section 8.7),\n"
	"a public value the members compare out of band, as hex.\n";

static int group_authenticator(const struct mlsctl_opts *o, int argc, char **argv)
{
	uint8_t auth[MLS_MAX_HASH_LEN];
	size_t len = sizeof(auth);
	uint64_t epoch = 0;
	uint32_t id;
	struct jw w;
	int fd, ret;

	if (argc != 1 || !parse_id(argv[0], &id))
		return usage_error("group authenticator: needs one group id");
	fd = open_group(id);
	if (fd < 0)
		return EXIT_KERNEL;
	ret = mls_epoch_authenticator(fd, auth, &len, &epoch);
	close(fd);
	if (ret)
		return op_error(ret, "group authenticator %" PRIu32, id);
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", epoch);
		jw_hex(&w, "authenticator", auth, len);
		jw_obj_end(&w);
	} else {
		print_hex(stdout, auth, len);
		printf("\n");
	}
	return EXIT_OK;
}

static const char usage_context[] = "ID [epoch N]\n"
	"\n"
	"Prints the encoded GroupContext (RFC 9420 section 8.1) of the current\n"
	"epoch, or of past epoch N while it is kept, as hex: what a signature\n"
	"over FramedContentTBS covers.\n";

static int group_context(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_bytes ctx;
	uint64_t epoch = 0;
	uint32_t id, flags = 0;
	struct jw w;
	int fd, ret;

	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("group context: needs a group id");
	if (argc == 3 && strcmp(argv[1], "epoch") == 0) {
		if (!parse_u64(argv[2], &epoch))
			return usage_error("epoch: bad number \"%s\"", argv[2]);
		flags = MLS_CONTEXT_F_EPOCH;
	} else if (argc != 1) {
		return usage_error("group context: unexpected argument \"%s\"", argv[1]);
	}
	fd = open_group(id);
	if (fd < 0)
		return EXIT_KERNEL;
	ret = mls_get_context(fd, flags, &epoch, &ctx);
	close(fd);
	if (ret)
		return op_error(ret, "group context %" PRIu32, id);
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", epoch);
		jw_hex(&w, "context", ctx.data, ctx.len);
		jw_obj_end(&w);
	} else {
		print_hex(stdout, ctx.data, ctx.len);
		printf("\n");
	}
	mls_bytes_free(&ctx);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- group */

static const struct cmd group_cmds[] = {
	{ "create", group_create, "create a group; prints its id", usage_create },
	{ "join", group_join, "join from a joiner secret; prints the id", usage_join },
	{ "list", group_list, "the ids of the live groups", usage_list },
	{ "show", group_show, "a group's state and policy", usage_show },
	{ "commit", group_commit, "move to the next epoch", usage_commit },
	{ "set", group_set, "set the group's policy", usage_set },
	{ "destroy", group_destroy, "destroy a group, erasing its secrets",
	  usage_destroy },
	{ "export-secret", group_export, "MLS-Exporter of the current epoch",
	  usage_export },
	{ "authenticator", group_authenticator, "the epoch_authenticator",
	  usage_authenticator },
	{ "context", group_context, "the encoded GroupContext of an epoch",
	  usage_context },
};

int cmd_group(const struct mlsctl_opts *o, int argc, char **argv)
{
	return run_cmd("mlsctl group", group_cmds,
		       ARRAY_SIZE(group_cmds), o, argc, argv);
}

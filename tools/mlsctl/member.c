// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl member: a whole MLS group run with libmlsclient, one command
 * per step. Every file exchanged is an RFC 9420 MLSMessage (KeyPackage,
 * Welcome, PublicMessage, PrivateMessage) or the ratchet tree, so that
 * another implementation can take it; the epoch secrets stay in the
 * kernel, under the group's kernel id, and the member's own state
 * (tree, private keys, GroupContext) is in its state file between two
 * commands. mlsctl(8), "MEMBERS", is the manual.
 */
#include "member.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The words every member command may take. */
struct margs {
	const char *state, *out, *in, *welcome, *tree, *private, *identity;
	const char *sign_key;
	const char *kps[64];
	size_t n_kps;
	uint32_t leaves[64];
	size_t n_leaves;
	uint32_t suite, lifetime_days;
	struct mls_bytes group_id;
	bool merge, discard, priv_msg;
};

/* Which words a command takes, as a string of their names. */
static int parse_margs(const char *cmd, const char *allowed, int argc,
		       char **argv, struct margs *a)
{
	memset(a, 0, sizeof(*a));
	a->suite = 1;
	a->lifetime_days = 90;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		char key[24];

		snprintf(key, sizeof(key), " %s ", w);
		if (strlen(w) >= sizeof(key) - 2 || !strstr(allowed, key))
			return usage_error("member %s: unknown argument \"%s\"",
					   cmd, w);
		if (strcmp(w, "merge") == 0) {
			a->merge = true;
			continue;
		}
		if (strcmp(w, "discard") == 0) {
			a->discard = true;
			continue;
		}
		if (strcmp(w, "private-message") == 0) {
			a->priv_msg = true;
			continue;
		}
		if (!arg_next(argc, argv, &i))
			return EXIT_USAGE;
		if (strcmp(w, "state") == 0) {
			a->state = argv[i];
		} else if (strcmp(w, "out") == 0) {
			a->out = argv[i];
		} else if (strcmp(w, "in") == 0) {
			a->in = argv[i];
		} else if (strcmp(w, "welcome") == 0) {
			a->welcome = argv[i];
		} else if (strcmp(w, "tree") == 0) {
			a->tree = argv[i];
		} else if (strcmp(w, "private") == 0) {
			a->private = argv[i];
		} else if (strcmp(w, "identity") == 0) {
			a->identity = argv[i];
		} else if (strcmp(w, "sign-key") == 0) {
			a->sign_key = argv[i];
		} else if (strcmp(w, "key-package") == 0) {
			if (a->n_kps == ARRAY_SIZE(a->kps))
				return usage_error("member %s: too many key-package",
						   cmd);
			a->kps[a->n_kps++] = argv[i];
		} else if (strcmp(w, "leaf") == 0) {
			if (a->n_leaves == ARRAY_SIZE(a->leaves) ||
			    !parse_u32(argv[i], &a->leaves[a->n_leaves++]))
				return usage_error("member %s: leaf: bad value \"%s\"",
						   cmd, argv[i]);
		} else if (strcmp(w, "suite") == 0) {
			if (!parse_u32(argv[i], &a->suite) ||
			    !mls_suite_hash_len(a->suite))
				return usage_error("suite: %s is not a ciphersuite (1 to 7)",
						   argv[i]);
		} else if (strcmp(w, "lifetime") == 0) {
			if (!parse_u32(argv[i], &a->lifetime_days) ||
			    !a->lifetime_days || a->lifetime_days > 3650)
				return usage_error("lifetime: 1 to 3650 days, not \"%s\"",
						   argv[i]);
		} else if (strcmp(w, "group-id") == 0) {
			mls_bytes_free(&a->group_id);
			if (!parse_hex(argv[i], &a->group_id) || !a->group_id.len ||
			    a->group_id.len > MLS_MAX_GROUP_ID_LEN)
				return usage_error("group-id: 1 to %d bytes of hex",
						   MLS_MAX_GROUP_ID_LEN);
		}
	}
	return EXIT_OK;
}

static int need(const char *cmd, const char *word, const char *v)
{
	return v ? EXIT_OK :
	       usage_error("member %s: \"%s\" is required", cmd, word);
}

/* A new state or private file must not replace a member's. */
static int fresh(const char *what, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return usage_error("%s %s: exists already (remove it first)",
				   what, path);
	return EXIT_OK;
}

static int read_msg(const char *what, const char *path, struct mls_bytes *b)
{
	int err = read_file(path, MEMBER_MSG_MAX, b);

	if (err) {
		fprintf(stderr, "mlsctl: %s %s: %s\n", what, path, strerror(-err));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int write_out(const char *what, const char *path, const void *p,
		     size_t len)
{
	int err;

	fflush(stdout);
	err = write_file(path, p, len, false);
	return err ? op_error(err, "%s %s", what, path) : EXIT_OK;
}

/*
 * One line about the member: "id 5 epoch 1 leaf 2", or JSON; with a
 * commit's @state, @epoch is the one it leads to.
 */
static int print_member(const struct mlsctl_opts *o, const struct member *m,
			const char *state, uint64_t epoch)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len = sizeof(gid);
	struct jw w;
	int err;

	memset(&info, 0, sizeof(info));
	err = mls_group_info(mlsc_group_fd(m->g), &info, gid, &gid_len);
	if (err)
		return op_error(err, "group info");
	if (!o->json) {
		printf("id %u epoch %llu leaf %lld", info.id,
		       (unsigned long long)epoch,
		       (long long)mlsc_group_own_leaf(m->g));
		printf(state ? " %s\n" : "\n", state);
		return EXIT_OK;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "id", info.id);
	jw_hex(&w, "group_id", gid, gid_len);
	jw_u64(&w, "suite", info.suite);
	jw_u64(&w, "epoch", epoch);
	jw_u64(&w, "leaf", (uint64_t)mlsc_group_own_leaf(m->g));
	jw_u64(&w, "leaves", info.leaf_count);
	jw_u64(&w, "kernel_epoch", info.epoch);
	if (state)
		jw_str(&w, "commit", state);
	jw_obj_end(&w);
	return EXIT_OK;
}

/* --------------------------------------------------------- keypackage */

static const char usage_keypackage[] =
	"identity NAME private FILE [out FILE] [suite N] [sign-key FILE]\n"
	"	[lifetime DAYS]\n"
	"\n"
	"Makes a KeyPackage of suite N (default 1) with a basic credential\n"
	"NAME, valid for DAYS days (default 90). The MLSMessage(KeyPackage) goes\n"
	"to FILE (default stdout): it is public, for whoever adds the member.\n"
	"Its private half (the HPKE private keys and the signature key) goes to\n"
	"the private FILE (mode 0600), for member create or member join. The\n"
	"signature key is the PEM or raw key in sign-key FILE, or a new one.\n"
	"With out FILE, prints the KeyPackageRef (hex).\n";

static int member_keypackage(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mlsc_keypkg_params p;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mls_sig_key *key = NULL;
	struct mls_bytes msg = { 0 }, ref = { 0 };
	struct kp_private k;
	struct margs a;
	int r;

	r = parse_margs("keypackage", " identity private out suite sign-key lifetime ",
			argc, argv, &a);
	if (!r)
		r = need("keypackage", "identity", a.identity);
	if (!r)
		r = need("keypackage", "private", a.private);
	if (!r)
		r = fresh("private", a.private);
	if (r)
		return r;
	if (a.sign_key) {
		if (load_key(a.sign_key, a.suite, KEY_SIGN, &key))
			return EXIT_USAGE;
		if (mls_sig_key_scheme(key) !=
		    (int)mls_suite_signature_scheme(a.suite)) {
			mls_sig_key_free(key);
			return usage_error("sign-key %s: not a key of suite %u's scheme",
					   a.sign_key, a.suite);
		}
	} else {
		r = mls_sig_key_generate(a.suite, &key);
		if (r)
			return op_error(r, "member keypackage: signature key");
	}
	memset(&p, 0, sizeof(p));
	memset(&k, 0, sizeof(k));
	p.cipher_suite = (uint16_t)a.suite;
	p.credential.type = MLS_CREDENTIAL_BASIC;
	p.credential.identity = a.identity;
	p.credential.identity_len = strlen(a.identity);
	p.not_before = (uint64_t)time(NULL) - 3600;
	p.not_after = (uint64_t)time(NULL) + 86400ULL * a.lifetime_days;
	r = mlsc_keypkg_create(&p, key, &msg, &priv);
	if (!r)
		r = mlsc_keypkg_priv_export(priv, &k.init_priv, &k.enc_priv);
	if (!r)
		r = mls_sig_key_export(key, MLS_KEY_PRIVATE, &k.sig_priv);
	if (!r)
		r = mlsc_keypkg_priv_ref(priv, &ref);
	if (r) {
		r = op_error(r, "member keypackage");
		goto out;
	}
	k.suite = (uint16_t)a.suite;
	k.key_package = msg;
	r = kp_private_write(a.private, &k);
	if (r) {
		r = op_error(r, "private %s", a.private);
		goto out;
	}
	r = write_out("out", a.out ? a.out : "-", msg.data, msg.len);
	if (!r && a.out) {
		if (o->json) {
			struct jw w;

			jw_init(&w, stdout);
			jw_obj(&w, NULL);
			jw_u64(&w, "suite", a.suite);
			jw_hex(&w, "key_package_ref", ref.data, ref.len);
			jw_obj_end(&w);
		} else {
			print_hex(stdout, ref.data, ref.len);
			putchar('\n');
		}
	}
out:
	mls_bytes_free(&k.init_priv);
	mls_bytes_free(&k.enc_priv);
	mls_bytes_free(&k.sig_priv);
	mls_bytes_free(&msg);
	mls_bytes_free(&ref);
	mlsc_keypkg_priv_free(priv);
	mls_sig_key_free(key);
	return r;
}

/* -------------------------------------------------------------- create */

static const char usage_create[] =
	"state FILE group-id HEX private FILE\n"
	"\n"
	"Creates the group HEX (its MLS group_id) in the kernel, with the\n"
	"member of the KeyPackage private FILE (member keypackage) as its only\n"
	"member, leaf 0, in epoch 0. Its state goes to the new state FILE\n"
	"(mode 0600). Prints \"id ID epoch 0 leaf 0\" (ID: the kernel id).\n";

static int member_create(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mlsc_group_params gp;
	struct mlsc_keypkg_priv *priv = NULL;
	struct member m = { 0 };
	struct kp_private k;
	struct margs a;
	int ctl, r;

	r = parse_margs("create", " state group-id private ", argc, argv, &a);
	if (!r)
		r = need("create", "state", a.state);
	if (!r)
		r = need("create", "group-id", a.group_id.data ? "" : NULL);
	if (!r)
		r = need("create", "private", a.private);
	if (!r)
		r = fresh("state", a.state);
	if (!r)
		r = kp_private_read(a.private, &k);
	if (r) {
		mls_bytes_free(&a.group_id);
		return r;
	}
	m.path = a.state;
	r = mlsc_keypkg_priv_import(k.key_package.data, k.key_package.len,
				    k.init_priv.data, k.init_priv.len,
				    k.enc_priv.data, k.enc_priv.len, &priv);
	if (!r)
		r = mls_sig_key_import(k.suite, MLS_KEY_PRIVATE, k.sig_priv.data,
				       k.sig_priv.len, &m.key);
	kp_private_free(&k);
	if (r) {
		r = op_error(r, "private %s", a.private);
		goto out;
	}
	ctl = open_ctl();
	if (ctl < 0) {
		r = EXIT_KERNEL;
		goto out;
	}
	memset(&gp, 0, sizeof(gp));
	gp.group_id = a.group_id.data;
	gp.group_id_len = a.group_id.len;
	r = mlsc_group_create(ctl, &gp, priv, &m.g);
	close(ctl);
	if (r) {
		r = op_error(r, "member create");
		goto out;
	}
	r = state_save(&m);
	if (r)
		mls_group_destroy(mlsc_group_fd(m.g));
	else
		r = print_member(o, &m, NULL, (uint64_t)mlsc_group_epoch(m.g));
out:
	member_free(&m);
	mlsc_keypkg_priv_free(priv);
	mls_bytes_free(&a.group_id);
	return r;
}

/* ---------------------------------------------------------------- join */

static const char usage_join[] =
	"state FILE private FILE welcome FILE [tree FILE]\n"
	"\n"
	"Joins the group of the MLSMessage(Welcome) in welcome FILE, as the\n"
	"member of the KeyPackage private FILE it adds: the kernel group is\n"
	"keyed from the Welcome, the tree (from the GroupInfo, or from tree\n"
	"FILE when the Welcome has none) is validated, and the state goes to\n"
	"the new state FILE (0600). Prints \"id ID epoch E leaf L\".\n";

static int member_join(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_bytes welcome = { 0 }, tree = { 0 };
	struct mlsc_welcome_keys wk;
	struct mlsc_join_args ja;
	struct mlsc_joiner *w = NULL;
	struct member m = { 0 };
	struct kp_private k = { 0 };
	struct margs a;
	int ctl = -1, r;

	r = parse_margs("join", " state private welcome tree ", argc, argv, &a);
	if (!r)
		r = need("join", "state", a.state);
	if (!r)
		r = need("join", "private", a.private);
	if (!r)
		r = need("join", "welcome", a.welcome);
	if (!r)
		r = fresh("state", a.state);
	if (!r)
		r = read_msg("welcome", a.welcome, &welcome);
	if (!r && a.tree)
		r = read_msg("tree", a.tree, &tree);
	if (!r)
		r = kp_private_read(a.private, &k);
	if (r)
		goto out;
	m.path = a.state;
	r = mls_sig_key_import(k.suite, MLS_KEY_PRIVATE, k.sig_priv.data,
			       k.sig_priv.len, &m.key);
	if (r) {
		r = op_error(r, "private %s", a.private);
		goto out;
	}
	ctl = open_ctl();
	if (ctl < 0) {
		r = EXIT_KERNEL;
		goto out;
	}
	memset(&wk, 0, sizeof(wk));
	wk.key_package = k.key_package.data;
	wk.key_package_len = k.key_package.len;
	wk.init_priv = k.init_priv.data;
	wk.init_priv_len = k.init_priv.len;
	r = mlsc_welcome_open(ctl, welcome.data, welcome.len, &wk, &w);
	if (r == -ENOKEY) {
		r = op_error(r, "welcome %s: not for the KeyPackage of %s",
			     a.welcome, a.private);
		goto out;
	}
	if (r == -EBADMSG) {
		r = op_error(r, "welcome %s: not a Welcome for this KeyPackage "
			     "(malformed, or it does not decrypt)", a.welcome);
		goto out;
	}
	if (r) {
		r = op_error(r, "welcome %s", a.welcome);
		goto out;
	}
	memset(&ja, 0, sizeof(ja));
	ja.ratchet_tree = tree.data;
	ja.ratchet_tree_len = tree.len;
	ja.encryption_priv = k.enc_priv.data;
	ja.encryption_priv_len = k.enc_priv.len;
	r = mlsc_welcome_join(w, &ja, &m.g);
	if (r == -ENODATA) {
		r = op_error(r, "welcome %s: it has no ratchet tree: give it with "
			     "tree FILE", a.welcome);
		goto out;
	}
	if (r) {
		r = op_error(r, "member join");
		goto out;
	}
	r = state_save(&m);
	if (r)
		mls_group_destroy(mlsc_group_fd(m.g));
	else
		r = print_member(o, &m, NULL, (uint64_t)mlsc_group_epoch(m.g));
out:
	if (ctl >= 0)
		close(ctl);
	mlsc_welcome_free(w);
	member_free(&m);
	kp_private_free(&k);
	mls_bytes_free(&welcome);
	mls_bytes_free(&tree);
	return r;
}

/* ----------------------------------------------- commits: add, remove, update */

/* Load the member of @a->state; ctl is closed again. */
static int load(const struct margs *a, struct member *m)
{
	int ctl = open_ctl(), r;

	if (ctl < 0)
		return EXIT_KERNEL;
	r = state_load(ctl, a->state, m);
	close(ctl);
	return r;
}

/* The ratchet tree of @m to @path, for joiners whose Welcome lacks it. */
static int write_tree(struct member *m, const char *path)
{
	struct mls_bytes t;
	int r = mlsc_group_ratchet_tree(m->g, &t);

	if (r)
		return op_error(r, "tree");
	r = write_out("tree", path, t.data, t.len);
	mls_bytes_free(&t);
	return r;
}

/*
 * Commit @props (none: an update) with @a's flags, write the Commit (and
 * the Welcome), merge if asked, save.
 */
static int commit(const struct mlsctl_opts *o, const char *cmd,
		  const struct margs *a, struct member *m,
		  const struct mlsc_proposal_spec *props, size_t n)
{
	struct mlsc_commit_args ca;
	struct mlsc_commit_out co;
	uint64_t epoch;
	int r;

	memset(&ca, 0, sizeof(ca));
	ca.flags = (a->priv_msg ? MLSC_COMMIT_F_PRIVATE : 0) |
		   (a->tree ? 0 : MLSC_COMMIT_F_RATCHET_TREE);
	ca.proposals = props;
	ca.n_proposals = n;
	ca.sig_key = m->key;
	r = mlsc_commit_create(m->g, &ca, &co);
	if (r)
		return op_error(r, "member %s", cmd);
	epoch = co.epoch;
	r = write_out("out", a->out, co.commit.data, co.commit.len);
	if (!r && a->welcome)
		r = write_out("welcome", a->welcome, co.welcome.data,
			      co.welcome.len);
	mlsc_commit_out_free(&co);
	if (r) {
		mlsc_commit_discard(m->g);
		return r;
	}
	if (a->merge) {
		r = mlsc_commit_merge(m->g);
		if (r)
			return op_error(r, "member %s: merge", cmd);
		if (a->tree)
			r = write_tree(m, a->tree);
	}
	if (!r)
		r = state_save(m);
	return r ? r : print_member(o, m, a->merge ? "merged" : "pending", epoch);
}

static const char usage_add[] =
	"state FILE key-package FILE [key-package FILE...] out FILE\n"
	"	welcome FILE [merge [tree FILE]] [private-message]\n"
	"\n"
	"Commits the Add of the members of the KeyPackages (MLSMessage files):\n"
	"the Commit goes to out FILE (a PublicMessage; private-message: a\n"
	"PrivateMessage), the Welcome for the new members to welcome FILE, with\n"
	"the ratchet tree in it unless tree FILE is given, which then gets the\n"
	"tree. The commit stays pending (member commit merge or discard once\n"
	"the delivery service decided); merge: merged at once.\n";

static int member_add(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mlsc_proposal_spec props[64];
	struct mlsc_keypkg *kps[64] = { 0 };
	struct member m = { 0 };
	struct margs a;
	size_t i;
	int r;

	r = parse_margs("add", " state key-package out welcome tree merge private-message ",
			argc, argv, &a);
	if (!r)
		r = need("add", "state", a.state);
	if (!r)
		r = need("add", "key-package", a.n_kps ? "" : NULL);
	if (!r)
		r = need("add", "out", a.out);
	if (!r)
		r = need("add", "welcome", a.welcome);
	if (!r && a.tree && !a.merge)
		r = usage_error("member add: tree FILE needs merge (or: member "
				"commit merge tree FILE)");
	for (i = 0; !r && i < a.n_kps; i++) {
		struct mls_bytes b;

		r = read_msg("key-package", a.kps[i], &b);
		if (r)
			break;
		r = mlsc_keypkg_parse(b.data, b.len, &kps[i]);
		mls_bytes_free(&b);
		if (r)
			r = op_error(r, "key-package %s: not an MLSMessage(KeyPackage)",
				     a.kps[i]);
		memset(&props[i], 0, sizeof(props[i]));
		props[i].type = MLSC_PROPOSE_ADD;
		props[i].key_package = kps[i];
	}
	if (!r)
		r = load(&a, &m);
	if (!r)
		r = commit(o, "add", &a, &m, props, a.n_kps);
	member_free(&m);
	for (i = 0; i < a.n_kps; i++)
		mlsc_keypkg_free(kps[i]);
	return r;
}

static const char usage_remove[] =
	"state FILE leaf N [leaf N...] out FILE [merge] [private-message]\n"
	"\n"
	"Commits the Remove of the members at leaves N, with an UpdatePath: the\n"
	"Commit goes to out FILE. Pending until member commit, or merge.\n";

static int member_remove(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mlsc_proposal_spec props[64];
	struct member m = { 0 };
	struct margs a;
	int r;

	r = parse_margs("remove", " state leaf out merge private-message ",
			argc, argv, &a);
	if (!r)
		r = need("remove", "state", a.state);
	if (!r)
		r = need("remove", "leaf", a.n_leaves ? "" : NULL);
	if (!r)
		r = need("remove", "out", a.out);
	if (r)
		return r;
	for (size_t i = 0; i < a.n_leaves; i++) {
		memset(&props[i], 0, sizeof(props[i]));
		props[i].type = MLSC_PROPOSE_REMOVE;
		props[i].leaf = a.leaves[i];
	}
	r = load(&a, &m);
	if (!r)
		r = commit(o, "remove", &a, &m, props, a.n_leaves);
	member_free(&m);
	return r;
}

static const char usage_update[] =
	"state FILE out FILE [merge] [private-message]\n"
	"\n"
	"Commits an update of the member's own leaf and path (new HPKE keys):\n"
	"the Commit goes to out FILE. Pending until member commit, or merge.\n";

static int member_update(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct member m = { 0 };
	struct margs a;
	int r;

	r = parse_margs("update", " state out merge private-message ", argc, argv, &a);
	if (!r)
		r = need("update", "state", a.state);
	if (!r)
		r = need("update", "out", a.out);
	if (!r)
		r = load(&a, &m);
	if (!r)
		r = commit(o, "update", &a, &m, NULL, 0);
	member_free(&m);
	return r;
}

static const char usage_commit[] =
	"state FILE merge [tree FILE] | state FILE discard\n"
	"\n"
	"The delivery service's decision on the member's pending Commit: merge\n"
	"(accepted: its epoch becomes current; tree FILE gets the new ratchet\n"
	"tree, for joiners whose Welcome lacks it) or discard (rejected: the\n"
	"member stays in its epoch). The kernel discards a pending commit by\n"
	"itself after the group's commit timeout (30 s by default).\n";

static int member_commit(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct member m = { 0 };
	struct margs a;
	int r;

	r = parse_margs("commit", " state merge discard tree ", argc, argv, &a);
	if (!r)
		r = need("commit", "state", a.state);
	if (!r && a.merge == a.discard)
		r = usage_error("member commit: merge or discard");
	if (!r && a.tree && !a.merge)
		r = usage_error("member commit: tree goes with merge");
	if (!r)
		r = load(&a, &m);
	if (r)
		goto out;
	r = a.merge ? mlsc_commit_merge(m.g) : mlsc_commit_discard(m.g);
	if (r == -ENOENT) {
		r = op_error(r, "member commit: no pending commit");
		goto out;
	}
	if (r == -ETIMEDOUT || r == -ESTALE) {
		/* dropped here and in the kernel: the member stays as it is */
		state_save(&m);
		r = op_error(r, "member commit: the kernel discarded it");
		goto out;
	}
	if (r) {
		r = op_error(r, "member commit");
		goto out;
	}
	if (a.tree)
		r = write_tree(&m, a.tree);
	if (!r)
		r = state_save(&m);
	if (!r)
		r = print_member(o, &m, a.merge ? "merged" : "discarded",
			 (uint64_t)mlsc_group_epoch(m.g));
out:
	member_free(&m);
	return r;
}

/* ------------------------------------------------ process, send, receive */

static const char *content_name(uint32_t t)
{
	switch (t) {
	case MLS_CONTENT_APPLICATION:
		return "application";
	case MLS_CONTENT_PROPOSAL:
		return "proposal";
	case MLS_CONTENT_COMMIT:
		return "commit";
	}
	return "unknown";
}

static int show_processed(const struct mlsctl_opts *o,
			  const struct mlsc_processed *p, bool quiet)
{
	bool removed = p->flags & MLSC_PROCESSED_F_REMOVED;
	struct jw w;

	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "content_type", content_name(p->content_type));
		jw_u64(&w, "epoch", p->epoch);
		jw_u64(&w, "sender_leaf", p->sender_leaf);
		jw_bool(&w, "removed", removed);
		jw_hex(&w, "data", p->data.data, p->data.len);
		if (is_text(p->data.data, p->data.len))
			jw_strn(&w, "text", (const char *)p->data.data,
				p->data.len);
		else
			jw_null(&w, "text");
		jw_obj_end(&w);
		return EXIT_OK;
	}
	if (p->content_type == MLS_CONTENT_APPLICATION) {
		fwrite(p->data.data, 1, p->data.len, stdout);
		return EXIT_OK;
	}
	if (quiet)
		fprintf(stderr, "mlsctl: ");
	fprintf(quiet ? stderr : stdout, "%s epoch %llu sender-leaf %u%s\n",
		content_name(p->content_type), (unsigned long long)p->epoch,
		p->sender_leaf, removed ? " removed" : "");
	return EXIT_OK;
}

static int process(const struct mlsctl_opts *o, const char *cmd, int argc,
		   char **argv, bool receive)
{
	struct mlsc_processed p = { 0 };
	struct mlsc_message *msg = NULL;
	struct member m = { 0 };
	struct mls_bytes b = { 0 };
	struct margs a;
	int r, wf;

	r = parse_margs(cmd, " state in ", argc, argv, &a);
	if (!r)
		r = need(cmd, "state", a.state);
	if (!r)
		r = read_msg("in", a.in ? a.in : "-", &b);
	if (r)
		return r;
	r = mlsc_message_parse(b.data, b.len, &msg);
	wf = r ? r : mlsc_message_wire_format(msg);
	mlsc_message_free(msg);
	if (wf != MLS_WIRE_FORMAT_PUBLIC_MESSAGE && wf != MLS_WIRE_FORMAT_PRIVATE_MESSAGE) {
		r = op_error(-EBADMSG, "in %s: not a PublicMessage or PrivateMessage",
			     a.in ? a.in : "stdin");
		goto out;
	}
	if (receive && wf == MLS_WIRE_FORMAT_PUBLIC_MESSAGE) {
		r = usage_error("in %s: a handshake message (PublicMessage): "
				"use mlsctl member process", a.in ? a.in : "stdin");
		goto out;
	}
	r = load(&a, &m);
	if (r)
		goto out;
	r = mlsc_group_process(m.g, b.data, b.len, NULL, &p);
	if (r) {
		r = op_error(r, "member %s", cmd);
		goto out;
	}
	if (p.content_type == MLS_CONTENT_COMMIT &&
	    !(p.flags & MLSC_PROCESSED_F_REMOVED))
		r = state_save(&m);
	if (!r)
		r = show_processed(o, &p, receive);
out:
	mlsc_processed_free(&p);
	member_free(&m);
	mls_bytes_free(&b);
	return r;
}

static const char usage_process[] =
	"state FILE [in FILE]\n"
	"\n"
	"Processes a message of the group (PublicMessage or PrivateMessage,\n"
	"default stdin): a Commit is verified and applied (the member moves to\n"
	"its epoch), a proposal kept for the epoch's Commit, an application\n"
	"message's data printed. Prints \"commit epoch E sender-leaf L\" (with\n"
	"\"removed\" when the Commit removes this member: it stays in its epoch,\n"
	"and can read nothing of the next).\n";

static int member_process(const struct mlsctl_opts *o, int argc, char **argv)
{
	return process(o, "process", argc, argv, false);
}

static const char usage_receive[] =
	"state FILE [in FILE]\n"
	"\n"
	"Decrypts an application message (PrivateMessage, default stdin) in the\n"
	"kernel, verifies its sender's signature and prints its data. A Commit\n"
	"sent as a PrivateMessage is applied as member process does.\n";

static int member_receive(const struct mlsctl_opts *o, int argc, char **argv)
{
	return process(o, "receive", argc, argv, true);
}

static const char usage_send[] =
	"state FILE [in FILE] [out FILE]\n"
	"\n"
	"Signs the data of in FILE (default stdin) with the member's key and\n"
	"encrypts it in the kernel: the PrivateMessage goes to out FILE\n"
	"(default stdout).\n";

static int member_send(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct member m = { 0 };
	struct mls_bytes data = { 0 };
	struct mls_sent s = { 0 };
	struct margs a;
	int r;

	(void)o;
	r = parse_margs("send", " state in out ", argc, argv, &a);
	if (!r)
		r = need("send", "state", a.state);
	if (!r)
		r = read_msg("in", a.in ? a.in : "-", &data);
	if (!r)
		r = load(&a, &m);
	if (r)
		goto out;
	r = mls_send(mlsc_group_fd(m.g), m.key, data.data, data.len, NULL, 0, &s);
	if (r) {
		r = op_error(r, "member send");
		goto out;
	}
	r = write_out("out", a.out ? a.out : "-", s.message.data, s.message.len);
out:
	mls_bytes_free(&s.message);
	mls_bytes_free(&data);
	member_free(&m);
	return r;
}

static const char usage_show[] =
	"state FILE\n"
	"\n"
	"The member of state FILE: kernel id, epoch and leaf (-j: also the\n"
	"group_id, suite, number of leaves and the kernel group's epoch).\n";

static int member_show(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct member m = { 0 };
	struct margs a;
	int r;

	r = parse_margs("show", " state ", argc, argv, &a);
	if (!r)
		r = need("show", "state", a.state);
	if (!r)
		r = load(&a, &m);
	if (!r)
		r = print_member(o, &m, NULL, (uint64_t)mlsc_group_epoch(m.g));
	member_free(&m);
	return r;
}

static const struct cmd member_cmds[] = {
	{ "keypackage", member_keypackage, "a KeyPackage and its private file",
	  usage_keypackage },
	{ "create", member_create, "a new group of one member", usage_create },
	{ "join", member_join, "join from a Welcome", usage_join },
	{ "add", member_add, "commit Adds: Commit and Welcome", usage_add },
	{ "remove", member_remove, "commit Removes", usage_remove },
	{ "update", member_update, "commit an update of one's keys", usage_update },
	{ "commit", member_commit, "merge or discard the pending commit",
	  usage_commit },
	{ "process", member_process, "process a handshake message",
	  usage_process },
	{ "send", member_send, "an application message", usage_send },
	{ "receive", member_receive, "open an application message",
	  usage_receive },
	{ "show", member_show, "the member's group, epoch and leaf", usage_show },
};

int cmd_member(const struct mlsctl_opts *o, int argc, char **argv)
{
	return run_cmd("mlsctl member", member_cmds, ARRAY_SIZE(member_cmds),
		       o, argc, argv);
}

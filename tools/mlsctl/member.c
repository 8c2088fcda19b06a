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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The words every member command may take. */
struct margs {
	const char *state, *new_state, *out, *in, *welcome, *tree, *private;
	const char *identity;
	const char *sign_key, *psk, *extensions;
	const char *kps[64];
	size_t n_kps;
	uint32_t leaves[64];
	size_t n_leaves;
	const char *proposals[64];
	size_t n_proposals;
	uint32_t suite, lifetime_days, version;
	struct mls_bytes group_id, psk_id, ext_hex;
	uint64_t resumption_epoch;
	bool resumption, merge, discard, priv_msg, wait, reinit, suite_given;
};

/* The words that stand alone (flags) and those whose value is kept as is. */
static const struct {
	const char *word;
	size_t off;
} flag_words[] = {
	{ "merge", offsetof(struct margs, merge) },
	{ "discard", offsetof(struct margs, discard) },
	{ "private-message", offsetof(struct margs, priv_msg) },
	{ "wait", offsetof(struct margs, wait) },
	{ "reinit", offsetof(struct margs, reinit) },
}, text_words[] = {
	{ "state", offsetof(struct margs, state) },
	{ "new-state", offsetof(struct margs, new_state) },
	{ "out", offsetof(struct margs, out) },
	{ "in", offsetof(struct margs, in) },
	{ "welcome", offsetof(struct margs, welcome) },
	{ "tree", offsetof(struct margs, tree) },
	{ "private", offsetof(struct margs, private) },
	{ "identity", offsetof(struct margs, identity) },
	{ "sign-key", offsetof(struct margs, sign_key) },
	{ "psk", offsetof(struct margs, psk) },
	{ "extensions", offsetof(struct margs, extensions) },
};

/* @a's field of flag word @w, or NULL. */
static bool *flag_word(struct margs *a, const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_words); i++)
		if (strcmp(w, flag_words[i].word) == 0)
			return (bool *)((char *)a + flag_words[i].off);
	return NULL;
}

/* @a's field of text word @w, or NULL. */
static const char **text_word(struct margs *a, const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_words); i++)
		if (strcmp(w, text_words[i].word) == 0)
			return (const char **)((char *)a + text_words[i].off);
	return NULL;
}

/* Which words a command takes, as a string of their names. */
static int parse_margs(const char *cmd, const char *allowed, int argc,
		       char **argv, struct margs *a)
{
	memset(a, 0, sizeof(*a));
	a->suite = 1;
	a->version = 1;
	a->lifetime_days = 90;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], **text;
		char key[24];
		bool *flag;

		snprintf(key, sizeof(key), " %s ", w);
		if (strlen(w) >= sizeof(key) - 2 || !strstr(allowed, key))
			return usage_error("member %s: unknown argument \"%s\"",
					   cmd, w);
		flag = flag_word(a, w);
		text = text_word(a, w);
		if (flag) {
			*flag = true;
			continue;
		}
		if (!arg_next(argc, argv, &i))
			return EXIT_USAGE;
		if (text) {
			*text = argv[i];
		} else if (strcmp(w, "psk-id") == 0) {
			mls_bytes_free(&a->psk_id);
			if (!parse_hex(argv[i], &a->psk_id) || !a->psk_id.len ||
			    a->psk_id.len > MLS_MAX_PSK_ID_LEN)
				return usage_error("psk-id: 1 to %d bytes of hex",
						   MLS_MAX_PSK_ID_LEN);
		} else if (strcmp(w, "resumption-psk") == 0) {
			a->resumption = true;
			if (!parse_u64(argv[i], &a->resumption_epoch))
				return usage_error("resumption-psk: an epoch, not \"%s\"",
						   argv[i]);
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
		} else if (strcmp(w, "proposal") == 0) {
			if (a->n_proposals == ARRAY_SIZE(a->proposals))
				return usage_error("member %s: too many proposal",
						   cmd);
			a->proposals[a->n_proposals++] = argv[i];
		} else if (strcmp(w, "extensions-hex") == 0) {
			mls_bytes_free(&a->ext_hex);
			if (!parse_hex(argv[i], &a->ext_hex) || !a->ext_hex.len)
				return usage_error("extensions-hex: an encoded "
						   "Extension extensions<V>, in hex");
		} else if (strcmp(w, "version") == 0) {
			if (!parse_u32(argv[i], &a->version) || !a->version ||
			    a->version > UINT16_MAX)
				return usage_error("version: 1 to 65535, not \"%s\"",
						   argv[i]);
		} else if (strcmp(w, "suite") == 0) {
			a->suite_given = true;
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

/* Whether @a has the word @w (a value word, or one that repeats). */
static bool given(struct margs *a, const char *w)
{
	const char **text = text_word(a, w);

	if (text)
		return *text;
	if (strcmp(w, "group-id") == 0)
		return a->group_id.data;
	if (strcmp(w, "key-package") == 0)
		return a->n_kps;
	if (strcmp(w, "leaf") == 0)
		return a->n_leaves;
	if (strcmp(w, "proposal") == 0)
		return a->n_proposals;
	if (strcmp(w, "extensions-hex") == 0)
		return a->ext_hex.data;
	return false;
}

/* The words of @required ("state out"), in their order, are there. */
static int need(const char *cmd, const char *required, struct margs *a)
{
	const char *p = required;

	while (*p) {
		size_t n = strcspn(p, " ");
		char w[24];

		if (n && n < sizeof(w)) {
			memcpy(w, p, n);
			w[n] = '\0';
			if (!given(a, w))
				return usage_error("member %s: \"%s\" is required",
						   cmd, w);
		}
		p += n + (p[n] == ' ');
	}
	return EXIT_OK;
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
 * commit's @state, @epoch is the one it leads to. @reinit: the merged
 * Commit ended the group with a ReInit ("reinit" after @state).
 */
static int print_member_r(const struct mlsctl_opts *o, const struct member *m,
			  const char *state, uint64_t epoch, bool reinit)
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
		printf(state ? " %s" : "", state);
		printf(reinit ? " reinit\n" : "\n");
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
	if (state) {
		jw_str(&w, "commit", state);
		jw_bool(&w, "reinit", reinit);
	}
	jw_obj_end(&w);
	return EXIT_OK;
}

static int print_member(const struct mlsctl_opts *o, const struct member *m,
			const char *state, uint64_t epoch)
{
	return print_member_r(o, m, state, epoch, false);
}

/* ---------------------------------------------------- running a command */

/* What a command's table entry asks of the runner (struct mcmd.flags). */
enum {
	MC_NEW_STATE	= 1 << 0,	/* state FILE must not exist yet */
	MC_READS_IN	= 1 << 1,	/* in FILE (default stdin) into mrun.in */
	MC_LOADS	= 1 << 2,	/* the member of state FILE into mrun.m */
	MC_SAVES_STATE	= 1 << 3,	/* changes the member: state FILE locked */
	MC_LIVE		= 1 << 4,	/* refused once a ReInit ended the group */
	MC_ENDED	= 1 << 5,	/* only once a ReInit ended the group */
};

/* One run of a member command: its words and what the runner got for it. */
struct mrun {
	const struct mlsctl_opts *o;
	const char *cmd;
	struct margs a;
	struct member m;		/* MC_LOADS */
	struct member nm;		/* reinit-create, reinit-join: the new one */
	struct mls_bytes in;		/* MC_READS_IN */
	int lock;			/* MC_SAVES_STATE: state_lock() */
	struct mls_bytes psk;		/* the value of psk FILE */
	/* add: the KeyPackages of its key-package FILEs */
	struct mlsc_keypkg *kps[ARRAY_SIZE(((struct margs *)0)->kps)];
	/* extensions FILE or extensions-hex HEX, and the list in it */
	struct mls_bytes ext_bytes;
	struct mlsc_ext ext[MEMBER_MAX_EXT];
	size_t n_ext;
	/* the ProposalRefs of the proposal FILEs, once processed */
	struct mls_bytes refs[ARRAY_SIZE(((struct margs *)0)->proposals)];
	size_t n_refs;
};

/*
 * A member command: the words it takes, those it requires (in the order
 * they are asked for), what the runner does before it, a check of the
 * words and inputs before the member is loaded, and the command itself.
 */
struct mcmd {
	const char *words;
	const char *required;
	unsigned int flags;
	int (*check)(struct mrun *r);
	int (*act)(struct mrun *r);
};

/*
 * The state file a command writes: new-state FILE for those that start
 * a member from the one a ReInit ended, else state FILE.
 */
static const char *written_state(const struct margs *a)
{
	return a->new_state ? a->new_state : a->state;
}

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

/* An external PSK: psk-id HEX and the secret of psk FILE, together. */
static int read_psk(struct mrun *run)
{
	const struct margs *a = &run->a;
	int err;

	if (!a->psk != !a->psk_id.data)
		return usage_error("member %s: psk-id and psk go together",
				   run->cmd);
	if (!a->psk)
		return EXIT_OK;
	err = read_file(a->psk, MLS_MAX_PSK_LEN, &run->psk);
	if (err) {
		fprintf(stderr, "mlsctl: psk %s: %s\n", a->psk,
			err == -EFBIG ? "more than 1024 bytes" : strerror(-err));
		return EXIT_USAGE;
	}
	if (!run->psk.len)
		return usage_error("psk %s: empty", a->psk);
	return EXIT_OK;
}

/* -ESHUTDOWN of the client (a ReInit ended the group) or the kernel's. */
static int member_error(struct mrun *run, int err)
{
	struct mlsc_reinit_params rp;

	if (err == -ESHUTDOWN && mlsc_group_reinit(run->m.g, &rp) == 0) {
		mlsc_reinit_params_free(&rp);
		return op_error(err, "member %s: a ReInit ended the group "
				"(mlsctl member reinit)", run->cmd);
	}
	return op_error(err, "member %s", run->cmd);
}

/* extensions FILE or extensions-hex HEX: the list in run->ext. */
static int read_ext(struct mrun *run)
{
	const struct margs *a = &run->a;
	const struct mls_bytes *b = &a->ext_hex;
	int err;

	if (a->extensions && a->ext_hex.data)
		return usage_error("member %s: extensions or extensions-hex, "
				   "not both", run->cmd);
	if (a->extensions) {
		err = read_msg("extensions", a->extensions, &run->ext_bytes);
		if (err)
			return err;
		b = &run->ext_bytes;
	}
	if (!b->data)
		return EXIT_OK;
	err = ext_list_parse(b, run->ext, ARRAY_SIZE(run->ext), &run->n_ext);
	if (err == -E2BIG)
		return usage_error("member %s: more than %d extensions",
				   run->cmd, MEMBER_MAX_EXT);
	if (err)
		return usage_error("member %s: extensions: not one RFC 9420 "
				   "Extension extensions<V> (with its length)",
				   run->cmd);
	return EXIT_OK;
}

static bool has_ext(const struct margs *a)
{
	return a->extensions || a->ext_hex.data;
}

/* reinit's words: group-id with it, suite and version only with it. */
static int reinit_words(const struct mrun *run)
{
	const struct margs *a = &run->a;

	if (a->reinit && !a->group_id.data)
		return usage_error("member %s: reinit needs group-id", run->cmd);
	if (!a->reinit && (a->group_id.data || a->suite_given ||
			   a->version != 1))
		return usage_error("member %s: group-id, suite and version go "
				   "with reinit", run->cmd);
	return EXIT_OK;
}

/*
 * The ReInit of the words (reinit group-id HEX [suite N] [version N]
 * [EXTENSIONS]) as @p, pointing to @ri: its suite, when not given, the
 * group's.
 */
static int reinit_proposal(struct mrun *run, struct mlsc_reinit_spec *ri,
			   struct mlsc_proposal_spec *p)
{
	const struct margs *a = &run->a;
	struct mls_group_info info;
	int r;

	memset(ri, 0, sizeof(*ri));
	ri->group_id = a->group_id.data;
	ri->group_id_len = a->group_id.len;
	ri->version = (uint16_t)a->version;
	ri->cipher_suite = (uint16_t)a->suite;
	if (!a->suite_given) {
		memset(&info, 0, sizeof(info));
		r = mls_group_info(mlsc_group_fd(run->m.g), &info, NULL, NULL);
		if (r)
			return op_error(r, "group info");
		ri->cipher_suite = (uint16_t)info.suite;
	}
	ri->extensions = run->ext;
	ri->n_extensions = run->n_ext;
	memset(p, 0, sizeof(*p));
	p->type = MLSC_PROPOSE_REINIT;
	p->psk = ri;
	p->psk_len = sizeof(*ri);
	return EXIT_OK;
}

static int member_run(const struct mlsctl_opts *o, const char *cmd,
		      const struct mcmd *mc, int argc, char **argv)
{
	struct mrun run = { .o = o, .cmd = cmd, .lock = -1 };
	struct margs *a = &run.a;
	int r;

	r = parse_margs(cmd, mc->words, argc, argv, a);
	if (!r)
		r = need(cmd, mc->required, a);
	if (!r)
		r = read_psk(&run);
	/* (no lock file beside a state that is not there: load says so) */
	if (!r && (mc->flags & MC_SAVES_STATE) &&
	    ((mc->flags & MC_NEW_STATE) || access(a->state, F_OK) == 0))
		r = state_lock(written_state(a), a->wait, &run.lock);
	if (!r && (mc->flags & MC_NEW_STATE))
		r = fresh(a->new_state ? "new-state" : "state", written_state(a));
	if (!r && (mc->flags & MC_READS_IN))
		r = read_msg("in", a->in ? a->in : "-", &run.in);
	if (!r && mc->check)
		r = mc->check(&run);
	if (!r && (mc->flags & MC_LOADS))
		r = load(a, &run.m);
	if (!r && (mc->flags & MC_LIVE) && ended(a->state))
		r = op_error(-ESHUTDOWN, "member %s: a ReInit ended the group "
			     "(mlsctl member reinit)", cmd);
	if (!r && (mc->flags & MC_ENDED) && !ended(a->state))
		r = op_error(-ENOENT, "member %s: no ReInit ended the group of "
			     "%s", cmd, a->state);
	if (!r)
		r = mc->act(&run);
	for (size_t i = 0; i < ARRAY_SIZE(run.kps); i++)
		mlsc_keypkg_free(run.kps[i]);
	member_free(&run.m);
	member_free(&run.nm);
	if (run.lock >= 0)
		close(run.lock);	/* after the state is saved */
	for (size_t i = 0; i < run.n_refs; i++)
		mls_bytes_free(&run.refs[i]);
	mls_bytes_free(&run.ext_bytes);
	mls_bytes_free(&run.psk);
	mls_bytes_free(&run.in);
	mls_bytes_free(&a->psk_id);
	mls_bytes_free(&a->group_id);
	mls_bytes_free(&a->ext_hex);
	return r;
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

static int keypackage_check(struct mrun *run)
{
	return fresh("private", run->a.private);
}

static int keypackage_act(struct mrun *run)
{
	const struct margs *a = &run->a;
	struct mlsc_keypkg_params p;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mls_sig_key *key = NULL;
	struct mls_bytes msg = { 0 }, ref = { 0 };
	struct kp_private k;
	int r;

	if (a->sign_key) {
		if (load_key(a->sign_key, a->suite, KEY_SIGN, &key))
			return EXIT_USAGE;
		if (mls_sig_key_scheme(key) !=
		    (int)mls_suite_signature_scheme(a->suite)) {
			mls_sig_key_free(key);
			return usage_error("sign-key %s: not a key of suite %u's scheme",
					   a->sign_key, a->suite);
		}
	} else {
		r = mls_sig_key_generate(a->suite, &key);
		if (r)
			return op_error(r, "member keypackage: signature key");
	}
	memset(&p, 0, sizeof(p));
	memset(&k, 0, sizeof(k));
	p.cipher_suite = (uint16_t)a->suite;
	p.credential.type = MLS_CREDENTIAL_BASIC;
	p.credential.identity = a->identity;
	p.credential.identity_len = strlen(a->identity);
	p.not_before = (uint64_t)time(NULL) - 3600;
	p.not_after = (uint64_t)time(NULL) + 86400ULL * a->lifetime_days;
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
	k.suite = (uint16_t)a->suite;
	k.key_package = msg;
	r = kp_private_write(a->private, &k);
	if (r) {
		r = op_error(r, "private %s", a->private);
		goto out;
	}
	r = write_out("out", a->out ? a->out : "-", msg.data, msg.len);
	if (!r && a->out) {
		if (run->o->json) {
			struct jw w;

			jw_init(&w, stdout);
			jw_obj(&w, NULL);
			jw_u64(&w, "suite", a->suite);
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
	"state FILE group-id HEX private FILE [wait]\n"
	"\n"
	"Creates the group HEX (its MLS group_id) in the kernel, with the\n"
	"member of the KeyPackage private FILE (member keypackage) as its only\n"
	"member, leaf 0, in epoch 0. Its state goes to the new state FILE\n"
	"(mode 0600). Prints \"id ID epoch 0 leaf 0\" (ID: the kernel id).\n";

/*
 * A new member's first save: on failure its kernel group goes again.
 * Prints it as print_member_r() with @word (NULL: none).
 */
static int save_new_as(struct mrun *run, struct member *m, const char *word,
		       uint64_t epoch)
{
	char *p = reinit_path(m->path);
	int r;

	/* a new member: a former one's STATE.reinit is not its own */
	if (p)
		unlink(p);
	free(p);
	r = state_save_new(m);

	if (r)
		mls_group_destroy(mlsc_group_fd(m->g));
	else
		r = print_member_r(run->o, m, word, epoch, false);
	return r;
}

static int save_new(struct mrun *run)
{
	return save_new_as(run, &run->m, NULL,
			   (uint64_t)mlsc_group_epoch(run->m.g));
}

/*
 * private FILE into @k (kp_private_free() it, whatever the result): its
 * signature key into *@key and, with @priv, its KeyPackage's private
 * half into *@priv. With @old, the member a ReInit ended, the
 * KeyPackage must be of the ReInit's suite.
 */
static int read_private(const struct margs *a, const struct mlsc_group *old,
			struct kp_private *k, struct mlsc_keypkg_priv **priv,
			struct mls_sig_key **key)
{
	int r = kp_private_read(a->private, k);

	if (!r && old)
		r = reinit_suite_check(old, "private", a->private, k->suite);
	if (r)
		return r;
	if (priv)
		r = mlsc_keypkg_priv_import(k->key_package.data,
					    k->key_package.len,
					    k->init_priv.data, k->init_priv.len,
					    k->enc_priv.data, k->enc_priv.len,
					    priv);
	if (!r)
		r = mls_sig_key_import(k->suite, MLS_KEY_PRIVATE,
				       k->sig_priv.data, k->sig_priv.len, key);
	return r ? op_error(r, "private %s", a->private) : EXIT_OK;
}

static int create_act(struct mrun *run)
{
	const struct margs *a = &run->a;
	struct mlsc_group_params gp;
	struct mlsc_keypkg_priv *priv = NULL;
	struct member *m = &run->m;
	struct kp_private k;
	int ctl, r;

	m->path = a->state;
	r = read_private(a, NULL, &k, &priv, &m->key);
	kp_private_free(&k);
	if (r)
		goto out;
	ctl = open_ctl();
	if (ctl < 0) {
		r = EXIT_KERNEL;
		goto out;
	}
	memset(&gp, 0, sizeof(gp));
	gp.group_id = a->group_id.data;
	gp.group_id_len = a->group_id.len;
	r = mlsc_group_create(ctl, &gp, priv, &m->g);
	close(ctl);
	if (r) {
		r = op_error(r, "member create");
		goto out;
	}
	r = save_new(run);
out:
	mlsc_keypkg_priv_free(priv);
	return r;
}

/* ---------------------------------------------------------------- join */

static const char usage_join[] =
	"state FILE private FILE welcome FILE [tree FILE] [wait]\n"
	"\n"
	"Joins the group of the MLSMessage(Welcome) in welcome FILE, as the\n"
	"member of the KeyPackage private FILE it adds: the kernel group is\n"
	"keyed from the Welcome, the tree (from the GroupInfo, or from tree\n"
	"FILE when the Welcome has none) is validated, and the state goes to\n"
	"the new state FILE (0600). Prints \"id ID epoch E leaf L\".\n";

/*
 * Join from welcome FILE as the member of private FILE, into @m (saved
 * to @m->path); @old: the member a ReInit ended, whose new group the
 * Welcome must be of (else NULL).
 */
static int join(struct mrun *run, struct member *m,
		const struct mlsc_group *old)
{
	const struct margs *a = &run->a;
	struct mls_bytes welcome = { 0 }, tree = { 0 };
	struct mlsc_welcome_keys wk;
	struct mlsc_join_args ja;
	struct mlsc_joiner *w = NULL;
	struct kp_private k = { 0 };
	int ctl = -1, r;

	r = read_msg("welcome", a->welcome, &welcome);
	if (!r && a->tree)
		r = read_msg("tree", a->tree, &tree);
	m->path = written_state(a);
	if (!r)
		r = read_private(a, old, &k, NULL, &m->key);
	if (r)
		goto out;
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
	r = old ? mlsc_reinit_welcome_open(ctl, old, welcome.data, welcome.len,
					   &wk, &w) :
		  mlsc_welcome_open(ctl, welcome.data, welcome.len, &wk, &w);
	if (r == -ENOKEY) {
		r = op_error(r, "welcome %s: not for the KeyPackage of %s",
			     a->welcome, a->private);
		goto out;
	}
	if (r == -EBADMSG) {
		r = op_error(r, "welcome %s: not a Welcome for this KeyPackage "
			     "(malformed, or it does not decrypt)", a->welcome);
		goto out;
	}
	if (r == -EPROTO && old) {
		r = op_error(r, "welcome %s: not the Welcome of the group the "
			     "ReInit of %s starts", a->welcome, a->state);
		goto out;
	}
	if (r == -EPROTO) {
		r = op_error(r, "welcome %s: refused (another suite than the "
			     "KeyPackage's, or the group of a ReInit: mlsctl "
			     "member reinit-join)", a->welcome);
		goto out;
	}
	if (r) {
		r = op_error(r, "welcome %s", a->welcome);
		goto out;
	}
	memset(&ja, 0, sizeof(ja));
	ja.ratchet_tree = tree.data;
	ja.ratchet_tree_len = tree.len;
	ja.encryption_priv = k.enc_priv.data;
	ja.encryption_priv_len = k.enc_priv.len;
	r = mlsc_welcome_join(w, &ja, &m->g);
	if (r == -ENODATA) {
		r = op_error(r, "welcome %s: it has no ratchet tree: give it with "
			     "tree FILE", a->welcome);
		goto out;
	}
	if (r) {
		r = op_error(r, "member %s", run->cmd);
		goto out;
	}
	r = save_new_as(run, m, NULL, (uint64_t)mlsc_group_epoch(m->g));
out:
	if (ctl >= 0)
		close(ctl);
	mlsc_welcome_free(w);
	kp_private_free(&k);
	mls_bytes_free(&welcome);
	mls_bytes_free(&tree);
	return r;
}

static int join_act(struct mrun *run)
{
	return join(run, &run->m, NULL);
}

/* ----------------------------------------------- commits: add, remove, update */

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
 * Commit @props (none: an update), the run's PSKs and GroupContext
 * extensions by value and its proposal FILEs by reference with the
 * run's flags, write the Commit (and the Welcome), merge if asked, save.
 * @props has room for three proposals more than @n.
 */
static int commit(struct mrun *run, struct mlsc_proposal_spec *props,
		  size_t n)
{
	const struct margs *a = &run->a;
	struct member *m = &run->m;
	struct mlsc_resumption_psk rp;
	struct mlsc_commit_args_ext ce;
	struct mlsc_commit_args *ca = &ce.base;
	struct mlsc_commit_out co;
	struct mlsc_reinit_spec ri;
	struct mlsc_gce_spec gce;
	bool update = !n, reinit = false;
	uint64_t epoch;
	int r;

	if (run->psk.len) {
		memset(&props[n], 0, sizeof(props[n]));
		props[n].type = MLSC_PROPOSE_PSK;
		props[n].psk_id = a->psk_id.data;
		props[n].psk_id_len = a->psk_id.len;
		props[n].psk = run->psk.data;
		props[n++].psk_len = run->psk.len;
	}
	if (a->resumption) {
		memset(&rp, 0, sizeof(rp));
		rp.group_fd = mlsc_group_fd(m->g);
		rp.epoch = a->resumption_epoch;
		memset(&props[n], 0, sizeof(props[n]));
		props[n].type = MLSC_PROPOSE_PSK_RESUMPTION;
		props[n].psk = &rp;
		props[n++].psk_len = sizeof(rp);
	}
	if (a->reinit) {
		/* alone (the library says so otherwise): EXTENSIONS are its */
		r = reinit_proposal(run, &ri, &props[n++]);
		if (r)
			return r;
	} else if (has_ext(a)) {
		/* an empty list too: it removes every extension */
		gce.extensions = run->ext;
		gce.n_extensions = run->n_ext;
		memset(&props[n], 0, sizeof(props[n]));
		props[n].type = MLSC_PROPOSE_GCE;
		props[n].psk = &gce;
		props[n++].psk_len = sizeof(gce);
	}
	memset(&ce, 0, sizeof(ce));
	/* an update stays one with PSKs: its path is asked for */
	ca->flags = (a->priv_msg ? MLSC_COMMIT_F_PRIVATE : 0) |
		    (a->tree ? 0 : MLSC_COMMIT_F_RATCHET_TREE) |
		    (update && n ? MLSC_COMMIT_F_PATH : 0);
	ca->proposals = props;
	ca->n_proposals = n;
	ca->sig_key = m->key;
	if (run->n_refs) {
		ca->flags |= MLSC_COMMIT_F_EXT;
		ce.proposal_refs = run->refs;
		ce.n_proposal_refs = run->n_refs;
	}
	r = mlsc_commit_create(m->g, ca, &co);
	if (r)
		return member_error(run, r);
	epoch = co.epoch;
	if (co.welcome.len && !a->welcome) {
		/* an Add by reference: its new members need the Welcome */
		mlsc_commit_out_free(&co);
		mlsc_commit_discard(m->g);
		return usage_error("member %s: the Commit adds members: "
				   "welcome FILE is required", run->cmd);
	}
	r = write_out("out", a->out, co.commit.data, co.commit.len);
	if (!r && a->welcome && co.welcome.len)
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
			return op_error(r, "member %s: merge", run->cmd);
		r = mark_ended(m, &reinit);
		if (!r && a->tree)
			r = write_tree(m, a->tree);
	}
	if (!r)
		r = state_save(m);
	return r ? r : print_member_r(run->o, m, a->merge ? "merged" : "pending",
				      epoch, reinit);
}

static const char usage_add[] =
	"state FILE key-package FILE [key-package FILE...] out FILE\n"
	"	welcome FILE [merge [tree FILE]] [private-message] [PSK...] [wait]\n"
	"\n"
	"Commits the Add of the members of the KeyPackages (MLSMessage files):\n"
	"the Commit goes to out FILE (a PublicMessage; private-message: a\n"
	"PrivateMessage), the Welcome for the new members to welcome FILE, with\n"
	"the ratchet tree in it unless tree FILE is given, which then gets the\n"
	"tree. The commit stays pending (member commit merge or discard once\n"
	"the delivery service decided); merge: merged at once.\n"
	"\n"
	"PSK: psk-id HEX psk FILE, an external PSK (its id, and its secret:\n"
	"the bytes of FILE, 1 to 1024) the Commit proposes, which the members\n"
	"give to member process too; resumption-psk EPOCH, the group's own\n"
	"resumption PSK of EPOCH (its current one or one the kernel keeps).\n"
	"\n"
	"A command that changes the member holds state FILE.lock: another one\n"
	"on the same state fails at once (\"in use\"), or waits with wait.\n";

/* The KeyPackages, read before the member is loaded. */
static int add_check(struct mrun *run)
{
	const struct margs *a = &run->a;
	int r = EXIT_OK;

	if (a->tree && !a->merge)
		return usage_error("member %s: tree FILE needs merge (or: member "
				   "commit merge tree FILE)", run->cmd);
	for (size_t i = 0; !r && i < a->n_kps; i++) {
		struct mls_bytes b;

		r = read_msg("key-package", a->kps[i], &b);
		if (r)
			break;
		r = mlsc_keypkg_parse(b.data, b.len, &run->kps[i]);
		mls_bytes_free(&b);
		if (r)
			r = op_error(r, "key-package %s: not an MLSMessage(KeyPackage)",
				     a->kps[i]);
	}
	return r;
}

static int add_act(struct mrun *run)
{
	struct mlsc_proposal_spec props[ARRAY_SIZE(run->kps) + 3];

	for (size_t i = 0; i < run->a.n_kps; i++) {
		memset(&props[i], 0, sizeof(props[i]));
		props[i].type = MLSC_PROPOSE_ADD;
		props[i].key_package = run->kps[i];
	}
	return commit(run, props, run->a.n_kps);
}

static const char usage_remove[] =
	"state FILE leaf N [leaf N...] out FILE [merge] [private-message]\n"
	"	[PSK...] [wait]\n"
	"\n"
	"Commits the Remove of the members at leaves N, with an UpdatePath: the\n"
	"Commit goes to out FILE. Pending until member commit, or merge. PSK,\n"
	"wait: as member add.\n";

static int remove_act(struct mrun *run)
{
	struct mlsc_proposal_spec props[ARRAY_SIZE(run->a.leaves) + 3];

	for (size_t i = 0; i < run->a.n_leaves; i++) {
		memset(&props[i], 0, sizeof(props[i]));
		props[i].type = MLSC_PROPOSE_REMOVE;
		props[i].leaf = run->a.leaves[i];
	}
	return commit(run, props, run->a.n_leaves);
}

static const char usage_update[] =
	"state FILE out FILE [merge] [private-message] [PSK...] [wait]\n"
	"\n"
	"Commits an update of the member's own leaf and path (new HPKE keys):\n"
	"the Commit goes to out FILE. Pending until member commit, or merge.\n"
	"PSK (psk-id HEX psk FILE, resumption-psk EPOCH), wait: as member add.\n";

static int update_act(struct mrun *run)
{
	struct mlsc_proposal_spec props[3];

	return commit(run, props, 0);
}

static const char usage_commit[] =
	"state FILE merge [tree FILE] [wait] | state FILE discard [wait]\n"
	"	| state FILE out FILE [proposal FILE...] [EXTENSIONS] [welcome FILE]\n"
	"	[merge [tree FILE]] [private-message] [PSK...] [wait]\n"
	"	| state FILE out FILE reinit group-id HEX [suite N] [version N]\n"
	"	[EXTENSIONS] [merge] [private-message] [wait]\n"
	"\n"
	"The delivery service's decision on the member's pending Commit: merge\n"
	"(accepted: its epoch becomes current; tree FILE gets the new ratchet\n"
	"tree, for joiners whose Welcome lacks it) or discard (rejected: the\n"
	"member stays in its epoch). The kernel discards a pending commit by\n"
	"itself after the group's commit timeout (30 s by default).\n"
	"\n"
	"With out FILE, makes a Commit (to out FILE): of the proposals of the\n"
	"proposal FILEs (Proposal messages of other members or from outside\n"
	"the group, processed first) by reference, and of a\n"
	"GroupContextExtensions by value with EXTENSIONS: extensions FILE or\n"
	"extensions-hex HEX, an encoded Extension extensions<V> (00: none);\n"
	"or, with reinit, of a ReInit by value (alone), its words and\n"
	"EXTENSIONS as for member propose reinit.\n"
	"The Welcome of an Add by reference goes to welcome FILE. proposal\n"
	"needs merge: the state file keeps no proposal. Prints as member add\n"
	"does, with \"reinit\" when the Commit ended the group. PSK, wait: as\n"
	"member add.\n";

static int commit_check(struct mrun *run)
{
	const struct margs *a = &run->a;
	int r = reinit_words(run);

	if (r)
		return r;
	if (a->out) {
		if (a->discard)
			return usage_error("member commit: out makes a Commit: "
					   "discard goes without it");
		if (a->n_proposals && !a->merge)
			return usage_error("member commit: proposal needs merge "
					   "(the state file keeps no proposal)");
		if (a->tree && !a->merge)
			return usage_error("member commit: tree goes with merge");
		return read_ext(run);
	}
	if (a->n_proposals || has_ext(a) || a->welcome || a->priv_msg ||
	    a->psk || a->resumption || a->reinit)
		return usage_error("member commit: proposal, extensions, "
				   "reinit, welcome, private-message and PSKs "
				   "go with out");
	if (a->merge == a->discard)
		return usage_error("member commit: merge or discard");
	if (a->tree && !a->merge)
		return usage_error("member commit: tree goes with merge");
	return EXIT_OK;
}

/*
 * The proposal FILEs, processed in the order given; with @refs their
 * ProposalRefs go to run->refs, for the Commit.
 */
static int take_proposals(struct mrun *run, bool refs)
{
	struct mlsc_process_opts po = { .flags = MLSC_PROCESS_F_OUTSIDERS };
	const struct margs *a = &run->a;

	for (size_t i = 0; i < a->n_proposals; i++) {
		struct mlsc_processed p = { 0 };
		struct mls_bytes b;
		int r;

		r = read_msg("proposal", a->proposals[i], &b);
		if (r)
			return r;
		/* never a Commit here: it would move the kernel's epoch */
		if (msg_content_type(&b) != MLS_CONTENT_PROPOSAL) {
			mls_bytes_free(&b);
			return op_error(-EBADMSG, "proposal %s: not a Proposal "
					"message", a->proposals[i]);
		}
		r = mlsc_group_process(run->m.g, b.data, b.len, &po, &p);
		mls_bytes_free(&b);
		if (r == -EALREADY)
			return op_error(r, "proposal %s: given twice, or a "
					"PrivateMessage already opened (in an "
					"earlier run)", a->proposals[i]);
		if (r)
			return op_error(r, "proposal %s", a->proposals[i]);
		if (refs) {
			run->refs[run->n_refs++] = p.proposal_ref;
			p.proposal_ref = (struct mls_bytes){ 0 };
		}
		mlsc_processed_free(&p);
	}
	return EXIT_OK;
}

static int commit_new(struct mrun *run)
{
	struct mlsc_proposal_spec props[3];
	int r = take_proposals(run, true);

	return r ? r : commit(run, props, 0);
}

static int commit_act(struct mrun *run)
{
	const struct margs *a = &run->a;
	struct member *m = &run->m;
	bool reinit = false;
	int r;

	if (a->out)
		return commit_new(run);

	r = a->merge ? mlsc_commit_merge(m->g) : mlsc_commit_discard(m->g);
	if (r == -ENOENT)
		return op_error(r, "member commit: no pending commit");
	if (r == -ETIMEDOUT || r == -ESTALE) {
		/* dropped here and in the kernel: the member stays as it is */
		state_save(m);
		return op_error(r, "member commit: the kernel discarded it");
	}
	if (r)
		return op_error(r, "member commit");
	if (a->merge)
		r = mark_ended(m, &reinit);
	if (!r && a->tree)
		r = write_tree(m, a->tree);
	if (!r)
		r = state_save(m);
	if (!r)
		r = print_member_r(run->o, m, a->merge ? "merged" : "discarded",
				   (uint64_t)mlsc_group_epoch(m->g), reinit);
	return r;
}

/* ------------------------------------------------ process, send, receive */

/* RFC 9420 §6's name of a SenderType. */
static const char *sender_type_name(uint32_t t)
{
	switch (t) {
	case MLS_SENDER_MEMBER:
		return "member";
	case MLS_SENDER_EXTERNAL:
		return "external";
	case MLS_SENDER_NEW_MEMBER_PROPOSAL:
		return "new_member_proposal";
	case MLS_SENDER_NEW_MEMBER_COMMIT:
		return "new_member_commit";
	default:
		return "unknown";
	}
}

static int show_processed(const struct mlsctl_opts *o,
			  const struct mlsc_processed *p, bool quiet,
			  bool reinit)
{
	bool removed = p->flags & MLSC_PROCESSED_F_REMOVED;
	struct jw w;

	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "content_type", content_type_name(p->content_type));
		jw_u64(&w, "epoch", p->epoch);
		jw_str(&w, "sender_type", sender_type_name(p->sender_type));
		if (p->sender_type == MLS_SENDER_EXTERNAL)
			jw_u64(&w, "sender_index", p->sender_leaf);
		else if (p->sender_leaf != MLSC_SENDER_NONE)
			jw_u64(&w, "sender_leaf", p->sender_leaf);
		else
			jw_null(&w, "sender_leaf");
		jw_bool(&w, "removed", removed);
		jw_bool(&w, "reinit", reinit);
		if (p->proposal_ref.len)
			jw_hex(&w, "proposal_ref", p->proposal_ref.data,
			       p->proposal_ref.len);
		else
			jw_null(&w, "proposal_ref");
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
	fprintf(quiet ? stderr : stdout, "%s epoch %llu ",
		content_type_name(p->content_type), (unsigned long long)p->epoch);
	if (p->sender_type == MLS_SENDER_EXTERNAL)
		fprintf(quiet ? stderr : stdout, "sender external index %u",
			p->sender_leaf);
	else if (p->sender_type == MLS_SENDER_NEW_MEMBER_PROPOSAL)
		fprintf(quiet ? stderr : stdout, "sender new_member_proposal");
	else
		fprintf(quiet ? stderr : stdout, "sender-leaf %u%s",
			p->sender_leaf,
			p->sender_type == MLS_SENDER_NEW_MEMBER_COMMIT ?
			" new_member_commit" : "");
	if (p->proposal_ref.len) {
		fprintf(quiet ? stderr : stdout, " ref ");
		print_hex(quiet ? stderr : stdout, p->proposal_ref.data,
			  p->proposal_ref.len);
	}
	fprintf(quiet ? stderr : stdout, "%s%s\n", removed ? " removed" : "",
		reinit ? " reinit" : "");
	return EXIT_OK;
}

/* A message of the group; receive: not a handshake PublicMessage. */
static int check_in(struct mrun *run, bool receive)
{
	const char *in = run->a.in ? run->a.in : "stdin";
	struct mlsc_message *msg = NULL;
	int r, wf;

	r = mlsc_message_parse(run->in.data, run->in.len, &msg);
	wf = r ? r : mlsc_message_wire_format(msg);
	mlsc_message_free(msg);
	if (wf != MLS_WIRE_FORMAT_PUBLIC_MESSAGE && wf != MLS_WIRE_FORMAT_PRIVATE_MESSAGE)
		return op_error(-EBADMSG, "in %s: not a PublicMessage or PrivateMessage",
				in);
	if (receive && wf == MLS_WIRE_FORMAT_PUBLIC_MESSAGE)
		return usage_error("in %s: a handshake message (PublicMessage): "
				   "use mlsctl member process", in);
	return EXIT_OK;
}

static int process_check(struct mrun *run)
{
	return check_in(run, false);
}

static int receive_check(struct mrun *run)
{
	return check_in(run, true);
}

static int process_act(struct mrun *run)
{
	bool receive = strcmp(run->cmd, "receive") == 0;
	/* proposals from outside the group too, their sender shown */
	struct mlsc_process_opts po = { .flags = MLSC_PROCESS_F_OUTSIDERS };
	struct mlsc_processed p = { 0 };
	struct mlsc_psk psk = { 0 };
	bool reinit = false;
	int r;

	/* the group a ReInit ended takes no more handshake */
	if (ended(run->a.state) &&
	    msg_content_type(&run->in) != MLS_CONTENT_APPLICATION)
		return op_error(-ESHUTDOWN, "member %s: a ReInit ended the "
				"group (mlsctl member reinit)", run->cmd);
	r = take_proposals(run, false);
	if (r)
		return r;
	if (run->psk.len) {
		psk.type = MLS_PSK_EXTERNAL;
		psk.id = run->a.psk_id.data;
		psk.id_len = run->a.psk_id.len;
		psk.secret = run->psk.data;
		psk.secret_len = run->psk.len;
		psk.group_fd = -1;
		po.psks = &psk;
		po.n_psks = 1;
	}
	r = mlsc_group_process(run->m.g, run->in.data, run->in.len, &po, &p);
	if (r)
		return member_error(run, r);
	if (p.content_type == MLS_CONTENT_COMMIT &&
	    !(p.flags & MLSC_PROCESSED_F_REMOVED)) {
		r = mark_ended(&run->m, &reinit);
		if (!r)
			r = state_save(&run->m);
	}
	if (!r)
		r = show_processed(run->o, &p, receive, reinit);
	mlsc_processed_free(&p);
	return r;
}

static const char usage_process[] =
	"state FILE [in FILE] [proposal FILE...] [psk-id HEX psk FILE] [wait]\n"
	"\n"
	"Processes a message of the group (PublicMessage or PrivateMessage,\n"
	"default stdin): a Commit is verified and applied (the member moves to\n"
	"its epoch), a proposal kept for the epoch's Commit, an application\n"
	"message's data printed. Prints \"commit epoch E sender-leaf L\" (with\n"
	"\"removed\" when the Commit removes this member: it stays in its epoch,\n"
	"and can read nothing of the next; \"reinit\" when it ends the group:\n"
	"mlsctl member reinit). psk-id HEX psk FILE: the external PSK a\n"
	"Commit may propose (a resumption PSK of the group needs none).\n"
	"proposal FILE: a Proposal message the Commit names by reference,\n"
	"processed first (the state file keeps no proposal), the member's own\n"
	"too if a PublicMessage (the kernel opens no PrivateMessage of its\n"
	"own). A proposal prints \"proposal epoch E ... ref HEX\", its\n"
	"ProposalRef.\n";

static const char usage_receive[] =
	"state FILE [in FILE] [proposal FILE...] [psk-id HEX psk FILE] [wait]\n"
	"\n"
	"Decrypts an application message (PrivateMessage, default stdin) in the\n"
	"kernel, verifies its sender's signature and prints its data. A Commit\n"
	"sent as a PrivateMessage is applied as member process does.\n";

static const char usage_send[] =
	"state FILE [in FILE] [out FILE]\n"
	"\n"
	"Signs the data of in FILE (default stdin) with the member's key and\n"
	"encrypts it in the kernel: the PrivateMessage goes to out FILE\n"
	"(default stdout).\n";

static int send_act(struct mrun *run)
{
	struct member *m = &run->m;
	struct mls_sent s = { 0 };
	int r;

	r = mls_send(mlsc_group_fd(m->g), m->key, run->in.data, run->in.len,
		     NULL, 0, &s);
	if (r)
		return op_error(r, "member send");
	r = write_out("out", run->a.out ? run->a.out : "-", s.message.data,
		      s.message.len);
	mls_bytes_free(&s.message);
	return r;
}

static const char usage_show[] =
	"state FILE\n"
	"\n"
	"The member of state FILE: kernel id, epoch and leaf (-j: also the\n"
	"group_id, suite, number of leaves and the kernel group's epoch).\n";

static int show_act(struct mrun *run)
{
	return print_member(run->o, &run->m, NULL,
			    (uint64_t)mlsc_group_epoch(run->m.g));
}

/* ------------------------------------------------- propose, reinit */

static const char usage_propose[] =
	"state FILE EXTENSIONS [out FILE] [private-message]\n"
	"	| state FILE reinit group-id HEX [suite N] [version N] [EXTENSIONS]\n"
	"	[out FILE] [private-message]\n"
	"\n"
	"A Proposal message of the member, to out FILE (default stdout): a\n"
	"GroupContextExtensions of EXTENSIONS (extensions FILE or\n"
	"extensions-hex HEX: an encoded Extension extensions<V>, the whole new\n"
	"list; 00: none), or with reinit a ReInit to the new group HEX of\n"
	"suite N (default: the group's), version N (default 1, mls10) and\n"
	"EXTENSIONS (default none). A PublicMessage; private-message: a\n"
	"PrivateMessage. Another member commits it (member commit out FILE\n"
	"proposal FILE merge). With out FILE, prints its ProposalRef (hex).\n";

static int propose_check(struct mrun *run)
{
	const struct margs *a = &run->a;
	int r;

	if (!a->reinit && !has_ext(a))
		return usage_error("member propose: extensions, extensions-hex "
				   "or reinit");
	r = reinit_words(run);
	return r ? r : read_ext(run);
}

static int propose_act(struct mrun *run)
{
	const struct margs *a = &run->a;
	struct member *m = &run->m;
	struct mlsc_proposal_spec ps;
	struct mlsc_propose_args pa;
	struct mlsc_proposal_out po;
	struct mlsc_reinit_spec ri;
	struct mlsc_gce_spec gce;
	int r;

	memset(&ps, 0, sizeof(ps));
	if (a->reinit) {
		r = reinit_proposal(run, &ri, &ps);
		if (r)
			return r;
	} else {
		gce.extensions = run->ext;
		gce.n_extensions = run->n_ext;
		ps.type = MLSC_PROPOSE_GCE;
		ps.psk = &gce;
		ps.psk_len = sizeof(gce);
	}
	memset(&pa, 0, sizeof(pa));
	pa.flags = a->priv_msg ? MLSC_PROPOSE_F_PRIVATE : 0;
	pa.proposal = &ps;
	pa.sig_key = m->key;
	r = mlsc_group_propose(m->g, &pa, &po);
	if (r)
		return member_error(run, r);
	r = write_out("out", a->out ? a->out : "-", po.message.data,
		      po.message.len);
	if (!r && a->out) {
		if (run->o->json) {
			struct jw w;

			jw_init(&w, stdout);
			jw_obj(&w, NULL);
			jw_hex(&w, "proposal_ref", po.ref.data, po.ref.len);
			jw_obj_end(&w);
		} else {
			print_hex(stdout, po.ref.data, po.ref.len);
			putchar('\n');
		}
	}
	mlsc_proposal_out_free(&po);
	return r;
}

static const char usage_reinit[] =
	"state FILE\n"
	"\n"
	"The ReInit that ended the member's group, once its Commit was merged\n"
	"or processed: \"group-id HEX version N suite N extensions HEX\", the\n"
	"new group to start (extensions: the encoded Extension extensions<V>).\n"
	"The group takes no proposal or Commit any more (ESHUTDOWN); its\n"
	"last epoch stays in the kernel, which sends nothing in it any more\n"
	"(EPIPE). ENOENT: no ReInit ended it. Kept in state FILE.reinit, the\n"
	"RFC 9420 ReInit struct.\n";

static int reinit_act(struct mrun *run)
{
	return reinit_show(run->o, run->a.state);
}

/* ------------------------------------- the group a ReInit starts */

static const char usage_reinit_create[] =
	"state FILE new-state FILE private FILE key-package FILE\n"
	"	[key-package FILE...] out FILE welcome FILE [merge [tree FILE]]\n"
	"	[private-message] [wait]\n"
	"\n"
	"Starts the group of the ReInit that ended the group of the member of\n"
	"state FILE (RFC 9420 11.2): a new group with the ReInit's group_id,\n"
	"version, suite and extensions, whose member, leaf 0, is that of the\n"
	"KeyPackage private FILE (member keypackage, in the ReInit's suite),\n"
	"its state in the new new-state FILE (0600). Its first Commit, to out\n"
	"FILE, adds the members of the KeyPackages (of the ReInit's suite too)\n"
	"with a PreSharedKey of the old group's last epoch (usage reinit),\n"
	"which the kernel resolves; their Welcome goes to welcome FILE (with\n"
	"the tree unless tree FILE). The Commit is pending (member commit\n"
	"state NEW merge or discard; after a discard, remove the new state and\n"
	"start again with a new KeyPackage); merge: merged at once. The old\n"
	"group must keep its last epoch until all have joined (EKEYEXPIRED).\n"
	"Prints \"id ID epoch 1 leaf 0 pending\" (or merged) for the new one.\n";

static const char usage_reinit_join[] =
	"state FILE new-state FILE private FILE welcome FILE [tree FILE] [wait]\n"
	"\n"
	"Joins the group a ReInit started (member reinit-create) from its\n"
	"Welcome in welcome FILE, as the member of the KeyPackage private FILE\n"
	"(in the ReInit's suite), for the member of state FILE whose group the\n"
	"ReInit ended: the Welcome must name the reinit PSK of that group's\n"
	"last epoch, which the kernel resolves from it, and its GroupInfo the\n"
	"ReInit's new group (EPROTO otherwise). The new state goes to the new\n"
	"new-state FILE (0600), as member join does. Prints \"id ID epoch 1\n"
	"leaf L\" for the new one.\n";

static int reinit_create_act(struct mrun *run)
{
	const struct margs *a = &run->a;
	struct mlsc_commit_out co = { 0 };
	struct mlsc_keypkg_priv *own = NULL;
	struct mlsc_reinit_args ra;
	struct member *nm = &run->nm;
	struct kp_private k = { 0 };
	bool out_written, welcome_written;
	int ctl, r = EXIT_OK;

	for (size_t i = 0; !r && i < a->n_kps; i++)
		r = reinit_suite_check(run->m.g, "key-package", a->kps[i],
				       mlsc_keypkg_suite(run->kps[i]));
	if (!r)
		r = read_private(a, run->m.g, &k, &own, &nm->key);
	if (r)
		goto out;
	ctl = open_ctl();
	if (ctl < 0) {
		r = EXIT_KERNEL;
		goto out;
	}
	memset(&ra, 0, sizeof(ra));
	ra.commit_flags = (a->priv_msg ? MLSC_COMMIT_F_PRIVATE : 0) |
			  (a->tree ? 0 : MLSC_COMMIT_F_RATCHET_TREE);
	ra.own = own;
	ra.key_packages = (const struct mlsc_keypkg *const *)run->kps;
	ra.n_key_packages = a->n_kps;
	ra.sig_key = nm->key;
	nm->path = a->new_state;
	r = mlsc_reinit_create(ctl, run->m.g, &ra, &nm->g, &co);
	close(ctl);
	if (r) {
		r = op_error(r, "member reinit-create");
		goto out;
	}
	r = write_out("out", a->out, co.commit.data, co.commit.len);
	out_written = !r;
	if (!r)
		r = write_out("welcome", a->welcome, co.welcome.data,
			      co.welcome.len);
	welcome_written = out_written && !r;
	if (!r && a->merge) {
		r = mlsc_commit_merge(nm->g);
		if (r)
			r = op_error(r, "member reinit-create: merge");
	}
	if (!r && a->merge && a->tree)
		r = write_tree(nm, a->tree);
	if (r)
		mls_group_destroy(mlsc_group_fd(nm->g));
	else
		r = save_new_as(run, nm, a->merge ? "merged" : "pending",
				co.epoch);
	/* No Commit or Welcome of a group its creator did not keep. */
	if (r && out_written && strcmp(a->out, "-"))
		unlink(a->out);
	if (r && welcome_written && strcmp(a->welcome, "-"))
		unlink(a->welcome);
out:
	mlsc_commit_out_free(&co);
	mlsc_keypkg_priv_free(own);
	kp_private_free(&k);
	return r;
}

static int reinit_join_act(struct mrun *run)
{
	return join(run, &run->nm, run->m.g);
}

/* ----------------------------------------------------------- the table */

static const struct mcmd mc_keypackage = {
	" identity private out suite sign-key lifetime ", "identity private",
	0, keypackage_check, keypackage_act,
};
static const struct mcmd mc_create = {
	" state group-id private wait ", "state group-id private",
	MC_NEW_STATE | MC_SAVES_STATE, NULL, create_act,
};
static const struct mcmd mc_join = {
	" state private welcome tree wait ", "state private welcome",
	MC_NEW_STATE | MC_SAVES_STATE, NULL, join_act,
};
static const struct mcmd mc_add = {
	" state key-package out welcome tree merge private-message psk-id psk"
	" resumption-psk wait ", "state key-package out welcome",
	MC_LOADS | MC_SAVES_STATE | MC_LIVE, add_check, add_act,
};
static const struct mcmd mc_remove = {
	" state leaf out merge private-message psk-id psk resumption-psk wait ",
	"state leaf out", MC_LOADS | MC_SAVES_STATE | MC_LIVE, NULL, remove_act,
};
static const struct mcmd mc_update = {
	" state out merge private-message psk-id psk resumption-psk wait ",
	"state out", MC_LOADS | MC_SAVES_STATE | MC_LIVE, NULL, update_act,
};
static const struct mcmd mc_commit = {
	" state merge discard tree wait out proposal extensions extensions-hex"
	" welcome private-message psk-id psk resumption-psk reinit group-id"
	" suite version ", "state",
	MC_LOADS | MC_SAVES_STATE | MC_LIVE, commit_check, commit_act,
};
static const struct mcmd mc_propose = {
	" state extensions extensions-hex reinit group-id suite version out"
	" private-message ", "state", MC_LOADS | MC_LIVE, propose_check,
	propose_act,
};
static const struct mcmd mc_reinit = {
	" state ", "state", 0, NULL, reinit_act,
};
static const struct mcmd mc_reinit_create = {
	" state new-state private key-package out welcome merge tree"
	" private-message wait ",
	"state new-state private key-package out welcome",
	MC_NEW_STATE | MC_SAVES_STATE | MC_LOADS | MC_ENDED, add_check,
	reinit_create_act,
};
static const struct mcmd mc_reinit_join = {
	" state new-state private welcome tree wait ",
	"state new-state private welcome",
	MC_NEW_STATE | MC_SAVES_STATE | MC_LOADS | MC_ENDED, NULL,
	reinit_join_act,
};
static const struct mcmd mc_process = {
	" state in proposal psk-id psk wait ", "state",
	MC_READS_IN | MC_LOADS | MC_SAVES_STATE, process_check, process_act,
};
static const struct mcmd mc_receive = {
	" state in proposal psk-id psk wait ", "state",
	MC_READS_IN | MC_LOADS | MC_SAVES_STATE, receive_check, process_act,
};
static const struct mcmd mc_send = {
	" state in out ", "state", MC_READS_IN | MC_LOADS, NULL, send_act,
};
static const struct mcmd mc_show = {
	" state ", "state", MC_LOADS, NULL, show_act,
};

/*
 * member_N(): the runner on mc_N, for the table of struct cmd, as the
 * command NAME.
 */
#define MEMBER_FN_AS(n, name)						\
static int member_##n(const struct mlsctl_opts *o, int argc, char **argv) \
{									\
	return member_run(o, name, &mc_##n, argc, argv);		\
}
#define MEMBER_FN(n)	MEMBER_FN_AS(n, #n)

MEMBER_FN(keypackage)
MEMBER_FN(create)
MEMBER_FN(join)
MEMBER_FN(add)
MEMBER_FN(remove)
MEMBER_FN(update)
MEMBER_FN(commit)
MEMBER_FN(propose)
MEMBER_FN(reinit)
MEMBER_FN_AS(reinit_create, "reinit-create")
MEMBER_FN_AS(reinit_join, "reinit-join")
MEMBER_FN(process)
MEMBER_FN(send)
MEMBER_FN(receive)
MEMBER_FN(show)

#define MEMBER_CMD_AS(n, name, summary) { name, member_##n, summary, usage_##n }
#define MEMBER_CMD(n, summary)	MEMBER_CMD_AS(n, #n, summary)

static const struct cmd member_cmds[] = {
	MEMBER_CMD(keypackage, "a KeyPackage and its private file"),
	MEMBER_CMD(create, "a new group of one member"),
	MEMBER_CMD(join, "join from a Welcome"),
	MEMBER_CMD(add, "commit Adds: Commit and Welcome"),
	MEMBER_CMD(remove, "commit Removes"),
	MEMBER_CMD(update, "commit an update of one's keys"),
	MEMBER_CMD(commit, "merge or discard the pending commit; or commit "
		   "proposals"),
	MEMBER_CMD(propose, "a GroupContextExtensions or ReInit proposal"),
	MEMBER_CMD(reinit, "the ReInit that ended the group"),
	MEMBER_CMD_AS(reinit_create, "reinit-create",
		      "start the ReInit's group: Commit and Welcome"),
	MEMBER_CMD_AS(reinit_join, "reinit-join",
		      "join the ReInit's group from its Welcome"),
	MEMBER_CMD(process, "process a handshake message"),
	MEMBER_CMD(send, "an application message"),
	MEMBER_CMD(receive, "open an application message"),
	MEMBER_CMD(show, "the member's group, epoch and leaf"),
};

int cmd_member(const struct mlsctl_opts *o, int argc, char **argv)
{
	return run_cmd("mlsctl member", member_cmds, ARRAY_SIZE(member_cmds),
		       o, argc, argv);
}

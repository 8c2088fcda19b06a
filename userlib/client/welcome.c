// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Joining a group from a Welcome (RFC 9420 §12.4.3.1), with the epoch's
 * secrets in the kernel.
 *
 * Userspace sees two secrets on the way, each for as long as one step
 * needs it: the joiner_secret (from the GroupSecrets, given to
 * MLS_IOC_JOIN_STAGE, which keeps Extract(joiner_secret, psk_secret) and
 * resolves the PSKs) and the welcome_secret (which the kernel returns,
 * and which keys the GroupInfo). Both are erased as soon as that step is
 * done. The GroupInfo gives the GroupContext; MLS_IOC_GROUP_JOIN then
 * keys the epoch from the staged join, and the kernel checks the
 * GroupInfo's confirmation_tag. A join that fails after the group was
 * created destroys it.
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "group.h"
#include "hpke.h"
#include "internal.h"
#include "kdf.h"
#include "psk.h"
#include "reinit.h"
#include "tree.h"
#include "transcript.h"
#include "tree_validate.h"
#include "wire.h"

#define KP_REF_LABEL	"MLS 1.0 KeyPackage Reference"

struct mlsc_joiner {
	int ctl_fd;			/* a dup of the caller's, owned */
	int staged_fd;			/* -1 once used */
	const struct mlsc_suite *suite;
	struct mlsc_arena arena;	/* the GroupInfo's arrays */
	uint8_t *leaf;			/* own KeyPackage's LeafNode, encoded */
	size_t leaf_len;
	bool has_path_secret;
	uint8_t path_secret[MLSC_MAX_HASH];
	uint8_t *gi_bytes;		/* the GroupInfo, decrypted */
	size_t gi_len;
	struct mlsc_group_info gi;	/* points into gi_bytes */
};

static void wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

/*
 * A private key in @out as SerializePrivateKey has it (Nsk bytes). A
 * NIST-curve scalar may come without its leading zero bytes, as some
 * implementations write it: it is padded on the left.
 */
static int private_key_in(const struct mlsc_suite *s, const uint8_t *in,
			  size_t len, uint8_t *out)
{
	bool nist = s->kem == MLSC_KEM_P256 || s->kem == MLSC_KEM_P384 ||
		    s->kem == MLSC_KEM_P521;

	if (!len || len > s->nsk || (len < s->nsk && !nist))
		return -EINVAL;
	memset(out, 0, s->nsk - len);
	memcpy(out + s->nsk - len, in, len);
	return 0;
}

static int dup_bytes(const void *p, size_t len, uint8_t **out)
{
	*out = mlsc_malloc(len);
	if (!*out)
		return -ENOMEM;
	if (len)
		memcpy(*out, p, len);
	return 0;
}

MLSC_EXPORT void mlsc_welcome_free(struct mlsc_joiner *w)
{
	if (!w)
		return;
	if (w->staged_fd >= 0)
		close(w->staged_fd);
	if (w->ctl_fd >= 0)
		close(w->ctl_fd);
	mlsc_arena_free(&w->arena);
	free(w->leaf);
	wipe(w->gi_bytes, w->gi_len);
	free(w->gi_bytes);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
}

/*
 * The KeyPackage, as an MLSMessage or bare: parsed into @kp, with the
 * bare KeyPackage's bytes (what KeyPackageRef hashes) in @raw.
 */
static int parse_key_package(const uint8_t *p, size_t len,
			     struct mlsc_arena *arena,
			     struct mlsc_key_package *kp, struct mlsc_slice *raw)
{
	struct mlsc_mls_message m;

	if (!MLSC_DECODE(p, len, arena, kp, mlsc_io_key_package)) {
		*raw = (struct mlsc_slice){ p, len };
		return 0;
	}
	if (MLSC_DECODE(p, len, arena, &m, mlsc_io_mls_message) ||
	    m.wire_format != MLSC_WIRE_KEY_PACKAGE)
		return -EBADMSG;
	*kp = m.key_package;
	*raw = (struct mlsc_slice){ p + 4, len - 4 };
	return 0;
}

/*
 * Find this KeyPackage's EncryptedGroupSecrets and decrypt them into
 * @pt (*@pt_len in: its size). -ENOKEY if there are none for it.
 */
static int decrypt_secrets(const struct mlsc_suite *s,
			   const struct mlsc_welcome *wm,
			   const struct mlsc_slice *kp_raw,
			   const uint8_t *init_priv, uint8_t *pt,
			   size_t *pt_len)
{
	const struct mlsc_encrypted_group_secrets *e = NULL;
	uint8_t ref[MLSC_MAX_HASH];
	int err;

	err = mlsc_ref_hash(s, KP_REF_LABEL, kp_raw->p, kp_raw->len, ref);
	if (err)
		return err;
	for (size_t i = 0; i < wm->n_secrets; i++)
		if (wm->secrets[i].new_member.len == s->nh &&
		    !memcmp(wm->secrets[i].new_member.p, ref, s->nh)) {
			e = &wm->secrets[i];
			break;
		}
	if (!e)
		return -ENOKEY;
	err = mlsc_decrypt_with_label(s, init_priv, s->nsk,
				      "Welcome", wm->encrypted_group_info.p,
				      wm->encrypted_group_info.len,
				      e->secrets.kem_output.p,
				      e->secrets.kem_output.len,
				      e->secrets.ciphertext.p,
				      e->secrets.ciphertext.len, pt, pt_len);
	/* a tampered kem_output may be no point at all: still the message */
	if (err && err != -ENOMEM)
		err = -EBADMSG;
	return err;
}

/* Open encrypted_group_info with welcome_key and welcome_nonce. */
static int open_group_info(struct mlsc_joiner *w, uint8_t *welcome_secret,
			   const struct mlsc_slice *egi)
{
	const struct mlsc_suite *s = w->suite;
	struct mlsc_hpke_ctx ctx;
	int err;

	memset(&ctx, 0, sizeof(ctx));
	if (egi->len < MLSC_TAG)
		return -EBADMSG;
	err = mlsc_hpke_suite_mls(&ctx.suite, s);
	if (!err)
		err = mlsc_expand_with_label(s, welcome_secret, "key", NULL, 0,
					     ctx.key, s->nk);
	if (!err)
		err = mlsc_expand_with_label(s, welcome_secret, "nonce", NULL,
					     0, ctx.base_nonce, s->nn);
	OPENSSL_cleanse(welcome_secret, s->nh);
	if (err)
		goto out;
	/* sequence number 0: the nonce is welcome_nonce itself */
	w->gi_len = egi->len - MLSC_TAG;
	err = -ENOMEM;
	w->gi_bytes = mlsc_malloc(w->gi_len);
	if (!w->gi_bytes)
		goto out;
	err = mlsc_hpke_open(&ctx, NULL, 0, egi->p, egi->len, w->gi_bytes,
			     &w->gi_len);
	if (err && err != -ENOMEM)
		err = -EBADMSG;
out:
	mlsc_hpke_ctx_clear(&ctx);
	return err;
}

static int check_group_info(struct mlsc_joiner *w)
{
	const struct mlsc_group_context *gc = &w->gi.group_context;
	int err;

	err = MLSC_DECODE(w->gi_bytes, w->gi_len, &w->arena, &w->gi,
			  mlsc_io_group_info);
	if (err)
		return err;
	if (gc->version != MLSC_VERSION_MLS10 ||
	    gc->cipher_suite != w->suite->id)
		return -EPROTO;
	/* A group joined by Welcome is past its epoch 0: Nh bytes. */
	if (w->gi.confirmation_tag.len != w->suite->nh ||
	    gc->tree_hash.len != w->suite->nh ||
	    gc->confirmed_transcript_hash.len != w->suite->nh)
		return -EBADMSG;
	return 0;
}

/*
 * The PSKs the GroupSecrets name into @out: @k's, and with @old (a
 * Welcome of the group a ReInit started) the reinit PSK of @old's group.
 */
static int welcome_psks(const struct mlsc_suite *s,
			const struct mlsc_group_secrets *gs,
			const struct mlsc_welcome_keys *k,
			const struct mlsc_group *old, struct mls_psk *out,
			bool *branch)
{
	struct mlsc_psk *given;
	int err;

	err = mlsc_reinit_psks_check(old, gs->psks, gs->n_psks, branch);
	if (err || !old)
		return err ?: mlsc_psk_list(s, gs->psks, gs->n_psks, k->psks,
					     k->n_psks, out);
	given = mlsc_calloc(k->n_psks + 1, sizeof(*given));
	if (!given)
		return -ENOMEM;
	given[0] = (struct mlsc_psk){
		.type = MLS_PSK_RESUMPTION, .group_fd = old->gfd };
	if (k->n_psks)
		memcpy(given + 1, k->psks, k->n_psks * sizeof(*given));
	err = mlsc_psk_list(s, gs->psks, gs->n_psks, given, k->n_psks + 1,
			    out);
	free(given);
	return err;
}

static int welcome_open(int ctl_fd, const void *msg, size_t len,
			const struct mlsc_welcome_keys *k,
			const struct mlsc_group *old, struct mlsc_joiner **out)
{
	uint8_t welcome_secret[MLSC_MAX_HASH], joiner[MLSC_MAX_HASH];
	uint8_t init_priv[MLSC_MAX_SK];
	struct mls_psk psks[MLS_MAX_PSKS];
	struct mlsc_mls_message m;
	struct mlsc_key_package kp;
	struct mlsc_group_secrets gs;
	struct mlsc_slice kp_raw;
	struct mlsc_arena arena;
	struct mls_join_stage st;
	struct mlsc_wbuf leaf = { 0 };
	struct mlsc_joiner *w;
	uint8_t *pt = NULL;
	size_t pt_len = 0;
	bool branch = false;
	int err;

	/* welcome_psks() adds the old group's PSK to @k->psks: n + 1 fits */
	if (!out || !k || (!msg && len) || !k->key_package ||
	    !k->init_priv || (!k->psks && k->n_psks) ||
	    k->n_psks >= SIZE_MAX / sizeof(*k->psks))
		return -EINVAL;
	*out = NULL;
	w = mlsc_calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->staged_fd = -1;
	mlsc_arena_init(&w->arena);
	mlsc_arena_init(&arena);
	w->ctl_fd = fcntl(ctl_fd, F_DUPFD_CLOEXEC, 3);
	if (w->ctl_fd < 0) {
		err = errno == EBADF ? -EBADF : -EMFILE;
		goto out;
	}

	err = MLSC_DECODE(msg, len, &arena, &m, mlsc_io_mls_message);
	if (!err && m.wire_format != MLSC_WIRE_WELCOME)
		err = -EBADMSG;
	if (!err)
		err = parse_key_package(k->key_package, k->key_package_len,
					&arena, &kp, &kp_raw);
	if (err)
		goto out;
	w->suite = mlsc_suite_get(m.welcome.cipher_suite);
	if (!w->suite || kp.version != MLSC_VERSION_MLS10 ||
	    kp.cipher_suite != m.welcome.cipher_suite) {
		err = -EPROTO;
		goto out;
	}
	err = private_key_in(w->suite, k->init_priv, k->init_priv_len,
			     init_priv);
	if (err)
		goto out;
	err = MLSC_ENCODE(&kp.leaf_node, mlsc_io_leaf_node, &leaf);
	if (!err)
		err = dup_bytes(leaf.p, leaf.len, &w->leaf);
	w->leaf_len = leaf.len;
	mlsc_wbuf_free(&leaf);
	if (err)
		goto out;

	/* GroupSecrets */
	for (size_t i = 0; i < m.welcome.n_secrets; i++)
		if (m.welcome.secrets[i].secrets.ciphertext.len > pt_len)
			pt_len = m.welcome.secrets[i].secrets.ciphertext.len;
	err = -ENOMEM;
	pt = mlsc_malloc(pt_len);
	if (!pt)
		goto out;
	err = decrypt_secrets(w->suite, &m.welcome, &kp_raw, init_priv, pt,
			      &pt_len);
	OPENSSL_cleanse(init_priv, sizeof(init_priv));
	if (!err)
		err = MLSC_DECODE(pt, pt_len, &arena, &gs,
				  mlsc_io_group_secrets);
	if (err)
		goto out;
	err = -EBADMSG;
	if (gs.joiner_secret.len != w->suite->nh ||
	    (gs.has_path_secret && gs.path_secret.len != w->suite->nh) ||
	    gs.n_psks > MLS_MAX_PSKS)
		goto out;
	err = welcome_psks(w->suite, &gs, k, old, psks, &branch);
	if (err)
		goto out;
	memcpy(joiner, gs.joiner_secret.p, w->suite->nh);
	w->has_path_secret = gs.has_path_secret;
	if (gs.has_path_secret)
		memcpy(w->path_secret, gs.path_secret.p, w->suite->nh);

	/* the kernel keeps Extract(joiner_secret, psk_secret) */
	memset(&st, 0, sizeof(st));
	st.suite = w->suite->id;
	st.timeout_ms = k->timeout_ms;
	mls_buf_set(&st.joiner_secret, joiner, w->suite->nh);
	if (gs.n_psks)
		mls_psk_list_set(&st.psks, psks, gs.n_psks);
	mls_buf_set(&st.welcome_secret, welcome_secret, sizeof(welcome_secret));
	err = mls_join_stage(w->ctl_fd, &st);
	/* the PSK ids and nonces pointed into the GroupSecrets: wiped now */
	OPENSSL_cleanse(joiner, sizeof(joiner));
	OPENSSL_cleanse(pt, pt_len);
	if (err < 0)
		goto out;
	w->staged_fd = err;
	err = open_group_info(w, welcome_secret, &m.welcome.encrypted_group_info);
	if (!err)
		err = check_group_info(w);
	if (!err && old)
		err = mlsc_reinit_context_check(old, &w->gi.group_context);
	/* a branch PSK starts a new group: its first epoch (§12.4.3.1) */
	if (!err && branch && w->gi.group_context.epoch != 1)
		err = -EPROTO;
out:
	OPENSSL_cleanse(welcome_secret, sizeof(welcome_secret));
	OPENSSL_cleanse(init_priv, sizeof(init_priv));
	OPENSSL_cleanse(psks, sizeof(psks));
	if (pt) {
		OPENSSL_cleanse(pt, pt_len);
		free(pt);
	}
	mlsc_arena_free(&arena);
	if (err) {
		mlsc_welcome_free(w);
		return err;
	}
	*out = w;
	return 0;
}

MLSC_EXPORT int mlsc_welcome_open(int ctl_fd, const void *msg, size_t len,
				  const struct mlsc_welcome_keys *k,
				  struct mlsc_joiner **out)
{
	return welcome_open(ctl_fd, msg, len, k, NULL, out);
}

MLSC_EXPORT int mlsc_reinit_welcome_open(int ctl_fd,
					 const struct mlsc_group *old,
					 const void *msg, size_t len,
					 const struct mlsc_welcome_keys *k,
					 struct mlsc_joiner **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!old)
		return -EINVAL;
	if (!old->reinit)
		return -ENOENT;
	return welcome_open(ctl_fd, msg, len, k, old, out);
}

/* ---------------------------------------------------------------- join */

/* The GroupInfo's signature over GroupInfoTBS with @key. */
static int verify_group_info(const struct mlsc_joiner *w,
			     const struct mls_sig_key *key)
{
	const struct mlsc_slice *sig = &w->gi.signature;
	/* strict parsing: the signature<V> is the minimal varint and the tail */
	size_t tail = mlsc_varint_size((uint32_t)sig->len) + sig->len;

	if (mls_verify_with_label(key, "GroupInfoTBS", w->gi_bytes,
				  w->gi_len - tail, sig->p, sig->len))
		return -EKEYREJECTED;
	return 0;
}

static int verify_with_leaf(const struct mlsc_joiner *w,
			    const struct mlsc_leaf_node *leaf)
{
	struct mls_sig_key *key = NULL;
	int err;

	if (mls_sig_key_import(w->suite->id, MLS_KEY_PUBLIC,
			       leaf->signature_key.p, leaf->signature_key.len,
			       &key))
		return -EKEYREJECTED;
	err = verify_group_info(w, key);
	mls_sig_key_free(key);
	return err;
}

int mlsc_context_extensions(const struct mlsc_group_context *gc,
			    struct mlsc_wbuf *out, size_t *skip)
{
	uint32_t n;
	int err, used;

	err = MLSC_ENCODE(&gc->extensions, mlsc_io_extensions, out);
	if (err)
		return err;
	used = mlsc_varint_decode(out->p, out->len, &n);
	if (used < 0)
		return -EBADMSG;
	*skip = (size_t)used;
	return 0;
}

/*
 * MLS_IOC_GROUP_JOIN from the staged join, then the confirmation_tag:
 * the group fd, or -errno with nothing left in the kernel.
 */
static int kernel_join(struct mlsc_joiner *w, uint32_t flags, uint16_t mode,
		       uint32_t own_leaf, uint32_t leaf_count,
		       const uint8_t *occupied, size_t occupied_len)
{
	const struct mlsc_group_context *gc = &w->gi.group_context;
	struct mlsc_wbuf ext = { 0 };
	struct mls_group_new j;
	size_t skip = 0;
	int gfd, err;

	err = mlsc_context_extensions(gc, &ext, &skip);
	if (err)
		goto out;
	memset(&j, 0, sizeof(j));
	j.flags = MLS_GROUP_F_STAGED |
		  ((flags & MLSC_JOIN_F_EPHEMERAL) ? MLS_GROUP_F_EPHEMERAL : 0);
	j.suite = w->suite->id;
	j.mode = mode;
	j.staged_fd = w->staged_fd;
	mls_buf_set(&j.group_id, gc->group_id.p, gc->group_id.len);
	j.context.epoch = gc->epoch;
	mls_buf_set(&j.context.tree_hash, gc->tree_hash.p, gc->tree_hash.len);
	mls_buf_set(&j.context.confirmed_transcript_hash,
		    gc->confirmed_transcript_hash.p,
		    gc->confirmed_transcript_hash.len);
	mls_buf_set(&j.context.extensions, ext.p + skip, ext.len - skip);
	j.roster.own_leaf = own_leaf;
	j.roster.leaf_count = leaf_count;
	mls_buf_set(&j.roster.occupied, occupied, occupied_len);
	gfd = mls_group_join(w->ctl_fd, &j);
	if (gfd < 0) {
		err = gfd;
		goto out;
	}
	/* used up by the join */
	close(w->staged_fd);
	w->staged_fd = -1;
	err = mls_confirmation_tag_verify(gfd, 0, w->gi.confirmation_tag.p,
					  w->gi.confirmation_tag.len, NULL);
	if (err) {
		mls_group_destroy(gfd);
		close(gfd);
		goto out;
	}
	err = gfd;
out:
	mlsc_wbuf_free(&ext);
	return err;
}

MLSC_EXPORT int mlsc_welcome_check(struct mlsc_joiner *w,
		       const struct mls_sig_key *signer)
{
	int err, gfd;

	if (!w || !signer)
		return -EINVAL;
	if (w->staged_fd < 0)
		return -EALREADY;
	err = verify_group_info(w, signer);
	if (err)
		return err;
	/* the epoch's secrets depend on the GroupContext, not the roster */
	gfd = kernel_join(w, MLSC_JOIN_F_EPHEMERAL, 0, 0, 1, NULL, 0);
	if (gfd < 0)
		return gfd;
	mls_group_destroy(gfd);
	close(gfd);
	return 0;
}

void mlsc_group_wipe_keys(struct mlsc_group *g)
{
	if (g->keys)
		OPENSSL_cleanse(g->keys, g->n_keys * sizeof(*g->keys));
}

MLSC_EXPORT void mlsc_group_free(struct mlsc_group *g)
{
	if (!g)
		return;
	mlsc_group_wipe_keys(g);
	mlsc_group_recv_free(g);
	free(g->keys);
	mlsc_pending_free(g->pending);
	if (g->gfd >= 0)
		close(g->gfd);
	mlsc_tree_free(&g->tree);
	free(g->context);
	OPENSSL_cleanse(g, sizeof(*g));
	free(g);
}

MLSC_EXPORT int mlsc_group_fd(const struct mlsc_group *g)
{
	return g ? g->gfd : -EINVAL;
}

MLSC_EXPORT int64_t mlsc_group_own_leaf(const struct mlsc_group *g)
{
	return g ? (int64_t)g->own_leaf : -EINVAL;
}

/* The tree of the ratchet_tree extension, or the caller's. */
static int find_tree(const struct mlsc_joiner *w,
		     const struct mlsc_join_args *a, struct mlsc_tree *t)
{
	const struct mlsc_extension *ext = NULL;

	for (size_t i = 0; i < w->gi.extensions.n; i++) {
		if (w->gi.extensions.v[i].type != MLSC_EXT_RATCHET_TREE)
			continue;
		if (ext)
			return -EBADMSG;	/* twice */
		ext = &w->gi.extensions.v[i];
	}
	if (ext)
		return mlsc_tree_parse(t, w->suite->id, ext->data.p,
				       ext->data.len);
	if (!a->ratchet_tree)
		return -ENODATA;
	return mlsc_tree_parse(t, w->suite->id, a->ratchet_tree,
			       a->ratchet_tree_len);
}

/*
 * What the join checks of the tree (§12.4.3.1): valid (§7.9: tree and
 * parent hashes, every leaf, unique keys), the signer's leaf there, and
 * one's own, the KeyPackage's LeafNode byte for byte.
 */
static int validate_tree(const struct mlsc_joiner *w,
			 const struct mlsc_join_args *a, struct mlsc_group *g)
{
	const struct mlsc_group_context *gc = &w->gi.group_context;
	struct mlsc_validate_opts opts = { .now = (uint64_t)time(NULL) };
	const struct mlsc_tree *t = &g->tree;
	bool found = false;
	int err;

	err = mlsc_tree_validate(t, &gc->group_id, &gc->tree_hash,
				 &gc->extensions, a->validate ? a->validate : &opts);
	/* malformed content: the tree is not the group's */
	if (err == -EBADMSG || err == -EINVAL || err == -EIO)
		return -EPROTO;
	if (err)
		return err;
	if (w->gi.signer >= t->n_leaves ||
	    mlsc_tree_blank(t, mlsc_leaf_node(w->gi.signer)))
		return -EPROTO;
	for (uint32_t i = 0; i < t->n_leaves && !found; i++) {
		struct mlsc_wbuf b = { 0 };
		uint32_t x = mlsc_leaf_node(i);

		if (mlsc_tree_blank(t, x))
			continue;
		err = MLSC_ENCODE(&t->nodes[x].leaf, mlsc_io_leaf_node, &b);
		if (!err && b.len == w->leaf_len &&
		    !memcmp(b.p, w->leaf, b.len)) {
			g->own_leaf = i;
			found = true;
		}
		mlsc_wbuf_free(&b);
		if (err)
			return err;
	}
	if (!found || g->own_leaf == w->gi.signer)
		return -EPROTO;
	return 0;
}

/* @sk's public key is @pk: 0, or -EKEYREJECTED. */
static int check_key_pair(const struct mlsc_hpke_suite *hs,
			  const uint8_t *sk, size_t sk_len,
			  const struct mlsc_slice *pk)
{
	uint8_t pub[MLSC_MAX_PK];
	size_t pub_len = sizeof(pub);

	if (mlsc_hpke_public_key(hs, sk, sk_len, pub, &pub_len) ||
	    pub_len != pk->len || memcmp(pub, pk->p, pub_len))
		return -EKEYREJECTED;
	return 0;
}

/*
 * The own leaf's private key, then those of the path secret: from the
 * common ancestor of one's leaf and the signer's up to the root, each
 * node's key pair is DeriveKeyPair(DeriveSecret(path_secret, "node")),
 * its public key the tree's, the next path_secret DeriveSecret(.., "path").
 */
static int private_keys(const struct mlsc_joiner *w,
			const struct mlsc_join_args *a, struct mlsc_group *g)
{
	const struct mlsc_suite *s = w->suite;
	const struct mlsc_tree *t = &g->tree;
	uint8_t ps[MLSC_MAX_HASH], node_secret[MLSC_MAX_HASH];
	uint8_t pk[MLSC_MAX_PK];
	struct mlsc_hpke_suite hs;
	uint32_t x, root = mlsc_tm_root(t->n_leaves);
	int err;

	err = mlsc_hpke_suite_mls(&hs, s);
	if (err)
		return err;
	/* at most one key per level, and the leaf's */
	g->keys = mlsc_calloc(33, sizeof(*g->keys));
	if (!g->keys)
		return -ENOMEM;
	if (a->encryption_priv) {
		struct mlsc_node_key *nk = &g->keys[g->n_keys++];
		const struct mlsc_leaf_node *leaf =
			&t->nodes[mlsc_leaf_node(g->own_leaf)].leaf;

		err = private_key_in(s, a->encryption_priv,
				     a->encryption_priv_len, nk->sk);
		if (!err)
			err = check_key_pair(&hs, nk->sk, s->nsk,
					     &leaf->encryption_key);
		if (err)
			return err;
		nk->node = mlsc_leaf_node(g->own_leaf);
		nk->len = s->nsk;
	}
	if (!w->has_path_secret)
		return 0;
	memcpy(ps, w->path_secret, s->nh);
	x = mlsc_tm_common_ancestor(mlsc_leaf_node(g->own_leaf),
				    mlsc_leaf_node(w->gi.signer));
	for (;;) {
		struct mlsc_node_key *nk = &g->keys[g->n_keys];
		size_t sk_len = sizeof(nk->sk), pk_len = sizeof(pk);

		err = -EPROTO;
		if (mlsc_tree_blank(t, x) || g->n_keys >= 33)
			break;
		err = mlsc_derive_secret(s, ps, "node", node_secret);
		if (!err)
			err = mlsc_hpke_derive_key_pair(&hs, node_secret, s->nh,
							nk->sk, &sk_len, pk,
							&pk_len);
		OPENSSL_cleanse(node_secret, sizeof(node_secret));
		if (err)
			break;
		nk->node = x;
		nk->len = sk_len;
		g->n_keys++;
		err = -EPROTO;
		if (pk_len != t->nodes[x].parent.encryption_key.len ||
		    memcmp(pk, t->nodes[x].parent.encryption_key.p, pk_len))
			break;
		err = 0;
		if (x == root)
			break;
		err = mlsc_derive_secret(s, ps, "path", ps);
		if (err)
			break;
		x = mlsc_tm_parent(x, t->n_leaves);
	}
	OPENSSL_cleanse(ps, sizeof(ps));
	return err;
}

int mlsc_roster_bitmap(const struct mlsc_tree *t, uint8_t **out, size_t *len)
{
	*len = (t->n_leaves + 7) / 8;
	*out = mlsc_calloc(1, *len);
	if (!*out)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n_leaves; i++)
		if (!mlsc_tree_blank(t, mlsc_leaf_node(i)))
			(*out)[i / 8] |= 1U << (i % 8);
	return 0;
}

MLSC_EXPORT int mlsc_welcome_join(struct mlsc_joiner *w, const struct mlsc_join_args *a,
		      struct mlsc_group **out)
{
	static const struct mlsc_join_args none;
	struct mlsc_wbuf ctx = { 0 };
	struct mlsc_group *g;
	uint8_t *occupied = NULL;
	size_t occupied_len = 0;
	int err;

	if (!w || !out)
		return -EINVAL;
	*out = NULL;
	if (!a)
		a = &none;
	if ((a->flags & ~MLSC_JOIN_F_ALL) ||
	    (a->encryption_priv_len && !a->encryption_priv))
		return -EINVAL;
	if (w->staged_fd < 0)
		return -EALREADY;
	g = mlsc_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->gfd = -1;
	g->suite = w->suite;
	err = find_tree(w, a, &g->tree);
	if (!err)
		err = validate_tree(w, a, g);
	if (!err)
		err = verify_with_leaf(w, &g->tree.nodes[
				mlsc_leaf_node(w->gi.signer)].leaf);
	if (!err)
		err = private_keys(w, a, g);
	if (!err && g->n_keys && a->encryption_priv)
		err = mlsc_group_priv_init(g, w->has_path_secret ?
					   w->path_secret : NULL,
					   w->gi.signer);
	if (!err)
		err = MLSC_ENCODE(&w->gi.group_context, mlsc_io_group_context,
				  &ctx);
	if (!err) {
		err = dup_bytes(ctx.p, ctx.len, &g->context);
		g->context_len = ctx.len;
	}
	/* The next Commit's confirmed hash starts from the interim one. */
	if (!err)
		err = mlsc_transcript_interim(
			g->suite, &w->gi.group_context.confirmed_transcript_hash,
			&w->gi.confirmation_tag, g->interim);
	if (!err)
		err = mlsc_roster_bitmap(&g->tree, &occupied, &occupied_len);
	if (err)
		goto out;
	err = kernel_join(w, a->flags, a->mode, g->own_leaf, g->tree.n_leaves,
			  occupied, occupied_len);
	if (err < 0)
		goto out;
	g->gfd = err;
	g->kernel_final = mlsc_kernel_final(w->ctl_fd);
	err = 0;
out:
	free(occupied);
	mlsc_wbuf_free(&ctx);
	if (err) {
		mlsc_group_free(g);
		return err;
	}
	*out = g;
	return 0;
}

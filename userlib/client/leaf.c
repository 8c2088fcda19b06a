// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * One LeafNode: its signature (LeafNodeTBS, §7.2) verified through
 * libmls's VerifyWithLabel, its credential judged by the application
 * (§5.3.1), and the other checks of §7.3 that need no other leaf.
 */
#include <string.h>

#include "internal.h"
#include "leaf.h"

/*
 * Extension and proposal types every client supports (§7.2, §13): they
 * need not be listed in capabilities.
 */
static bool default_extension(uint16_t t)
{
	return t >= MLSC_EXT_APPLICATION_ID && t <= MLSC_EXT_EXTERNAL_SENDERS;
}

static bool default_proposal(uint16_t t)
{
	return t >= MLSC_PROPOSAL_ADD &&
	       t <= MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS;
}

void mlsc_io_required_caps(struct mlsc_io *io, struct mlsc_required_caps *r)
{
	mlsc_io_u16_list(io, &r->extensions, &r->n_extensions);
	mlsc_io_u16_list(io, &r->proposals, &r->n_proposals);
	mlsc_io_u16_list(io, &r->credentials, &r->n_credentials);
}

int mlsc_find_required_caps(const struct mlsc_extensions *exts,
			    struct mlsc_arena *arena,
			    struct mlsc_required_caps *out)
{
	for (size_t i = 0; exts && i < exts->n; i++) {
		const struct mlsc_extension *e = &exts->v[i];
		int err;

		if (e->type != MLSC_EXT_REQUIRED_CAPABILITIES)
			continue;
		err = MLSC_DECODE(e->data.p, e->data.len, arena, out,
				  mlsc_io_required_caps);
		return err ? err : 1;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}

bool mlsc_u16_in(uint16_t v, const uint16_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

int mlsc_verify_with_label(uint16_t suite, const struct mlsc_slice *pub,
			   const char *label, const uint8_t *content,
			   size_t len, const struct mlsc_slice *sig)
{
	struct mls_sig_key *key = NULL;
	int err;

	if (!pub->len || !sig->len)
		return -EBADMSG;
	err = mls_sig_key_import(suite, MLS_KEY_PUBLIC, pub->p, pub->len,
				 &key);
	if (err == -ENOMEM)
		return err;
	if (err)
		return -EBADMSG;	/* not a key of the suite's scheme */
	err = mls_verify_with_label(key, label, content, len, sig->p,
				    sig->len);
	mls_sig_key_free(key);
	return err;
}

/* LeafNodeTBS: the LeafNode up to its signature, then the group's part. */
int mlsc_leaf_tbs(const struct mlsc_leaf_node *l,
		  const struct mlsc_slice *group_id, uint32_t leaf_index,
		  struct mlsc_wbuf *out)
{
	struct mlsc_leaf_node tmp = *l;
	struct mlsc_slice gid = group_id ? *group_id : (struct mlsc_slice){ 0 };
	struct mlsc_io io;
	int err;

	memset(out, 0, sizeof(*out));
	mlsc_io_writer(&io, out);
	mlsc_io_opaque(&io, &tmp.encryption_key);
	mlsc_io_opaque(&io, &tmp.signature_key);
	mlsc_io_credential(&io, &tmp.credential);
	mlsc_io_capabilities(&io, &tmp.capabilities);
	mlsc_io_u8(&io, &tmp.source);
	switch (tmp.source) {
	case MLSC_LEAF_SOURCE_KEY_PACKAGE:
		mlsc_io_u64(&io, &tmp.lifetime.not_before);
		mlsc_io_u64(&io, &tmp.lifetime.not_after);
		break;
	case MLSC_LEAF_SOURCE_UPDATE:
		break;
	case MLSC_LEAF_SOURCE_COMMIT:
		mlsc_io_opaque(&io, &tmp.parent_hash);
		break;
	default:
		mlsc_io_bad_tag(&io);
	}
	mlsc_io_extensions(&io, &tmp.extensions);
	if (tmp.source != MLSC_LEAF_SOURCE_KEY_PACKAGE) {
		mlsc_io_opaque(&io, &gid);
		mlsc_io_u32(&io, &leaf_index);
	}
	err = mlsc_io_finish(&io);
	if (err)
		mlsc_wbuf_free(out);
	return err;
}

int mlsc_leaf_verify(uint16_t suite, const struct mlsc_leaf_node *l,
		     const struct mlsc_slice *group_id, uint32_t leaf_index)
{
	struct mlsc_wbuf tbs;
	int err;

	err = mlsc_leaf_tbs(l, group_id, leaf_index, &tbs);
	if (err)
		return err == -EINVAL ? -EBADMSG : err;
	err = mlsc_verify_with_label(suite, &l->signature_key, "LeafNodeTBS",
				     tbs.p, tbs.len, &l->signature);
	mlsc_wbuf_free(&tbs);
	return err;
}

int mlsc_cred_view(const struct mlsc_credential *c, struct mlsc_cred *cred,
		   struct mlsc_cert certs[MLSC_CRED_MAX_CERTS])
{
	*cred = (struct mlsc_cred){ .type = c->type };
	switch (c->type) {
	case MLSC_CREDENTIAL_BASIC:
		cred->identity = c->identity.p;
		cred->identity_len = c->identity.len;
		return 0;
	case MLSC_CREDENTIAL_X509:
		/* a chain longer than this is not one anybody checks */
		if (c->n_certs > MLSC_CRED_MAX_CERTS)
			return -EKEYREJECTED;
		for (size_t i = 0; i < c->n_certs; i++) {
			certs[i].data = c->certs[i].p;
			certs[i].len = c->certs[i].len;
		}
		cred->certs = certs;
		cred->n_certs = c->n_certs;
		return 0;
	default:
		return -EKEYREJECTED;
	}
}

int mlsc_credential_check(const struct mlsc_credential *c,
			  const struct mlsc_slice *sig_key, uint16_t suite,
			  const struct mlsc_validate_opts *opts)
{
	struct mlsc_cert certs[MLSC_CRED_MAX_CERTS];
	struct mlsc_cred cred;
	int err;

	if (!opts || !opts->credential_cb)
		return c->type == MLSC_CREDENTIAL_BASIC ? 0 : -EKEYREJECTED;
	err = mlsc_cred_view(c, &cred, certs);
	if (err)
		return err;
	return opts->credential_cb(opts->credential_arg, &cred, sig_key->p,
				   sig_key->len, suite);
}

int mlsc_same_member(const struct mlsc_credential *old_c,
		     const struct mlsc_credential *new_c, uint16_t suite,
		     const struct mlsc_validate_opts *opts)
{
	const struct mlsc_validate_opts_ext *x = NULL;
	struct mlsc_cert oc[MLSC_CRED_MAX_CERTS], nc[MLSC_CRED_MAX_CERTS];
	struct mlsc_cred o, n;

	if (old_c->type != new_c->type)
		return -EPROTO;
	if (old_c->type == MLSC_CREDENTIAL_BASIC &&
	    !mlsc_slice_eq(&old_c->identity, &new_c->identity))
		return -EPROTO;
	if (opts && (opts->flags & MLSC_VALIDATE_EXT))
		x = (const struct mlsc_validate_opts_ext *)opts;
	if (!x || !x->same_member_cb)
		return old_c->type == MLSC_CREDENTIAL_BASIC ? 0 : -EPROTO;
	if (mlsc_cred_view(old_c, &o, oc) || mlsc_cred_view(new_c, &n, nc))
		return -EPROTO;
	return x->same_member_cb(x->same_member_arg, &o, &n, suite);
}

static int check_extensions(const struct mlsc_leaf_node *l)
{
	const struct mlsc_capabilities *c = &l->capabilities;

	for (size_t i = 0; i < l->extensions.n; i++) {
		uint16_t t = l->extensions.v[i].type;

		if (!default_extension(t) &&
		    !mlsc_u16_in(t, c->extensions, c->n_extensions))
			return -EOPNOTSUPP;
	}
	return 0;
}

static int check_required(const struct mlsc_leaf_node *l,
			  const struct mlsc_required_caps *req)
{
	const struct mlsc_capabilities *c = &l->capabilities;

	for (size_t i = 0; i < req->n_extensions; i++)
		if (!default_extension(req->extensions[i]) &&
		    !mlsc_u16_in(req->extensions[i], c->extensions,
				 c->n_extensions))
			return -EOPNOTSUPP;
	for (size_t i = 0; i < req->n_proposals; i++)
		if (!default_proposal(req->proposals[i]) &&
		    !mlsc_u16_in(req->proposals[i], c->proposals,
				 c->n_proposals))
			return -EOPNOTSUPP;
	for (size_t i = 0; i < req->n_credentials; i++)
		if (!mlsc_u16_in(req->credentials[i], c->credentials,
				 c->n_credentials))
			return -EOPNOTSUPP;
	return 0;
}

int mlsc_leaf_validate(uint16_t suite, const struct mlsc_leaf_node *l,
		       uint8_t source, const struct mlsc_slice *group_id,
		       uint32_t leaf_index,
		       const struct mlsc_required_caps *req,
		       const struct mlsc_validate_opts *opts)
{
	int err;

	if (source && l->source != source)
		return -EBADMSG;
	err = mlsc_leaf_verify(suite, l, group_id, leaf_index);
	if (err)
		return err;
	/* the credential's type is among those the leaf itself supports */
	if (!mlsc_u16_in(l->credential.type, l->capabilities.credentials,
			 l->capabilities.n_credentials))
		return -EOPNOTSUPP;
	err = mlsc_credential_check(&l->credential, &l->signature_key, suite,
				    opts);
	if (err)
		return err;
	if (l->source == MLSC_LEAF_SOURCE_KEY_PACKAGE &&
	    !(opts && (opts->flags & MLSC_VALIDATE_NO_LIFETIME))) {
		uint64_t now = opts ? opts->now : 0;

		if (now < l->lifetime.not_before || now > l->lifetime.not_after)
			return -EKEYEXPIRED;
	}
	err = check_extensions(l);
	if (!err && req)
		err = check_required(l, req);
	return err;
}

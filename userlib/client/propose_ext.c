// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Proposals from outside the group (RFC 9420 §12.1.8): the
 * external_senders extension's list, a proposal of one of its senders
 * (sender type external) and a joiner's Add of itself (sender type
 * new_member_proposal, signed with its KeyPackage's leaf key). Both are
 * PublicMessages without membership tag, whose FramedContentTBS holds
 * no GroupContext (§6.1): the sender is not a member and may not have it.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ext_sender.h"
#include "frame.h"
#include "internal.h"
#include "keypkg.h"
#include "suite.h"

#define MAX_SIG		256	/* the largest signature of a suite's scheme */

/* Is @key's public half @pub? */
static bool key_is(const struct mls_sig_key *key, const struct mlsc_slice *pub)
{
	struct mls_bytes b = { 0 };
	bool eq;

	if (mls_sig_key_export(key, MLS_KEY_PUBLIC, &b))
		return false;
	eq = b.len == pub->len && !memcmp(b.data, pub->p, b.len);
	mls_bytes_free(&b);
	return eq;
}

/* Sign @fc with @key and frame it as a PublicMessage into @out. */
static int sign_and_frame(struct mlsc_framed_content *fc,
			  const struct mls_sig_key *key, struct mls_bytes *out)
{
	uint16_t version = MLSC_VERSION_MLS10, wf = MLSC_WIRE_PUBLIC_MESSAGE;
	struct mlsc_wbuf tbs = { 0 };
	struct mlsc_auth_data auth = { 0 };
	struct mlsc_frame_in in = {
		.wire_format = MLSC_WIRE_PUBLIC_MESSAGE, .fc = fc, .auth = &auth,
	};
	uint8_t sig[MAX_SIG];
	size_t sig_len = sizeof(sig);
	struct mlsc_io io;
	int err;

	/* FramedContentTBS: no GroupContext for these senders */
	mlsc_io_writer(&io, &tbs);
	mlsc_io_u16(&io, &version);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, fc);
	err = mlsc_io_finish(&io);
	if (!err)
		err = mls_sign_with_label(key, "FramedContentTBS", tbs.p,
					  tbs.len, sig, &sig_len);
	auth.signature = (struct mlsc_slice){ sig, sig_len };
	if (!err)
		err = mlsc_frame(NULL, &in, out);
	mlsc_wbuf_free(&tbs);
	return err;
}

MLSC_EXPORT int
mlsc_external_senders_encode(const struct mlsc_external_sender_spec *senders,
			     size_t n, struct mls_bytes *out)
{
	struct mlsc_external_sender *v;
	struct mls_bytes *pubs;
	struct mlsc_arena arena;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;
	int err = 0;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (n && !senders)
		return -EINVAL;
	mlsc_arena_init(&arena);
	v = mlsc_arena_alloc(&arena, (n ? n : 1) * sizeof(*v));
	pubs = mlsc_arena_alloc(&arena, (n ? n : 1) * sizeof(*pubs));
	if (!v || !pubs) {
		mlsc_arena_free(&arena);
		return -ENOMEM;
	}
	memset(pubs, 0, (n ? n : 1) * sizeof(*pubs));
	for (size_t i = 0; i < n && !err; i++) {
		if (!senders[i].signature_key) {
			err = -EINVAL;
			break;
		}
		err = mls_sig_key_export(senders[i].signature_key,
					 MLS_KEY_PUBLIC, &pubs[i]);
		if (err)
			break;
		v[i].signature_key = (struct mlsc_slice){ pubs[i].data,
							  pubs[i].len };
		err = mlsc_cred_take(&arena, &senders[i].credential,
				     &v[i].credential);
	}
	if (!err) {
		mlsc_io_writer(&io, &w);
		mlsc_io_array(&io, &v, &n, mlsc_io_external_sender);
		err = mlsc_io_finish(&io);
	}
	if (!err)
		err = mlsc_wbuf_to_bytes(&w, out);
	for (size_t i = 0; i < n; i++)
		mls_bytes_free(&pubs[i]);
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	return err;
}

MLSC_EXPORT int
mlsc_external_proposal(const struct mlsc_external_proposal_args *a,
		       struct mls_bytes *out)
{
	const struct mlsc_proposal_spec *p;
	const struct mlsc_suite *s;
	struct mlsc_framed_content fc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!a || !a->sig_key || !a->proposal || a->reserved ||
	    !a->group_id || !a->group_id_len ||
	    a->group_id_len > MLS_MAX_GROUP_ID_LEN ||
	    (a->authenticated_data_len && !a->authenticated_data))
		return -EINVAL;
	s = mlsc_suite_get(a->cipher_suite);
	if (!s)
		return -EPROTONOSUPPORT;
	if (mls_sig_key_scheme(a->sig_key) != s->sig_scheme)
		return -EINVAL;
	p = a->proposal;
	memset(&fc, 0, sizeof(fc));
	switch (p->type) {
	case MLSC_PROPOSE_ADD:
		if (!p->key_package ||
		    p->key_package->kp.cipher_suite != s->id)
			return -EINVAL;
		fc.proposal.type = MLSC_PROPOSAL_ADD;
		fc.proposal.add = p->key_package->kp;
		break;
	case MLSC_PROPOSE_REMOVE:
		fc.proposal.type = MLSC_PROPOSAL_REMOVE;
		fc.proposal.remove = p->leaf;
		break;
	default:
		return -EOPNOTSUPP;
	}
	fc.group_id = (struct mlsc_slice){ a->group_id, a->group_id_len };
	fc.epoch = a->epoch;
	fc.sender.type = MLSC_SENDER_EXTERNAL;
	fc.sender.index = a->sender_index;
	fc.authenticated_data = (struct mlsc_slice){
		a->authenticated_data, a->authenticated_data_len };
	fc.content_type = MLSC_CONTENT_PROPOSAL;
	return sign_and_frame(&fc, a->sig_key, out);
}

MLSC_EXPORT int
mlsc_new_member_proposal(const struct mlsc_new_member_args *a,
			 struct mls_bytes *out)
{
	const struct mlsc_key_package *kp;
	struct mlsc_framed_content fc;
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!a || !a->group_info || !a->key_package || !a->sig_key ||
	    (a->authenticated_data_len && !a->authenticated_data))
		return -EINVAL;
	kp = &a->key_package->kp;
	if (!key_is(a->sig_key, &kp->leaf_node.signature_key))
		return -EINVAL;
	mlsc_arena_init(&arena);
	err = MLSC_DECODE(a->group_info, a->group_info_len, &arena, &m,
			  mlsc_io_mls_message);
	if (!err && m.wire_format != MLSC_WIRE_GROUP_INFO)
		err = -EBADMSG;
	if (err) {
		err = err == -ENOMEM ? err : -EBADMSG;
		goto out;
	}
	if (m.group_info.group_context.cipher_suite != kp->cipher_suite) {
		err = -EINVAL;
		goto out;
	}
	memset(&fc, 0, sizeof(fc));
	fc.group_id = m.group_info.group_context.group_id;
	fc.epoch = m.group_info.group_context.epoch;
	fc.sender.type = MLSC_SENDER_NEW_MEMBER_PROPOSAL;
	fc.authenticated_data = (struct mlsc_slice){
		a->authenticated_data, a->authenticated_data_len };
	fc.content_type = MLSC_CONTENT_PROPOSAL;
	fc.proposal.type = MLSC_PROPOSAL_ADD;
	fc.proposal.add = *kp;
	err = sign_and_frame(&fc, a->sig_key, out);
out:
	mlsc_arena_free(&arena);
	return err;
}

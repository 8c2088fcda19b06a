// SPDX-License-Identifier: GPL-2.0
/*
 * psk_secret (RFC 9420 §8.4):
 *
 *   psk_extracted[i] = Extract(0, psk[i])
 *   psk_input[i]     = ExpandWithLabel(psk_extracted[i], "derived psk",
 *                                      PSKLabel(id[i], i, n), Nh)
 *   psk_secret[i]    = Extract(psk_input[i], psk_secret[i - 1]),
 *   psk_secret[-1]   = 0
 *
 * with PSKLabel = PreSharedKeyID || uint16 index || uint16 count. A
 * resumption PSK's value is the resumption_psk of the epoch it names; the
 * list from userspace names that epoch by group (fd or kernel id) and
 * number, and the value is copied here only for the derivation.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch.h"
#include "epoch_args.h"
#include "group.h"
#include "hkdf.h"
#include "params.h"
#include "psk.h"
#include "quota.h"
#include "uarg.h"

#include <linux/err.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static const u8 mls_psk_zero[MLS_MAX_HASH_LEN];

/* The largest encoded PreSharedKeyID: type, id<V>, nonce<V>. */
#define MLS_PSK_ID_ENC_MAX \
	(1 + 1 + MLS_VARINT_MAX_SIZE + MLS_MAX_PSK_ID_LEN + \
	 MLS_VARINT_MAX_SIZE + MLS_MAX_HASH_LEN)

/**
 * mls_psk_secret() - psk_secret of a list of PSKs
 * @s: the suite
 * @v: the PSKs in order, each with its encoded PreSharedKeyID
 * @count: how many; 0 gives Nh zeros
 * @out: Nh bytes, zeroed on error
 *
 * Return: 0 or -errno.
 */
int mls_psk_secret(const struct mls_suite *s, const struct mls_psk_value *v,
		   unsigned int count, u8 *out)
{
	u8 extracted[MLS_MAX_HASH_LEN], input[MLS_MAX_HASH_LEN];
	u8 *label = NULL;
	struct mls_wbuf w;
	unsigned int i;
	int ret = 0;

	memset(out, 0, s->nh);
	if (!count)
		return 0;
	label = kmalloc(MLS_PSK_ID_ENC_MAX + 4, MLS_GFP_USER);
	if (!label)
		return -ENOMEM;
	for (i = 0; i < count && !ret; i++) {
		mls_wbuf_init(&w, label, MLS_PSK_ID_ENC_MAX + 4);
		mls_put_bytes(&w, v[i].id, v[i].id_len);
		mls_put_u16(&w, i);
		mls_put_u16(&w, count);
		ret = mls_wbuf_err(&w) ?:
		      mls_hkdf_extract(s, mls_psk_zero, s->nh, v[i].psk,
				       v[i].psk_len, extracted) ?:
		      mls_expand_with_label(s, extracted, "derived psk",
					    label, w.len, input, s->nh) ?:
		      mls_hkdf_extract(s, input, s->nh, out, s->nh, out);
	}
	memzero_explicit(extracted, sizeof(extracted));
	memzero_explicit(input, sizeof(input));
	kfree(label);
	if (ret)
		memzero_explicit(out, s->nh);
	return ret;
}

/* One PSK of the list, resolved: its encoded id and its value. */
struct psk_slot {
	u8 id[MLS_PSK_ID_ENC_MAX];
	u8 value[MLS_MAX_PSK_LEN];
};

/* The group a resumption PSK names, referenced; access checked. */
static struct mls_group *psk_group(const struct mls_psk *p)
{
	struct mls_group *g;
	struct fd f;
	int ret;

	if (p->flags & MLS_PSK_F_GROUP_KID) {
		g = mls_group_lookup(p->group);
		if (!g)
			return ERR_PTR(-ENOENT);
		ret = mls_group_may_open(g);
		if (ret) {
			mls_group_put(g);
			return ERR_PTR(ret);
		}
		return g;
	}
	/* A group fd is a capability: holding it is the access. */
	f = fdget(p->group);
	if (!f.file)
		return ERR_PTR(-EBADF);
	g = mls_group_from_file(f.file);
	if (g)
		kref_get(&g->ref);
	fdput(f);
	return g ?: ERR_PTR(-EBADF);
}

/* The resumption_psk of the epoch @p names, into @value (its Nh). */
static int psk_resumption(const struct mls_psk *p, struct mls_wbuf *id,
			  u8 *value, size_t *len)
{
	struct mls_group *g;
	struct mls_epoch *e;
	int ret = 0;

	g = psk_group(p);
	if (IS_ERR(g))
		return PTR_ERR(g);
	e = mls_group_epoch(g, p->epoch);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out;
	}
	if (e->has_exporter) {
		/* Kept as long as the epoch: no lock needed once referenced. */
		memcpy(value, e->resumption_psk, g->suite->nh);
		*len = g->suite->nh;
		mls_put_u8(id, MLS_PSK_RESUMPTION);
		mls_put_u8(id, p->usage);
		mls_put_vec(id, g->group_id, g->group_id_len);
		mls_put_u64(id, p->epoch);
	} else {
		ret = -ENODATA;
	}
	mls_epoch_put(e);
out:
	mls_group_put(g);
	return ret;
}

static int psk_external(const struct mls_psk *p, struct mls_wbuf *id,
			u8 *value, size_t *len, u8 *scratch)
{
	int ret;

	if (p->usage || p->flags || p->group || p->epoch)
		return -EINVAL;
	if (!p->id.len || p->id.len > MLS_MAX_PSK_ID_LEN ||
	    !p->secret.len || p->secret.len > MLS_MAX_PSK_LEN)
		return -EINVAL;
	ret = mls_buf_read(&p->secret, value, p->secret.len) ?:
	      mls_buf_read(&p->id, scratch, p->id.len);
	if (ret)
		return ret;
	*len = p->secret.len;
	mls_put_u8(id, MLS_PSK_EXTERNAL);
	mls_put_vec(id, scratch, p->id.len);
	return 0;
}

/* Resolve @p into @slot: encoded PreSharedKeyID and value. */
static int psk_resolve(const struct mls_suite *s, const struct mls_psk *p,
		       struct psk_slot *slot, struct mls_psk_value *v,
		       u8 *scratch)
{
	u8 nonce[MLS_MAX_HASH_LEN];
	struct mls_wbuf w;
	size_t len = 0;
	int ret;

	if (p->nonce.len != s->nh)
		return -EINVAL;
	mls_wbuf_init(&w, slot->id, sizeof(slot->id));
	switch (p->type) {
	case MLS_PSK_EXTERNAL:
		ret = psk_external(p, &w, slot->value, &len, scratch);
		break;
	case MLS_PSK_RESUMPTION:
		if (p->usage < MLS_PSK_USAGE_APPLICATION ||
		    p->usage > MLS_PSK_USAGE_BRANCH ||
		    (p->flags & ~MLS_PSK_F_ALL) ||
		    mls_epoch_args_absent(&p->id) ||
		    mls_epoch_args_absent(&p->secret))
			return -EINVAL;
		ret = psk_resumption(p, &w, slot->value, &len);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	ret = mls_buf_read(&p->nonce, nonce, s->nh);
	if (ret)
		return ret;
	mls_put_vec(&w, nonce, s->nh);
	ret = mls_wbuf_err(&w);
	if (ret)
		return ret;
	*v = (struct mls_psk_value){
		.id = slot->id, .id_len = w.len,
		.psk = slot->value, .psk_len = len,
	};
	return 0;
}

bool mls_psk_list_given(const struct mls_psk_list *l)
{
	return l->count || l->addr || l->reserved;
}

/**
 * mls_psk_secret_read() - the psk_secret a request gives
 * @s: the suite of the epoch being keyed
 * @raw: a raw psk_secret (Nh bytes), or empty
 * @list: a list of PSKs, or empty; not both
 * @out: Nh bytes: the psk_secret, Nh zeros if neither is given
 *
 * Return: 0, or the errors documented at struct mls_psk_list.
 */
int mls_psk_secret_read(const struct mls_suite *s, const struct mls_buf *raw,
			const struct mls_psk_list *list, u8 *out)
{
	struct mls_psk_value *v = NULL;
	struct psk_slot *slots = NULL;
	struct mls_psk *p = NULL;
	u8 *scratch = NULL;
	u32 n = list->count, i;
	int ret;

	memset(out, 0, s->nh);
	if (!mls_psk_list_given(list)) {
		if (mls_buf_empty(raw) && !raw->reserved && !raw->addr)
			return 0;
		return mls_buf_read(raw, out, s->nh);
	}
	if (raw->len || raw->addr || raw->reserved || list->reserved ||
	    n > MLS_MAX_PSKS)
		return -EINVAL;
	if (!n)
		return list->addr ? -EINVAL : 0;

	p = memdup_user(u64_to_user_ptr(list->addr), array_size(n, sizeof(*p)));
	if (IS_ERR(p))
		return PTR_ERR(p);
	slots = kvcalloc(n, sizeof(*slots), MLS_GFP_USER);
	v = kcalloc(n, sizeof(*v), MLS_GFP_USER);
	scratch = kmalloc(MLS_MAX_PSK_ID_LEN, MLS_GFP_USER);
	ret = -ENOMEM;
	if (!slots || !v || !scratch)
		goto out;
	for (i = 0, ret = 0; i < n && !ret; i++)
		ret = psk_resolve(s, &p[i], &slots[i], &v[i], scratch);
	if (!ret)
		ret = mls_psk_secret(s, v, n, out);
out:
	if (slots)
		kvfree_sensitive(slots, array_size(n, sizeof(*slots)));
	kfree(v);
	kfree(scratch);
	kfree(p);
	return ret;
}

#ifdef MLS_SELFTEST
#include "psk_selftest.h"
#endif

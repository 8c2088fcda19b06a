// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed snapshots of groups (Documentation/admin-guide/persistence.rst).
 *
 * A snapshot is a header, authenticated but not encrypted, then the
 * sealed body and the tag:
 *
 *	header:	"MLSS" | u16 version | u16 flags (0) | u64 seq | u64 epoch |
 *		salt[32] | u8 group_id_len | group_id
 *	body:	the group, then its epochs, newest (current) first
 *	tag:	16 bytes of AES-256-GCM over the body, the header as AAD
 *
 * The version is 3 for a group a ReInit ended (its current epoch has the
 * FINAL mark), else 2 for a group with a receive-save policy (its body
 * has the policy), else 1: a module one version older imports the
 * snapshot of every group its version holds, and refuses an ended group
 * rather than bring it back as a live one. Version 3's body is version
 * 2's, except that its first (current) epoch has the mark and holds only
 * what a final epoch keeps (mls_epoch_end()): no init_secret, no send
 * limits (zeros), and of the epoch's secrets only its resumption_psk,
 * exporter_secret and epoch_authenticator, no secret tree.
 *
 * Version 3 has a second layout, written only by the earlier module that
 * did not erase a final epoch: version 2's body whole, the mark on its
 * first epoch, with the init_secret (has_init 1), the send limits, every
 * secret of the epoch and its tree. has_init tells the two apart (the
 * reduced layout has 0, the full one 1, as a final epoch always has an
 * exporter). The full layout is read as strictly as the module that
 * wrote it did, then reduced as a merge reduces the epoch: the
 * init_secret is not taken and mls_epoch_end() erases the rest, so the
 * group imported is the one a merge leaves, and exports reduced.
 *
 * Integers are big-endian (TLS presentation language), every length is
 * explicit, and the parser takes nothing it does not expect: unknown
 * flags, trailing bytes, values out of range and inconsistent trees are
 * refused. The tag is checked before the body is read at all.
 *
 * The sequence numbers of the snapshots imported since load are kept
 * per (owner, group_id, own leaf), so that an older or the same snapshot
 * is not taken twice. An imported group does not send in the epochs it
 * brings back (their own sending ratchets are retired): the snapshot
 * cannot know which generations were used after it was taken. It
 * receives, and sends again from its next epoch.
 *
 * The send reservation of persistent groups (MLS_GROUP_F_PERSISTENT):
 * an export records, per own sending ratchet of the current epoch, a
 * limit past the next generation; MLS_IOC_GROUP_SAVED puts the limit of
 * the last export in force once userspace stored that snapshot, and the
 * secret tree refuses to send past it (-ENOBUFS). The newest stored
 * snapshot thus bounds every generation sent, and an import with
 * MLS_IMPORT_F_RESUME sends again from that bound.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "codec.h"
#include "drain.h"
#include "epoch.h"
#include "events.h"
#include "group.h"
#include "ioctl.h"
#include "params.h"
#include "quota.h"
#include "recv_save.h"
#include "seal.h"
#include "snapshot.h"
#include "uarg.h"

#include <uapi/linux/mls.h>

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#define MLS_SNAP_MAGIC		"MLSS"
#define MLS_SNAP_MAGIC_LEN	4
/* The header up to the group_id's bytes. */
#define MLS_SNAP_HDR_FIXED	(MLS_SNAP_MAGIC_LEN + 2 + 2 + 8 + 8 + \
				 MLS_SEAL_SALT_LEN + 1)
/* An encoded GroupContext: the group_id, two hashes, 64 KiB extensions. */
#define MLS_SNAP_MAX_CONTEXT	BIT(17)

/* Epoch flags in the body. */
#define MLS_SNAP_EPOCH_CURRENT	BIT(0)
#define MLS_SNAP_EPOCH_EXPORTER	BIT(1)
#define MLS_SNAP_EPOCH_LIVE	BIT(2)
#define MLS_SNAP_EPOCH_FINAL	BIT(3)	/* version 3: the group's last epoch */
#define MLS_SNAP_EPOCH_ALL	(MLS_SNAP_EPOCH_CURRENT | \
				 MLS_SNAP_EPOCH_EXPORTER | MLS_SNAP_EPOCH_LIVE | \
				 MLS_SNAP_EPOCH_FINAL)

/* --- sequence numbers imported and saved since load ---------------------- */

/*
 * One member (owner, group_id, leaf) seen since load: @seq, the newest
 * snapshot imported (0: none); @saved_seq, the newest its owner declared
 * stored (MLS_IOC_GROUP_SAVED), whose reservation a live group may have
 * sent up to. A snapshot older than @saved_seq may not resume sending:
 * its window lies below generations already used.
 */
struct mls_snap_seen {
	struct rhash_head node;
	struct rcu_head rcu;
	kuid_t owner;
	u8 group_id[MLS_MAX_GROUP_ID_LEN];
	u16 group_id_len;
	u32 own_leaf;
	u64 seq;
	u64 saved_seq;
};

/*
 * Serialises imports: the checks, the publication and the record; and
 * the record of saves. Nests inside a group's commit_lock, never the
 * other way round.
 */
static DEFINE_MUTEX(mls_import_lock);
/*
 * The records by member, one each, under mls_import_lock: kept until
 * unload, so that their number is that of the members imported or saved
 * since load, and a restore of many groups looks each up in one step.
 */
static struct rhashtable mls_snap_seen;

static u32 seen_hashfn(const void *data, u32 len, u32 seed)
{
	return mls_member_key_hash(data, seed);
}

static u32 seen_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct mls_snap_seen *s = data;
	struct mls_member_key k = {
		.owner = s->owner,
		.own_leaf = s->own_leaf,
		.group_id = s->group_id,
		.group_id_len = s->group_id_len,
	};

	return mls_member_key_hash(&k, seed);
}

static int seen_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct mls_snap_seen *s = obj;

	return !mls_member_key_eq(arg->key, s->owner, s->group_id,
				  s->group_id_len, s->own_leaf);
}

static const struct rhashtable_params mls_seen_params = {
	.head_offset = offsetof(struct mls_snap_seen, node),
	.hashfn = seen_hashfn,
	.obj_hashfn = seen_obj_hashfn,
	.obj_cmpfn = seen_obj_cmpfn,
};

static struct mls_snap_seen *seen_find(const struct mls_group *g)
{
	struct mls_member_key k = mls_group_member_key(g);

	lockdep_assert_held(&mls_import_lock);
	return rhashtable_lookup_fast(&mls_snap_seen, &k, mls_seen_params);
}

/*
 * @g's record, found or made from @spare (then taken: *@spare = NULL);
 * an ERR_PTR if it could not be added.
 */
static struct mls_snap_seen *seen_get(const struct mls_group *g,
				      struct mls_snap_seen **spare)
{
	struct mls_snap_seen *s;
	int ret;

	s = seen_find(g);
	if (s)
		return s;
	s = *spare;
	s->owner = g->owner;
	memcpy(s->group_id, g->group_id, g->group_id_len);
	s->group_id_len = g->group_id_len;
	s->own_leaf = g->own_leaf;
	ret = rhashtable_insert_fast(&mls_snap_seen, &s->node, mls_seen_params);
	if (ret)
		return ERR_PTR(ret);
	*spare = NULL;
	return s;
}

/*
 * Taken out under mls_import_lock, which every lookup holds; freed after
 * a grace period all the same, as the table's own rehashing may be
 * walking the old bucket.
 */
static void seen_drop(struct mls_snap_seen *s)
{
	rhashtable_remove_fast(&mls_snap_seen, &s->node, mls_seen_params);
	kfree_rcu(s, rcu);
}

static void seen_free(void *ptr, void *arg)
{
	kfree(ptr);
}

int mls_snapshot_init(void)
{
	return rhashtable_init(&mls_snap_seen, &mls_seen_params);
}

void mls_snapshot_exit(void)
{
	rhashtable_free_and_destroy(&mls_snap_seen, seen_free, NULL);
}

/* --- export --------------------------------------------------------------- */

static bool may_persist(kuid_t owner)
{
	return uid_eq(current_fsuid(), owner) || capable(CAP_SYS_ADMIN);
}

static void put_bitmap(struct mls_wbuf *w, const unsigned long *map, u32 n)
{
	u32 nbytes = DIV_ROUND_UP(n, 8), i;
	u8 *p;

	mls_put_u32(w, nbytes);
	p = mls_put_reserve(w, nbytes);
	if (!p)
		return;
	memset(p, 0, nbytes);
	for (i = 0; i < n; i++)
		if (test_bit(i, map))
			p[i / 8] |= 1U << (i % 8);
}

static void put_epoch(struct mls_wbuf *w, const struct mls_suite *s,
		      struct mls_epoch *e)
{
	u8 flags = 0;

	if (e->is_current)
		flags |= MLS_SNAP_EPOCH_CURRENT;
	if (e->has_exporter)
		flags |= MLS_SNAP_EPOCH_EXPORTER;
	if (e->live)
		flags |= MLS_SNAP_EPOCH_LIVE;
	if (e->final)
		flags |= MLS_SNAP_EPOCH_FINAL;
	mls_put_u64(w, e->epoch);
	mls_put_u8(w, flags);
	mls_put_u32(w, e->is_current ? 0 :
		    min_t(u64, jiffies_to_msecs(jiffies - e->left_at), U32_MAX));
	mls_put_u32(w, e->own_leaf);
	mls_put_u32(w, e->leaf_count);
	put_bitmap(w, e->occupied, e->leaf_count);
	mls_put_u32(w, e->context_len);
	mls_put_bytes(w, e->context, e->context_len);
	/* A final epoch: only what mls_epoch_end() left (version 3). */
	if (!e->final) {
		mls_put_bytes(w, e->sender_data_secret, s->nh);
		mls_put_bytes(w, e->membership_key, s->nh);
	}
	mls_put_bytes(w, e->resumption_psk, s->nh);
	mls_put_u8(w, e->cth_len);
	mls_put_bytes(w, e->cth, e->cth_len);
	if (e->live) {
		mls_put_bytes(w, e->live->exporter_secret, s->nh);
		mls_put_bytes(w, e->live->authenticator, s->nh);
	}
	if (e->live && !e->final) {
		mls_put_bytes(w, e->live->confirmation_key, s->nh);
		mls_put_bytes(w, e->live->external_secret, s->nh);
	}
	if (!e->final)
		mls_stree_save(e->tree, w);
}

/*
 * The receive-save policy of @g as one export writes it, in its header's
 * version and its body alike: read once, though SET_POLICY may change it
 * meanwhile. Version 2 only with the policy set, so that a module that
 * reads version 1 only still imports every snapshot without it; 3 for a
 * group whose current epoch @cur is its last, whatever the policy.
 */
struct mls_snap_policy {
	u16 version;
	u32 recv_save;
	u32 recv_save_flags;
};

static void snap_policy_read(const struct mls_group *g,
			     const struct mls_epoch *cur,
			     struct mls_snap_policy *sp)
{
	sp->recv_save = mls_recv_save_get(g, &sp->recv_save_flags);
	/* flags without N mean nothing, and import refuses them */
	if (!sp->recv_save)
		sp->recv_save_flags = 0;
	sp->version = cur->final ? 3 : sp->recv_save ? 2 : 1;
	BUILD_BUG_ON(MLS_SNAPSHOT_VERSION != 3);
}

/* The body; @g's commit_lock is held, so its epochs do not change. */
static void put_body(struct mls_wbuf *w, struct mls_group *g,
		     struct mls_epoch **ep, unsigned int n, const u64 *limit,
		     const struct mls_snap_policy *sp)
{
	const struct mls_suite *s = g->suite;
	const struct mls_group_policy *p = &g->policy;
	unsigned int i;

	mls_put_u16(w, s->id);
	mls_put_u32(w, g->id);
	mls_put_u32(w, g->flags);
	mls_put_u32(w, g->own_leaf);
	mls_put_u32(w, from_kuid(&init_user_ns, g->owner));
	mls_put_u32(w, from_kgid(&init_user_ns, g->owner_gid));
	mls_put_u16(w, g->mode);
	mls_put_u32(w, READ_ONCE(p->out_of_order));
	mls_put_u32(w, READ_ONCE(p->max_forward));
	mls_put_u32(w, READ_ONCE(p->epochs_kept));
	mls_put_u32(w, READ_ONCE(p->epoch_max_age_ms));
	mls_put_u32(w, READ_ONCE(p->padding_block));
	mls_put_u32(w, READ_ONCE(p->encrypt_rate));
	mls_put_u32(w, READ_ONCE(p->encrypt_burst));
	mls_put_u32(w, READ_ONCE(p->commit_timeout_ms));
	mls_put_u8(w, g->has_init_secret);
	if (g->has_init_secret)
		mls_put_bytes(w, g->init_secret, s->nh);
	/*
	 * A persistent group: the limits this snapshot reserves, and (in
	 * version 2) its receive-save policy.
	 */
	if (g->flags & MLS_GROUP_F_PERSISTENT) {
		mls_put_u64(w, limit[MLS_RATCHET_HANDSHAKE]);
		mls_put_u64(w, limit[MLS_RATCHET_APPLICATION]);
		if (sp->version >= 2) {
			mls_put_u32(w, sp->recv_save);
			mls_put_u32(w, sp->recv_save_flags);
		}
	}
	mls_put_u32(w, n);
	for (i = 0; i < n; i++)
		put_epoch(w, s, ep[i]);
}

static void put_header(struct mls_wbuf *w, const struct mls_group *g,
		       u16 version, u64 seq, u64 epoch, const u8 *salt)
{
	mls_put_bytes(w, MLS_SNAP_MAGIC, MLS_SNAP_MAGIC_LEN);
	mls_put_u16(w, version);
	mls_put_u16(w, 0);
	mls_put_u64(w, seq);
	mls_put_u64(w, epoch);
	mls_put_bytes(w, salt, MLS_SEAL_SALT_LEN);
	mls_put_u8(w, g->group_id_len);
	mls_put_bytes(w, g->group_id, g->group_id_len);
}

/* The epochs of @g with a reference each, newest first; kvfree the array. */
static struct mls_epoch **take_epochs(struct mls_group *g, unsigned int *n)
{
	struct mls_epoch **ep;
	struct mls_epoch *e;
	unsigned int i = 0, cap;

	lockdep_assert_held(&g->commit_lock);
	/* Epochs only leave the list while we hold commit_lock: no growth. */
	spin_lock(&g->lock);
	cap = g->nr_epochs;
	spin_unlock(&g->lock);
	ep = kvcalloc(cap, sizeof(*ep), MLS_GFP_USER);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	spin_lock(&g->lock);
	if (g->dead) {
		spin_unlock(&g->lock);
		kvfree(ep);
		return ERR_PTR(-ENOENT);
	}
	list_for_each_entry(e, &g->epochs, node) {
		if (i == cap)
			break;
		mls_epoch_get(e);
		ep[i++] = e;
	}
	spin_unlock(&g->lock);
	*n = i;
	return ep;
}

/* A sealed snapshot in kernel memory: @len bytes of @size allocated. */
struct mls_snap_buf {
	u8 *p;
	size_t len;
	size_t size;
};

static void snap_buf_free(struct mls_snap_buf *b)
{
	if (b->p)
		kvfree_sensitive(b->p, b->size);
	b->p = NULL;
}

/* Snapshot @seq did not reach the caller: nothing to save of it. */
static void reserve_drop(struct mls_group *g, u64 seq)
{
	if (!(g->flags & MLS_GROUP_F_PERSISTENT))
		return;
	mutex_lock(&g->commit_lock);
	if (g->reserve.seq == seq)
		g->reserve.valid = false;
	mutex_unlock(&g->commit_lock);
}

/*
 * Seal @g into @b: header, body, tag. The trees may grow between the
 * sizing pass and the writing one (messages still arrive): the writing
 * pass has room to spare, and is run again if that was not enough. The
 * body is written under commit_lock, and sealed once it is dropped.
 *
 * Return: 0, -EFBIG (above MLS_MAX_SNAPSHOT_LEN), -EAGAIN (the trees kept
 * growing faster than the buffer), the errors of mls_seal_key_get(),
 * -ENOENT, -ENOMEM.
 */
static int seal_group(struct mls_group *g, struct mls_snap_buf *b, u64 *seq,
		      u64 *epoch)
{
	size_t hdr = MLS_SNAP_HDR_FIXED + g->group_id_len, cap = 0, body = 0;
	u32 window = clamp(READ_ONCE(mls_persist_reserve), 1U,
			   MLS_PERSIST_RESERVE_MAX);
	u64 limit[2] = {}, drain, recv_done = 0;
	struct mls_snap_policy sp;
	u8 salt[MLS_SEAL_SALT_LEN];
	struct mls_seal_key key;
	struct mls_epoch **ep;
	struct mls_wbuf w;
	unsigned int n, i, tries;
	bool reserve;
	int ret;

	*b = (struct mls_snap_buf){};
	get_random_bytes(salt, sizeof(salt));
	ret = mls_seal_key_get(salt, &key);
	if (ret)
		return ret;

	mutex_lock(&g->commit_lock);
	/* Before the trees are read: the decrypts they hold for sure. */
	if (g->flags & MLS_GROUP_F_PERSISTENT)
		recv_done = mls_recv_save_exported(g);
	ep = take_epochs(g, &n);
	if (IS_ERR(ep)) {
		ret = PTR_ERR(ep);
		goto out_unlock;
	}
	*epoch = ep[0]->epoch;
	snap_policy_read(g, ep[0], &sp);
	/*
	 * Reserved before the ratchets are written: a generation sent
	 * meanwhile is below the limit in force, which is below these.
	 */
	drain = mls_drain_id();
	/* A final epoch sends nothing and has no tree: no limits (zeros). */
	reserve = (g->flags & MLS_GROUP_F_PERSISTENT) && !ep[0]->final;
	if (reserve && drain) {
		/* Drained: sending stops here, and the snapshot says so. */
		limit[0] = mls_stree_reserve_close(ep[0]->tree, g->own_leaf,
						   MLS_RATCHET_HANDSHAKE);
		limit[1] = mls_stree_reserve_close(ep[0]->tree, g->own_leaf,
						   MLS_RATCHET_APPLICATION);
	} else if (reserve) {
		limit[0] = mls_stree_reserve_next(ep[0]->tree, g->own_leaf,
						  MLS_RATCHET_HANDSHAKE, window);
		limit[1] = mls_stree_reserve_next(ep[0]->tree, g->own_leaf,
						  MLS_RATCHET_APPLICATION, window);
	}
	for (tries = 0; tries < 4; tries++) {
		mls_wbuf_init(&w, b->p ? b->p + hdr : NULL, cap);
		put_body(&w, g, ep, n, limit, &sp);
		ret = mls_wbuf_err(&w);
		if (ret != -ENOSPC)
			break;
		snap_buf_free(b);
		/* Import takes no more: refuse before allocating it. */
		if (w.len > MLS_MAX_SNAPSHOT_LEN - hdr - MLS_SEAL_TAG_LEN) {
			ret = -EFBIG;
			break;
		}
		cap = w.len + w.len / 8 + 4096;
		b->size = hdr + cap + MLS_SEAL_TAG_LEN;
		b->p = kvmalloc(b->size, MLS_GFP_USER);
		if (!b->p) {
			ret = -ENOMEM;
			break;
		}
	}
	/* Outgrown on every try: the caller may try again later. */
	if (ret == -ENOSPC)
		ret = -EAGAIN;
	body = w.len;
	if (!ret && body > MLS_MAX_SNAPSHOT_LEN - hdr - MLS_SEAL_TAG_LEN)
		ret = -EFBIG;
	if (!ret) {
		*seq = ++g->snap_seq;
		mls_wbuf_init(&w, b->p, hdr);
		put_header(&w, g, sp.version, *seq, *epoch, salt);
		ret = mls_wbuf_err(&w);
	}
	/* In force once MLS_IOC_GROUP_SAVED says this snapshot is stored. */
	if (!ret && (g->flags & MLS_GROUP_F_PERSISTENT)) {
		g->reserve.seq = *seq;
		g->reserve.epoch = *epoch;
		memcpy(g->reserve.limit, limit, sizeof(limit));
		g->reserve.recv_done = recv_done;
		g->reserve.drain_id = drain;
		g->reserve.valid = true;
	}
	for (i = 0; i < n; i++)
		mls_epoch_put(ep[i]);
	kvfree(ep);
out_unlock:
	mutex_unlock(&g->commit_lock);
	if (!ret) {
		ret = mls_seal(&key, b->p, hdr, body);
		if (ret)
			reserve_drop(g, *seq);
	}
	mls_seal_wipe(&key);
	if (ret) {
		snap_buf_free(b);
		return ret;
	}
	b->len = hdr + body + MLS_SEAL_TAG_LEN;
	return 0;
}

int mls_ioc_group_export(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx->file->private_data;
	struct mls_group_export *a = arg;
	struct mls_snap_buf b;
	int ret;

	if (a->flags || a->reserved || a->snapshot.reserved)
		return -EINVAL;
	if (!may_persist(g->owner))
		return -EPERM;
	ret = seal_group(g, &b, &a->seq, &a->epoch);
	if (ret)
		return ret;
	if (b.len > a->snapshot.len)
		ret = -ENOSPC;
	else if (copy_to_user(u64_to_user_ptr(a->snapshot.addr), b.p, b.len))
		ret = -EFAULT;
	/* At most MLS_MAX_SNAPSHOT_LEN: it fits. */
	a->snapshot.len = b.len;
	snap_buf_free(&b);
	if (ret)
		reserve_drop(g, a->seq);
	return ret;
}

/* --- import --------------------------------------------------------------- */

/* The header, read before the tag is checked: only what opening needs. */
struct mls_snap_hdr {
	u16 version;
	u64 seq;
	u64 epoch;
	const u8 *salt;
	const u8 *group_id;
	u8 group_id_len;
	size_t len;
};

static int get_header(const u8 *p, size_t len, struct mls_snap_hdr *h)
{
	struct mls_rbuf r;
	const u8 *magic;
	u16 version, flags;

	mls_rbuf_init(&r, p, len);
	if (mls_get_bytes(&r, MLS_SNAP_MAGIC_LEN, &magic) ||
	    memcmp(magic, MLS_SNAP_MAGIC, MLS_SNAP_MAGIC_LEN) ||
	    mls_get_u16(&r, &version))
		return -EBADMSG;
	/*
	 * Another version may lay its header out otherwise: stop here.
	 * Versions 1 and 2 differ in their body only (no receive-save
	 * policy, no FINAL mark).
	 */
	if (version < 1 || version > MLS_SNAPSHOT_VERSION)
		return -EPROTONOSUPPORT;
	h->version = version;
	if (mls_get_u16(&r, &flags) || flags || mls_get_u64(&r, &h->seq) ||
	    mls_get_u64(&r, &h->epoch) ||
	    mls_get_bytes(&r, MLS_SEAL_SALT_LEN, &h->salt) ||
	    mls_get_u8(&r, &h->group_id_len) || !h->group_id_len ||
	    mls_get_bytes(&r, h->group_id_len, &h->group_id))
		return -EBADMSG;
	h->len = r.off;
	/* The tag at least must follow. */
	return mls_rbuf_left(&r) < MLS_SEAL_TAG_LEN ? -EBADMSG : 0;
}

/* The occupied-leaf bitmap: exactly its bytes, no bit past the leaves. */
static unsigned long *get_bitmap(struct mls_rbuf *r, u32 n)
{
	unsigned long *map;
	const u8 *p;
	u32 len, i;

	if (mls_get_u32(r, &len) || len != DIV_ROUND_UP(n, 8) ||
	    mls_get_bytes(r, len, &p))
		return ERR_PTR(-EINVAL);
	if ((n % 8) && (p[len - 1] >> (n % 8)))
		return ERR_PTR(-EINVAL);
	map = bitmap_zalloc(n, MLS_GFP_USER);
	if (!map)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++)
		if (p[i / 8] & (1U << (i % 8)))
			__set_bit(i, map);
	return map;
}

/*
 * One epoch of the body: @newer is the number of the epoch read before
 * it (U64_MAX for the first, which must be the current one).
 */
static struct mls_epoch *get_epoch(struct mls_rbuf *r, struct mls_group *g,
				   u16 version, bool full, u64 newer, bool first)
{
	const struct mls_suite *s = g->suite;
	struct mls_epoch_image im = {};
	struct mls_epoch *e;
	bool reduced;
	u32 context_len;
	u8 flags;
	int ret = -EINVAL;

	if (mls_get_u64(r, &im.epoch) || mls_get_u8(r, &flags) ||
	    mls_get_u32(r, &im.age_ms) || mls_get_u32(r, &im.own_leaf) ||
	    mls_get_u32(r, &im.leaf_count))
		goto err;
	if (flags & ~MLS_SNAP_EPOCH_ALL)
		goto err;
	im.is_current = flags & MLS_SNAP_EPOCH_CURRENT;
	im.has_exporter = flags & MLS_SNAP_EPOCH_EXPORTER;
	im.final = flags & MLS_SNAP_EPOCH_FINAL;
	/*
	 * Version 3 is that of an ended group: its current epoch, and no
	 * other, has the mark. A final epoch has its exporter (a ReInit's
	 * Commit is never an installed epoch's).
	 */
	if (im.final != (first && version >= 3) ||
	    (im.final && !im.has_exporter))
		goto err;
	/* The first is current, the others past and older one by one. */
	if (im.is_current != first || im.epoch >= newer ||
	    (first && im.age_ms))
		goto err;
	/* Live secrets: the current epoch's, unless it was installed. */
	if (!!(flags & MLS_SNAP_EPOCH_LIVE) != (first && im.has_exporter))
		goto err;
	if (!im.leaf_count || im.leaf_count > mls_max_leaves ||
	    im.own_leaf >= im.leaf_count || im.own_leaf != g->own_leaf)
		goto err;
	im.occupied = get_bitmap(r, im.leaf_count);
	if (IS_ERR(im.occupied)) {
		ret = PTR_ERR(im.occupied);
		im.occupied = NULL;
		goto err;
	}
	if (!test_bit(im.own_leaf, im.occupied))
		goto err;
	if (mls_get_u32(r, &context_len) || !context_len ||
	    context_len > MLS_SNAP_MAX_CONTEXT ||
	    mls_get_bytes(r, context_len, &im.context))
		goto err;
	im.context_len = context_len;
	/*
	 * A final epoch holds what mls_epoch_end() left: no sender_data,
	 * membership, confirmation or external secret, no secret tree.
	 * Unless it is in version 3's full layout (@full), which has them
	 * all, as version 2 lays them out.
	 */
	reduced = im.final && !full;
	if ((!reduced && (mls_get_bytes(r, s->nh, &im.sender_data) ||
			  mls_get_bytes(r, s->nh, &im.membership))) ||
	    mls_get_bytes(r, s->nh, &im.resumption) ||
	    mls_get_u8(r, &im.cth_len) ||
	    im.cth_len > MLS_MAX_CONTEXT_HASH_LEN ||
	    mls_get_bytes(r, im.cth_len, &im.cth))
		goto err;
	if ((flags & MLS_SNAP_EPOCH_LIVE) &&
	    mls_get_bytes(r, (reduced ? 2 : 4) * (size_t)s->nh, &im.live))
		goto err;
	if (!reduced) {
		im.tree = mls_stree_load(s, im.leaf_count, g->user, r);
		if (IS_ERR(im.tree)) {
			ret = PTR_ERR(im.tree);
			im.tree = NULL;
			goto err;
		}
	}
	/* A final epoch takes none of the erased secrets (im.final). */
	e = mls_epoch_restore(s, &im, g->user);
	/*
	 * A final epoch as its merge leaves it: the full layout's tree goes
	 * (the reduced one has nothing left to erase).
	 */
	if (!IS_ERR(e) && e->final)
		mls_epoch_end(e);
	return e;

err:
	bitmap_free(im.occupied);
	return ERR_PTR(ret);
}

/* The policy as the snapshot holds it, within this load's caps. */
static int get_policy(struct mls_rbuf *r, struct mls_group_policy *p)
{
	u32 v[8];
	int i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (mls_get_u32(r, &v[i]))
			return -EINVAL;
	p->out_of_order = min(v[0], mls_out_of_order_max);
	p->max_forward = min(v[1], mls_max_forward_max);
	p->epochs_kept = min(v[2], mls_epochs_kept_max);
	/* A cap of 0 is "no limit"; under a finite one, 0 is not allowed. */
	p->epoch_max_age_ms = v[3];
	if (mls_epoch_max_age_ms_max && (!v[3] || v[3] > mls_epoch_max_age_ms_max))
		p->epoch_max_age_ms = mls_epoch_max_age_ms_max;
	p->padding_block = min(v[4], mls_padding_block_max);
	p->encrypt_rate = v[5];
	p->encrypt_burst = v[6];
	p->commit_timeout_ms = clamp(v[7], 1U, mls_commit_timeout_ms_max);
	return 0;
}

/* The receive-save policy of a persistent group, as SET_POLICY takes it. */
static int get_recv_save(struct mls_rbuf *r, struct mls_group *g)
{
	u32 n, flags;

	if (mls_get_u32(r, &n) || mls_get_u32(r, &flags) ||
	    (flags & ~MLS_RECV_SAVE_F_ALL) || (flags && !n))
		return -EINVAL;
	/* Not published yet, and nothing unsaved: no event. */
	mls_recv_save_set(g, n, flags, 0);
	return 0;
}

/* What the body says of the group besides its epochs. */
struct mls_snap_group {
	const struct mls_suite *suite;
	u32 id;
	u32 flags;
	u32 own_leaf;
	kuid_t owner;
	kgid_t owner_gid;
	u16 mode;
};

static int get_group(struct mls_rbuf *r, struct mls_snap_group *sg)
{
	u32 uid, gid;
	u16 suite;

	if (mls_get_u16(r, &suite) || mls_get_u32(r, &sg->id) ||
	    mls_get_u32(r, &sg->flags) || mls_get_u32(r, &sg->own_leaf) ||
	    mls_get_u32(r, &uid) || mls_get_u32(r, &gid) ||
	    mls_get_u16(r, &sg->mode))
		return -EINVAL;
	if (!sg->id || sg->id > INT_MAX || (sg->flags & ~MLS_GROUP_F_ALL) ||
	    (sg->mode & ~0777))
		return -EINVAL;
	sg->owner = make_kuid(&init_user_ns, uid);
	sg->owner_gid = make_kgid(&init_user_ns, gid);
	if (!uid_valid(sg->owner) || !gid_valid(sg->owner_gid))
		return -EINVAL;
	sg->suite = mls_suite_find(suite);
	return sg->suite ? 0 : -EOPNOTSUPP;
}

/*
 * The group the opened body @r describes, not published yet. @flags
 * (MLS_IMPORT_F_*): with RESUME, a persistent group sends in its current
 * epoch again after what the snapshot reserved (*@resumed says whether
 * it does); with RECEIVE_ONLY, encrypt says -EROFS. Unless it resumed,
 * the epochs its commits lead to are receive-only too (send_tainted).
 */
static struct mls_group *get_body(struct mls_rbuf *r,
				  const struct mls_snap_hdr *h, u32 flags,
				  bool *resumed)
{
	bool resume = flags & MLS_IMPORT_F_RESUME;
	u64 limit[2] = {};
	struct mls_snap_group sg;
	struct mls_group *g;
	struct mls_epoch *e;
	u64 newer = U64_MAX;
	const u8 *p;
	u32 n, i;
	u8 has_init;
	bool full;
	int ret;

	ret = get_group(r, &sg);
	if (ret)
		return ERR_PTR(ret);
	/* Whose group it is decides before anything is made of it. */
	if (!may_persist(sg.owner))
		return ERR_PTR(-EPERM);
	g = mls_group_alloc(sg.suite, h->group_id, h->group_id_len,
			    sg.own_leaf, sg.flags, sg.mode);
	if (!g)
		return ERR_PTR(-ENOMEM);
	g->id = sg.id;
	g->owner = sg.owner;
	g->owner_gid = sg.owner_gid;
	g->snap_seq = h->seq;
	/* Its bytes are its owner's, whoever imports it. */
	if (!uid_eq(sg.owner, current_fsuid())) {
		struct mls_user *u = mls_user_get(sg.owner);

		if (!u) {
			ret = -ENOMEM;
			goto err;
		}
		mls_user_put(g->user);
		g->user = u;
	}
	ret = -EINVAL;
	if (get_policy(r, &g->policy) || mls_get_u8(r, &has_init) ||
	    has_init > 1)
		goto err;
	/*
	 * Version 3 with an init_secret: the full layout of the earlier
	 * module. The init_secret of a final epoch is not taken: a merge
	 * erases it (no commit follows), and so does this import.
	 */
	full = h->version >= 3 && has_init;
	if (has_init) {
		if (mls_get_bytes(r, sg.suite->nh, &p))
			goto err;
		if (!full) {
			memcpy(g->init_secret, p, sg.suite->nh);
			g->has_init_secret = true;
		}
	}
	if ((sg.flags & MLS_GROUP_F_PERSISTENT) &&
	    (mls_get_u64(r, &limit[MLS_RATCHET_HANDSHAKE]) ||
	     mls_get_u64(r, &limit[MLS_RATCHET_APPLICATION])))
		goto err;
	if ((sg.flags & MLS_GROUP_F_PERSISTENT) && h->version >= 2 &&
	    get_recv_save(r, g))
		goto err;
	resume = resume && (sg.flags & MLS_GROUP_F_PERSISTENT);
	if (mls_get_u32(r, &n) || !n || n > mls_epochs_kept_max + 1)
		goto err;
	for (i = 0; i < n; i++) {
		e = get_epoch(r, g, h->version, full, newer, !i);
		if (IS_ERR(e)) {
			ret = PTR_ERR(e);
			goto err;
		}
		newer = e->epoch;
		e->is_current = !i;
		list_add_tail(&e->node, &g->epochs);
		g->nr_epochs++;
		if (!i && e->epoch != h->epoch)
			goto err;
		/*
		 * A final epoch sends nothing: no tree, no limits. The full
		 * layout has the limits its writer reserved: they go with
		 * the tree they bounded.
		 */
		if (e->final) {
			if (!full && (limit[MLS_RATCHET_HANDSHAKE] ||
				      limit[MLS_RATCHET_APPLICATION]))
				goto err;
			continue;
		}
		/*
		 * No sending in a restored epoch, the current one included:
		 * generations may have been used after the export, and
		 * nothing here says which. Receive-only until the next one.
		 * Except the current epoch of the newest snapshot of a
		 * persistent group: every generation sent after it was
		 * taken is below the limits it reserved, so sending goes
		 * on from there (once a new reservation is saved).
		 */
		if (!i && resume) {
			ret = mls_stree_send_resume(e->tree, e->own_leaf, limit,
						    resumed);
			if (ret)
				goto err;
		} else if (!i && (flags & MLS_IMPORT_F_RECEIVE_ONLY)) {
			mls_stree_read_only(e->tree, e->own_leaf);
		} else {
			mls_stree_retire_sender(e->tree, e->own_leaf);
		}
	}
	/*
	 * An installed epoch has no init_secret, nor a final one (no commit
	 * follows it; in the full layout, it had one, not taken); every
	 * other one has.
	 */
	e = list_first_entry(&g->epochs, struct mls_epoch, node);
	if (has_init != (e->has_exporter && (!e->final || full)))
		goto err;
	ret = mls_rbuf_done(r) ? -EINVAL : 0;
	if (ret)
		goto err;
	g->send_tainted = !*resumed;
	/* Not published yet: no reader to order against. */
	g->ended = e->final;
	return g;

err:
	mls_group_put(g);
	return ERR_PTR(ret);
}

/*
 * What an import that fails at its very end takes back: the group. Not
 * its record: once published, others may have opened it and sent with
 * it, so the snapshot counts as imported.
 */
struct mls_import_undo {
	struct mls_group *g;
};

static void import_done(void *arg)
{
	kfree(arg);
}

static void import_undo(void *arg)
{
	struct mls_import_undo *u = arg;

	mls_group_destroy(u->g);
	kfree(u);
}

/*
 * Publish @g (one reference, taken over on success) unless a snapshot as
 * new was imported already or the member is alive, and record its @seq.
 */
static int publish_imported(struct mls_group *g, u64 seq, bool resume)
{
	struct mls_snap_seen *seen, *spare;
	int ret;

	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		return -ENOMEM;
	mutex_lock(&mls_import_lock);
	seen = seen_find(g);
	ret = -ESTALE;
	if (seen && seq <= seen->seq)
		goto out;
	/* Sending may resume only from the newest window saved since load. */
	if (seen && resume && seq < seen->saved_seq)
		goto out;
	ret = -EEXIST;
	if (mls_group_member_alive(g->owner, g->group_id, g->group_id_len,
				   g->own_leaf))
		goto out;
	/* Added before publishing: once published, the record must stay. */
	seen = seen_get(g, &spare);
	if (IS_ERR(seen)) {
		ret = PTR_ERR(seen);
		goto out;
	}
	/* The registry's reference. */
	kref_get(&g->ref);
	ret = mls_group_publish_at(g, g->id);
	if (ret) {
		mls_group_put(g);
		/* A record made for this import alone goes with it. */
		if (!spare)
			seen_drop(seen);
		goto out;
	}
	seen->seq = seq;
out:
	mutex_unlock(&mls_import_lock);
	kfree(spare);
	return ret;
}

int mls_ioc_group_import(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group_import *a = arg;
	struct mls_import_undo *undo = NULL;
	struct mls_seal_key key;
	struct mls_snap_hdr h;
	struct mls_group *g = NULL;
	struct mls_rbuf r;
	size_t len = a->snapshot.len;
	bool resumed = false;
	u8 *buf;
	int ret;

	if ((a->flags & ~MLS_IMPORT_F_ALL) || a->snapshot.reserved || !len ||
	    len > MLS_MAX_SNAPSHOT_LEN || a->reserved)
		return -EINVAL;
	if ((a->flags & MLS_IMPORT_F_RESUME) &&
	    (a->flags & MLS_IMPORT_F_RECEIVE_ONLY))
		return -EINVAL;
	buf = kvmalloc(len, MLS_GFP_USER);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(a->snapshot.addr), len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = get_header(buf, len, &h);
	if (ret)
		goto out;
	ret = mls_seal_key_get(h.salt, &key);
	if (ret)
		goto out;
	ret = mls_unseal(&key, buf, h.len, len - h.len);
	mls_seal_wipe(&key);
	if (ret)
		goto out;

	mls_rbuf_init(&r, buf + h.len, len - h.len - MLS_SEAL_TAG_LEN);
	g = get_body(&r, &h, a->flags, &resumed);
	if (IS_ERR(g)) {
		ret = PTR_ERR(g);
		g = NULL;
		goto out;
	}
	undo = kzalloc(sizeof(*undo), GFP_KERNEL);
	if (!undo) {
		ret = -ENOMEM;
		goto out;
	}
	ret = publish_imported(g, h.seq, resumed);
	if (ret)
		goto out;
	undo->g = g;
	mls_event_group_new(g, false);
	ret = mls_group_new_file(g, &ctx->new_file, &ctx->new_fd);
	if (ret) {
		/* Published: the record stays (see mls_import_undo). */
		import_undo(undo);
		undo = NULL;
		goto out;
	}
	ctx->undo = import_undo;
	ctx->done = import_done;
	ctx->undo_arg = undo;
	undo = NULL;
	a->id = g->id;
	a->seq = h.seq;
	a->epoch = h.epoch;
	a->result = resumed ? MLS_IMPORT_R_RESUMED : MLS_IMPORT_R_RECEIVE_ONLY;
out:
	kfree(undo);
	mls_group_put(g);
	kvfree_sensitive(buf, len);
	return ret;
}

/* --- the send reservation ------------------------------------------------- */

int mls_ioc_group_saved(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx->file->private_data;
	struct mls_group_saved *a = arg;
	struct mls_snap_seen *seen, *spare;
	struct mls_epoch *e;
	bool recv_ask = false;
	u64 saved_epoch = 0;
	int ret;

	if (a->flags || a->reserved || !(g->flags & MLS_GROUP_F_PERSISTENT))
		return -EINVAL;
	if (!may_persist(g->owner))
		return -EPERM;
	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		return -ENOMEM;
	mutex_lock(&g->commit_lock);
	ret = -EINVAL;
	if (!a->seq || a->seq > g->snap_seq)
		goto out;
	ret = -ESTALE;
	if (!g->reserve.valid || a->seq != g->reserve.seq)
		goto out;
	/* Epochs change under commit_lock only: this one stays current. */
	e = mls_group_current(g);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out;
	}
	if (e->epoch == g->reserve.epoch) {
		/*
		 * Recorded before the window opens: from now on no older
		 * snapshot of this member may resume sending (see
		 * publish_imported()), even once this group is gone.
		 */
		mutex_lock(&mls_import_lock);
		seen = seen_get(g, &spare);
		if (!IS_ERR(seen))
			seen->saved_seq = max(seen->saved_seq, a->seq);
		mutex_unlock(&mls_import_lock);
		if (IS_ERR(seen)) {
			ret = PTR_ERR(seen);
			mls_epoch_put(e);
			goto out;
		}
		/* An ended group's last epoch sends nothing: no tree. */
		if (!e->final) {
			mls_stree_reserve(e->tree, g->own_leaf,
					  MLS_RATCHET_HANDSHAKE,
					  g->reserve.limit[MLS_RATCHET_HANDSHAKE]);
			mls_stree_reserve(e->tree, g->own_leaf,
					  MLS_RATCHET_APPLICATION,
					  g->reserve.limit[MLS_RATCHET_APPLICATION]);
		}
		WRITE_ONCE(g->reserve.saved_epoch, e->epoch);
		WRITE_ONCE(g->reserve.saved_seq, a->seq);
		g->reserve.saved_drain_id = g->reserve.drain_id;
		recv_ask = mls_recv_save_saved(g, g->reserve.recv_done);
		saved_epoch = e->epoch;
		ret = 0;
	}
	mls_epoch_put(e);
out:
	mutex_unlock(&g->commit_lock);
	kfree(spare);
	/* As many unsaved already (decrypts during the save): once more. */
	if (recv_ask)
		mls_recv_save_ask_again(g, saved_epoch);
	/* A drain may be waiting for this save. */
	if (!ret)
		mls_drain_kick();
	return ret;
}

/**
 * mls_group_reserve_info() - the send reservation of a persistent group
 * @g: the group
 * @ri: (out) its state in the current epoch
 *
 * For the netlink dump and sysfs: a view taken without the group's
 * commit_lock, each field read once (a commit or a save running at the
 * same time may show in some fields and not yet in others). Sleeps.
 *
 * Return: 0, -ENODATA (not a persistent group), -ENOENT (destroyed).
 */
int mls_group_reserve_info(struct mls_group *g, struct mls_reserve_info *ri)
{
	struct mls_stree_reserve_state st;
	struct mls_epoch *e;

	if (!(g->flags & MLS_GROUP_F_PERSISTENT))
		return -ENODATA;
	e = mls_group_current(g);
	if (IS_ERR(e))
		return PTR_ERR(e);
	/* A final epoch has no tree: nothing sent, nothing reserved. */
	if (e->final)
		st = (struct mls_stree_reserve_state){};
	else
		mls_stree_reserve_state(e->tree, g->own_leaf, &st);
	ri->epoch = e->epoch;
	mls_epoch_put(e);
	ri->saved_seq = READ_ONCE(g->reserve.saved_seq);
	ri->saved = ri->saved_seq &&
		    READ_ONCE(g->reserve.saved_epoch) == ri->epoch;
	ri->low = st.low;
	memcpy(ri->next, st.next, sizeof(ri->next));
	memcpy(ri->limit, st.limit, sizeof(ri->limit));
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Groups: the registry (kernel ids), lifetime, access, group fds, and
 * the list of epochs with its retention policy.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "commit.h"
#include "drain.h"
#include "epoch.h"
#include "evbuf.h"
#include "events.h"
#include "group.h"
#include "memstat.h"
#include "group_ops.h"
#include "params.h"
#include "quota.h"
#include "stats.h"
#include "sysfs.h"

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

static DEFINE_XARRAY_ALLOC1(mls_groups);
/*
 * Ids are handed out cyclically, as pids are: an id freed by a destroy is
 * not given to the next group at once, so that an event or a dump naming
 * an id is not mistaken for a newer group that took it over.
 */
static u32 mls_next_id = 1;
static atomic_t mls_nr_groups = ATOMIC_INIT(0);

u32 mls_member_key_hash(const struct mls_member_key *k, u32 seed)
{
	return jhash(k->group_id, k->group_id_len,
		     jhash_2words(__kuid_val(k->owner), k->own_leaf, seed));
}

bool mls_member_key_eq(const struct mls_member_key *k, kuid_t owner,
		       const u8 *group_id, size_t group_id_len, u32 own_leaf)
{
	return k->own_leaf == own_leaf && uid_eq(k->owner, owner) &&
	       k->group_id_len == group_id_len &&
	       !memcmp(k->group_id, group_id, group_id_len);
}

/*
 * The published groups by member (mls_group_member_alive()), so that an
 * import among many groups does not look at each: a group is in it from
 * publication until its destroy. A list per key: one owner may make
 * several groups of the same name and leaf.
 */
static struct rhltable mls_members;

static u32 member_hashfn(const void *data, u32 len, u32 seed)
{
	return mls_member_key_hash(data, seed);
}

static u32 member_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct mls_group *g = data;
	struct mls_member_key k = mls_group_member_key(g);

	return mls_member_key_hash(&k, seed);
}

static int member_obj_cmpfn(struct rhashtable_compare_arg *arg,
			    const void *obj)
{
	const struct mls_group *g = obj;

	return !mls_member_key_eq(arg->key, g->owner, g->group_id,
				  g->group_id_len, g->own_leaf);
}

static const struct rhashtable_params mls_member_params = {
	.head_offset = offsetof(struct mls_group, member_node),
	.hashfn = member_hashfn,
	.obj_hashfn = member_obj_hashfn,
	.obj_cmpfn = member_obj_cmpfn,
	.automatic_shrinking = true,
};

/*
 * Past epochs are also dropped when an operation finds them too old; this
 * worker erases them when nothing touches the group.
 */
#define MLS_RETENTION_PERIOD	HZ
static void mls_retention_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mls_retention, mls_retention_work);

struct mls_group *mls_group_alloc(const struct mls_suite *suite,
				  const u8 *group_id, size_t group_id_len,
				  u32 own_leaf, u32 flags, umode_t mode)
{
	struct mls_group *g = kzalloc(sizeof(*g), MLS_GFP_USER);

	if (!g)
		return NULL;
	g->user = mls_user_get(current_fsuid());
	if (!g->user || mls_group_stats_alloc(g)) {
		mls_user_put(g->user);
		kfree(g);
		return NULL;
	}
	mls_mem_add(MLS_MEM_GROUPS, sizeof(*g));
	kref_init(&g->ref);
	mls_evbuf_fallback_init(&g->evb_fallback);
	mutex_init(&g->commit_lock);
	spin_lock_init(&g->lock);
	INIT_LIST_HEAD(&g->epochs);
	g->suite = suite;
	memcpy(g->group_id, group_id, group_id_len);
	g->group_id_len = group_id_len;
	g->own_leaf = own_leaf;
	g->flags = flags;
	g->mode = mode;
	g->owner = current_fsuid();
	g->owner_gid = current_fsgid();
	g->policy = (struct mls_group_policy){
		.out_of_order = min(mls_out_of_order, mls_out_of_order_max),
		.max_forward = min(mls_max_forward, mls_max_forward_max),
		.epochs_kept = min(mls_epochs_kept, mls_epochs_kept_max),
		/* A cap of 0 is "no limit"; a default of 0 needs that cap. */
		.epoch_max_age_ms = mls_epoch_max_age_ms_max ?
				    min(mls_epoch_max_age_ms, mls_epoch_max_age_ms_max) :
				    mls_epoch_max_age_ms,
		.padding_block = min(mls_padding_block, mls_padding_block_max),
		.commit_timeout_ms = min(mls_commit_timeout_ms,
					 mls_commit_timeout_ms_max),
	};
	return g;
}

static void mls_group_free_rcu(struct rcu_head *rcu)
{
	struct mls_group *g = container_of(rcu, struct mls_group, rcu);

	/* Here, not at release: RCU readers may still read the counters. */
	mls_group_stats_free(g);
	mls_mem_add(MLS_MEM_GROUPS, -(long)sizeof(*g));
	kfree_sensitive(g);
}

static void mls_group_release(struct kref *ref)
{
	struct mls_group *g = container_of(ref, struct mls_group, ref);
	struct mls_epoch *e, *tmp;

	/* Destroy emptied the list already unless publishing failed. */
	list_for_each_entry_safe(e, tmp, &g->epochs, node) {
		list_del(&e->node);
		mls_epoch_put(e);
	}
	memzero_explicit(g->init_secret, sizeof(g->init_secret));
	mutex_destroy(&g->commit_lock);
	if (g->charged)
		mls_user_uncharge(g->user, MLS_QUOTA_GROUPS, 1);
	mls_user_put(g->user);
	g->user = NULL;
	/* RCU lookups may still be looking at it. */
	call_rcu(&g->rcu, mls_group_free_rcu);
}

void mls_group_put(struct mls_group *g)
{
	if (g)
		kref_put(&g->ref, mls_group_release);
}

/* Reserve kernel id @want for @g if it is free, else a new one. */
static int reserve_id(struct mls_group *g, u32 want)
{
	int ret;

	if (want && want <= xa_limit_31b.max) {
		ret = xa_insert(&mls_groups, want, NULL, GFP_KERNEL);
		if (!ret) {
			g->id = want;
			return 0;
		}
		if (ret != -EBUSY)
			return ret;
	}
	ret = xa_alloc_cyclic(&mls_groups, &g->id, NULL, xa_limit_31b,
			      &mls_next_id, GFP_KERNEL);
	if (ret < 0)
		return ret == -EBUSY ? -ENOSPC : ret;
	return 0;
}

static int publish(struct mls_group *g, u32 want)
{
	struct mls_member_key mk = mls_group_member_key(g);
	int ret;

	/* Counted until released: a group's memory lives until then. */
	ret = mls_user_charge(g->user, MLS_QUOTA_GROUPS, 1);
	if (ret)
		return ret;
	g->charged = true;
	if (atomic_inc_return(&mls_nr_groups) > mls_max_groups) {
		atomic_dec(&mls_nr_groups);
		return -ENOSPC;
	}
	/*
	 * The id is reserved first (a lookup finds nothing there), then the
	 * directory named by it is made, then the group stored: a group that
	 * fails here was never found by anyone.
	 */
	ret = reserve_id(g, want);
	if (ret)
		goto err_id;
	/*
	 * In the member index before the registry: from here an import of
	 * the same member is refused (-EEXIST), also if this publication
	 * fails below, which errs on the side of one copy.
	 */
	/*
	 * By key: rhltable_insert() would compare the group itself as the
	 * key, so that groups of one member would not share a list.
	 */
	ret = rhltable_insert_key(&mls_members, &mk, &g->member_node,
				  mls_member_params);
	if (ret)
		goto err_member;
	ret = mls_sysfs_group_add(g);
	if (ret)
		goto err_sysfs;
	/* Into the reserved slot: nothing to allocate, cannot fail. */
	xa_store(&mls_groups, g->id, g, GFP_KERNEL);
	return 0;

err_sysfs:
	rhltable_remove(&mls_members, &g->member_node, mls_member_params);
err_member:
	xa_release(&mls_groups, g->id);
err_id:
	atomic_dec(&mls_nr_groups);
	return ret;
}

/* Make @g visible with its first epoch @first (whose reference it takes). */
int mls_group_publish(struct mls_group *g, struct mls_epoch *first)
{
	/* A persistent group sends nothing its store has not reserved. */
	if (g->flags & MLS_GROUP_F_PERSISTENT)
		mls_stree_limit_sends(first->tree);
	first->is_current = true;
	list_add(&first->node, &g->epochs);
	g->nr_epochs = 1;
	return publish(g, 0);
}

/*
 * Make @g visible with the epochs already on its list (an import), under
 * kernel id @want if that is free, else a new one.
 */
int mls_group_publish_at(struct mls_group *g, u32 want)
{
	return publish(g, want);
}

/*
 * Whether a live group of @owner is the member @own_leaf of @group_id: an
 * import of that member would make two copies sending under the same
 * keys. Another user's group of that name does not count, so that one
 * user cannot keep another's snapshot out.
 */
bool mls_group_member_alive(kuid_t owner, const u8 *group_id,
			    size_t group_id_len, u32 own_leaf)
{
	struct mls_member_key k = {
		.owner = owner,
		.own_leaf = own_leaf,
		.group_id = group_id,
		.group_id_len = group_id_len,
	};
	struct rhlist_head *list, *pos;
	struct mls_group *g;
	bool found = false;

	/* The groups stay readable until a grace period after release. */
	rcu_read_lock();
	list = rhltable_lookup(&mls_members, &k, mls_member_params);
	rhl_for_each_entry_rcu(g, pos, list, member_node) {
		if (!READ_ONCE(g->dead)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

struct mls_group *mls_group_lookup(u32 id)
{
	struct mls_group *g;

	rcu_read_lock();
	g = xa_load(&mls_groups, id);
	if (g && !kref_get_unless_zero(&g->ref))
		g = NULL;
	rcu_read_unlock();
	return g;
}

/*
 * Take @g out of the registry and erase its epochs now; references still
 * held (fds, running operations) only see a dead group (-ENOENT). Of
 * concurrent destroyers exactly one succeeds; the others get -ENOENT.
 */
int mls_group_destroy(struct mls_group *g)
{
	struct mls_epoch *e, *tmp;
	LIST_HEAD(gone);
	bool was_dead;
	u64 last = 0;

	spin_lock(&g->lock);
	was_dead = g->dead;
	g->dead = true;
	e = list_first_entry_or_null(&g->epochs, struct mls_epoch, node);
	if (e)
		last = e->epoch;
	list_splice_init(&g->epochs, &gone);
	g->nr_epochs = 0;
	spin_unlock(&g->lock);
	if (was_dead)
		return -ENOENT;

	list_for_each_entry_safe(e, tmp, &gone, node) {
		list_del(&e->node);
		mls_epoch_put(e);
	}
	mutex_lock(&g->commit_lock);
	mls_commit_drop_pending(g, last, ENOENT);
	memzero_explicit(g->init_secret, sizeof(g->init_secret));
	g->has_init_secret = false;
	mutex_unlock(&g->commit_lock);

	/* Before the id can be reused; no show runs once it returns. */
	mls_sysfs_group_del(g);
	xa_erase(&mls_groups, g->id);
	rhltable_remove(&mls_members, &g->member_node, mls_member_params);
	atomic_dec(&mls_nr_groups);
	mls_evbuf_group_gone(g->id);
	/* Out of the registry: a dump after the event does not list it. */
	mls_event_group_destroyed(g, last);
	mls_drain_kick();
	mls_group_put(g);	/* the registry's reference */
	return 0;
}

/* Open-by-id access, as for a file: read and write both needed. */
int mls_group_may_open(const struct mls_group *g)
{
	umode_t mode = g->mode;

	if (uid_eq(current_fsuid(), g->owner))
		mode >>= 6;
	else if (in_group_p(g->owner_gid))
		mode >>= 3;
	if ((mode & 6) == 6)
		return 0;
	return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

/* in_group_p() for credentials other than current's. */
static bool mls_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *gi = cred->group_info;
	int i;

	if (gid_eq(cred->fsgid, gid))
		return true;
	for (i = 0; i < gi->ngroups; i++)
		if (gid_eq(gi->gid[i], gid))
			return true;
	return false;
}

/*
 * Who may see a group exists (MLS_IOC_GROUP_LIST, the netlink do and
 * dump): as for reading a file, its owner (fsuid), else its owner group
 * if the mode's group read bit is set, else others if the other read bit
 * is; and whoever has CAP_NET_ADMIN (@admin), whatever the mode.
 */
bool mls_group_may_see(const struct mls_group *g, const struct cred *cred,
		       bool admin)
{
	if (admin || uid_eq(cred->fsuid, g->owner))
		return true;
	if (mls_cred_in_group(cred, g->owner_gid))
		return g->mode & 0040;
	return g->mode & 0004;
}

/* The kernel ids of the groups the caller may see, in increasing order. */
int mls_group_list(u32 *ids, u32 cap, u32 *count)
{
	const struct cred *cred = current_cred();
	bool admin = ns_capable_noaudit(&init_user_ns, CAP_NET_ADMIN);
	struct mls_group *g;
	unsigned long id;
	u32 n = 0;

	xa_for_each(&mls_groups, id, g) {
		if (!mls_group_may_see(g, cred, admin))
			continue;
		if (n < cap)
			ids[n] = id;
		n++;
	}
	*count = n;
	return n > cap ? -ENOSPC : 0;
}

/* Groups in the registry, as max_groups counts them. */
unsigned int mls_groups_active(void)
{
	return atomic_read(&mls_nr_groups);
}

/* --- group fds ------------------------------------------------------------ */

static int mls_group_file_release(struct inode *inode, struct file *file)
{
	struct mls_group *g = file->private_data;
	bool last;

	spin_lock(&g->lock);
	last = --g->nfiles == 0;
	spin_unlock(&g->lock);
	if (last && (g->flags & MLS_GROUP_F_EPHEMERAL))
		mls_group_destroy(g);
	mls_group_put(g);
	return 0;
}

static const struct file_operations mls_group_fops = {
	.owner		= THIS_MODULE,
	.release	= mls_group_file_release,
	.unlocked_ioctl	= mls_group_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * A new fd on @g (not installed: the ioctl dispatcher installs it once the
 * argument is copied back). Fails with -ENOENT on a dead group.
 */
int mls_group_new_file(struct mls_group *g, struct file **filep, int *fdp)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;

	spin_lock(&g->lock);
	if (g->dead) {
		spin_unlock(&g->lock);
		put_unused_fd(fd);
		return -ENOENT;
	}
	g->nfiles++;
	spin_unlock(&g->lock);
	kref_get(&g->ref);

	file = anon_inode_getfile("[mls-group]", &mls_group_fops, g, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		/* As if the file had been released. */
		spin_lock(&g->lock);
		g->nfiles--;
		spin_unlock(&g->lock);
		mls_group_put(g);
		return PTR_ERR(file);
	}
	*filep = file;
	*fdp = fd;
	return 0;
}

struct mls_group *mls_group_from_file(struct file *file)
{
	return file->f_op == &mls_group_fops ? file->private_data : NULL;
}

/* --- epochs --------------------------------------------------------------- */

static bool epoch_too_old(const struct mls_group *g, const struct mls_epoch *e,
			  unsigned int past_index)
{
	u32 max_age = READ_ONCE(g->policy.epoch_max_age_ms);

	if (e->is_current)
		return false;
	if (past_index >= READ_ONCE(g->policy.epochs_kept))
		return true;
	return max_age && time_after(jiffies, e->left_at + msecs_to_jiffies(max_age));
}

/* Move the epochs past retention from g->epochs to @gone. */
static void collect_expired(struct mls_group *g, struct list_head *gone)
{
	struct mls_epoch *e, *tmp;
	unsigned int past = 0;

	lockdep_assert_held(&g->lock);
	list_for_each_entry_safe(e, tmp, &g->epochs, node) {
		if (e->is_current)
			continue;
		if (epoch_too_old(g, e, past)) {
			list_move_tail(&e->node, gone);
			g->nr_epochs--;
			mls_stat_add(MLS_STAT_EPOCHS_EXPIRED, 1);
		} else {
			past++;
		}
	}
}

/* Erase the epochs collect_expired() took from @g, oldest first. */
static void put_epochs(struct mls_group *g, struct list_head *gone)
{
	struct mls_epoch *e, *tmp;

	list_for_each_entry_reverse(e, gone, node)
		mls_event_epoch_expired(g, e->epoch);
	list_for_each_entry_safe(e, tmp, gone, node) {
		list_del(&e->node);
		mls_epoch_put(e);
	}
}

void mls_group_prune(struct mls_group *g)
{
	LIST_HEAD(gone);

	spin_lock(&g->lock);
	collect_expired(g, &gone);
	spin_unlock(&g->lock);
	put_epochs(g, &gone);
}

/*
 * The current epoch with a reference, or ERR_PTR(-ENOENT) on a dead group;
 * with @oldest, also the number of the oldest epoch kept, read at once.
 */
struct mls_epoch *mls_group_current_oldest(struct mls_group *g, u64 *oldest)
{
	struct mls_epoch *e = ERR_PTR(-ENOENT);

	spin_lock(&g->lock);
	if (!g->dead) {
		e = list_first_entry(&g->epochs, struct mls_epoch, node);
		mls_epoch_get(e);
		if (oldest)
			*oldest = list_last_entry(&g->epochs, struct mls_epoch,
						  node)->epoch;
	}
	spin_unlock(&g->lock);
	return e;
}

struct mls_epoch *mls_group_current(struct mls_group *g)
{
	return mls_group_current_oldest(g, NULL);
}

/*
 * Epoch @epoch with a reference: ERR_PTR(-EAGAIN) if it is not reached
 * yet, -EKEYEXPIRED if it is no longer kept, -ENOENT on a dead group.
 */
struct mls_epoch *mls_group_epoch(struct mls_group *g, u64 epoch)
{
	struct mls_epoch *e, *found = ERR_PTR(-EKEYEXPIRED);
	LIST_HEAD(gone);

	spin_lock(&g->lock);
	if (g->dead) {
		found = ERR_PTR(-ENOENT);
		goto out;
	}
	collect_expired(g, &gone);
	list_for_each_entry(e, &g->epochs, node) {
		if (e->is_current && epoch > e->epoch) {
			found = ERR_PTR(-EAGAIN);
			break;
		}
		if (e->epoch == epoch) {
			mls_epoch_get(e);
			found = e;
			break;
		}
	}
out:
	spin_unlock(&g->lock);
	put_epochs(g, &gone);
	return found;
}

/*
 * Make @next (one reference, taken over) the current epoch. The caller
 * holds commit_lock and checked that @next follows the current epoch.
 * @own_path: the caller's own commit with a fresh UpdatePath
 * (MLS_COMMIT_F_OWN_PATH), which ends an import's receive-only state.
 */
int mls_group_advance(struct mls_group *g, struct mls_epoch *next,
		      bool own_path)
{
	bool tainted = g->send_tainted && !own_path;
	struct mls_epoch *cur;
	LIST_HEAD(gone);

	lockdep_assert_held(&g->commit_lock);
	/*
	 * A group's last epoch keeps only what it still serves, erased
	 * before anyone can see it (also when the group died meanwhile:
	 * it is then never published, only freed). Another copy of a restored member may
	 * know this epoch's secrets: no sending in it. Else a new epoch of
	 * a persistent group has nothing reserved until saved.
	 */
	if (next->final)
		mls_epoch_end(next);
	else if (tainted)
		mls_stree_read_only(next->tree, next->own_leaf);
	else if (g->flags & MLS_GROUP_F_PERSISTENT)
		mls_stree_limit_sends(next->tree);
	spin_lock(&g->lock);
	if (g->dead) {
		spin_unlock(&g->lock);
		return -ENOENT;
	}
	g->send_tainted = tainted;
	if (next->final)
		WRITE_ONCE(g->ended, true);
	cur = list_first_entry(&g->epochs, struct mls_epoch, node);
	cur->is_current = false;
	cur->left_at = jiffies;
	/* Readers copy these under the lock: none sees them half erased. */
	mls_epoch_retire(cur);
	mls_epoch_get(cur);
	next->is_current = true;
	list_add(&next->node, &g->epochs);
	/* For the events: a destroy may empty the list once unlocked. */
	mls_epoch_get(next);
	g->nr_epochs++;
	collect_expired(g, &gone);
	spin_unlock(&g->lock);
	mls_group_stat_add(g, MLS_STAT_EPOCHS_ROTATED, 1);
	/*
	 * The change, then who came and went, then whether the group ended,
	 * then what retention erased.
	 */
	mls_event_epoch_changed(g, cur, next);
	mls_event_members(g, cur, next);
	if (next->final)
		mls_event_group_ended(g, next->epoch);
	mls_epoch_put(next);
	put_epochs(g, &gone);
	/* The old epoch only decrypts now: its sending keys go at once. */
	mls_stree_retire_sender(cur->tree, cur->own_leaf);
	mls_epoch_put(cur);
	return 0;
}

/**
 * mls_group_current_secret() - copy a secret only the current epoch keeps
 * @g: the group
 * @which: which one
 * @out: Nh bytes
 * @epoch: (out) the current epoch's number
 *
 * Copied under the lock that mls_group_advance() erases them under, so
 * that a concurrent commit never hands out a half-erased secret.
 *
 * Return: 0, -ENOENT (dead group), -ENODATA (an installed epoch) or
 * -EPIPE (the group's last epoch, which keeps only the exporter and
 * authenticator secrets).
 */
int mls_group_current_secret(struct mls_group *g, enum mls_epoch_secret which,
			     u8 *out, u64 *epoch)
{
	struct mls_epoch *e;
	int ret = -ENOENT;

	spin_lock(&g->lock);
	if (!g->dead) {
		e = list_first_entry(&g->epochs, struct mls_epoch, node);
		*epoch = e->epoch;
		ret = -ENODATA;
		/* A group's last epoch erased the others (mls_epoch_end()). */
		if (e->final && !mls_epoch_final_keeps(which)) {
			ret = -EPIPE;
		} else if (e->live) {
			memcpy(out, mls_epoch_secret_ptr(e, which), g->suite->nh);
			ret = 0;
		}
	}
	spin_unlock(&g->lock);
	return ret;
}

/* The live group with the lowest id >= *@id, referenced; advances *@id. */
static struct mls_group *next_group(unsigned long *id)
{
	struct mls_group *g;

	rcu_read_lock();
	for (;;) {
		g = xa_find(&mls_groups, id, ULONG_MAX, XA_PRESENT);
		if (!g)
			break;
		(*id)++;
		if (kref_get_unless_zero(&g->ref))
			break;
	}
	rcu_read_unlock();
	return g;
}

/* For listings (debugfs.c): as next_group(). */
struct mls_group *mls_group_next(unsigned long *id)
{
	return next_group(id);
}

static void mls_retention_work(struct work_struct *work)
{
	struct mls_group *g;
	unsigned long id = 0;

	while ((g = next_group(&id))) {
		mls_group_prune(g);
		mls_commit_expire(g);
		mls_group_put(g);
		/* Up to max_groups of them: never hog the CPU. */
		cond_resched();
	}
	schedule_delayed_work(&mls_retention, MLS_RETENTION_PERIOD);
}

int mls_groups_init(void)
{
	int ret;

	ret = rhltable_init(&mls_members, &mls_member_params);
	if (ret)
		return ret;
	schedule_delayed_work(&mls_retention, MLS_RETENTION_PERIOD);
	return 0;
}

/* Module unload: no fd is open (each holds a module reference). */
void mls_groups_exit(void)
{
	struct mls_group *g;
	unsigned long id;

	cancel_delayed_work_sync(&mls_retention);
	/*
	 * Each destroy removes the group's sysfs directory, which can take
	 * milliseconds: thousands of groups would hold the CPU for seconds
	 * (a soft lockup on a kernel without preemption).
	 */
	xa_for_each(&mls_groups, id, g) {
		mls_group_destroy(g);
		cond_resched();
	}
	xa_destroy(&mls_groups);
	/* Empty now: every group left it at its destroy. */
	rhltable_destroy(&mls_members);
	/* Wait for the RCU frees of the groups above. */
	rcu_barrier();
}

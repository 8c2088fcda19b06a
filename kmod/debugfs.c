// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/mls/groups (0400): every group with its metadata and
 * the epochs it keeps, for a developer. Never a secret: no key, no secret
 * of the key schedule or of the secret tree, no GroupContext; the same
 * kind of facts as /sys/kernel/mls/groups/<id>, plus each kept epoch
 * and the names of the secrets it holds (what retirement and the end of
 * a group erased shows by its absence).
 * The format may change (it is debugfs); it is described in
 * Documentation/admin-guide/monitoring.rst.
 *
 * A seq_file over the registry by kernel id: each group is referenced
 * while it is shown, and a read that resumes starts again at the id it
 * stopped at.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "debugfs.h"
#include "epoch.h"
#include "group.h"
#include "params.h"
#include "quota.h"

#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

static struct dentry *mls_debugfs_dir;

/* What is shown of one kept epoch, taken under the group's lock. */
struct mls_dbg_epoch {
	struct mls_epoch *e;	/* referenced */
	unsigned long left_at;
	bool is_current;
	unsigned long holds;	/* BIT(enum mls_dbg_secret) */
};

/* The secrets an epoch may hold, by name (never their bytes). */
enum mls_dbg_secret {
	MLS_DBG_TREE,
	MLS_DBG_SENDER_DATA,
	MLS_DBG_MEMBERSHIP,
	MLS_DBG_RESUMPTION,
	MLS_DBG_EXPORTER,
	MLS_DBG_AUTHENTICATOR,
	MLS_DBG_CONFIRMATION,
	MLS_DBG_EXTERNAL,
	MLS_DBG_NR,
};

static const char *const mls_dbg_secret_name[MLS_DBG_NR] = {
	[MLS_DBG_TREE] = "tree",
	[MLS_DBG_SENDER_DATA] = "sender_data",
	[MLS_DBG_MEMBERSHIP] = "membership",
	[MLS_DBG_RESUMPTION] = "resumption",
	[MLS_DBG_EXPORTER] = "exporter",
	[MLS_DBG_AUTHENTICATOR] = "authenticator",
	[MLS_DBG_CONFIRMATION] = "confirmation",
	[MLS_DBG_EXTERNAL] = "external",
};

/*
 * Whether a secret is not all zeros, reading every byte whatever they
 * are: unlike memchr_inv(), the time taken says nothing of the secret.
 */
static unsigned long mls_dbg_held(const u8 *p, size_t n, unsigned int bit)
{
	u8 acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= READ_ONCE(p[i]);
	return acc ? BIT(bit) : 0;
}

/*
 * Which secrets @e holds: its tree, and each secret not all zeros (an
 * erased one is). Under the group's lock, which retires @e's live ones.
 */
static unsigned long mls_dbg_holds(const struct mls_epoch *e)
{
	size_t nh = e->suite->nh;
	unsigned long h = 0;

	if (e->tree)
		h |= BIT(MLS_DBG_TREE);
	h |= mls_dbg_held(e->sender_data_secret, nh, MLS_DBG_SENDER_DATA) |
	     mls_dbg_held(e->membership_key, nh, MLS_DBG_MEMBERSHIP) |
	     mls_dbg_held(e->resumption_psk, nh, MLS_DBG_RESUMPTION);
	if (!e->live)
		return h;
	return h |
	       mls_dbg_held(e->live->exporter_secret, nh, MLS_DBG_EXPORTER) |
	       mls_dbg_held(e->live->authenticator, nh, MLS_DBG_AUTHENTICATOR) |
	       mls_dbg_held(e->live->confirmation_key, nh,
			    MLS_DBG_CONFIRMATION) |
	       mls_dbg_held(e->live->external_secret, nh, MLS_DBG_EXTERNAL);
}

static void mls_dbg_show_holds(struct seq_file *m, unsigned long holds)
{
	const char *sep = " holds ";
	unsigned int i;

	for_each_set_bit(i, &holds, MLS_DBG_NR) {
		seq_printf(m, "%s%s", sep, mls_dbg_secret_name[i]);
		sep = ",";
	}
}

static int mls_dbg_show_epochs(struct seq_file *m, struct mls_group *g)
{
	/* A group keeps at most epochs_kept_max past epochs and its current one. */
	unsigned int cap = mls_epochs_kept_max + 1, n = 0, total, i;
	struct mls_dbg_epoch *v;
	struct mls_epoch *e;
	unsigned long now;

	v = kmalloc_array(cap, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	spin_lock(&g->lock);
	total = g->nr_epochs;
	list_for_each_entry(e, &g->epochs, node) {
		if (n == cap)
			break;
		mls_epoch_get(e);
		v[n].e = e;
		v[n].left_at = e->left_at;
		v[n].is_current = e->is_current;
		v[n].holds = mls_dbg_holds(e);
		n++;
	}
	spin_unlock(&g->lock);

	now = jiffies;
	for (i = 0; i < n; i++) {
		e = v[i].e;
		seq_printf(m, "\tepoch %llu %s leaf_count %u members %u age_ms %u",
			   e->epoch, v[i].is_current ? "current" : "past",
			   e->leaf_count, mls_epoch_members(e),
			   jiffies_to_msecs(now - e->made_at));
		if (!v[i].is_current)
			seq_printf(m, " past_ms %u",
				   jiffies_to_msecs(now - v[i].left_at));
		if (e->final)
			seq_puts(m, " final");
		mls_dbg_show_holds(m, v[i].holds);
		seq_putc(m, '\n');
		mls_epoch_put(e);
	}
	if (total > n)
		seq_printf(m, "\t(%u more)\n", total - n);
	kfree(v);
	return 0;
}

static int mls_dbg_show_group(struct seq_file *m, struct mls_group *g)
{
	const struct mls_group_policy *p = &g->policy;
	unsigned int i;

	seq_printf(m, "group %u\n\tgroup_id ", g->id);
	for (i = 0; i < g->group_id_len; i++)
		seq_printf(m, "%02x", g->group_id[i]);
	seq_printf(m, "\n\tsuite %u own_leaf %u uid %u gid %u mode %04o flags 0x%x state %s\n",
		   g->suite->id, g->own_leaf,
		   from_kuid_munged(seq_user_ns(m), g->owner),
		   from_kgid_munged(seq_user_ns(m), g->owner_gid),
		   g->mode, g->flags,
		   READ_ONCE(g->dead) ? "destroyed" : "active");
	seq_printf(m, "\tpolicy out_of_order %u max_forward %u epochs_kept %u epoch_max_age_ms %u padding_block %u encrypt_rate %u encrypt_burst %u commit_timeout_ms %u\n",
		   READ_ONCE(p->out_of_order), READ_ONCE(p->max_forward),
		   READ_ONCE(p->epochs_kept), READ_ONCE(p->epoch_max_age_ms),
		   READ_ONCE(p->padding_block), READ_ONCE(p->encrypt_rate),
		   READ_ONCE(p->encrypt_burst), READ_ONCE(p->commit_timeout_ms));
	return mls_dbg_show_epochs(m, g);
}

/* *pos is 0 for the header, else the kernel id of the group to show. */
static void *mls_dbg_start(struct seq_file *m, loff_t *pos)
{
	unsigned long id = *pos;
	struct mls_group *g;

	if (!*pos)
		return SEQ_START_TOKEN;
	g = mls_group_next(&id);
	if (g)
		*pos = g->id;
	return g;
}

static void *mls_dbg_next(struct seq_file *m, void *v, loff_t *pos)
{
	unsigned long id = v == SEQ_START_TOKEN ? 1 : *pos + 1;
	struct mls_group *g;

	if (v != SEQ_START_TOKEN)
		mls_group_put(v);
	g = mls_group_next(&id);
	/* Past the last id when there is no next group: the end. */
	*pos = g ? g->id : id;
	return g;
}

static void mls_dbg_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		mls_group_put(v);
}

static int mls_dbg_show(struct seq_file *m, void *v)
{
	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# mls groups and the epochs they keep; no secret\n");
		return 0;
	}
	return mls_dbg_show_group(m, v);
}

static const struct seq_operations mls_dbg_groups_sops = {
	.start	= mls_dbg_start,
	.next	= mls_dbg_next,
	.stop	= mls_dbg_stop,
	.show	= mls_dbg_show,
};

DEFINE_SEQ_ATTRIBUTE(mls_dbg_groups);

/* Every uid with something charged against its limits (quota.c). */
static int mls_dbg_users_show(struct seq_file *m, void *v)
{
	unsigned long index = 0;
	struct mls_user *u;

	seq_puts(m, "# uid groups endpoints bytes\n");
	rcu_read_lock();
	while ((u = mls_user_next(&index)))
		seq_printf(m, "%u %lld %lld %lld\n",
			   from_kuid_munged(&init_user_ns, u->uid),
			   atomic64_read(&u->use[MLS_QUOTA_GROUPS]),
			   atomic64_read(&u->use[MLS_QUOTA_ENDPOINTS]),
			   atomic64_read(&u->use[MLS_QUOTA_BYTES]));
	rcu_read_unlock();
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(mls_dbg_users);

void mls_debugfs_init(void)
{
	mls_debugfs_dir = debugfs_create_dir("mls", NULL);
	debugfs_create_file("groups", 0400, mls_debugfs_dir, NULL,
			    &mls_dbg_groups_fops);
	debugfs_create_file("users", 0400, mls_debugfs_dir, NULL,
			    &mls_dbg_users_fops);
}

void mls_debugfs_exit(void)
{
	debugfs_remove(mls_debugfs_dir);
	mls_debugfs_dir = NULL;
}

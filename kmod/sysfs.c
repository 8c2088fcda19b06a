// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mls: module state, one value per file, never a secret.
 * Documented in Documentation/ABI/testing/sysfs-kernel-mls.
 *
 *   version, api_version, health, drain, module -> /sys/module/mls
 *   stats/         module-wide counters, and the event buffer's
 *   latency/       log2 histograms of encrypt, decrypt, commit and of
 *                  pending commits (prepare to merge)
 *   memory/        bytes the module holds in groups, epochs, secret trees
 *   groups/<id>/   one directory per group: metadata and counters, for
 *                  groups made while the group_sysfs parameter is on
 *                  (off by default: 3.9 KB of kernfs a group, measured)
 *
 * Counters are read as per-cpu sums (stats.c): no show takes a lock the
 * data path takes, except a group's spinlock, held only to read the ends
 * of its epoch list and take a reference, as MLS_IOC_GROUP_INFO does.
 *
 * Who sees a group here is who may see it elsewhere (mls_group_may_see()),
 * as far as file permissions can say it: sysfs cannot filter a directory
 * listing per reader. So groups/ is 0711: only root (DAC override or
 * read-search) lists the names; others reach the directory of a group
 * whose kernel id they know (MLS_IOC_GROUP_LIST, MLS_IOC_GROUP_INFO).
 * Each group's directory is 0500 for its owner, plus read and search for
 * its group and others as the group's mode lets them read; its files
 * likewise (0400 plus the mode's read bits). Looking a name up still
 * tells whether that kernel id exists, as the groups_active count tells
 * how many do: nothing more.
 *
 * A group's directory holds no reference on the group: it is removed by
 * the group's destroyer, and kobject_del() returns only once no show is
 * running (kernfs drains them) and none can start.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "drain.h"
#include "epoch.h"
#include "evbuf.h"
#include "group.h"
#include "memstat.h"
#include "params.h"
#include "quota.h"
#include "secret_tree.h"
#include "snapshot.h"
#include "stats.h"
#include "sysfs.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

static struct kobject *mls_kobj;
static struct kobject *mls_groups_kobj;

/* ------------------------------------------------------- /sys/kernel/mls */

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MLS_MODULE_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t api_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", MLS_API_VERSION);
}

static struct kobj_attribute api_version_attr = __ATTR_RO(api_version);

static ssize_t health_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct mls_evbuf_info info = { };
	struct mls_health_input in;

	mls_evbuf_read_info(&info);
	in = (struct mls_health_input){
		.groups_active = mls_groups_active(),
		.max_groups = READ_ONCE(mls_max_groups),
		.evbuf_used = info.used,
		.evbuf_slots = info.slots,
		.breakers_open = mls_evbuf_breakers_open(),
	};
	return sysfs_emit(buf, "%s\n", mls_health_name(mls_health_eval(&in)));
}

static struct kobj_attribute health_attr = __ATTR_RO(health);

static ssize_t drain_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", mls_drain_state_name());
}

static struct kobj_attribute drain_attr = __ATTR_RO(drain);

static struct attribute *mls_attrs[] = {
	&version_attr.attr,
	&api_version_attr.attr,
	&health_attr.attr,
	&drain_attr.attr,
	NULL,
};

static const struct attribute_group mls_attr_group = {
	.attrs = mls_attrs,
};

/* ------------------------------------------------------------- stats/ */

/* A module-wide counter (enum mls_stat) or a histogram (enum mls_op). */
struct mls_index_attr {
	struct kobj_attribute attr;
	unsigned int index;
};

#define MLS_INDEX_ATTR(_name, _show, _index)				\
	static struct mls_index_attr _name##_attr = {			\
		.attr = __ATTR(_name, 0444, _show, NULL),		\
		.index = (_index),					\
	}

static unsigned int attr_index(const struct kobj_attribute *attr)
{
	return container_of(attr, struct mls_index_attr, attr)->index;
}

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", mls_stat_read(attr_index(attr)));
}

MLS_INDEX_ATTR(messages_encrypted, stat_show, MLS_STAT_MESSAGES_ENCRYPTED);
MLS_INDEX_ATTR(messages_decrypted, stat_show, MLS_STAT_MESSAGES_DECRYPTED);
MLS_INDEX_ATTR(bytes_encrypted, stat_show, MLS_STAT_BYTES_ENCRYPTED);
MLS_INDEX_ATTR(bytes_decrypted, stat_show, MLS_STAT_BYTES_DECRYPTED);
MLS_INDEX_ATTR(auth_failures, stat_show, MLS_STAT_AUTH_FAILURES);
MLS_INDEX_ATTR(replays, stat_show, MLS_STAT_REPLAYS);
MLS_INDEX_ATTR(epochs_rotated, stat_show, MLS_STAT_EPOCHS_ROTATED);
MLS_INDEX_ATTR(epochs_expired, stat_show, MLS_STAT_EPOCHS_EXPIRED);
MLS_INDEX_ATTR(commit_conflicts, stat_show, MLS_STAT_COMMIT_CONFLICTS);
MLS_INDEX_ATTR(commits_prepared, stat_show, MLS_STAT_COMMITS_PREPARED);
MLS_INDEX_ATTR(commits_merged, stat_show, MLS_STAT_COMMITS_MERGED);
MLS_INDEX_ATTR(commits_discarded, stat_show, MLS_STAT_COMMITS_DISCARDED);
MLS_INDEX_ATTR(commits_timed_out, stat_show, MLS_STAT_COMMITS_TIMED_OUT);
MLS_INDEX_ATTR(tag_failures, stat_show, MLS_STAT_TAG_FAILURES);
MLS_INDEX_ATTR(drains, stat_show, MLS_STAT_DRAINS);
MLS_INDEX_ATTR(drain_timeouts, stat_show, MLS_STAT_DRAIN_TIMEOUTS);
MLS_INDEX_ATTR(drain_groups_saved, stat_show, MLS_STAT_DRAIN_SAVED);
MLS_INDEX_ATTR(drain_groups_not_saved, stat_show, MLS_STAT_DRAIN_NOT_SAVED);

static ssize_t groups_active_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mls_groups_active());
}

static struct kobj_attribute groups_active_attr = __ATTR_RO(groups_active);

static ssize_t throttled_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	struct mls_evbuf_info info = { };

	mls_evbuf_read_info(&info);
	return sysfs_emit(buf, "%llu\n", info.throttled);
}

static struct kobj_attribute throttled_attr = __ATTR_RO(throttled);

static ssize_t breaker_trips_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct mls_evbuf_info info = { };

	mls_evbuf_read_info(&info);
	return sysfs_emit(buf, "%llu\n", info.trips);
}

static struct kobj_attribute breaker_trips_attr = __ATTR_RO(breaker_trips);

static ssize_t breakers_open_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mls_evbuf_breakers_open());
}

static struct kobj_attribute breakers_open_attr = __ATTR_RO(breakers_open);

static struct attribute *mls_stats_attrs[] = {
	&groups_active_attr.attr,
	&messages_encrypted_attr.attr.attr,
	&messages_decrypted_attr.attr.attr,
	&bytes_encrypted_attr.attr.attr,
	&bytes_decrypted_attr.attr.attr,
	&auth_failures_attr.attr.attr,
	&replays_attr.attr.attr,
	&epochs_rotated_attr.attr.attr,
	&epochs_expired_attr.attr.attr,
	&commit_conflicts_attr.attr.attr,
	&commits_prepared_attr.attr.attr,
	&commits_merged_attr.attr.attr,
	&commits_discarded_attr.attr.attr,
	&commits_timed_out_attr.attr.attr,
	&tag_failures_attr.attr.attr,
	&throttled_attr.attr,
	&breaker_trips_attr.attr,
	&breakers_open_attr.attr,
	&drains_attr.attr.attr,
	&drain_timeouts_attr.attr.attr,
	&drain_groups_saved_attr.attr.attr,
	&drain_groups_not_saved_attr.attr.attr,
	NULL,
};

static const struct attribute_group mls_stats_group = {
	.name = "stats",
	.attrs = mls_stats_attrs,
};

/* ----------------------------------------------------------- latency/ */

static ssize_t hist_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	u64 b[MLS_LATENCY_BUCKETS], sum;
	int i, len = 0;

	mls_latency_read(attr_index(attr), b, &sum);
	for (i = 0; i < MLS_LATENCY_BUCKETS; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "", b[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t sum_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	u64 b[MLS_LATENCY_BUCKETS], sum;

	mls_latency_read(attr_index(attr), b, &sum);
	return sysfs_emit(buf, "%llu\n", sum);
}

MLS_INDEX_ATTR(encrypt_ns, hist_show, MLS_OP_ENCRYPT);
MLS_INDEX_ATTR(decrypt_ns, hist_show, MLS_OP_DECRYPT);
MLS_INDEX_ATTR(commit_ns, hist_show, MLS_OP_COMMIT);
MLS_INDEX_ATTR(commit_pending_ns, hist_show, MLS_OP_COMMIT_PENDING);
MLS_INDEX_ATTR(encrypt_sum_ns, sum_show, MLS_OP_ENCRYPT);
MLS_INDEX_ATTR(decrypt_sum_ns, sum_show, MLS_OP_DECRYPT);
MLS_INDEX_ATTR(commit_sum_ns, sum_show, MLS_OP_COMMIT);
MLS_INDEX_ATTR(commit_pending_sum_ns, sum_show, MLS_OP_COMMIT_PENDING);

static struct attribute *mls_latency_attrs[] = {
	&encrypt_ns_attr.attr.attr,
	&decrypt_ns_attr.attr.attr,
	&commit_ns_attr.attr.attr,
	&commit_pending_ns_attr.attr.attr,
	&encrypt_sum_ns_attr.attr.attr,
	&decrypt_sum_ns_attr.attr.attr,
	&commit_sum_ns_attr.attr.attr,
	&commit_pending_sum_ns_attr.attr.attr,
	NULL,
};

static const struct attribute_group mls_latency_group = {
	.name = "latency",
	.attrs = mls_latency_attrs,
};

/* -------------------------------------------------------------- user/ */

/*
 * What the reader's uid (fsuid) has charged against its limits (§12): one
 * lookup, no walk. Every uid's: /sys/kernel/debug/mls/users.
 */
static ssize_t user_use_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mls_user_use(current_fsuid(), attr_index(attr)));
}

static struct mls_index_attr user_groups_attr = {
	.attr = __ATTR(groups, 0444, user_use_show, NULL),
	.index = MLS_QUOTA_GROUPS,
};

static struct mls_index_attr user_endpoints_attr = {
	.attr = __ATTR(endpoints, 0444, user_use_show, NULL),
	.index = MLS_QUOTA_ENDPOINTS,
};

static struct mls_index_attr user_bytes_attr = {
	.attr = __ATTR(bytes, 0444, user_use_show, NULL),
	.index = MLS_QUOTA_BYTES,
};

static struct attribute *mls_user_attrs[] = {
	&user_groups_attr.attr.attr,
	&user_endpoints_attr.attr.attr,
	&user_bytes_attr.attr.attr,
	NULL,
};

static const struct attribute_group mls_user_group = {
	.name = "user",
	.attrs = mls_user_attrs,
};

/* ------------------------------------------------------------ memory/ */

static ssize_t mem_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%ld\n", mls_mem_read(attr_index(attr)));
}

MLS_INDEX_ATTR(groups, mem_show, MLS_MEM_GROUPS);
MLS_INDEX_ATTR(epochs, mem_show, MLS_MEM_EPOCHS);
MLS_INDEX_ATTR(trees, mem_show, MLS_MEM_TREES);

static struct attribute *mls_mem_attrs[] = {
	&groups_attr.attr.attr,
	&epochs_attr.attr.attr,
	&trees_attr.attr.attr,
	NULL,
};

static const struct attribute_group mls_mem_group = {
	.name = "memory",
	.attrs = mls_mem_attrs,
};

static const struct attribute_group *mls_attr_groups[] = {
	&mls_attr_group,
	&mls_stats_group,
	&mls_latency_group,
	&mls_user_group,
	&mls_mem_group,
	NULL,
};

/* -------------------------------------------------------- groups/<id>/ */

struct mls_group_kobj {
	struct kobject kobj;
	struct mls_group *g;	/* no reference: see the top of the file */
};

static struct mls_group *to_group(struct kobject *kobj)
{
	return container_of(kobj, struct mls_group_kobj, kobj)->g;
}

static ssize_t group_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	const struct mls_group *g = to_group(kobj);
	char *end;

	/* At most 2 x 255 + 1 bytes of the page. */
	end = bin2hex(buf, g->group_id, g->group_id_len);
	*end++ = '\n';
	return end - buf;
}

static ssize_t suite_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", to_group(kobj)->suite->id);
}

static ssize_t own_leaf_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", to_group(kobj)->own_leaf);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	const char *name;

	/* As netlink's MLS_A_STATE and MLS_IOC_GROUP_INFO say it. */
	switch (mls_drain_group_state(to_group(kobj))) {
	case MLS_GROUP_STATE_ACTIVE:
		name = "active";
		break;
	case MLS_GROUP_STATE_SHUTTING_DOWN:
		name = "shutting-down";
		break;
	case MLS_GROUP_STATE_ENDED:
		/* A ReInit ended it: no sending, no commit (MLS_COMMIT_F_FINAL). */
		name = "ended";
		break;
	case MLS_GROUP_STATE_DESTROYED:
		/* Between its destroyer's start and the removal of this directory. */
		name = "destroyed";
		break;
	default:
		name = "unknown";
		break;
	}
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%04o\n", to_group(kobj)->mode);
}

static ssize_t flags_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "0x%x\n", to_group(kobj)->flags);
}

/* The mode comes from the group's mode (is_visible), not from here. */
static struct kobj_attribute group_id_attr = __ATTR(group_id, 0400, group_id_show, NULL);
static struct kobj_attribute suite_attr = __ATTR(suite, 0400, suite_show, NULL);
static struct kobj_attribute own_leaf_attr = __ATTR(own_leaf, 0400, own_leaf_show, NULL);
static struct kobj_attribute state_attr = __ATTR(state, 0400, state_show, NULL);
static struct kobj_attribute mode_attr = __ATTR(mode, 0400, mode_show, NULL);
static struct kobj_attribute flags_attr = __ATTR(flags, 0400, flags_show, NULL);

/* What a group's epoch files show. */
enum group_epoch_field {
	GROUP_EPOCH,
	GROUP_OLDEST_EPOCH,
	GROUP_LEAF_COUNT,
	GROUP_MEMBERS,
};

static ssize_t group_epoch_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct mls_group *g = to_group(kobj);
	struct mls_epoch *cur;
	u64 oldest, v = 0;

	cur = mls_group_current_oldest(g, &oldest);
	if (IS_ERR(cur))
		return PTR_ERR(cur);

	switch (attr_index(attr)) {
	case GROUP_EPOCH:
		v = cur->epoch;
		break;
	case GROUP_OLDEST_EPOCH:
		v = oldest;
		break;
	case GROUP_LEAF_COUNT:
		v = cur->leaf_count;
		break;
	case GROUP_MEMBERS:
		/* Up to max_leaves bits: counted outside the lock. */
		v = mls_epoch_members(cur);
		break;
	}
	mls_epoch_put(cur);
	return sysfs_emit(buf, "%llu\n", v);
}

#define GROUP_INDEX_ATTR(_name, _show, _index)				\
	static struct mls_index_attr group_##_name##_attr = {		\
		.attr = __ATTR(_name, 0400, _show, NULL),		\
		.index = (_index),					\
	}

GROUP_INDEX_ATTR(epoch, group_epoch_show, GROUP_EPOCH);
GROUP_INDEX_ATTR(oldest_epoch, group_epoch_show, GROUP_OLDEST_EPOCH);
GROUP_INDEX_ATTR(leaf_count, group_epoch_show, GROUP_LEAF_COUNT);
GROUP_INDEX_ATTR(members, group_epoch_show, GROUP_MEMBERS);

static ssize_t group_counter_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct mls_group_counters c;

	mls_group_counters_read(to_group(kobj), &c);
	return sysfs_emit(buf, "%llu\n",
			  *(u64 *)((u8 *)&c + attr_index(attr)));
}

#define GROUP_COUNTER(f)	offsetof(struct mls_group_counters, f)

GROUP_INDEX_ATTR(messages_encrypted, group_counter_show,
		 GROUP_COUNTER(messages_encrypted));
GROUP_INDEX_ATTR(messages_decrypted, group_counter_show,
		 GROUP_COUNTER(messages_decrypted));
GROUP_INDEX_ATTR(bytes_encrypted, group_counter_show,
		 GROUP_COUNTER(bytes_encrypted));
GROUP_INDEX_ATTR(bytes_decrypted, group_counter_show,
		 GROUP_COUNTER(bytes_decrypted));
GROUP_INDEX_ATTR(auth_failures, group_counter_show,
		 GROUP_COUNTER(auth_failures));
GROUP_INDEX_ATTR(replays, group_counter_show, GROUP_COUNTER(replays));
GROUP_INDEX_ATTR(epochs_rotated, group_counter_show,
		 GROUP_COUNTER(epochs_rotated));
GROUP_INDEX_ATTR(commits_prepared, group_counter_show,
		 GROUP_COUNTER(commits_prepared));
GROUP_INDEX_ATTR(commits_merged, group_counter_show,
		 GROUP_COUNTER(commits_merged));
GROUP_INDEX_ATTR(commits_discarded, group_counter_show,
		 GROUP_COUNTER(commits_discarded));
GROUP_INDEX_ATTR(commits_timed_out, group_counter_show,
		 GROUP_COUNTER(commits_timed_out));
GROUP_INDEX_ATTR(commit_conflicts, group_counter_show,
		 GROUP_COUNTER(commit_conflicts));
GROUP_INDEX_ATTR(tag_failures, group_counter_show,
		 GROUP_COUNTER(tag_failures));

/* A persistent group's send reservation (reserve_* files). */
enum group_reserve_field {
	GROUP_RESERVE_SAVED,
	GROUP_RESERVE_SAVED_SEQ,
	GROUP_RESERVE_LOW,
	GROUP_RESERVE_HANDSHAKE,
	GROUP_RESERVE_APPLICATION,
};

static ssize_t group_reserve_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct mls_reserve_info ri;
	int ret, t;

	ret = mls_group_reserve_info(to_group(kobj), &ri);
	if (ret)
		return ret;
	switch (attr_index(attr)) {
	case GROUP_RESERVE_SAVED:
		return sysfs_emit(buf, "%d\n", ri.saved);
	case GROUP_RESERVE_SAVED_SEQ:
		return sysfs_emit(buf, "%llu\n", ri.saved_seq);
	case GROUP_RESERVE_LOW:
		return sysfs_emit(buf, "%d\n", ri.low);
	}
	/* "next limit" of one ratchet. */
	t = attr_index(attr) == GROUP_RESERVE_HANDSHAKE ?
	    MLS_RATCHET_HANDSHAKE : MLS_RATCHET_APPLICATION;
	return sysfs_emit(buf, "%llu %llu\n", ri.next[t], ri.limit[t]);
}

GROUP_INDEX_ATTR(reserve_saved, group_reserve_show, GROUP_RESERVE_SAVED);
GROUP_INDEX_ATTR(reserve_saved_seq, group_reserve_show, GROUP_RESERVE_SAVED_SEQ);
GROUP_INDEX_ATTR(reserve_low, group_reserve_show, GROUP_RESERVE_LOW);
GROUP_INDEX_ATTR(reserve_handshake, group_reserve_show, GROUP_RESERVE_HANDSHAKE);
GROUP_INDEX_ATTR(reserve_application, group_reserve_show,
		 GROUP_RESERVE_APPLICATION);

static struct attribute *mls_group_attrs[] = {
	&group_id_attr.attr,
	&suite_attr.attr,
	&group_epoch_attr.attr.attr,
	&group_oldest_epoch_attr.attr.attr,
	&own_leaf_attr.attr,
	&group_leaf_count_attr.attr.attr,
	&group_members_attr.attr.attr,
	&state_attr.attr,
	&mode_attr.attr,
	&flags_attr.attr,
	&group_messages_encrypted_attr.attr.attr,
	&group_messages_decrypted_attr.attr.attr,
	&group_bytes_encrypted_attr.attr.attr,
	&group_bytes_decrypted_attr.attr.attr,
	&group_auth_failures_attr.attr.attr,
	&group_replays_attr.attr.attr,
	&group_epochs_rotated_attr.attr.attr,
	&group_commits_prepared_attr.attr.attr,
	&group_commits_merged_attr.attr.attr,
	&group_commits_discarded_attr.attr.attr,
	&group_commits_timed_out_attr.attr.attr,
	&group_commit_conflicts_attr.attr.attr,
	&group_tag_failures_attr.attr.attr,
	/* Persistent groups only (mls_group_attr_mode()). */
	&group_reserve_saved_attr.attr.attr,
	&group_reserve_saved_seq_attr.attr.attr,
	&group_reserve_low_attr.attr.attr,
	&group_reserve_handshake_attr.attr.attr,
	&group_reserve_application_attr.attr.attr,
	NULL,
};

static bool mls_group_attr_reserve(const struct attribute *a)
{
	return a == &group_reserve_saved_attr.attr.attr ||
	       a == &group_reserve_saved_seq_attr.attr.attr ||
	       a == &group_reserve_low_attr.attr.attr ||
	       a == &group_reserve_handshake_attr.attr.attr ||
	       a == &group_reserve_application_attr.attr.attr;
}

/*
 * Who reads a group's files is who may see it in the netlink dump: its
 * owner, and its owner group and others as far as the group's mode lets
 * them read (plus root, by its DAC override). The group's mode never
 * changes, so neither does this.
 */
static umode_t mls_group_attr_mode(struct kobject *kobj, struct attribute *a,
				   int n)
{
	const struct mls_group *g = to_group(kobj);

	if (mls_group_attr_reserve(a) && !(g->flags & MLS_GROUP_F_PERSISTENT))
		return 0;
	return 0400 | (g->mode & 0044);
}

static const struct attribute_group mls_group_attr_group = {
	.attrs = mls_group_attrs,
	.is_visible = mls_group_attr_mode,
};

static const struct attribute_group *mls_group_attr_groups[] = {
	&mls_group_attr_group,
	NULL,
};

static void mls_group_kobj_ownership(struct kobject *kobj, kuid_t *uid,
				     kgid_t *gid)
{
	const struct mls_group *g = to_group(kobj);

	*uid = g->owner;
	*gid = g->owner_gid;
}

static void mls_group_kobj_release(struct kobject *kobj)
{
	mls_mem_add(MLS_MEM_GROUPS, -(long)sizeof(struct mls_group_kobj));
	kfree(container_of(kobj, struct mls_group_kobj, kobj));
}

static const struct kobj_type mls_group_ktype = {
	.release	= mls_group_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= mls_group_attr_groups,
	.get_ownership	= mls_group_kobj_ownership,
};

/*
 * sysfs makes every directory 0755 and offers no chmod of one; a
 * directory is found by name under its parent as an attribute is, so
 * sysfs_chmod_file() sets its mode.
 */
static int mls_sysfs_dir_mode(struct kobject *parent, const char *name,
			      umode_t mode)
{
	struct attribute dir = { .name = name };

	return sysfs_chmod_file(parent, &dir, mode);
}

/* The mode's read bits for the group and others, with search to match. */
static umode_t mls_group_dir_mode(const struct mls_group *g)
{
	umode_t r = g->mode & 0044;

	return 0500 | r | (r >> 2);
}

int mls_sysfs_group_add(struct mls_group *g)
{
	struct mls_group_kobj *gk;
	int ret;

	/* Opt-in: the netlink dump is the view that scales (module-parameters.rst). */
	if (!READ_ONCE(mls_group_sysfs))
		return 0;
	gk = kzalloc(sizeof(*gk), MLS_GFP_USER);
	if (!gk)
		return -ENOMEM;
	mls_mem_add(MLS_MEM_GROUPS, sizeof(*gk));
	gk->g = g;
	ret = kobject_init_and_add(&gk->kobj, &mls_group_ktype, mls_groups_kobj,
				   "%u", g->id);
	if (ret) {
		kobject_put(&gk->kobj);
		return ret;
	}
	ret = mls_sysfs_dir_mode(mls_groups_kobj, kobject_name(&gk->kobj),
				 mls_group_dir_mode(g));
	if (ret) {
		kobject_del(&gk->kobj);
		kobject_put(&gk->kobj);
		return ret;
	}
	g->sysfs = gk;
	return 0;
}

/* Only the destroyer of @g calls this, once. */
void mls_sysfs_group_del(struct mls_group *g)
{
	struct mls_group_kobj *gk = g->sysfs;

	if (!gk)
		return;
	g->sysfs = NULL;
	kobject_del(&gk->kobj);
	kobject_put(&gk->kobj);
}

/* ------------------------------------------------------ init and exit */

int mls_sysfs_init(void)
{
	int ret;

	mls_kobj = kobject_create_and_add("mls", kernel_kobj);
	if (!mls_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(mls_kobj, mls_attr_groups);
	if (ret)
		goto err_kobj;
	/* The parameters: /sys/kernel/mls/module/parameters/. */
	ret = sysfs_create_link(mls_kobj, &THIS_MODULE->mkobj.kobj, "module");
	if (ret)
		goto err_groups;
	mls_groups_kobj = kobject_create_and_add("groups", mls_kobj);
	if (!mls_groups_kobj) {
		ret = -ENOMEM;
		goto err_link;
	}
	/* Listed by root only; see the top of this file. */
	ret = mls_sysfs_dir_mode(mls_kobj, "groups", 0711);
	if (ret)
		goto err_groups_kobj;
	return 0;

err_groups_kobj:
	kobject_put(mls_groups_kobj);
	mls_groups_kobj = NULL;
err_link:
	sysfs_remove_link(mls_kobj, "module");
err_groups:
	sysfs_remove_groups(mls_kobj, mls_attr_groups);
err_kobj:
	kobject_put(mls_kobj);
	mls_kobj = NULL;
	return ret;
}

/* After every group is destroyed: groups/ is empty. */
void mls_sysfs_exit(void)
{
	kobject_put(mls_groups_kobj);
	mls_groups_kobj = NULL;
	sysfs_remove_link(mls_kobj, "module");
	sysfs_remove_groups(mls_kobj, mls_attr_groups);
	kobject_put(mls_kobj);
	mls_kobj = NULL;
}

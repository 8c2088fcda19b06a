// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side: a persistent group is exported (MLS_IOC_GROUP_EXPORT),
 * stored durably (store.c), then reported saved (MLS_IOC_GROUP_SAVED),
 * which is what lets it send the generations the snapshot reserved; at
 * start the newest valid snapshot of each group is imported back
 * (MLS_IOC_GROUP_IMPORT with MLS_IMPORT_F_RESUME).
 *
 * Groups are opened by kernel id for each save and closed after it: the
 * daemon holds no file descriptor of the module between two saves, so
 * that it never keeps the module from unloading.
 */
#include "persistd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* What the daemon last saved of a group. */
struct tracked {
	uint32_t kid;
	bool used;
	bool failed;		/* the last save failed: retried */
	uint64_t epoch;		/* of the last save */
	uint64_t encrypted;	/* messages_encrypted at the last save */
	uint64_t decrypted;	/* messages_decrypted at the last save */
	uint32_t recv_save;	/* its receive-save N then (0: none) */
	int last_err;		/* of the last failed save */
	char dir[300];
};

static struct tracked *find(struct persistd *d, uint32_t kid, bool add)
{
	struct tracked *t, *more;
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i].used && d->groups[i].kid == kid)
			return &d->groups[i];
	if (!add)
		return NULL;
	for (i = 0; i < d->ngroups; i++)
		if (!d->groups[i].used)
			break;
	if (i == d->ngroups) {
		if (d->ngroups == d->capgroups) {
			size_t cap = d->capgroups ? d->capgroups * 2 : 16;

			more = realloc(d->groups, cap * sizeof(*more));
			if (!more)
				return NULL;
			d->groups = more;
			d->capgroups = cap;
		}
		d->ngroups++;
	}
	t = &d->groups[i];
	memset(t, 0, sizeof(*t));
	t->kid = kid;
	t->used = true;
	return t;
}

bool group_saved_in(struct persistd *d, uint32_t kid, uint64_t epoch)
{
	struct tracked *t = find(d, kid, false);

	return t && !t->failed && t->epoch == epoch;
}

static void set_failed(struct persistd *d, struct tracked *t, bool failed)
{
	if (t->failed == failed)
		return;
	t->failed = failed;
	if (failed)
		d->failed++;
	else
		d->failed--;
}

void group_forget(struct persistd *d, uint32_t kid, bool destroyed)
{
	struct tracked *t = find(d, kid, false);

	if (!t)
		return;
	if (destroyed && t->dir[0])
		store_mark(d->st, t->dir, "destroyed", "destroyed by its owner\n");
	set_failed(d, t, false);
	t->used = false;
}

static int ctl_open(void)
{
	int fd = open("/dev/mls", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int group_open(uint32_t kid)
{
	struct mls_group_open o = { .flags = 0, .id = kid };
	int ctl = ctl_open(), fd;

	if (ctl < 0)
		return ctl;
	fd = ioctl(ctl, MLS_IOC_GROUP_OPEN, &o);
	if (fd < 0)
		fd = -errno;
	close(ctl);
	return fd;
}

/* One save of an open group: 0, 1 (nothing to save), -errno. */
static int save_fd(struct persistd *d, int gfd, uint32_t kid)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_info info;
	struct mls_group_status st;
	struct mls_bytes snap = { 0 };
	uint64_t seq = 0, epoch = 0, sseq = 0;
	struct tracked *t;
	const char *what = "export";
	char note[160];
	int ret = 0, tries;
	bool have_st;

	memset(&info, 0, sizeof(info));
	info.group_id.addr = (uint64_t)(uintptr_t)gid;
	info.group_id.len = sizeof(gid);
	if (ioctl(gfd, MLS_IOC_GROUP_INFO, &info))
		return errno == ENOENT ? 1 : -errno;
	if (!(info.group_flags & MLS_GROUP_F_PERSISTENT))
		return 1;
	t = find(d, kid, true);
	if (!t)
		return -ENOMEM;
	group_dir_name(t->dir, sizeof(t->dir), info.owner_uid, info.own_leaf,
		       gid, info.group_id.len);
	/*
	 * The counters before the export, which covers at least what they
	 * count: a message between the two makes the next resync after lost
	 * events save the group once more, never skip it.
	 */
	have_st = !mls_group_get_status(kid, &st);
	for (tries = 0; tries < 3; tries++) {
		ret = mls_group_export(gfd, &snap, &seq, &epoch);
		if (ret) {
			what = "export";
			break;
		}
		ret = store_put(d->st, t->dir, seq, epoch, snap.data, snap.len, &sseq);
		mls_bytes_free(&snap);
		if (ret) {
			what = "cannot store the snapshot; the last one stored is kept";
			break;
		}
		ret = mls_group_saved(gfd, seq);
		what = "saved";
		/* Exported again by someone, or a commit came: once more. */
		if (ret != -ESTALE)
			break;
	}
	if (ret == -ENOENT)
		return 1;
	if (ret) {
		/* Once per failure, not at each retry. */
		if (!t->failed || t->last_err != ret) {
			plog(3, "%s (group %u, epoch %" PRIu64 "): %s: %s",
			     t->dir, kid, epoch, what, strerror(-ret));
			snprintf(note, sizeof(note), "%s: %s\n", what, strerror(-ret));
			store_mark(d->st, t->dir, "pending", note);
		}
		t->last_err = ret;
		set_failed(d, t, true);
		return ret;
	}
	t->epoch = epoch;
	t->encrypted = have_st ? st.messages_encrypted : UINT64_MAX;
	t->decrypted = have_st ? st.messages_decrypted : UINT64_MAX;
	t->recv_save = info.recv_save;
	if (t->failed)
		plog(5, "%s (group %u): stored again (epoch %" PRIu64 ")", t->dir, kid, epoch);
	set_failed(d, t, false);
	store_mark(d->st, t->dir, "pending", NULL);
	store_mark(d->st, t->dir, "destroyed", NULL);
	return 0;
}

int group_save(struct persistd *d, uint32_t kid)
{
	int gfd = group_open(kid), ret;

	if (gfd == -ENOENT)
		return 1;
	if (gfd < 0) {
		plog(3, "group %u: open: %s", kid, strerror(-gfd));
		return gfd;
	}
	ret = save_fd(d, gfd, kid);
	close(gfd);
	if (d->stopping && mono_ms() - d->last_extend_ms >= 1000) {
		notify("EXTEND_TIMEOUT_USEC=10000000");
		d->last_extend_ms = mono_ms();
	}
	return ret;
}

/*
 * Do decrypts call for a save of @g (tracked as @t)? Where a
 * receive-save policy is set (MLS_POLICY_RECV_SAVE), a group whose
 * event was lost would else wait for its next epoch, refusing messages
 * meanwhile if strict. The dump of a module that reports the policy
 * (MLS_A_RECV_SAVE) tells it as it is now, with the decrypts since the
 * last save: due once they reach the event's trigger. With an older
 * module, the policy as it was at the last save, and any decrypt since.
 */
static bool recv_save_due(const struct mls_group_status *g,
			  const struct tracked *t)
{
	uint64_t trigger;

	if (g->present & MLS_HAS(MLS_A_RECV_SAVE)) {
		if (!g->recv_save)
			return false;
		trigger = (g->recv_save_flags & MLS_RECV_SAVE_F_STRICT) ?
			  ((uint64_t)g->recv_save + 1) / 2 : g->recv_save;
		return g->recv_unsaved >= trigger;
	}
	return t->recv_save && t->decrypted != g->messages_decrypted;
}

int groups_save_all(struct persistd *d, bool changed_only)
{
	struct mls_group_status *g = NULL;
	struct tracked *t;
	size_t n = 0, i;
	int ret, err = 0;

	ret = mls_groups_dump(&g, &n);
	if (ret) {
		plog(3, "listing the groups: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (!(g[i].group_flags & MLS_GROUP_F_PERSISTENT))
			continue;
		t = find(d, g[i].kid, false);
		if (changed_only && t && !t->failed && t->epoch == g[i].epoch &&
		    t->encrypted == g[i].messages_encrypted &&
		    !recv_save_due(&g[i], t))
			continue;
		ret = group_save(d, g[i].kid);
		if (ret < 0)
			err = ret;
	}
	free(g);
	return err;
}

int groups_retry(struct persistd *d)
{
	size_t i;
	int err = 0, ret;

	for (i = 0; i < d->ngroups; i++) {
		if (!d->groups[i].used || !d->groups[i].failed)
			continue;
		ret = group_save(d, d->groups[i].kid);
		if (ret == 1)
			group_forget(d, d->groups[i].kid, false);
		else if (ret < 0)
			err = ret;
	}
	return err;
}

/*
 * Whether an older snapshot may stand in for one that failed with @err:
 * only when this one is unusable for good (damaged, torn, a value no
 * group can have). Anything else says nothing against this snapshot,
 * or would refuse the older ones as well: a format this module does not
 * read (a group a ReInit ended, format 3, on an older module must not
 * come back live from the snapshot before its end), a key error, a
 * newer one seen, a limit, memory, permission. Importing an older epoch
 * then would undo what the newer one recorded; the group stays down,
 * reported, and the next start tries again.
 */
static bool snapshot_unusable(int err)
{
	return err == -EBADMSG || err == -EINVAL;
}

/*
 * Format 3 and above hold a group a ReInit ended (uapi/linux/mls.h,
 * MLS_SNAPSHOT_VERSION): whatever is wrong with such a snapshot, the
 * older ones are of the group before its end, which must not come back
 * live in its place.
 */
#define SNAPSHOT_VERSION_ENDED	3

static bool snapshot_of_ended(const struct record *r)
{
	return snapshot_version(r->snap, r->snap_len) >= SNAPSHOT_VERSION_ENDED;
}

/* Import the newest valid snapshot of @group; report and skip bad ones. */
static int restore_one(struct store *st, const char *group, void *arg)
{
	struct persistd *d = arg;
	struct record r;
	char **names;
	size_t n, i;
	uint32_t id, flags;
	bool ended;
	int ret, ctl;

	if (store_marked(st, group, "destroyed")) {
		plog(6, "%s: destroyed by its owner, not restored", group);
		return 0;
	}
	ret = store_records(st, group, &names, &n);
	if (ret) {
		plog(3, "%s: cannot list its snapshots: %s", group, strerror(-ret));
		return 0;
	}
	ctl = ctl_open();
	if (ctl < 0) {
		store_names_free(names, n);
		return ctl;
	}
	for (i = 0; i < n; i++) {
		int gfd = store_dirfd(st);
		char path[400];

		snprintf(path, sizeof(path), "%s/%s", group, names[i]);
		ret = record_read(gfd, path, &r);
		if (ret == -EBADMSG) {
			plog(3, "%s: corrupt snapshot, skipped: %s", path,
			     strerror(-ret));
			continue;
		}
		if (ret) {
			plog(3, "%s: unreadable snapshot, group not restored: %s",
			     path, strerror(-ret));
			break;
		}
		/*
		 * Only the newest snapshot of the store may resume sending:
		 * an older one reserved less than may have been sent.
		 */
		flags = i == 0 && !d->from_backup ? MLS_IMPORT_F_RESUME : 0;
		ret = mls_group_import2(ctl, r.snap, r.snap_len, flags, &id);
		ended = snapshot_of_ended(&r);
		record_free(&r);
		if (ret >= 0) {
			close(ret);
			plog(5, "%s: restored as group %u (%s)", path, id,
			     flags ? "resumed" : "receive-only until its own commit");
			break;
		}
		if (ret == -EEXIST) {
			plog(6, "%s: the group is alive, not restored", group);
			break;
		}
		if (!snapshot_unusable(ret)) {
			plog(3, "%s: import failed, group not restored: %s",
			     path, strerror(-ret));
			break;
		}
		if (ended) {
			plog(3, "%s: import failed, group not restored (it "
			     "ended; an older snapshot would bring it back "
			     "live): %s", path, strerror(-ret));
			break;
		}
		plog(3, "%s: import, skipped: %s", path, strerror(-ret));
	}
	close(ctl);
	store_names_free(names, n);
	return 0;
}

int groups_restore(struct persistd *d)
{
	return store_each_group(d->st, restore_one, d);
}

void groups_free(struct persistd *d)
{
	free(d->groups);
	d->groups = NULL;
	d->ngroups = d->capgroups = 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl persist status: what mls-persistd has stored (its state
 * directory, read directly: the newest valid snapshot of each group, its
 * epoch, sequences and age, how many are kept) against the persistent
 * groups the kernel has now: a live epoch past the stored one cannot
 * send until it is saved, and a save that failed after the reservation
 * ran low (the daemon's "pending" note) leaves the group short of
 * generations to send.
 */
#include "mlsctl.h"
#include "../mls-persistd/persistd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char usage_persist_status[] = "[dir DIR]\n"
	"\n"
	"What mls-persistd stored in its state directory (DIR, default\n"
	"/var/lib/mls), one line per group: its directory, the epoch, the\n"
	"kernel's and the store's sequence and the age of the newest valid\n"
	"snapshot, how many are kept, the live group's kernel id and epoch,\n"
	"and its state: saved; unsaved (the live epoch is past the stored one:\n"
	"the group cannot send until a save); low (the last save failed: the\n"
	"reservation runs out, the reason follows); not-live; destroyed (by\n"
	"its owner: not restored); corrupt (no valid snapshot). Exit 2 if a\n"
	"group is unsaved, low or corrupt.\n";

struct live {
	struct mls_group_status *g;
	size_t n;
};

static const struct mls_group_status *live_find(const struct live *l, const char *dir)
{
	char name[300];
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct mls_group_status *g = &l->g[i];

		if (!(g->group_flags & MLS_GROUP_F_PERSISTENT))
			continue;
		group_dir_name(name, sizeof(name), g->owner_uid, g->own_leaf,
			       g->group_id, g->group_id_len);
		if (!strcmp(name, dir))
			return g;
	}
	return NULL;
}

static bool read_note(int gfd, const char *note, char *out, size_t cap)
{
	int fd = openat(gfd, note, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, out, cap - 1);
	close(fd);
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
	return true;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Status of one group directory: printed; true if it needs attention. */
static bool one_group(const struct mlsctl_opts *o, struct jw *w, int groupsfd,
		      const char *dir, const struct live *live)
{
	const struct mls_group_status *g = live_find(live, dir);
	uint64_t e, s, best = 0;
	char best_name[300] = "", note[256] = "", path[600];
	const char *state;
	struct record r = { 0 };
	struct dirent *de;
	struct stat sb;
	unsigned int kept = 0;
	bool valid = false, bad = false, pending, destroyed;
	long long age = -1;
	int gfd, dfd;
	DIR *d;

	gfd = openat(groupsfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (gfd < 0)
		return false;
	dfd = dup(gfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	while (d && (de = readdir(d))) {
		if (!record_parse_name(de->d_name, &e, &s))
			continue;
		kept++;
		if (s < best)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (record_read(groupsfd, path, &r)) {
			bad = true;
			continue;
		}
		record_free(&r);
		best = s;
		snprintf(best_name, sizeof(best_name), "%s", de->d_name);
		valid = true;
	}
	if (d)
		closedir(d);
	if (valid) {
		snprintf(path, sizeof(path), "%s/%s", dir, best_name);
		if (!fstatat(groupsfd, path, &sb, 0))
			age = (long long)(time(NULL) - sb.st_mtime);
		snprintf(path, sizeof(path), "%s/%s", dir, best_name);
		record_read(groupsfd, path, &r);
	}
	destroyed = read_note(gfd, "destroyed", note, sizeof(note));
	pending = read_note(gfd, "pending", note, sizeof(note));
	close(gfd);
	if (!valid)
		state = "corrupt";
	else if (pending)
		state = "low";
	else if (destroyed)
		state = "destroyed";
	else if (!g)
		state = "not-live";
	else if (g->epoch > r.epoch)
		state = "unsaved";
	else
		state = "saved";
	if (o->json) {
		jw_obj(w, NULL);
		jw_str(w, "group", dir);
		jw_str(w, "state", state);
		if (valid) {
			jw_str(w, "file", best_name);
			jw_u64(w, "epoch", r.epoch);
			jw_u64(w, "kernel_seq", r.kernel_seq);
			jw_u64(w, "store_seq", r.store_seq);
			jw_u64(w, "age_s", age < 0 ? 0 : (uint64_t)age);
		}
		jw_u64(w, "kept", kept);
		jw_bool(w, "corrupt_files", bad);
		if (g) {
			jw_u64(w, "kid", g->kid);
			jw_u64(w, "live_epoch", g->epoch);
		}
		if (pending)
			jw_str(w, "reason", note);
		jw_obj_end(w);
	} else {
		printf("%s epoch %" PRIu64 " seq %" PRIu64 " store-seq %" PRIu64
		       " age %llds kept %u", dir, r.epoch, r.kernel_seq,
		       r.store_seq, age, kept);
		if (g)
			printf(" live %" PRIu32 " epoch %" PRIu64, g->kid, g->epoch);
		printf(" %s%s%s%s\n", state, pending ? ": " : "", pending ? note : "",
		       bad ? " (a corrupt file)" : "");
	}
	record_free(&r);
	return !strcmp(state, "corrupt") || !strcmp(state, "low") ||
	       !strcmp(state, "unsaved");
}

static int persist_status(const struct mlsctl_opts *o, int argc, char **argv)
{
	const char *dir = PERSISTD_STATE_DEFAULT;
	struct live live = { 0 };
	char **names = NULL, **more;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	bool attention = false;
	struct jw w;
	int i_arg, groupsfd, dfd;
	DIR *d;

	for (i_arg = 0; i_arg < argc; i_arg++) {
		if (!strcmp(argv[i_arg], "dir") || !strcmp(argv[i_arg], "--dir")) {
			if (!arg_next(argc, argv, &i_arg))
				return EXIT_USAGE;
			dir = argv[i_arg];
		} else {
			return usage_error("persist status: unexpected argument \"%s\"",
					   argv[i_arg]);
		}
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return op_error(-errno, "persist status: %s", dir);
	groupsfd = openat(dfd, "groups", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	if (groupsfd < 0)
		return op_error(-errno, "persist status: %s/groups", dir);
	/* The live groups are a bonus: none without the module. */
	mls_groups_dump(&live.g, &live.n);
	dfd = dup(groupsfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] != 'u')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			more = realloc(names, cap * sizeof(*names));
			if (!more)
				break;
			names = more;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "state_dir", dir);
		jw_arr(&w, "groups");
	}
	for (i = 0; i < n; i++) {
		if (one_group(o, &w, groupsfd, names[i], &live))
			attention = true;
		free(names[i]);
	}
	if (o->json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	free(names);
	free(live.g);
	close(groupsfd);
	return attention ? EXIT_KERNEL : EXIT_OK;
}

static const struct cmd persist_cmds[] = {
	{ "status", persist_status, "what mls-persistd stored, how old, what is low",
	  usage_persist_status },
};

int cmd_persist(const struct mlsctl_opts *o, int argc, char **argv)
{
	return run_cmd("mlsctl persist", persist_cmds, ARRAY_SIZE(persist_cmds),
		       o, argc, argv);
}

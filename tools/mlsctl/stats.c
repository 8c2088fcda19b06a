// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl stats and mlsctl health: what /sys/kernel/mls says about the
 * module (Documentation/ABI/testing/sysfs-kernel-mls): its counters, its
 * latency histograms, its health; and what the netlink MLS_CMD_GET_GROUP
 * dump says of each group the caller may see (the groups' sysfs
 * directories exist only with the group_sysfs parameter on). As a table,
 * JSON, or the Prometheus text exposition format (0.0.4).
 *
 * A file a module does not have (an older one) is reported as absent, on
 * stderr and in the JSON, never taken for zero. MLSCTL_SYSFS names
 * another directory than /sys/kernel/mls (the tests use it).
 */
#include "mlsctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char usage_stats[] = "[prometheus]\n"
	"\n"
	"Prints the module's counters and latency histograms, from\n"
	"/sys/kernel/mls (commits prepared, merged, discarded and timed out\n"
	"among them), and those of each group the caller may see, from the\n"
	"netlink group dump (sysfs without the family). With\n"
	"prometheus (or --prometheus): the Prometheus text format 0.0.4, for\n"
	"a textfile collector or a scrape. Files an older module does not\n"
	"have are named on stderr and left out.\n";

const char usage_health[] = "\n"
	"Prints the module's health, one word: healthy, degraded or\n"
	"unhealthy (/sys/kernel/mls/health). Exit status 0 when healthy, 3\n"
	"degraded, 4 unhealthy (or a word this mlsctl does not know), 2 when\n"
	"it cannot be read.\n";

#define LAT_BUCKETS	32	/* bucket i: [2^i, 2^(i+1)) ns; the last: the rest */
#define MAX_GROUP_FILES	64
/* The longest value of a group's file: a group_id of 255 bytes, as hex. */
#define GROUP_VALUE_MAX	(2 * MLS_MAX_GROUP_ID_LEN + 2)

enum kind { COUNTER, GAUGE };

static const struct stat_def {
	const char *name;
	enum kind kind;
	const char *help;
} stat_defs[] = {
	{ "groups_active", GAUGE, "Groups alive in the module." },
	{ "messages_encrypted", COUNTER, "Messages encrypted (PrivateMessage)." },
	{ "messages_decrypted", COUNTER, "Messages decrypted and authenticated." },
	{ "bytes_encrypted", COUNTER, "Content bytes encrypted, before padding." },
	{ "bytes_decrypted", COUNTER, "Content bytes decrypted." },
	{ "auth_failures", COUNTER, "Messages whose authentication failed." },
	{ "replays", COUNTER, "Messages refused as replays of a consumed generation." },
	{ "epochs_rotated", COUNTER, "Epoch changes applied." },
	{ "epochs_expired", COUNTER, "Past epochs erased by the retention policy." },
	{ "commit_conflicts", COUNTER, "Commits refused: another commit won the epoch." },
	{ "commits_prepared", COUNTER, "Next epochs staged (prepare, and each one-shot commit)." },
	{ "commits_merged", COUNTER, "Staged epochs made current (merge, and each one-shot commit)." },
	{ "commits_discarded", COUNTER, "Pending commits erased without a merge." },
	{ "commits_timed_out", COUNTER, "Pending commits discarded at the group's commit timeout." },
	{ "tag_failures", COUNTER, "Confirmation and membership tags that did not verify." },
	{ "throttled", COUNTER, "Event buffer records refused by the rate." },
	{ "breaker_trips", COUNTER, "Circuit breakers tripped open." },
	{ "breakers_open", GAUGE, "Circuit breakers open now." },
};

static const char *const op_names[] = {
	"encrypt", "decrypt", "commit", "commit_pending",
};
static const char *const op_help[] = {
	"Time to encrypt one message",
	"Time to decrypt one message",
	"Time to apply one commit",
	"Time a merged commit stayed pending, from its prepare to its merge",
};

/*
 * Per-group files exported as Prometheus metrics, when readable:
 * mls_group_<metric>[_total]{group="<kid>"}.
 */
static const struct group_def {
	const char *file;
	const char *metric;	/* "_count" belongs to histograms */
	enum kind kind;
	const char *help;
} group_defs[] = {
	{ "epoch", "epoch", GAUGE, "The group's current epoch." },
	{ "members", "members", GAUGE, "Occupied leaves of the group's current epoch." },
	{ "leaf_count", "leaves", GAUGE, "Leaves of the group's tree." },
	{ "messages_encrypted", "messages_encrypted", COUNTER,
	  "Messages the group encrypted." },
	{ "messages_decrypted", "messages_decrypted", COUNTER,
	  "Messages the group decrypted." },
	{ "bytes_encrypted", "bytes_encrypted", COUNTER,
	  "Content bytes the group encrypted." },
	{ "bytes_decrypted", "bytes_decrypted", COUNTER,
	  "Content bytes the group decrypted." },
	{ "auth_failures", "auth_failures", COUNTER,
	  "The group's messages that failed authentication." },
	{ "replays", "replays", COUNTER, "The group's messages refused as replays." },
	{ "epochs_rotated", "epochs_rotated", COUNTER, "The group's epoch changes." },
	{ "commits_prepared", "commits_prepared", COUNTER,
	  "Next epochs the group staged." },
	{ "commits_merged", "commits_merged", COUNTER,
	  "Staged epochs the group made current." },
	{ "commits_discarded", "commits_discarded", COUNTER,
	  "The group's pending commits erased without a merge." },
	{ "commits_timed_out", "commits_timed_out", COUNTER,
	  "The group's pending commits discarded at its commit timeout." },
	{ "commit_conflicts", "commit_conflicts", COUNTER,
	  "The group's commit operations refused with EBUSY or ESTALE." },
	{ "tag_failures", "tag_failures", COUNTER,
	  "The group's confirmation and membership tags that did not verify." },
};

/* The order a group's files are shown in; others follow, by name. */
static const char *const group_order[] = {
	"group_id", "suite", "state", "mode", "flags", "epoch", "oldest_epoch",
	"own_leaf", "leaf_count", "members", "messages_encrypted",
	"messages_decrypted", "bytes_encrypted", "bytes_decrypted",
	"auth_failures", "replays", "epochs_rotated", "commits_prepared",
	"commits_merged", "commits_discarded", "commits_timed_out",
	"commit_conflicts", "tag_failures",
};

struct group_file {
	char *name;
	char *value;
	bool number;
	uint64_t v;
};

struct group {
	uint32_t kid;
	size_t n;
	struct group_file *f;
};

struct sys {
	char health[32];
	int health_err;
	uint64_t val[ARRAY_SIZE(stat_defs)];
	int err[ARRAY_SIZE(stat_defs)];
	struct {
		uint64_t b[LAT_BUCKETS], sum, count;
		int err, sum_err;
	} lat[ARRAY_SIZE(op_names)];
	struct group *groups;
	size_t ngroups;
	char absent[48][64];
	size_t nabsent;
};

/* ----------------------------------------------------------- reading */

static const char *sysfs_root(void)
{
	const char *r = getenv("MLSCTL_SYSFS");

	return r && *r ? r : "/sys/kernel/mls";
}

/* File @rel under the root, at most @len - 1 bytes, trailing newline cut. */
static int read_attr(const char *rel, char *buf, size_t len)
{
	char path[512];
	size_t n = 0;
	ssize_t r;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", sysfs_root(), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n < len - 1) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	/* One more byte: the value did not fit. */
	if (!err && n == len - 1 && read(fd, path, 1) > 0)
		err = -EFBIG;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/*
 * A decimal u64 and nothing else, in its canonical form: -EBADMSG if it
 * is not one ("0600", a mode, is not decimal).
 */
static int parse_dec(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -EBADMSG;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EBADMSG;
	return 0;
}

static int read_u64(const char *rel, uint64_t *v)
{
	char buf[32];
	int err = read_attr(rel, buf, sizeof(buf));

	return err ? err : parse_dec(buf, v);
}

/* Exactly LAT_BUCKETS decimal counts separated by spaces. */
static int read_hist(const char *rel, uint64_t b[LAT_BUCKETS])
{
	char buf[LAT_BUCKETS * 21 + 2], *p, *end;
	int err = read_attr(rel, buf, sizeof(buf));
	size_t i;

	if (err)
		return err;
	p = buf;
	for (i = 0; i < LAT_BUCKETS; i++) {
		if (i && *p++ != ' ')
			return -EBADMSG;
		if (*p < '0' || *p > '9')
			return -EBADMSG;
		errno = 0;
		b[i] = strtoull(p, &end, 10);
		if (errno)
			return -EBADMSG;
		p = end;
	}
	return *p ? -EBADMSG : 0;
}

/* Note a file that is not there (or not as documented) for the report. */
static void absent(struct sys *s, const char *rel, int err)
{
	if (err == -EBADMSG || err == -EFBIG)
		fprintf(stderr, "mlsctl: %s/%s: not in the documented format, left out\n",
			sysfs_root(), rel);
	else if (err == -ENOENT)
		fprintf(stderr, "mlsctl: %s/%s: absent (a module older than this mlsctl?), left out\n",
			sysfs_root(), rel);
	else
		fprintf(stderr, "mlsctl: %s/%s: %s, left out\n", sysfs_root(), rel,
			strerror(-err));
	if (s->nabsent < ARRAY_SIZE(s->absent))
		snprintf(s->absent[s->nabsent++], sizeof(s->absent[0]), "%s", rel);
}

static bool root_exists(void)
{
	struct stat st;

	if (stat(sysfs_root(), &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	fprintf(stderr, "mlsctl: %s: %s (is the mls module loaded?)\n",
		sysfs_root(), strerror(errno ? errno : ENOTDIR));
	return false;
}

static int by_name(const void *a, const void *b)
{
	const struct group_file *x = a, *y = b;
	size_t i, ix = ARRAY_SIZE(group_order), iy = ix;

	for (i = 0; i < ARRAY_SIZE(group_order); i++) {
		if (strcmp(x->name, group_order[i]) == 0)
			ix = i;
		if (strcmp(y->name, group_order[i]) == 0)
			iy = i;
	}
	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void group_free(struct group *g)
{
	size_t k;

	for (k = 0; k < g->n; k++) {
		free(g->f[k].name);
		free(g->f[k].value);
	}
	free(g->f);
	g->f = NULL;
	g->n = 0;
}

/* Every regular file of groups/@kid: false if the caller may not read it. */
static bool read_group(uint32_t kid, struct group *g)
{
	char rel[384], dir[512], value[GROUP_VALUE_MAX + 1];
	struct group_file *f;
	struct dirent *de;
	DIR *d;
	int err;

	g->kid = kid;
	g->n = 0;
	g->f = calloc(MAX_GROUP_FILES, sizeof(*g->f));
	if (!g->f)
		return false;
	snprintf(dir, sizeof(dir), "%s/groups/%" PRIu32, sysfs_root(), kid);
	d = opendir(dir);
	if (!d) {
		group_free(g);
		return false;
	}
	while ((de = readdir(d)) && g->n < MAX_GROUP_FILES) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > 64)
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		snprintf(rel, sizeof(rel), "groups/%" PRIu32 "/%s", kid, de->d_name);
		err = read_attr(rel, value, sizeof(value));
		if (err == -EACCES || err == -EPERM) {
			closedir(d);
			group_free(g);
			return false;
		}
		if (err)
			continue;	/* gone meanwhile, or a directory */
		f = &g->f[g->n];
		f->name = strdup(de->d_name);
		f->value = strdup(value);
		if (!f->name || !f->value) {
			free(f->name);
			free(f->value);
			break;
		}
		f->number = parse_dec(f->value, &f->v) == 0;
		g->n++;
	}
	closedir(d);
	qsort(g->f, g->n, sizeof(g->f[0]), by_name);
	return true;
}

static int by_kid(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return (x->kid > y->kid) - (x->kid < y->kid);
}

/* Add group @kid if the caller may read it; false when out of memory. */
static bool add_group(struct sys *s, size_t *cap, uint64_t kid)
{
	struct group *ng;

	if (s->ngroups == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		ng = realloc(s->groups, *cap * sizeof(*ng));
		if (!ng)
			return false;
		s->groups = ng;
	}
	if (read_group((uint32_t)kid, &s->groups[s->ngroups]))
		s->ngroups++;
	return true;
}

/*
 * The groups the caller may read from their sysfs directories (a module
 * without the netlink family, or another tree than /sys/kernel/mls); an
 * absent groups/ is an older module. Only root lists groups/: others
 * take the kernel ids MLS_IOC_GROUP_LIST shows them (the groups they may
 * see), whose directories they may read.
 */
static void read_groups_sysfs(struct sys *s)
{
	char dir[512];
	struct dirent *de;
	size_t cap = 0, n, i;
	uint32_t *ids;
	uint64_t kid;
	int ctl;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/groups", sysfs_root());
	d = opendir(dir);
	if (!d && errno == EACCES) {
		ctl = mls_open(0);
		if (ctl >= 0 && !mls_group_list(ctl, &ids, &n)) {
			for (i = 0; i < n && add_group(s, &cap, ids[i]); i++)
				;
			free(ids);
		}
		if (ctl >= 0)
			close(ctl);
	} else if (!d) {
		if (errno == ENOENT)
			absent(s, "groups", -ENOENT);
		return;
	} else {
		while ((de = readdir(d))) {
			if (parse_dec(de->d_name, &kid) || kid > UINT32_MAX)
				continue;
			if (!add_group(s, &cap, kid))
				break;
		}
		closedir(d);
	}
	if (s->ngroups)
		qsort(s->groups, s->ngroups, sizeof(*s->groups), by_kid);
}

/* ------------------------------------------------- groups, from netlink */

/* Add @name @value (a number when decimal) to @g; false when out of memory. */
static bool group_put(struct group *g, const char *name, const char *value)
{
	struct group_file *f = &g->f[g->n];

	f->name = strdup(name);
	f->value = strdup(value);
	if (!f->name || !f->value) {
		free(f->name);
		free(f->value);
		return false;
	}
	f->number = parse_dec(f->value, &f->v) == 0;
	g->n++;
	return true;
}

/*
 * Group @st as its sysfs directory shows it: the same names, the values
 * written the same way (group_id in hex, mode in octal, flags in hex),
 * each attribute the kernel sent. MLS_A_OWNER_UID has no file: left out.
 */
static bool group_from_status(const struct mls_group_status *st, struct group *g)
{
	static const struct {
		const char *name;
		unsigned int attr;
		size_t off;
	} stats[] = {
#define NL_STAT(n, a) { #n, MLS_STATS_A_##a, offsetof(struct mls_group_status, n) }
		NL_STAT(messages_encrypted, MESSAGES_ENCRYPTED),
		NL_STAT(messages_decrypted, MESSAGES_DECRYPTED),
		NL_STAT(bytes_encrypted, BYTES_ENCRYPTED),
		NL_STAT(bytes_decrypted, BYTES_DECRYPTED),
		NL_STAT(auth_failures, AUTH_FAILURES),
		NL_STAT(replays, REPLAYS),
		NL_STAT(epochs_rotated, EPOCHS_ROTATED),
		NL_STAT(commits_prepared, COMMITS_PREPARED),
		NL_STAT(commits_merged, COMMITS_MERGED),
		NL_STAT(commits_discarded, COMMITS_DISCARDED),
		NL_STAT(commits_timed_out, COMMITS_TIMED_OUT),
		NL_STAT(commit_conflicts, COMMIT_CONFLICTS),
		NL_STAT(tag_failures, TAG_FAILURES),
#undef NL_STAT
	};
	char v[GROUP_VALUE_MAX + 1];
	bool ok = true;
	uint32_t i;

	g->kid = st->kid;
	g->n = 0;
	g->f = calloc(MAX_GROUP_FILES, sizeof(*g->f));
	if (!g->f)
		return false;
#define HAS(a)	(st->present & MLS_HAS(MLS_A_##a))
	if (HAS(GROUP_ID) && st->group_id_len <= MLS_MAX_GROUP_ID_LEN) {
		for (i = 0; i < st->group_id_len; i++)
			snprintf(v + 2 * i, 3, "%02x", st->group_id[i]);
		v[2 * i] = '\0';
		ok &= group_put(g, "group_id", v);
	}
	if (HAS(SUITE)) {
		snprintf(v, sizeof(v), "%u", st->suite);
		ok &= group_put(g, "suite", v);
	}
	/* The names mlsctl group and the group's sysfs state print. */
	if (HAS(STATE))
		ok &= group_put(g, "state", state_name(st->state));
	if (HAS(MODE)) {
		snprintf(v, sizeof(v), "%04" PRIo32, st->mode);
		ok &= group_put(g, "mode", v);
	}
	if (HAS(GROUP_FLAGS)) {
		snprintf(v, sizeof(v), "0x%" PRIx32, st->group_flags);
		ok &= group_put(g, "flags", v);
	}
	if (HAS(EPOCH)) {
		snprintf(v, sizeof(v), "%" PRIu64, st->epoch);
		ok &= group_put(g, "epoch", v);
	}
	if (HAS(OLDEST_EPOCH)) {
		snprintf(v, sizeof(v), "%" PRIu64, st->oldest_epoch);
		ok &= group_put(g, "oldest_epoch", v);
	}
	if (HAS(OWN_LEAF)) {
		snprintf(v, sizeof(v), "%" PRIu32, st->own_leaf);
		ok &= group_put(g, "own_leaf", v);
	}
	if (HAS(LEAF_COUNT)) {
		snprintf(v, sizeof(v), "%" PRIu32, st->leaf_count);
		ok &= group_put(g, "leaf_count", v);
	}
	if (HAS(MEMBERS)) {
		snprintf(v, sizeof(v), "%" PRIu32, st->members);
		ok &= group_put(g, "members", v);
	}
#undef HAS
	for (i = 0; ok && i < ARRAY_SIZE(stats); i++) {
		if (!(st->stats_present & MLS_HAS(stats[i].attr)))
			continue;
		snprintf(v, sizeof(v), "%" PRIu64,
			 *(const uint64_t *)((const char *)st + stats[i].off));
		ok &= group_put(g, stats[i].name, v);
	}
	if (!ok) {
		group_free(g);
		return false;
	}
	qsort(g->f, g->n, sizeof(g->f[0]), by_name);
	return true;
}

/*
 * The groups the caller may see, from the MLS_CMD_GET_GROUP dump (the
 * rule MLS_IOC_GROUP_LIST follows): 0, or -errno of the dump (-ENOENT:
 * no family "mls").
 */
static int read_groups_nl(struct sys *s)
{
	struct mls_group_status *st = NULL;
	size_t n = 0, i;
	int err;

	err = mls_groups_dump(&st, &n);
	if (err)
		return err;
	s->groups = n ? calloc(n, sizeof(*s->groups)) : NULL;
	for (i = 0; s->groups && i < n; i++)
		if (group_from_status(&st[i], &s->groups[s->ngroups]))
			s->ngroups++;
	free(st);
	return 0;
}

/*
 * The groups, from netlink: it lists every group, while the directories
 * exist only with the module's group_sysfs parameter on. Sysfs when
 * MLSCTL_SYSFS names a tree of its own, or the module has no family.
 */
static void read_groups(struct sys *s)
{
	const char *r = getenv("MLSCTL_SYSFS");
	int err = -ENOENT;

	if (!r || !*r) {
		/* In increasing kernel id order already. */
		err = read_groups_nl(s);
		if (err && err != -ENOENT)
			fprintf(stderr, "mlsctl: the netlink group dump failed (%s), "
				"groups from %s/groups\n", strerror(-err), sysfs_root());
	}
	if (err)
		read_groups_sysfs(s);
}

static void read_all(struct sys *s)
{
	char rel[96];
	size_t i, k;

	memset(s, 0, sizeof(*s));
	s->health_err = read_attr("health", s->health, sizeof(s->health));
	if (s->health_err)
		absent(s, "health", s->health_err);
	for (i = 0; i < ARRAY_SIZE(stat_defs); i++) {
		snprintf(rel, sizeof(rel), "stats/%s", stat_defs[i].name);
		s->err[i] = read_u64(rel, &s->val[i]);
		if (s->err[i])
			absent(s, rel, s->err[i]);
	}
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		snprintf(rel, sizeof(rel), "latency/%s_ns", op_names[i]);
		s->lat[i].err = read_hist(rel, s->lat[i].b);
		if (s->lat[i].err)
			absent(s, rel, s->lat[i].err);
		for (k = 0; k < LAT_BUCKETS; k++)
			s->lat[i].count += s->lat[i].b[k];
		snprintf(rel, sizeof(rel), "latency/%s_sum_ns", op_names[i]);
		s->lat[i].sum_err = read_u64(rel, &s->lat[i].sum);
		if (s->lat[i].sum_err)
			absent(s, rel, s->lat[i].sum_err);
	}
	read_groups(s);
}

/* ------------------------------------------------------------ the table */

static void human_ns(double ns, char *buf, size_t n)
{
	if (ns < 1e3)
		snprintf(buf, n, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, n, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, n, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, n, "%.3g s", ns / 1e9);
}

/* The upper bound of the bucket holding quantile @q, as text. */
static void quantile(const uint64_t b[LAT_BUCKETS], uint64_t count, double q,
		     char *buf, size_t n)
{
	uint64_t want = (uint64_t)((double)count * q + 0.999999), cum = 0;
	size_t i;

	if (!want)
		want = 1;
	for (i = 0; i < LAT_BUCKETS; i++) {
		cum += b[i];
		if (cum >= want)
			break;
	}
	if (i >= LAT_BUCKETS - 1) {
		snprintf(buf, n, "> 2.15 s");
		return;
	}
	human_ns((double)(1ULL << (i + 1)), buf, n);
}

static void print_table(const struct sys *s)
{
	char mean[24], p50[24], p99[24], max[24];
	uint64_t count;
	size_t i, k;

	printf("health  %s\n\ncounters\n", s->health_err ? "-" : s->health);
	for (i = 0; i < ARRAY_SIZE(stat_defs); i++) {
		if (s->err[i])
			printf("  %-20s %20s\n", stat_defs[i].name, "-");
		else
			printf("  %-20s %20" PRIu64 "\n", stat_defs[i].name, s->val[i]);
	}
	printf("\n%-16s %10s %11s %10s %10s %10s\n", "latency", "count", "mean",
	       "p50 <=", "p99 <=", "max <=");
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		count = s->lat[i].count;
		if (s->lat[i].err) {
			printf("  %-14s %10s\n", op_names[i], "-");
			continue;
		}
		if (!count) {
			printf("  %-14s %10d %11s %10s %10s %10s\n", op_names[i], 0,
			       "-", "-", "-", "-");
			continue;
		}
		if (s->lat[i].sum_err)
			snprintf(mean, sizeof(mean), "-");
		else
			human_ns((double)s->lat[i].sum / (double)count, mean,
				 sizeof(mean));
		quantile(s->lat[i].b, count, 0.5, p50, sizeof(p50));
		quantile(s->lat[i].b, count, 0.99, p99, sizeof(p99));
		quantile(s->lat[i].b, count, 1.0, max, sizeof(max));
		printf("  %-14s %10" PRIu64 " %11s %10s %10s %10s\n", op_names[i],
		       count, mean, p50, p99, max);
	}
	if (s->ngroups)
		printf("\n");
	for (i = 0; i < s->ngroups; i++) {
		printf("group %" PRIu32 ":", s->groups[i].kid);
		for (k = 0; k < s->groups[i].n; k++)
			printf(" %s %s", s->groups[i].f[k].name,
			       s->groups[i].f[k].value);
		printf("\n");
	}
}

/* ------------------------------------------------------------------ JSON */

static void print_json(const struct sys *s)
{
	const struct group_file *f;
	struct jw w;
	size_t i, k;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	if (s->health_err)
		jw_null(&w, "health");
	else
		jw_str(&w, "health", s->health);
	jw_obj(&w, "counters");
	for (i = 0; i < ARRAY_SIZE(stat_defs); i++) {
		if (s->err[i])
			jw_null(&w, stat_defs[i].name);
		else
			jw_u64(&w, stat_defs[i].name, s->val[i]);
	}
	jw_obj_end(&w);
	jw_obj(&w, "latency");
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		if (s->lat[i].err) {
			jw_null(&w, op_names[i]);
			continue;
		}
		jw_obj(&w, op_names[i]);
		jw_u64(&w, "count", s->lat[i].count);
		if (s->lat[i].sum_err)
			jw_null(&w, "sum_ns");
		else
			jw_u64(&w, "sum_ns", s->lat[i].sum);
		jw_arr(&w, "buckets");
		for (k = 0; k < LAT_BUCKETS; k++)
			jw_u64(&w, NULL, s->lat[i].b[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	jw_arr(&w, "groups");
	for (i = 0; i < s->ngroups; i++) {
		jw_obj(&w, NULL);
		jw_u64(&w, "id", s->groups[i].kid);
		for (k = 0; k < s->groups[i].n; k++) {
			f = &s->groups[i].f[k];
			if (strcmp(f->name, "id") == 0)
				continue;
			if (f->number)
				jw_u64(&w, f->name, f->v);
			else
				jw_str(&w, f->name, f->value);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "absent");
	for (i = 0; i < s->nabsent; i++)
		jw_str(&w, NULL, s->absent[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
}

/* ------------------------------------------------------------ Prometheus */

/* @ns nanoseconds as seconds, exactly: "0.000001024", "2.147483648", "3". */
static void seconds(uint64_t ns, char *buf, size_t n)
{
	size_t len;

	snprintf(buf, n, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
	len = strlen(buf);
	while (buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
}

static void prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const struct group_file *group_file(const struct group *g, const char *name)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		if (strcmp(g->f[k].name, name) == 0)
			return g->f[k].number ? &g->f[k] : NULL;
	return NULL;
}

static void print_prometheus(const struct sys *s)
{
	static const char *const states[] = { "healthy", "degraded", "unhealthy" };
	const struct group_file *f;
	char name[96], le[32], sum[32];
	uint64_t cum;
	size_t i, k;
	bool known;

	for (i = 0; i < ARRAY_SIZE(stat_defs); i++) {
		if (s->err[i])
			continue;
		snprintf(name, sizeof(name), "mls_%s%s", stat_defs[i].name,
			 stat_defs[i].kind == COUNTER ? "_total" : "");
		prom_family(name, stat_defs[i].kind == COUNTER ? "counter" : "gauge",
			    stat_defs[i].help);
		printf("%s %" PRIu64 "\n", name, s->val[i]);
	}
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		/* A histogram without its sum would not be one. */
		if (s->lat[i].err || s->lat[i].sum_err)
			continue;
		snprintf(name, sizeof(name), "mls_%s_duration_seconds", op_names[i]);
		printf("# HELP %s %s (log2 buckets of latency/%s_ns).\n",
		       name, op_help[i], op_names[i]);
		printf("# TYPE %s histogram\n", name);
		cum = 0;
		/* Bucket i ends at 2^(i+1) ns; the last one is +Inf's alone. */
		for (k = 0; k < LAT_BUCKETS - 1; k++) {
			cum += s->lat[i].b[k];
			seconds(1ULL << (k + 1), le, sizeof(le));
			printf("%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, le, cum);
		}
		cum += s->lat[i].b[LAT_BUCKETS - 1];
		printf("%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cum);
		seconds(s->lat[i].sum, sum, sizeof(sum));
		printf("%s_sum %s\n%s_count %" PRIu64 "\n", name, sum, name, cum);
	}
	if (!s->health_err) {
		prom_family("mls_health_state", "gauge",
			    "The module's health (/sys/kernel/mls/health): 1 for its state.");
		known = false;
		for (i = 0; i < ARRAY_SIZE(states); i++) {
			printf("mls_health_state{state=\"%s\"} %d\n", states[i],
			       strcmp(s->health, states[i]) == 0);
			known |= strcmp(s->health, states[i]) == 0;
		}
		/* A word of a newer module: shown as itself, if it is a word. */
		if (!known && s->health[0] &&
		    strspn(s->health, "abcdefghijklmnopqrstuvwxyz_-") == strlen(s->health))
			printf("mls_health_state{state=\"%s\"} 1\n", s->health);
	}
	for (i = 0; i < ARRAY_SIZE(group_defs); i++) {
		bool any = false;

		snprintf(name, sizeof(name), "mls_group_%s%s", group_defs[i].metric,
			 group_defs[i].kind == COUNTER ? "_total" : "");
		for (k = 0; k < s->ngroups; k++) {
			f = group_file(&s->groups[k], group_defs[i].file);
			if (!f)
				continue;
			if (!any)
				prom_family(name, group_defs[i].kind == COUNTER ?
					    "counter" : "gauge", group_defs[i].help);
			any = true;
			printf("%s{group=\"%" PRIu32 "\"} %" PRIu64 "\n", name,
			       s->groups[k].kid, f->v);
		}
	}
}

/* ------------------------------------------------------------- commands */

int cmd_stats(const struct mlsctl_opts *o, int argc, char **argv)
{
	bool prometheus = false;
	struct sys *s;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "prometheus") == 0 ||
		    strcmp(argv[i], "--prometheus") == 0)
			prometheus = true;
		else
			return usage_error("stats: unknown argument \"%s\"", argv[i]);
	}
	if (prometheus && o->json)
		return usage_error("stats: -j and prometheus are two formats; choose one");
	if (!root_exists())
		return EXIT_KERNEL;
	s = malloc(sizeof(*s));
	if (!s)
		return op_error(-ENOMEM, "stats");
	read_all(s);
	if (prometheus)
		print_prometheus(s);
	else if (o->json)
		print_json(s);
	else
		print_table(s);
	for (i = 0; i < (int)s->ngroups; i++)
		group_free(&s->groups[i]);
	free(s->groups);
	free(s);
	return EXIT_OK;
}

int cmd_health(const struct mlsctl_opts *o, int argc, char **argv)
{
	char word[32];
	struct jw w;
	int err;

	if (argc > 0)
		return usage_error("health: unexpected argument \"%s\"", argv[0]);
	if (!root_exists())
		return EXIT_KERNEL;
	err = read_attr("health", word, sizeof(word));
	if (err == -ENOENT) {
		fprintf(stderr, "mlsctl: %s/health: absent (a module older than this mlsctl?)\n",
			sysfs_root());
		return EXIT_KERNEL;
	}
	if (err)
		return op_error(err, "%s/health", sysfs_root());
	if (!word[0] || strspn(word, "abcdefghijklmnopqrstuvwxyz_-") != strlen(word)) {
		fprintf(stderr, "mlsctl: %s/health: not one word\n", sysfs_root());
		return EXIT_KERNEL;
	}
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "health", word);
		jw_obj_end(&w);
	} else {
		printf("%s\n", word);
	}
	if (strcmp(word, "healthy") == 0)
		return EXIT_OK;
	if (strcmp(word, "degraded") == 0)
		return EXIT_DEGRADED;
	return EXIT_UNHEALTHY;
}

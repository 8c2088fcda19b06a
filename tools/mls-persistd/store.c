// SPDX-License-Identifier: GPL-2.0
/*
 * The store: a state directory holding
 *
 *	seq		the store sequence: the last one used, decimal
 *	wal		the write-ahead log, one line per step:
 *			"B <seq> <group> <file>", "C <seq>", "A <seq>"
 *	groups/<group>/	one directory per member (record.c names them),
 *			its snapshots, one file each (record.c)
 *
 * A snapshot goes in as a transaction: the next sequence is written and
 * fsynced before it is used (so it is never used twice, as systemd marks
 * its random seed used before using it); "B" is logged and fsynced; the
 * record is written to <file>.tmp and fsynced, renamed to <file>, and the
 * directory fsynced; "C" is logged and fsynced. Only then is the snapshot
 * reported durable (MLS_IOC_GROUP_SAVED), and only then are the epochs
 * past the retention removed. A failed step unlinks what it made and
 * logs "A". store_recover() finishes, at start, what a crash left: a
 * begun transaction whose file is in place and valid is committed (its
 * directory fsynced first), any other is rolled back.
 */
#include "fdio.h"
#include "persistd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The log is emptied once it is larger than this and nothing is open. */
#define WAL_COMPACT	(64 * 1024)
#define SEQ_LEN		21	/* 20 digits and a newline */

struct store {
	int dirfd;		/* the state directory */
	int groupsfd;		/* groups/ */
	int walfd;
	int seqfd;
	off_t wal_size;
	uint64_t seq;		/* the last sequence used (and persisted) */
	unsigned int keep;
	char *path;
};

int store_dirfd(const struct store *st)
{
	return st->groupsfd;
}

static int fsync_fd(int fd, enum crash_op op)
{
	int ret = fsync(fd) ? -errno : 0;

	if (!ret)
		crash_point(op);
	return ret;
}

/* Append one line to the log, durably; a torn tail is cut off again. */
static int wal_append(struct store *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int wal_append(struct store *st, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENAMETOOLONG;
	ret = write_all(st->walfd, line, (size_t)n);
	if (!ret) {
		crash_point(CRASH_WRITE);
		ret = fsync_fd(st->walfd, CRASH_FSYNC);
	}
	if (ret) {
		if (ftruncate(st->walfd, st->wal_size) == 0)
			lseek(st->walfd, st->wal_size, SEEK_SET);
		return ret;
	}
	st->wal_size += n;
	return 0;
}

static int wal_reset(struct store *st)
{
	if (ftruncate(st->walfd, 0) || lseek(st->walfd, 0, SEEK_SET) < 0)
		return -errno;
	st->wal_size = 0;
	return fsync(st->walfd) ? -errno : 0;
}

/* The next sequence, persisted before it is returned. */
static int seq_next(struct store *st, uint64_t *seq)
{
	char buf[SEQ_LEN + 1];
	uint64_t s = st->seq + 1;
	ssize_t n;

	snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", s);
	n = pwrite(st->seqfd, buf, SEQ_LEN, 0);
	if (n != SEQ_LEN)
		return n < 0 ? -errno : -EIO;
	crash_point(CRASH_WRITE);
	if (fdatasync(st->seqfd))
		return -errno;
	crash_point(CRASH_FSYNC);
	st->seq = s;
	*seq = s;
	return 0;
}

static void seq_see(struct store *st, uint64_t s)
{
	if (s > st->seq)
		st->seq = s;
}

static int open_dir_at(int at, const char *name, bool create)
{
	int fd;

	if (create && mkdirat(at, name, 0700) && errno != EEXIST)
		return -errno;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int store_open(const char *dir, unsigned int keep, struct store **out)
{
	struct store *st = calloc(1, sizeof(*st));
	char buf[SEQ_LEN + 1] = "";
	ssize_t n;
	int ret;

	if (!st)
		return -ENOMEM;
	st->dirfd = st->groupsfd = st->walfd = st->seqfd = -1;
	st->keep = keep;
	st->path = strdup(dir);
	if (!st->path) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = open_dir_at(AT_FDCWD, dir, true);
	if (ret < 0)
		goto fail;
	st->dirfd = ret;
	ret = open_dir_at(st->dirfd, "groups", true);
	if (ret < 0)
		goto fail;
	st->groupsfd = ret;
	st->walfd = openat(st->dirfd, "wal", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	st->seqfd = openat(st->dirfd, "seq", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->walfd < 0 || st->seqfd < 0) {
		ret = -errno;
		goto fail;
	}
	n = pread(st->seqfd, buf, SEQ_LEN, 0);
	if (n > 0) {
		buf[n] = 0;
		st->seq = strtoull(buf, NULL, 10);
	}
	st->wal_size = lseek(st->walfd, 0, SEEK_END);
	/* groups/, wal and seq may have just been made. */
	if (fsync(st->dirfd)) {
		ret = -errno;
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return ret;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->dirfd >= 0)
		close(st->dirfd);
	if (st->groupsfd >= 0)
		close(st->groupsfd);
	if (st->walfd >= 0)
		close(st->walfd);
	if (st->seqfd >= 0)
		close(st->seqfd);
	free(st->path);
	free(st);
}

static int cmp_seq_desc(const void *a, const void *b)
{
	uint64_t ea, sa, eb, sb;

	record_parse_name(*(char *const *)a, &ea, &sa);
	record_parse_name(*(char *const *)b, &eb, &sb);
	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

void store_names_free(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* The names in @dfd for which @keep_fn is true. */
static int list_names(int dfd, bool (*keep_fn)(const char *), char ***out, size_t *count)
{
	char **names = NULL, **more;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd = dup(dfd);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!keep_fn(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			more = realloc(names, cap * sizeof(*names));
			if (!more)
				goto nomem;
			names = more;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	closedir(d);
	*out = names;
	*count = n;
	return 0;
nomem:
	closedir(d);
	store_names_free(names, n);
	return -ENOMEM;
}

static bool is_record(const char *name)
{
	uint64_t e, s;

	return record_parse_name(name, &e, &s);
}

static bool is_group(const char *name)
{
	return name[0] == 'u';
}

static bool is_tmp(const char *name)
{
	size_t l = strlen(name);

	return l > 4 && !strcmp(name + l - 4, ".tmp");
}

int store_records(struct store *st, const char *group, char ***names, size_t *n)
{
	int gfd = open_dir_at(st->groupsfd, group, false), ret;

	if (gfd < 0)
		return gfd;
	ret = list_names(gfd, is_record, names, n);
	close(gfd);
	if (!ret && *n)
		qsort(*names, *n, sizeof(**names), cmp_seq_desc);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_each_group(struct store *st,
		     int (*fn)(struct store *st, const char *group, void *arg),
		     void *arg)
{
	char **names;
	size_t n, i;
	int ret = list_names(st->groupsfd, is_group, &names, &n);

	if (ret)
		return ret;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && !ret; i++)
		ret = fn(st, names[i], arg);
	store_names_free(names, n);
	return ret;
}

/*
 * Keep, of @group, the newest record of each of the @keep epochs most
 * recently written (ranked by their newest record, so the record just
 * committed always stays); remove the rest.
 */
static void prune(struct store *st, int gfd, const char *group)
{
	char **names;
	uint64_t *kept_epochs, e, s;
	size_t n, i, j, kept = 0;
	bool keep;

	if (store_records(st, group, &names, &n))
		return;
	kept_epochs = calloc(st->keep + 1, sizeof(*kept_epochs));
	for (i = 0; kept_epochs && i < n; i++) {
		record_parse_name(names[i], &e, &s);
		keep = false;
		for (j = 0; j < kept && kept_epochs[j] != e; j++)
			;
		if (j == kept && kept < st->keep) {
			kept_epochs[kept++] = e;
			keep = true;	/* the newest of an epoch kept */
		}
		if (!keep && unlinkat(gfd, names[i], 0) && errno != ENOENT)
			plog(4, "%s/%s: cannot remove: %s", group, names[i], strerror(errno));
	}
	free(kept_epochs);
	store_names_free(names, n);
}

int store_put(struct store *st, const char *group, uint64_t kernel_seq,
	      uint64_t epoch, const void *snap, size_t len, uint64_t *store_seq)
{
	char name[64], tmp[72];
	struct record r;
	uint64_t seq = 0;
	bool created = false, renamed = false;
	int gfd, fd = -1, ret;

	if (mkdirat(st->groupsfd, group, 0700) == 0)
		created = true;
	else if (errno != EEXIST)
		return -errno;
	gfd = open_dir_at(st->groupsfd, group, false);
	if (gfd < 0)
		return gfd;
	if (created) {
		ret = fsync_fd(st->groupsfd, CRASH_DIRSYNC);
		if (ret)
			goto out;
	}
	ret = seq_next(st, &seq);
	if (ret)
		goto out;
	ret = record_build(&r, seq, kernel_seq, epoch, snap, len);
	if (ret)
		goto out;
	record_name(name, sizeof(name), epoch, seq);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	ret = wal_append(st, "B %" PRIu64 " %s %s\n", seq, group, name);
	if (ret)
		goto out_rec;
	fd = openat(gfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto abort;
	}
	ret = write_all(fd, r.buf, r.buf_len);
	if (ret)
		goto abort;
	crash_point(CRASH_WRITE);
	ret = fsync_fd(fd, CRASH_FSYNC);
	if (ret)
		goto abort;
	close(fd);
	fd = -1;
	if (renameat(gfd, tmp, gfd, name)) {
		ret = -errno;
		goto abort;
	}
	renamed = true;
	crash_point(CRASH_RENAME);
	ret = fsync_fd(gfd, CRASH_DIRSYNC);
	if (ret)
		goto abort;
	ret = wal_append(st, "C %" PRIu64 "\n", seq);
	if (ret)
		goto abort;
	*store_seq = seq;
	prune(st, gfd, group);
	if (st->wal_size > WAL_COMPACT)
		wal_reset(st);
	goto out_rec;
abort:
	if (fd >= 0)
		close(fd);
	unlinkat(gfd, tmp, 0);
	if (renamed)
		unlinkat(gfd, name, 0);
	fsync(gfd);
	wal_append(st, "A %" PRIu64 "\n", seq);
out_rec:
	record_free(&r);
out:
	close(gfd);
	return ret;
}

/* Remove the temporary files of @group, and learn its sequences. */
static int sweep(struct store *st, const char *group, void *arg)
{
	char **names;
	uint64_t e, s;
	size_t n, i;
	int gfd = open_dir_at(st->groupsfd, group, false);

	(void)arg;
	if (gfd < 0)
		return 0;
	if (!list_names(gfd, is_tmp, &names, &n)) {
		for (i = 0; i < n; i++)
			unlinkat(gfd, names[i], 0);
		store_names_free(names, n);
	}
	if (!list_names(gfd, is_record, &names, &n)) {
		for (i = 0; i < n; i++)
			if (record_parse_name(names[i], &e, &s))
				seq_see(st, s);
		store_names_free(names, n);
	}
	close(gfd);
	return 0;
}

struct open_txn {
	uint64_t seq;
	char group[300];
	char name[64];
	bool done;
};

/* Finish (roll forward) or undo (roll back) one begun transaction. */
static int settle(struct store *st, struct open_txn *t)
{
	struct record r;
	char tmp[72];
	int gfd = open_dir_at(st->groupsfd, t->group, false), ret;

	if (gfd < 0) {
		plog(5, "recover: %" PRIu64 " %s/%s: no directory, rolled back",
		     t->seq, t->group, t->name);
		return wal_append(st, "A %" PRIu64 "\n", t->seq);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->name);
	unlinkat(gfd, tmp, 0);
	ret = record_read(gfd, t->name, &r);
	if (!ret && r.store_seq == t->seq) {
		record_free(&r);
		if (fsync(gfd)) {
			ret = -errno;
			close(gfd);
			return ret;
		}
		plog(5, "recover: %" PRIu64 " %s/%s: complete, committed",
		     t->seq, t->group, t->name);
		close(gfd);
		return wal_append(st, "C %" PRIu64 "\n", t->seq);
	}
	if (!ret)
		record_free(&r);
	unlinkat(gfd, t->name, 0);
	fsync(gfd);
	close(gfd);
	plog(5, "recover: %" PRIu64 " %s/%s: incomplete, rolled back",
	     t->seq, t->group, t->name);
	return wal_append(st, "A %" PRIu64 "\n", t->seq);
}

int store_recover(struct store *st)
{
	struct open_txn *txns = NULL, *more;
	size_t n = 0, cap = 0, i;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	uint64_t seq;
	char kind;
	int ret = 0, fd;
	FILE *f;

	fd = dup(st->walfd);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	rewind(f);
	while ((len = getline(&line, &lcap, f)) > 0) {
		char group[300], name[64];

		if (line[len - 1] != '\n')
			break;	/* a torn last line: its step never happened */
		if (sscanf(line, "B %" SCNu64 " %299s %63s", &seq, group, name) == 3) {
			seq_see(st, seq);
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				more = realloc(txns, cap * sizeof(*txns));
				if (!more) {
					ret = -ENOMEM;
					break;
				}
				txns = more;
			}
			txns[n].seq = seq;
			txns[n].done = false;
			snprintf(txns[n].group, sizeof(txns[n].group), "%s", group);
			snprintf(txns[n].name, sizeof(txns[n].name), "%s", name);
			n++;
		} else if (sscanf(line, "%c %" SCNu64, &kind, &seq) == 2 &&
			   (kind == 'C' || kind == 'A')) {
			for (i = 0; i < n; i++)
				if (txns[i].seq == seq)
					txns[i].done = true;
		} else {
			plog(4, "recover: %s/wal: a line not understood, ignored", st->path);
		}
	}
	free(line);
	fclose(f);
	/* Appends go after whatever the log holds, a torn tail included. */
	st->wal_size = lseek(st->walfd, 0, SEEK_END);
	for (i = 0; !ret && i < n; i++)
		if (!txns[i].done && strchr(txns[i].group, '/') == NULL &&
		    strchr(txns[i].name, '/') == NULL)
			ret = settle(st, &txns[i]);
	free(txns);
	if (ret)
		return ret;
	store_each_group(st, sweep, NULL);
	/* Everything is settled: the log starts empty. */
	return wal_reset(st);
}

int store_mark(struct store *st, const char *group, const char *note, const char *text)
{
	int gfd = open_dir_at(st->groupsfd, group, false), fd, ret = 0;

	if (gfd < 0)
		return gfd;
	if (!text) {
		if (unlinkat(gfd, note, 0) && errno != ENOENT)
			ret = -errno;
	} else {
		fd = openat(gfd, note, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			ret = -errno;
		else {
			ret = write_all(fd, text, strlen(text));
			close(fd);
		}
	}
	close(gfd);
	return ret;
}

bool store_marked(struct store *st, const char *group, const char *note)
{
	int gfd = open_dir_at(st->groupsfd, group, false);
	bool there;

	if (gfd < 0)
		return false;
	there = faccessat(gfd, note, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(gfd);
	return there;
}

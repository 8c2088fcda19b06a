/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mls-persistd: stores a sealed snapshot of every persistent group, and
 * brings them back at start. mls-persistd(8); the store's layout, its
 * write-ahead log and what survives which crash are in
 * Documentation/admin-guide/persistence.rst.
 */
#ifndef MLS_PERSISTD_H
#define MLS_PERSISTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmls.h>

#define PERSISTD_KEEP_DEFAULT	10
#define PERSISTD_STATE_DEFAULT	"/var/lib/mls"

/* ---- log.c: messages on stderr (the journal), with a level prefix */
void plog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- crash.c: the test hook (mls-persistd(8), "CRASH POINTS") */
enum crash_op { CRASH_WRITE, CRASH_FSYNC, CRASH_RENAME, CRASH_DIRSYNC };
/* "OP:N" (OP write, fsync, rename, dirsync or any): 0, or -EINVAL. */
int crash_setup(const char *spec);
/* Called right after each operation of the write path: _exit(99) at the Nth. */
void crash_point(enum crash_op op);

/* ---- record.c: one stored snapshot, its file format and its name */
#define RECORD_MAGIC		"MLSR"
#define RECORD_VERSION		1
#define RECORD_HDR_LEN		68	/* magic 4, version 2, flags 2, 3 u64, len 4, sha256 32 */
#define RECORD_SUFFIX		".snap"

struct record {
	uint64_t store_seq;	/* the store's sequence when it was written */
	uint64_t kernel_seq;	/* MLS_IOC_GROUP_EXPORT's seq */
	uint64_t epoch;
	uint8_t *snap;		/* the sealed snapshot (points into the buffer) */
	size_t snap_len;
	uint8_t *buf;		/* the whole file, owned */
	size_t buf_len;
};

/* The file's bytes for @snap into a fresh @r->buf. */
int record_build(struct record *r, uint64_t store_seq, uint64_t kernel_seq,
		 uint64_t epoch, const void *snap, size_t len);
/* Read and check @path (dirfd-relative): 0, or -errno (-EBADMSG: not a
 * valid record: bad magic, version, length or checksum). */
int record_read(int dirfd, const char *path, struct record *r);
void record_free(struct record *r);
/* "e<epoch>-s<store seq>.snap", both 16 hex digits. */
void record_name(char *out, size_t cap, uint64_t epoch, uint64_t store_seq);
/* Parse such a name; false if it is not one. */
bool record_parse_name(const char *name, uint64_t *epoch, uint64_t *store_seq);
/* A group's directory name: u<uid>-l<leaf>-<group_id in hex> (a SHA-256 of
 * the group_id, "h" first, when it would be too long). */
void group_dir_name(char *out, size_t cap, uint32_t uid, uint32_t leaf,
		    const uint8_t *gid, size_t gid_len);
/* The snapshot's format version (clear text), or -EBADMSG. */
int snapshot_version(const uint8_t *snap, size_t len);
/* The snapshot's header fields (clear text): group_id, epoch, seq. */
int snapshot_header(const uint8_t *snap, size_t len, const uint8_t **gid,
		    size_t *gid_len, uint64_t *seq, uint64_t *epoch);

/* ---- store.c: the state directory, the write-ahead log, the sequence */
struct store;

/* Open (create) the state directory @dir keeping @keep epochs. */
int store_open(const char *dir, unsigned int keep, struct store **st);
void store_close(struct store *st);
/* Finish or roll back every transaction the log holds (at start). */
int store_recover(struct store *st);
/*
 * One snapshot into group directory @group, durably, under the log:
 * begin, temp file written and fsynced, renamed, directory fsynced,
 * commit; then the epochs past @keep are removed. 0, or -errno (the
 * transaction is aborted, the previous snapshot stays).
 */
int store_put(struct store *st, const char *group, uint64_t kernel_seq,
	      uint64_t epoch, const void *snap, size_t len, uint64_t *store_seq);
/* Each group directory, in name order, to @fn; stops at its first non-zero. */
int store_each_group(struct store *st,
		     int (*fn)(struct store *st, const char *group, void *arg),
		     void *arg);
/* The records of @group, newest (highest store sequence) first, in a fresh
 * array of names (free with store_names_free). */
int store_records(struct store *st, const char *group, char ***names, size_t *n);
void store_names_free(char **names, size_t n);
/* The directory fd of the state directory (for record_read). */
int store_dirfd(const struct store *st);
/* A note about @group ("destroyed", "pending"): written (@text), or removed
 * (@text NULL). Best effort; not part of the durable path. */
int store_mark(struct store *st, const char *group, const char *note, const char *text);
bool store_marked(struct store *st, const char *group, const char *note);

/* ---- groups.c: the kernel side: export, save, import */
struct persistd {
	struct store *st;
	bool from_backup;	/* import nothing with MLS_IMPORT_F_RESUME */
	bool shutting_down;	/* the module said "shutdown" */
	bool lost_unsettled;	/* events lost, the queue not read empty since */
	unsigned int failed;	/* groups whose last save failed */
	struct tracked *groups;	/* kid-indexed list of what was saved */
	size_t ngroups, capgroups;
	uint64_t last_extend_ms;	/* EXTEND_TIMEOUT_USEC during a long stop */
	bool stopping;
};

/* Export the group @kid, store it, MLS_IOC_GROUP_SAVED: 0, 1 (not a
 * persistent group, or gone), or -errno (reported). */
int group_save(struct persistd *d, uint32_t kid);
/* Whether group @kid was saved, and its save did not fail since, in @epoch. */
bool group_saved_in(struct persistd *d, uint32_t kid, uint64_t epoch);
/* Every persistent group the kernel has; with @changed_only, those whose
 * epoch or encrypt counter moved since their last save, or never saved. */
int groups_save_all(struct persistd *d, bool changed_only);
/* Save again the groups whose last save failed. */
int groups_retry(struct persistd *d);
/* The group @kid is gone: forget it (@destroyed: by its owner, so that
 * it is not brought back at the next start). */
void group_forget(struct persistd *d, uint32_t kid, bool destroyed);
/* Import the newest valid snapshot of each group in the store. */
int groups_restore(struct persistd *d);
void groups_free(struct persistd *d);

/* ---- drain.c: /sys/kernel/mls/drain, and the drain at stop */
enum drain_state { DRAIN_UNKNOWN, DRAIN_NONE, DRAIN_DRAINING, DRAIN_DRAINED };
/* What /sys/kernel/mls/drain says (DRAIN_UNKNOWN: no such file, no module). */
enum drain_state drain_state(void);
/* --drain-on-stop: MLS_IOC_DRAIN, every group saved under it: 0, or
 * -errno (-EAGAIN: the drain reports groups not saved). */
int drain_and_save(struct persistd *d);

/* ---- notify.c: the service manager's notification socket */
/* Send @msg ("READY=1") to $NOTIFY_SOCKET; 0 if it is not set. */
int notify(const char *msg);

uint64_t mono_ms(void);

#endif /* MLS_PERSISTD_H */

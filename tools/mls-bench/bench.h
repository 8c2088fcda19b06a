/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mls-bench: the speed of the mls data plane against its baselines.
 *
 * Three implementations of the same work, side by side in one process:
 *
 *   kernel     MLS_IOC_ENCRYPT / MLS_IOC_DECRYPT / MLS_IOC_COMMIT on group
 *              fds (kern.c);
 *   userspace  the same RFC 9420 PrivateMessage protection done with
 *              OpenSSL in this process (us.c): per message the ratchet
 *              step (DeriveTreeSecret key, nonce, next secret), a random
 *              reuse_guard, the content AEAD, the sender-data key and
 *              nonce (ExpandWithLabel over the ciphertext sample), the
 *              sender-data AEAD and the framing;
 *   raw AEAD   one OpenSSL AEAD call over the same payload, key set once:
 *              the floor (us.c).
 *
 * Timing: CLOCK_MONOTONIC, one clock read per call (chained time stamps:
 * a call's latency runs from the previous call's end to its own end), so
 * throughput and per-call latency come from the same loop.
 */
#ifndef MLS_BENCH_H
#define MLS_BENCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <linux/mls.h>

#define MB_MAX_THREADS		2
#define MB_MAX_NH		64
#define MB_MAX_NK		32
#define MB_NONCE_LEN		12
#define MB_TAG_LEN		16
#define MB_SIG_LEN		64	/* an Ed25519 signature's size */
#define MB_GROUP_ID_LEN		16
#define MB_SD_LEN		12	/* sender data: leaf, generation, guard */
#define MB_SD_SEALED		(MB_SD_LEN + MB_TAG_LEN)
#define MB_MSG_OVERHEAD		256	/* framing of one message, at most */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define U64P(p)			((__u64)(uintptr_t)(p))

/* ------------------------------------------------------------- suites */

struct mb_suite {
	unsigned int id;
	unsigned int nh;
	unsigned int nk;
	const char *digest;	/* OpenSSL digest name */
	const char *cipher;	/* OpenSSL cipher name */
	int aead;		/* index into the per-thread cipher contexts */
};

const struct mb_suite *mb_suite(unsigned int id);

/* ------------------------------------------------------------- timing */

static inline uint64_t mb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One measured cell: an implementation of one operation. */
struct mb_result {
	bool ran;		/* false: not measured (n/a) */
	int err;		/* first -errno of a failed call, 0 if none */
	unsigned long errors;	/* failed calls */
	unsigned long iters;	/* calls made and timed, every round */
	unsigned int threads;
	unsigned int rounds;
	double elapsed_s;	/* all rounds */
	double ops_per_s;	/* the best round's */
	double ops_per_s_overall; /* every call over every round's time */
	double mb_per_s;	/* payload bytes (10^6) per second, best round */
	double min_us;		/* the fastest call: the cost without interference */
	double p10_us;
	double p50_us;		/* over every call of every round */
	double p99_us;
	double mean_us;
	double pages_per_call;	/* page allocator pages (vmstat pgalloc_*) */
};

/*
 * A benchmark body: one call of the measured operation for call number
 * @i (offset .. offset + iters - 1, handed out in order to whichever
 * thread is free). Returns 0 or -errno.
 */
typedef int (*mb_op_fn)(void *arg, unsigned int thread, unsigned long i);

struct mb_run {
	mb_op_fn fn;
	mb_op_fn warm;		/* optional: once per thread before the start */
	mb_op_fn done;		/* optional: once per thread after the end */
	void *arg;
	unsigned long offset;	/* first call number */
	unsigned long iters;
	unsigned int threads;
	size_t payload;		/* bytes per call, for MB/s */
	double time_cap_s;	/* stop handing out calls after this long */
};

/*
 * Rounds: a cell is measured in a few rounds, interleaved with the other
 * implementations of the same row so that all of them see the same
 * background load; throughput is the best round's, percentiles are over
 * every call.
 */
struct mb_acc {
	uint64_t *samples;
	unsigned long n, cap;
	unsigned long long pages;
	double elapsed_s;
	double best_ops;
	unsigned long errors;
	int err;
	unsigned int threads;
	unsigned int rounds;
	size_t payload;
};

void mb_acc_init(struct mb_acc *a);
void mb_round(const struct mb_run *r, struct mb_acc *a);
void mb_finish(struct mb_acc *a, struct mb_result *res);	/* frees @a's samples */
/* One round and its result. */
void mb_run(const struct mb_run *r, struct mb_result *res);

/* /proc/vmstat page allocations so far (every pgalloc_* counter). */
unsigned long long mb_pgalloc(void);

/* ------------------------------------------------- userspace MLS (us.c) */

int us_init(void);
void us_thread_warm(const struct mb_suite *s);	/* make this thread's contexts */
void us_thread_exit(void);	/* free this thread's OpenSSL contexts */

int us_hkdf_extract(const struct mb_suite *s, const uint8_t *salt,
		    size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    uint8_t *out);
int us_expand_with_label(const struct mb_suite *s, const uint8_t *secret,
			 const char *label, const uint8_t *ctx, size_t ctx_len,
			 uint8_t *out, size_t out_len);
int us_derive_secret(const struct mb_suite *s, const uint8_t *secret,
		     const char *label, uint8_t *out);

/* The inputs both the kernel groups and the userspace epochs are made of. */
struct mb_inputs {
	const struct mb_suite *suite;
	uint8_t group_id[MB_GROUP_ID_LEN];
	uint8_t init[MB_MAX_NH];
	uint8_t commit[MB_MAX_NH];
	uint8_t psk[MB_MAX_NH];
	uint64_t epoch;
	uint8_t tree_hash[MB_MAX_NH];
	uint8_t cth[MB_MAX_NH];
};

void mb_inputs_random(struct mb_inputs *in, const struct mb_suite *s,
		      uint64_t epoch);
void mb_random(void *p, size_t n);

/* Encoded GroupContext (§8.1); returns its length. */
size_t us_group_context(const struct mb_inputs *in, uint8_t *out, size_t cap);

/* One sender's application ratchet, shared by threads under its lock. */
struct us_skipped {
	uint32_t gen;
	bool used;
	uint8_t key[MB_MAX_NK];
	uint8_t nonce[MB_NONCE_LEN];
};

struct us_ratchet {
	pthread_mutex_t lock;
	bool ready;
	uint8_t secret[MB_MAX_NH];
	uint32_t next;			/* next generation to derive */
	unsigned int out_of_order;	/* capacity of @skipped */
	struct us_skipped *skipped;
};

/* One member's view of one epoch. */
struct us_epoch {
	const struct mb_suite *suite;
	uint8_t group_id[MB_GROUP_ID_LEN];
	uint64_t epoch;
	uint32_t own_leaf;
	uint32_t leaf_count;
	uint8_t sender_data[MB_MAX_NH];
	uint8_t encryption[MB_MAX_NH];
	uint8_t exporter[MB_MAX_NH];
	uint8_t authentication[MB_MAX_NH];
	uint8_t init[MB_MAX_NH];
	uint8_t *context;
	size_t context_len;
	uint8_t *occupied;		/* leaf_count bits */
	struct us_ratchet **ratchets;	/* per leaf, made on first use */
	pthread_mutex_t tree_lock;
};

/* The key schedule (§8) from @in; the member is @own_leaf of @leaf_count. */
int us_epoch_from_inputs(struct us_epoch *e, const struct mb_inputs *in,
			 uint32_t own_leaf, uint32_t leaf_count);
/* The next epoch from @prev's init_secret: what a commit computes. */
int us_epoch_next(struct us_epoch *e, const struct us_epoch *prev,
		  const struct mb_inputs *next_in, uint32_t leaf_count);
void us_epoch_free(struct us_epoch *e);

/*
 * Protect one application message from the own leaf into @out (@cap
 * bytes); returns its length or -errno.
 */
long us_protect(struct us_epoch *e, const uint8_t *data, size_t data_len,
		const uint8_t *sig, size_t sig_len, uint8_t *out, size_t cap,
		uint32_t *generation);

struct us_received {
	uint32_t sender;
	uint32_t generation;
	const uint8_t *data;	/* into the caller's @pt buffer */
	size_t data_len;
	const uint8_t *sig;
	size_t sig_len;
};

/*
 * Open one message; the plaintext goes to @pt (@pt_cap bytes) and @r
 * points into it. The key is consumed only once the tag verified.
 */
int us_unprotect(struct us_epoch *e, const uint8_t *msg, size_t len,
		 uint8_t *pt, size_t pt_cap, struct us_received *r);

/* Raw AEAD, the floor: one context per thread, key set once per cell. */
int us_raw_setkey(const struct mb_suite *s, const uint8_t *key);
int us_raw_seal(const struct mb_suite *s, const uint8_t *nonce,
		const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag);
int us_raw_open(const struct mb_suite *s, const uint8_t *nonce,
		const uint8_t *ct, size_t len, const uint8_t *tag, uint8_t *pt);

/* ------------------------------------------------------- kernel (kern.c) */

int k_open(void);			/* /dev/mls, or -errno */
int k_version(int ctl, struct mls_version *v);
int k_group_create(int ctl, const struct mb_inputs *in, uint32_t own_leaf,
		   uint32_t leaf_count, uint32_t flags, uint32_t *id);
int k_group_open(int ctl, uint32_t id);
int k_group_destroy(int fd);
int k_set_policy(int fd, uint32_t mask, const struct mls_policy *p);
long k_encrypt(int fd, const uint8_t *data, size_t len, const uint8_t *sig,
	       size_t sig_len, uint8_t *out, size_t cap, uint32_t *gen);
long k_decrypt(int fd, const uint8_t *msg, size_t len, uint8_t *content,
	       size_t cap, uint8_t *sig, size_t sig_cap, uint32_t *gen);
int k_commit(int fd, const struct mb_inputs *next, uint32_t own_leaf,
	     uint32_t leaf_count);
int k_authenticator(int fd, uint8_t *out, size_t cap);
void k_buf(struct mls_buf *b, const void *p, size_t len);
/* One batch ioctl; returns the entries that hold a result, or -errno. */
int k_batch(int fd, bool dec, void *entries, uint32_t count, size_t entry_size);
int k_export(int fd, uint8_t *buf, size_t cap, size_t *len, uint64_t *seq);
int k_import(int ctl, const uint8_t *buf, size_t len, uint32_t flags);
int k_saved(int fd, uint64_t seq);

/* ---------------------------------------------------------- output (out.c) */

struct mb_json;

struct mb_json *mb_json_new(void);
void mb_json_free(struct mb_json *j);
void mb_json_obj(struct mb_json *j, const char *key);	/* key NULL in arrays */
void mb_json_arr(struct mb_json *j, const char *key);
void mb_json_end(struct mb_json *j);			/* closes obj or arr */
void mb_json_str(struct mb_json *j, const char *key, const char *v);
void mb_json_num(struct mb_json *j, const char *key, double v);
void mb_json_int(struct mb_json *j, const char *key, long long v);
void mb_json_bool(struct mb_json *j, const char *key, bool v);
void mb_json_null(struct mb_json *j, const char *key);
void mb_json_result(struct mb_json *j, const char *key,
		    const struct mb_result *r);
const char *mb_json_text(struct mb_json *j);

/* A growing text buffer for the table. */
struct mb_text {
	char *buf;
	size_t len, cap;
};

void mb_text_printf(struct mb_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------- memory (mem.c) */

struct mb_meminfo {
	long long slab_kb;
	long long sunreclaim_kb;
	long long memfree_kb;
	long long percpu_kb;
	long long vmalloc_kb;
};

int mb_read_meminfo(struct mb_meminfo *m);

struct mb_slabinfo;

struct mb_slabinfo *mb_read_slabinfo(void);	/* NULL if unreadable */
void mb_slabinfo_free(struct mb_slabinfo *s);
/*
 * Bytes of active objects in @after minus @before, over every cache, and
 * the @top caches that grew most (names and byte deltas) as text.
 */
long long mb_slab_delta(const struct mb_slabinfo *before,
			const struct mb_slabinfo *after, char *top,
			size_t top_cap, unsigned int ntop);

/* ----------------------------------------------------- probes (probe.c) */

struct mb_probe_ctx {
	struct mb_json *json;
	struct mb_text *text;
	double time_cap_s;
	double scale;
};

void mb_probe_crypto_drivers(struct mb_probe_ctx *p);
void mb_probe_afalg(struct mb_probe_ctx *p);
void mb_probe_passes(struct mb_probe_ctx *p);
/* The driver the module's tfms of AEAD @name use, from /proc/crypto. */
int mb_module_driver(const char *name, char *driver, size_t cap);

/* ------------------------------------------- snapshots (persist.c) */

struct mb_persist_ctx {
	struct mb_json *json;
	struct mb_text *text;
	int ctl;
	double scale;
	unsigned long restore_groups;	/* groups restored at once */
	int failures;			/* out: rows that failed */
};

/* Export, import, snapshot sizes, commit to durable, persistent encrypt. */
void mb_persist(struct mb_persist_ctx *p);

/* -------------------------------------------------- AEAD floor (floor.c) */

/* One cell's AF_ALG socket of the module's driver, key set once. */
struct mb_floor {
	int tfm;
	int op[MB_MAX_THREADS];
	bool open;
	size_t size;
	uint8_t *in;
	uint8_t *out[MB_MAX_THREADS];
};

int mb_floor_init(struct mb_floor *f, const struct mb_suite *s, size_t size,
		  bool open, unsigned int threads);
int mb_floor_op(void *arg, unsigned int thread, unsigned long i);	/* mb_op_fn */
void mb_floor_free(struct mb_floor *f);

/* ------------------------------------------------ tracepoints (tracefs.c) */

/* A trace instance of our own in @inst (a path), events/mls off; -errno. */
int mb_trace_open(char *inst, size_t cap);
int mb_trace_enable(const char *inst, bool on);	/* events/mls/enable */
unsigned long long mb_trace_records(const char *inst);
void mb_trace_close(const char *inst);		/* off, and removed */

#endif /* MLS_BENCH_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * A structure-aware fuzzer of every entry point of the module, run as a
 * selftest in the VM (Documentation/dev-tools/fuzzing.rst, "In the VM").
 *
 * Worker threads call every ioctl of uapi/linux/mls.h (on /dev/mls, group
 * fds and staged-join fds) with real structs, then corrupt them: the size
 * in the ioctl number, unknown flags, non-zero reserved fields, pointers
 * into unmapped or PROT_NONE pages, lengths at and around every limit, the
 * argument itself unreadable, the wrong kind of fd. Others send every
 * generic netlink command (do and dump, good and bad attributes), listen to
 * the events, and read the sysfs and debugfs files. The groups are shared:
 * destroys, commits, policy changes and fd closes race with the data plane.
 * The run ends with the module unloaded and loaded again while netlink
 * requests, dumps and sysfs reads go on and threads keep opening
 * /dev/mls.
 *
 * Inputs: MLS_FUZZ_SEED (or mlsvm.fuzz_seed= on the kernel command line;
 * default below, always printed) and MLS_FUZZ_TIME in seconds (or
 * mlsvm.fuzz_time=, or the first argument; default 60). Each thread draws
 * from its own generator seeded by (seed, thread), so a seed replays the
 * same inputs; the interleaving is the scheduler's.
 *
 * A call fails the run when its result is of a class it may not have: a
 * success where the input was certainly invalid, an errno the uapi does
 * not document, ENOTTY for an ioctl the fd takes, a call that does not
 * return (the watchdog), an unload that fails otherwise than "in use".
 * Kernel reports (KASAN, lockdep, kmemleak, WARN, hung task) are the VM
 * runner's to catch. At the end it prints the calls and the distinct
 * errno results of each ioctl and command.
 */
#include "group_util.h"

#include <dirent.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest.h"

#define DEFAULT_SEED	0x6d6c7331ULL
#define DEFAULT_TIME	60
#define IOC_THREADS	4
#define NL_THREADS	2
#define POOL		8
#define FDS		8
#define ERRNO_MAX	140
#define HANG_MS		180000
#define NL_WAIT_MS	60000
#define BIG		(128 * 1024)

/* --------------------------------------------------------- the generator */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* ------------------------------------------------------------ run state */

enum phase { PH_FUZZ, PH_UNLOAD, PH_STOP };

static volatile int phase;
static uint64_t seed;
static unsigned int budget_s;
static uint32_t pool[POOL];		/* shared groups' kernel ids */
static volatile int nl_family;		/* generic netlink family id */
static volatile int nl_mcgrp;		/* its "events" multicast group */
static long page;
static uint8_t *prot_none;		/* a PROT_NONE page */
static uint8_t *unmapped;		/* a page munmap'd */
static uint8_t *edge;			/* a readable page before prot_none */
static unsigned long unexpected;
static unsigned long hangs;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

/* Messages encrypted by anyone, for the decrypts of everyone. */
#define RING		32
static struct {
	pthread_mutex_t lock;
	uint8_t buf[RING][2048];
	uint32_t len[RING];
	unsigned int next;
} ring = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Per thread: what it is doing since when, for the watchdog. */
struct worker {
	pthread_t tid;
	unsigned int idx;
	struct rng r;
	volatile uint64_t busy_since;
	const char *volatile doing;
	int ctl;
	int gfd[FDS];
	int staged[2];
	uint8_t *buf;			/* BIG bytes of scratch for buffers */
	uint8_t *arg;			/* argument struct and its tail */
};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	if (++unexpected <= 50) {
		printf("# UNEXPECTED: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
	pthread_mutex_unlock(&report_lock);
}

/* ------------------------------------------------------------ statistics */

struct stat_row {
	const char *name;
	unsigned long calls;
	unsigned long err[ERRNO_MAX];	/* [0]: success */
};

static void count(struct stat_row *s, int ret)
{
	int e = ret >= 0 ? 0 : -ret;

	__atomic_fetch_add(&s->calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->err[e < ERRNO_MAX ? e : ERRNO_MAX - 1], 1, __ATOMIC_RELAXED);
}

static void print_row(const struct stat_row *s)
{
	char line[2048];
	size_t n = 0;
	int e, classes = 0;

	for (e = 0; e < ERRNO_MAX; e++) {
		if (!s->err[e])
			continue;
		classes++;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu",
				      e ? strerrorname_np(e) ?: "?" : "ok", s->err[e]);
		if (n >= sizeof(line))
			break;
	}
	printf("# %-24s calls %8lu, %2d results:%s\n", s->name, s->calls, classes, line);
}

/* ---------------------------------------------------------- the ioctls */

enum target { T_CTL, T_GROUP };

/* A struct field that must be zero: offset and size. */
struct zf {
	uint16_t off, size;
};

struct iodesc;
typedef void (*build_fn)(struct worker *w, uint8_t *arg);

struct iodesc {
	struct stat_row st;
	unsigned long cmd;
	size_t ver0, size;
	enum target target;
	uint32_t flags_all;		/* known flags (offset 0 in every struct) */
	int mask_off;			/* a second bit mask, or -1 */
	uint32_t mask_all;
	struct zf zero[4];		/* reserved fields */
	build_fn build;
	bool returns_fd;
};

#define ZF(type, field) { offsetof(type, field), sizeof(((type *)0)->field) }

/* Interesting 32-bit values: the limits and around them. */
static const uint32_t lens[] = {
	0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 47, 48, 49, 63, 64, 65, 114, 139, 140,
	255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 16383, 16384, 16385,
	65535, 65536, 65537, 100000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

static uint32_t any_len(struct rng *r)
{
	return lens[below(r, ARRAY_SIZE(lens))];
}

/* An address: mostly good, else one of the bad kinds. */
static uint64_t any_addr(struct worker *w, size_t want)
{
	switch (below(&w->r, 8)) {
	case 0:
		return 0;
	case 1:
		return LOW_ADDR;
	case 2:
		return BAD_ADDR;
	case 3:
		return U64(prot_none);
	case 4:
		return U64(unmapped);
	case 5:	/* runs off a readable page into the PROT_NONE one */
		return U64(edge + page - (want ? want / 2 + 1 : 1));
	default:
		return U64(w->buf + below(&w->r, 64));
	}
}

static unsigned int any_suite(struct rng *r)
{
	return chance(r, 90) ? 1 + below(r, 3) * (below(r, 2) ? 1 : 0) : below(r, 10);
}

static uint32_t pool_id(struct worker *w)
{
	return __atomic_load_n(&pool[below(&w->r, POOL)], __ATOMIC_RELAXED);
}

static uint8_t *scratch(struct worker *w, size_t len)
{
	size_t off = below(&w->r, 4) * 256;

	return w->buf + (len + off <= BIG ? off : 0);
}

/* A buffer of @len random bytes (input) or capacity @len (output). */
static void set_buf(struct worker *w, struct mls_buf *b, size_t len)
{
	uint8_t *p = scratch(w, len);

	if (len <= BIG)
		rand_bytes(p, len < 512 ? len : 512);
	mbuf(b, p, len);
}

static void b_version(struct worker *w, uint8_t *a)
{
	(void)w;
	(void)a;
}

static void fill_context(struct worker *w, struct mls_group_context *c, unsigned int nh, __u64 epoch)
{
	c->epoch = epoch;
	set_buf(w, &c->tree_hash, nh);
	set_buf(w, &c->confirmed_transcript_hash, nh);
	set_buf(w, &c->extensions, chance(&w->r, 80) ? 0 : below(&w->r, 64));
}

static void b_group_new(struct worker *w, uint8_t *a)
{
	struct mls_group_new *n = (void *)a;
	unsigned int suite = any_suite(&w->r), nh = suite_nh(suite) ?: 32;
	__u32 leaves = chance(&w->r, 70) ? 1 : 1 + below(&w->r, 40);

	n->suite = (__u16)suite;
	n->mode = chance(&w->r, 50) ? 0666 : 0;
	n->flags = chance(&w->r, 60) ? MLS_GROUP_F_EPHEMERAL : 0;
	set_buf(w, &n->group_id, 1 + below(&w->r, 32));
	n->roster.own_leaf = below(&w->r, leaves);
	n->roster.leaf_count = leaves;
	switch (below(&w->r, 3)) {
	case 0:
		n->roster.own_leaf = 0;
		n->roster.leaf_count = 1;
		break;
	case 1:
		n->flags |= MLS_GROUP_F_FROM_INPUTS;
		set_buf(w, &n->init_secret, nh);
		set_buf(w, &n->commit_secret, nh);
		set_buf(w, &n->psk_secret, chance(&w->r, 50) ? nh : 0);
		fill_context(w, &n->context, nh, below(&w->r, 3));
		break;
	default:
		n->flags |= MLS_GROUP_F_INSTALL;
		set_buf(w, &n->encryption_secret, nh);
		set_buf(w, &n->sender_data_secret, nh);
		fill_context(w, &n->context, nh, below(&w->r, 3));
		break;
	}
}

static void b_group_join(struct worker *w, uint8_t *a)
{
	struct mls_group_new *n = (void *)a;
	unsigned int suite = any_suite(&w->r), nh = suite_nh(suite) ?: 32;
	int staged = w->staged[below(&w->r, 2)];

	n->suite = (__u16)suite;
	n->flags = chance(&w->r, 70) ? MLS_GROUP_F_EPHEMERAL : 0;
	set_buf(w, &n->group_id, 1 + below(&w->r, 32));
	fill_context(w, &n->context, nh, below(&w->r, 5));
	n->roster.leaf_count = 2 + below(&w->r, 6);
	n->roster.own_leaf = 1;
	if (staged >= 0 && chance(&w->r, 50)) {
		n->flags |= MLS_GROUP_F_STAGED;
		n->staged_fd = staged;
	} else {
		set_buf(w, &n->joiner_secret, nh);
		set_buf(w, &n->psk_secret, chance(&w->r, 50) ? nh : 0);
	}
}

static void b_group_open(struct worker *w, uint8_t *a)
{
	struct mls_group_open *o = (void *)a;

	o->id = chance(&w->r, 90) ? pool_id(w) : (uint32_t)rnd(&w->r);
}

static void b_group_list(struct worker *w, uint8_t *a)
{
	struct mls_group_list *l = (void *)a;

	l->count = chance(&w->r, 70) ? 64 : below(&w->r, 4);
	l->ids = U64(w->buf);
}

static void fill_psks(struct worker *w, struct mls_psk_list *l, unsigned int nh)
{
	struct mls_psk *p = (void *)(w->buf + BIG / 2);
	unsigned int i, n = below(&w->r, 4);

	memset(p, 0, sizeof(*p) * n);
	for (i = 0; i < n; i++) {
		if (chance(&w->r, 50)) {
			p[i].type = MLS_PSK_EXTERNAL;
			mbuf(&p[i].id, w->buf, 1 + below(&w->r, 40));
			mbuf(&p[i].secret, w->buf + 64, nh);
		} else {
			p[i].type = MLS_PSK_RESUMPTION;
			p[i].usage = (uint8_t)(1 + below(&w->r, 3));
			p[i].flags = MLS_PSK_F_GROUP_KID;
			p[i].group = pool_id(w);
			p[i].epoch = below(&w->r, 3);
		}
		mbuf(&p[i].nonce, w->buf + 128, nh);
	}
	l->addr = U64(p);
	l->count = n;
}

static void b_join_stage(struct worker *w, uint8_t *a)
{
	struct mls_join_stage *j = (void *)a;
	unsigned int suite = any_suite(&w->r), nh = suite_nh(suite) ?: 32;

	j->suite = (__u16)suite;
	j->timeout_ms = chance(&w->r, 50) ? 0 : 1 + below(&w->r, 3000);
	set_buf(w, &j->joiner_secret, nh);
	if (chance(&w->r, 50))
		fill_psks(w, &j->psks, nh);
	else
		set_buf(w, &j->psk_secret, chance(&w->r, 50) ? nh : 0);
	set_buf(w, &j->welcome_secret, 64);
}

static void b_encrypt(struct worker *w, uint8_t *a)
{
	struct mls_encrypt *e = (void *)a;
	uint8_t *sig = w->buf + 4096;

	e->content_type = chance(&w->r, 80) ? MLS_CONTENT_APPLICATION : below(&w->r, 5);
	set_buf(w, &e->content, chance(&w->r, 80) ? below(&w->r, 256) : any_len(&w->r));
	mbuf(&e->content, w->buf + 1024, e->content.len);
	mbuf(&e->authenticated_data, w->buf + 2048, below(&w->r, 2) ? below(&w->r, 64) : 0);
	if (e->content_type == MLS_CONTENT_APPLICATION)
		mbuf(&e->signature, sig, stand_in_sig(1 + below(&w->r, 3), sig));
	mbuf(&e->message, w->buf + 8192, 2048);
	if (chance(&w->r, 20)) {
		e->flags = MLS_ENCRYPT_F_EPOCH;
		e->epoch = below(&w->r, 4);
	}
	if (chance(&w->r, 30))
		e->padding_block = any_len(&w->r);
}

static void b_decrypt(struct worker *w, uint8_t *a)
{
	struct mls_decrypt *d = (void *)a;
	uint8_t *msg = w->buf + 16384;
	unsigned int i = below(&w->r, RING);
	uint32_t len;

	pthread_mutex_lock(&ring.lock);
	len = ring.len[i];
	memcpy(msg, ring.buf[i], sizeof(ring.buf[0]));
	pthread_mutex_unlock(&ring.lock);
	if (!len)
		len = below(&w->r, 200);
	if (chance(&w->r, 30))
		msg[below(&w->r, len ?: 1)] ^= (uint8_t)(1u << below(&w->r, 8));
	if (chance(&w->r, 10))
		len = below(&w->r, len + 8);
	mbuf(&d->message, msg, len);
	mbuf(&d->authenticated_data, w->buf + 20480, 1024);
	mbuf(&d->content, w->buf + 24576, chance(&w->r, 80) ? 4096 : below(&w->r, 64));
	mbuf(&d->signature, w->buf + 32768, 1024);
}

static void group_epoch(struct worker *w, int fd, __u64 *epoch, unsigned int *suite,
			__u32 *leaves)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];

	*epoch = 0;
	*suite = 1;
	*leaves = 1;
	if (fd >= 0 && !grp_info(fd, &info, gid, sizeof(gid))) {
		*epoch = info.epoch;
		*suite = info.suite;
		*leaves = info.leaf_count;
	}
	(void)w;
}

static int pick_group(struct worker *w)
{
	return w->gfd[below(&w->r, FDS)];
}

/* The fd the next group ioctl is built for and goes to. */
static __thread int cur_fd = -1;

static void b_commit(struct worker *w, uint8_t *a)
{
	struct mls_commit *c = (void *)a;
	unsigned int suite, nh;
	__u64 epoch;
	__u32 leaves;

	group_epoch(w, cur_fd, &epoch, &suite, &leaves);
	nh = suite_nh(suite) ?: 32;
	set_buf(w, &c->commit_secret, chance(&w->r, 70) ? nh : 0);
	if (chance(&w->r, 20))
		fill_psks(w, &c->psks, nh);
	else
		set_buf(w, &c->psk_secret, chance(&w->r, 50) ? nh : 0);
	fill_context(w, &c->context, nh, epoch + (chance(&w->r, 85) ? 1 : below(&w->r, 3)));
	c->roster.own_leaf = 0;
	c->roster.leaf_count = chance(&w->r, 80) ? leaves : 1 + below(&w->r, 64);
	if (chance(&w->r, 20)) {
		c->flags |= MLS_COMMIT_F_INSTALL;
		set_buf(w, &c->encryption_secret, nh);
		set_buf(w, &c->sender_data_secret, nh);
		c->commit_secret.len = 0;
	}
	if (chance(&w->r, 30)) {
		c->flags |= MLS_COMMIT_F_RETURN_SECRETS;
		mbuf(&c->joiner_secret, w->buf + 40960, 64);
		mbuf(&c->welcome_secret, w->buf + 41024, 64);
	}
	if (chance(&w->r, 5)) {
		c->flags |= MLS_COMMIT_F_EXTERNAL_INIT;
		set_buf(w, &c->kem_output, chance(&w->r, 50) ? 32 : any_len(&w->r));
	}
}

static void b_pending(struct worker *w, uint8_t *a)
{
	struct mls_commit_pending *p = (void *)a;
	unsigned int suite;
	__u64 epoch;
	__u32 leaves;

	group_epoch(w, cur_fd, &epoch, &suite, &leaves);
	p->epoch = epoch + (chance(&w->r, 80) ? 1 : below(&w->r, 3));
}

static void b_tag(struct worker *w, uint8_t *a)
{
	struct mls_tag *t = (void *)a;

	t->flags = below(&w->r, 8) & (chance(&w->r, 50) ? MLS_TAG_F_VERIFY | MLS_TAG_F_PENDING :
				      MLS_TAG_F_VERIFY | MLS_TAG_F_EPOCH);
	t->epoch = below(&w->r, 4);
	set_buf(w, &t->tag, chance(&w->r, 80) ? 64 : any_len(&w->r));
}

static void b_mtag(struct worker *w, uint8_t *a)
{
	struct mls_tag *t = (void *)a;

	b_tag(w, a);
	t->flags &= ~MLS_TAG_F_PENDING;
	set_buf(w, &t->data, chance(&w->r, 80) ? 1 + below(&w->r, 200) : any_len(&w->r));
}

static void b_ctag(struct worker *w, uint8_t *a)
{
	struct mls_tag *t = (void *)a;

	b_tag(w, a);
	t->flags &= ~MLS_TAG_F_EPOCH;
}

static void b_external_pub(struct worker *w, uint8_t *a)
{
	struct mls_external_pub *p = (void *)a;

	p->flags = below(&w->r, 2);
	set_buf(w, &p->pub, chance(&w->r, 80) ? 128 : any_len(&w->r));
}

static void b_exporter(struct worker *w, uint8_t *a)
{
	struct mls_exporter *e = (void *)a;

	set_buf(w, &e->label, below(&w->r, 2) ? below(&w->r, 32) : any_len(&w->r));
	set_buf(w, &e->context, below(&w->r, 2) ? below(&w->r, 32) : any_len(&w->r));
	set_buf(w, &e->secret, chance(&w->r, 70) ? 1 + below(&w->r, 64) : any_len(&w->r));
}

static void b_authenticator(struct worker *w, uint8_t *a)
{
	struct mls_authenticator *p = (void *)a;

	set_buf(w, &p->authenticator, chance(&w->r, 80) ? 64 : any_len(&w->r));
}

static void b_group_info(struct worker *w, uint8_t *a)
{
	struct mls_group_info *i = (void *)a;

	set_buf(w, &i->group_id, chance(&w->r, 80) ? 255 : below(&w->r, 8));
}

static void b_get_context(struct worker *w, uint8_t *a)
{
	struct mls_get_context *c = (void *)a;

	c->flags = below(&w->r, 2);
	c->epoch = below(&w->r, 5);
	set_buf(w, &c->context, chance(&w->r, 80) ? 4096 : below(&w->r, 64));
}

static void b_set_policy(struct worker *w, uint8_t *a)
{
	struct mls_set_policy *s = (void *)a;
	struct rng *r = &w->r;

	s->mask = below(r, MLS_POLICY_ALL + 1);
	s->policy.out_of_order = chance(r, 70) ? below(r, 64) : any_len(r);
	s->policy.max_forward = chance(r, 70) ? below(r, 2000) : any_len(r);
	s->policy.epochs_kept = chance(r, 70) ? below(r, 8) : any_len(r);
	s->policy.epoch_max_age_ms = chance(r, 70) ? 1 + below(r, 60000) : any_len(r);
	s->policy.padding_block = chance(r, 70) ? below(r, 64) : any_len(r);
	s->policy.encrypt_rate = chance(r, 70) ? below(r, 100000) : any_len(r);
	s->policy.encrypt_burst = chance(r, 70) ? below(r, 1000) : any_len(r);
	s->policy.commit_timeout_ms = chance(r, 70) ? 1 + below(r, 5000) : any_len(r);
	s->recv_save = chance(r, 50) ? 0 : chance(r, 70) ? below(r, 64) : any_len(r);
	s->recv_save_flags = chance(r, 70) ? 0 : below(r, 4);
}

static void b_destroy(struct worker *w, uint8_t *a)
{
	(void)w;
	(void)a;
}

/* An endpoint id: a few good ones that collide, sometimes a bad one. */
static void evb_id(struct worker *w, char *id)
{
	memset(id, 0, MLS_EVBUF_ID_SIZE);
	switch (below(&w->r, 10)) {
	case 0:	/* no NUL */
		memset(id, 'x', MLS_EVBUF_ID_SIZE);
		break;
	case 1:	/* a byte outside 0x21-0x7e */
		snprintf(id, MLS_EVBUF_ID_SIZE, "fz %u", below(&w->r, 4));
		break;
	case 2:	/* garbage after the NUL */
		snprintf(id, MLS_EVBUF_ID_SIZE, "fz%u", below(&w->r, 4));
		id[MLS_EVBUF_ID_SIZE - 1] = 'y';
		break;
	case 3:	/* empty */
		break;
	default:
		snprintf(id, MLS_EVBUF_ID_SIZE, "fz%u", below(&w->r, 8));
	}
}

static void evb_owner(struct worker *w, __u32 *flags, __u32 *owner)
{
	if (chance(&w->r, 20)) {
		*flags |= MLS_EVBUF_F_OWNER;
		*owner = chance(&w->r, 50) ? 0 : below(&w->r, 70000);
	}
}

static void b_evb_info(struct worker *w, uint8_t *a)
{
	(void)w;
	(void)a;
}

static void b_evb_config(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_config *c = (void *)a;
	struct rng *r = &w->r;

	evb_id(w, c->id);
	c->flags = below(r, 2) ? MLS_EVBUF_F_CREATE | (below(r, 4) ? 0 : MLS_EVBUF_F_EXCL) : 0;
	evb_owner(w, &c->flags, &c->owner);
	c->mask = below(r, MLS_EVBUF_CFG_ALL + 1);
	c->rate = chance(r, 70) ? below(r, 1000000) : any_len(r);
	c->burst = chance(r, 70) ? 1 + below(r, 1000) : any_len(r);
	c->fail_threshold = chance(r, 70) ? 1 + below(r, 10) : any_len(r);
	c->half_open_probes = chance(r, 70) ? 1 + below(r, 5) : any_len(r);
	c->open_base_ms = chance(r, 70) ? 1 + below(r, 100) : any_len(r);
	c->open_max_ms = chance(r, 70) ? 100 + below(r, 1000) : any_len(r);
	c->access = chance(r, 80) ? below(r, 2) : any_len(r);
}

/* A payload: plain bytes, a gzip header with garbage, or empty. */
static void b_evb_record(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_record *rec = (void *)a;
	uint8_t *p = w->buf + 49152;
	uint32_t len = chance(&w->r, 70) ? below(&w->r, 512) : any_len(&w->r);

	evb_id(w, rec->id);
	rec->flags = below(&w->r, 8) & (MLS_EVBUF_F_CREATE | MLS_EVBUF_F_GZIP);
	evb_owner(w, &rec->flags, &rec->owner);
	if (len && len <= 512) {
		rand_bytes(p, len);
		if (below(&w->r, 2) && len > 10) {
			p[0] = 0x1f;
			p[1] = 0x8b;
			p[2] = 8;
			p[3] = 0;
		}
	}
	mbuf(&rec->payload, p, len);
}

static void b_evb_report(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_report *rep = (void *)a;

	evb_id(w, rep->id);
	evb_owner(w, &rep->flags, &rep->owner);
	rep->result = chance(&w->r, 90) ? below(&w->r, 2) : any_len(&w->r);
}

static void b_evb_state(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_state *s = (void *)a;

	evb_id(w, s->id);
	evb_owner(w, &s->flags, &s->owner);
}

static void b_evb_set_state(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_set_state *s = (void *)a;

	evb_id(w, s->id);
	evb_owner(w, &s->flags, &s->owner);
	s->state = chance(&w->r, 90) ? below(&w->r, 4) : any_len(&w->r);
}

static void b_evb_remove(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_remove *rm = (void *)a;

	evb_id(w, rm->id);
	evb_owner(w, &rm->flags, &rm->owner);
}

static void b_evb_bench(struct worker *w, uint8_t *a)
{
	struct mls_evbuf_bench *b = (void *)a;

	evb_id(w, b->id);
	b->flags = below(&w->r, 2) ? MLS_EVBUF_F_BATCH_CLOCK : 0;
	evb_owner(w, &b->flags, &b->owner);
	b->count = chance(&w->r, 90) ? 1 + below(&w->r, 1000) : below(&w->r, 2) * 0x7fffffff;
}

#define IOC(c, v, t, fl, m, ma, b, ...)						\
	{ .st.name = #c, .cmd = MLS_IOC_##c, .ver0 = v, .size = _IOC_SIZE(MLS_IOC_##c), \
	  .target = t, .flags_all = fl, .mask_off = m, .mask_all = ma, .build = b,	\
	  .zero = { __VA_ARGS__ } }

static struct iodesc iocs[] = {
	IOC(GET_VERSION, MLS_VERSION_SIZE_VER0, T_CTL, 0, -1, 0, b_version,
	    ZF(struct mls_version, reserved)),
	IOC(GROUP_CREATE, MLS_GROUP_NEW_SIZE_VER0, T_CTL,
	    MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_INSTALL |
	    MLS_GROUP_F_PERSISTENT, -1, 0, b_group_new,
	    ZF(struct mls_group_new, reserved0), ZF(struct mls_group_new, reserved1)),
	IOC(GROUP_JOIN, MLS_GROUP_NEW_SIZE_VER0, T_CTL,
	    MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_STAGED | MLS_GROUP_F_PERSISTENT, -1, 0,
	    b_group_join,
	    ZF(struct mls_group_new, reserved0), ZF(struct mls_group_new, reserved1)),
	IOC(GROUP_OPEN, MLS_GROUP_OPEN_SIZE_VER0, T_CTL, 0, -1, 0, b_group_open, { 0, 0 }),
	IOC(GROUP_LIST, MLS_GROUP_LIST_SIZE_VER0, T_CTL, 0, -1, 0, b_group_list, { 0, 0 }),
	IOC(JOIN_STAGE, MLS_JOIN_STAGE_SIZE_VER0, T_CTL, 0, -1, 0, b_join_stage,
	    ZF(struct mls_join_stage, reserved0), ZF(struct mls_join_stage, reserved1)),
	IOC(ENCRYPT, MLS_ENCRYPT_SIZE_VER0, T_GROUP, MLS_ENCRYPT_F_ALL, -1, 0, b_encrypt,
	    ZF(struct mls_encrypt, reserved), ZF(struct mls_encrypt, reserved1)),
	IOC(DECRYPT, MLS_DECRYPT_SIZE_VER0, T_GROUP, MLS_DECRYPT_F_ALL, -1, 0, b_decrypt,
	    ZF(struct mls_decrypt, reserved0), ZF(struct mls_decrypt, reserved1)),
	IOC(COMMIT, MLS_COMMIT_SIZE_VER0, T_GROUP, MLS_COMMIT_F_ALL, -1, 0, b_commit,
	    ZF(struct mls_commit, reserved0)),
	IOC(COMMIT_PREPARE, MLS_COMMIT_SIZE_VER0, T_GROUP, MLS_COMMIT_F_ALL, -1, 0, b_commit,
	    ZF(struct mls_commit, reserved0)),
	IOC(COMMIT_MERGE, MLS_COMMIT_PENDING_SIZE_VER0, T_GROUP, 0, -1, 0, b_pending,
	    ZF(struct mls_commit_pending, reserved0)),
	IOC(COMMIT_DISCARD, MLS_COMMIT_PENDING_SIZE_VER0, T_GROUP, 0, -1, 0, b_pending,
	    ZF(struct mls_commit_pending, reserved0)),
	IOC(CONFIRMATION_TAG, MLS_TAG_SIZE_VER0, T_GROUP, MLS_TAG_F_VERIFY | MLS_TAG_F_PENDING,
	    -1, 0, b_ctag, ZF(struct mls_tag, reserved0)),
	IOC(MEMBERSHIP_TAG, MLS_TAG_SIZE_VER0, T_GROUP, MLS_TAG_F_VERIFY | MLS_TAG_F_EPOCH,
	    -1, 0, b_mtag, ZF(struct mls_tag, reserved0)),
	IOC(EXTERNAL_PUB, MLS_EXTERNAL_PUB_SIZE_VER0, T_GROUP, MLS_EXTERNAL_PUB_F_PENDING,
	    -1, 0, b_external_pub, ZF(struct mls_external_pub, reserved0)),
	IOC(EXPORTER, MLS_EXPORTER_SIZE_VER0, T_GROUP, 0, -1, 0, b_exporter,
	    ZF(struct mls_exporter, reserved0)),
	IOC(EPOCH_AUTHENTICATOR, MLS_AUTHENTICATOR_SIZE_VER0, T_GROUP, 0, -1, 0, b_authenticator,
	    ZF(struct mls_authenticator, reserved0)),
	IOC(GROUP_INFO, MLS_GROUP_INFO_SIZE_VER0, T_GROUP, 0, -1, 0, b_group_info,
	    ZF(struct mls_group_info, reserved0)),
	IOC(GET_CONTEXT, MLS_GET_CONTEXT_SIZE_VER0, T_GROUP, MLS_CONTEXT_F_EPOCH, -1, 0,
	    b_get_context, ZF(struct mls_get_context, reserved0)),
	IOC(SET_POLICY, MLS_SET_POLICY_SIZE_VER0, T_GROUP, 0,
	    offsetof(struct mls_set_policy, mask), MLS_POLICY_ALL, b_set_policy, { 0, 0 }),
	IOC(GROUP_DESTROY, MLS_GROUP_DESTROY_SIZE_VER0, T_GROUP, 0, -1, 0, b_destroy,
	    ZF(struct mls_group_destroy, reserved)),
	IOC(EVBUF_INFO, MLS_EVBUF_INFO_SIZE_VER0, T_CTL, 0, -1, 0, b_evb_info,
	    ZF(struct mls_evbuf_info, reserved0), ZF(struct mls_evbuf_info, reserved)),
	IOC(EVBUF_CONFIG, MLS_EVBUF_CONFIG_SIZE_VER0, T_CTL,
	    MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL,
	    offsetof(struct mls_evbuf_config, mask), MLS_EVBUF_CFG_ALL, b_evb_config,
	    ZF(struct mls_evbuf_config, reserved)),
	IOC(EVBUF_RECORD, MLS_EVBUF_RECORD_SIZE_VER0, T_CTL,
	    MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_GZIP, -1, 0, b_evb_record,
	    ZF(struct mls_evbuf_record, payload.reserved)),
	IOC(EVBUF_REPORT, MLS_EVBUF_REPORT_SIZE_VER0, T_CTL, MLS_EVBUF_F_OWNER, -1, 0,
	    b_evb_report, ZF(struct mls_evbuf_report, reserved)),
	IOC(EVBUF_STATE, MLS_EVBUF_STATE_SIZE_VER0, T_CTL, MLS_EVBUF_F_OWNER, -1, 0,
	    b_evb_state, ZF(struct mls_evbuf_state, reserved)),
	IOC(EVBUF_SET_STATE, MLS_EVBUF_SET_STATE_SIZE_VER0, T_CTL, MLS_EVBUF_F_OWNER, -1, 0,
	    b_evb_set_state, ZF(struct mls_evbuf_set_state, reserved)),
	IOC(EVBUF_REMOVE, MLS_EVBUF_REMOVE_SIZE_VER0, T_CTL, MLS_EVBUF_F_OWNER, -1, 0,
	    b_evb_remove, { 0, 0 }),
	IOC(EVBUF_BENCH, MLS_EVBUF_BENCH_SIZE_VER0, T_CTL,
	    MLS_EVBUF_F_OWNER | MLS_EVBUF_F_BATCH_CLOCK, -1, 0, b_evb_bench, { 0, 0 }),
};

#define GROUP_CREATE_IDX	1
#define GROUP_JOIN_IDX		2
#define GROUP_OPEN_IDX		3
#define JOIN_STAGE_IDX		5
#define ENCRYPT_IDX		6
#define DESTROY_IDX		20

/* Every errno the uapi documents for some ioctl. */
static bool documented(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOSPC: case EDQUOT: case ENOMEM: case EMFILE:
	case ENFILE: case EBADF: case ETIMEDOUT: case ENOENT: case EACCES: case EPERM:
	case E2BIG: case EBADMSG: case EAGAIN: case EKEYEXPIRED: case EALREADY:
	case ERANGE: case ECONNREFUSED: case ESTALE: case EBUSY: case EINTR:
	case ENODATA: case EOVERFLOW: case EOPNOTSUPP: case EEXIST: case EMSGSIZE:
	case ENOBUFS:
	case EPIPE:	/* sending in a group's last epoch (MLS_COMMIT_F_FINAL) */
		return true;
	}
	return false;
}

static void keep_fd(struct worker *w, int fd, bool staged)
{
	int *slot = staged ? &w->staged[below(&w->r, 2)] : &w->gfd[below(&w->r, FDS)];

	if (*slot >= 0)
		close(*slot);
	*slot = fd;
}

/*
 * Whether the final argument breaks a rule every ioctl follows (uapi
 * "Rules every ioctl follows"): a size below the first published one, a
 * non-zero tail past the kernel's struct, an unknown flag or mask bit, a
 * reserved field not zero. Such a call must fail, whatever else it holds.
 */
static bool certainly_invalid(const struct iodesc *d, const uint8_t *arg, size_t usize)
{
	size_t i, k;

	if (usize < d->ver0)
		return true;
	for (i = d->size; i < usize; i++)
		if (arg[i])
			return true;
	if (((const uint32_t *)arg)[0] & ~d->flags_all)
		return true;
	if (d->mask_off >= 0 && (*(const uint32_t *)(arg + d->mask_off) & ~d->mask_all))
		return true;
	for (k = 0; k < ARRAY_SIZE(d->zero) && d->zero[k].size; k++) {
		/* A field the caller's struct does not reach reads as zero. */
		for (i = 0; i < d->zero[k].size; i++)
			if (d->zero[k].off + i < usize && arg[d->zero[k].off + i])
				return true;
	}
	return false;
}

/* One ioctl: build, corrupt, call, judge, count. */
static void fuzz_ioctl(struct worker *w)
{
	struct iodesc *d = &iocs[below(&w->r, ARRAY_SIZE(iocs))];
	size_t argsz = d->size, usize = d->size;
	unsigned long cmd = d->cmd;
	bool invalid = false, wrong_fd = false, dir_changed = false;
	uint8_t *arg = w->arg;
	void *argp = arg;
	int fd, ret, k, n;

	if (d->target == T_GROUP) {
		cur_fd = pick_group(w);
		if (cur_fd < 0)
			return;
		fd = cur_fd;
	} else {
		fd = w->ctl;
	}
	/* Destroying is rare: the shared groups should live a while. */
	if (d == &iocs[DESTROY_IDX] && !chance(&w->r, 10))
		return;
	memset(arg, 0, 1024);
	d->build(w, arg);

	n = chance(&w->r, 50) ? 0 : 1 + (int)below(&w->r, 3);
	for (k = 0; k < n; k++) {
		uint32_t v;
		size_t off;

		switch (below(&w->r, 8)) {
		case 0:	/* an unknown flag */
			v = ~d->flags_all;
			if (v) {
				uint32_t bit;

				do
					bit = 1u << below(&w->r, 32);
				while (!(bit & v));
				((uint32_t *)arg)[0] |= bit;
			}
			break;
		case 1:	/* any subset of the known flags */
			((uint32_t *)arg)[0] = (uint32_t)rnd(&w->r) & d->flags_all;
			break;
		case 2:	/* a reserved field not zero */
			if (d->zero[0].size) {
				const struct zf *z = &d->zero[below(&w->r, d->zero[1].size ? 2 : 1)];

				arg[z->off + below(&w->r, z->size)] = (uint8_t)(1 + below(&w->r, 255));
			}
			break;
		case 3:	/* an unknown bit of the second mask */
			if (d->mask_off >= 0) {
				*(uint32_t *)(arg + d->mask_off) |= ~d->mask_all &
					(1u << (7 + below(&w->r, 25)));
			}
			break;
		case 4:	/* a length at a limit */
			off = (below(&w->r, (uint32_t)argsz / 4)) * 4;
			*(uint32_t *)(arg + off) = any_len(&w->r);
			break;
		case 5:	/* an address anywhere */
			off = (below(&w->r, (uint32_t)argsz / 8)) * 8;
			*(uint64_t *)(arg + off) = any_addr(w, 64);
			break;
		case 6:	/* random bytes */
			arg[below(&w->r, (uint32_t)argsz)] = (uint8_t)rnd(&w->r);
			break;
		default: /* the size in the ioctl number, once */
			if (usize != d->size)
				break;
			switch (below(&w->r, 5)) {
			case 0:
				usize = d->ver0 - 1 - below(&w->r, (uint32_t)d->ver0);
				break;
			case 1:
				usize = d->ver0 + below(&w->r, (uint32_t)(d->size - d->ver0 + 1));
				break;
			case 2:	/* a larger struct, zero tail */
				usize = d->size + 8 * (1 + below(&w->r, 8));
				break;
			case 3:	/* a larger struct with a non-zero tail */
				usize = d->size + 8 * (1 + below(&w->r, 8));
				arg[usize - 1 - below(&w->r, (uint32_t)(usize - d->size))] = 0xa5;
				break;
			default:
				usize = _IOC_SIZEMASK;
				break;
			}
			cmd = _IOC(_IOC_DIR(d->cmd), MLS_IOC_MAGIC, _IOC_NR(d->cmd), usize);
		}
	}
	/* A tail past the kernel's struct reads as zero unless set above. */
	if (usize < d->size)
		memset(arg + usize, 0, d->size - usize);
	invalid = certainly_invalid(d, arg, usize);
	if (chance(&w->r, 3)) {	/* the argument itself unreadable */
		argp = (void *)(uintptr_t)any_addr(w, usize);
		if ((uint8_t *)argp < w->buf || (uint8_t *)argp >= w->buf + BIG)
			invalid = true;
	}
	if (chance(&w->r, 3)) {	/* another kind of fd */
		int others[4] = { w->ctl, pick_group(w), w->staged[0], STDOUT_FILENO };

		k = (int)below(&w->r, 4);
		if (others[k] >= 0 && (k != 0 || d->target != T_CTL) &&
		    (k != 1 || d->target != T_GROUP)) {
			fd = others[k];
			wrong_fd = invalid = true;
		}
	}
	if (chance(&w->r, 1)) {	/* another direction */
		cmd = _IOC((_IOC_DIR(cmd) + 1 + below(&w->r, 3)) & 3, MLS_IOC_MAGIC,
			   _IOC_NR(cmd), _IOC_SIZE(cmd));
		dir_changed = invalid = true;
	}

	w->doing = d->st.name;
	__atomic_store_n(&w->busy_since, now_ms(), __ATOMIC_RELEASE);
	ret = xioctl(fd, cmd, argp);
	__atomic_store_n(&w->busy_since, 0, __ATOMIC_RELEASE);
	count(&d->st, ret);

	if (ret >= 0 && invalid)
		report("%s succeeded on an invalid input (size %zu, flags %#x%s%s)",
		       d->st.name, usize, ((uint32_t *)arg)[0], wrong_fd ? ", wrong fd" : "",
		       dir_changed ? ", direction" : "");
	else if (ret == -ENOTTY && !wrong_fd && !dir_changed)
		report("%s: ENOTTY on the fd it is for", d->st.name);
	else if (ret < 0 && ret != -ENOTTY && !documented(-ret))
		report("%s: undocumented errno %s", d->st.name, strerrorname_np(-ret));

	if (ret > 2 && d->returns_fd && !wrong_fd && !dir_changed)
		keep_fd(w, ret, d == &iocs[JOIN_STAGE_IDX]);
	else if (ret > 2 && d->returns_fd)
		close(ret);
	if (!ret && d == &iocs[ENCRYPT_IDX] && argp == arg) {
		struct mls_encrypt *e = (void *)arg;

		if (e->message.len <= sizeof(ring.buf[0]) && e->message.addr == U64(w->buf + 8192)) {
			pthread_mutex_lock(&ring.lock);
			memcpy(ring.buf[ring.next], w->buf + 8192, e->message.len);
			ring.len[ring.next] = e->message.len;
			ring.next = (ring.next + 1) % RING;
			pthread_mutex_unlock(&ring.lock);
		}
	}
}

/*
 * The shared groups come in pairs: leaves 0 and 1 of one two-member group,
 * made from the same inputs, so that what one encrypts the other decrypts.
 * Returns 0 or -errno; the fds are closed, the groups outlive them.
 */
static int pair_create(int ctl, unsigned int suite, uint32_t ids[2])
{
	struct grp_inputs in;
	struct mls_group_new n;
	int fd[2], i;

	inputs_random(&in, suite);
	for (i = 0; i < 2; i++) {
		new_from_inputs(&n, &in, (__u32)i, 2, NULL, 0, 0);
		n.mode = 0666;
		fd[i] = grp_create(ctl, &n);
		if (fd[i] < 0) {
			if (i)
				grp_destroy(fd[0]), close(fd[0]);
			return fd[i];
		}
		ids[i] = n.id;
	}
	close(fd[0]);
	close(fd[1]);
	return 0;
}

/* A shared pair whose group is gone is made again, by whoever sees it. */
static void pool_refill(struct worker *w)
{
	unsigned int i = below(&w->r, POOL), p = i & ~1u;
	uint32_t id = __atomic_load_n(&pool[i], __ATOMIC_RELAXED), ids[2];
	int fd = grp_open_id(w->ctl, id);

	if (fd >= 0) {
		keep_fd(w, fd, false);
		return;
	}
	if (fd != -ENOENT || pair_create(w->ctl, 1 + below(&w->r, 3), ids))
		return;
	/* If another thread made a pair first, the new one goes. */
	if (__atomic_compare_exchange_n(&pool[i], &id, ids[i & 1], false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		/* The other half of the old pair, if it lives, goes. */
		id = __atomic_exchange_n(&pool[p + !(i & 1)], ids[!(i & 1)], __ATOMIC_RELAXED);
		ids[!(i & 1)] = id;
		ids[i & 1] = 0;
	}
	for (p = 0; p < 2; p++) {
		if (!ids[p])
			continue;
		fd = grp_open_id(w->ctl, ids[p]);
		if (fd >= 0)
			grp_destroy(fd), close(fd);
	}
}

static void close_all(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < FDS; i++) {
		if (w->gfd[i] >= 0)
			close(w->gfd[i]);
		w->gfd[i] = -1;
	}
	for (i = 0; i < 2; i++) {
		if (w->staged[i] >= 0)
			close(w->staged[i]);
		w->staged[i] = -1;
	}
	if (w->ctl >= 0)
		close(w->ctl);
	w->ctl = -1;
}

static void *ioctl_worker(void *p)
{
	struct worker *w = p;

	while (phase != PH_STOP) {
		if (w->ctl < 0) {
			w->ctl = ctl_open();
			if (w->ctl < 0) {
				/* Unloaded meanwhile: only then may it be absent. */
				if (phase == PH_FUZZ)
					report("open /dev/mls: %s", strerror(-w->ctl));
				sleep_ms(1 + below(&w->r, 5));
				continue;
			}
		}
		if (chance(&w->r, 5))
			pool_refill(w);
		if (chance(&w->r, 2) && w->gfd[0] >= 0) {	/* an fd closed under the others */
			unsigned int i = below(&w->r, FDS);

			if (w->gfd[i] >= 0)
				close(w->gfd[i]);
			w->gfd[i] = -1;
		}
		fuzz_ioctl(w);
		if (phase == PH_UNLOAD && chance(&w->r, 30)) {
			/* Let go of the module now and then so that it can unload. */
			close_all(w);
			sleep_ms(below(&w->r, 30));
		}
	}
	close_all(w);
	return NULL;
}

/* ------------------------------------------------------ generic netlink */

static struct stat_row nl_rows[MLS_CMD_MAX + 3];
static struct stat_row nl_ctrl_row = { .name = "nl ctrl getfamily" };
static struct stat_row nl_events_row = { .name = "nl events received" };
static struct stat_row sysfs_row = { .name = "sysfs/debugfs reads" };
static const char *const nl_names[] = {
	"nl UNSPEC", "nl GET_VERSION", "nl GET_GROUP", "nl GROUP_CREATED", "nl GROUP_JOINED",
	"nl GROUP_DESTROYED", "nl EPOCH_CHANGED", "nl EPOCH_EXPIRED", "nl MEMBER_ADDED",
	"nl MEMBER_REMOVED", "nl COMMIT_CONFLICT", "nl ENDPOINT_THROTTLED",
	"nl BREAKER_CHANGED", "nl PAYLOAD_REJECTED", "nl SHUTDOWN", "nl COMMIT_PREPARED",
	"nl COMMIT_DISCARDED", "nl RESERVE_LOW", "nl RESUME", "nl GROUP_ENDED",
	"nl (unknown 20)", "nl (unknown 21)",
};

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static size_t put_attr(uint8_t *p, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (void *)p;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/*
 * Send one request and read until its end: 0 or -errno from the kernel,
 * or 1 when no answer came within NL_WAIT_MS. @reply gets the first
 * message's bytes.
 */
static int nl_call(int fd, uint8_t *req, size_t len, bool dump, uint8_t *reply, size_t cap,
		   int wait_ms)
{
	uint32_t seq = ((struct nlmsghdr *)req)->nlmsg_seq;
	uint8_t buf[16384];
	bool first = true;

	if (send(fd, req, len, 0) < 0)
		return -errno;
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&pf, 1, wait_ms) != 1)
			return 1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;	/* the tail of an earlier request */
			if (first && reply) {
				memcpy(reply, h, h->nlmsg_len < cap ? h->nlmsg_len : cap);
				first = false;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(h);
			if (!dump && !(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

/* The family id and events group of "mls" from nlctrl: 0 or -errno. */
static int nl_resolve(void)
{
	uint8_t req[256] = { 0 }, reply[16384] = { 0 };
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a;
	int fd = nl_socket(), r, rem;
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	if (fd < 0)
		return fd;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	len += put_attr(req + len, CTRL_ATTR_FAMILY_NAME, MLS_GENL_NAME, sizeof(MLS_GENL_NAME));
	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = 1;
	r = nl_call(fd, req, len, false, reply, sizeof(reply), NL_WAIT_MS);
	close(fd);
	count(&nl_ctrl_row, r);
	if (r)
		return r > 0 ? -ETIMEDOUT : r;
	h = (void *)reply;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	rem = (int)((h->nlmsg_len < sizeof(reply) ? h->nlmsg_len : sizeof(reply)) -
		    NLMSG_HDRLEN - GENL_HDRLEN);
	for (a = (void *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN); rem >= NLA_HDRLEN &&
	     a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (void *)((uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		uint16_t type = a->nla_type & NLA_TYPE_MASK;

		if (type == CTRL_ATTR_FAMILY_ID)
			nl_family = *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
		if (type == CTRL_ATTR_MCAST_GROUPS) {
			/* nest of nests: { id u32, name string } */
			struct nlattr *grp = (void *)((uint8_t *)a + NLA_HDRLEN);
			int grem = a->nla_len - NLA_HDRLEN;

			while (grem >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN &&
			       grp->nla_len <= grem) {
				struct nlattr *f = (void *)((uint8_t *)grp + NLA_HDRLEN);
				int frem = grp->nla_len - NLA_HDRLEN;
				uint32_t id = 0;
				bool events = false;

				while (frem >= NLA_HDRLEN && f->nla_len >= NLA_HDRLEN &&
				       f->nla_len <= frem) {
					if ((f->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID)
						id = *(uint32_t *)((uint8_t *)f + NLA_HDRLEN);
					if ((f->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_NAME)
						events = !strcmp((char *)f + NLA_HDRLEN,
								 MLS_GENL_MCGRP_EVENTS);
					frem -= NLA_ALIGN(f->nla_len);
					f = (void *)((uint8_t *)f + NLA_ALIGN(f->nla_len));
				}
				if (events)
					nl_mcgrp = (int)id;
				grem -= NLA_ALIGN(grp->nla_len);
				grp = (void *)((uint8_t *)grp + NLA_ALIGN(grp->nla_len));
			}
		}
	}
	return nl_family ? 0 : -ENOENT;
}

static bool nl_documented(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case ENOENT: case EOPNOTSUPP: case EPERM: case EACCES:
	case ENOMEM: case EMSGSIZE: case ENOBUFS:
		return true;
	}
	return false;
}

static void fuzz_netlink(struct worker *w, int fd)
{
	uint8_t req[1024] = { 0 };
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
	unsigned int cmd, nattr, i;
	bool dump, invalid = false, kid = false;
	int r;

	cmd = chance(&w->r, 85) ? 1 + below(&w->r, 2) : below(&w->r, MLS_CMD_MAX + 3);
	dump = chance(&w->r, 50);
	g->cmd = (uint8_t)cmd;
	g->version = chance(&w->r, 95) ? MLS_GENL_VERSION : (uint8_t)rnd(&w->r);
	nattr = chance(&w->r, 50) ? (cmd == MLS_CMD_GET_GROUP && !dump) : below(&w->r, 4);
	for (i = 0; i < nattr; i++) {
		uint32_t v = chance(&w->r, 70) ? pool_id(w) : any_len(&w->r);
		uint16_t type = chance(&w->r, 70) ? MLS_A_GROUP_KID : (uint16_t)below(&w->r, 40);
		uint16_t alen = chance(&w->r, 85) ? 4 : (uint16_t)below(&w->r, 12);
		size_t at = len;

		if (chance(&w->r, 5))
			type |= NLA_F_NESTED;
		/* Only a u32 kernel id, not 0, is a well-formed attribute. */
		if (type != MLS_A_GROUP_KID || alen != 4 || !v)
			invalid = true;
		else
			kid = true;
		len += put_attr(req + len, type, w->buf + 256, alen);
		memcpy(req + at + NLA_HDRLEN, &v, alen < 4 ? alen : 4);
	}
	if (cmd != MLS_CMD_GET_VERSION && cmd != MLS_CMD_GET_GROUP)
		invalid = true;	/* notifications are not requests */
	if (cmd == MLS_CMD_GET_VERSION && nattr)
		invalid = true;
	if (cmd == MLS_CMD_GET_GROUP && (dump ? nattr > 0 : !kid))
		invalid = true;
	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = (uint16_t)nl_family;
	h->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0) |
			 (chance(&w->r, 50) ? NLM_F_ACK : 0);
	h->nlmsg_seq = (uint32_t)rnd(&w->r);
	if (chance(&w->r, 3)) {	/* a header that lies about the length */
		h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + below(&w->r, (uint32_t)len + 64));
		invalid = h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || invalid;
	}

	w->doing = "netlink";
	__atomic_store_n(&w->busy_since, now_ms(), __ATOMIC_RELEASE);
	r = nl_call(fd, req, len, dump, NULL, 0, h->nlmsg_len == len ? NL_WAIT_MS : 200);
	__atomic_store_n(&w->busy_since, 0, __ATOMIC_RELEASE);
	if (r == 1) {
		/* A lying header may leave the kernel nothing to answer. */
		if (h->nlmsg_len == len)
			report("netlink cmd %u%s: no answer in %d ms", cmd, dump ? " dump" : "",
			       NL_WAIT_MS);
		return;
	}
	count(&nl_rows[cmd], r);
	if (h->nlmsg_len != len)
		return;
	if (!r && invalid)
		report("netlink cmd %u%s succeeded on an invalid request", cmd, dump ? " dump" : "");
	else if (r < 0 && !nl_documented(-r) && phase == PH_FUZZ)
		report("netlink cmd %u%s: undocumented errno %s", cmd, dump ? " dump" : "",
		       strerrorname_np(-r));
}

static void *nl_worker(void *p)
{
	struct worker *w = p;
	int fd = -1;
	int fam = -1;

	while (phase != PH_STOP) {
		if (fam != nl_family || fd < 0) {
			if (fd >= 0)
				close(fd);
			fd = nl_socket();
			fam = nl_family;
			if (fd < 0) {
				report("netlink socket: %s", strerror(-fd));
				sleep_ms(100);
				continue;
			}
		}
		fuzz_netlink(w, fd);
		if (phase == PH_UNLOAD && chance(&w->r, 20) && nl_resolve() < 0)
			sleep_ms(1);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The events, read and dropped: building them is what is exercised. */
static void *events_worker(void *p)
{
	struct worker *w = p;
	uint8_t buf[65536];
	int fd = -1, grp = -1;

	while (phase != PH_STOP) {
		struct pollfd pf;
		ssize_t n;

		if (fd < 0 || grp != nl_mcgrp) {
			if (fd >= 0)
				close(fd);
			fd = nl_socket();
			grp = nl_mcgrp;
			if (fd >= 0 && setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
						  sizeof(grp)) && phase == PH_FUZZ)
				report("join events group %d: %s", grp, strerror(errno));
		}
		if (fd < 0) {
			sleep_ms(10);
			continue;
		}
		pf.fd = fd;
		pf.events = POLLIN;
		if (poll(&pf, 1, 100) != 1) {
			if (phase == PH_UNLOAD)
				grp = -1;	/* join again after a reload */
			continue;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		count(&nl_events_row, n < 0 ? -errno : 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN)
			report("events recv: %s", strerror(errno));
	}
	(void)w;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* ---------------------------------------------------------- sysfs files */

#define MAX_FILES	512
static char *files[MAX_FILES];
static unsigned int nfiles;

static void collect(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && nfiles < MAX_FILES) {
		char path[512];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 4)
			collect(path, depth + 1);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 0444))
			files[nfiles++] = strdup(path);
	}
	closedir(d);
}

/*
 * Reads every file, and keeps sysfs files open across the unload: a
 * file whose object went away reads ENODEV (kernfs), never stale memory.
 */
static void *sysfs_worker(void *p)
{
	struct worker *w = p;
	int held[8];
	unsigned int i;
	char buf[8192];

	for (i = 0; i < 8; i++)
		held[i] = -1;
	while (phase != PH_STOP) {
		const char *path;
		ssize_t n;
		int fd;

		if (!nfiles || chance(&w->r, 5)) {
			/* Refresh the list: groups come and go. */
			pthread_mutex_lock(&report_lock);
			while (nfiles)
				free(files[--nfiles]);
			collect("/sys/kernel/mls", 0);
			collect("/sys/kernel/debug/mls", 0);
			pthread_mutex_unlock(&report_lock);
			if (!nfiles) {
				sleep_ms(5);
				continue;
			}
		}
		path = files[below(&w->r, nfiles)];
		i = below(&w->r, 8);
		if (held[i] >= 0 && chance(&w->r, 70)) {
			w->doing = "sysfs pread (held)";
			__atomic_store_n(&w->busy_since, now_ms(), __ATOMIC_RELEASE);
			n = pread(held[i], buf, sizeof(buf), 0);
			__atomic_store_n(&w->busy_since, 0, __ATOMIC_RELEASE);
			count(&sysfs_row, n < 0 ? -errno : 0);
			if (n < 0 && errno != ENODEV && errno != ENOENT && errno != EIO)
				report("held sysfs file: %s", strerror(errno));
			if (n < 0 || chance(&w->r, 10)) {
				close(held[i]);
				held[i] = -1;
			}
			continue;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* gone meanwhile */
		w->doing = "sysfs read";
		__atomic_store_n(&w->busy_since, now_ms(), __ATOMIC_RELEASE);
		n = read(fd, buf, sizeof(buf));
		__atomic_store_n(&w->busy_since, 0, __ATOMIC_RELEASE);
		count(&sysfs_row, n < 0 ? -errno : 0);
		if (n < 0 && errno != ENODEV && errno != ENOENT && errno != EIO)
			report("read %s: %s", path, strerror(errno));
		/* Debugfs files hold the module; sysfs files do not. */
		if (held[i] < 0 && strncmp(path, "/sys/kernel/debug", 17) && chance(&w->r, 30))
			held[i] = fd;
		else
			close(fd);
	}
	for (i = 0; i < 8; i++)
		if (held[i] >= 0)
			close(held[i]);
	return NULL;
}

/* ------------------------------------------------------- module reload */

static int mod_load(void)
{
	return vm_module_load(getenv("MLS_MODULE") ?: MODULE_PATH, "");
}

static bool mod_loaded(void)
{
	return !access("/sys/module/mls", F_OK);
}

/* ------------------------------------------------------------ the run */

/*
 * Every address the fuzzer hands the kernel points into one region of
 * its own, alone in its 4 GiB window: a corrupted address (a length
 * written over half of it, a byte changed) then lands in that region or
 * in nothing mapped, never in the process's own heap or stacks, which
 * the kernel would otherwise write into.
 */
#define SANDBOX		0x600000000000ULL
#define ARG_SIZE	(1024 + _IOC_SIZEMASK + 1)
#define SANDBOX_SIZE	(3 * 4096 + (IOC_THREADS + NL_THREADS + 2) * (BIG + ARG_SIZE + 4096))
static uint8_t *sandbox_next;

static void setup_pages(void)
{
	uint8_t *m;

	page = sysconf(_SC_PAGESIZE);
	m = mmap((void *)SANDBOX, SANDBOX_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != (void *)SANDBOX)
		ksft_exit_fail_msg("mmap the sandbox: %s\n", strerror(errno));
	edge = m;
	prot_none = m + page;
	unmapped = m + 2 * page;
	mprotect(prot_none, (size_t)page, PROT_NONE);
	munmap(unmapped, (size_t)page);
	sandbox_next = m + 3 * page;
}

static void *sandbox_alloc(size_t len)
{
	uint8_t *p = sandbox_next;

	sandbox_next += (len + 4095) & ~(size_t)4095;
	if (sandbox_next > (uint8_t *)SANDBOX + SANDBOX_SIZE)
		ksft_exit_fail_msg("sandbox too small\n");
	return p;
}

/* A fault in the fuzzer itself: say where, and what each thread was doing. */
static struct worker *all_workers;
static unsigned int n_workers;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char line[160];
	unsigned int i;
	int n;

	(void)uc;
	n = snprintf(line, sizeof(line), "not ok - fuzz_test: signal %d at %p\n", sig,
		     si->si_addr);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(2);
	for (i = 0; i < n_workers; i++) {
		n = snprintf(line, sizeof(line), "# thread %u: last %s\n", i,
			     all_workers[i].doing ?: "-");
		if (write(STDOUT_FILENO, line, (size_t)n) < 0)
			break;
	}
	_exit(1);
}

static void worker_init(struct worker *w, unsigned int idx)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->idx = idx;
	w->r.s = seed * 0x9e3779b97f4a7c15ULL + idx + 1;
	w->ctl = -1;
	for (i = 0; i < FDS; i++)
		w->gfd[i] = -1;
	w->staged[0] = w->staged[1] = -1;
	w->buf = sandbox_alloc(BIG);
	w->arg = sandbox_alloc(ARG_SIZE);
}

/* Every thread's current call must return within HANG_MS. */
static void watch(struct worker *ws, unsigned int n)
{
	uint64_t now = now_ms();
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t since = __atomic_load_n(&ws[i].busy_since, __ATOMIC_ACQUIRE);

		if (since && now > since + HANG_MS) {
			printf("# HANG: thread %u in %s for %llu ms\n", i, ws[i].doing,
			       (unsigned long long)(now - since));
			hangs++;
		}
	}
	if (hangs) {
		/* The kernel's hung-task report, if any, is in the guest log. */
		ksft_test_result_fail("every call returned within %d s\n", HANG_MS / 1000);
		ksft_exit_fail();
	}
}

int main(int argc, char **argv)
{
	unsigned int nthreads = IOC_THREADS + NL_THREADS + 2, i;
	unsigned long unloads = 0, busy = 0, bad_unload = 0, bad_load = 0;
	uint64_t start, fuzz_end, end;
	struct worker *ws;
	int ctl, r;

	seed = env_u64("MLS_FUZZ_SEED", "mlsvm.fuzz_seed=", DEFAULT_SEED);
	budget_s = (unsigned int)env_u64("MLS_FUZZ_TIME", "mlsvm.fuzz_time=",
					 argc > 1 ? strtoul(argv[1], NULL, 0) : DEFAULT_TIME);
	ksft_print_header();
	ksft_set_plan(5);
	printf("# fuzz: seed %#llx (MLS_FUZZ_SEED), %u s (MLS_FUZZ_TIME), %u ioctl, %u netlink threads\n",
	       (unsigned long long)seed, budget_s, IOC_THREADS, NL_THREADS);
	fflush(stdout);
	for (i = 0; i < ARRAY_SIZE(nl_rows); i++)
		nl_rows[i].name = nl_names[i];
	iocs[GROUP_CREATE_IDX].returns_fd = iocs[GROUP_JOIN_IDX].returns_fd = true;
	iocs[GROUP_OPEN_IDX].returns_fd = iocs[JOIN_STAGE_IDX].returns_fd = true;

	if (getuid() != 0 || access(getenv("MLS_MODULE") ?: MODULE_PATH, R_OK))
		ksft_exit_skip("not in the test VM (needs root and %s to reload)\n", MODULE_PATH);
	setup_pages();
	ctl = ctl_open();
	if (ctl < 0)
		ksft_exit_fail_msg("open /dev/mls: %s\n", strerror(-ctl));
	for (i = 0; i < POOL; i += 2) {
		r = pair_create(ctl, 1 + i / 2 % 3, &pool[i]);
		if (r)
			ksft_exit_fail_msg("create a shared pair: %s\n", strerror(-r));
	}
	close(ctl);
	r = nl_resolve();
	if (r)
		ksft_exit_fail_msg("resolve the netlink family: %s\n", strerror(-r));

	ws = calloc(nthreads, sizeof(*ws));
	if (!ws)
		ksft_exit_fail_msg("out of memory\n");
	all_workers = ws;
	n_workers = nthreads;
	{
		struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
	start = now_ms();
	end = start + (uint64_t)budget_s * 1000;
	/* The last quarter (at least 10 s) unloads and loads under load. */
	fuzz_end = end - ((uint64_t)budget_s * 1000 / 4 > 10000 ?
			  (uint64_t)budget_s * 1000 / 4 : 10000);
	if (fuzz_end < start)
		fuzz_end = start;
	for (i = 0; i < nthreads; i++) {
		void *(*fn)(void *) = i < IOC_THREADS ? ioctl_worker :
				      i < IOC_THREADS + NL_THREADS ? nl_worker :
				      i == IOC_THREADS + NL_THREADS ? events_worker : sysfs_worker;

		worker_init(&ws[i], i);
		if (pthread_create(&ws[i].tid, NULL, fn, &ws[i]))
			ksft_exit_fail_msg("pthread_create\n");
	}
	while (now_ms() < fuzz_end) {
		sleep_ms(500);
		watch(ws, nthreads);
	}

	phase = PH_UNLOAD;
	printf("# fuzz: %llu s of calls; now unloading and loading under load\n",
	       (unsigned long long)(now_ms() - start) / 1000);
	fflush(stdout);
	while (now_ms() < end || !unloads) {
		r = (int)syscall(SYS_delete_module, "mls", O_NONBLOCK);
		if (!r) {
			unloads++;
			if (mod_loaded()) {
				printf("# /sys/module/mls still there after delete_module\n");
				bad_unload++;
			}
			sleep_ms(below(&ws[0].r, 50));
			r = mod_load();
			if (r) {
				printf("# finit_module: %s\n", strerror(-r));
				bad_load++;
				break;
			}
			r = nl_resolve();
			if (r) {
				printf("# resolve the netlink family after a reload: %s\n",
				       strerror(-r));
				bad_load++;
			}
		} else if (errno == EWOULDBLOCK || errno == EBUSY) {
			busy++;
		} else {
			printf("# delete_module: %s\n", strerror(errno));
			bad_unload++;
			break;
		}
		sleep_ms(5 + below(&ws[0].r, 40));
		watch(ws, nthreads);
		if (now_ms() > end + 120000)	/* never unloaded: reported below */
			break;
	}
	phase = PH_STOP;
	for (i = 0; i < nthreads; i++)
		pthread_join(ws[i].tid, NULL);
	if (!mod_loaded() && mod_load())
		bad_load++;

	printf("# fuzz: %llu s in all; calls and results per ioctl and command:\n",
	       (unsigned long long)(now_ms() - start) / 1000);
	{
		unsigned long calls = 0, missing = 0;

		for (i = 0; i < ARRAY_SIZE(iocs); i++) {
			print_row(&iocs[i].st);
			calls += iocs[i].st.calls;
			missing += !iocs[i].st.calls;
		}
		for (i = 1; i < ARRAY_SIZE(nl_rows); i++) {
			if (i > MLS_CMD_GET_GROUP && !nl_rows[i].calls)
				continue;
			print_row(&nl_rows[i]);
			calls += nl_rows[i].calls;
			missing += (i <= MLS_CMD_GET_GROUP && !nl_rows[i].calls);
		}
		print_row(&nl_ctrl_row);
		print_row(&nl_events_row);
		print_row(&sysfs_row);
		printf("# fuzz: %lu calls; %lu unloads, %lu refused as busy\n", calls, unloads, busy);
		ksft_test_result(!unexpected, "every result of an expected class (%lu not)\n",
				 unexpected);
		ksft_test_result(!hangs, "every call returned within %d s\n", HANG_MS / 1000);
		ksft_test_result(unloads && !bad_unload,
				 "module unloaded under load (%lu times; %lu busy; %lu failures)\n",
				 unloads, busy, bad_unload);
		ksft_test_result(!bad_load && mod_loaded(), "module loaded again each time\n");
		ksft_test_result(!missing, "every ioctl and command called (%lu not)\n", missing);
	}
	ctl = ctl_open();
	if (ctl < 0) {
		printf("# /dev/mls after the run: %s\n", strerror(-ctl));
		ksft_exit_fail();
	}
	close(ctl);
	ksft_finished();
	return 0;
}

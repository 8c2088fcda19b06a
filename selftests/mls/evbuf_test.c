// SPDX-License-Identifier: GPL-2.0
/*
 * The event buffer (MLS_IOC_EVBUF_*): the argument rules of every ioctl,
 * each state transition, the accuracy of the rate limit, the breaker's
 * open / half-open / close cycle, who may touch whose endpoint (a second
 * uid), a full table, the gzip bomb check, 2 threads x 1,000,000 records
 * that must leave exact counts, and the data path: a group's encrypt rate
 * and a forgery flood that trips one sender's breaker.
 *
 * The module is loaded with its default parameters; the tests read them
 * from /sys/module/mls/parameters where they matter. Endpoint ids carry
 * the test's pid, so no test sees another's endpoints.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define ALL_BITS	0xffffffffU
#define FLAGS_ID	MLS_EVBUF_F_OWNER
#define OTHER_UID	1000

/* The same ioctl number with another struct size. */
#define IOC_SIZED(cmd, sz) _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (sz))

/* Every struct naming an endpoint starts so. */
struct evb_head {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
};

/* The test process's pid; a child it forks names the same endpoints. */
static pid_t id_pid;

/* "<pid>.<name>": each test process has ids of its own. */
static void ep_id(char *id, const char *name)
{
	memset(id, 0, MLS_EVBUF_ID_SIZE);
	snprintf(id, MLS_EVBUF_ID_SIZE, "%d.%s", (int)(id_pid ? id_pid : getpid()), name);
}

static void head_set(void *arg, const char *name, __u32 flags, __u32 owner)
{
	struct evb_head *h = arg;

	h->flags = flags;
	h->owner = owner;
	ep_id(h->id, name);
}

static int evb_info(int fd, struct mls_evbuf_info *i)
{
	memset(i, 0, sizeof(*i));
	return xioctl(fd, MLS_IOC_EVBUF_INFO, i);
}

/* Create (or reconfigure, without MLS_EVBUF_F_CREATE in @flags). */
static int evb_cfg(int fd, const char *name, __u32 flags, __u32 mask,
		   const struct mls_evbuf_config *in, struct mls_evbuf_config *out)
{
	struct mls_evbuf_config c;

	if (in)
		c = *in;
	else
		memset(&c, 0, sizeof(c));
	head_set(&c, name, flags, in ? in->owner : 0);
	c.mask = mask;
	c.reserved = 0;
	if (xioctl(fd, MLS_IOC_EVBUF_CONFIG, &c))
		return -errno;
	if (out)
		*out = c;
	return 0;
}

/* A new endpoint with everything given. */
static int evb_new(int fd, const char *name, __u32 rate, __u32 burst, __u32 thr,
		   __u32 probes, __u32 base_ms, __u32 max_ms)
{
	struct mls_evbuf_config c = {
		.rate = rate, .burst = burst, .fail_threshold = thr,
		.half_open_probes = probes, .open_base_ms = base_ms,
		.open_max_ms = max_ms,
	};

	return evb_cfg(fd, name, MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL,
		       MLS_EVBUF_CFG_ALL, &c, NULL);
}

static int evb_rec_as(int fd, const char *name, __u32 flags, __u32 owner,
		      const void *payload, size_t len)
{
	struct mls_evbuf_record r;

	memset(&r, 0, sizeof(r));
	head_set(&r, name, flags, owner);
	mbuf(&r.payload, payload, len);
	return xioctl(fd, MLS_IOC_EVBUF_RECORD, &r);
}

static int evb_rec(int fd, const char *name)
{
	return evb_rec_as(fd, name, 0, 0, NULL, 0);
}

static int evb_report_as(int fd, const char *name, __u32 flags, __u32 owner,
			 __u32 result)
{
	struct mls_evbuf_report r;

	memset(&r, 0, sizeof(r));
	head_set(&r, name, flags, owner);
	r.result = result;
	return xioctl(fd, MLS_IOC_EVBUF_REPORT, &r);
}

static int evb_fail(int fd, const char *name)
{
	return evb_report_as(fd, name, 0, 0, MLS_EVBUF_FAILURE);
}

static int evb_ok(int fd, const char *name)
{
	return evb_report_as(fd, name, 0, 0, MLS_EVBUF_SUCCESS);
}

static int evb_state_as(int fd, const char *name, __u32 flags, __u32 owner,
			struct mls_evbuf_state *st)
{
	memset(st, 0, sizeof(*st));
	head_set(st, name, flags, owner);
	return xioctl(fd, MLS_IOC_EVBUF_STATE, st);
}

static int evb_state(int fd, const char *name, struct mls_evbuf_state *st)
{
	return evb_state_as(fd, name, 0, 0, st);
}

static int evb_set_as(int fd, const char *name, __u32 flags, __u32 owner, __u32 state)
{
	struct mls_evbuf_set_state s;

	memset(&s, 0, sizeof(s));
	head_set(&s, name, flags, owner);
	s.state = state;
	return xioctl(fd, MLS_IOC_EVBUF_SET_STATE, &s);
}

static int evb_set(int fd, const char *name, __u32 state)
{
	return evb_set_as(fd, name, 0, 0, state);
}

static int evb_rm_as(int fd, const char *name, __u32 flags, __u32 owner)
{
	struct mls_evbuf_remove r;

	memset(&r, 0, sizeof(r));
	head_set(&r, name, flags, owner);
	return xioctl(fd, MLS_IOC_EVBUF_REMOVE, &r);
}

static int evb_rm(int fd, const char *name)
{
	return evb_rm_as(fd, name, 0, 0);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

FIXTURE(evb) {
	int fd;
	struct mls_evbuf_info info0;
};

FIXTURE_SETUP(evb)
{
	id_pid = getpid();
	self->fd = open("/dev/mls", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, evb_info(self->fd, &self->info0));
	/* The endpoint every argument test aims at. */
	ASSERT_EQ(0, evb_new(self->fd, "base", 0, 1, 5, 1, 1000, 1000));
}

FIXTURE_TEARDOWN(evb)
{
	evb_rm(self->fd, "base");
	close(self->fd);
}

/* ------------------------------------------------------------- arguments */

struct ioc_case {
	const char *name;
	unsigned long cmd;
	size_t size;
	size_t ver0;
	__u32 flags_ok;		/* flag bits the ioctl knows */
	int reserved_off;	/* offset of a must-be-zero field, or -1 */
	size_t reserved_len;
	bool named;		/* starts with struct evb_head */
};

#define CASE_R(n, cmd, type, ver0, fl)						\
	{ n, cmd, sizeof(struct type), ver0, fl,				\
	  (int)offsetof(struct type, reserved),					\
	  sizeof(((struct type *)0)->reserved), true }
#define CASE_N(n, cmd, type, ver0, fl)						\
	{ n, cmd, sizeof(struct type), ver0, fl, -1, 0, true }

static const struct ioc_case ioc_cases[] = {
	{ "info", MLS_IOC_EVBUF_INFO, sizeof(struct mls_evbuf_info),
	  MLS_EVBUF_INFO_SIZE_VER0, 0, offsetof(struct mls_evbuf_info, reserved),
	  sizeof(__u64), false },
	CASE_R("config", MLS_IOC_EVBUF_CONFIG, mls_evbuf_config, MLS_EVBUF_CONFIG_SIZE_VER0,
	       MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL),
	{ "record", MLS_IOC_EVBUF_RECORD, sizeof(struct mls_evbuf_record),
	  MLS_EVBUF_RECORD_SIZE_VER0,
	  MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_GZIP,
	  offsetof(struct mls_evbuf_record, payload.reserved), sizeof(__u32), true },
	CASE_R("report", MLS_IOC_EVBUF_REPORT, mls_evbuf_report, MLS_EVBUF_REPORT_SIZE_VER0,
	       MLS_EVBUF_F_OWNER),
	CASE_R("state", MLS_IOC_EVBUF_STATE, mls_evbuf_state, MLS_EVBUF_STATE_SIZE_VER0,
	       MLS_EVBUF_F_OWNER),
	CASE_R("set_state", MLS_IOC_EVBUF_SET_STATE, mls_evbuf_set_state,
	       MLS_EVBUF_SET_STATE_SIZE_VER0, MLS_EVBUF_F_OWNER),
	CASE_N("remove", MLS_IOC_EVBUF_REMOVE, mls_evbuf_remove, MLS_EVBUF_REMOVE_SIZE_VER0,
	       MLS_EVBUF_F_OWNER),
	CASE_N("bench", MLS_IOC_EVBUF_BENCH, mls_evbuf_bench, MLS_EVBUF_BENCH_SIZE_VER0,
	       MLS_EVBUF_F_OWNER | MLS_EVBUF_F_BATCH_CLOCK),
};

/* A valid argument of @c aimed at the fixture's endpoint. */
static void ioc_valid(const struct ioc_case *c, void *buf)
{
	memset(buf, 0, 512);
	if (c->named)
		head_set(buf, "base", 0, 0);
	if (c->cmd == MLS_IOC_EVBUF_BENCH)
		((struct mls_evbuf_bench *)buf)->count = 1;
}

TEST_F(evb, arguments_of_every_ioctl)
{
	static const char *const bad_ids[] = {
		"",					/* empty */
		"with space", "tab\there", "del\x7f", "high\x80", "nl\n",
	};
	uint8_t buf[512], *b = buf;
	size_t i, j;
	int bit;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		const struct ioc_case *c = &ioc_cases[i];
		struct evb_head *h = (struct evb_head *)buf;

		TH_LOG("%s", c->name);
		/* Sizes below the first published one. */
		ioc_valid(c, buf);
		EXPECT_EQ(-EINVAL, xioctl(self->fd, IOC_SIZED(c->cmd, c->ver0 - 8), buf));
		EXPECT_EQ(-EINVAL, xioctl(self->fd, IOC_SIZED(c->cmd, 0), buf));
		/* A larger struct from a newer program: zero tail fine, else E2BIG. */
		ioc_valid(c, buf);
		if (c->cmd != MLS_IOC_EVBUF_REMOVE)
			EXPECT_EQ(0, xioctl(self->fd, IOC_SIZED(c->cmd, c->size + 16), buf));
		ioc_valid(c, buf);
		buf[c->size + 15] = 1;
		EXPECT_EQ(-E2BIG, xioctl(self->fd, IOC_SIZED(c->cmd, c->size + 16), buf));
		/* Bad pointers. */
		EXPECT_EQ(-EFAULT, xioctl(self->fd, c->cmd, NULL));
		EXPECT_EQ(-EFAULT, xioctl(self->fd, c->cmd, (void *)BAD_ADDR));
		/* Every unknown flag bit. */
		for (bit = 0; bit < 32; bit++) {
			if (c->flags_ok & (1U << bit))
				continue;
			ioc_valid(c, buf);
			*(__u32 *)buf = 1U << bit;
			EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		}
		/* The reserved field. */
		if (c->reserved_off >= 0) {
			ioc_valid(c, buf);
			b[c->reserved_off + c->reserved_len - 1] = 0x80;
			EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		}
		if (!c->named)
			continue;
		/* Bad ids: empty, unprintable, 64 bytes with no NUL, a tail after the NUL. */
		for (j = 0; j < ARRAY_SIZE(bad_ids); j++) {
			ioc_valid(c, buf);
			memset(h->id, 0, sizeof(h->id));
			strcpy(h->id, bad_ids[j]);
			EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		}
		ioc_valid(c, buf);
		memset(h->id, 'x', sizeof(h->id));
		EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		ioc_valid(c, buf);
		h->id[sizeof(h->id) - 1] = 'x';
		EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		/* 63 characters: the longest id, here unknown. */
		ioc_valid(c, buf);
		memset(h->id, 'y', sizeof(h->id) - 1);
		EXPECT_EQ(-ENOENT, xioctl(self->fd, c->cmd, buf));
		/* An owner that is not a uid. */
		ioc_valid(c, buf);
		h->flags = MLS_EVBUF_F_OWNER;
		h->owner = (__u32)-1;
		EXPECT_EQ(-EINVAL, xioctl(self->fd, c->cmd, buf));
		/* And the valid call itself works. */
		ioc_valid(c, buf);
		EXPECT_EQ(0, xioctl(self->fd, c->cmd, buf));
		if (c->cmd == MLS_IOC_EVBUF_REMOVE)
			ASSERT_EQ(0, evb_new(self->fd, "base", 0, 1, 5, 1, 1000, 1000));
	}
}

TEST_F(evb, arguments_specific)
{
	struct mls_evbuf_set_state s;
	struct mls_evbuf_report rep;
	struct mls_evbuf_bench bn;
	struct mls_evbuf_record r;
	char big[1];

	/* REPORT: only success or failure. */
	memset(&rep, 0, sizeof(rep));
	head_set(&rep, "base", 0, 0);
	rep.result = 2;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_REPORT, &rep));
	/* SET_STATE: four states. */
	EXPECT_EQ(-EINVAL, evb_set(self->fd, "base", 4));
	memset(&s, 0, sizeof(s));
	head_set(&s, "base", 0, 0);
	s.state = ALL_BITS;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_SET_STATE, &s));
	/* BENCH: 1 to 100000000 records. */
	memset(&bn, 0, sizeof(bn));
	head_set(&bn, "base", 0, 0);
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_BENCH, &bn));
	bn.count = 100000001;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_BENCH, &bn));
	bn.count = 1000;
	EXPECT_EQ(0, xioctl(self->fd, MLS_IOC_EVBUF_BENCH, &bn));
	EXPECT_EQ(1000, bn.done);
	EXPECT_EQ(1000, bn.admitted);
	bn.flags = MLS_EVBUF_F_BATCH_CLOCK;
	EXPECT_EQ(0, xioctl(self->fd, MLS_IOC_EVBUF_BENCH, &bn));
	EXPECT_EQ(1000, bn.done);
	EXPECT_EQ(1000, bn.admitted);
	bn.flags = MLS_EVBUF_F_GZIP;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_BENCH, &bn));
	/* RECORD: payload bounds and addresses. */
	memset(&r, 0, sizeof(r));
	head_set(&r, "base", 0, 0);
	mbuf(&r.payload, big, MLS_EVBUF_MAX_PAYLOAD + 1);
	EXPECT_EQ(-EINVAL, xioctl(self->fd, MLS_IOC_EVBUF_RECORD, &r));
	mbuf(&r.payload, (void *)BAD_ADDR, 16);
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MLS_IOC_EVBUF_RECORD, &r));
	mbuf(&r.payload, (void *)LOW_ADDR, 16);
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MLS_IOC_EVBUF_RECORD, &r));
	/* CONFIG: EXCL alone, unknown mask bits. */
	EXPECT_EQ(-EINVAL, evb_cfg(self->fd, "base", MLS_EVBUF_F_EXCL, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, evb_cfg(self->fd, "base", 0, MLS_EVBUF_CFG_ALL + 1, NULL, NULL));
	EXPECT_EQ(-EINVAL, evb_cfg(self->fd, "base", 0, 1U << 31, NULL, NULL));
	/* An unknown ioctl number in the event buffer's range. */
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOWR(MLS_IOC_MAGIC, 0x4e, struct mls_evbuf_info),
				  &r));
	/* A known number in the wrong direction. */
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOR(MLS_IOC_MAGIC, 0x42, struct mls_evbuf_record),
				  &r));
}

TEST_F(evb, missing_endpoint_enoent)
{
	struct mls_evbuf_state st;

	EXPECT_EQ(-ENOENT, evb_rec(self->fd, "nothing"));
	EXPECT_EQ(-ENOENT, evb_fail(self->fd, "nothing"));
	EXPECT_EQ(-ENOENT, evb_state(self->fd, "nothing", &st));
	EXPECT_EQ(-ENOENT, evb_set(self->fd, "nothing", MLS_EVBUF_OPEN));
	EXPECT_EQ(-ENOENT, evb_rm(self->fd, "nothing"));
	EXPECT_EQ(-ENOENT, evb_cfg(self->fd, "nothing", 0, 0, NULL, NULL));
	/* Ids are exact: a prefix or a longer one is another endpoint. */
	EXPECT_EQ(-ENOENT, evb_rec(self->fd, "bas"));
	EXPECT_EQ(-ENOENT, evb_rec(self->fd, "base2"));
	EXPECT_EQ(0, evb_rec(self->fd, "base"));
}

/* ------------------------------------------------------------- configuration */

TEST_F(evb, config_defaults_update_and_ranges)
{
	struct mls_evbuf_config c, out;
	struct mls_evbuf_state st;

	/* Created with nothing set: the module's defaults. */
	ASSERT_EQ(0, evb_cfg(self->fd, "cfg", MLS_EVBUF_F_CREATE, 0, NULL, &out));
	EXPECT_EQ(mod_param("evbuf_rate"), out.rate);
	EXPECT_EQ(mod_param("evbuf_burst"), out.burst);
	EXPECT_EQ(mod_param("evbuf_fail_threshold"), out.fail_threshold);
	EXPECT_EQ(mod_param("evbuf_half_open_probes"), out.half_open_probes);
	EXPECT_EQ(mod_param("evbuf_open_base_ms"), out.open_base_ms);
	EXPECT_EQ(mod_param("evbuf_open_max_ms"), out.open_max_ms);
	EXPECT_EQ(MLS_EVBUF_ACCESS_PRIVATE, out.access);
	EXPECT_EQ(getuid(), out.owner);
	/* It exists: EXCL says so, CREATE alone is an update. */
	EXPECT_EQ(-EEXIST, evb_cfg(self->fd, "cfg", MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL,
				   0, NULL, NULL));
	EXPECT_EQ(0, evb_cfg(self->fd, "cfg", MLS_EVBUF_F_CREATE, 0, NULL, NULL));

	/* One group of fields at a time; the others stay. */
	memset(&c, 0, sizeof(c));
	c.rate = 7;
	c.burst = 3;
	ASSERT_EQ(0, evb_cfg(self->fd, "cfg", 0, MLS_EVBUF_CFG_RATE, &c, &out));
	EXPECT_EQ(7, out.rate);
	EXPECT_EQ(3, out.burst);
	EXPECT_EQ(mod_param("evbuf_fail_threshold"), out.fail_threshold);
	c.open_base_ms = 10;
	c.open_max_ms = 20;
	ASSERT_EQ(0, evb_cfg(self->fd, "cfg", 0, MLS_EVBUF_CFG_OPEN_TIME, &c, &out));
	EXPECT_EQ(7, out.rate);
	EXPECT_EQ(10, out.open_base_ms);
	EXPECT_EQ(20, out.open_max_ms);
	c.access = MLS_EVBUF_ACCESS_SHARED;
	ASSERT_EQ(0, evb_cfg(self->fd, "cfg", 0, MLS_EVBUF_CFG_ACCESS, &c, &out));
	EXPECT_EQ(MLS_EVBUF_ACCESS_SHARED, out.access);
	/* A read changes nothing. */
	ASSERT_EQ(0, evb_cfg(self->fd, "cfg", 0, 0, NULL, &out));
	EXPECT_EQ(7, out.rate);
	EXPECT_EQ(20, out.open_max_ms);

	/* Out of range, one at a time; nothing changes. */
#define BAD_CFG(field, value, mask) do {					\
	struct mls_evbuf_config _c = out;					\
	_c.field = (value);							\
	EXPECT_EQ(-EINVAL, evb_cfg(self->fd, "cfg", 0, (mask), &_c, NULL));	\
} while (0)
	BAD_CFG(rate, MLS_EVBUF_MAX_RATE + 1, MLS_EVBUF_CFG_RATE);
	BAD_CFG(burst, 0, MLS_EVBUF_CFG_RATE);
	BAD_CFG(burst, MLS_EVBUF_MAX_BURST + 1, MLS_EVBUF_CFG_RATE);
	BAD_CFG(fail_threshold, 0, MLS_EVBUF_CFG_THRESHOLD);
	BAD_CFG(fail_threshold, MLS_EVBUF_MAX_THRESHOLD + 1, MLS_EVBUF_CFG_THRESHOLD);
	BAD_CFG(half_open_probes, 0, MLS_EVBUF_CFG_PROBES);
	BAD_CFG(half_open_probes, MLS_EVBUF_MAX_PROBES + 1, MLS_EVBUF_CFG_PROBES);
	BAD_CFG(open_base_ms, 0, MLS_EVBUF_CFG_OPEN_TIME);
	BAD_CFG(open_base_ms, 21, MLS_EVBUF_CFG_OPEN_TIME);	/* above max 20 */
	BAD_CFG(open_max_ms, MLS_EVBUF_MAX_OPEN_MS + 1, MLS_EVBUF_CFG_OPEN_TIME);
	BAD_CFG(access, 2, MLS_EVBUF_CFG_ACCESS);
	/* Also when creating: no endpoint is left behind. */
	memset(&c, 0, sizeof(c));
	c.burst = 0;
	EXPECT_EQ(-EINVAL, evb_cfg(self->fd, "cfg2", MLS_EVBUF_F_CREATE, MLS_EVBUF_CFG_RATE,
				   &c, NULL));
	EXPECT_EQ(-ENOENT, evb_state(self->fd, "cfg2", &st));
	/* The limits themselves are fine. */
	c.rate = MLS_EVBUF_MAX_RATE;
	c.burst = MLS_EVBUF_MAX_BURST;
	c.fail_threshold = MLS_EVBUF_MAX_THRESHOLD;
	c.half_open_probes = MLS_EVBUF_MAX_PROBES;
	c.open_base_ms = MLS_EVBUF_MAX_OPEN_BASE_MS;
	c.open_max_ms = MLS_EVBUF_MAX_OPEN_MS;
	EXPECT_EQ(0, evb_cfg(self->fd, "cfg", 0, MLS_EVBUF_CFG_ALL, &c, &out));
	EXPECT_EQ(MLS_EVBUF_MAX_OPEN_MS, out.open_max_ms);
	EXPECT_EQ(0, evb_rm(self->fd, "cfg"));
	EXPECT_EQ(-ENOENT, evb_rm(self->fd, "cfg"));
}

TEST_F(evb, record_create_and_remove)
{
	struct mls_evbuf_state st;

	EXPECT_EQ(-ENOENT, evb_rec(self->fd, "rc"));
	EXPECT_EQ(0, evb_rec_as(self->fd, "rc", MLS_EVBUF_F_CREATE, 0, NULL, 0));
	EXPECT_EQ(0, evb_rec_as(self->fd, "rc", MLS_EVBUF_F_CREATE, 0, NULL, 0));
	ASSERT_EQ(0, evb_state(self->fd, "rc", &st));
	EXPECT_EQ(2, st.events);
	EXPECT_EQ(MLS_EVBUF_CLOSED, st.state);
	EXPECT_EQ(getuid(), st.owner);
	EXPECT_EQ(0, evb_rm(self->fd, "rc"));
	EXPECT_EQ(-ENOENT, evb_state(self->fd, "rc", &st));
	EXPECT_EQ(-ENOENT, evb_rec(self->fd, "rc"));
	/* Made again, it starts afresh. */
	EXPECT_EQ(0, evb_rec_as(self->fd, "rc", MLS_EVBUF_F_CREATE, 0, NULL, 0));
	ASSERT_EQ(0, evb_state(self->fd, "rc", &st));
	EXPECT_EQ(1, st.events);
	EXPECT_EQ(0, evb_rm(self->fd, "rc"));
}

/* ------------------------------------------------------------ the rate limit */

TEST_F(evb, burst_then_throttled)
{
	struct mls_evbuf_state st;
	int i;

	/* One per second, five at once: the first five pass, then no more. */
	ASSERT_EQ(0, evb_new(self->fd, "b5", 1, 5, 5, 1, 1000, 1000));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, evb_rec(self->fd, "b5"));
	EXPECT_EQ(-EAGAIN, evb_rec(self->fd, "b5"));
	EXPECT_EQ(-EAGAIN, evb_rec(self->fd, "b5"));
	ASSERT_EQ(0, evb_state(self->fd, "b5", &st));
	EXPECT_EQ(1, st.throttled);
	EXPECT_LT(0, st.retry_ns);
	EXPECT_GE(1000000000ULL, st.retry_ns);
	EXPECT_EQ(5, st.events);
	EXPECT_EQ(2, st.throttled_events);
	EXPECT_EQ(MLS_EVBUF_CLOSED, st.state);
	/* Throttled is a comparison with now: once the interval passes, one more. */
	sleep_ms((unsigned int)(st.retry_ns / 1000000) + 20);
	ASSERT_EQ(0, evb_state(self->fd, "b5", &st));
	EXPECT_EQ(0, st.throttled);
	EXPECT_EQ(0, evb_rec(self->fd, "b5"));
	EXPECT_EQ(-EAGAIN, evb_rec(self->fd, "b5"));
	EXPECT_EQ(0, evb_rm(self->fd, "b5"));
}

TEST_F(evb, no_rate_no_limit)
{
	struct mls_evbuf_state st;
	int i;

	ASSERT_EQ(0, evb_new(self->fd, "free", 0, 1, 5, 1, 1000, 1000));
	for (i = 0; i < 2000; i++)
		ASSERT_EQ(0, evb_rec(self->fd, "free"));
	ASSERT_EQ(0, evb_state(self->fd, "free", &st));
	EXPECT_EQ(2000, st.events);
	EXPECT_EQ(0, st.throttled);
	EXPECT_EQ(0, st.throttled_events);
	EXPECT_EQ(0, evb_rm(self->fd, "free"));
}

/*
 * GCRA accuracy: over any interval, admitted events stay within
 * rate * time + burst. Each admitted record is stamped before and after
 * its call; for every pair (i, j) of admitted records, the kernel admitted
 * j - i + 1 events within [before_i, after_j], which must not exceed
 * rate * (after_j - before_i) + burst. The bound is asserted, never a
 * timing.
 */
static void gcra_run(struct __test_metadata *_metadata, int fd, const char *name,
		     __u32 rate, __u32 burst, double seconds)
{
	size_t cap = (size_t)(rate * seconds + burst) + 16, n = 0, calls = 0, i, j;
	double *before = calloc(cap, sizeof(double)), *after = calloc(cap, sizeof(double));
	double t0, t, worst = 0;
	struct mls_evbuf_state st;
	int r;

	ASSERT_NE(NULL, before);
	ASSERT_NE(NULL, after);
	ASSERT_EQ(0, evb_new(fd, name, rate, burst, 5, 1, 1000, 1000));
	t0 = mono_s();
	do {
		t = mono_s();
		r = evb_rec(fd, name);
		calls++;
		if (r == 0) {
			ASSERT_GT(cap, n);
			before[n] = t;
			after[n++] = mono_s();
		} else {
			ASSERT_EQ(-EAGAIN, r);
		}
	} while (mono_s() - t0 < seconds);

	for (i = 0; i < n; i++) {
		for (j = i; j < n; j++) {
			double bound = rate * (after[j] - before[i]) + burst;
			double excess = (double)(j - i + 1) - bound;

			if (excess > worst)
				worst = excess;
		}
	}
	TH_LOG("rate %u burst %u: %zu of %zu records admitted in %.3f s; worst window %+.4f over the bound",
	       rate, burst, n, calls, mono_s() - t0, worst);
	/* 1e-3: the 16 ns tick of the kernel's clock (a bound of 16e-9 * rate). */
	EXPECT_GE(1e-3, worst);
	/* Tokens only accumulate: at least the burst passes. */
	EXPECT_LE(burst, n);
	ASSERT_EQ(0, evb_state(fd, name, &st));
	EXPECT_EQ(n, st.events);
	EXPECT_EQ(calls - n, st.throttled_events + st.contended);
	EXPECT_EQ(0, evb_rm(fd, name));
	free(before);
	free(after);
}

TEST_F(evb, gcra_accuracy)
{
	gcra_run(_metadata, self->fd, "g1", 1000, 20, 0.5);
	gcra_run(_metadata, self->fd, "g2", 10000, 1, 0.3);
	gcra_run(_metadata, self->fd, "g3", 50, 5, 0.5);
	gcra_run(_metadata, self->fd, "g4", 3000, 300, 0.3);
}

/* --------------------------------------------------------------- the breaker */

static void expect_state(struct __test_metadata *_metadata, int fd, const char *name,
			 __u32 state, __u32 trips, __u32 failures)
{
	struct mls_evbuf_state st;

	ASSERT_EQ(0, evb_state(fd, name, &st));
	EXPECT_EQ(state, st.state);
	EXPECT_EQ(trips, st.trips);
	EXPECT_EQ(failures, st.failures);
}

TEST_F(evb, breaker_trips_reopens_and_closes)
{
	struct mls_evbuf_info i0, i1;
	struct mls_evbuf_state st;

	/* No rate; 3 failures trip it; 2 probes; open 500 ms, then 1 s, at most 1.5 s. */
	ASSERT_EQ(0, evb_new(self->fd, "brk", 0, 1, 3, 2, 500, 1500));
	ASSERT_EQ(0, evb_info(self->fd, &i0));

	/* closed: failures count, a success clears them */
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	expect_state(_metadata, self->fd, "brk", MLS_EVBUF_CLOSED, 0, 2);
	EXPECT_EQ(0, evb_ok(self->fd, "brk"));
	expect_state(_metadata, self->fd, "brk", MLS_EVBUF_CLOSED, 0, 0);

	/* closed -> open at the threshold of consecutive failures */
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(MLS_EVBUF_OPEN, st.state);
	EXPECT_EQ(1, st.trips);
	EXPECT_LT(0, st.reopen_ns);
	EXPECT_GE(500000000ULL, st.reopen_ns);
	/* open: refused; a late outcome changes nothing */
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "brk"));
	EXPECT_EQ(0, evb_ok(self->fd, "brk"));
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	expect_state(_metadata, self->fd, "brk", MLS_EVBUF_OPEN, 1, 0);

	/* open -> half-open once the open time passed: two probes, then refused */
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	sleep_ms((unsigned int)(st.reopen_ns / 1000000) + 20);
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, st.state);
	EXPECT_EQ(0, st.reopen_ns);
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "brk"));
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, st.state);
	EXPECT_EQ(2, st.probes);
	EXPECT_EQ(0, st.probe_successes);

	/* half-open -> open on a failed probe, for twice as long */
	EXPECT_EQ(0, evb_ok(self->fd, "brk"));
	EXPECT_EQ(0, evb_fail(self->fd, "brk"));
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(MLS_EVBUF_OPEN, st.state);
	EXPECT_EQ(2, st.trips);
	EXPECT_LT(500000000ULL, st.reopen_ns);
	EXPECT_GE(1000000000ULL, st.reopen_ns);
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "brk"));

	/* half-open -> closed after two successful probes; trips back to 0 */
	sleep_ms((unsigned int)(st.reopen_ns / 1000000) + 20);
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));
	EXPECT_EQ(0, evb_ok(self->fd, "brk"));
	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, st.state);
	EXPECT_EQ(1, st.probe_successes);
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));
	EXPECT_EQ(0, evb_ok(self->fd, "brk"));
	expect_state(_metadata, self->fd, "brk", MLS_EVBUF_CLOSED, 0, 0);
	EXPECT_EQ(0, evb_rec(self->fd, "brk"));

	ASSERT_EQ(0, evb_state(self->fd, "brk", &st));
	EXPECT_EQ(3, st.refused_events);
	EXPECT_EQ(7, st.failures_total);
	EXPECT_EQ(5, st.successes_total);
	/* Each transition is counted: 2 trips, 2 half-opens, 1 close. */
	ASSERT_EQ(0, evb_info(self->fd, &i1));
	EXPECT_EQ(2, i1.trips - i0.trips);
	EXPECT_EQ(2, i1.half_opens - i0.half_opens);
	EXPECT_EQ(1, i1.closes - i0.closes);
	EXPECT_EQ(0, evb_rm(self->fd, "brk"));
}

TEST_F(evb, open_time_doubles_up_to_its_cap)
{
	static const unsigned int expect_ms[] = { 1000, 2000, 3000, 3000, 3000 };
	struct mls_evbuf_state st;
	unsigned int i;

	ASSERT_EQ(0, evb_new(self->fd, "cap", 0, 1, 1, 1, 1000, 3000));
	for (i = 0; i < ARRAY_SIZE(expect_ms); i++) {
		/* Set open by hand: one more trip each time. */
		ASSERT_EQ(0, evb_set(self->fd, "cap", MLS_EVBUF_OPEN));
		ASSERT_EQ(0, evb_state(self->fd, "cap", &st));
		EXPECT_EQ(MLS_EVBUF_OPEN, st.state);
		EXPECT_EQ(i + 1, st.trips);
		EXPECT_GE(expect_ms[i] * 1000000ULL, st.reopen_ns);
		EXPECT_LT((expect_ms[i] - 900) * 1000000ULL, st.reopen_ns);
	}
	/* Trips saturate instead of wrapping. */
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, evb_set(self->fd, "cap", MLS_EVBUF_OPEN));
	ASSERT_EQ(0, evb_state(self->fd, "cap", &st));
	EXPECT_EQ(31, st.trips);
	EXPECT_GE(3000000000ULL, st.reopen_ns);
	EXPECT_EQ(0, evb_rm(self->fd, "cap"));
}

TEST_F(evb, set_state_by_hand)
{
	struct mls_evbuf_state st;
	int i;

	ASSERT_EQ(0, evb_new(self->fd, "hand", 1, 2, 5, 1, 100, 100));
	/* forced open: refused whatever the time */
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_FORCED_OPEN));
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "hand"));
	sleep_ms(250);
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "hand"));
	EXPECT_EQ(0, evb_fail(self->fd, "hand"));
	expect_state(_metadata, self->fd, "hand", MLS_EVBUF_FORCED_OPEN, 0, 0);
	/* closed: a reset, with the full burst back */
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_CLOSED));
	EXPECT_EQ(0, evb_rec(self->fd, "hand"));
	EXPECT_EQ(0, evb_rec(self->fd, "hand"));
	EXPECT_EQ(-EAGAIN, evb_rec(self->fd, "hand"));
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_CLOSED));
	EXPECT_EQ(0, evb_rec(self->fd, "hand"));
	/* half-open by hand: one probe */
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_HALF_OPEN));
	EXPECT_EQ(0, evb_rec(self->fd, "hand"));
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "hand"));
	EXPECT_EQ(0, evb_ok(self->fd, "hand"));
	expect_state(_metadata, self->fd, "hand", MLS_EVBUF_CLOSED, 0, 0);
	/* open by hand, from closed */
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_OPEN));
	expect_state(_metadata, self->fd, "hand", MLS_EVBUF_OPEN, 1, 0);
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "hand"));
	/* forced open from open, then closed again */
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_FORCED_OPEN));
	expect_state(_metadata, self->fd, "hand", MLS_EVBUF_FORCED_OPEN, 1, 0);
	EXPECT_EQ(0, evb_set(self->fd, "hand", MLS_EVBUF_CLOSED));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, evb_rec(self->fd, "hand"));
	ASSERT_EQ(0, evb_state(self->fd, "hand", &st));
	EXPECT_EQ(MLS_EVBUF_CLOSED, st.state);
	EXPECT_EQ(0, st.trips);
	EXPECT_EQ(0, evb_rm(self->fd, "hand"));
}

TEST_F(evb, half_open_probe_without_outcome_is_given_up)
{
	struct mls_evbuf_state st;

	/* One probe; its outcome never comes. After one base time, another. */
	ASSERT_EQ(0, evb_new(self->fd, "lost", 0, 1, 1, 1, 300, 300));
	EXPECT_EQ(0, evb_fail(self->fd, "lost"));
	expect_state(_metadata, self->fd, "lost", MLS_EVBUF_OPEN, 1, 0);
	sleep_ms(320);
	EXPECT_EQ(0, evb_rec(self->fd, "lost"));
	EXPECT_EQ(-ECONNREFUSED, evb_rec(self->fd, "lost"));
	sleep_ms(320);
	EXPECT_EQ(0, evb_rec(self->fd, "lost"));
	ASSERT_EQ(0, evb_state(self->fd, "lost", &st));
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, st.state);
	EXPECT_EQ(1, st.probes);
	EXPECT_EQ(0, evb_ok(self->fd, "lost"));
	expect_state(_metadata, self->fd, "lost", MLS_EVBUF_CLOSED, 0, 0);
	EXPECT_EQ(0, evb_rm(self->fd, "lost"));
}

TEST_F(evb, failures_saturate_at_the_threshold)
{
	int i;

	/* A threshold of 1000 and 1000 failures: open, not wrapped. */
	ASSERT_EQ(0, evb_new(self->fd, "many", 0, 1, MLS_EVBUF_MAX_THRESHOLD, 1, 1000, 1000));
	for (i = 0; i < MLS_EVBUF_MAX_THRESHOLD - 1; i++)
		ASSERT_EQ(0, evb_fail(self->fd, "many"));
	expect_state(_metadata, self->fd, "many", MLS_EVBUF_CLOSED, 0,
		     MLS_EVBUF_MAX_THRESHOLD - 1);
	EXPECT_EQ(0, evb_fail(self->fd, "many"));
	expect_state(_metadata, self->fd, "many", MLS_EVBUF_OPEN, 1, 0);
	EXPECT_EQ(0, evb_rm(self->fd, "many"));
}

/* ---------------------------------------------------------------- access */

/* In a child as another uid: the line of the first check that failed. */
static int *child_line;

#define CHILD_CHECK(cond) do {							\
	if (!(cond)) {								\
		*child_line = __LINE__;						\
		return 1;							\
	}									\
} while (0)

/* 0 when @fn held as @uid; else -1, and the failing line in @line. */
static int run_as(uid_t uid, int (*fn)(int fd), int *line)
{
	pid_t pid;
	int status;

	child_line = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_line == MAP_FAILED)
		return -1;
	*child_line = 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd;

		if (setgid(uid) || setuid(uid))
			_exit(2);
		fd = open("/dev/mls", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(3);
		_exit(fn(fd));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	*line = *child_line;
	munmap(child_line, sizeof(int));
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* Root's "priv" (private) and "shared", seen by uid 1000. */
static int other_user(int fd)
{
	struct mls_evbuf_config c;
	struct mls_evbuf_state st;
	struct mls_evbuf_bench bn;

	/* Its own namespace does not have root's endpoints. */
	CHILD_CHECK(evb_state(fd, "priv", &st) == -ENOENT);
	/* Root's private endpoint: not to be used, let alone changed. */
	CHILD_CHECK(evb_state_as(fd, "priv", FLAGS_ID, 0, &st) == -EACCES);
	CHILD_CHECK(evb_rec_as(fd, "priv", FLAGS_ID, 0, NULL, 0) == -EACCES);
	CHILD_CHECK(evb_report_as(fd, "priv", FLAGS_ID, 0, MLS_EVBUF_FAILURE) == -EACCES);
	memset(&bn, 0, sizeof(bn));
	head_set(&bn, "priv", FLAGS_ID, 0);
	bn.count = 10;
	CHILD_CHECK(xioctl(fd, MLS_IOC_EVBUF_BENCH, &bn) == -EACCES);
	memset(&c, 0, sizeof(c));
	c.owner = 0;
	CHILD_CHECK(evb_cfg(fd, "priv", FLAGS_ID, 0, &c, NULL) == -EPERM);
	CHILD_CHECK(evb_set_as(fd, "priv", FLAGS_ID, 0, MLS_EVBUF_OPEN) == -EPERM);
	CHILD_CHECK(evb_rm_as(fd, "priv", FLAGS_ID, 0) == -EPERM);
	/* Nor made in root's namespace. */
	CHILD_CHECK(evb_rec_as(fd, "new", FLAGS_ID | MLS_EVBUF_F_CREATE, 0, NULL, 0) == -EPERM);
	CHILD_CHECK(evb_cfg(fd, "new", FLAGS_ID | MLS_EVBUF_F_CREATE, 0, &c, NULL) == -EPERM);
	/* Root's shared endpoint: record, report, read; nothing more. */
	CHILD_CHECK(evb_rec_as(fd, "shared", FLAGS_ID, 0, NULL, 0) == 0);
	CHILD_CHECK(evb_report_as(fd, "shared", FLAGS_ID, 0, MLS_EVBUF_FAILURE) == 0);
	CHILD_CHECK(evb_state_as(fd, "shared", FLAGS_ID, 0, &st) == 0);
	CHILD_CHECK(st.owner == 0 && st.events == 1 && st.failures == 1);
	CHILD_CHECK(evb_cfg(fd, "shared", FLAGS_ID, 0, &c, NULL) == -EPERM);
	CHILD_CHECK(evb_set_as(fd, "shared", FLAGS_ID, 0, MLS_EVBUF_CLOSED) == -EPERM);
	CHILD_CHECK(evb_rm_as(fd, "shared", FLAGS_ID, 0) == -EPERM);
	/* Its own "priv" is another endpoint, in its own namespace. */
	CHILD_CHECK(evb_cfg(fd, "priv", MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL, 0, NULL, &c) == 0);
	CHILD_CHECK(c.owner == OTHER_UID);
	CHILD_CHECK(evb_rec(fd, "priv") == 0);
	CHILD_CHECK(evb_state(fd, "priv", &st) == 0 && st.events == 1 && st.owner == OTHER_UID);
	/* Named by its uid, it is the same one. */
	CHILD_CHECK(evb_state_as(fd, "priv", FLAGS_ID, OTHER_UID, &st) == 0 && st.events == 1);
	return 0;
}

TEST_F(evb, access_by_another_user)
{
	struct mls_evbuf_config c = { 0 };
	struct mls_evbuf_state st;
	int line = 0;

	ASSERT_EQ(0, getuid());
	ASSERT_EQ(0, evb_new(self->fd, "priv", 0, 1, 5, 1, 1000, 1000));
	c.access = MLS_EVBUF_ACCESS_SHARED;
	c.rate = 0;
	c.burst = 1;
	ASSERT_EQ(0, evb_cfg(self->fd, "shared", MLS_EVBUF_F_CREATE,
			     MLS_EVBUF_CFG_ACCESS | MLS_EVBUF_CFG_RATE, &c, NULL));
	EXPECT_EQ(0, run_as(OTHER_UID, other_user, &line));
	if (line)
		TH_LOG("uid %d: the check at line %d failed", OTHER_UID, line);

	/* Root's endpoints: the private one untouched, the shared one used. */
	ASSERT_EQ(0, evb_state(self->fd, "priv", &st));
	EXPECT_EQ(0, st.events);
	EXPECT_EQ(MLS_EVBUF_CLOSED, st.state);
	ASSERT_EQ(0, evb_state(self->fd, "shared", &st));
	EXPECT_EQ(1, st.events);
	EXPECT_EQ(1, st.failures_total);
	/* CAP_NET_ADMIN reaches into uid 1000's namespace. */
	ASSERT_EQ(0, evb_state_as(self->fd, "priv", FLAGS_ID, OTHER_UID, &st));
	EXPECT_EQ(1, st.events);
	EXPECT_EQ(OTHER_UID, st.owner);
	EXPECT_EQ(0, evb_set_as(self->fd, "priv", FLAGS_ID, OTHER_UID, MLS_EVBUF_FORCED_OPEN));
	EXPECT_EQ(0, evb_rm_as(self->fd, "priv", FLAGS_ID, OTHER_UID));
	EXPECT_EQ(-ENOENT, evb_state_as(self->fd, "priv", FLAGS_ID, OTHER_UID, &st));
	EXPECT_EQ(0, evb_rm(self->fd, "priv"));
	EXPECT_EQ(0, evb_rm(self->fd, "shared"));
}

/* ------------------------------------------------------------- a full table */

TEST_F_TIMEOUT(evb, full_table_enospc_never_evicts, 300)
{
	struct mls_evbuf_info info;
	struct mls_evbuf_state st;
	unsigned int n, room, i;
	char name[32];

	ASSERT_EQ(0, evb_info(self->fd, &info));
	EXPECT_EQ(mod_param("evbuf_slots"), info.slots);
	EXPECT_EQ(info.slots - info.slots / 4, info.user_slots);
	ASSERT_GE(info.user_slots, info.user_used);
	room = info.user_slots - info.user_used;
	TH_LOG("%u slots, %u for users, %u in use, %u user endpoints: filling %u",
	       info.slots, info.user_slots, info.used, info.user_used, room);
	for (n = 0; n < room; n++) {
		snprintf(name, sizeof(name), "full%u", n);
		ASSERT_EQ(0, evb_new(self->fd, name, 0, 1, 5, 1, 1000, 1000));
	}
	ASSERT_EQ(0, evb_info(self->fd, &info));
	EXPECT_EQ(info.user_slots, info.user_used);
	/* Full: no new endpoint, by CONFIG or by RECORD, and no eviction. */
	EXPECT_EQ(-ENOSPC, evb_new(self->fd, "one-more", 0, 1, 5, 1, 1000, 1000));
	EXPECT_EQ(-ENOSPC, evb_rec_as(self->fd, "one-more", MLS_EVBUF_F_CREATE, 0, NULL, 0));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "full%u", i);
		ASSERT_EQ(0, evb_rec(self->fd, name));
	}
	EXPECT_EQ(0, evb_rec(self->fd, "base"));
	/* One out, one in. */
	EXPECT_EQ(0, evb_rm(self->fd, "full0"));
	EXPECT_EQ(0, evb_new(self->fd, "one-more", 0, 1, 5, 1, 1000, 1000));
	EXPECT_EQ(-ENOSPC, evb_new(self->fd, "full0", 0, 1, 5, 1, 1000, 1000));
	for (i = 1; i < n; i++) {
		snprintf(name, sizeof(name), "full%u", i);
		ASSERT_EQ(0, evb_state(self->fd, name, &st));
		EXPECT_EQ(1, st.events);
		ASSERT_EQ(0, evb_rm(self->fd, name));
	}
	EXPECT_EQ(0, evb_rm(self->fd, "one-more"));
	ASSERT_EQ(0, evb_info(self->fd, &info));
	EXPECT_EQ(self->info0.user_used + 1, info.user_used);	/* "base" */
}

/* ------------------------------------------------------- the gzip bomb check */

/* gzip -9 of 627 bytes of text (dynamic Huffman codes) */
static const uint8_t gz_text_data[228] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x65, 0x51,
	0x8b, 0x0e, 0x83, 0x20, 0x0c, 0xfc, 0x15, 0x7e, 0xad, 0xc1, 0x3a, 0x8d,
	0x4a, 0x09, 0xb2, 0x2c, 0xfb, 0xfb, 0xf5, 0xc9, 0x34, 0x26, 0x46, 0xa0,
	0x3d, 0xee, 0xae, 0xc7, 0x86, 0xdf, 0xb4, 0x96, 0x74, 0x62, 0x6e, 0xd8,
	0x53, 0x6d, 0x54, 0xe9, 0x84, 0x3d, 0x75, 0x4a, 0x3b, 0xc2, 0x9c, 0xb0,
	0x52, 0x5e, 0xe4, 0x54, 0xa8, 0x64, 0x14, 0xe4, 0xc6, 0x17, 0x5e, 0x8d,
	0xde, 0x55, 0xaa, 0x7c, 0xe6, 0x8f, 0x37, 0x7d, 0xc1, 0xe0, 0x10, 0x80,
	0x6f, 0xa1, 0x4c, 0xda, 0x31, 0x16, 0x25, 0xec, 0x0d, 0x05, 0x59, 0x26,
	0x6c, 0x29, 0xd3, 0x71, 0xac, 0xdd, 0xbb, 0x26, 0xe0, 0x54, 0xa0, 0x7f,
	0x9a, 0x1f, 0xbe, 0x1a, 0xf4, 0xbc, 0x70, 0xc1, 0x19, 0xbc, 0xcd, 0xb7,
	0xcc, 0x92, 0x91, 0x40, 0x30, 0xc3, 0x70, 0x30, 0x08, 0xd8, 0x2e, 0xa8,
	0xc5, 0x0f, 0xee, 0x8c, 0xc2, 0xbb, 0xba, 0x98, 0x8b, 0x06, 0x23, 0x43,
	0xed, 0x4a, 0xee, 0xd4, 0xd1, 0xb2, 0xa1, 0x68, 0x04, 0x36, 0x84, 0xf4,
	0x04, 0xe1, 0xd0, 0x54, 0xfe, 0xb6, 0x9e, 0x83, 0xe8, 0x22, 0x56, 0x2f,
	0xfa, 0x3e, 0x0e, 0xcf, 0x60, 0xa1, 0x3e, 0x53, 0x53, 0x95, 0xe0, 0xd2,
	0x77, 0x54, 0x8c, 0x19, 0x1e, 0x39, 0x18, 0x8f, 0x5b, 0x71, 0x48, 0xc8,
	0xc4, 0x3a, 0x8c, 0x47, 0xa6, 0x6c, 0xc5, 0x1f, 0x21, 0x42, 0xbc, 0x24,
	0x22, 0xa5, 0x08, 0x5b, 0xbc, 0x8d, 0xc9, 0xfe, 0x96, 0xbd, 0xc4, 0x97,
	0xee, 0x51, 0xc3, 0x0f, 0x5f, 0x7c, 0x18, 0xdf, 0x73, 0x02, 0x00, 0x00,
};
/* gzip -9 of 300000 zero bytes: a 923:1 bomb */
static const uint8_t gz_zeros_data[325] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1,
	0x01, 0x0d, 0x00, 0x00, 0x00, 0xc2, 0xa0, 0xf7, 0x4f, 0x6d, 0x0f, 0x07,
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xfc, 0x18, 0xfb, 0xe2, 0xb2, 0xf6, 0xe0, 0x93, 0x04,
	0x00,
};

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
	}
	return ~c;
}

struct bitw {
	uint8_t *p;
	size_t n;	/* bits written */
};

static void bits_put(struct bitw *w, uint32_t v, int count)
{
	int i;

	for (i = 0; i < count; i++, w->n++) {
		if (!(w->n % 8))
			w->p[w->n / 8] = 0;
		w->p[w->n / 8] |= ((v >> i) & 1) << (w->n % 8);
	}
}

/* Huffman codes go most significant bit first. */
static void code_put(struct bitw *w, uint32_t code, int len)
{
	while (len--)
		bits_put(w, (code >> len) & 1, 1);
}

/*
 * A fixed-Huffman deflate block: one literal 0, then @matches copies of
 * 258 bytes at distance 1 (optionally one at distance 2 first, which
 * reaches before the start). Inflates to 1 + 258 * @matches zeros.
 */
static size_t deflate_zeros(uint8_t *out, unsigned int matches, bool too_far)
{
	struct bitw w = { out, 0 };
	unsigned int i;

	bits_put(&w, 1, 1);		/* BFINAL */
	bits_put(&w, 1, 2);		/* BTYPE fixed */
	if (too_far) {
		code_put(&w, 0x30 + 0, 8);	/* literal 0 */
		code_put(&w, 0xc5, 8);		/* length 258: code 285 */
		code_put(&w, 1, 5);		/* distance 2: code 1 */
	} else {
		code_put(&w, 0x30 + 0, 8);
	}
	for (i = 0; i < matches; i++) {
		code_put(&w, 0xc5, 8);	/* length 258 */
		code_put(&w, 0, 5);	/* distance 1 */
	}
	code_put(&w, 0, 7);		/* end of block: code 256 */
	return (w.n + 7) / 8;
}

/* A gzip member around @deflate, with its trailer (ISIZE as given). */
static size_t gz_member(uint8_t *out, uint8_t flg, const uint8_t *deflate, size_t dlen,
			uint32_t crc, uint32_t isize)
{
	size_t n = 0;

	out[n++] = 0x1f;
	out[n++] = 0x8b;
	out[n++] = 8;
	out[n++] = flg;
	memset(out + n, 0, 6);
	n += 6;
	memcpy(out + n, deflate, dlen);
	n += dlen;
	memcpy(out + n, &crc, 4);
	memcpy(out + n + 4, &isize, 4);
	return n + 8;
}

/* A stored deflate block holding @data. */
static size_t deflate_stored(uint8_t *out, const void *data, uint16_t len)
{
	out[0] = 1;	/* BFINAL, BTYPE stored */
	out[1] = (uint8_t)len;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)~len;
	out[4] = (uint8_t)(~len >> 8);
	memcpy(out + 5, data, len);
	return 5 + len;
}

static size_t gz_text(uint8_t *out, const char *text)
{
	uint8_t d[256];
	size_t len = strlen(text), dl = deflate_stored(d, text, (uint16_t)len);

	return gz_member(out, 0, d, dl, crc32_ieee((const uint8_t *)text, len), (uint32_t)len);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

TEST_F(evb, gzip_bomb_check)
{
	static uint8_t buf[65536 + 64], d[40000], tmp[65536];
	long long max_inflated = mod_param("evbuf_gzip_max_size");
	long long ratio = mod_param("evbuf_gzip_max_ratio");
	struct mls_evbuf_info i0, i1;
	struct mls_evbuf_state st;
	unsigned int bombs = 0, malformed = 0, checked = 0, admitted = 0;
	size_t n, dl, m;

	ASSERT_LT(0, max_inflated);
	ASSERT_LT(0, ratio);
	ASSERT_EQ(0, evb_new(self->fd, "gz", 0, 1, 5, 1, 1000, 1000));
	ASSERT_EQ(0, evb_info(self->fd, &i0));

#define REC(expect, p, len, flags) do {						\
	EXPECT_EQ((expect), evb_rec_as(self->fd, "gz", (flags), 0, (p), (len)));	\
	checked++;								\
	bombs += (expect) == -EMSGSIZE;						\
	malformed += (expect) == -EBADMSG;					\
	admitted += (expect) == 0;						\
} while (0)

	/* Fine: stored, dynamic Huffman (gzip -9), not gzip at all, empty. */
	n = gz_text(buf, "hello, event buffer");
	REC(0, buf, n, 0);
	REC(0, buf, n, MLS_EVBUF_F_GZIP);
	REC(0, gz_text_data, sizeof(gz_text_data), MLS_EVBUF_F_GZIP);
	REC(0, "plain text", 10, 0);
	/* Not gzip, but said to be. */
	REC(-EBADMSG, "plain text", 10, MLS_EVBUF_F_GZIP);
	REC(-EBADMSG, "", 0, MLS_EVBUF_F_GZIP);

	/* Malformed headers. */
	n = gz_text(buf, "hello");
	buf[2] = 7;					/* CM not deflate */
	REC(-EBADMSG, buf, n, 0);
	n = gz_text(buf, "hello");
	buf[3] = 0x20;					/* a reserved FLG bit */
	REC(-EBADMSG, buf, n, 0);
	n = gz_text(buf, "hello");
	buf[3] = 0x04;					/* FEXTRA: XLEN past the end */
	buf[10] = 0xff;
	buf[11] = 0xff;
	REC(-EBADMSG, buf, n, 0);
	memcpy(buf, "\x1f\x8b\x08\x08\0\0\0\0\0\x03name-without-nul", 26);
	REC(-EBADMSG, buf, 26, 0);			/* FNAME never ends */
	n = gz_text(buf, "hello");
	REC(-EBADMSG, buf, 12, 0);			/* no room for a trailer */
	/* FHCRC: a right one passes, a wrong one does not. */
	memcpy(tmp, "\x1f\x8b\x08\x02\0\0\0\0\0\x03", 10);
	m = crc32_ieee(tmp, 10) & 0xffff;
	tmp[10] = (uint8_t)m;
	tmp[11] = (uint8_t)(m >> 8);
	dl = deflate_stored(tmp + 12, "hi", 2);
	put_le32(tmp + 12 + dl, crc32_ieee((const uint8_t *)"hi", 2));
	put_le32(tmp + 16 + dl, 2);
	REC(0, tmp, 20 + dl, 0);
	tmp[10] ^= 1;
	REC(-EBADMSG, tmp, 20 + dl, 0);

	/* Malformed deflate data and trailers. */
	n = gz_text(buf, "hello");
	put_le32(buf + n - 4, 6);			/* ISIZE says 6, it is 5 */
	REC(-EBADMSG, buf, n, 0);
	n = gz_text(buf, "hello");
	buf[10] = 0x07;					/* BTYPE 3 */
	REC(-EBADMSG, buf, n, 0);
	n = gz_text(buf, "hello");
	buf[13] ^= 0xff;				/* NLEN not ~LEN */
	REC(-EBADMSG, buf, n, 0);
	n = gz_text(buf, "hello");
	memset(buf + n, 0, 4);				/* trailing bytes */
	REC(-EBADMSG, buf, n + 4, 0);
	dl = deflate_zeros(d, 10, true);		/* a distance before the start */
	n = gz_member(buf, 0, d, dl, 0, 1 + 258 * 11);
	REC(-EBADMSG, buf, n, 0);
	dl = deflate_zeros(d, 10, false);		/* truncated inside the codes */
	n = gz_member(buf, 0, d, dl / 2, 0, 1 + 258 * 10);
	REC(-EBADMSG, buf, n, 0);

	/* Bombs by their declared size: beyond the bound, or the ratio. */
	n = gz_text(buf, "hello");
	put_le32(buf + n - 4, 0x80000000);
	REC(-EMSGSIZE, buf, n, 0);
	put_le32(buf + n - 4, (uint32_t)(n * ratio + 1));
	REC(-EMSGSIZE, buf, n, 0);
	/* gzip -9 of 300000 zeros: 923:1 with an honest ISIZE. */
	REC(-EMSGSIZE, gz_zeros_data, sizeof(gz_zeros_data), 0);
	/* The same with a lying ISIZE: found by decoding, not by believing. */
	memcpy(tmp, gz_zeros_data, sizeof(gz_zeros_data));
	put_le32(tmp + sizeof(gz_zeros_data) - 4, 1000);
	REC(-EMSGSIZE, tmp, sizeof(gz_zeros_data), 0);
	/* Fixed Huffman, 158:1, ISIZE 100: well past the bound. */
	dl = deflate_zeros(d, 20000, false);
	n = gz_member(buf, 0, d, dl, 0, 100);
	ASSERT_GT(1 + 258 * 20000ULL, n * (unsigned long long)ratio);
	REC(-EMSGSIZE, buf, n, 0);
	/* Small and honest, but 158:1 is above the ratio. */
	dl = deflate_zeros(d, 40, false);
	n = gz_member(buf, 0, d, dl, 0, 1 + 258 * 40);
	if ((1 + 258 * 40ULL) > n * (unsigned long long)ratio)
		REC(-EMSGSIZE, buf, n, 0);
	/* Two members: the bomb in the first, whose trailer nobody reads. */
	dl = deflate_zeros(d, 20000, false);
	n = gz_member(buf, 0, d, dl, 0, 7);
	n += gz_text(buf + n, "harmless");
	REC(-EMSGSIZE, buf, n, 0);
	/* Two honest members pass. */
	n = gz_text(buf, "first");
	n += gz_text(buf + n, "second");
	REC(0, buf, n, MLS_EVBUF_F_GZIP);

	/* A rejected payload records nothing; every check is counted. */
	ASSERT_EQ(0, evb_state(self->fd, "gz", &st));
	EXPECT_EQ(admitted, st.events);
	ASSERT_EQ(0, evb_info(self->fd, &i1));
	EXPECT_EQ(checked, i1.payloads - i0.payloads);
	EXPECT_EQ(bombs, i1.payload_bombs - i0.payload_bombs);
	EXPECT_EQ(malformed, i1.payload_malformed - i0.payload_malformed);
	TH_LOG("%u payloads: %u admitted, %u bombs, %u malformed", checked, admitted,
	       bombs, malformed);
	EXPECT_EQ(0, evb_rm(self->fd, "gz"));
#undef REC
}

/* ----------------------------------------------------- two threads, exact */

#define RECORDS_PER_THREAD 1000000

struct rec_thread {
	int fd;
	const char *name;
	pthread_barrier_t *go;
	int cpu;
	unsigned long admitted, again, refused, other;
};

static void *rec_loop(void *arg)
{
	struct rec_thread *t = arg;
	cpu_set_t set;
	long i;
	int r;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
	pthread_barrier_wait(t->go);
	for (i = 0; i < RECORDS_PER_THREAD; i++) {
		r = evb_rec(t->fd, t->name);
		if (!r)
			t->admitted++;
		else if (r == -EAGAIN)
			t->again++;
		else if (r == -ECONNREFUSED)
			t->refused++;
		else
			t->other++;
	}
	return NULL;
}

/* Two threads on CPUs 0 and 1; the endpoints never throttle (each record is a CAS). */
static void two_threads(struct __test_metadata *_metadata, int fd, const char *n0,
			const char *n1, struct rec_thread *t)
{
	pthread_barrier_t go;
	pthread_t th[2];
	double t0;
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 3));
	for (i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].fd = fd;
		t[i].name = i ? n1 : n0;
		t[i].go = &go;
		t[i].cpu = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, rec_loop, &t[i]));
	}
	pthread_barrier_wait(&go);
	t0 = mono_s();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	TH_LOG("2 x %d records in %.1f s", RECORDS_PER_THREAD, mono_s() - t0);
	pthread_barrier_destroy(&go);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, t[i].other);
		EXPECT_EQ(0, t[i].refused);
		EXPECT_EQ(RECORDS_PER_THREAD, t[i].admitted + t[i].again);
	}
}

TEST_F_TIMEOUT(evb, two_threads_one_endpoint_exact_counts, 900)
{
	struct mls_evbuf_info i0, i1;
	struct mls_evbuf_state st;
	struct rec_thread t[2];

	ASSERT_EQ(0, evb_new(self->fd, "hot", MLS_EVBUF_MAX_RATE, MLS_EVBUF_MAX_BURST,
			     5, 1, 1000, 1000));
	ASSERT_EQ(0, evb_info(self->fd, &i0));
	two_threads(_metadata, self->fd, "hot", "hot", t);
	ASSERT_EQ(0, evb_info(self->fd, &i1));
	ASSERT_EQ(0, evb_state(self->fd, "hot", &st));
	/* Every record is accounted for, exactly once, where it went. */
	EXPECT_EQ(t[0].admitted + t[1].admitted, st.events);
	EXPECT_EQ(t[0].again + t[1].again, st.throttled_events + st.contended);
	EXPECT_EQ(2ULL * RECORDS_PER_THREAD, st.events + st.throttled_events + st.contended);
	EXPECT_EQ(2ULL * RECORDS_PER_THREAD, i1.records - i0.records);
	/* And the compare-and-swap did lose races, and retried. */
	TH_LOG("admitted %llu, throttled %llu, contended %llu, CAS retries %llu",
	       (unsigned long long)st.events, (unsigned long long)st.throttled_events,
	       (unsigned long long)st.contended, (unsigned long long)st.cas_retries);
	EXPECT_LT(0, st.cas_retries);
	EXPECT_LE(st.cas_retries, i1.cas_retries - i0.cas_retries);
	EXPECT_EQ(0, evb_rm(self->fd, "hot"));
}

TEST_F_TIMEOUT(evb, two_threads_distinct_endpoints_exact_counts, 900)
{
	struct mls_evbuf_state s0, s1;
	struct rec_thread t[2];

	ASSERT_EQ(0, evb_new(self->fd, "cold0", MLS_EVBUF_MAX_RATE, MLS_EVBUF_MAX_BURST,
			     5, 1, 1000, 1000));
	ASSERT_EQ(0, evb_new(self->fd, "cold1", MLS_EVBUF_MAX_RATE, MLS_EVBUF_MAX_BURST,
			     5, 1, 1000, 1000));
	two_threads(_metadata, self->fd, "cold0", "cold1", t);
	ASSERT_EQ(0, evb_state(self->fd, "cold0", &s0));
	ASSERT_EQ(0, evb_state(self->fd, "cold1", &s1));
	EXPECT_EQ(t[0].admitted, s0.events);
	EXPECT_EQ(t[1].admitted, s1.events);
	EXPECT_EQ(RECORDS_PER_THREAD, s0.events + s0.throttled_events + s0.contended);
	EXPECT_EQ(RECORDS_PER_THREAD, s1.events + s1.throttled_events + s1.contended);
	/* One writer per word: no race to lose. */
	EXPECT_EQ(0, s0.cas_retries);
	EXPECT_EQ(0, s1.cas_retries);
	EXPECT_EQ(0, evb_rm(self->fd, "cold0"));
	EXPECT_EQ(0, evb_rm(self->fd, "cold1"));
}

/* --------------------------------------------------------------- data path */

/* Three members of one group: leaves 0, 1, 2, made from the same inputs. */
struct trio {
	int ctl;
	int fd[3];
	struct grp_inputs in;
};

static int trio_make(struct trio *t, unsigned int suite)
{
	struct mls_group_new n;
	int i;

	t->ctl = ctl_open();
	if (t->ctl < 0)
		return t->ctl;
	inputs_random(&t->in, suite);
	for (i = 0; i < 3; i++) {
		new_from_inputs(&n, &t->in, (__u32)i, 3, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		t->fd[i] = grp_create(t->ctl, &n);
		if (t->fd[i] < 0)
			return t->fd[i];
	}
	return 0;
}

static void trio_close(struct trio *t)
{
	int i;

	for (i = 0; i < 3; i++)
		if (t->fd[i] >= 0)
			close(t->fd[i]);
	close(t->ctl);
}

/* An application message of 200 bytes: its ciphertext outgrows the sample. */
static int send200(int fd, struct msg *m)
{
	char text[201];

	memset(text, 'm', 200);
	text[200] = 0;
	return enc_text(fd, text, m);
}

static bool groups_available(int fd)
{
	struct mls_version v = { 0 };

	return !ioctl(fd, MLS_IOC_GET_VERSION, &v) && (v.features & MLS_FEATURE_GROUPS);
}

TEST_F(evb, encrypt_rate_throttles_eagain)
{
	struct mls_policy pol = { 0 };
	static struct msg m;
	struct trio t;
	int i;

	if (!groups_available(self->fd))
		SKIP(return, "no groups in this module");
	memset(&t, 0xff, sizeof(t));
	ASSERT_EQ(0, trio_make(&t, 1));
	/* One message a second, three at once. */
	pol.encrypt_rate = 1;
	pol.encrypt_burst = 3;
	ASSERT_EQ(0, grp_policy(t.fd[0], MLS_POLICY_ENCRYPT_RATE, &pol));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, send200(t.fd[0], &m));
	EXPECT_EQ(-EAGAIN, send200(t.fd[0], &m));
	EXPECT_EQ(-EAGAIN, send200(t.fd[0], &m));
	/* Another member of the same group has its own rate. */
	EXPECT_EQ(0, send200(t.fd[1], &m));
	/* A second later, one more. */
	sleep_ms(1050);
	EXPECT_EQ(0, send200(t.fd[0], &m));
	EXPECT_EQ(-EAGAIN, send200(t.fd[0], &m));
	/* Rate 0: no limit. */
	pol.encrypt_rate = 0;
	ASSERT_EQ(0, grp_policy(t.fd[0], MLS_POLICY_ENCRYPT_RATE, &pol));
	for (i = 0; i < 50; i++)
		EXPECT_EQ(0, send200(t.fd[0], &m));
	trio_close(&t);
}

TEST_F_TIMEOUT(evb, forgery_flood_trips_one_sender, 120)
{
	long long thr = mod_param("evbuf_fail_threshold");
	long long base_ms = mod_param("evbuf_open_base_ms");
	static struct msg m, forged;
	static struct dec d;
	struct mls_evbuf_info i0, i1;
	struct trio t;
	int i;

	if (!groups_available(self->fd))
		SKIP(return, "no groups in this module");
	ASSERT_LT(0, thr);
	ASSERT_LT(0, base_ms);
	ASSERT_GE(10000, base_ms);
	/* Slots of groups gone before this test are free after a grace period. */
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, evb_info(self->fd, &i0));
		if (i0.used == i0.user_used)
			break;
		sleep_ms(10);
	}
	memset(&t, 0xff, sizeof(t));
	ASSERT_EQ(0, trio_make(&t, 1));

	/*
	 * Garbage names no sender: it must not count against any. (A message
	 * cut short fails before its sender data is opened.)
	 */
	ASSERT_EQ(0, send200(t.fd[0], &m));
	for (i = 0; i < thr + 2; i++)
		EXPECT_EQ(-EBADMSG, grp_decrypt(t.fd[1], m.buf, 40, &d));
	ASSERT_EQ(0, dec_msg(t.fd[1], &m, &d));
	EXPECT_EQ(0, d.leaf);
	ASSERT_EQ(0, send200(t.fd[2], &m));
	ASSERT_EQ(0, dec_msg(t.fd[1], &m, &d));
	EXPECT_EQ(2, d.leaf);

	/*
	 * A flood of forgeries in leaf 2's name: the sender data is intact,
	 * the content's tag is not (the ciphertext outgrows the sample the
	 * sender data key comes from, and only its last byte changes).
	 */
	ASSERT_EQ(0, send200(t.fd[2], &forged));
	forged.buf[forged.len - 1] ^= 0x01;
	for (i = 0; i < thr; i++)
		EXPECT_EQ(-EBADMSG, dec_msg(t.fd[1], &forged, &d));
	/* Leaf 2 is cut off, genuine messages too, and more forgeries fail fast. */
	ASSERT_EQ(0, send200(t.fd[2], &m));
	EXPECT_EQ(-ECONNREFUSED, dec_msg(t.fd[1], &m, &d));
	EXPECT_EQ(-ECONNREFUSED, dec_msg(t.fd[1], &forged, &d));
	/* Leaf 0, same group, same receiver, goes on. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, send200(t.fd[0], &m));
		ASSERT_EQ(0, dec_msg(t.fd[1], &m, &d));
		EXPECT_EQ(0, d.leaf);
	}
	/* Another receiver has its own breakers: leaf 2 still reaches leaf 0. */
	ASSERT_EQ(0, send200(t.fd[2], &m));
	EXPECT_EQ(0, dec_msg(t.fd[0], &m, &d));
	/* The sender's endpoint is in the table, in no user's namespace. */
	ASSERT_EQ(0, evb_info(self->fd, &i1));
	EXPECT_LT(i0.used, i1.used);
	EXPECT_EQ(i0.user_used, i1.user_used);
	EXPECT_LT(i1.user_used, i1.used);

	/* After the open time, a genuine message is the probe and closes it. */
	sleep_ms((unsigned int)base_ms + 100);
	ASSERT_EQ(0, send200(t.fd[2], &m));
	EXPECT_EQ(0, dec_msg(t.fd[1], &m, &d));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, send200(t.fd[2], &m));
		EXPECT_EQ(0, dec_msg(t.fd[1], &m, &d));
		EXPECT_EQ(2, d.leaf);
	}
	ASSERT_EQ(0, evb_info(self->fd, &i1));
	EXPECT_EQ(1, i1.trips - i0.trips);
	EXPECT_EQ(1, i1.half_opens - i0.half_opens);
	EXPECT_EQ(1, i1.closes - i0.closes);
	EXPECT_LE(2, i1.refused - i0.refused);
	trio_close(&t);
	/* The groups' endpoints went with them (their slots after a grace period). */
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, evb_info(self->fd, &i1));
		if (i1.used <= i0.used)
			break;
		sleep_ms(10);
	}
	EXPECT_GE(i0.used, i1.used);
}

TEST_HARNESS_MAIN

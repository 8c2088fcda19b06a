// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "mls" (uapi/linux/mls.h, "Generic netlink
 * family"): every event at a libnl listener, with exactly its documented
 * attributes and in order, for the action that causes it; no event when
 * nothing happens; the group dump and do, and who sees what (an
 * unprivileged user); strict request validation with extended ACK
 * messages; a listener that falls behind (-ENOBUFS) and rebuilds from a
 * dump; and, last, the module's unload (MLS_CMD_SHUTDOWN, then a
 * MLS_CMD_GROUP_DESTROYED per group), after which it is loaded again.
 *
 * Listeners are libnl sockets (nl_socket_add_membership), read with
 * recv() so that -ENOBUFS is seen as the errno it is, parsed with libnl.
 * Requests go through a raw socket with NETLINK_EXT_ACK, to send exactly
 * the bytes a test wants and to read the extended ACK's TLVs.
 *
 * Other suites may leave groups behind; their past epochs may expire
 * while a test runs. An event that is not about a test's own groups or
 * endpoints is tolerated only if it is that: MLS_CMD_EPOCH_EXPIRED of a
 * group that existed before the test began.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/mls.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "persist_util.h"

#define WAIT_MS		3000	/* for an event that must come (TCG is slow) */
#define QUIET_MS	500	/* for an event that must not */
#define BIG_RCVBUF	(4 << 20)
#define NOBODY		65534

#define A(x)		(1ULL << MLS_A_##x)
#define S(x)		(1ULL << MLS_STATS_A_##x)

/* ------------------------------------------------------------ attributes */

/* K_OPAQUE: a nest this suite only sees (persist_test reads MLS_A_RESERVE). */
enum akind { K_NONE, K_U16, K_U32, K_U64, K_STR, K_BIN, K_NEST, K_PAD, K_OPAQUE };

static const enum akind akind[MLS_A_MAX + 1] = {
	[MLS_A_API_VERSION] = K_U32,	[MLS_A_MODULE_VERSION] = K_STR,
	[MLS_A_PAD] = K_PAD,		[MLS_A_GROUP_KID] = K_U32,
	[MLS_A_GROUP_ID] = K_BIN,	[MLS_A_SUITE] = K_U16,
	[MLS_A_EPOCH] = K_U64,		[MLS_A_OLD_EPOCH] = K_U64,
	[MLS_A_OLDEST_EPOCH] = K_U64,	[MLS_A_OWN_LEAF] = K_U32,
	[MLS_A_LEAF_COUNT] = K_U32,	[MLS_A_MEMBERS] = K_U32,
	[MLS_A_LEAF] = K_U32,		[MLS_A_STATE] = K_U32,
	[MLS_A_OWNER_UID] = K_U32,	[MLS_A_MODE] = K_U32,
	[MLS_A_GROUP_FLAGS] = K_U32,	[MLS_A_STATS] = K_NEST,
	[MLS_A_ERROR] = K_U32,		[MLS_A_ENDPOINT_KIND] = K_U32,
	[MLS_A_ENDPOINT_UID] = K_U32,	[MLS_A_ENDPOINT_ID] = K_STR,
	[MLS_A_OLD_STATE] = K_U32,	[MLS_A_BREAKER_STATE] = K_U32,
	[MLS_A_PENDING_EPOCH] = K_U64,	[MLS_A_RESERVE] = K_OPAQUE,
	[MLS_A_RECV_SAVE] = K_U32,	[MLS_A_RECV_SAVE_FLAGS] = K_U32,
	[MLS_A_RECV_UNSAVED] = K_U64,
};

/* One message of the family (an event or a reply), parsed. */
struct ev {
	uint8_t cmd;
	uint64_t mask;		/* bit n: attribute n is present (MLS_A_PAD not counted) */
	int bad;		/* an attribute twice, unknown, or of a wrong size */
	uint32_t u32[MLS_A_MAX + 1];
	uint64_t u64[MLS_A_MAX + 1];
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len;
	char str[MLS_A_MAX + 1][MLS_EVBUF_ID_SIZE];
	uint64_t stats_mask;
	uint64_t stats[MLS_STATS_A_MAX + 1];
	uint8_t raw[2048];	/* the attributes as received */
	size_t raw_len;
};

static void parse_stats(struct nlattr *nest, struct ev *e)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t == MLS_STATS_A_PAD)
			continue;
		if (t <= MLS_STATS_A_PAD || t > MLS_STATS_A_MAX || nla_len(a) != 8 ||
		    (e->stats_mask & (1ULL << t))) {
			e->bad++;
			continue;
		}
		e->stats_mask |= 1ULL << t;
		e->stats[t] = nla_get_u64(a);
	}
	if (rem)
		e->bad++;
}

static void parse_attrs(struct nlattr *head, int len, struct ev *e)
{
	struct nlattr *a;
	int rem;

	e->raw_len = (size_t)len < sizeof(e->raw) ? (size_t)len : sizeof(e->raw);
	memcpy(e->raw, head, e->raw_len);
	nla_for_each_attr(a, head, len, rem) {
		int t = nla_type(a), l = nla_len(a);

		if (t == MLS_A_PAD)
			continue;
		if (t <= 0 || t > MLS_A_MAX || (e->mask & (1ULL << t))) {
			e->bad++;
			continue;
		}
		e->mask |= 1ULL << t;
		switch (akind[t]) {
		case K_U16:
			if (l != 2)
				e->bad++;
			else
				e->u32[t] = nla_get_u16(a);
			break;
		case K_U32:
			if (l != 4)
				e->bad++;
			else
				e->u32[t] = nla_get_u32(a);
			break;
		case K_U64:
			if (l != 8)
				e->bad++;
			else
				e->u64[t] = nla_get_u64(a);
			break;
		case K_STR:
			if (l < 1 || l > MLS_EVBUF_ID_SIZE || ((char *)nla_data(a))[l - 1])
				e->bad++;
			else
				memcpy(e->str[t], nla_data(a), l);
			break;
		case K_BIN:
			if (l > MLS_MAX_GROUP_ID_LEN) {
				e->bad++;
			} else {
				memcpy(e->gid, nla_data(a), l);
				e->gid_len = l;
			}
			break;
		case K_NEST:
			parse_stats(a, e);
			break;
		case K_OPAQUE:
			break;
		default:
			e->bad++;
		}
	}
	if (rem)
		e->bad++;
}

static void parse_genl(struct nlmsghdr *nlh, struct ev *e)
{
	struct genlmsghdr *g = nlmsg_data(nlh);

	memset(e, 0, sizeof(*e));
	e->cmd = g->cmd;
	parse_attrs(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), e);
}

/* The attributes an event must carry, exactly (the contract). */
static uint64_t ev_documented(const struct ev *e)
{
	const uint64_t grp = A(GROUP_KID) | A(GROUP_ID);
	uint64_t ep;

	switch (e->u32[MLS_A_ENDPOINT_KIND]) {
	case MLS_ENDPOINT_USER:
		ep = A(ENDPOINT_KIND) | A(ENDPOINT_UID) | A(ENDPOINT_ID);
		break;
	case MLS_ENDPOINT_SENDER:
		ep = A(ENDPOINT_KIND) | A(GROUP_KID) | A(LEAF);
		break;
	case MLS_ENDPOINT_ENCRYPT:
		ep = A(ENDPOINT_KIND) | A(GROUP_KID);
		break;
	default:
		ep = ~0ULL;
	}
	switch (e->cmd) {
	case MLS_CMD_GROUP_CREATED:
	case MLS_CMD_GROUP_JOINED:
		return grp | A(SUITE) | A(EPOCH) | A(OLDEST_EPOCH) | A(OWN_LEAF) |
		       A(LEAF_COUNT) | A(MEMBERS) | A(STATE) | A(OWNER_UID) |
		       A(MODE) | A(GROUP_FLAGS);
	case MLS_CMD_GROUP_DESTROYED:
	case MLS_CMD_EPOCH_EXPIRED:
		return grp | A(EPOCH);
	case MLS_CMD_EPOCH_CHANGED:
		return grp | A(OLD_EPOCH) | A(EPOCH) | A(LEAF_COUNT) | A(MEMBERS);
	case MLS_CMD_MEMBER_ADDED:
	case MLS_CMD_MEMBER_REMOVED:
		return grp | A(EPOCH) | A(LEAF);
	case MLS_CMD_COMMIT_CONFLICT:
		return grp | A(EPOCH) | A(ERROR);
	case MLS_CMD_ENDPOINT_THROTTLED:
		return ep;
	case MLS_CMD_BREAKER_CHANGED:
		return ep | A(OLD_STATE) | A(BREAKER_STATE);
	case MLS_CMD_PAYLOAD_REJECTED:
		return ep | A(ERROR);
	case MLS_CMD_SHUTDOWN:
		return 0;
	case MLS_CMD_COMMIT_PREPARED:
		return grp | A(EPOCH) | A(PENDING_EPOCH);
	case MLS_CMD_COMMIT_DISCARDED:
		return grp | A(EPOCH) | A(PENDING_EPOCH) | A(ERROR);
	case MLS_CMD_RESERVE_LOW:
		return grp | A(EPOCH);
	case MLS_CMD_RESUME:
		return 0;
	case MLS_CMD_GROUP_ENDED:
		return grp | A(EPOCH);
	}
	return ~0ULL;
}

/* --------------------------------------------------- what a test owns */

/*
 * The groups and endpoints of the running test (each test is a process
 * of its own, so this starts empty in each), the groups that were there
 * before it, and the secrets it used (no event may carry one).
 */
static struct {
	uint32_t kids[16384];
	int nkids;
	uint32_t *pre;
	uint32_t npre;
	char prefix[32];
	struct { const void *p; size_t len; } secrets[32];
	int nsecrets;
} mine;

static void mine_add(uint32_t kid)
{
	if (mine.nkids < (int)(sizeof(mine.kids) / sizeof(mine.kids[0])))
		mine.kids[mine.nkids++] = kid;
}

static void secret_add(const void *p, size_t len)
{
	if (mine.nsecrets < 32 && len) {
		mine.secrets[mine.nsecrets].p = p;
		mine.secrets[mine.nsecrets++].len = len;
	}
}

static bool kid_in(const uint32_t *a, uint32_t n, uint32_t kid)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (a[i] == kid)
			return true;
	return false;
}

static bool ev_mine(const struct ev *e)
{
	if (e->cmd == MLS_CMD_SHUTDOWN)
		return true;
	if ((e->mask & A(GROUP_KID)) &&
	    kid_in(mine.kids, (uint32_t)mine.nkids, e->u32[MLS_A_GROUP_KID]))
		return true;
	return (e->mask & A(ENDPOINT_ID)) &&
	       !strncmp(e->str[MLS_A_ENDPOINT_ID], mine.prefix, strlen(mine.prefix));
}

/* The kernel ids of the live groups (MLS_IOC_GROUP_LIST), malloc'ed. */
static int list_ids(int ctl, uint32_t **ids, uint32_t *n)
{
	struct mls_group_list l = { 0 };
	int r;

	*ids = NULL;
	for (;;) {
		free(*ids);
		*ids = calloc(l.count + 16, sizeof(uint32_t));
		if (!*ids)
			return -ENOMEM;
		l.count += 16;
		l.ids = U64(*ids);
		r = xioctl(ctl, MLS_IOC_GROUP_LIST, &l);
		if (r != -ENOSPC)
			break;
	}
	*n = l.count;
	return r;
}

/* -------------------------------------------------------------- listener */

struct lsn {
	struct nl_sock *sk;
	int fd;
	uint8_t buf[65536];
	size_t len, off;
	uint32_t foreign;	/* events not about the test's things */
};

/* A libnl socket subscribed to "events"; @rcvbuf 0 keeps the default. */
static int lsn_open(struct lsn *l, int grp, int rcvbuf)
{
	int r;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->sk = nl_socket_alloc();
	if (!l->sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(l->sk);
	if (genl_connect(l->sk))
		return -EIO;
	l->fd = nl_socket_get_fd(l->sk);
	if (rcvbuf && setsockopt(l->fd, SOL_SOCKET, rcvbuf > 4096 ? SO_RCVBUFFORCE : SO_RCVBUF,
				 &rcvbuf, sizeof(rcvbuf)))
		return -errno;
	r = nl_socket_add_membership(l->sk, grp);
	return r == -NLE_PERM ? -EPERM : r ? -EIO : 0;
}

static void lsn_close(struct lsn *l)
{
	if (l->sk)
		nl_socket_free(l->sk);
	l->sk = NULL;
}

/* The next message: 1, 0 on timeout, or -errno (-ENOBUFS: fell behind). */
static int lsn_next(struct lsn *l, struct ev *e, int timeout_ms)
{
	struct pollfd p = { .fd = l->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;

	while (l->off >= l->len) {
		if (poll(&p, 1, timeout_ms) <= 0)
			return 0;
		n = recv(l->fd, l->buf, sizeof(l->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		l->len = (size_t)n;
		l->off = 0;
	}
	nlh = (struct nlmsghdr *)(l->buf + l->off);
	if (!nlmsg_ok(nlh, (int)(l->len - l->off))) {
		l->off = l->len;
		return -EPROTO;
	}
	l->off += NLMSG_ALIGN(nlh->nlmsg_len);
	parse_genl(nlh, e);
	return 1;
}

/* Checks every event: documented attributes only, no secret. */
static void ev_check(struct __test_metadata *_metadata, const struct ev *e)
{
	int i;

	EXPECT_EQ(0, e->bad) TH_LOG("event %u: malformed attributes", e->cmd);
	EXPECT_EQ(ev_documented(e), e->mask)
		TH_LOG("event %u carries 0x%llx, documented 0x%llx", e->cmd,
		       (unsigned long long)e->mask,
		       (unsigned long long)ev_documented(e));
	for (i = 0; i < mine.nsecrets; i++)
		EXPECT_FALSE(memmem_found(e->raw, e->raw_len, mine.secrets[i].p,
					  mine.secrets[i].len))
			TH_LOG("event %u carries secret %d", e->cmd, i);
}

/*
 * The next event about the test's things: 1, or 0 when none came within
 * @timeout_ms. Others must be expiries of groups older than the test.
 */
static int ev_wait(struct __test_metadata *_metadata, struct lsn *l,
		   struct ev *e, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	int r;

	for (;;) {
		int left = (int)(end - now_ms());

		r = lsn_next(l, e, left > 0 ? left : 0);
		EXPECT_LE(0, r) TH_LOG("recv: %s", strerror(-r));
		if (r <= 0)
			return 0;
		ev_check(_metadata, e);
		if (ev_mine(e))
			return 1;
		l->foreign++;
		EXPECT_TRUE(e->cmd == MLS_CMD_EPOCH_EXPIRED &&
			    kid_in(mine.pre, mine.npre, e->u32[MLS_A_GROUP_KID]))
			TH_LOG("unexpected event %u (kid %u)", e->cmd,
			       e->u32[MLS_A_GROUP_KID]);
	}
}

/* The next event must be @cmd about group @kid. */
#define EXPECT_EVENT(l, e, want_cmd, kid) do {					\
	ASSERT_EQ(1, ev_wait(_metadata, (l), (e), WAIT_MS))			\
		TH_LOG("no event %d", (int)(want_cmd));				\
	ASSERT_EQ((want_cmd), (e)->cmd);					\
	EXPECT_EQ((uint32_t)(kid), (e)->u32[MLS_A_GROUP_KID]);			\
} while (0)

#define EXPECT_QUIET(l, e) \
	EXPECT_EQ(0, ev_wait(_metadata, (l), (e), QUIET_MS)) TH_LOG("event %u", (e)->cmd)

/* ------------------------------------------------------ raw requests */

struct nlr {
	int fd;
	uint16_t fam;
	uint32_t seq;
};

struct msgb {
	uint8_t buf[4096] __attribute__((aligned(4)));
	size_t len;
};

/* The outcome of a request: its messages and its ACK (or NLMSG_DONE). */
struct resp {
	int error;
	bool done;		/* ended by NLMSG_DONE (a dump) */
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	int64_t offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
	int64_t miss;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int parts;		/* recv() calls that brought data */
	struct ev *m;
	int n, cap;
};

static int nlr_open(struct nlr *r, uint16_t fam)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	r->fam = fam;
	r->seq = 1;
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (r->fd < 0)
		return -errno;
	if (setsockopt(r->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(r->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

static void mb_init(struct msgb *m, uint16_t fam, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(m, 0, sizeof(*m));
	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	g->version = MLS_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static void mb_put(struct msgb *m, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
}

static void mb_u32(struct msgb *m, uint16_t type, uint32_t v)
{
	mb_put(m, type, &v, sizeof(v));
}

static void resp_free(struct resp *r)
{
	free(r->m);
	memset(r, 0, sizeof(*r));
}

static void parse_ack_tlvs(const uint8_t *p, size_t len, struct resp *r)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;
		size_t al = a->nla_len;

		if (al < NLA_HDRLEN || al > len)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(r->msg, sizeof(r->msg), "%.*s", (int)(al - NLA_HDRLEN),
				 (const char *)p + NLA_HDRLEN);
		else if (a->nla_type == NLMSGERR_ATTR_OFFS && al == NLA_HDRLEN + 4)
			r->offs = *(const uint32_t *)(p + NLA_HDRLEN);
		else if (a->nla_type == NLMSGERR_ATTR_MISS_TYPE && al == NLA_HDRLEN + 4)
			r->miss = *(const uint32_t *)(p + NLA_HDRLEN);
		if (NLA_ALIGN(al) >= len)
			break;
		p += NLA_ALIGN(al);
		len -= NLA_ALIGN(al);
	}
}

/* Sends @m; collects every reply up to the ACK, the error or NLMSG_DONE. */
static int nlr_do(struct nlr *nr, struct msgb *m, struct resp *r)
{
	static uint8_t buf[1 << 17];
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	uint32_t seq = ++nr->seq;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(r, 0, sizeof(*r));
	r->offs = r->miss = -1;
	nlh->nlmsg_len = (uint32_t)m->len;
	nlh->nlmsg_seq = seq;
	if (sendto(nr->fd, m->buf, m->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(nr->fd, buf, sizeof(buf), 0);
		int left;

		if (n < 0)
			return -errno;
		r->parts++;
		left = (int)n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(nlh);

				r->error = err->error;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs((uint8_t *)(err + 1),
						       nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*err), r);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				r->done = true;
				r->error = *(int *)NLMSG_DATA(nlh);
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs((uint8_t *)NLMSG_DATA(nlh) + 4,
						       nlh->nlmsg_len - NLMSG_HDRLEN - 4, r);
				return 0;
			}
			if (nlh->nlmsg_type != nr->fam)
				continue;
			if (r->n == r->cap) {
				struct ev *grown;

				r->cap = r->cap ? 2 * r->cap : 16;
				grown = realloc(r->m, (size_t)r->cap * sizeof(*r->m));
				if (!grown)
					return -ENOMEM;
				r->m = grown;
			}
			parse_genl(nlh, &r->m[r->n++]);
		}
	}
}

static int get_group(struct nlr *nr, uint32_t kid, struct resp *r)
{
	struct msgb m;

	mb_init(&m, nr->fam, MLS_CMD_GET_GROUP, NLM_F_ACK);
	mb_u32(&m, MLS_A_GROUP_KID, kid);
	return nlr_do(nr, &m, r);
}

static int dump_groups(struct nlr *nr, struct resp *r)
{
	struct msgb m;

	mb_init(&m, nr->fam, MLS_CMD_GET_GROUP, NLM_F_DUMP);
	return nlr_do(nr, &m, r);
}

/*
 * The attributes of one group in a reply (with the stats nest and the
 * receive-save policy; a persistent group adds MLS_A_RESERVE).
 */
static uint64_t group_documented(void)
{
	return A(GROUP_KID) | A(GROUP_ID) | A(SUITE) | A(EPOCH) | A(OLDEST_EPOCH) |
	       A(OWN_LEAF) | A(LEAF_COUNT) | A(MEMBERS) | A(STATE) | A(OWNER_UID) |
	       A(MODE) | A(GROUP_FLAGS) | A(STATS) | A(RECV_SAVE) |
	       A(RECV_SAVE_FLAGS) | A(RECV_UNSAVED);
}

static uint64_t stats_documented(void)
{
	return S(MESSAGES_ENCRYPTED) | S(MESSAGES_DECRYPTED) | S(BYTES_ENCRYPTED) |
	       S(BYTES_DECRYPTED) | S(AUTH_FAILURES) | S(REPLAYS) | S(EPOCHS_ROTATED) |
	       S(COMMITS_PREPARED) | S(COMMITS_MERGED) | S(COMMITS_DISCARDED) |
	       S(COMMITS_TIMED_OUT) | S(COMMIT_CONFLICTS) | S(TAG_FAILURES);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------- the fixture */

FIXTURE(nl) {
	int ctl;
	int fam;
	int grp;
	struct nlr req;
	struct lsn l;
	struct ev e;
};

static int resolve(int *fam, int *grp)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return -EIO;
	}
	*fam = genl_ctrl_resolve(sk, MLS_GENL_NAME);
	*grp = genl_ctrl_resolve_grp(sk, MLS_GENL_NAME, MLS_GENL_MCGRP_EVENTS);
	nl_socket_free(sk);
	return *fam > 0 && *grp > 0 ? 0 : -ENOENT;
}

FIXTURE_SETUP(nl)
{
	self->l.sk = NULL;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, resolve(&self->fam, &self->grp));
	ASSERT_EQ(0, nlr_open(&self->req, (uint16_t)self->fam));
	ASSERT_EQ(0, list_ids(self->ctl, &mine.pre, &mine.npre));
	snprintf(mine.prefix, sizeof(mine.prefix), "%d.", (int)getpid());
}

FIXTURE_TEARDOWN(nl)
{
	lsn_close(&self->l);
	close(self->req.fd);
	close(self->ctl);
}

/* ------------------------------------------------------ endpoints */

#define EP_PREFIX	mine.prefix

static void ep_name(char *id, const char *name)
{
	ep_id_of(id, EP_PREFIX, name);
}

static int ep_new(int ctl, const char *name, __u32 rate, __u32 burst, __u32 thr,
		  __u32 probes, __u32 base_ms)
{
	struct mls_evbuf_config c = {
		.flags = MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL,
		.mask = MLS_EVBUF_CFG_ALL,
		.rate = rate, .burst = burst, .fail_threshold = thr,
		.half_open_probes = probes, .open_base_ms = base_ms,
		.open_max_ms = base_ms,
	};

	ep_name(c.id, name);
	return xioctl(ctl, MLS_IOC_EVBUF_CONFIG, &c);
}

#define ep_record(ctl, name, flags, p, len) \
	ep_record_in(ctl, EP_PREFIX, name, flags, p, len)
#define ep_report(ctl, name, result)	ep_report_in(ctl, EP_PREFIX, name, result)
#define ep_set(ctl, name, state)	ep_set_in(ctl, EP_PREFIX, name, state)
#define ep_rm(ctl, name)		ep_rm_in(ctl, EP_PREFIX, name)

/* The next event must be about user endpoint @name. */
#define EXPECT_EP_EVENT(l, e, want_cmd, name) do {				\
	char __id[MLS_EVBUF_ID_SIZE];						\
										\
	ep_name(__id, (name));							\
	ASSERT_EQ(1, ev_wait(_metadata, (l), (e), WAIT_MS))			\
		TH_LOG("no event %d", (int)(want_cmd));				\
	ASSERT_EQ((want_cmd), (e)->cmd);					\
	EXPECT_EQ(MLS_ENDPOINT_USER, (e)->u32[MLS_A_ENDPOINT_KIND]);		\
	EXPECT_EQ(getuid(), (e)->u32[MLS_A_ENDPOINT_UID]);			\
	EXPECT_STREQ(__id, (e)->str[MLS_A_ENDPOINT_ID]);			\
} while (0)

/* ------------------------------------------------ requests: validation */

struct bad_req {
	const char *what;
	uint8_t cmd;
	uint16_t flags;
	int kind;		/* see build_bad() */
	int error;
	const char *msg;	/* expected in NLMSGERR_ATTR_MSG */
	bool in_done;		/* reported in NLMSG_DONE (a dump's own check) */
	int offs;		/* NLMSGERR_ATTR_OFFS names attribute offs - 1 */
};

enum {
	BAD_NONE,		/* no attribute */
	BAD_UNKNOWN,		/* an attribute past MLS_A_MAX */
	BAD_ZERO_TYPE,		/* attribute type 0 */
	BAD_SHORT_KID,		/* MLS_A_GROUP_KID of 2 bytes */
	BAD_LONG_KID,		/* MLS_A_GROUP_KID of 8 bytes */
	BAD_KID_0,		/* MLS_A_GROUP_KID 0 */
	BAD_NOT_TAKEN,		/* a kid and MLS_A_EPOCH */
	BAD_KID,		/* a valid MLS_A_GROUP_KID */
	BAD_RESERVED,		/* genlmsghdr.reserved set */
	BAD_TRAILING,		/* 2 bytes after the last attribute */
	BAD_REPLY_ONLY,		/* a kid and MLS_A_RECV_SAVE (a reply's) */
};

static const struct bad_req bad_reqs[] = {
	{ "version with an attribute", MLS_CMD_GET_VERSION, NLM_F_ACK, BAD_KID,
	  -EINVAL, "takes no attribute", false, 1 },
	{ "version with an unknown attribute", MLS_CMD_GET_VERSION, NLM_F_ACK,
	  BAD_UNKNOWN, -EINVAL, "Unknown attribute type", false, 1 },
	{ "get without kid", MLS_CMD_GET_GROUP, NLM_F_ACK, BAD_NONE,
	  -EINVAL, "MLS_A_GROUP_KID is required", false, 0 },
	/* The policy's range check (NLA_POLICY_MIN): -ERANGE, as in every family. */
	{ "get with kid 0", MLS_CMD_GET_GROUP, NLM_F_ACK, BAD_KID_0,
	  -ERANGE, "out of range", false, 1 },
	{ "get with a 2-byte kid", MLS_CMD_GET_GROUP, NLM_F_ACK, BAD_SHORT_KID,
	  -EINVAL, "length", false, 1 },
	{ "get with an 8-byte kid", MLS_CMD_GET_GROUP, NLM_F_ACK, BAD_LONG_KID,
	  -EINVAL, "length", false, 1 },
	{ "get with an unknown attribute", MLS_CMD_GET_GROUP, NLM_F_ACK,
	  BAD_UNKNOWN, -EINVAL, "Unknown attribute type", false, 1 },
	{ "get with attribute type 0", MLS_CMD_GET_GROUP, NLM_F_ACK,
	  BAD_ZERO_TYPE, -EINVAL, "Unknown attribute type", false, 1 },
	{ "get with an attribute it does not take", MLS_CMD_GET_GROUP, NLM_F_ACK,
	  BAD_NOT_TAKEN, -EINVAL, "takes only MLS_A_GROUP_KID", false, 2 },
	{ "get with trailing bytes", MLS_CMD_GET_GROUP, NLM_F_ACK, BAD_TRAILING,
	  -EINVAL, "leftover", false, 0 },
	{ "get with genlmsghdr.reserved", MLS_CMD_GET_GROUP, NLM_F_ACK,
	  BAD_RESERVED, -EINVAL, "reserved", false, 0 },
	{ "dump with a kid", MLS_CMD_GET_GROUP, NLM_F_DUMP, BAD_KID,
	  -EINVAL, "dump takes no attribute", true, 0 },
	{ "dump with an unknown attribute", MLS_CMD_GET_GROUP, NLM_F_DUMP,
	  BAD_UNKNOWN, -EINVAL, "Unknown attribute type", false, 1 },
	{ "dump with an attribute it does not take", MLS_CMD_GET_GROUP, NLM_F_DUMP,
	  BAD_NOT_TAKEN, -EINVAL, "takes only MLS_A_GROUP_KID", false, 2 },
	{ "get with MLS_A_RECV_SAVE", MLS_CMD_GET_GROUP, NLM_F_ACK,
	  BAD_REPLY_ONLY, -EINVAL, "takes only MLS_A_GROUP_KID", false, 2 },
	{ "dump with MLS_A_RECV_SAVE", MLS_CMD_GET_GROUP, NLM_F_DUMP,
	  BAD_REPLY_ONLY, -EINVAL, "takes only MLS_A_GROUP_KID", false, 2 },
	{ "version with MLS_A_RECV_SAVE", MLS_CMD_GET_VERSION, NLM_F_ACK,
	  BAD_REPLY_ONLY, -EINVAL, "takes no attribute", false, 1 },
};

static void build_bad(struct msgb *m, uint16_t fam, const struct bad_req *b, uint32_t kid)
{
	uint64_t epoch = 1;
	uint16_t two = 1;

	mb_init(m, fam, b->cmd, b->flags);
	switch (b->kind) {
	case BAD_UNKNOWN:
		mb_u32(m, MLS_A_MAX + 1, 1);
		break;
	case BAD_ZERO_TYPE:
		mb_u32(m, 0, kid);
		break;
	case BAD_SHORT_KID:
		mb_put(m, MLS_A_GROUP_KID, &two, sizeof(two));
		break;
	case BAD_LONG_KID:
		mb_put(m, MLS_A_GROUP_KID, &epoch, sizeof(epoch));
		break;
	case BAD_KID_0:
		mb_u32(m, MLS_A_GROUP_KID, 0);
		break;
	case BAD_NOT_TAKEN:
		mb_u32(m, MLS_A_GROUP_KID, kid);
		mb_put(m, MLS_A_EPOCH, &epoch, sizeof(epoch));
		break;
	case BAD_KID:
		mb_u32(m, MLS_A_GROUP_KID, kid);
		break;
	case BAD_RESERVED:
		mb_u32(m, MLS_A_GROUP_KID, kid);
		((struct genlmsghdr *)NLMSG_DATA((struct nlmsghdr *)m->buf))->reserved = 1;
		break;
	case BAD_TRAILING:
		mb_u32(m, MLS_A_GROUP_KID, kid);
		m->len += 4;	/* zeros: a 4-byte attribute header of length 0 */
		break;
	case BAD_REPLY_ONLY:
		mb_u32(m, MLS_A_GROUP_KID, kid);
		mb_u32(m, MLS_A_RECV_SAVE, 1);
		break;
	}
}

TEST_F(nl, malformed_requests_rejected_with_ext_ack)
{
	struct resp r;
	struct msgb m;
	uint32_t kid;
	size_t i;
	int fd;

	fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(bad_reqs) / sizeof(bad_reqs[0]); i++) {
		const struct bad_req *b = &bad_reqs[i];

		build_bad(&m, (uint16_t)self->fam, b, kid);
		ASSERT_EQ(0, nlr_do(&self->req, &m, &r)) TH_LOG("%s", b->what);
		EXPECT_EQ(b->error, r.error) TH_LOG("%s", b->what);
		EXPECT_EQ(b->in_done, r.done) TH_LOG("%s", b->what);
		EXPECT_EQ(0, r.n) TH_LOG("%s: %d replies", b->what, r.n);
		EXPECT_NE(0, r.msg[0]) TH_LOG("%s: no extended ACK message", b->what);
		EXPECT_NE(NULL, strstr(r.msg, b->msg))
			TH_LOG("%s: message \"%s\"", b->what, r.msg);
		/* Each attribute before the bad one is a u32: 8 bytes. */
		if (b->offs)
			EXPECT_EQ(NLMSG_HDRLEN + GENL_HDRLEN + 8 * (b->offs - 1), r.offs)
				TH_LOG("%s: offset %lld", b->what, (long long)r.offs);
		if (b->kind == BAD_NONE)
			EXPECT_EQ(MLS_A_GROUP_KID, r.miss);
		TH_LOG("%-40s %d \"%s\"", b->what, r.error, r.msg);
		resp_free(&r);
	}

	/* The valid forms of the same requests pass. */
	mb_init(&m, (uint16_t)self->fam, MLS_CMD_GET_VERSION, NLM_F_ACK);
	ASSERT_EQ(0, nlr_do(&self->req, &m, &r));
	EXPECT_EQ(0, r.error);
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(A(API_VERSION) | A(MODULE_VERSION), r.m[0].mask);
	EXPECT_EQ(MLS_API_VERSION, r.m[0].u32[MLS_A_API_VERSION]);
	resp_free(&r);
	ASSERT_EQ(0, get_group(&self->req, kid, &r));
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(1, r.n);
	resp_free(&r);
	/* A notification is no command. */
	mb_init(&m, (uint16_t)self->fam, MLS_CMD_GROUP_CREATED, NLM_F_ACK);
	ASSERT_EQ(0, nlr_do(&self->req, &m, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
	resp_free(&r);
	close(fd);
}

/* ----------------------------------------------------- do and dump */

TEST_F(nl, get_group_by_id_matches_info_and_counts)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct pair p;
	struct resp r;
	struct msg m;
	struct dec d;
	const struct ev *g;
	int i;

	ASSERT_EQ(0, pair_make(&p, 2));
	ASSERT_EQ(0, grp_info(p.a, &info, gid, sizeof(gid)));
	ASSERT_EQ(0, enc_text(p.a, "hello", &m));
	ASSERT_EQ(0, dec_msg(p.b, &m, &d));
	ASSERT_EQ(0, pair_commit(&p));
	ASSERT_EQ(0, grp_info(p.a, &info, gid, sizeof(gid)));

	ASSERT_EQ(0, get_group(&self->req, p.a_id, &r));
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	ASSERT_EQ(1, r.n);
	g = &r.m[0];
	EXPECT_EQ(MLS_CMD_GET_GROUP, g->cmd);
	EXPECT_EQ(0, g->bad);
	EXPECT_EQ(group_documented(), g->mask);
	EXPECT_EQ(stats_documented(), g->stats_mask);
	EXPECT_EQ(p.a_id, g->u32[MLS_A_GROUP_KID]);
	ASSERT_EQ(info.group_id.len, g->gid_len);
	EXPECT_EQ(0, memcmp(gid, g->gid, g->gid_len));
	EXPECT_EQ(info.suite, g->u32[MLS_A_SUITE]);
	EXPECT_EQ(info.epoch, g->u64[MLS_A_EPOCH]);
	EXPECT_EQ(1, g->u64[MLS_A_EPOCH]);
	EXPECT_EQ(info.oldest_epoch, g->u64[MLS_A_OLDEST_EPOCH]);
	EXPECT_EQ(info.own_leaf, g->u32[MLS_A_OWN_LEAF]);
	EXPECT_EQ(info.leaf_count, g->u32[MLS_A_LEAF_COUNT]);
	EXPECT_EQ(2, g->u32[MLS_A_MEMBERS]);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, g->u32[MLS_A_STATE]);
	EXPECT_EQ(info.owner_uid, g->u32[MLS_A_OWNER_UID]);
	EXPECT_EQ(info.mode, g->u32[MLS_A_MODE]);
	EXPECT_EQ(info.group_flags, g->u32[MLS_A_GROUP_FLAGS]);
	/* Not persistent: no receive-save policy, nothing counted. */
	EXPECT_EQ(0, g->u32[MLS_A_RECV_SAVE]);
	EXPECT_EQ(0, g->u32[MLS_A_RECV_SAVE_FLAGS]);
	EXPECT_EQ(0, g->u64[MLS_A_RECV_UNSAVED]);
	/* The counters, each in its own attribute. */
	EXPECT_EQ(1, g->stats[MLS_STATS_A_MESSAGES_ENCRYPTED]);
	EXPECT_EQ(5, g->stats[MLS_STATS_A_BYTES_ENCRYPTED]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_MESSAGES_DECRYPTED]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_BYTES_DECRYPTED]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_AUTH_FAILURES]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_REPLAYS]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_EPOCHS_ROTATED]);
	/* A one-shot commit: prepared and merged; nothing else happened. */
	EXPECT_EQ(1, g->stats[MLS_STATS_A_COMMITS_PREPARED]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_COMMITS_MERGED]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_COMMITS_DISCARDED]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_COMMITS_TIMED_OUT]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_COMMIT_CONFLICTS]);
	EXPECT_EQ(0, g->stats[MLS_STATS_A_TAG_FAILURES]);
	resp_free(&r);

	ASSERT_EQ(0, get_group(&self->req, p.b_id, &r));
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(0, r.m[0].stats[MLS_STATS_A_MESSAGES_ENCRYPTED]);
	EXPECT_EQ(1, r.m[0].stats[MLS_STATS_A_MESSAGES_DECRYPTED]);
	EXPECT_EQ(5, r.m[0].stats[MLS_STATS_A_BYTES_DECRYPTED]);
	EXPECT_EQ(1, r.m[0].u32[MLS_A_OWN_LEAF]);
	resp_free(&r);

	/* Destroyed, though its fd is open: absent, with a message. */
	ASSERT_EQ(0, grp_destroy(p.b));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, get_group(&self->req, i ? 0x7ffffff0 : p.b_id, &r));
		EXPECT_EQ(-ENOENT, r.error);
		EXPECT_EQ(0, r.n);
		EXPECT_NE(NULL, strstr(r.msg, "no such group")) TH_LOG("\"%s\"", r.msg);
		resp_free(&r);
	}
	pair_close(&p);
}

/* Group @kid of a dump, or NULL. */
static const struct ev *dump_find(const struct resp *r, uint32_t kid)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->m[i].u32[MLS_A_GROUP_KID] == kid)
			return &r->m[i];
	return NULL;
}

/*
 * The receive-save policy of @fd's group @kid, in the do and the dump
 * alike, as MLS_IOC_GROUP_INFO reports it, and as expected: N @n, @flags,
 * @unsaved decrypts that no saved snapshot holds.
 */
static void expect_recv_save(struct __test_metadata *_metadata,
			     struct nlr *nr, int fd, uint32_t kid, uint32_t n,
			     uint32_t flags, uint64_t unsaved)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_info info;
	const struct ev *g;
	struct resp r;
	int i;

	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(n, info.recv_save);
	EXPECT_EQ(flags, info.recv_save_flags);
	EXPECT_EQ(unsaved, info.recv_unsaved);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, i ? dump_groups(nr, &r) : get_group(nr, kid, &r));
		ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
		g = dump_find(&r, kid);
		ASSERT_NE(NULL, g) TH_LOG("%s: group %u absent", i ? "dump" : "do", kid);
		EXPECT_EQ(0, g->bad);
		EXPECT_EQ(group_documented() | A(RESERVE), g->mask);
		EXPECT_EQ(n, g->u32[MLS_A_RECV_SAVE]) TH_LOG("%s", i ? "dump" : "do");
		EXPECT_EQ(flags, g->u32[MLS_A_RECV_SAVE_FLAGS]) TH_LOG("%s", i ? "dump" : "do");
		EXPECT_EQ(unsaved, g->u64[MLS_A_RECV_UNSAVED]) TH_LOG("%s", i ? "dump" : "do");
		resp_free(&r);
	}
}

/*
 * A persistent group's receive-save policy and its unsaved decrypts, in
 * the do and the dump: after MLS_IOC_SET_POLICY, after decrypts, after a
 * save (MLS_IOC_GROUP_SAVED), and the policy off again.
 */
TEST_F(nl, get_group_shows_recv_save)
{
	struct mls_set_policy sp = { .mask = MLS_POLICY_RECV_SAVE };
	struct snap s = {};
	struct pair p;
	struct msg m[3];
	struct dec d;
	int i;

	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&p, 1, MLS_GROUP_F_PERSISTENT));
	/* A sends within a saved reservation; B starts saved. */
	ASSERT_EQ(0, save(p.a, &s));
	ASSERT_EQ(0, save(p.b, &s));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, enc_text(p.a, "m", &m[i]));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 0, 0, 0);

	sp.recv_save = 5;
	sp.recv_save_flags = MLS_RECV_SAVE_F_STRICT;
	ASSERT_EQ(0, xioctl(p.b, MLS_IOC_SET_POLICY, &sp));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 5,
			 MLS_RECV_SAVE_F_STRICT, 0);
	/* A's policy is its own. */
	expect_recv_save(_metadata, &self->req, p.a, p.a_id, 0, 0, 0);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dec_msg(p.b, &m[i], &d));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 5,
			 MLS_RECV_SAVE_F_STRICT, 3);
	/* Exported, not yet saved: still unsaved. */
	ASSERT_EQ(0, snap_export(p.b, &s));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 5,
			 MLS_RECV_SAVE_F_STRICT, 3);
	ASSERT_EQ(0, saved_ioc(p.b, 0, 0, s.seq));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 5,
			 MLS_RECV_SAVE_F_STRICT, 0);

	/* Off again; the count goes on regardless. */
	sp.recv_save = 0;
	sp.recv_save_flags = 0;
	ASSERT_EQ(0, xioctl(p.b, MLS_IOC_SET_POLICY, &sp));
	ASSERT_EQ(0, enc_text(p.a, "m", &m[0]));
	ASSERT_EQ(0, dec_msg(p.b, &m[0], &d));
	expect_recv_save(_metadata, &self->req, p.b, p.b_id, 0, 0, 1);

	snap_free(&s);
	pair_destroy(&p);
}

TEST_F(nl, dump_lists_exactly_the_live_groups)
{
	enum { N = 64 };
	uint32_t ids[N], *live, nlive, *dumped;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_new n;
	int fds[N], i, kept = 0;
	struct resp r;

	/* Long group_ids: the dump takes several parts. */
	for (i = 0; i < N; i++) {
		rand_bytes(gid, sizeof(gid));
		new_plain(&n, 1 + i % 7, gid, sizeof(gid), MLS_GROUP_F_EPHEMERAL);
		fds[i] = grp_create(self->ctl, &n);
		ASSERT_LE(0, fds[i]);
		ids[i] = n.id;
	}
	/* A third destroyed with their fds still open (dead, still referenced). */
	for (i = 0; i < N; i += 3)
		ASSERT_EQ(0, grp_destroy(fds[i]));

	ASSERT_EQ(0, dump_groups(&self->req, &r));
	EXPECT_EQ(0, r.error) TH_LOG("%s", r.msg);
	EXPECT_TRUE(r.done);
	EXPECT_LT(1, r.parts);
	ASSERT_EQ(0, list_ids(self->ctl, &live, &nlive));
	ASSERT_EQ(nlive, (uint32_t)r.n);
	dumped = calloc((size_t)r.n + 1, sizeof(*dumped));
	ASSERT_NE(NULL, dumped);
	for (i = 0; i < r.n; i++) {
		EXPECT_EQ(MLS_CMD_GET_GROUP, r.m[i].cmd);
		EXPECT_EQ(0, r.m[i].bad);
		EXPECT_EQ(group_documented(), r.m[i].mask);
		dumped[i] = r.m[i].u32[MLS_A_GROUP_KID];
	}
	qsort(dumped, (size_t)r.n, sizeof(*dumped), cmp_u32);
	qsort(live, nlive, sizeof(*live), cmp_u32);
	EXPECT_EQ(0, memcmp(live, dumped, nlive * sizeof(*live)));
	for (i = 0; i < N; i++) {
		bool listed = kid_in(dumped, (uint32_t)r.n, ids[i]);

		EXPECT_EQ(i % 3 != 0, listed) TH_LOG("group %d (kid %u)", i, ids[i]);
		kept += listed;
	}
	TH_LOG("%d groups in %d parts; %d of ours live", r.n, r.parts, kept);
	resp_free(&r);
	free(live);
	free(dumped);
	for (i = 0; i < N; i++)
		close(fds[i]);

	/* Gone with their last fd. */
	ASSERT_EQ(0, dump_groups(&self->req, &r));
	for (i = 0; i < r.n; i++)
		EXPECT_FALSE(kid_in(ids, N, r.m[i].u32[MLS_A_GROUP_KID]));
	resp_free(&r);
}

/* ------------------------------------------------ an unprivileged user */

struct seen {
	uint32_t kid;
	bool visible;		/* to uid/gid NOBODY without capabilities */
};

/* The effective capability set (CapEff of /proc/self/status), or ~0. */
static uint64_t cap_eff(void)
{
	char buf[4096] = { 0 }, *p;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	p = n > 0 ? strstr(buf, "CapEff:") : NULL;
	return p ? strtoull(p + 7, NULL, 16) : ~0ULL;
}

/* In the child, as NOBODY: returns 0 or the line that failed. */
#define CHK(cond) do { if (!(cond)) return __LINE__; } while (0)

static int unpriv_child(int fam, int grp, const struct seen *s, int ns,
			const uint32_t *all, uint32_t nall)
{
	struct lsn l;
	struct nlr nr;
	struct resp r;
	uint32_t own;
	int ctl, fd, i, one_grp = grp;
	uint32_t k;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 1;
	/* No capability is left. */
	CHK(geteuid() == NOBODY && cap_eff() == 0);

	/* Joining "events": -EPERM, by libnl and by the raw option. */
	CHK(lsn_open(&l, grp, 0) == -EPERM);
	CHK(setsockopt(l.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &one_grp,
		       sizeof(one_grp)) < 0 && errno == EPERM);
	lsn_close(&l);

	ctl = ctl_open();
	CHK(ctl >= 0);
	fd = grp_plain(ctl, 1, MLS_GROUP_F_EPHEMERAL, &own);
	CHK(fd >= 0);
	CHK(nlr_open(&nr, (uint16_t)fam) == 0);

	/* The version is anyone's. */
	{
		struct msgb m;

		mb_init(&m, (uint16_t)fam, MLS_CMD_GET_VERSION, NLM_F_ACK);
		CHK(nlr_do(&nr, &m, &r) == 0 && r.error == 0 && r.n == 1);
		resp_free(&r);
	}

	/* do: the others' groups it may not read are absent. */
	for (i = 0; i < ns; i++) {
		CHK(get_group(&nr, s[i].kid, &r) == 0);
		if (s[i].visible)
			CHK(r.error == 0 && r.n == 1 &&
			    r.m[0].u32[MLS_A_GROUP_KID] == s[i].kid &&
			    r.m[0].u32[MLS_A_OWNER_UID] == 0);
		else
			CHK(r.error == -ENOENT && r.n == 0);
		resp_free(&r);
	}
	CHK(get_group(&nr, own, &r) == 0 && r.error == 0 && r.n == 1);
	CHK(r.m[0].u32[MLS_A_OWNER_UID] == NOBODY);
	resp_free(&r);

	/* dump: its own and the readable ones, exactly. */
	CHK(dump_groups(&nr, &r) == 0 && r.error == 0);
	CHK((uint32_t)r.n == nall + 1);
	for (i = 0; i < r.n; i++) {
		k = r.m[i].u32[MLS_A_GROUP_KID];
		if (k == own)
			continue;
		/* Every listed group is live and one the parent said is visible. */
		CHK(kid_in(all, nall, k));
	}
	{
		bool found_own = false;

		for (i = 0; i < r.n; i++)
			found_own |= r.m[i].u32[MLS_A_GROUP_KID] == own;
		CHK(found_own);
	}
	for (i = 0; i < ns; i++) {
		bool listed = false;
		int j;

		for (j = 0; j < r.n; j++)
			listed |= r.m[j].u32[MLS_A_GROUP_KID] == s[i].kid;
		CHK(listed == s[i].visible);
	}
	resp_free(&r);
	close(fd);
	close(ctl);
	return 0;
}

/* Would uid/gid NOBODY (no supplementary group) see a group with @info? */
static bool nobody_sees(const struct mls_group_info *info)
{
	if (info->owner_uid == NOBODY)
		return true;
	if (info->owner_gid == NOBODY)
		return info->mode & 0040;
	return info->mode & 0004;
}

TEST_F(nl, unprivileged_listener_and_visibility)
{
	static const struct { __u16 mode; bool nobody_gid; bool visible; } kinds[] = {
		{ 0600, false, 0 },	/* the default */
		{ 0644, false, 1 },	/* others may read */
		{ 0640, true, true },	/* its group may read */
		{ 0604, true, 0 },	/* as for a file: the group class decides */
		{ 0660, false, 0 },	/* read by a group it is not in */
		{ 0002, false, 0 },	/* write only */
	};
	enum { NK = sizeof(kinds) / sizeof(kinds[0]) };
	struct seen s[NK];
	struct mls_group_new n;
	struct mls_group_info info;
	uint8_t gid[16], longgid[MLS_MAX_GROUP_ID_LEN];
	uint32_t *all, nall, *vis, nvis = 0, i;
	int fds[NK], st, k;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to become another user");
	for (k = 0; k < NK; k++) {
		rand_bytes(gid, sizeof(gid));
		new_plain(&n, 1, gid, sizeof(gid), MLS_GROUP_F_EPHEMERAL);
		n.mode = kinds[k].mode;
		if (kinds[k].nobody_gid)
			setfsgid(NOBODY);
		fds[k] = grp_create(self->ctl, &n);
		setfsgid(0);
		ASSERT_LE(0, fds[k]);
		s[k].kid = n.id;
		s[k].visible = kinds[k].visible;
		ASSERT_EQ(0, grp_info(fds[k], &info, gid, sizeof(gid)));
		EXPECT_EQ(kinds[k].visible, nobody_sees(&info));
	}
	/* What NOBODY may see of everything there is, groups of other suites too. */
	ASSERT_EQ(0, list_ids(self->ctl, &all, &nall));
	vis = calloc(nall + 1, sizeof(*vis));
	ASSERT_NE(NULL, vis);
	for (i = 0; i < nall; i++) {
		int fd = grp_open_id(self->ctl, all[i]);

		if (fd < 0)
			continue;	/* gone meanwhile */
		ASSERT_EQ(0, grp_info(fd, &info, longgid, sizeof(longgid)));
		if (nobody_sees(&info))
			vis[nvis++] = all[i];
		close(fd);
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unpriv_child(self->fam, self->grp, s, NK, vis, nvis));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("the unprivileged child failed at line %d",
					     WEXITSTATUS(st));
	for (k = 0; k < NK; k++)
		close(fds[k]);
	free(all);
	free(vis);
}

/* ------------------------------------------------------------- events */

TEST_F(nl, events_created_joined_destroyed)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct mls_group_new n;
	struct grp_inputs in;
	uint8_t gid[40], joiner[MLS_MAX_HASH_LEN];
	int fd, fd2;

	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));

	rand_bytes(gid, sizeof(gid));
	new_plain(&n, 1, gid, sizeof(gid), MLS_GROUP_F_EPHEMERAL);
	n.mode = 0640;
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	mine_add(n.id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, n.id);
	ASSERT_EQ(sizeof(gid), e->gid_len);
	EXPECT_EQ(0, memcmp(gid, e->gid, sizeof(gid)));
	EXPECT_EQ(1, e->u32[MLS_A_SUITE]);
	EXPECT_EQ(0, e->u64[MLS_A_EPOCH]);
	EXPECT_EQ(0, e->u64[MLS_A_OLDEST_EPOCH]);
	EXPECT_EQ(0, e->u32[MLS_A_OWN_LEAF]);
	EXPECT_EQ(1, e->u32[MLS_A_LEAF_COUNT]);
	EXPECT_EQ(1, e->u32[MLS_A_MEMBERS]);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, e->u32[MLS_A_STATE]);
	EXPECT_EQ(getuid(), e->u32[MLS_A_OWNER_UID]);
	EXPECT_EQ(0640, e->u32[MLS_A_MODE]);
	EXPECT_EQ(MLS_GROUP_F_EPHEMERAL, e->u32[MLS_A_GROUP_FLAGS]);

	/* A join from a Welcome: leaf 2 of 3, at epoch 7. */
	inputs_random(&in, 3);
	in.epoch = 7;
	rand_bytes(joiner, suite_nh(3));
	secret_add(joiner, suite_nh(3));
	secret_add(in.psk, suite_nh(3));
	new_join(&n, &in, joiner, 2, 3, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd2 = grp_join(self->ctl, &n);
	ASSERT_LE(0, fd2);
	mine_add(n.id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_JOINED, n.id);
	ASSERT_EQ(in.group_id_len, e->gid_len);
	EXPECT_EQ(0, memcmp(in.group_id, e->gid, e->gid_len));
	EXPECT_EQ(3, e->u32[MLS_A_SUITE]);
	EXPECT_EQ(7, e->u64[MLS_A_EPOCH]);
	EXPECT_EQ(7, e->u64[MLS_A_OLDEST_EPOCH]);
	EXPECT_EQ(2, e->u32[MLS_A_OWN_LEAF]);
	EXPECT_EQ(3, e->u32[MLS_A_LEAF_COUNT]);
	EXPECT_EQ(3, e->u32[MLS_A_MEMBERS]);
	EXPECT_EQ(0600, e->u32[MLS_A_MODE]);

	/* Destroyed by ioctl: once. */
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, mine.kids[0]);
	EXPECT_EQ(0, e->u64[MLS_A_EPOCH]);
	EXPECT_EQ(sizeof(gid), e->gid_len);
	EXPECT_EQ(-ENOENT, grp_destroy(fd));
	/* The last fd of a dead group: nothing more. */
	close(fd);
	EXPECT_QUIET(l, e);
	/* An ephemeral group dies with its last fd. */
	close(fd2);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, n.id);
	EXPECT_EQ(7, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);
}

/* Commit @fd (own leaf 0) from @in to its next epoch with roster (@lc, @occ). */
static int commit_roster(int fd, struct grp_inputs *in, uint8_t *cs, __u32 lc,
			 const uint8_t *occ, size_t occ_len)
{
	struct mls_commit c;
	struct grp_inputs next = *in;

	next.epoch = in->epoch + 1;
	rand_bytes(cs, suite_nh(in->suite));
	commit_init(&c, in->suite, cs, in->psk, &next, 0, lc, occ, occ_len);
	if (grp_commit(fd, &c))
		return -errno;
	*in = next;
	return 0;
}

#define EXPECT_MEMBER(l, e, cmd, kid, epoch, leaf) do {				\
	EXPECT_EVENT(l, e, cmd, kid);						\
	EXPECT_EQ((uint64_t)(epoch), (e)->u64[MLS_A_EPOCH]);			\
	EXPECT_EQ((uint32_t)(leaf), (e)->u32[MLS_A_LEAF]);			\
} while (0)

#define EXPECT_CHANGED(l, e, kid, old, new, lc, members) do {			\
	EXPECT_EVENT(l, e, MLS_CMD_EPOCH_CHANGED, kid);				\
	EXPECT_EQ((uint64_t)(old), (e)->u64[MLS_A_OLD_EPOCH]);			\
	EXPECT_EQ((uint64_t)(new), (e)->u64[MLS_A_EPOCH]);			\
	EXPECT_EQ((uint32_t)(lc), (e)->u32[MLS_A_LEAF_COUNT]);			\
	EXPECT_EQ((uint32_t)(members), (e)->u32[MLS_A_MEMBERS]);		\
} while (0)

TEST_F(nl, events_commit_epoch_changed_then_members_in_leaf_order)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint8_t occ0 = 0x05, occ1 = 0x33, occ2 = 0x03, cs[4][MLS_MAX_HASH_LEN];
	struct mls_group_new n;
	struct grp_inputs in;
	int fd;

	inputs_random(&in, 1);
	secret_add(in.init, 32);
	secret_add(in.commit, 32);
	secret_add(in.psk, 32);
	secret_add(cs[0], 32);
	secret_add(cs[1], 32);
	secret_add(cs[2], 32);
	secret_add(cs[3], 32);
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	/* Leaves 0 and 2 of 4. */
	new_from_inputs(&n, &in, 0, 4, &occ0, 1, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	mine_add(n.id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, n.id);
	EXPECT_EQ(4, e->u32[MLS_A_LEAF_COUNT]);
	EXPECT_EQ(2, e->u32[MLS_A_MEMBERS]);

	/* To leaves 0, 1, 4, 5 of 6: 1 came, 2 went, 4 and 5 came. */
	ASSERT_EQ(0, commit_roster(fd, &in, cs[0], 6, &occ1, 1));
	EXPECT_CHANGED(l, e, n.id, 0, 1, 6, 4);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_ADDED, n.id, 1, 1);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_REMOVED, n.id, 1, 2);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_ADDED, n.id, 1, 4);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_ADDED, n.id, 1, 5);
	EXPECT_QUIET(l, e);

	/* The tree shrinks to 2 leaves: those past its end are gone. */
	ASSERT_EQ(0, commit_roster(fd, &in, cs[1], 2, &occ2, 1));
	EXPECT_CHANGED(l, e, n.id, 1, 2, 2, 2);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_REMOVED, n.id, 2, 4);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_REMOVED, n.id, 2, 5);
	EXPECT_QUIET(l, e);

	/* The same roster: the epoch changes, nobody comes or goes. */
	ASSERT_EQ(0, commit_roster(fd, &in, cs[2], 2, &occ2, 1));
	EXPECT_CHANGED(l, e, n.id, 2, 3, 2, 2);
	EXPECT_QUIET(l, e);

	/* Grows to 3, all occupied (no bitmap): leaf 2 came. */
	ASSERT_EQ(0, commit_roster(fd, &in, cs[3], 3, NULL, 0));
	EXPECT_CHANGED(l, e, n.id, 3, 4, 3, 3);
	EXPECT_MEMBER(l, e, MLS_CMD_MEMBER_ADDED, n.id, 4, 2);
	EXPECT_QUIET(l, e);

	/* A failed commit changes nothing and says nothing. */
	{
		struct mls_commit c;
		struct grp_inputs next = in;

		next.epoch = in.epoch + 1;
		commit_init(&c, 1, NULL, NULL, &next, 1, 3, NULL, 0);
		EXPECT_EQ(-EINVAL, grp_commit(fd, &c));
		EXPECT_QUIET(l, e);
	}
	close(fd);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, n.id);
	EXPECT_EQ(4, e->u64[MLS_A_EPOCH]);
}

TEST_F_TIMEOUT(nl, events_epoch_expired_by_count_and_by_age, 60)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct mls_group_new n;
	struct grp_inputs in;
	struct resp r;
	uint64_t t0;
	int fd;

	inputs_random(&in, 1);
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	mine_add(n.id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, n.id);
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCHS_KEPT, 1));
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCH_MAX_AGE, max_age_longest()));
	EXPECT_QUIET(l, e);

	/* One past epoch kept: the second commit drops epoch 0, after its change. */
	ASSERT_EQ(0, commit_roster(fd, &in, cs, 1, NULL, 0));
	EXPECT_CHANGED(l, e, n.id, 0, 1, 1, 1);
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, commit_roster(fd, &in, cs, 1, NULL, 0));
	EXPECT_CHANGED(l, e, n.id, 1, 2, 1, 1);
	EXPECT_EVENT(l, e, MLS_CMD_EPOCH_EXPIRED, n.id);
	EXPECT_EQ(0, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);

	/* None kept: epoch 1 goes at once. */
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCHS_KEPT, 0));
	EXPECT_EVENT(l, e, MLS_CMD_EPOCH_EXPIRED, n.id);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);

	/* By age: epoch 2 goes a second after it was left, with nobody asking. */
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCHS_KEPT, 5));
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCH_MAX_AGE, 1000));
	ASSERT_EQ(0, commit_roster(fd, &in, cs, 1, NULL, 0));
	t0 = now_ms();
	EXPECT_CHANGED(l, e, n.id, 2, 3, 1, 1);
	ASSERT_EQ(0, get_group(&self->req, n.id, &r));
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(2, r.m[0].u64[MLS_A_OLDEST_EPOCH]);
	resp_free(&r);
	EXPECT_EVENT(l, e, MLS_CMD_EPOCH_EXPIRED, n.id);
	EXPECT_EQ(2, e->u64[MLS_A_EPOCH]);
	EXPECT_LE(900, now_ms() - t0);
	ASSERT_EQ(0, get_group(&self->req, n.id, &r));
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(3, r.m[0].u64[MLS_A_OLDEST_EPOCH]);
	resp_free(&r);

	/* A destroyed group's epochs are not "expired". */
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCH_MAX_AGE, max_age_longest()));
	ASSERT_EQ(0, commit_roster(fd, &in, cs, 1, NULL, 0));
	EXPECT_CHANGED(l, e, n.id, 3, 4, 1, 1);
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, n.id);
	EXPECT_EQ(4, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);
	close(fd);
}

TEST_F(nl, events_commit_conflict_estale)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct grp_inputs next;
	struct mls_commit c;
	struct pair p;
	uint8_t cs[MLS_MAX_HASH_LEN];

	ASSERT_EQ(0, pair_make(&p, 1));
	mine_add(p.a_id);
	mine_add(p.b_id);
	ASSERT_EQ(0, pair_commit(&p));
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));

	/* Made on the epoch before (1 -> 1): stale. */
	rand_bytes(cs, p.nh);
	secret_add(cs, p.nh);
	pair_commit_arg(&p, &c, &next, 0, cs);
	c.context.epoch = 1;
	EXPECT_EQ(-ESTALE, grp_commit(p.a, &c));
	EXPECT_EVENT(l, e, MLS_CMD_COMMIT_CONFLICT, p.a_id);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_EQ(ESTALE, e->u32[MLS_A_ERROR]);
	/* Too far ahead (1 -> 3): stale too. */
	c.context.epoch = 3;
	EXPECT_EQ(-ESTALE, grp_commit(p.a, &c));
	EXPECT_EVENT(l, e, MLS_CMD_COMMIT_CONFLICT, p.a_id);
	EXPECT_EQ(ESTALE, e->u32[MLS_A_ERROR]);
	EXPECT_QUIET(l, e);
	/* The right one wins. */
	c.context.epoch = 2;
	EXPECT_EQ(0, grp_commit(p.a, &c));
	EXPECT_CHANGED(l, e, p.a_id, 1, 2, 2, 2);
	EXPECT_QUIET(l, e);
	pair_close(&p);
}

/*
 * MLS_IOC_COMMIT_PREPARE of a one-leaf plain group to @epoch, its commit
 * secret kept as one no event may carry (0 or -errno).
 */
static int plain_prepare(int fd, __u64 epoch, uint8_t cs[32])
{
	struct grp_inputs in;
	struct mls_commit c;

	inputs_random(&in, 1);
	in.epoch = epoch;
	rand_bytes(cs, 32);
	secret_add(cs, 32);
	commit_init(&c, 1, cs, NULL, &in, 0, 1, NULL, 0);
	return xioctl(fd, MLS_IOC_COMMIT_PREPARE, &c);
}

static int pending_op(int fd, unsigned long cmd, __u64 epoch)
{
	struct mls_commit_pending a = { .epoch = epoch };

	return xioctl(fd, cmd, &a);
}

static int commit_timeout(int fd, __u32 ms)
{
	struct mls_policy p = { .commit_timeout_ms = ms };

	return grp_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &p);
}

#define EXPECT_PENDING(l, e, want_cmd, kid, cur, pend) do {			\
	EXPECT_EVENT(l, e, want_cmd, kid);					\
	EXPECT_EQ((uint64_t)(cur), (e)->u64[MLS_A_EPOCH]);			\
	EXPECT_EQ((uint64_t)(pend), (e)->u64[MLS_A_PENDING_EPOCH]);		\
} while (0)

/*
 * A pending commit's life in events: prepared, then its merge's
 * epoch_changed; or its discard, by the caller (ECANCELED), at the
 * timeout (ETIMEDOUT) or with the group (ENOENT, before the group's
 * destroyed); a second prepare is a conflict. Nothing else, in order.
 */
TEST_F(nl, events_pending_commit)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint8_t cs[5][32];
	__u32 kid;
	int fd;

	fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid);
	ASSERT_LE(0, fd);
	mine_add(kid);
	ASSERT_EQ(0, commit_timeout(fd, 60000));
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));

	ASSERT_EQ(0, plain_prepare(fd, 1, cs[0]));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_PREPARED, kid, 0, 1);
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_CHANGED(l, e, kid, 0, 1, 1, 1);

	ASSERT_EQ(0, plain_prepare(fd, 2, cs[1]));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_PREPARED, kid, 1, 2);
	EXPECT_EQ(-EBUSY, plain_prepare(fd, 2, cs[2]));
	EXPECT_EVENT(l, e, MLS_CMD_COMMIT_CONFLICT, kid);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_EQ(EBUSY, e->u32[MLS_A_ERROR]);
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_DISCARDED, kid, 1, 2);
	EXPECT_EQ(ECANCELED, e->u32[MLS_A_ERROR]);
	/* Nothing pending: no event. */
	EXPECT_EQ(-ENOENT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 2));
	EXPECT_QUIET(l, e);

	ASSERT_EQ(0, commit_timeout(fd, 1));
	ASSERT_EQ(0, plain_prepare(fd, 2, cs[3]));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_PREPARED, kid, 1, 2);
	sleep_ms(20);
	EXPECT_EQ(-ETIMEDOUT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 2));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_DISCARDED, kid, 1, 2);
	EXPECT_EQ(ETIMEDOUT, e->u32[MLS_A_ERROR]);

	ASSERT_EQ(0, commit_timeout(fd, 60000));
	ASSERT_EQ(0, plain_prepare(fd, 2, cs[4]));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_PREPARED, kid, 1, 2);
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_DISCARDED, kid, 1, 2);
	EXPECT_EQ(ENOENT, e->u32[MLS_A_ERROR]);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, kid);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);
	close(fd);
}

/*
 * A commit with MLS_COMMIT_F_FINAL: nothing when prepared but the
 * prepare's event; merged, its MLS_CMD_EPOCH_CHANGED and then, once,
 * MLS_CMD_GROUP_ENDED with the last epoch. A commit refused after it
 * (-EPIPE) says nothing; the destroy reports the last epoch.
 */
TEST_F(nl, events_group_ended)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct grp_inputs in;
	struct mls_commit c;
	uint8_t cs[2][32];
	__u32 kid;
	int fd;

	fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid);
	ASSERT_LE(0, fd);
	mine_add(kid);
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));

	inputs_random(&in, 1);
	in.epoch = 1;
	rand_bytes(cs[0], 32);
	secret_add(cs[0], 32);
	commit_init(&c, 1, cs[0], NULL, &in, 0, 1, NULL, 0);
	c.flags = MLS_COMMIT_F_FINAL;
	ASSERT_EQ(0, xioctl(fd, MLS_IOC_COMMIT_PREPARE, &c));
	EXPECT_PENDING(l, e, MLS_CMD_COMMIT_PREPARED, kid, 0, 1);
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_CHANGED(l, e, kid, 0, 1, 1, 1);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_ENDED, kid);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);

	EXPECT_EQ(-EPIPE, plain_prepare(fd, 2, cs[1]));
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, kid);
	EXPECT_EQ(1, e->u64[MLS_A_EPOCH]);
	EXPECT_QUIET(l, e);
	close(fd);
}

/* A pending commit's counters in the group dump, as sysfs has them. */
TEST_F(nl, get_group_counts_pending_commits)
{
	uint8_t cs[32], tag[32] = { 0 };
	struct mls_tag t = { .flags = MLS_TAG_F_VERIFY };
	const struct ev *g;
	struct resp r;
	__u32 kid;
	int fd;

	fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid);
	ASSERT_LE(0, fd);
	mine_add(kid);
	ASSERT_EQ(0, plain_prepare(fd, 1, cs));
	EXPECT_EQ(-ESTALE, pending_op(fd, MLS_IOC_COMMIT_MERGE, 2));
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, commit_timeout(fd, 1));
	ASSERT_EQ(0, plain_prepare(fd, 2, cs));
	sleep_ms(20);
	EXPECT_EQ(-ETIMEDOUT, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	ASSERT_EQ(0, commit_timeout(fd, 60000));
	ASSERT_EQ(0, plain_prepare(fd, 2, cs));
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	mbuf(&t.tag, tag, sizeof(tag));
	EXPECT_EQ(-EBADMSG, xioctl(fd, MLS_IOC_CONFIRMATION_TAG, &t));

	ASSERT_EQ(0, get_group(&self->req, kid, &r));
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	ASSERT_EQ(1, r.n);
	g = &r.m[0];
	EXPECT_EQ(0, g->bad);
	EXPECT_EQ(stats_documented(), g->stats_mask);
	EXPECT_EQ(3, g->stats[MLS_STATS_A_COMMITS_PREPARED]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_COMMITS_MERGED]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_EPOCHS_ROTATED]);
	EXPECT_EQ(2, g->stats[MLS_STATS_A_COMMITS_DISCARDED]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_COMMITS_TIMED_OUT]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_COMMIT_CONFLICTS]);
	EXPECT_EQ(1, g->stats[MLS_STATS_A_TAG_FAILURES]);
	resp_free(&r);
	close(fd);
}

struct race {
	int fd;
	pthread_barrier_t *bar;
	struct mls_commit c;
	int ret;
};

static void *race_commit(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->bar);
	r->ret = grp_commit(r->fd, &r->c);
	return NULL;
}

TEST_F_TIMEOUT(nl, events_commit_conflict_ebusy_two_threads, 120)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct grp_inputs next[2];
	uint8_t cs[2][MLS_MAX_HASH_LEN];
	pthread_barrier_t bar;
	struct race rc[2];
	pthread_t t[2];
	struct pair p;
	int round, i, fd2, busy = 0, stale = 0;

	ASSERT_EQ(0, pair_make(&p, 1));
	mine_add(p.a_id);
	fd2 = grp_open_id(p.ctl, p.a_id);
	ASSERT_LE(0, fd2);
	/* No past epoch kept: each winner also erases the epoch it left. */
	ASSERT_EQ(0, grp_policy1(p.a, MLS_POLICY_EPOCHS_KEPT, 0));
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 500 && busy < 5; round++) {
		int changed = 0, expired = 0, conflicts = 0, loser = -1;

		for (i = 0; i < 2; i++) {
			rand_bytes(cs[i], p.nh);
			rc[i].fd = i ? fd2 : p.a;
			rc[i].bar = &bar;
			pair_commit_arg(&p, &rc[i].c, &next[i], 0, cs[i]);
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_commit, &rc[i]));
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		ASSERT_EQ(1, (rc[0].ret == 0) + (rc[1].ret == 0));
		loser = rc[0].ret ? 0 : 1;
		ASSERT_TRUE(rc[loser].ret == -EBUSY || rc[loser].ret == -ESTALE)
			TH_LOG("round %d: %d", round, rc[loser].ret);
		busy += rc[loser].ret == -EBUSY;
		stale += rc[loser].ret == -ESTALE;
		/*
		 * The winner's change then its expiry; the loser's conflict
		 * before, between or after them.
		 */
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(1, ev_wait(_metadata, l, e, WAIT_MS)) TH_LOG("round %d", round);
			ASSERT_EQ(p.a_id, e->u32[MLS_A_GROUP_KID]);
			if (e->cmd == MLS_CMD_EPOCH_CHANGED) {
				changed++;
				EXPECT_EQ(p.in.epoch, e->u64[MLS_A_OLD_EPOCH]);
				EXPECT_EQ(p.in.epoch + 1, e->u64[MLS_A_EPOCH]);
			} else if (e->cmd == MLS_CMD_EPOCH_EXPIRED) {
				EXPECT_EQ(1, changed);
				expired++;
				EXPECT_EQ(p.in.epoch, e->u64[MLS_A_EPOCH]);
			} else {
				ASSERT_EQ(MLS_CMD_COMMIT_CONFLICT, e->cmd);
				conflicts++;
				EXPECT_EQ((uint32_t)-rc[loser].ret, e->u32[MLS_A_ERROR]);
				EXPECT_TRUE(e->u64[MLS_A_EPOCH] == p.in.epoch ||
					    e->u64[MLS_A_EPOCH] == p.in.epoch + 1);
			}
		}
		EXPECT_EQ(1, changed);
		EXPECT_EQ(1, expired);
		EXPECT_EQ(1, conflicts);
		p.in.epoch++;
	}
	EXPECT_QUIET(l, e);
	TH_LOG("%d rounds: %d EBUSY, %d ESTALE", round, busy, stale);
	EXPECT_LE(1, busy);
	pthread_barrier_destroy(&bar);
	close(fd2);
	pair_close(&p);
}

TEST_F(nl, events_throttled_user_and_encrypt_endpoints)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct mls_policy pol = { .encrypt_rate = 1, .encrypt_burst = 1 };
	struct msg m;
	uint32_t kid;
	int i, fd;

	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	/* One per second, no burst: the first passes, the next three do not. */
	ASSERT_EQ(0, ep_new(self->ctl, "thr", 1, 1, 5, 1, 1000));
	ASSERT_EQ(0, ep_record(self->ctl, "thr", 0, NULL, 0));
	EXPECT_QUIET(l, e);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(-EAGAIN, ep_record(self->ctl, "thr", 0, NULL, 0));
		EXPECT_EP_EVENT(l, e, MLS_CMD_ENDPOINT_THROTTLED, "thr");
	}
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, ep_rm(self->ctl, "thr"));

	/* A group's encrypt rate. */
	fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid);
	ASSERT_LE(0, fd);
	mine_add(kid);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, kid);
	ASSERT_EQ(0, grp_policy(fd, MLS_POLICY_ENCRYPT_RATE, &pol));
	ASSERT_EQ(0, enc_text(fd, "one", &m));
	EXPECT_QUIET(l, e);
	ASSERT_EQ(-EAGAIN, enc_text(fd, "two", &m));
	EXPECT_EVENT(l, e, MLS_CMD_ENDPOINT_THROTTLED, kid);
	EXPECT_EQ(MLS_ENDPOINT_ENCRYPT, e->u32[MLS_A_ENDPOINT_KIND]);
	EXPECT_QUIET(l, e);
	close(fd);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, kid);
}

#define EXPECT_BREAKER(l, e, name, from, to) do {				\
	EXPECT_EP_EVENT(l, e, MLS_CMD_BREAKER_CHANGED, name);			\
	EXPECT_EQ((uint32_t)(from), (e)->u32[MLS_A_OLD_STATE]);			\
	EXPECT_EQ((uint32_t)(to), (e)->u32[MLS_A_BREAKER_STATE]);		\
} while (0)

TEST_F(nl, events_breaker_changed_by_failures_and_by_hand)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;

	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	ASSERT_EQ(0, ep_new(self->ctl, "brk", 0, 1, 2, 1, 100000));
	/* Two failures in a row open it, on the second. */
	ASSERT_EQ(0, ep_report(self->ctl, "brk", MLS_EVBUF_FAILURE));
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, ep_report(self->ctl, "brk", MLS_EVBUF_FAILURE));
	EXPECT_BREAKER(l, e, "brk", MLS_EVBUF_CLOSED, MLS_EVBUF_OPEN);
	/* Refused while open: no change, no event. */
	EXPECT_EQ(-ECONNREFUSED, ep_record(self->ctl, "brk", 0, NULL, 0));
	EXPECT_QUIET(l, e);
	/* By hand. */
	ASSERT_EQ(0, ep_set(self->ctl, "brk", MLS_EVBUF_FORCED_OPEN));
	EXPECT_BREAKER(l, e, "brk", MLS_EVBUF_OPEN, MLS_EVBUF_FORCED_OPEN);
	ASSERT_EQ(0, ep_set(self->ctl, "brk", MLS_EVBUF_CLOSED));
	EXPECT_BREAKER(l, e, "brk", MLS_EVBUF_FORCED_OPEN, MLS_EVBUF_CLOSED);
	ASSERT_EQ(0, ep_set(self->ctl, "brk", MLS_EVBUF_CLOSED));
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, ep_set(self->ctl, "brk", MLS_EVBUF_HALF_OPEN));
	EXPECT_BREAKER(l, e, "brk", MLS_EVBUF_CLOSED, MLS_EVBUF_HALF_OPEN);
	/* The probe succeeds: closed again. */
	ASSERT_EQ(0, ep_record(self->ctl, "brk", 0, NULL, 0));
	ASSERT_EQ(0, ep_report(self->ctl, "brk", MLS_EVBUF_SUCCESS));
	EXPECT_BREAKER(l, e, "brk", MLS_EVBUF_HALF_OPEN, MLS_EVBUF_CLOSED);
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, ep_rm(self->ctl, "brk"));
}

TEST_F_TIMEOUT(nl, events_breaker_changed_for_a_forging_sender, 60)
{
	long long thr = mod_param("evbuf_fail_threshold");
	long long base_ms = mod_param("evbuf_open_base_ms");
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	static struct msg m, forged;
	static struct dec d;
	char text[201];
	struct pair p;
	int i;

	ASSERT_LT(0, thr);
	ASSERT_LT(0, base_ms);
	ASSERT_GE(10000, base_ms);
	ASSERT_EQ(0, pair_make(&p, 1));
	mine_add(p.a_id);
	mine_add(p.b_id);
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	/* Long enough that the tag is out of the sender data's sample. */
	memset(text, 'm', 200);
	text[200] = 0;
	ASSERT_EQ(0, enc_text(p.b, text, &forged));
	forged.buf[forged.len - 1] ^= 1;
	for (i = 0; i < thr; i++)
		EXPECT_EQ(-EBADMSG, dec_msg(p.a, &forged, &d));
	ASSERT_EQ(1, ev_wait(_metadata, l, e, WAIT_MS));
	EXPECT_EQ(MLS_CMD_BREAKER_CHANGED, e->cmd);
	EXPECT_EQ(MLS_ENDPOINT_SENDER, e->u32[MLS_A_ENDPOINT_KIND]);
	EXPECT_EQ(p.a_id, e->u32[MLS_A_GROUP_KID]);
	EXPECT_EQ(1, e->u32[MLS_A_LEAF]);
	EXPECT_EQ(MLS_EVBUF_CLOSED, e->u32[MLS_A_OLD_STATE]);
	EXPECT_EQ(MLS_EVBUF_OPEN, e->u32[MLS_A_BREAKER_STATE]);
	ASSERT_EQ(0, enc_text(p.b, text, &m));
	EXPECT_EQ(-ECONNREFUSED, dec_msg(p.a, &m, &d));
	EXPECT_QUIET(l, e);
	/* After the open time a genuine message is the probe, and closes it. */
	sleep_ms((unsigned int)base_ms + 100);
	ASSERT_EQ(0, enc_text(p.b, text, &m));
	ASSERT_EQ(0, dec_msg(p.a, &m, &d));
	ASSERT_EQ(1, ev_wait(_metadata, l, e, WAIT_MS));
	EXPECT_EQ(MLS_CMD_BREAKER_CHANGED, e->cmd);
	EXPECT_EQ(MLS_EVBUF_OPEN, e->u32[MLS_A_OLD_STATE]);
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, e->u32[MLS_A_BREAKER_STATE]);
	ASSERT_EQ(1, ev_wait(_metadata, l, e, WAIT_MS));
	EXPECT_EQ(MLS_CMD_BREAKER_CHANGED, e->cmd);
	EXPECT_EQ(MLS_EVBUF_HALF_OPEN, e->u32[MLS_A_OLD_STATE]);
	EXPECT_EQ(MLS_EVBUF_CLOSED, e->u32[MLS_A_BREAKER_STATE]);
	EXPECT_EQ(1, e->u32[MLS_A_LEAF]);
	EXPECT_QUIET(l, e);
	pair_close(&p);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One gzip member, a stored block of @text, trailer ISIZE @isize (no CRC check). */
static size_t gz_stored(uint8_t *out, const char *text, uint32_t isize)
{
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	uint16_t len = (uint16_t)strlen(text);
	size_t n = sizeof(hdr);

	memcpy(out, hdr, n);
	out[n++] = 1;	/* BFINAL, stored */
	out[n++] = (uint8_t)len;
	out[n++] = (uint8_t)(len >> 8);
	out[n++] = (uint8_t)~len;
	out[n++] = (uint8_t)(~len >> 8);
	memcpy(out + n, text, len);
	n += len;
	put_le32(out + n, 0);
	put_le32(out + n + 4, isize);
	return n + 8;
}

TEST_F(nl, events_payload_rejected)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint8_t buf[256];
	size_t n;

	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	ASSERT_EQ(0, ep_new(self->ctl, "gz", 0, 1, 5, 1, 1000));
	/* Honest gzip passes quietly. */
	n = gz_stored(buf, "hello, events", 13);
	ASSERT_EQ(0, ep_record(self->ctl, "gz", MLS_EVBUF_F_GZIP, buf, n));
	EXPECT_QUIET(l, e);
	/* Said to be gzip, and is not: malformed. */
	ASSERT_EQ(-EBADMSG, ep_record(self->ctl, "gz", MLS_EVBUF_F_GZIP, "plain text", 10));
	EXPECT_EP_EVENT(l, e, MLS_CMD_PAYLOAD_REJECTED, "gz");
	EXPECT_EQ(EBADMSG, e->u32[MLS_A_ERROR]);
	/* Would inflate past every bound: a bomb. */
	n = gz_stored(buf, "hello", 0xfffffff0);
	ASSERT_EQ(-EMSGSIZE, ep_record(self->ctl, "gz", 0, buf, n));
	EXPECT_EP_EVENT(l, e, MLS_CMD_PAYLOAD_REJECTED, "gz");
	EXPECT_EQ(EMSGSIZE, e->u32[MLS_A_ERROR]);
	/* Creating by record: rejected before the endpoint exists, named all the same. */
	ASSERT_EQ(-EBADMSG, ep_record(self->ctl, "gz2", MLS_EVBUF_F_GZIP | MLS_EVBUF_F_CREATE,
				      "x", 1));
	EXPECT_EP_EVENT(l, e, MLS_CMD_PAYLOAD_REJECTED, "gz2");
	EXPECT_QUIET(l, e);
	ASSERT_EQ(0, ep_rm(self->ctl, "gz"));
	EXPECT_EQ(-ENOENT, ep_rm(self->ctl, "gz2"));
}

TEST_F(nl, no_event_when_nothing_happens)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	struct mls_group_info info;
	struct mls_evbuf_state st = { 0 };
	struct mls_evbuf_info ei = { 0 };
	uint8_t gid[64], out[64], ctx[512];
	struct mls_version v = { 0 };
	struct resp r;
	struct msg m;
	struct dec d;
	struct pair p;
	int fd;

	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	ASSERT_EQ(0, pair_make(&p, 1));
	mine_add(p.a_id);
	mine_add(p.b_id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, p.a_id);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_CREATED, p.b_id);
	ASSERT_EQ(0, ep_new(self->ctl, "quiet", 0, 1, 5, 1, 1000));
	EXPECT_QUIET(l, e);

	/* Nothing at all. */
	EXPECT_QUIET(l, e);
	/* Reads, the data plane, and changes that change nothing. */
	EXPECT_EQ(0, ioctl(self->ctl, MLS_IOC_GET_VERSION, &v));
	EXPECT_EQ(0, grp_info(p.a, &info, gid, sizeof(gid)));
	EXPECT_EQ(0, grp_get_context(p.a, 0, 0, ctx, sizeof(ctx), NULL));
	EXPECT_EQ(0, grp_exporter(p.a, "label", "c", 1, out, 32));
	EXPECT_LT(0, grp_authenticator(p.a, out, sizeof(out), NULL));
	EXPECT_EQ(0, enc_text(p.a, "hello", &m));
	EXPECT_EQ(0, dec_msg(p.b, &m, &d));
	EXPECT_EQ(-EALREADY, dec_msg(p.b, &m, &d));
	EXPECT_EQ(0, grp_policy1(p.a, MLS_POLICY_PADDING_BLOCK, 32));
	fd = grp_open_id(p.ctl, p.a_id);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, ep_record(self->ctl, "quiet", 0, NULL, 0));
	EXPECT_EQ(0, ep_report(self->ctl, "quiet", MLS_EVBUF_SUCCESS));
	ep_name(st.id, "quiet");
	EXPECT_EQ(0, xioctl(self->ctl, MLS_IOC_EVBUF_STATE, &st));
	EXPECT_EQ(0, xioctl(self->ctl, MLS_IOC_EVBUF_INFO, &ei));
	EXPECT_EQ(0, get_group(&self->req, p.a_id, &r));
	resp_free(&r);
	EXPECT_EQ(0, dump_groups(&self->req, &r));
	resp_free(&r);
	EXPECT_QUIET(l, e);
	TH_LOG("%u events of groups older than the test", l->foreign);
	ASSERT_EQ(0, ep_rm(self->ctl, "quiet"));
	pair_close(&p);
}

TEST_F_TIMEOUT(nl, enobufs_when_not_reading_then_dump_recovers, 60)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint32_t kid[3], *live, nlive;
	int fds[3], i, r, ok = 0;
	struct resp d;

	/* The smallest receive buffer there is; nobody reads it for now. */
	ASSERT_EQ(0, lsn_open(l, self->grp, 1));
	for (i = 0; i < 3; i++) {
		fds[i] = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, &kid[i]);
		ASSERT_LE(0, fds[i]);
		mine_add(kid[i]);
	}
	ASSERT_EQ(0, ep_new(self->ctl, "flood", 1, 1, 5, 1, 1000));
	ASSERT_EQ(0, ep_record(self->ctl, "flood", 0, NULL, 0));
	for (i = 0; i < 300; i++)
		ASSERT_EQ(-EAGAIN, ep_record(self->ctl, "flood", 0, NULL, 0));
	close(fds[1]);

	/* Told, once, that events were lost. */
	r = lsn_next(l, e, WAIT_MS);
	EXPECT_EQ(-ENOBUFS, r);

	/* A dump rebuilds the view: exactly the live groups, 0 and 2, not 1. */
	ASSERT_EQ(0, dump_groups(&self->req, &d));
	ASSERT_EQ(0, d.error);
	ASSERT_EQ(0, list_ids(self->ctl, &live, &nlive));
	EXPECT_EQ(nlive, (uint32_t)d.n);
	for (i = 0; i < d.n; i++)
		EXPECT_TRUE(kid_in(live, nlive, d.m[i].u32[MLS_A_GROUP_KID]));
	for (i = 0; i < d.n; i++)
		ok += d.m[i].u32[MLS_A_GROUP_KID] == kid[0] ||
		      d.m[i].u32[MLS_A_GROUP_KID] == kid[2];
	EXPECT_EQ(2, ok);
	for (i = 0; i < d.n; i++)
		EXPECT_NE(kid[1], d.m[i].u32[MLS_A_GROUP_KID]);
	resp_free(&d);
	free(live);

	/* The listener goes on: what is queued, then what happens next. */
	while (lsn_next(l, e, 200) == 1)
		;
	close(fds[2]);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, kid[2]);
	close(fds[0]);
	EXPECT_EVENT(l, e, MLS_CMD_GROUP_DESTROYED, kid[0]);
	ASSERT_EQ(0, ep_rm(self->ctl, "flood"));
}

/* ------------------------------------------------------ module unload */

/*
 * Unloading sends MLS_CMD_SHUTDOWN, then MLS_CMD_GROUP_DESTROYED for each
 * group left. Runs in the test VM only (it unloads the module the other
 * suites use, and loads it again from MODULE_PATH with the same
 * parameters): the last test of this suite.
 */
TEST_F_TIMEOUT(nl, shutdown_on_unload_then_reload, 600)
{
	struct lsn *l = &self->l;
	struct ev *e = &self->e;
	uint32_t *ids, *gone, nids, i, destroyed = 0;
	bool shutdown = false;
	char params[1024];
	int mfd, fd[2], r;
	uint32_t kid[2];

	if (getuid() != 0 || access(MODULE_PATH, R_OK))
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	/* Two groups that outlive their fds (not ephemeral). */
	for (i = 0; i < 2; i++) {
		fd[i] = grp_plain(self->ctl, 1, 0, &kid[i]);
		ASSERT_LE(0, fd[i]);
		close(fd[i]);
		mine_add(kid[i]);
	}
	ASSERT_EQ(0, list_ids(self->ctl, &ids, &nids));
	ASSERT_LE(2, nids);
	gone = calloc(nids, sizeof(*gone));
	ASSERT_NE(NULL, gone);
	for (i = 0; i < nids; i++)
		mine_add(ids[i]);
	ASSERT_EQ(0, lsn_open(l, self->grp, BIG_RCVBUF));
	/* Nothing of ours may hold the module. */
	close(self->ctl);
	self->ctl = -1;

	r = (int)syscall(SYS_delete_module, "mls", O_NONBLOCK);
	ASSERT_EQ(0, r) TH_LOG("delete_module: %s", strerror(errno));

	/*
	 * Until the module is loaded again, EXPECT only: the suites after
	 * this one need it back whatever happened here. (An expiry of some
	 * group's past epoch may come in between: the retention worker
	 * stops only after MLS_CMD_SHUTDOWN.)
	 */
	while (ev_wait(_metadata, l, e, WAIT_MS) == 1) {
		if (e->cmd == MLS_CMD_EPOCH_EXPIRED)
			continue;
		if (!shutdown) {
			EXPECT_EQ(MLS_CMD_SHUTDOWN, e->cmd);
			EXPECT_EQ(0, e->mask);
			shutdown = true;
			continue;
		}
		EXPECT_EQ(MLS_CMD_GROUP_DESTROYED, e->cmd);
		EXPECT_TRUE(kid_in(ids, nids, e->u32[MLS_A_GROUP_KID]));
		EXPECT_FALSE(kid_in(gone, destroyed, e->u32[MLS_A_GROUP_KID]));
		if (destroyed < nids)
			gone[destroyed++] = e->u32[MLS_A_GROUP_KID];
	}
	EXPECT_TRUE(shutdown);
	EXPECT_EQ(nids, destroyed);

	/* Back for the suites that follow, as the VM loaded it. */
	vm_module_params(params, sizeof(params));
	mfd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mfd);
	/* A commit timeout of 0 refuses the load, default or cap. */
	for (i = 0; i < 2; i++) {
		char bad[1100];

		snprintf(bad, sizeof(bad), "%s %s=0", params,
			 i ? "commit_timeout_ms_max" : "commit_timeout_ms");
		errno = 0;
		EXPECT_EQ(-1, (int)syscall(SYS_finit_module, mfd, bad, 0)) TH_LOG("%s", bad);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad);
		EXPECT_NE(0, access("/dev/mls", F_OK));
	}
	r = (int)syscall(SYS_finit_module, mfd, params, 0);
	EXPECT_EQ(0, r) TH_LOG("finit_module(%s): %s", params, strerror(errno));
	close(mfd);
	for (i = 0; i < 100 && access("/dev/mls", F_OK); i++)
		sleep_ms(50);
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	free(ids);
	free(gone);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The generic netlink family "mls": its "events" multicast group and the
 * group dump (uapi/linux/mls.h, "DOC: Generic netlink family").
 *
 * libnl-genl-3 resolves the family and its group and runs the requests;
 * events are read with recvfrom(2) directly, because libnl folds ENOBUFS
 * (events lost) into NLE_NOMEM, and that one must reach the caller as
 * itself. Every attribute is held to a policy of exact lengths, and the
 * values a caller would print or index with are checked too.
 */
#include <libmls.h>

#include "lib.h"

#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Room for one datagram: an event is a few hundred bytes. */
#define EVENTS_BUF	32768

struct mls_events {
	struct nl_sock *sk;
	int fd;
	int family;
	uint8_t *buf;
	size_t len;		/* bytes of the last datagram */
	size_t off;		/* where its next message starts */
	struct timespec rx;	/* when it came */
};

#define U32	{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define U64	{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }

static const struct nla_policy attr_policy[MLS_A_MAX + 1] = {
	[MLS_A_API_VERSION]	= U32,
	[MLS_A_MODULE_VERSION]	= { .type = NLA_STRING, .minlen = 1, .maxlen = 64 },
	[MLS_A_GROUP_KID]	= U32,
	[MLS_A_GROUP_ID]	= { .type = NLA_UNSPEC, .minlen = 1,
				    .maxlen = MLS_MAX_GROUP_ID_LEN },
	[MLS_A_SUITE]		= { .type = NLA_U16, .minlen = 2, .maxlen = 2 },
	[MLS_A_EPOCH]		= U64,
	[MLS_A_OLD_EPOCH]	= U64,
	[MLS_A_OLDEST_EPOCH]	= U64,
	[MLS_A_OWN_LEAF]	= U32,
	[MLS_A_LEAF_COUNT]	= U32,
	[MLS_A_MEMBERS]		= U32,
	[MLS_A_LEAF]		= U32,
	[MLS_A_STATE]		= U32,
	[MLS_A_OWNER_UID]	= U32,
	[MLS_A_MODE]		= U32,
	[MLS_A_GROUP_FLAGS]	= U32,
	[MLS_A_STATS]		= { .type = NLA_NESTED },
	[MLS_A_ERROR]		= U32,
	[MLS_A_ENDPOINT_KIND]	= U32,
	[MLS_A_ENDPOINT_UID]	= U32,
	/* 1 to MLS_EVBUF_ID_SIZE - 1 characters and the NUL */
	[MLS_A_ENDPOINT_ID]	= { .type = NLA_STRING, .minlen = 2,
				    .maxlen = MLS_EVBUF_ID_SIZE },
	[MLS_A_OLD_STATE]	= U32,
	[MLS_A_BREAKER_STATE]	= U32,
	[MLS_A_PENDING_EPOCH]	= U64,
	[MLS_A_RECV_SAVE]	= U32,
	[MLS_A_RECV_SAVE_FLAGS]	= U32,
	[MLS_A_RECV_UNSAVED]	= U64,
};

static const struct nla_policy stats_policy[MLS_STATS_A_MAX + 1] = {
	[MLS_STATS_A_MESSAGES_ENCRYPTED]	= U64,
	[MLS_STATS_A_MESSAGES_DECRYPTED]	= U64,
	[MLS_STATS_A_BYTES_ENCRYPTED]		= U64,
	[MLS_STATS_A_BYTES_DECRYPTED]		= U64,
	[MLS_STATS_A_AUTH_FAILURES]		= U64,
	[MLS_STATS_A_REPLAYS]			= U64,
	[MLS_STATS_A_EPOCHS_ROTATED]		= U64,
	[MLS_STATS_A_COMMITS_PREPARED]		= U64,
	[MLS_STATS_A_COMMITS_MERGED]		= U64,
	[MLS_STATS_A_COMMITS_DISCARDED]		= U64,
	[MLS_STATS_A_COMMITS_TIMED_OUT]		= U64,
	[MLS_STATS_A_COMMIT_CONFLICTS]		= U64,
	[MLS_STATS_A_TAG_FAILURES]		= U64,
};

/* A libnl error as -errno. */
static int nl_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	}
	return -EPROTO;
}

/* A socket on generic netlink with the family's id in @*family. */
static int genl_open(struct nl_sock **out, int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	*out = NULL;
	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0)
		goto err;
	/* Older libnl versions do not make it close-on-exec. */
	if (fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC) < 0) {
		ret = -errno;
		nl_socket_free(sk);
		return ret;
	}
	ret = genl_ctrl_resolve(sk, MLS_GENL_NAME);
	if (ret < 0)
		goto err;
	*family = ret;
	*out = sk;
	return 0;
err:
	nl_socket_free(sk);
	return nl_errno(ret);
}

/* -------------------------------------------------------------- decoding */

/*
 * The attributes of a group message or an event, into @tb; -EPROTO if
 * one breaks the policy or carries a value nobody should print.
 */
static int parse(struct nlmsghdr *nlh, struct nlattr *tb[MLS_A_MAX + 1],
		 uint8_t *cmd)
{
	struct nlattr *a;
	size_t len, i;
	const char *s;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	if (genlmsg_parse(nlh, 0, tb, MLS_A_MAX, attr_policy) < 0)
		return -EPROTO;
	*cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	a = tb[MLS_A_ENDPOINT_ID];
	if (a) {
		/* 0x21 to 0x7e (the uapi's rule for an id), then the NUL */
		s = nla_data(a);
		len = (size_t)nla_len(a) - 1;
		for (i = 0; i < len; i++)
			if (s[i] < 0x21 || s[i] > 0x7e)
				return -EPROTO;
	}
	return 0;
}

/* @field from attribute @attr of @tb, if there, and its bit in @present. */
#define GET(field, tb, attr, getter) do {				\
	if ((tb)[attr]) {						\
		(field) = getter((tb)[attr]);				\
		present |= MLS_HAS(attr);				\
	}								\
} while (0)

static int decode_event(struct nlmsghdr *nlh, struct mls_event *ev)
{
	struct nlattr *tb[MLS_A_MAX + 1];
	uint64_t present = 0;
	uint8_t cmd;
	int ret;

	memset(ev, 0, sizeof(*ev));
	ret = parse(nlh, tb, &cmd);
	if (ret)
		return ret;
	ev->type = cmd;
	GET(ev->group_kid, tb, MLS_A_GROUP_KID, nla_get_u32);
	GET(ev->suite, tb, MLS_A_SUITE, nla_get_u16);
	GET(ev->epoch, tb, MLS_A_EPOCH, nla_get_u64);
	GET(ev->old_epoch, tb, MLS_A_OLD_EPOCH, nla_get_u64);
	GET(ev->oldest_epoch, tb, MLS_A_OLDEST_EPOCH, nla_get_u64);
	GET(ev->own_leaf, tb, MLS_A_OWN_LEAF, nla_get_u32);
	GET(ev->leaf_count, tb, MLS_A_LEAF_COUNT, nla_get_u32);
	GET(ev->members, tb, MLS_A_MEMBERS, nla_get_u32);
	GET(ev->leaf, tb, MLS_A_LEAF, nla_get_u32);
	GET(ev->state, tb, MLS_A_STATE, nla_get_u32);
	GET(ev->owner_uid, tb, MLS_A_OWNER_UID, nla_get_u32);
	GET(ev->mode, tb, MLS_A_MODE, nla_get_u32);
	GET(ev->group_flags, tb, MLS_A_GROUP_FLAGS, nla_get_u32);
	GET(ev->error, tb, MLS_A_ERROR, nla_get_u32);
	GET(ev->endpoint_kind, tb, MLS_A_ENDPOINT_KIND, nla_get_u32);
	GET(ev->endpoint_uid, tb, MLS_A_ENDPOINT_UID, nla_get_u32);
	GET(ev->old_state, tb, MLS_A_OLD_STATE, nla_get_u32);
	GET(ev->breaker_state, tb, MLS_A_BREAKER_STATE, nla_get_u32);
	GET(ev->pending_epoch, tb, MLS_A_PENDING_EPOCH, nla_get_u64);
	if (tb[MLS_A_GROUP_ID]) {
		ev->group_id_len = (uint32_t)nla_len(tb[MLS_A_GROUP_ID]);
		memcpy(ev->group_id, nla_data(tb[MLS_A_GROUP_ID]), ev->group_id_len);
		present |= MLS_HAS(MLS_A_GROUP_ID);
	}
	if (tb[MLS_A_ENDPOINT_ID]) {
		memcpy(ev->endpoint_id, nla_data(tb[MLS_A_ENDPOINT_ID]),
		       (size_t)nla_len(tb[MLS_A_ENDPOINT_ID]));
		present |= MLS_HAS(MLS_A_ENDPOINT_ID);
	}
	ev->present = present;
	return 0;
}

static int decode_group(struct nlmsghdr *nlh, struct mls_group_status *st)
{
	struct nlattr *tb[MLS_A_MAX + 1], *sb[MLS_STATS_A_MAX + 1];
	uint64_t present = 0;
	uint8_t cmd;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = parse(nlh, tb, &cmd);
	if (ret)
		return ret;
	/* A group without its kernel id is no group. */
	if (cmd != MLS_CMD_GET_GROUP || !tb[MLS_A_GROUP_KID])
		return -EPROTO;
	GET(st->kid, tb, MLS_A_GROUP_KID, nla_get_u32);
	GET(st->suite, tb, MLS_A_SUITE, nla_get_u16);
	GET(st->epoch, tb, MLS_A_EPOCH, nla_get_u64);
	GET(st->oldest_epoch, tb, MLS_A_OLDEST_EPOCH, nla_get_u64);
	GET(st->own_leaf, tb, MLS_A_OWN_LEAF, nla_get_u32);
	GET(st->leaf_count, tb, MLS_A_LEAF_COUNT, nla_get_u32);
	GET(st->members, tb, MLS_A_MEMBERS, nla_get_u32);
	GET(st->state, tb, MLS_A_STATE, nla_get_u32);
	GET(st->owner_uid, tb, MLS_A_OWNER_UID, nla_get_u32);
	GET(st->mode, tb, MLS_A_MODE, nla_get_u32);
	GET(st->group_flags, tb, MLS_A_GROUP_FLAGS, nla_get_u32);
	GET(st->recv_save, tb, MLS_A_RECV_SAVE, nla_get_u32);
	GET(st->recv_save_flags, tb, MLS_A_RECV_SAVE_FLAGS, nla_get_u32);
	GET(st->recv_unsaved, tb, MLS_A_RECV_UNSAVED, nla_get_u64);
	if (tb[MLS_A_GROUP_ID]) {
		st->group_id_len = (uint32_t)nla_len(tb[MLS_A_GROUP_ID]);
		memcpy(st->group_id, nla_data(tb[MLS_A_GROUP_ID]), st->group_id_len);
		present |= MLS_HAS(MLS_A_GROUP_ID);
	}
	st->present = present;
	if (!tb[MLS_A_STATS])
		return 0;
	st->present |= MLS_HAS(MLS_A_STATS);
	if (nla_parse_nested(sb, MLS_STATS_A_MAX, tb[MLS_A_STATS], stats_policy) < 0)
		return -EPROTO;
	present = 0;
	GET(st->messages_encrypted, sb, MLS_STATS_A_MESSAGES_ENCRYPTED, nla_get_u64);
	GET(st->messages_decrypted, sb, MLS_STATS_A_MESSAGES_DECRYPTED, nla_get_u64);
	GET(st->bytes_encrypted, sb, MLS_STATS_A_BYTES_ENCRYPTED, nla_get_u64);
	GET(st->bytes_decrypted, sb, MLS_STATS_A_BYTES_DECRYPTED, nla_get_u64);
	GET(st->auth_failures, sb, MLS_STATS_A_AUTH_FAILURES, nla_get_u64);
	GET(st->replays, sb, MLS_STATS_A_REPLAYS, nla_get_u64);
	GET(st->epochs_rotated, sb, MLS_STATS_A_EPOCHS_ROTATED, nla_get_u64);
	GET(st->commits_prepared, sb, MLS_STATS_A_COMMITS_PREPARED, nla_get_u64);
	GET(st->commits_merged, sb, MLS_STATS_A_COMMITS_MERGED, nla_get_u64);
	GET(st->commits_discarded, sb, MLS_STATS_A_COMMITS_DISCARDED, nla_get_u64);
	GET(st->commits_timed_out, sb, MLS_STATS_A_COMMITS_TIMED_OUT, nla_get_u64);
	GET(st->commit_conflicts, sb, MLS_STATS_A_COMMIT_CONFLICTS, nla_get_u64);
	GET(st->tag_failures, sb, MLS_STATS_A_TAG_FAILURES, nla_get_u64);
	st->stats_present = present;
	return 0;
}

/* ---------------------------------------------------------------- events */

MLS_EXPORT int mls_events_open(unsigned int flags, struct mls_events **out)
{
	int saved = errno, ret, grp;
	struct mls_events *ev;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (flags)
		return -EINVAL;
	ev = mls_calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->buf = mls_malloc(EVENTS_BUF);
	if (!ev->buf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = genl_open(&ev->sk, &ev->family);
	if (ret)
		goto err;
	ret = genl_ctrl_resolve_grp(ev->sk, MLS_GENL_NAME, MLS_GENL_MCGRP_EVENTS);
	if (ret < 0) {
		ret = nl_errno(ret);
		goto err;
	}
	grp = ret;
	ev->fd = nl_socket_get_fd(ev->sk);
	/* setsockopt itself: libnl would turn its EPERM into a guess. */
	if (setsockopt(ev->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)) < 0) {
		ret = -errno;
		goto err;
	}
	errno = saved;
	*out = ev;
	return 0;
err:
	if (ev->sk)
		nl_socket_free(ev->sk);
	free(ev->buf);
	free(ev);
	errno = saved;
	return ret;
}

MLS_EXPORT int mls_events_fd(const struct mls_events *ev)
{
	return ev ? ev->fd : -EINVAL;
}

MLS_EXPORT void mls_events_close(struct mls_events *ev)
{
	int saved = errno;

	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev->buf);
	free(ev);
	errno = saved;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * The next message of the datagram in hand that is one of the family's:
 * 1 and @ev filled (or -EPROTO), 0 when the datagram is used up.
 */
static int next_in_buf(struct mls_events *h, struct mls_event *ev)
{
	struct nlmsghdr *nlh;
	int remaining, ret;

	while (h->off < h->len) {
		nlh = (struct nlmsghdr *)(h->buf + h->off);
		remaining = (int)(h->len - h->off);
		if (!nlmsg_ok(nlh, remaining)) {
			h->off = h->len;
			return -EPROTO;
		}
		h->off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (h->off > h->len)
			h->off = h->len;
		/* Anything but the family's notifications is not an event. */
		if (nlh->nlmsg_type != h->family)
			continue;
		ret = decode_event(nlh, ev);
		if (ret)
			return ret;
		if (ev->type < MLS_CMD_GROUP_CREATED)
			continue;
		ev->time = h->rx;
		return 1;
	}
	return 0;
}

MLS_EXPORT int mls_events_next(struct mls_events *h, struct mls_event *ev,
			       int timeout_ms)
{
	int saved = errno, ret, wait;
	int64_t deadline = 0;
	struct sockaddr_nl sa;
	socklen_t salen;
	struct pollfd p;
	ssize_t n;

	if (!h || !ev)
		return -EINVAL;
	if (timeout_ms > 0)
		deadline = now_ms() + timeout_ms;
	for (;;) {
		ret = next_in_buf(h, ev);
		if (ret)
			break;
		if (timeout_ms != 0) {
			wait = timeout_ms;
			if (timeout_ms > 0) {
				int64_t left = deadline - now_ms();

				wait = left > 0 ? (int)left : 0;
			}
			p.fd = h->fd;
			p.events = POLLIN;
			p.revents = 0;
			ret = poll(&p, 1, wait);
			if (ret < 0) {
				ret = -errno;
				break;
			}
			if (ret == 0) {
				ret = -ETIMEDOUT;
				break;
			}
			if (p.revents & POLLNVAL) {
				ret = -EBADF;
				break;
			}
		}
		salen = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		n = recvfrom(h->fd, h->buf, EVENTS_BUF, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&sa, &salen);
		if (n < 0 && errno == ENOBUFS) {
			memset(ev, 0, sizeof(*ev));
			ev->type = MLS_EVENT_LOST;
			clock_gettime(CLOCK_REALTIME, &ev->time);
			ret = 0;
			break;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (timeout_ms == 0) {
				ret = -EAGAIN;
				break;
			}
			continue;
		}
		if (n < 0) {
			ret = -errno;
			break;
		}
		/* Only the kernel speaks on this socket. */
		if (salen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid)
			continue;
		clock_gettime(CLOCK_REALTIME, &h->rx);
		if (n > EVENTS_BUF) {
			ret = -EPROTO;
			break;
		}
		h->len = (size_t)n;
		h->off = 0;
	}
	errno = saved;
	return ret < 0 ? ret : 0;
}

/* ------------------------------------------------------------- the dump */

struct dump {
	struct mls_group_status *v;
	size_t n, cap;
	int err;
	int family;
	bool one;		/* a do: exactly one group */
};

static int dump_valid(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct mls_group_status *nv;
	size_t cap;

	if (nlmsg_hdr(msg)->nlmsg_type != d->family) {
		d->err = -EPROTO;
		return NL_STOP;
	}
	if (d->n == d->cap) {
		if (d->one) {
			d->err = -EPROTO;
			return NL_STOP;
		}
		cap = d->cap ? 2 * d->cap : 16;
		nv = mls_malloc(cap * sizeof(*nv));
		if (!nv) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		if (d->n)
			memcpy(nv, d->v, d->n * sizeof(*nv));
		free(d->v);
		d->v = nv;
		d->cap = cap;
	}
	d->err = decode_group(nlmsg_hdr(msg), &d->v[d->n]);
	if (d->err)
		return NL_STOP;
	d->n++;
	return NL_OK;
}

/* A dump that failed part way says so in its NLMSG_DONE: an int, < 0. */
static int dump_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct dump *d = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0)
			d->err = err;
	}
	return NL_STOP;
}

static int dump_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct dump *d = arg;

	(void)who;
	d->err = e->error < 0 ? e->error : -EPROTO;
	return NL_STOP;
}

static int by_kid(const void *a, const void *b)
{
	const struct mls_group_status *x = a, *y = b;

	return (x->kid > y->kid) - (x->kid < y->kid);
}

/* One MLS_CMD_GET_GROUP request (a dump, or a do on @kid) into @d. */
static int get_group(struct dump *d, uint32_t kid)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	ret = genl_open(&sk, &family);
	if (ret)
		return ret;
	d->family = family;
	nl_socket_enable_msg_peek(sk);
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 d->one ? 0 : NLM_F_DUMP, MLS_CMD_GET_GROUP,
			 MLS_GENL_VERSION) ||
	    (d->one && nla_put_u32(msg, MLS_A_GROUP_KID, kid) < 0)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nl_send_auto(sk, msg);
	if (ret < 0) {
		ret = nl_errno(ret);
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dump_valid, d);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, dump_done, d);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, dump_error, d);
	ret = nl_recvmsgs_default(sk);
	if (d->err)
		ret = d->err;
	else if (ret == -NLE_DUMP_INTR)
		ret = -EAGAIN;	/* the groups changed under the dump */
	else if (ret < 0)
		ret = nl_errno(ret);
	else
		ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

MLS_EXPORT int mls_groups_dump(struct mls_group_status **groups, size_t *count)
{
	int saved = errno, ret = -EAGAIN, i;
	struct dump d;

	if (!groups || !count)
		return -EINVAL;
	*groups = NULL;
	*count = 0;
	for (i = 0; i < MLS_RETRIES && ret == -EAGAIN; i++) {
		memset(&d, 0, sizeof(d));
		ret = get_group(&d, 0);
		if (ret) {
			free(d.v);
			continue;
		}
		if (d.n)
			qsort(d.v, d.n, sizeof(*d.v), by_kid);
		*groups = d.v;
		*count = d.n;
	}
	errno = saved;
	return ret;
}

MLS_EXPORT int mls_group_get_status(uint32_t kid, struct mls_group_status *st)
{
	int saved = errno, ret;
	struct dump d;

	if (!st)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.one = true;
	d.v = st;
	d.cap = 1;
	ret = get_group(&d, kid);
	if (ret == 0 && (d.n != 1 || st->kid != kid))
		ret = -EPROTO;
	if (ret)
		memset(st, 0, sizeof(*st));
	errno = saved;
	return ret;
}

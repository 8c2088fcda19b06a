// SPDX-License-Identifier: GPL-2.0
/*
 * A group's whole life, end to end, in each of the seven suites: three
 * members in three processes (Bob and Carol under uids of their own)
 * that exchange nothing but MLSMessages (KeyPackage, Welcome, Commit,
 * PrivateMessage) through a delivery service over AF_UNIX
 * SOCK_SEQPACKET sockets. The delivery service is the test's own
 * process: it puts every message in one total order, fans it out to the
 * members in that order, and accepts the first Commit of each epoch and
 * rejects the others (it tells their committers); for a race it holds
 * the Commits until each racer's has come and then takes the one the
 * test names first, so that each side's path is run, not left to
 * timing. It also drives the scenario, with commands to the members,
 * and reads their reports: the result of each command and of each
 * message delivered, with the member's epoch, epoch_authenticator, an
 * exported secret and whether a commit is pending, as its kernel gives
 * them.
 *
 *  e2e.all_suites  for each suite: Alice creates the group and adds Bob
 *                  and Carol from their KeyPackages, who join from the
 *                  Welcome; application messages go both ways between
 *                  every two members; Bob commits an Update (an
 *                  UpdatePath); Alice and Bob commit at once on the
 *                  same epoch, twice: Alice's is accepted the first
 *                  time and Bob's the second, and each time the loser
 *                  discards its pending commit (its kernel group stays
 *                  in the epoch, nothing pending) and follows the
 *                  winner's; Alice removes Carol, who from
 *                  then on opens none of the messages or Commits of the
 *                  later epochs (she still gets them all); Bob adds her
 *                  back from a new KeyPackage; Alice commits an external
 *                  PSK and Bob a resumption PSK of the group; Carol,
 *                  with a new signature key, rejoins by an external
 *                  commit from the GroupInfo Alice published, removing
 *                  her old leaf, and Alice and Bob follow it (suites
 *                  4, 5, 6: the GroupInfo is -EOPNOTSUPP). After each
 *                  step every member has the same epoch,
 *                  epoch_authenticator and exported secret, and no
 *                  commit pending. Each member process ends with a
 *                  LeakSanitizer check of its own.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmls.h>
#include <mls_client.h>

#include "client_util.h"
#include "kselftest_harness.h"
#include "wire.h"

enum { ALICE, BOB, CAROL, N_MEMBERS };

static const char *const names[N_MEMBERS] = { "alice", "bob", "carol" };
/* Alice is root; Bob and Carol are users of their own. */
static const uid_t uids[N_MEMBERS] = { 0, 1000, 1001 };

/* What goes over a member's socket: a header, then bytes. */
enum kind {
	/* the driver's commands to a member; each is answered by a REPORT */
	OP_CREATE = 1,		/* create the group (Alice) */
	OP_KEYPACKAGE,		/* make a new KeyPackage; REPORT has it */
	OP_COMMIT,		/* struct commit_cmd, then the KeyPackages */
	OP_SEND,		/* send the bytes as an application message */
	OP_STATE,		/* report epoch, leaf and epoch_authenticator */
	OP_GROUP_INFO,		/* export a GroupInfo; REPORT has it */
	OP_EXTERNAL,		/* int32 leaf, then a GroupInfo: resync */
	OP_QUIT,		/* release everything and exit */
	/* the delivery service to a member */
	DS_DELIVER,		/* a handshake or application message */
	DS_WELCOME,		/* a Welcome */
	DS_ACCEPT,		/* your Commit is the epoch's */
	DS_REJECT,		/* another Commit was first */
	/* a member to the delivery service */
	UP_COMMIT,		/* arg: the Commit's length; Commit, Welcome */
	UP_APP,			/* a PrivateMessage to fan out */
	UP_REPORT,		/* struct report */
};

struct hdr {
	uint32_t kind;
	uint32_t arg;
};

#define MAX_PKT		(64 * 1024)
#define MAX_DATA	4096

/* A member's answer to a command or to a message delivered. */
struct report {
	uint32_t op;		/* the OP_* or DS_* it answers */
	int32_t err;
	uint32_t content_type;	/* DS_DELIVER */
	uint32_t flags;		/* DS_DELIVER: MLSC_PROCESSED_F_*;
				 * OP_COMMIT: 1 if accepted */
	uint32_t sender;	/* DS_DELIVER */
	int32_t own_leaf;	/* -1: no group */
	uint64_t epoch;		/* the member's kernel group, now */
	/* its pending epoch's confirmation_tag: -ENOENT when none */
	int32_t pending_err;
	/* OP_COMMIT: the epoch pending when the verdict came, or UINT64_MAX */
	uint64_t verdict_pending;
	uint32_t auth_len;
	uint8_t auth[64];
	uint32_t exp_len;
	uint8_t exp[32];	/* MLS-Exporter("e2e", "state", 32) */
	uint32_t data_len;	/* application data, a KeyPackage */
	uint8_t data[MAX_DATA];
};

/* What OP_COMMIT asks for. */
struct commit_cmd {
	uint32_t flags;		/* MLSC_COMMIT_F_* */
	uint32_t n_add;		/* KeyPackages following, at most 2 */
	uint32_t kp_len[2];
	int32_t remove;		/* a leaf, or -1 */
	uint32_t ext_psk;	/* propose the external PSK */
	uint32_t res_psk;	/* propose the group's resumption PSK of
				 * the epoch before the current one */
};

static int send_pkt(int sock, uint32_t kind, uint32_t arg, const void *a,
		    size_t alen, const void *b, size_t blen)
{
	struct hdr h = { .kind = kind, .arg = arg };
	struct iovec iov[3] = {
		{ &h, sizeof(h) },
		{ (void *)a, alen },
		{ (void *)b, blen },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };

	return sendmsg(sock, &m, 0) == (ssize_t)(sizeof(h) + alen + blen) ?
	       0 : -EIO;
}

/* ---- a member --------------------------------------------------------- */

struct peer {
	int sock, ctl;
	unsigned int who, suite;
	struct member m;
	struct mlsc_group *old;	/* the group it was removed from */
	uint8_t *queue[16];	/* what came while a Commit waited */
	size_t queue_len[16];
	unsigned int n_queued;
};

static struct mlsc_group *peer_group(const struct peer *p)
{
	return p->m.g ? p->m.g : p->old;
}

/* The epoch pending in @g's kernel group, or UINT64_MAX (none). */
static uint64_t pending_epoch(const struct mlsc_group *g, int32_t *err)
{
	uint8_t tag[64];
	size_t len = sizeof(tag);
	uint64_t epoch = UINT64_MAX;

	*err = mls_confirmation_tag(mlsc_group_fd(g), MLS_TAG_F_PENDING, tag,
				    &len, &epoch);
	return *err ? UINT64_MAX : epoch;
}

static void fill_state(const struct peer *p, struct report *r)
{
	const struct mlsc_group *g = peer_group(p);
	size_t len = sizeof(r->auth);

	r->own_leaf = -1;
	r->pending_err = -ENOENT;
	if (!g)
		return;
	r->own_leaf = (int32_t)mlsc_group_own_leaf(g);
	if (!mls_epoch_authenticator(mlsc_group_fd(g), r->auth, &len,
				     &r->epoch))
		r->auth_len = (uint32_t)len;
	if (!mls_exporter(mlsc_group_fd(g), "e2e", "state", 5, r->exp,
			  sizeof(r->exp), NULL))
		r->exp_len = sizeof(r->exp);
	pending_epoch(g, &r->pending_err);
}

static void report(struct peer *p, struct report *r)
{
	fill_state(p, r);
	send_pkt(p->sock, UP_REPORT, 0, r, sizeof(*r) - MAX_DATA + r->data_len,
		 NULL, 0);
}

static void set_data(struct report *r, const void *data, size_t len)
{
	if (len > MAX_DATA) {
		r->err = r->err ?: -E2BIG;
		return;
	}
	if (len)
		memcpy(r->data, data, len);
	r->data_len = (uint32_t)len;
}

static void on_deliver(struct peer *p, const uint8_t *msg, size_t len)
{
	struct mlsc_process_opts po = { .psks = &ext_psk, .n_psks = 1 };
	struct report r = { .op = DS_DELIVER, .err = -ENOENT };
	struct mlsc_group *g = peer_group(p);
	struct mlsc_processed out;

	memset(&out, 0, sizeof(out));
	if (g)
		r.err = mlsc_group_process(g, msg, len, &po, &out);
	if (!r.err) {
		r.content_type = out.content_type;
		r.flags = out.flags;
		r.sender = out.sender_leaf;
		set_data(&r, out.data.data, out.data.len);
		if (out.flags & MLSC_PROCESSED_F_REMOVED) {
			p->old = p->m.g;
			p->m.g = NULL;
		}
	}
	mlsc_processed_free(&out);
	report(p, &r);
}

static void on_welcome(struct peer *p, const uint8_t *msg, size_t len)
{
	struct mls_bytes w = { .data = (uint8_t *)msg, .len = len };
	struct report r = { .op = DS_WELCOME, .err = -EEXIST };

	if (!p->m.g && p->m.priv)
		r.err = member_join(p->ctl, &p->m, &w, NULL, NULL, 0);
	if (!r.err && p->old) {
		mls_group_destroy(mlsc_group_fd(p->old));
		mlsc_group_free(p->old);
		p->old = NULL;
	}
	report(p, &r);
}

static void on_keypackage(struct peer *p)
{
	struct report r = { .op = OP_KEYPACKAGE };
	struct mlsc_group *g = p->m.g;

	/* a member's group stays: only the KeyPackage is new */
	p->m.g = NULL;
	member_free(&p->m);
	r.err = member_new(p->suite, names[p->who], &p->m);
	p->m.g = g;
	if (!r.err)
		set_data(&r, p->m.kp_msg.data, p->m.kp_msg.len);
	report(p, &r);
}

/* Wait for the delivery service's verdict, queueing what comes first. */
static int verdict(struct peer *p)
{
	static uint8_t buf[MAX_PKT];

	for (;;) {
		ssize_t n = recv(p->sock, buf, sizeof(buf), 0);
		const struct hdr *h = (const struct hdr *)buf;

		if (n < (ssize_t)sizeof(*h))
			return -EPIPE;
		if (h->kind == DS_ACCEPT || h->kind == DS_REJECT)
			return h->kind == DS_ACCEPT;
		if (p->n_queued == 16)
			return -ENOSPC;
		p->queue[p->n_queued] = malloc((size_t)n);
		if (!p->queue[p->n_queued])
			return -ENOMEM;
		memcpy(p->queue[p->n_queued], buf, (size_t)n);
		p->queue_len[p->n_queued++] = (size_t)n;
	}
}

/*
 * Send @commit (and a Welcome, when @welcome_len) to the delivery
 * service, then merge or discard @g's pending commit as its verdict says.
 * In @r: the error, and flags 1 when the commit was accepted.
 */
static void commit_settle(struct peer *p, struct mlsc_group *g,
			  const struct mls_bytes *commit,
			  const uint8_t *welcome, size_t welcome_len,
			  struct report *r)
{
	int32_t unused;
	int v;

	r->err = send_pkt(p->sock, UP_COMMIT, (uint32_t)commit->len,
			  commit->data, commit->len, welcome, welcome_len);
	v = r->err ? r->err : verdict(p);
	r->verdict_pending = pending_epoch(g, &unused);
	if (v == 1)
		r->err = mlsc_commit_merge(g);
	else if (v == 0)
		r->err = mlsc_commit_discard(g);
	else
		r->err = v;
	r->flags = v == 1;
}

static void on_commit(struct peer *p, const uint8_t *body, size_t len)
{
	struct commit_cmd c;
	struct mlsc_keypkg *kps[2] = { NULL, NULL };
	struct mlsc_proposal_spec props[5];
	struct mlsc_resumption_psk res = { 0 };
	struct mlsc_commit_args ca = { .sig_key = p->m.sig };
	struct mlsc_commit_out out = { 0 };
	struct report r = { .op = OP_COMMIT, .err = -EINVAL };
	size_t n = 0, off = sizeof(c);

	memset(props, 0, sizeof(props));
	if (len < sizeof(c) || !p->m.g)
		goto out;
	memcpy(&c, body, sizeof(c));
	r.err = 0;
	for (uint32_t i = 0; i < c.n_add && i < 2 && !r.err; i++) {
		if (c.kp_len[i] > len - off) {
			r.err = -EINVAL;
			break;
		}
		r.err = mlsc_keypkg_parse(body + off, c.kp_len[i], &kps[i]);
		off += c.kp_len[i];
		props[n].type = MLSC_PROPOSE_ADD;
		props[n++].key_package = kps[i];
	}
	if (c.remove >= 0) {
		props[n].type = MLSC_PROPOSE_REMOVE;
		props[n++].leaf = (uint32_t)c.remove;
	}
	if (c.ext_psk)
		props[n++] = psk_proposal;
	if (c.res_psk) {
		res.group_fd = mlsc_group_fd(p->m.g);
		res.epoch = kernel_epoch(p->m.g) - 1;
		props[n].type = MLSC_PROPOSE_PSK_RESUMPTION;
		props[n].psk = &res;
		props[n++].psk_len = sizeof(res);
	}
	ca.flags = c.flags;
	ca.proposals = props;
	ca.n_proposals = n;
	if (!r.err)
		r.err = mlsc_commit_create(p->m.g, &ca, &out);
	if (r.err)
		goto out;
	commit_settle(p, p->m.g, &out.commit, out.welcome.data,
		      out.welcome.len, &r);
out:
	mlsc_commit_out_free(&out);
	mlsc_keypkg_free(kps[0]);
	mlsc_keypkg_free(kps[1]);
	report(p, &r);
}

static void on_group_info(struct peer *p)
{
	struct report r = { .op = OP_GROUP_INFO, .err = -ENOENT };
	struct mls_bytes gi = { 0 };

	if (p->m.g)
		r.err = mlsc_group_info_export(p->m.g,
					       MLSC_GROUP_INFO_F_RATCHET_TREE,
					       p->m.sig, &gi);
	if (!r.err)
		set_data(&r, gi.data, gi.len);
	mls_bytes_free(&gi);
	report(p, &r);
}

/* A resync: a new self joins by external commit, removing @body's leaf. */
static void on_external(struct peer *p, const uint8_t *body, size_t len)
{
	struct report r = { .op = OP_EXTERNAL, .err = -EINVAL };
	struct mlsc_external_args a = { .flags = MLSC_EXTERNAL_F_EPHEMERAL |
						 MLSC_EXTERNAL_F_REMOVE };
	struct mls_bytes commit = { 0 };
	struct mlsc_group *old = p->m.g;
	int32_t leaf;

	if (len < sizeof(leaf) || !old)
		goto out;
	memcpy(&leaf, body, sizeof(leaf));
	p->m.g = NULL;
	member_free(&p->m);
	r.err = member_new(p->suite, names[p->who], &p->m);
	a.remove_leaf = (uint32_t)leaf;
	a.leaf = p->m.priv;
	a.sig_key = p->m.sig;
	if (!r.err)
		r.err = mlsc_external_join(p->ctl, body + sizeof(leaf),
					   len - sizeof(leaf), &a, &p->m.g,
					   &commit);
	if (!r.err)
		commit_settle(p, p->m.g, &commit, NULL, 0, &r);
	if (!r.err && r.flags) {
		mls_group_destroy(mlsc_group_fd(old));
		mlsc_group_free(old);
	} else {
		mlsc_group_free(p->m.g);
		p->m.g = old;
	}
out:
	mls_bytes_free(&commit);
	report(p, &r);
}

static void on_send(struct peer *p, const uint8_t *text, size_t len)
{
	struct report r = { .op = OP_SEND, .err = -ENOENT };
	struct mls_sent sent = { 0 };

	if (p->m.g)
		r.err = mls_send(mlsc_group_fd(p->m.g), p->m.sig, text, len,
				 NULL, 0, &sent);
	if (!r.err)
		r.err = send_pkt(p->sock, UP_APP, 0, sent.message.data,
				 sent.message.len, NULL, 0);
	mls_bytes_free(&sent.message);
	report(p, &r);
}

/* One packet: false when told to quit (or the socket is gone). */
static bool handle(struct peer *p, const uint8_t *buf, size_t n)
{
	const struct hdr *h = (const struct hdr *)buf;
	const uint8_t *body = buf + sizeof(*h);
	size_t len = n - sizeof(*h);
	struct report r = { 0 };

	switch (h->kind) {
	case OP_CREATE:
		r.op = OP_CREATE;
		r.err = member_create(p->ctl, &p->m, p->suite);
		report(p, &r);
		break;
	case OP_KEYPACKAGE:
		on_keypackage(p);
		break;
	case OP_COMMIT:
		on_commit(p, body, len);
		break;
	case OP_SEND:
		on_send(p, body, len);
		break;
	case OP_GROUP_INFO:
		on_group_info(p);
		break;
	case OP_EXTERNAL:
		on_external(p, body, len);
		break;
	case OP_STATE:
		r.op = OP_STATE;
		report(p, &r);
		break;
	case DS_DELIVER:
		on_deliver(p, body, len);
		break;
	case DS_WELCOME:
		on_welcome(p, body, len);
		break;
	default:
		return false;
	}
	return true;
}

/* The member process: 0 when it ran to OP_QUIT and leaked nothing. */
static int member_main(int sock, unsigned int who, unsigned int suite)
{
	static uint8_t buf[MAX_PKT];
	struct peer p = { .sock = sock, .who = who, .suite = suite };
	bool run = true;
	int ret;

	if (uids[who] &&
	    (setgroups(0, NULL) ||
	     setresgid(uids[who], uids[who], uids[who]) ||
	     setresuid(uids[who], uids[who], uids[who])))
		return 2;
	/* LeakSanitizer's tracer attaches to us: stay traceable */
	prctl(PR_SET_DUMPABLE, 1);
	p.ctl = mls_open(0);
	if (p.ctl < 0)
		return 3;
	while (run) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);

		if (n < (ssize_t)sizeof(struct hdr))
			return 4;
		run = handle(&p, buf, (size_t)n);
		while (run && p.n_queued) {
			uint8_t *q = p.queue[0];
			size_t qlen = p.queue_len[0];

			memmove(p.queue, p.queue + 1,
				--p.n_queued * sizeof(p.queue[0]));
			memmove(p.queue_len, p.queue_len + 1,
				p.n_queued * sizeof(p.queue_len[0]));
			run = handle(&p, q, qlen);
			free(q);
		}
	}
	if (p.old) {
		mls_group_destroy(mlsc_group_fd(p.old));
		mlsc_group_free(p.old);
	}
	member_free(&p.m);
	close(p.ctl);
	ret = leaks() ? 5 : 0;
	close(sock);
	return ret;
}

/* ---- the delivery service and driver ---------------------------------- */

#define MAX_LOG 16

struct ds {
	int sock[N_MEMBERS];
	pid_t pid[N_MEMBERS];
	bool sub[N_MEMBERS];	/* gets the group's messages */
	bool awaiting[N_MEMBERS];	/* has published a KeyPackage */
	unsigned int pending[N_MEMBERS];	/* reports still to come */
	uint64_t epoch;		/* the group's, as the service saw it */
	unsigned int accepted, rejected;
	/*
	 * A race: the Commits of the members @racers holds wait until each
	 * has sent one; then @winner's is judged first, the others after.
	 */
	unsigned int racers, winner;
	uint8_t *held[N_MEMBERS];	/* a Commit (and Welcome) waiting */
	size_t held_len[N_MEMBERS];
	uint32_t held_commit_len[N_MEMBERS];
	uint64_t held_epoch[N_MEMBERS];	/* the epoch each was built on */
	struct report log[N_MEMBERS][MAX_LOG];
	unsigned int n_log[N_MEMBERS];
	uint8_t kp[N_MEMBERS][MAX_DATA];
	size_t kp_len[N_MEMBERS];
};

static int ds_start(struct ds *ds, unsigned int suite)
{
	memset(ds, 0, sizeof(*ds));
	for (unsigned int i = 0; i < N_MEMBERS; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
			return -errno;
		ds->pid[i] = fork();
		if (ds->pid[i] < 0)
			return -errno;
		if (!ds->pid[i]) {
			for (unsigned int j = 0; j < i; j++)
				close(ds->sock[j]);
			close(sv[0]);
			_exit(member_main(sv[1], i, suite));
		}
		close(sv[1]);
		ds->sock[i] = sv[0];
	}
	return 0;
}

/* Tell the members to quit: 0 if each exited 0. */
static int ds_stop(struct ds *ds)
{
	int ret = 0;

	for (unsigned int i = 0; i < N_MEMBERS; i++) {
		int status = -1;

		free(ds->held[i]);
		ds->held[i] = NULL;
		if (ds->pid[i] <= 0)
			continue;
		send_pkt(ds->sock[i], OP_QUIT, 0, NULL, 0, NULL, 0);
		close(ds->sock[i]);
		if (waitpid(ds->pid[i], &status, 0) != ds->pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "# %s exited with status %#x\n",
				names[i], status);
			ret = -1;
		}
		ds->pid[i] = 0;
	}
	return ret;
}

static int cmd(struct ds *ds, unsigned int i, uint32_t op, const void *a,
	       size_t alen, const void *b, size_t blen)
{
	ds->pending[i]++;
	return send_pkt(ds->sock[i], op, 0, a, alen, b, blen);
}

/* Fan @msg out to the group's members but @from, in one order. */
static void fan_out(struct ds *ds, unsigned int from, uint32_t kind,
		    const void *msg, size_t len, const bool *to)
{
	for (unsigned int j = 0; j < N_MEMBERS; j++) {
		if (j == from || !to[j])
			continue;
		ds->pending[j]++;
		send_pkt(ds->sock[j], kind, 0, msg, len, NULL, 0);
	}
}

/* The epoch a Commit's MLSMessage is of, or UINT64_MAX. */
static uint64_t commit_epoch(const uint8_t *msg, size_t len)
{
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	uint64_t epoch = UINT64_MAX;

	mlsc_arena_init(&arena);
	if (!MLSC_DECODE(msg, len, &arena, &m, mlsc_io_mls_message)) {
		if (m.wire_format == MLSC_WIRE_PUBLIC_MESSAGE &&
		    m.pub.content.content_type == MLSC_CONTENT_COMMIT)
			epoch = m.pub.content.epoch;
		if (m.wire_format == MLSC_WIRE_PRIVATE_MESSAGE &&
		    m.priv.content_type == MLSC_CONTENT_COMMIT)
			epoch = m.priv.epoch;
	}
	mlsc_arena_free(&arena);
	return epoch;
}

/* @i's Commit: the first of its epoch is accepted, any other rejected. */
static void judge(struct ds *ds, unsigned int i, const uint8_t *body,
		  size_t len, uint32_t commit_len)
{
	uint64_t epoch = commit_len <= len ? commit_epoch(body, commit_len) :
			 UINT64_MAX;

	if (epoch != ds->epoch) {
		ds->rejected++;
		send_pkt(ds->sock[i], DS_REJECT, 0, NULL, 0, NULL, 0);
		return;
	}
	ds->accepted++;
	ds->epoch++;
	fan_out(ds, i, DS_DELIVER, body, commit_len, ds->sub);
	if (len > commit_len)
		fan_out(ds, i, DS_WELCOME, body + commit_len, len - commit_len,
			ds->awaiting);
	send_pkt(ds->sock[i], DS_ACCEPT, 0, NULL, 0, NULL, 0);
}

/* Judge the held Commits: the winner's first, then the others'. */
static void race_release(struct ds *ds)
{
	unsigned int order[N_MEMBERS], n = 0;

	order[n++] = ds->winner;
	for (unsigned int i = 0; i < N_MEMBERS; i++)
		if (i != ds->winner)
			order[n++] = i;
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = order[k];

		if (!ds->held[i])
			continue;
		ds->held_epoch[i] = commit_epoch(ds->held[i],
						 ds->held_commit_len[i]);
		judge(ds, i, ds->held[i], ds->held_len[i],
		      ds->held_commit_len[i]);
		free(ds->held[i]);
		ds->held[i] = NULL;
	}
	ds->racers = 0;
}

static int on_up_commit(struct ds *ds, unsigned int i, const uint8_t *body,
			size_t len, uint32_t commit_len)
{
	unsigned int waiting = 0;

	if (!(ds->racers & (1U << i))) {
		judge(ds, i, body, len, commit_len);
		return 0;
	}
	/* a racer sends one Commit, of one epoch at most */
	if (ds->held[i] || commit_len > len)
		return -EPROTO;
	ds->held[i] = malloc(len ?: 1);
	if (!ds->held[i])
		return -ENOMEM;
	memcpy(ds->held[i], body, len);
	ds->held_len[i] = len;
	ds->held_commit_len[i] = commit_len;
	for (unsigned int j = 0; j < N_MEMBERS; j++)
		if ((ds->racers & (1U << j)) && !ds->held[j])
			waiting++;
	if (!waiting)
		race_release(ds);
	return 0;
}

static void on_report(struct ds *ds, unsigned int i, const uint8_t *body,
		      size_t len)
{
	struct report *r;

	if (ds->n_log[i] == MAX_LOG || len > sizeof(*r))
		return;
	r = &ds->log[i][ds->n_log[i]++];
	memset(r, 0, sizeof(*r));
	memcpy(r, body, len);
	ds->pending[i]--;
	if (r->op == OP_KEYPACKAGE && !r->err) {
		memcpy(ds->kp[i], r->data, r->data_len);
		ds->kp_len[i] = r->data_len;
		ds->awaiting[i] = true;
	}
	if ((r->op == DS_WELCOME || r->op == OP_CREATE) && !r->err) {
		ds->awaiting[i] = false;
		ds->sub[i] = true;
	}
}

/*
 * Serve until every report asked for has come: 0, or -errno when a
 * member hung up or said nothing for a minute.
 */
static int settle(struct ds *ds)
{
	static uint8_t buf[MAX_PKT];

	for (;;) {
		struct pollfd pfd[N_MEMBERS];
		unsigned int waiting = 0;

		for (unsigned int i = 0; i < N_MEMBERS; i++) {
			waiting += ds->pending[i];
			pfd[i] = (struct pollfd){ .fd = ds->sock[i],
						  .events = POLLIN };
		}
		if (!waiting)
			return 0;
		if (poll(pfd, N_MEMBERS, 60000) <= 0)
			return -ETIMEDOUT;
		/* one packet at a time, the lowest socket first: one order */
		for (unsigned int i = 0; i < N_MEMBERS; i++) {
			const struct hdr *h = (const struct hdr *)buf;
			int err = 0;
			ssize_t n;

			if (!(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = recv(ds->sock[i], buf, sizeof(buf), 0);
			if (n < (ssize_t)sizeof(*h))
				return -EPIPE;
			if (h->kind == UP_REPORT)
				on_report(ds, i, buf + sizeof(*h),
					  (size_t)n - sizeof(*h));
			else if (h->kind == UP_COMMIT)
				err = on_up_commit(ds, i, buf + sizeof(*h),
						   (size_t)n - sizeof(*h),
						   h->arg);
			else if (h->kind == UP_APP)
				fan_out(ds, i, DS_DELIVER, buf + sizeof(*h),
					(size_t)n - sizeof(*h), ds->sub);
			else
				err = -EPROTO;
			if (err)
				return err;
			break;
		}
	}
}

static void clear_logs(struct ds *ds)
{
	memset(ds->n_log, 0, sizeof(ds->n_log));
	ds->accepted = 0;
	ds->rejected = 0;
}

/* ---- the scenario's steps, each checked ------------------------------- */

/*
 * The members @mask holds report the same epoch, epoch_authenticator and
 * exported secret, and none has a commit pending.
 */
static bool same_state(struct __test_metadata *_metadata, struct ds *ds,
		       unsigned int mask, uint64_t epoch)
{
	const struct report *first = NULL;
	bool ok = true;

	clear_logs(ds);
	for (unsigned int i = 0; i < N_MEMBERS; i++)
		if (mask & (1U << i))
			cmd(ds, i, OP_STATE, NULL, 0, NULL, 0);
	if (settle(ds))
		return false;
	for (unsigned int i = 0; i < N_MEMBERS; i++) {
		const struct report *r = &ds->log[i][0];

		if (!(mask & (1U << i)))
			continue;
		EXPECT_EQ(1, ds->n_log[i]);
		EXPECT_EQ(epoch, r->epoch);
		EXPECT_LT(0, r->auth_len);
		EXPECT_EQ(sizeof(r->exp), r->exp_len);
		EXPECT_EQ(-ENOENT, r->pending_err);
		if (r->epoch != epoch || !r->auth_len ||
		    r->exp_len != sizeof(r->exp) || r->pending_err != -ENOENT)
			ok = false;
		if (!first) {
			first = r;
			continue;
		}
		if (r->auth_len != first->auth_len ||
		    memcmp(r->auth, first->auth, r->auth_len)) {
			TH_LOG("%s's epoch_authenticator differs", names[i]);
			ok = false;
		}
		if (memcmp(r->exp, first->exp, sizeof(r->exp))) {
			TH_LOG("%s's exported secret differs", names[i]);
			ok = false;
		}
	}
	return ok;
}

static int32_t leaf_of(struct __test_metadata *_metadata, struct ds *ds,
		       unsigned int i)
{
	clear_logs(ds);
	cmd(ds, i, OP_STATE, NULL, 0, NULL, 0);
	EXPECT_EQ(0, settle(ds));
	return ds->log[i][0].own_leaf;
}

/*
 * @from sends a message; each member of @readers opens it, each of
 * @outcasts gets it and opens nothing.
 */
static void talk(struct __test_metadata *_metadata, struct ds *ds,
		 unsigned int from, unsigned int readers, unsigned int outcasts)
{
	char text[64];
	int32_t leaf = leaf_of(_metadata, ds, from);

	snprintf(text, sizeof(text), "from %s, leaf %d", names[from], leaf);
	clear_logs(ds);
	ASSERT_EQ(0, cmd(ds, from, OP_SEND, text, strlen(text), NULL, 0));
	ASSERT_EQ(0, settle(ds));
	ASSERT_EQ(1, ds->n_log[from]);
	EXPECT_EQ(0, ds->log[from][0].err);
	for (unsigned int j = 0; j < N_MEMBERS; j++) {
		const struct report *r = &ds->log[j][0];

		if (j == from || !((readers | outcasts) & (1U << j)))
			continue;
		ASSERT_EQ(1, ds->n_log[j]);
		EXPECT_EQ(DS_DELIVER, r->op);
		if (outcasts & (1U << j)) {
			EXPECT_NE(0, r->err);
			EXPECT_EQ(0, r->data_len);
			continue;
		}
		EXPECT_EQ(0, r->err);
		EXPECT_EQ(MLS_CONTENT_APPLICATION, r->content_type);
		EXPECT_EQ((uint32_t)leaf, r->sender);
		EXPECT_EQ(strlen(text), r->data_len);
		EXPECT_EQ(0, memcmp(r->data, text, r->data_len));
	}
}

/* Every member of @m talks to every other; @outcasts read nothing. */
static void all_talk(struct __test_metadata *_metadata, struct ds *ds,
		     unsigned int m, unsigned int outcasts)
{
	for (unsigned int i = 0; i < N_MEMBERS; i++)
		if (m & (1U << i))
			talk(_metadata, ds, i, m & ~(1U << i), outcasts);
}

/* Ask @who to commit @c with the KeyPackages of @adds. */
static int ask_commit(struct ds *ds, unsigned int who, struct commit_cmd *c,
		      const unsigned int *adds)
{
	uint8_t kps[2 * MAX_DATA];
	size_t off = 0;

	for (uint32_t k = 0; k < c->n_add; k++) {
		memcpy(kps + off, ds->kp[adds[k]], ds->kp_len[adds[k]]);
		c->kp_len[k] = (uint32_t)ds->kp_len[adds[k]];
		off += ds->kp_len[adds[k]];
	}
	return cmd(ds, who, OP_COMMIT, c, sizeof(*c), kps, off);
}

/*
 * @who commits @c, accepted: each of @followers processes the Commit,
 * each of @outcasts gets it and fails.
 */
static void commit_ok(struct __test_metadata *_metadata, struct ds *ds,
		      unsigned int who, struct commit_cmd *c,
		      const unsigned int *adds, unsigned int followers,
		      unsigned int outcasts)
{
	uint64_t epoch = ds->epoch;
	int32_t leaf = leaf_of(_metadata, ds, who);

	clear_logs(ds);
	ASSERT_EQ(0, ask_commit(ds, who, c, adds));
	ASSERT_EQ(0, settle(ds));
	EXPECT_EQ(1, ds->accepted);
	EXPECT_EQ(0, ds->rejected);
	ASSERT_EQ(1, ds->n_log[who]);
	EXPECT_EQ(0, ds->log[who][0].err);
	EXPECT_EQ(1, ds->log[who][0].flags);
	EXPECT_EQ(epoch + 1, ds->log[who][0].epoch);
	for (unsigned int j = 0; j < N_MEMBERS; j++) {
		const struct report *r = &ds->log[j][0];

		if (j == who || !((followers | outcasts) & (1U << j)))
			continue;
		ASSERT_LE(1, ds->n_log[j]);
		EXPECT_EQ(DS_DELIVER, r->op);
		if (outcasts & (1U << j)) {
			EXPECT_NE(0, r->err);
			continue;
		}
		EXPECT_EQ(0, r->err);
		EXPECT_EQ(MLS_CONTENT_COMMIT, r->content_type);
		EXPECT_EQ((uint32_t)leaf, r->sender);
		/* a member the Commit removes stays in the epoch it was */
		EXPECT_EQ(r->flags & MLSC_PROCESSED_F_REMOVED ? epoch :
			  epoch + 1, r->epoch);
	}
}

/* @who makes a new KeyPackage, which the service keeps. */
static void keypackage(struct __test_metadata *_metadata, struct ds *ds,
		       unsigned int who)
{
	clear_logs(ds);
	ASSERT_EQ(0, cmd(ds, who, OP_KEYPACKAGE, NULL, 0, NULL, 0));
	ASSERT_EQ(0, settle(ds));
	ASSERT_EQ(0, ds->log[who][0].err);
	ASSERT_TRUE(ds->awaiting[who]);
}

#define A	(1U << ALICE)
#define B	(1U << BOB)
#define C	(1U << CAROL)

FIXTURE(e2e) {
	struct ds ds;
};

FIXTURE_SETUP(e2e)
{
	memset(&self->ds, 0, sizeof(self->ds));
}

FIXTURE_TEARDOWN(e2e)
{
	ds_stop(&self->ds);
}

/*
 * Alice publishes a GroupInfo; Carol, with a new key, rejoins from it by
 * an external commit that removes her old leaf; Alice and Bob follow.
 */
static void external_resync(struct __test_metadata *_metadata,
			    struct ds *ds, unsigned int suite)
{
	static uint8_t buf[sizeof(int32_t) + MAX_DATA];
	uint64_t epoch = ds->epoch;
	int32_t leaf = leaf_of(_metadata, ds, CAROL);
	size_t len;

	clear_logs(ds);
	ASSERT_EQ(0, cmd(ds, ALICE, OP_GROUP_INFO, NULL, 0, NULL, 0));
	ASSERT_EQ(0, settle(ds));
	if (suite >= 4 && suite <= 6) {
		/* X448, P-521: the kernel has no such KEM */
		EXPECT_EQ(-EOPNOTSUPP, ds->log[ALICE][0].err);
		return;
	}
	ASSERT_EQ(0, ds->log[ALICE][0].err);
	len = ds->log[ALICE][0].data_len;
	memcpy(buf, &leaf, sizeof(leaf));
	memcpy(buf + sizeof(leaf), ds->log[ALICE][0].data, len);
	clear_logs(ds);
	ASSERT_EQ(0, cmd(ds, CAROL, OP_EXTERNAL, buf, sizeof(leaf) + len,
			 NULL, 0));
	ASSERT_EQ(0, settle(ds));
	EXPECT_EQ(1, ds->accepted);
	ASSERT_EQ(1, ds->n_log[CAROL]);
	EXPECT_EQ(0, ds->log[CAROL][0].err);
	EXPECT_EQ(1, ds->log[CAROL][0].flags);
	EXPECT_EQ(leaf, ds->log[CAROL][0].own_leaf);
	EXPECT_EQ(epoch + 1, ds->log[CAROL][0].epoch);
	for (unsigned int j = ALICE; j <= BOB; j++) {
		ASSERT_EQ(1, ds->n_log[j]);
		EXPECT_EQ(0, ds->log[j][0].err);
		EXPECT_EQ(MLS_CONTENT_COMMIT, ds->log[j][0].content_type);
		EXPECT_EQ((uint32_t)leaf, ds->log[j][0].sender);
	}
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, epoch + 1));
	all_talk(_metadata, ds, A | B | C, 0);
}

/*
 * Alice and Bob each commit @flags (an UpdatePath) on the same epoch;
 * the delivery service holds both Commits until both have come, then
 * takes @winner's. The winner merges; the loser, whose Commit was
 * rejected as of a past epoch, discards its pending commit (its kernel
 * group stays in the epoch with nothing pending), then follows the
 * winner's Commit, as Carol does.
 */
static void race(struct __test_metadata *_metadata, struct ds *ds,
		 unsigned int winner, uint32_t flags)
{
	unsigned int loser = winner == ALICE ? BOB : ALICE;
	struct commit_cmd c = { .flags = flags, .remove = -1 };
	uint64_t epoch = ds->epoch;
	int32_t leaf = leaf_of(_metadata, ds, winner);
	const struct report *r;

	clear_logs(ds);
	ds->racers = A | B;
	ds->winner = winner;
	ASSERT_EQ(0, ask_commit(ds, ALICE, &c, NULL));
	ASSERT_EQ(0, ask_commit(ds, BOB, &c, NULL));
	ASSERT_EQ(0, settle(ds));
	EXPECT_EQ(0, ds->racers);
	EXPECT_EQ(1, ds->accepted);
	EXPECT_EQ(1, ds->rejected);
	/* both were of the same epoch: either could have been taken */
	EXPECT_EQ(epoch, ds->held_epoch[ALICE]);
	EXPECT_EQ(epoch, ds->held_epoch[BOB]);

	/* the winner: its pending epoch merged */
	ASSERT_EQ(1, ds->n_log[winner]);
	r = &ds->log[winner][0];
	EXPECT_EQ(OP_COMMIT, r->op);
	EXPECT_EQ(0, r->err);
	EXPECT_EQ(1, r->flags);
	EXPECT_EQ(epoch + 1, r->verdict_pending);
	EXPECT_EQ(epoch + 1, r->epoch);
	EXPECT_EQ(-ENOENT, r->pending_err);

	/* the loser: its pending epoch discarded, nothing else changed */
	ASSERT_EQ(2, ds->n_log[loser]);
	r = &ds->log[loser][0];
	EXPECT_EQ(OP_COMMIT, r->op);
	EXPECT_EQ(0, r->err);
	EXPECT_EQ(0, r->flags);
	EXPECT_EQ(epoch + 1, r->verdict_pending);
	EXPECT_EQ(epoch, r->epoch);
	EXPECT_EQ(-ENOENT, r->pending_err);
	/* then the winner's Commit, processed */
	r = &ds->log[loser][1];
	EXPECT_EQ(DS_DELIVER, r->op);
	EXPECT_EQ(0, r->err);
	EXPECT_EQ(MLS_CONTENT_COMMIT, r->content_type);
	EXPECT_EQ((uint32_t)leaf, r->sender);
	EXPECT_EQ(epoch + 1, r->epoch);

	ASSERT_EQ(1, ds->n_log[CAROL]);
	r = &ds->log[CAROL][0];
	EXPECT_EQ(DS_DELIVER, r->op);
	EXPECT_EQ(0, r->err);
	EXPECT_EQ(MLS_CONTENT_COMMIT, r->content_type);
	EXPECT_EQ((uint32_t)leaf, r->sender);
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, epoch + 1));
}

static void one_suite(struct __test_metadata *_metadata, struct ds *ds,
		      unsigned int suite)
{
	uint32_t priv = suite & 1 ? MLSC_COMMIT_F_PRIVATE : 0;
	const unsigned int bob_carol[2] = { BOB, CAROL };
	struct commit_cmd c;
	int32_t carol_leaf;

	ASSERT_EQ(0, ds_start(ds, suite));

	/* Alice creates the group, Bob and Carol publish KeyPackages */
	clear_logs(ds);
	ASSERT_EQ(0, cmd(ds, ALICE, OP_CREATE, NULL, 0, NULL, 0));
	ASSERT_EQ(0, settle(ds));
	ASSERT_EQ(0, ds->log[ALICE][0].err);
	ASSERT_EQ(0, ds->log[ALICE][0].epoch);
	keypackage(_metadata, ds, BOB);
	keypackage(_metadata, ds, CAROL);

	/* Alice adds both; they join from the Welcome */
	c = (struct commit_cmd){ .flags = MLSC_COMMIT_F_RATCHET_TREE | priv,
				 .n_add = 2, .remove = -1 };
	commit_ok(_metadata, ds, ALICE, &c, bob_carol, 0, 0);
	for (unsigned int j = BOB; j <= CAROL; j++) {
		ASSERT_EQ(1, ds->n_log[j]);
		EXPECT_EQ(DS_WELCOME, ds->log[j][0].op);
		EXPECT_EQ(0, ds->log[j][0].err);
		EXPECT_TRUE(ds->sub[j]);
	}
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, 1));
	all_talk(_metadata, ds, A | B | C, 0);

	/* Bob commits an Update: an UpdatePath and nothing else */
	c = (struct commit_cmd){ .flags = priv, .remove = -1 };
	commit_ok(_metadata, ds, BOB, &c, NULL, A | C, 0);
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, 2));

	/*
	 * Alice and Bob commit at once, twice: Alice's Commit is taken the
	 * first time, Bob's the second; the loser follows the winner's
	 */
	race(_metadata, ds, ALICE, priv ^ MLSC_COMMIT_F_PRIVATE);
	race(_metadata, ds, BOB, priv);
	all_talk(_metadata, ds, A | B | C, 0);

	/* Alice removes Carol, who learns it */
	carol_leaf = leaf_of(_metadata, ds, CAROL);
	c = (struct commit_cmd){ .flags = priv, .remove = carol_leaf };
	commit_ok(_metadata, ds, ALICE, &c, NULL, B | C, 0);
	EXPECT_EQ(MLSC_PROCESSED_F_REMOVED, ds->log[CAROL][0].flags);
	ASSERT_TRUE(same_state(_metadata, ds, A | B, 5));
	/* she gets the next epochs' messages and opens none */
	all_talk(_metadata, ds, A | B, C);
	c = (struct commit_cmd){ .flags = priv ^ MLSC_COMMIT_F_PRIVATE,
				 .remove = -1 };
	commit_ok(_metadata, ds, BOB, &c, NULL, A, C);
	ASSERT_TRUE(same_state(_metadata, ds, A | B, 6));
	all_talk(_metadata, ds, A | B, C);
	/* her kernel group stayed in the epoch she was removed from */
	clear_logs(ds);
	cmd(ds, CAROL, OP_STATE, NULL, 0, NULL, 0);
	ASSERT_EQ(0, settle(ds));
	EXPECT_EQ(4, ds->log[CAROL][0].epoch);

	/* Bob adds her back from a new KeyPackage */
	keypackage(_metadata, ds, CAROL);
	c = (struct commit_cmd){ .flags = MLSC_COMMIT_F_RATCHET_TREE | priv,
				 .n_add = 1, .remove = -1 };
	commit_ok(_metadata, ds, BOB, &c, &bob_carol[1], A, C);
	ASSERT_EQ(2, ds->n_log[CAROL]);
	EXPECT_EQ(DS_WELCOME, ds->log[CAROL][1].op);
	EXPECT_EQ(0, ds->log[CAROL][1].err);
	EXPECT_EQ(carol_leaf, ds->log[CAROL][1].own_leaf);
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, 7));
	all_talk(_metadata, ds, A | B | C, 0);

	/* an external PSK, which every member has */
	c = (struct commit_cmd){ .flags = priv, .remove = -1, .ext_psk = 1 };
	commit_ok(_metadata, ds, ALICE, &c, NULL, B | C, 0);
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, 8));

	/* a resumption PSK of the epoch before: each kernel has it */
	c = (struct commit_cmd){ .flags = priv ^ MLSC_COMMIT_F_PRIVATE,
				 .remove = -1, .res_psk = 1 };
	commit_ok(_metadata, ds, BOB, &c, NULL, A | C, 0);
	ASSERT_TRUE(same_state(_metadata, ds, A | B | C, 9));
	all_talk(_metadata, ds, A | B | C, 0);

	/* Carol rejoins by an external commit from Alice's GroupInfo */
	external_resync(_metadata, ds, suite);

	EXPECT_EQ(0, ds_stop(ds));
}

TEST_F_TIMEOUT(e2e, all_suites, 900)
{
	for (unsigned int suite = 1; suite <= 7; suite++) {
		TH_LOG("suite %u", suite);
		one_suite(_metadata, &self->ds, suite);
		if (!_metadata->passed)
			break;
	}
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl monitor: the module's events (generic netlink family "mls",
 * multicast group "events") as they come, one line each, stamped with the
 * time they were received. When the kernel dropped events because this
 * reader fell behind, a "lost" line and the groups as they are now.
 *
 * SIGINT and SIGTERM are taken through a signalfd polled with the events'
 * socket, so that one arriving at any moment ends the loop cleanly.
 */
#include "mlsctl.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

const char usage_monitor[] = "[count N] [timeout MS]\n"
	"\n"
	"Prints the module's events as they happen, one line each: the time\n"
	"received (RFC 3339, UTC, microseconds), the event and its fields.\n"
	"If the kernel had to drop events (this reader fell behind), prints a\n"
	"\"lost\" line and the groups as they are now. count: exit after N\n"
	"events; timeout: after MS milliseconds (exit status 2 if count was\n"
	"given and not reached). Ends cleanly on SIGINT and SIGTERM. Needs\n"
	"CAP_NET_ADMIN. --count and --timeout are the same words.\n";

#define HAS(p, a)	(((p) & MLS_HAS(a)) != 0)

static void rfc3339(const struct timespec *t, char *buf, size_t n)
{
	struct tm tm;
	size_t k;

	gmtime_r(&t->tv_sec, &tm);
	k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%06ldZ", t->tv_nsec / 1000);
}

static void event_name(uint32_t type, char *buf, size_t n)
{
	const char *name = mls_event_name(type);

	if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "unknown_%" PRIu32, type);
}

/* A positive errno from the kernel: its name, or "errno N". */
static void err_name(uint32_t err, char *buf, size_t n)
{
	const char *name = err <= 4095 ? errno_name((int)err) : NULL;

	if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "errno %" PRIu32, err);
}

static const char *breaker_name(uint32_t state)
{
	const char *s = mls_breaker_state_name(state);

	return s ? s : "unknown";
}

static const char *kind_name(uint32_t kind)
{
	const char *s = mls_endpoint_kind_name(kind);

	return s ? s : "unknown";
}

/* ------------------------------------------------------------------ text */

static void text_flags(uint32_t flags)
{
	const char *sep = " flags ";
	size_t b;

	for (b = 0; b < ARRAY_SIZE(flag_names); b++) {
		if (flags & (1U << b)) {
			printf("%s%s", sep, flag_names[b]);
			sep = ",";
		}
	}
}

/* The fields a group message and a group event share. */
static void text_group_fields(uint64_t p, const uint8_t *gid, uint32_t gid_len,
			      uint16_t suite, uint32_t state, uint64_t epoch,
			      uint64_t oldest, uint32_t own_leaf,
			      uint32_t leaf_count, uint32_t members,
			      uint32_t owner, uint32_t mode, uint32_t flags)
{
	if (HAS(p, MLS_A_GROUP_ID)) {
		printf(" group-id ");
		print_hex(stdout, gid, gid_len);
	}
	if (HAS(p, MLS_A_SUITE))
		printf(" suite %u", suite);
	if (HAS(p, MLS_A_STATE))
		printf(" state %s", state_name(state));
	if (HAS(p, MLS_A_EPOCH))
		printf(" epoch %" PRIu64, epoch);
	if (HAS(p, MLS_A_OLDEST_EPOCH))
		printf(" oldest-epoch %" PRIu64, oldest);
	if (HAS(p, MLS_A_OWN_LEAF))
		printf(" own-leaf %" PRIu32, own_leaf);
	if (HAS(p, MLS_A_LEAF_COUNT))
		printf(" leaves %" PRIu32, leaf_count);
	if (HAS(p, MLS_A_MEMBERS))
		printf(" members %" PRIu32, members);
	if (HAS(p, MLS_A_OWNER_UID))
		printf(" owner %" PRIu32, owner);
	if (HAS(p, MLS_A_MODE))
		printf(" mode %04" PRIo32, mode);
	if (HAS(p, MLS_A_GROUP_FLAGS))
		text_flags(flags);
}

static void text_event(const struct mls_event *ev)
{
	uint64_t p = ev->present;
	char t[48], name[32], err[32];

	rfc3339(&ev->time, t, sizeof(t));
	event_name(ev->type, name, sizeof(name));
	printf("%s %s", t, name);
	if (HAS(p, MLS_A_ENDPOINT_KIND)) {
		printf(" endpoint %s", kind_name(ev->endpoint_kind));
		if (HAS(p, MLS_A_ENDPOINT_UID))
			printf(" uid %" PRIu32, ev->endpoint_uid);
		if (HAS(p, MLS_A_ENDPOINT_ID))
			printf(" id %s", ev->endpoint_id);
		if (HAS(p, MLS_A_GROUP_KID))
			printf(" group %" PRIu32, ev->group_kid);
		if (HAS(p, MLS_A_LEAF))
			printf(" leaf %" PRIu32, ev->leaf);
	} else {
		if (HAS(p, MLS_A_GROUP_KID))
			printf(" group %" PRIu32, ev->group_kid);
	}
	if (HAS(p, MLS_A_GROUP_ID)) {
		printf(" group-id ");
		print_hex(stdout, ev->group_id, ev->group_id_len);
		p &= ~MLS_HAS(MLS_A_GROUP_ID);
	}
	if (HAS(p, MLS_A_OLD_EPOCH))
		printf(" old-epoch %" PRIu64, ev->old_epoch);
	text_group_fields(p, ev->group_id, ev->group_id_len, ev->suite,
			  ev->state, ev->epoch, ev->oldest_epoch, ev->own_leaf,
			  ev->leaf_count, ev->members, ev->owner_uid, ev->mode,
			  ev->group_flags);
	if (HAS(p, MLS_A_PENDING_EPOCH))
		printf(" pending-epoch %" PRIu64, ev->pending_epoch);
	if (HAS(p, MLS_A_LEAF) && !HAS(p, MLS_A_ENDPOINT_KIND))
		printf(" leaf %" PRIu32, ev->leaf);
	if (HAS(p, MLS_A_OLD_STATE) || HAS(p, MLS_A_BREAKER_STATE))
		printf(" breaker %s -> %s", HAS(p, MLS_A_OLD_STATE) ?
		       breaker_name(ev->old_state) : "?",
		       HAS(p, MLS_A_BREAKER_STATE) ?
		       breaker_name(ev->breaker_state) : "?");
	if (HAS(p, MLS_A_ERROR)) {
		err_name(ev->error, err, sizeof(err));
		printf(" error %s", err);
	}
	printf("\n");
}

/* A group's counters (MLS_A_STATS), in the order they are shown. */
static const struct {
	uint32_t attr;
	const char *name;
	size_t off;
} group_stats[] = {
#define S(a, f) { a, #f, offsetof(struct mls_group_status, f) }
	S(MLS_STATS_A_MESSAGES_ENCRYPTED, messages_encrypted),
	S(MLS_STATS_A_MESSAGES_DECRYPTED, messages_decrypted),
	S(MLS_STATS_A_BYTES_ENCRYPTED, bytes_encrypted),
	S(MLS_STATS_A_BYTES_DECRYPTED, bytes_decrypted),
	S(MLS_STATS_A_AUTH_FAILURES, auth_failures),
	S(MLS_STATS_A_REPLAYS, replays),
	S(MLS_STATS_A_EPOCHS_ROTATED, epochs_rotated),
	S(MLS_STATS_A_COMMITS_PREPARED, commits_prepared),
	S(MLS_STATS_A_COMMITS_MERGED, commits_merged),
	S(MLS_STATS_A_COMMITS_DISCARDED, commits_discarded),
	S(MLS_STATS_A_COMMITS_TIMED_OUT, commits_timed_out),
	S(MLS_STATS_A_COMMIT_CONFLICTS, commit_conflicts),
	S(MLS_STATS_A_TAG_FAILURES, tag_failures),
#undef S
};

static uint64_t group_stat(const struct mls_group_status *g, size_t i)
{
	return *(const uint64_t *)((const char *)g + group_stats[i].off);
}

static void text_group(const char *t, const struct mls_group_status *g)
{
	size_t i;

	printf("%s group %" PRIu32, t, g->kid);
	text_group_fields(g->present, g->group_id, g->group_id_len, g->suite,
			  g->state, g->epoch, g->oldest_epoch, g->own_leaf,
			  g->leaf_count, g->members, g->owner_uid, g->mode,
			  g->group_flags);
	/* As mlsctl group show prints them. */
	if (HAS(g->present, MLS_A_RECV_SAVE))
		printf(" recv-save %" PRIu32 "%s", g->recv_save,
		       HAS(g->present, MLS_A_RECV_SAVE_FLAGS) &&
		       (g->recv_save_flags & MLS_RECV_SAVE_F_STRICT) ?
		       " strict" : "");
	if (HAS(g->present, MLS_A_RECV_UNSAVED))
		printf(" unsaved %" PRIu64, g->recv_unsaved);
	for (i = 0; i < ARRAY_SIZE(group_stats); i++)
		if (HAS(g->stats_present, group_stats[i].attr))
			printf(" %s %" PRIu64, group_stats[i].name, group_stat(g, i));
	printf("\n");
}

/* ------------------------------------------------------------------ JSON */

static void json_group_fields(struct jw *w, uint64_t p, const uint8_t *gid,
			      uint32_t gid_len, uint16_t suite, uint32_t state,
			      uint64_t epoch, uint64_t oldest, uint32_t own_leaf,
			      uint32_t leaf_count, uint32_t members,
			      uint32_t owner, uint32_t mode, uint32_t flags)
{
	char m[8];
	size_t b;

	if (HAS(p, MLS_A_GROUP_ID))
		jw_hex(w, "group_id", gid, gid_len);
	if (HAS(p, MLS_A_SUITE))
		jw_u64(w, "suite", suite);
	if (HAS(p, MLS_A_STATE))
		jw_str(w, "state", state_name(state));
	if (HAS(p, MLS_A_EPOCH))
		jw_u64(w, "epoch", epoch);
	if (HAS(p, MLS_A_OLDEST_EPOCH))
		jw_u64(w, "oldest_epoch", oldest);
	if (HAS(p, MLS_A_OWN_LEAF))
		jw_u64(w, "own_leaf", own_leaf);
	if (HAS(p, MLS_A_LEAF_COUNT))
		jw_u64(w, "leaf_count", leaf_count);
	if (HAS(p, MLS_A_MEMBERS))
		jw_u64(w, "members", members);
	if (HAS(p, MLS_A_OWNER_UID))
		jw_u64(w, "owner_uid", owner);
	if (HAS(p, MLS_A_MODE)) {
		snprintf(m, sizeof(m), "%04" PRIo32, mode & 07777);
		jw_str(w, "mode", m);
	}
	if (HAS(p, MLS_A_GROUP_FLAGS)) {
		jw_arr(w, "flags");
		for (b = 0; b < ARRAY_SIZE(flag_names); b++)
			if (flags & (1U << b))
				jw_str(w, NULL, flag_names[b]);
		jw_arr_end(w);
	}
}

static void json_event(const struct mls_event *ev)
{
	uint64_t p = ev->present;
	char t[48], name[32], err[32];
	struct jw w;

	rfc3339(&ev->time, t, sizeof(t));
	event_name(ev->type, name, sizeof(name));
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "time", t);
	jw_str(&w, "event", name);
	if (HAS(p, MLS_A_ENDPOINT_KIND)) {
		jw_obj(&w, "endpoint");
		jw_str(&w, "kind", kind_name(ev->endpoint_kind));
		if (HAS(p, MLS_A_ENDPOINT_UID))
			jw_u64(&w, "uid", ev->endpoint_uid);
		if (HAS(p, MLS_A_ENDPOINT_ID))
			jw_str(&w, "id", ev->endpoint_id);
		if (HAS(p, MLS_A_GROUP_KID))
			jw_u64(&w, "group", ev->group_kid);
		if (HAS(p, MLS_A_LEAF))
			jw_u64(&w, "leaf", ev->leaf);
		jw_obj_end(&w);
	} else if (HAS(p, MLS_A_GROUP_KID)) {
		jw_u64(&w, "id", ev->group_kid);
	}
	if (HAS(p, MLS_A_GROUP_ID)) {
		jw_hex(&w, "group_id", ev->group_id, ev->group_id_len);
		p &= ~MLS_HAS(MLS_A_GROUP_ID);
	}
	if (HAS(p, MLS_A_OLD_EPOCH))
		jw_u64(&w, "old_epoch", ev->old_epoch);
	json_group_fields(&w, p, ev->group_id, ev->group_id_len, ev->suite,
			  ev->state, ev->epoch, ev->oldest_epoch, ev->own_leaf,
			  ev->leaf_count, ev->members, ev->owner_uid, ev->mode,
			  ev->group_flags);
	if (HAS(p, MLS_A_PENDING_EPOCH))
		jw_u64(&w, "pending_epoch", ev->pending_epoch);
	if (HAS(p, MLS_A_LEAF) && !HAS(p, MLS_A_ENDPOINT_KIND))
		jw_u64(&w, "leaf", ev->leaf);
	if (HAS(p, MLS_A_OLD_STATE) || HAS(p, MLS_A_BREAKER_STATE)) {
		jw_obj(&w, "breaker");
		if (HAS(p, MLS_A_OLD_STATE))
			jw_str(&w, "old", breaker_name(ev->old_state));
		if (HAS(p, MLS_A_BREAKER_STATE))
			jw_str(&w, "new", breaker_name(ev->breaker_state));
		jw_obj_end(&w);
	}
	if (HAS(p, MLS_A_ERROR)) {
		err_name(ev->error, err, sizeof(err));
		jw_str(&w, "error", err);
		jw_u64(&w, "errno", ev->error);
	}
	jw_obj_end(&w);
}

static void json_group(struct jw *w, const struct mls_group_status *g)
{
	size_t i;

	jw_obj(w, NULL);
	jw_u64(w, "id", g->kid);
	json_group_fields(w, g->present, g->group_id, g->group_id_len, g->suite,
			  g->state, g->epoch, g->oldest_epoch, g->own_leaf,
			  g->leaf_count, g->members, g->owner_uid, g->mode,
			  g->group_flags);
	/*
	 * The names of mlsctl -j group show, at the top level here: a
	 * group line carries no "policy" object to nest them in.
	 */
	if (HAS(g->present, MLS_A_RECV_SAVE))
		jw_u64(w, "recv_save", g->recv_save);
	if (HAS(g->present, MLS_A_RECV_SAVE_FLAGS))
		jw_bool(w, "recv_save_strict",
			g->recv_save_flags & MLS_RECV_SAVE_F_STRICT);
	if (HAS(g->present, MLS_A_RECV_UNSAVED))
		jw_u64(w, "recv_unsaved", g->recv_unsaved);
	if (HAS(g->present, MLS_A_STATS)) {
		jw_obj(w, "stats");
		for (i = 0; i < ARRAY_SIZE(group_stats); i++)
			if (HAS(g->stats_present, group_stats[i].attr))
				jw_u64(w, group_stats[i].name, group_stat(g, i));
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

/* Events were lost: say so, then show the groups as they are now. */
static void print_lost(const struct mlsctl_opts *o, const struct mls_event *ev)
{
	struct mls_group_status *g = NULL;
	size_t n = 0, i;
	struct jw w;
	char t[48];
	int ret;

	rfc3339(&ev->time, t, sizeof(t));
	ret = mls_groups_dump(&g, &n);
	if (ret)
		op_error(ret, "monitor: events lost, and the group dump failed");
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "time", t);
		jw_str(&w, "event", "lost");
		if (ret) {
			jw_null(&w, "groups");
		} else {
			jw_arr(&w, "groups");
			for (i = 0; i < n; i++)
				json_group(&w, &g[i]);
			jw_arr_end(&w);
		}
		jw_obj_end(&w);
	} else {
		printf("%s lost: the kernel dropped events (this reader fell behind)%s\n",
		       t, ret ? "" : "; the groups now:");
		for (i = 0; i < n; i++)
			text_group(t, &g[i]);
	}
	free(g);
}

/* ------------------------------------------------------------- the loop */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int open_events(struct mls_events **h)
{
	int ret = mls_events_open(0, h);

	if (ret == -EPERM)
		fprintf(stderr, "mlsctl: monitor: %s (EPERM: the events name every "
			"user's groups; they need CAP_NET_ADMIN)\n", strerror(EPERM));
	else if (ret == -ENOENT)
		fprintf(stderr, "mlsctl: monitor: no generic netlink family \"%s\" "
			"(is the mls module loaded?)\n", MLS_GENL_NAME);
	else if (ret)
		op_error(ret, "monitor");
	return ret;
}

int cmd_monitor(const struct mlsctl_opts *o, int argc, char **argv)
{
	uint64_t count = 0, timeout = 0, seen = 0;
	bool has_count = false, has_timeout = false;
	struct mls_events *h = NULL;
	int64_t deadline = 0, left;
	struct pollfd pfd[2];
	struct mls_event ev;
	int i, ret, sfd, rc;
	sigset_t mask;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "count") == 0 || strcmp(w, "--count") == 0) {
			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			if (!parse_u64(argv[i], &count) || !count)
				return usage_error("monitor: count: \"%s\" is not a number > 0",
						   argv[i]);
			has_count = true;
		} else if (strcmp(w, "timeout") == 0 || strcmp(w, "--timeout") == 0) {
			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			if (!parse_u64(argv[i], &timeout) || timeout > INT32_MAX)
				return usage_error("monitor: timeout: \"%s\" is not milliseconds",
						   argv[i]);
			has_timeout = true;
		} else {
			return usage_error("monitor: unknown argument \"%s\"", w);
		}
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return op_error(-errno, "monitor: sigprocmask");
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return op_error(-errno, "monitor: signalfd");
	if (open_events(&h)) {
		close(sfd);
		return EXIT_KERNEL;
	}
	if (has_timeout)
		deadline = now_ms() + (int64_t)timeout;
	pfd[0].fd = mls_events_fd(h);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	rc = EXIT_OK;
	for (;;) {
		/* Everything queued, then wait. */
		while (!has_count || seen < count) {
			ret = mls_events_next(h, &ev, 0);
			if (ret == -EAGAIN)
				break;
			if (ret == -EPROTO) {
				fprintf(stderr, "mlsctl: monitor: a malformed message from the kernel, dropped\n");
				continue;
			}
			if (ret) {
				rc = op_error(ret, "monitor");
				goto out;
			}
			if (ev.type == MLS_EVENT_LOST)
				print_lost(o, &ev);
			else if (o->json)
				json_event(&ev);
			else
				text_event(&ev);
			fflush(stdout);
			seen++;
		}
		if (has_count && seen >= count)
			break;
		left = -1;
		if (has_timeout) {
			left = deadline - now_ms();
			if (left <= 0)
				break;
		}
		ret = poll(pfd, 2, (int)left);
		if (ret < 0 && errno != EINTR) {
			rc = op_error(-errno, "monitor: poll");
			goto out;
		}
		if (ret > 0 && pfd[1].revents)
			goto out;	/* SIGINT or SIGTERM: a clean end */
	}
	if (has_count && seen < count) {
		fprintf(stderr, "mlsctl: monitor: %" PRIu64 " of %" PRIu64
			" events in %" PRIu64 " ms (ETIMEDOUT)\n", seen, count, timeout);
		rc = EXIT_KERNEL;
	}
out:
	mls_events_close(h);
	close(sfd);
	return rc;
}

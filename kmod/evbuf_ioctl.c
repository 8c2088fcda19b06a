// SPDX-License-Identifier: GPL-2.0
/*
 * The event buffer's ioctls on /dev/mls (0x40-0x4f), and who may use them.
 *
 * Userspace endpoints are named by (owner uid, id): each user has a
 * namespace of its own, so one user can neither squat nor guess another's
 * names. The owner and CAP_NET_ADMIN may do everything; other users may
 * record, report and read on an endpoint its owner made shared, and
 * nothing else. The module's own endpoints have another kind of key,
 * which no ioctl can build.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "evbuf.h"
#include "events.h"
#include "ioctl.h"
#include "params.h"
#include "payload.h"
#include "quota.h"

#include <uapi/linux/mls.h>

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define EVB_BENCH_MAX	100000000U
#define EVB_BENCH_CHUNK	4096U
#define EVB_BENCH_CLOCK	256U	/* records per clock reading, BATCH_CLOCK */

/* The namespace a request names: the caller's, or @owner's. */
static int evb_namespace(u32 flags, u32 owner, kuid_t *ns)
{
	if (!(flags & MLS_EVBUF_F_OWNER)) {
		*ns = current_euid();
		return 0;
	}
	*ns = make_kuid(current_user_ns(), owner);
	return uid_valid(*ns) ? 0 : -EINVAL;
}

/* 1 to 63 printable ASCII characters, NUL-terminated, zero-padded. */
static int evb_user_key(struct mls_evbuf_key *key, u32 flags, u32 owner,
			const char *id)
{
	size_t len = strnlen(id, MLS_EVBUF_ID_SIZE), i;
	kuid_t ns;
	int ret;

	if (!len || len == MLS_EVBUF_ID_SIZE)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((u8)id[i] < 0x21 || (u8)id[i] > 0x7e)
			return -EINVAL;
	if (memchr_inv(id + len, 0, MLS_EVBUF_ID_SIZE - len))
		return -EINVAL;
	ret = evb_namespace(flags, owner, &ns);
	if (ret)
		return ret;
	memset(key, 0, sizeof(*key));
	key->kind = MLS_EVBUF_KIND_USER;
	key->a = __kuid_val(ns);
	memcpy(key->id, id, len);
	return 0;
}

static bool evb_is_owner(const struct mls_evbuf_key *key)
{
	return __kuid_val(current_euid()) == key->a;
}

/* Configure, set state, remove, create: the owner or CAP_NET_ADMIN. */
static int evb_may_admin(const struct mls_evbuf_key *key)
{
	return evb_is_owner(key) || capable(CAP_NET_ADMIN) ? 0 : -EPERM;
}

/* Record, report, read: also anyone on a shared endpoint. */
static int evb_may_use(const struct mls_evbuf_key *key,
		       const struct mls_evbuf_ep *ep)
{
	if (evb_is_owner(key) ||
	    mls_evbuf_access(ep) == MLS_EVBUF_ACCESS_SHARED ||
	    capable(CAP_NET_ADMIN))
		return 0;
	return -EACCES;
}

static u32 evb_owner_out(const struct mls_evbuf_key *key)
{
	return from_kuid_munged(current_user_ns(), KUIDT_INIT(key->a));
}

/* Finds an endpoint the caller may use, under rcu_read_lock(). */
static struct mls_evbuf_ep *evb_use(const struct mls_evbuf_key *key)
{
	struct mls_evbuf_ep *ep = mls_evbuf_find(key);
	int ret;

	if (!ep)
		return ERR_PTR(-ENOENT);
	ret = evb_may_use(key, ep);
	return ret ? ERR_PTR(ret) : ep;
}

static int evb_ioc_info(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_evbuf_info *info = arg;

	if (info->flags || info->reserved0 || info->reserved)
		return -EINVAL;
	mls_evbuf_read_info(info);
	return 0;
}

static void evb_cfg_from(struct mls_evbuf_cfg *cfg, const struct mls_evbuf_config *c)
{
	cfg->rate = c->rate;
	cfg->burst = c->burst;
	cfg->fail_threshold = c->fail_threshold;
	cfg->half_open_probes = c->half_open_probes;
	cfg->open_base_ms = c->open_base_ms;
	cfg->open_max_ms = c->open_max_ms;
	cfg->access = c->access;
}

static void evb_cfg_to(struct mls_evbuf_config *c, const struct mls_evbuf_cfg *cfg)
{
	c->rate = cfg->rate;
	c->burst = cfg->burst;
	c->fail_threshold = cfg->fail_threshold;
	c->half_open_probes = cfg->half_open_probes;
	c->open_base_ms = cfg->open_base_ms;
	c->open_max_ms = cfg->open_max_ms;
	c->access = cfg->access;
}

static int evb_ioc_config(struct mls_ioctl_ctx *ctx, void *arg)
{
	const u32 known = MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL;
	struct mls_evbuf_config *c = arg;
	struct mls_user *user = NULL;
	struct mls_evbuf_cfg in, cfg;
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	bool created = false;
	int ret;

	if ((c->flags & ~known) || c->reserved || (c->mask & ~MLS_EVBUF_CFG_ALL) ||
	    ((c->flags & MLS_EVBUF_F_EXCL) && !(c->flags & MLS_EVBUF_F_CREATE)))
		return -EINVAL;
	ret = evb_user_key(&key, c->flags, c->owner, c->id);
	if (ret)
		return ret;
	/* The fields set are checked whatever they will be merged into. */
	evb_cfg_from(&in, c);
	mls_evbuf_default_cfg(&cfg);
	mls_evbuf_merge_cfg(&cfg, c->mask, &in);
	ret = mls_evbuf_check_cfg(&cfg);
	if (ret)
		return ret;
	ret = evb_may_admin(&key);
	if (ret)
		return ret;
	/* A new endpoint counts against its owner's limit (§12). */
	if (c->flags & MLS_EVBUF_F_CREATE) {
		user = mls_user_get(KUIDT_INIT(key.a));
		if (!user)
			return -ENOMEM;
	}

	rcu_read_lock();
	ep = mls_evbuf_find(&key);
	if (!ep && (c->flags & MLS_EVBUF_F_CREATE))
		ep = mls_evbuf_insert(&key, &cfg, user, &created);
	if (IS_ERR_OR_NULL(ep)) {
		ret = ep ? PTR_ERR(ep) : -ENOENT;
		goto out;
	}
	if (!created && (c->flags & MLS_EVBUF_F_EXCL)) {
		ret = -EEXIST;
		goto out;
	}
	if (!created && c->mask)
		mls_evbuf_set_cfg(ep, c->mask, &in);
	mls_evbuf_get_cfg(ep, &cfg);
	evb_cfg_to(c, &cfg);
	c->owner = evb_owner_out(&key);
out:
	rcu_read_unlock();
	mls_user_put(user);
	return ret;
}

/* Checks the payload, if any; 0 when the record may go on. */
static int evb_payload(const struct mls_evbuf_key *key,
		       const struct mls_evbuf_record *r)
{
	struct mls_evbuf_ep *ep;
	u8 *buf;
	int ret;

	/* No work for a record that would fail anyway. */
	rcu_read_lock();
	ep = evb_use(key);
	ret = PTR_ERR_OR_ZERO(ep);
	if (ret == -ENOENT && (r->flags & MLS_EVBUF_F_CREATE))
		ret = 0;
	rcu_read_unlock();
	if (ret)
		return ret;

	buf = kvmalloc(r->payload.len, MLS_GFP_USER);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(r->payload.addr), r->payload.len)) {
		ret = -EFAULT;
	} else {
		ret = mls_payload_check(buf, r->payload.len,
					r->flags & MLS_EVBUF_F_GZIP,
					mls_evbuf_gzip_max_size,
					mls_evbuf_gzip_max_ratio);
		mls_evbuf_count_payload(ret);
		if (ret == -EMSGSIZE || ret == -EBADMSG)
			mls_event_payload_rejected(key, -ret);
	}
	kvfree(buf);
	return ret;
}

static int evb_ioc_record(struct mls_ioctl_ctx *ctx, void *arg)
{
	const u32 known = MLS_EVBUF_F_OWNER | MLS_EVBUF_F_CREATE | MLS_EVBUF_F_GZIP;
	struct mls_evbuf_record *r = arg;
	struct mls_user *user = NULL;
	struct mls_evbuf_cfg cfg;
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	bool created;
	int ret;

	if ((r->flags & ~known) || r->payload.reserved ||
	    r->payload.len > MLS_EVBUF_MAX_PAYLOAD)
		return -EINVAL;
	ret = evb_user_key(&key, r->flags, r->owner, r->id);
	if (ret)
		return ret;
	if (r->flags & MLS_EVBUF_F_CREATE) {
		ret = evb_may_admin(&key);
		if (ret)
			return ret;
	}
	if (r->payload.len || (r->flags & MLS_EVBUF_F_GZIP)) {
		ret = evb_payload(&key, r);
		if (ret)
			return ret;
	}
	if (r->flags & MLS_EVBUF_F_CREATE) {
		user = mls_user_get(KUIDT_INIT(key.a));
		if (!user)
			return -ENOMEM;
	}

	rcu_read_lock();
	ep = evb_use(&key);
	if (PTR_ERR(ep) == -ENOENT && (r->flags & MLS_EVBUF_F_CREATE)) {
		mls_evbuf_default_cfg(&cfg);
		ep = mls_evbuf_insert(&key, &cfg, user, &created);
	}
	if (IS_ERR(ep)) {
		ret = PTR_ERR(ep);
		goto out;
	}
	switch (mls_evbuf_record(ep)) {
	case MLS_EVBUF_ADMITTED:
		ret = 0;
		break;
	case MLS_EVBUF_REFUSED:
		ret = -ECONNREFUSED;
		break;
	case MLS_EVBUF_THROTTLED:
		mls_event_throttled(&key);
		ret = -EAGAIN;
		break;
	default:
		ret = -EAGAIN;
		break;
	}
out:
	rcu_read_unlock();
	mls_user_put(user);
	return ret;
}

static int evb_ioc_report(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_evbuf_report *r = arg;
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	int ret;

	if ((r->flags & ~MLS_EVBUF_F_OWNER) || r->reserved ||
	    r->result > MLS_EVBUF_FAILURE)
		return -EINVAL;
	ret = evb_user_key(&key, r->flags, r->owner, r->id);
	if (ret)
		return ret;
	rcu_read_lock();
	ep = evb_use(&key);
	if (IS_ERR(ep))
		ret = PTR_ERR(ep);
	else
		ret = mls_evbuf_report(ep, r->result == MLS_EVBUF_SUCCESS);
	rcu_read_unlock();
	return ret;
}

static int evb_ioc_state(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_evbuf_state *st = arg, out = { };
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	int ret;

	if ((st->flags & ~MLS_EVBUF_F_OWNER) || st->reserved)
		return -EINVAL;
	ret = evb_user_key(&key, st->flags, st->owner, st->id);
	if (ret)
		return ret;
	rcu_read_lock();
	ep = evb_use(&key);
	if (IS_ERR(ep))
		ret = PTR_ERR(ep);
	else
		mls_evbuf_read_state(ep, &out);
	rcu_read_unlock();
	if (ret)
		return ret;
	/* Every output field from scratch: none echoes what came in. */
	out.flags = st->flags;
	out.owner = evb_owner_out(&key);
	memcpy(out.id, st->id, sizeof(out.id));
	*st = out;
	return 0;
}

static int evb_ioc_set_state(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_evbuf_set_state *s = arg;
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	int ret;

	if ((s->flags & ~MLS_EVBUF_F_OWNER) || s->reserved ||
	    s->state > MLS_EVBUF_FORCED_OPEN)
		return -EINVAL;
	ret = evb_user_key(&key, s->flags, s->owner, s->id);
	if (ret)
		return ret;
	ret = evb_may_admin(&key);
	if (ret)
		return ret;
	rcu_read_lock();
	ep = mls_evbuf_find(&key);
	ret = ep ? mls_evbuf_force(ep, s->state) : -ENOENT;
	rcu_read_unlock();
	return ret;
}

static int evb_ioc_remove(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_evbuf_remove *r = arg;
	struct mls_evbuf_key key;
	int ret;

	if (r->flags & ~MLS_EVBUF_F_OWNER)
		return -EINVAL;
	ret = evb_user_key(&key, r->flags, r->owner, r->id);
	if (ret)
		return ret;
	ret = evb_may_admin(&key);
	if (ret)
		return ret;
	return mls_evbuf_remove(&key);
}

static int evb_ioc_bench(struct mls_ioctl_ctx *ctx, void *arg)
{
	const u32 known = MLS_EVBUF_F_OWNER | MLS_EVBUF_F_BATCH_CLOCK;
	struct mls_evbuf_bench *b = arg;
	u64 tally[MLS_EVBUF_CONTENDED + 1] = { };
	bool batch = b->flags & MLS_EVBUF_F_BATCH_CLOCK;
	struct mls_evbuf_key key;
	struct mls_evbuf_ep *ep;
	u64 start, now = 0, retries = 0;
	u32 done = 0, n, i;
	int ret;

	if ((b->flags & ~known) || !b->count || b->count > EVB_BENCH_MAX)
		return -EINVAL;
	ret = evb_user_key(&key, b->flags, b->owner, b->id);
	if (ret)
		return ret;

	start = ktime_get_ns();
	while (done < b->count) {
		n = min(b->count - done, EVB_BENCH_CHUNK);
		/* Looked up again per chunk: no RCU section across cond_resched(). */
		rcu_read_lock();
		ep = evb_use(&key);
		if (IS_ERR(ep)) {
			rcu_read_unlock();
			if (!done)
				return PTR_ERR(ep);
			break;
		}
		retries -= mls_evbuf_cas_retries(ep);
		for (i = 0; i < n; i++) {
			if (!batch) {
				tally[mls_evbuf_record(ep)]++;
				continue;
			}
			if (!(i % EVB_BENCH_CLOCK))
				now = mls_evbuf_now();
			tally[mls_evbuf_record_at(ep, now)]++;
		}
		retries += mls_evbuf_cas_retries(ep);
		rcu_read_unlock();
		done += n;
		if (signal_pending(current))
			break;
		cond_resched();
	}
	b->elapsed_ns = ktime_get_ns() - start;
	b->done = done;
	b->admitted = tally[MLS_EVBUF_ADMITTED];
	b->throttled = tally[MLS_EVBUF_THROTTLED];
	b->refused = tally[MLS_EVBUF_REFUSED];
	b->contended = tally[MLS_EVBUF_CONTENDED];
	b->cas_retries = retries;
	return 0;
}

static const struct mls_ioctl_desc evb_ioctls[] = {
	{ MLS_IOC_EVBUF_INFO, MLS_EVBUF_INFO_SIZE_VER0, evb_ioc_info },
	{ MLS_IOC_EVBUF_CONFIG, MLS_EVBUF_CONFIG_SIZE_VER0, evb_ioc_config },
	{ MLS_IOC_EVBUF_RECORD, MLS_EVBUF_RECORD_SIZE_VER0, evb_ioc_record },
	{ MLS_IOC_EVBUF_REPORT, MLS_EVBUF_REPORT_SIZE_VER0, evb_ioc_report },
	{ MLS_IOC_EVBUF_STATE, MLS_EVBUF_STATE_SIZE_VER0, evb_ioc_state },
	{ MLS_IOC_EVBUF_SET_STATE, MLS_EVBUF_SET_STATE_SIZE_VER0, evb_ioc_set_state },
	{ MLS_IOC_EVBUF_REMOVE, MLS_EVBUF_REMOVE_SIZE_VER0, evb_ioc_remove },
	{ MLS_IOC_EVBUF_BENCH, MLS_EVBUF_BENCH_SIZE_VER0, evb_ioc_bench },
};

long mls_evbuf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return mls_ioctl_dispatch(evb_ioctls, ARRAY_SIZE(evb_ioctls), file, cmd, arg);
}

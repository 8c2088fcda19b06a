/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by group_test.c, data_test.c and threads_test.c: raw
 * ioctl wrappers (each returns 0 or a non-negative value, or -errno), two
 * members of one group in one VM, the PrivateMessage framing, and an
 * independent userspace implementation of the RFC 9420 key schedule,
 * secret tree and message protection (OpenSSL) to craft messages the
 * kernel would never send and to compute what it must return.
 *
 * Everything is static inline: every other .c of selftests/mls is linked
 * into every suite, this header is not.
 */
#ifndef MLS_SELFTEST_GROUP_UTIL_H
#define MLS_SELFTEST_GROUP_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/mls.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define U64(p)		((__u64)(uintptr_t)(p))

/* An address no process can read (a kernel address) and one never mapped. */
#define BAD_ADDR	0xffffffff81000000ULL
#define LOW_ADDR	1ULL

/* ---------------------------------------------------------------- suites */

#define SUITE_MIN	1
#define SUITE_MAX	7
#define TAG_LEN		16
#define NONCE_LEN	12

static inline unsigned int suite_nh(unsigned int s)
{
	switch (s) {
	case 1: case 2: case 3:
		return 32;
	case 4: case 5: case 6:
		return 64;
	case 7:
		return 48;
	}
	return 0;
}

/*
 * Signature lengths of a suite's scheme, as MLS_IOC_ENCRYPT checks them:
 * EdDSA one length (Ed25519 64, Ed448 114), ECDSA DER from 8 bytes to 72
 * (P-256), 104 (P-384) or 139 (P-521).
 */
#define SIG_MAX		139

static inline size_t suite_sig_min(unsigned int s)
{
	switch (s) {
	case 1: case 3:
		return 64;
	case 4: case 6:
		return 114;
	case 2: case 5: case 7:
		return 8;
	}
	return 0;
}

static inline size_t suite_sig_max(unsigned int s)
{
	switch (s) {
	case 1: case 3:
		return 64;
	case 4: case 6:
		return 114;
	case 2:
		return 72;
	case 7:
		return 104;
	case 5:
		return SIG_MAX;
	}
	return 0;
}

/*
 * A stand-in FramedContent signature of @s's longest length: the kernel
 * neither makes nor verifies signatures (libmls_test checks real ones), it
 * refuses only lengths the scheme cannot produce. A data-plane test sends
 * these bytes and checks that they come back intact. Returns the length.
 */
static inline size_t stand_in_sig(unsigned int s, uint8_t sig[SIG_MAX])
{
	size_t i, n = suite_sig_max(s);

	for (i = 0; i < n; i++)
		sig[i] = (uint8_t)(0x5a ^ (i * 13) ^ s);
	return n;
}

static inline unsigned int suite_nk(unsigned int s)
{
	return (s == 1 || s == 2) ? 16 : 32;
}

static inline const EVP_MD *suite_md(unsigned int s)
{
	switch (suite_nh(s)) {
	case 32:
		return EVP_sha256();
	case 48:
		return EVP_sha384();
	case 64:
		return EVP_sha512();
	}
	return NULL;
}

static inline const EVP_CIPHER *suite_aead(unsigned int s)
{
	switch (s) {
	case 1: case 2:
		return EVP_aes_128_gcm();
	case 3: case 6:
		return EVP_chacha20_poly1305();
	case 4: case 5: case 7:
		return EVP_aes_256_gcm();
	}
	return NULL;
}

/* ------------------------------------------------------------- basics */

static inline int xioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static inline void mbuf(struct mls_buf *b, const void *p, size_t len)
{
	b->addr = U64(p);
	b->len = (__u32)len;
	b->reserved = 0;
}

/* ------------------------------------------- event-buffer endpoints */

/*
 * A suite's user endpoints are named @prefix then @name, the prefix
 * unique to the suite's process, so that suites running side by side never
 * share one. These drive one endpoint by name through /dev/mls @ctl.
 */
static inline void ep_id_of(char *id, const char *prefix, const char *name)
{
	memset(id, 0, MLS_EVBUF_ID_SIZE);
	snprintf(id, MLS_EVBUF_ID_SIZE, "%s%s", prefix, name);
}

static inline int ep_record_in(int ctl, const char *prefix, const char *name,
			       __u32 flags, const void *p, size_t len)
{
	struct mls_evbuf_record r = { .flags = flags };

	ep_id_of(r.id, prefix, name);
	mbuf(&r.payload, p, len);
	return xioctl(ctl, MLS_IOC_EVBUF_RECORD, &r);
}

static inline int ep_report_in(int ctl, const char *prefix, const char *name,
			       __u32 result)
{
	struct mls_evbuf_report r = { .result = result };

	ep_id_of(r.id, prefix, name);
	return xioctl(ctl, MLS_IOC_EVBUF_REPORT, &r);
}

static inline int ep_set_in(int ctl, const char *prefix, const char *name,
			    __u32 state)
{
	struct mls_evbuf_set_state s = { .state = state };

	ep_id_of(s.id, prefix, name);
	return xioctl(ctl, MLS_IOC_EVBUF_SET_STATE, &s);
}

static inline int ep_rm_in(int ctl, const char *prefix, const char *name)
{
	struct mls_evbuf_remove r = { 0 };

	ep_id_of(r.id, prefix, name);
	return xioctl(ctl, MLS_IOC_EVBUF_REMOVE, &r);
}

static inline void rand_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = getrandom(b, n, 0);

		if (r <= 0)
			abort();
		b += r;
		n -= (size_t)r;
	}
}

static inline uint32_t rand_u32(void)
{
	uint32_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

/*
 * A number from the environment variable @env, else from "@cmdline_key"
 * on the kernel command line (the test VM passes the host's settings
 * that way: tools/vm/run-vm.sh), else @def.
 */
static inline uint64_t env_u64(const char *env, const char *cmdline_key, uint64_t def)
{
	char cmdline[4096] = { 0 }, *p;
	const char *v = getenv(env);
	int fd;

	if (v && *v)
		return strtoull(v, NULL, 0);
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, cmdline, sizeof(cmdline) - 1) < 0)
			cmdline[0] = 0;
		close(fd);
	}
	p = strstr(cmdline, cmdline_key);
	if (p)
		return strtoull(p + strlen(cmdline_key), NULL, 0);
	return def;
}

/* Fisher-Yates over n indexes */
static inline void shuffle_u32(uint32_t *a, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rand_u32() % i;
		uint32_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

static inline bool memmem_found(const void *hay, size_t hlen,
				const void *needle, size_t nlen)
{
	return nlen && hlen >= nlen && memmem(hay, hlen, needle, nlen);
}

static inline int ctl_open(void)
{
	int fd = open("/dev/mls", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline long long read_ll_file(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return strtoll(buf, NULL, 0);
}

/* A module parameter (/sys/module/mls/parameters/NAME), or -1. */
static inline long long mod_param(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/mls/parameters/%s", name);
	return read_ll_file(path);
}

/*
 * Whether groups made from now on get a directory under
 * /sys/kernel/mls/groups (the group_sysfs parameter, off by default):
 * 0 on success, or -errno.
 */
static inline int set_group_sysfs(bool on)
{
	int fd = open("/sys/module/mls/parameters/group_sysfs",
		      O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, on ? "Y\n" : "N\n", 2) == 2 ? 0 : -errno;
	close(fd);
	return r;
}

/* group_sysfs as it is: 1 (Y), 0 (N), or -1. */
static inline int group_sysfs(void)
{
	char c = 0;
	int fd = open("/sys/module/mls/parameters/group_sysfs",
		      O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

/*
 * The longest epoch_max_age_ms a group may set: the module's cap, or 0
 * ("no limit") when the module has none. 0 is refused under a finite cap.
 */
static inline __u32 max_age_longest(void)
{
	long long cap = mod_param("epoch_max_age_ms_max");

	return cap > 0 ? (__u32)cap : 0;
}

/* The module parameters the VM loaded it with (mlsvm.params=a=1,b=2). */
static inline void vm_module_params(char *out, size_t cap)
{
	char cmdline[4096] = { 0 }, *p, *q;
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);

	if (fd >= 0)
		close(fd);
	out[0] = 0;
	p = n > 0 ? strstr(cmdline, "mlsvm.params=") : NULL;
	if (!p)
		return;
	p += strlen("mlsvm.params=");
	snprintf(out, cap, "%.*s", (int)strcspn(p, " \n"), p);
	for (q = out; *q; q++)
		if (*q == ',')
			*q = ' ';
}

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Where the VM puts the module under test. */
#define MODULE_PATH	"/mls/mls.ko"

/*
 * finit_module(@path) with the VM's parameters and @extra (may be ""), as
 * the suites that unload and reload the module do: 0 once /dev/mls is
 * there (waited for up to 5 s), or -errno.
 */
static inline int vm_module_load(const char *path, const char *extra)
{
	char params[1024], all[1280];
	int mfd, r, i;

	vm_module_params(params, sizeof(params));
	snprintf(all, sizeof(all), "%s %s", params, extra);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	r = (int)syscall(SYS_finit_module, mfd, all, 0) ? -errno : 0;
	close(mfd);
	for (i = 0; !r && i < 500 && access("/dev/mls", F_OK); i++)
		sleep_ms(10);
	return r;
}

/* ------------------------------------------------- group inputs and creation */

/*
 * Everything one member needs to build an epoch with FROM_INPUTS (the
 * same inputs give the same secrets to every member that uses them).
 */
struct grp_inputs {
	unsigned int suite;
	uint8_t group_id[MLS_MAX_GROUP_ID_LEN + 1];
	size_t group_id_len;
	uint8_t init[MLS_MAX_HASH_LEN];
	uint8_t commit[MLS_MAX_HASH_LEN];
	uint8_t psk[MLS_MAX_HASH_LEN];
	uint64_t epoch;
	uint8_t tree_hash[MLS_MAX_HASH_LEN];
	size_t tree_hash_len;
	uint8_t cth[MLS_MAX_HASH_LEN];
	size_t cth_len;
	uint8_t ext[64];
	size_t ext_len;
};

static inline void inputs_random(struct grp_inputs *in, unsigned int suite)
{
	unsigned int nh = suite_nh(suite);

	memset(in, 0, sizeof(*in));
	in->suite = suite;
	in->group_id_len = 16;
	rand_bytes(in->group_id, in->group_id_len);
	rand_bytes(in->init, nh);
	rand_bytes(in->commit, nh);
	rand_bytes(in->psk, nh);
	in->epoch = 0;
	in->tree_hash_len = nh;
	rand_bytes(in->tree_hash, nh);
	in->cth_len = nh;
	rand_bytes(in->cth, nh);
	in->ext_len = 0;
}

static inline void ctx_fill(struct mls_group_context *c, const struct grp_inputs *in)
{
	c->epoch = in->epoch;
	mbuf(&c->tree_hash, in->tree_hash, in->tree_hash_len);
	mbuf(&c->confirmed_transcript_hash, in->cth, in->cth_len);
	mbuf(&c->extensions, in->ext, in->ext_len);
}

/* A FROM_INPUTS create argument; occ may be NULL (every leaf occupied). */
static inline void new_from_inputs(struct mls_group_new *n, const struct grp_inputs *in,
				   __u32 own_leaf, __u32 leaf_count,
				   const void *occ, size_t occ_len, __u32 flags)
{
	unsigned int nh = suite_nh(in->suite);

	memset(n, 0, sizeof(*n));
	n->flags = MLS_GROUP_F_FROM_INPUTS | flags;
	n->suite = (__u16)in->suite;
	mbuf(&n->group_id, in->group_id, in->group_id_len);
	mbuf(&n->init_secret, in->init, nh);
	mbuf(&n->commit_secret, in->commit, nh);
	mbuf(&n->psk_secret, in->psk, nh);
	ctx_fill(&n->context, in);
	n->roster.own_leaf = own_leaf;
	n->roster.leaf_count = leaf_count;
	mbuf(&n->roster.occupied, occ, occ ? occ_len : 0);
}

/* A JOIN argument from a joiner_secret. */
static inline void new_join(struct mls_group_new *n, const struct grp_inputs *in,
			    const uint8_t *joiner, __u32 own_leaf, __u32 leaf_count,
			    const void *occ, size_t occ_len, __u32 flags)
{
	unsigned int nh = suite_nh(in->suite);

	memset(n, 0, sizeof(*n));
	n->flags = flags;
	n->suite = (__u16)in->suite;
	mbuf(&n->group_id, in->group_id, in->group_id_len);
	mbuf(&n->joiner_secret, joiner, nh);
	mbuf(&n->psk_secret, in->psk, nh);
	ctx_fill(&n->context, in);
	n->roster.own_leaf = own_leaf;
	n->roster.leaf_count = leaf_count;
	mbuf(&n->roster.occupied, occ, occ ? occ_len : 0);
}

/* An INSTALL create argument. */
static inline void new_install(struct mls_group_new *n, const struct grp_inputs *in,
			       const uint8_t *enc, const uint8_t *sd,
			       __u32 own_leaf, __u32 leaf_count,
			       const void *occ, size_t occ_len, __u32 flags)
{
	unsigned int nh = suite_nh(in->suite);

	memset(n, 0, sizeof(*n));
	n->flags = MLS_GROUP_F_INSTALL | flags;
	n->suite = (__u16)in->suite;
	mbuf(&n->group_id, in->group_id, in->group_id_len);
	mbuf(&n->encryption_secret, enc, nh);
	mbuf(&n->sender_data_secret, sd, nh);
	ctx_fill(&n->context, in);
	n->roster.own_leaf = own_leaf;
	n->roster.leaf_count = leaf_count;
	mbuf(&n->roster.occupied, occ, occ ? occ_len : 0);
}

/* A plain create argument: random epoch_secret, leaf 0 of one leaf. */
static inline void new_plain(struct mls_group_new *n, unsigned int suite,
			     const void *gid, size_t gid_len, __u32 flags)
{
	memset(n, 0, sizeof(*n));
	n->flags = flags;
	n->suite = (__u16)suite;
	mbuf(&n->group_id, gid, gid_len);
	n->roster.own_leaf = 0;
	n->roster.leaf_count = 1;
}

static inline int grp_create(int ctl, struct mls_group_new *n)
{
	return xioctl(ctl, MLS_IOC_GROUP_CREATE, n);
}

static inline int grp_join(int ctl, struct mls_group_new *n)
{
	return xioctl(ctl, MLS_IOC_GROUP_JOIN, n);
}

static inline int grp_open_id(int ctl, __u32 id)
{
	struct mls_group_open o = { .flags = 0, .id = id };

	return xioctl(ctl, MLS_IOC_GROUP_OPEN, &o);
}

static inline int grp_destroy(int fd)
{
	struct mls_group_destroy d = { 0 };

	return xioctl(fd, MLS_IOC_GROUP_DESTROY, &d);
}

/* A one-leaf ephemeral group with a random epoch; -errno on failure. */
static inline int grp_plain(int ctl, unsigned int suite, __u32 flags, __u32 *id)
{
	struct mls_group_new n;
	uint8_t gid[16];
	int fd;

	rand_bytes(gid, sizeof(gid));
	new_plain(&n, suite, gid, sizeof(gid), flags);
	fd = grp_create(ctl, &n);
	if (fd >= 0 && id)
		*id = n.id;
	return fd;
}

static inline int grp_info(int fd, struct mls_group_info *info, void *gid, size_t cap)
{
	memset(info, 0, sizeof(*info));
	mbuf(&info->group_id, gid, cap);
	return xioctl(fd, MLS_IOC_GROUP_INFO, info);
}

static inline int64_t grp_epoch(int fd)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	int r = grp_info(fd, &info, gid, sizeof(gid));

	return r < 0 ? r : (int64_t)info.epoch;
}

static inline int grp_authenticator(int fd, uint8_t *out, size_t cap, __u64 *epoch)
{
	struct mls_authenticator a = { 0 };
	int r;

	mbuf(&a.authenticator, out, cap);
	r = xioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &a);
	if (r == 0 && epoch)
		*epoch = a.epoch;
	return r < 0 ? r : (int)a.authenticator.len;
}

static inline int grp_exporter(int fd, const char *label, const void *ctx, size_t ctx_len,
			       uint8_t *out, size_t len)
{
	struct mls_exporter e = { 0 };

	mbuf(&e.label, label, strlen(label));
	mbuf(&e.context, ctx, ctx_len);
	mbuf(&e.secret, out, len);
	return xioctl(fd, MLS_IOC_EXPORTER, &e);
}

/* Set one or more policy fields: the values of @p under @mask. */
static inline int grp_policy(int fd, __u32 mask, const struct mls_policy *p)
{
	struct mls_set_policy sp = { 0 };

	sp.mask = mask;
	sp.policy = *p;
	return xioctl(fd, MLS_IOC_SET_POLICY, &sp);
}

static inline int grp_policy1(int fd, __u32 mask, __u32 value)
{
	struct mls_policy p = { 0 };

	switch (mask) {
	case MLS_POLICY_OUT_OF_ORDER:
		p.out_of_order = value;
		break;
	case MLS_POLICY_MAX_FORWARD:
		p.max_forward = value;
		break;
	case MLS_POLICY_EPOCHS_KEPT:
		p.epochs_kept = value;
		break;
	case MLS_POLICY_EPOCH_MAX_AGE:
		p.epoch_max_age_ms = value;
		break;
	case MLS_POLICY_PADDING_BLOCK:
		p.padding_block = value;
		break;
	default:
		return -EINVAL;
	}
	return grp_policy(fd, mask, &p);
}

static inline int grp_get_context(int fd, __u32 flags, __u64 epoch, uint8_t *out,
				  size_t cap, size_t *len)
{
	struct mls_get_context c = { 0 };
	int r;

	c.flags = flags;
	c.epoch = epoch;
	mbuf(&c.context, out, cap);
	r = xioctl(fd, MLS_IOC_GET_CONTEXT, &c);
	if (len)
		*len = c.context.len;
	return r;
}

/* ------------------------------------------------------- encrypt / decrypt */

#define MSG_MAX		16384

struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
	__u64 epoch;
	__u32 gen;
};

static inline void enc_init(struct mls_encrypt *e, __u32 ctype,
			    const void *aad, size_t aad_len,
			    const void *content, size_t content_len,
			    const void *sig, size_t sig_len,
			    void *out, size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->content_type = ctype;
	mbuf(&e->authenticated_data, aad, aad_len);
	mbuf(&e->content, content, content_len);
	mbuf(&e->signature, sig, sig_len);
	mbuf(&e->message, out, cap);
}

static inline int grp_encrypt(int fd, __u32 ctype, const void *aad, size_t aad_len,
			      const void *content, size_t content_len,
			      const void *sig, size_t sig_len, struct msg *m)
{
	struct mls_encrypt e;
	int r;

	enc_init(&e, ctype, aad, aad_len, content, content_len, sig, sig_len,
		 m->buf, sizeof(m->buf));
	r = xioctl(fd, MLS_IOC_ENCRYPT, &e);
	if (r == 0) {
		m->len = e.message.len;
		m->epoch = e.epoch;
		m->gen = e.generation;
	}
	return r;
}

/* The suite of the group behind @fd, or 0. */
static inline unsigned int grp_suite(int fd)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];

	return grp_info(fd, &info, gid, sizeof(gid)) ? 0 : info.suite;
}

/*
 * An application message with a text content, no aad, a stand-in signature
 * of the group's suite. A group already destroyed has no suite to ask for:
 * 64 bytes then, which suits Ed25519 and every ECDSA curve, so that the
 * kernel's answer is about the group (-ENOENT), not the signature.
 */
static inline int enc_text(int fd, const char *text, struct msg *m)
{
	uint8_t sig[SIG_MAX];
	unsigned int suite = grp_suite(fd);
	size_t sig_len = stand_in_sig(suite ? suite : 1, sig);

	return grp_encrypt(fd, MLS_CONTENT_APPLICATION, NULL, 0, text, strlen(text),
			   sig, sig_len, m);
}

struct dec {
	uint8_t aad[1024];
	uint8_t content[MSG_MAX];
	uint8_t sig[1024];
	size_t aad_len, content_len, sig_len;
	__u64 epoch;
	__u32 ctype, leaf, gen;
};

static inline void dec_init(struct mls_decrypt *d, const void *msg, size_t len, struct dec *o)
{
	memset(d, 0, sizeof(*d));
	mbuf(&d->message, msg, len);
	mbuf(&d->authenticated_data, o->aad, sizeof(o->aad));
	mbuf(&d->content, o->content, sizeof(o->content));
	mbuf(&d->signature, o->sig, sizeof(o->sig));
}

/* MLS_IOC_DECRYPT with @flags (MLS_DECRYPT_F_*) into @o. */
static inline int grp_decrypt_flags(int fd, const void *msg, size_t len, struct dec *o,
				    __u32 flags)
{
	struct mls_decrypt d;
	int r;

	dec_init(&d, msg, len, o);
	d.flags = flags;
	r = xioctl(fd, MLS_IOC_DECRYPT, &d);
	if (r == 0) {
		o->aad_len = d.authenticated_data.len;
		o->content_len = d.content.len;
		o->sig_len = d.signature.len;
		o->epoch = d.epoch;
		o->ctype = d.content_type;
		o->leaf = d.sender_leaf;
		o->gen = d.generation;
	}
	return r;
}

static inline int grp_decrypt(int fd, const void *msg, size_t len, struct dec *o)
{
	return grp_decrypt_flags(fd, msg, len, o, 0);
}

static inline int dec_msg(int fd, const struct msg *m, struct dec *o)
{
	return grp_decrypt(fd, m->buf, m->len, o);
}

/* ------------------------------------------------------------ commits */

static inline void commit_init(struct mls_commit *c, unsigned int suite,
			       const void *commit_secret, const void *psk,
			       const struct grp_inputs *ctx_in,
			       __u32 own_leaf, __u32 leaf_count,
			       const void *occ, size_t occ_len)
{
	unsigned int nh = suite_nh(suite);

	memset(c, 0, sizeof(*c));
	mbuf(&c->commit_secret, commit_secret, commit_secret ? nh : 0);
	mbuf(&c->psk_secret, psk, psk ? nh : 0);
	ctx_fill(&c->context, ctx_in);
	c->roster.own_leaf = own_leaf;
	c->roster.leaf_count = leaf_count;
	mbuf(&c->roster.occupied, occ, occ ? occ_len : 0);
}

static inline int grp_commit(int fd, struct mls_commit *c)
{
	return xioctl(fd, MLS_IOC_COMMIT, c);
}

/* ------------------------------------------------------- wire format */

static inline size_t varint_put(uint8_t *out, uint32_t v)
{
	if (v < 64) {
		out[0] = (uint8_t)v;
		return 1;
	}
	if (v < 16384) {
		out[0] = (uint8_t)(0x40 | (v >> 8));
		out[1] = (uint8_t)v;
		return 2;
	}
	out[0] = (uint8_t)(0x80 | (v >> 24));
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return 4;
}

/* Bytes consumed, or 0 when malformed (truncated, prefix 11, not minimal). */
static inline size_t varint_get(const uint8_t *p, size_t len, uint32_t *v)
{
	size_t n;
	uint32_t x;
	size_t i;

	if (!len)
		return 0;
	switch (p[0] >> 6) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 2;
		break;
	case 2:
		n = 4;
		break;
	default:
		return 0;
	}
	if (len < n)
		return 0;
	x = p[0] & 0x3f;
	for (i = 1; i < n; i++)
		x = (x << 8) | p[i];
	if ((n == 2 && x < 64) || (n == 4 && x < 16384))
		return 0;
	*v = x;
	return n;
}

/* Where the parts of an MLSMessage(PrivateMessage) are. */
struct pm {
	uint16_t version, wire_format;
	size_t gid_off, gid_len;
	size_t epoch_off;
	uint64_t epoch;
	size_t ctype_off;
	uint8_t ctype;
	size_t aad_hdr, aad_off, aad_len;
	size_t esd_hdr, esd_off, esd_len;
	size_t ct_hdr, ct_off, ct_len;
};

static inline size_t vec_get(const uint8_t *m, size_t len, size_t off,
			     size_t *hdr, size_t *voff, size_t *vlen)
{
	uint32_t v;
	size_t n = varint_get(m + off, len - off, &v);

	if (!n || len - off - n < v)
		return 0;
	*hdr = off;
	*voff = off + n;
	*vlen = v;
	return n + v;
}

/* 0, or -1 when @m is not a well-formed MLSMessage(PrivateMessage). */
static inline int pm_parse(const uint8_t *m, size_t len, struct pm *p)
{
	size_t off = 4, n, h;
	int i;

	memset(p, 0, sizeof(*p));
	if (len < 4)
		return -1;
	p->version = (uint16_t)(m[0] << 8 | m[1]);
	p->wire_format = (uint16_t)(m[2] << 8 | m[3]);
	n = vec_get(m, len, off, &h, &p->gid_off, &p->gid_len);
	if (!n)
		return -1;
	off += n;
	if (len - off < 9)
		return -1;
	p->epoch_off = off;
	for (i = 0; i < 8; i++)
		p->epoch = p->epoch << 8 | m[off + i];
	off += 8;
	p->ctype_off = off;
	p->ctype = m[off++];
	n = vec_get(m, len, off, &p->aad_hdr, &p->aad_off, &p->aad_len);
	if (!n)
		return -1;
	off += n;
	n = vec_get(m, len, off, &p->esd_hdr, &p->esd_off, &p->esd_len);
	if (!n)
		return -1;
	off += n;
	n = vec_get(m, len, off, &p->ct_hdr, &p->ct_off, &p->ct_len);
	if (!n)
		return -1;
	off += n;
	return off == len ? 0 : -1;
}

/* ----------------------------------------------- userspace RFC 9420 crypto */

static inline int hkdf_extract(unsigned int suite, const uint8_t *salt, size_t salt_len,
			       const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	unsigned int olen = 0;
	static const uint8_t zero[MLS_MAX_HASH_LEN];

	if (!salt_len)
		salt = zero, salt_len = suite_nh(suite);
	if (!HMAC(suite_md(suite), salt, (int)salt_len, ikm, ikm_len, out, &olen))
		return -1;
	return olen == suite_nh(suite) ? 0 : -1;
}

static inline int hkdf_expand(unsigned int suite, const uint8_t *prk, size_t prk_len,
			      const uint8_t *info, size_t info_len,
			      uint8_t *out, size_t len)
{
	unsigned int nh = suite_nh(suite);
	uint8_t t[MLS_MAX_HASH_LEN];
	uint8_t *buf = malloc(nh + info_len + 1);
	size_t done = 0, tlen = 0;
	uint8_t ctr = 1;

	if (!buf)
		return -1;
	while (done < len) {
		unsigned int olen = 0;
		size_t n = 0;

		memcpy(buf, t, tlen);
		n += tlen;
		memcpy(buf + n, info, info_len);
		n += info_len;
		buf[n++] = ctr++;
		if (!HMAC(suite_md(suite), prk, (int)prk_len, buf, n, t, &olen)) {
			free(buf);
			return -1;
		}
		tlen = nh;
		memcpy(out + done, t, len - done < nh ? len - done : nh);
		done += len - done < nh ? len - done : nh;
	}
	free(buf);
	return 0;
}

static inline int expand_with_label(unsigned int suite, const uint8_t *secret,
				    const char *label, const uint8_t *ctx, size_t ctx_len,
				    uint8_t *out, size_t len)
{
	size_t llen = 8 + strlen(label), n = 0;
	uint8_t *info = malloc(2 + 4 + llen + 4 + ctx_len);
	int r;

	if (!info)
		return -1;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	n += varint_put(info + n, (uint32_t)llen);
	memcpy(info + n, "MLS 1.0 ", 8);
	memcpy(info + n + 8, label, strlen(label));
	n += llen;
	n += varint_put(info + n, (uint32_t)ctx_len);
	if (ctx_len)
		memcpy(info + n, ctx, ctx_len);
	n += ctx_len;
	r = hkdf_expand(suite, secret, suite_nh(suite), info, n, out, len);
	free(info);
	return r;
}

static inline int derive_secret(unsigned int suite, const uint8_t *secret,
				const char *label, uint8_t *out)
{
	return expand_with_label(suite, secret, label, NULL, 0, out, suite_nh(suite));
}

static inline int derive_tree_secret(unsigned int suite, const uint8_t *secret,
				     const char *label, uint32_t gen,
				     uint8_t *out, size_t len)
{
	uint8_t g[4] = { (uint8_t)(gen >> 24), (uint8_t)(gen >> 16),
			 (uint8_t)(gen >> 8), (uint8_t)gen };

	return expand_with_label(suite, secret, label, g, 4, out, len);
}

/* The encoded GroupContext (§8.1) of @in (its epoch): returns the length. */
static inline size_t gc_encode(const struct grp_inputs *in, uint8_t *out)
{
	size_t n = 0;
	int i;

	out[n++] = 0;
	out[n++] = 1;
	out[n++] = (uint8_t)(in->suite >> 8);
	out[n++] = (uint8_t)in->suite;
	n += varint_put(out + n, (uint32_t)in->group_id_len);
	memcpy(out + n, in->group_id, in->group_id_len);
	n += in->group_id_len;
	for (i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(in->epoch >> (8 * i));
	n += varint_put(out + n, (uint32_t)in->tree_hash_len);
	memcpy(out + n, in->tree_hash, in->tree_hash_len);
	n += in->tree_hash_len;
	n += varint_put(out + n, (uint32_t)in->cth_len);
	memcpy(out + n, in->cth, in->cth_len);
	n += in->cth_len;
	n += varint_put(out + n, (uint32_t)in->ext_len);
	memcpy(out + n, in->ext, in->ext_len);
	n += in->ext_len;
	return n;
}

#define GC_MAX	(4 + 4 + MLS_MAX_GROUP_ID_LEN + 8 + 3 * (4 + 64))

struct epoch_secrets {
	uint8_t joiner[MLS_MAX_HASH_LEN];
	uint8_t welcome[MLS_MAX_HASH_LEN];
	uint8_t epoch[MLS_MAX_HASH_LEN];
	uint8_t sender_data[MLS_MAX_HASH_LEN];
	uint8_t encryption[MLS_MAX_HASH_LEN];
	uint8_t exporter[MLS_MAX_HASH_LEN];
	uint8_t external[MLS_MAX_HASH_LEN];
	uint8_t confirm[MLS_MAX_HASH_LEN];
	uint8_t membership[MLS_MAX_HASH_LEN];
	uint8_t resumption[MLS_MAX_HASH_LEN];
	uint8_t authentication[MLS_MAX_HASH_LEN];
	uint8_t init[MLS_MAX_HASH_LEN];
};

/* The §8 key schedule from @init (previous epoch) and @in's context. */
static inline int key_schedule(const struct grp_inputs *in, const uint8_t *init,
			       const uint8_t *commit, const uint8_t *psk,
			       struct epoch_secrets *s)
{
	unsigned int suite = in->suite, nh = suite_nh(suite);
	static const uint8_t zero[MLS_MAX_HASH_LEN];
	uint8_t gc[GC_MAX], prk[MLS_MAX_HASH_LEN], m[MLS_MAX_HASH_LEN];
	size_t gclen = gc_encode(in, gc);

	if (hkdf_extract(suite, init, nh, commit ? commit : zero, nh, prk) ||
	    expand_with_label(suite, prk, "joiner", gc, gclen, s->joiner, nh))
		return -1;
	if (hkdf_extract(suite, s->joiner, nh, psk ? psk : zero, nh, m) ||
	    derive_secret(suite, m, "welcome", s->welcome) ||
	    expand_with_label(suite, m, "epoch", gc, gclen, s->epoch, nh))
		return -1;
	if (derive_secret(suite, s->epoch, "sender data", s->sender_data) ||
	    derive_secret(suite, s->epoch, "encryption", s->encryption) ||
	    derive_secret(suite, s->epoch, "exporter", s->exporter) ||
	    derive_secret(suite, s->epoch, "external", s->external) ||
	    derive_secret(suite, s->epoch, "confirm", s->confirm) ||
	    derive_secret(suite, s->epoch, "membership", s->membership) ||
	    derive_secret(suite, s->epoch, "resumption", s->resumption) ||
	    derive_secret(suite, s->epoch, "authentication", s->authentication) ||
	    derive_secret(suite, s->epoch, "init", s->init))
		return -1;
	return 0;
}

/* MLS-Exporter (§8.5). */
static inline int mls_exporter_us(unsigned int suite, const uint8_t *exporter_secret,
				  const char *label, const uint8_t *ctx, size_t ctx_len,
				  uint8_t *out, size_t len)
{
	uint8_t derived[MLS_MAX_HASH_LEN], h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;

	if (derive_secret(suite, exporter_secret, label, derived))
		return -1;
	if (!EVP_Digest(ctx, ctx_len, h, &hlen, suite_md(suite), NULL))
		return -1;
	return expand_with_label(suite, derived, "exported", h, hlen, out, len);
}

static inline unsigned int node_level(uint32_t x)
{
	unsigned int k = 0;

	while ((x >> k) & 1)
		k++;
	return k;
}

/* The leaf secret of @leaf in the secret tree of @leaf_count leaves (§9). */
static inline int tree_leaf_secret(unsigned int suite, const uint8_t *encryption_secret,
				   uint32_t leaf_count, uint32_t leaf, uint8_t *out)
{
	unsigned int nh = suite_nh(suite);
	uint32_t width = 1, node, target = 2 * leaf;
	uint8_t cur[MLS_MAX_HASH_LEN];

	while (width < leaf_count)
		width <<= 1;
	node = width - 1;
	memcpy(cur, encryption_secret, nh);
	while (node != target) {
		unsigned int k = node_level(node);
		bool left = target < node;
		uint32_t child = left ? node ^ (1u << (k - 1)) : node ^ (3u << (k - 1));
		uint8_t next[MLS_MAX_HASH_LEN];

		if (expand_with_label(suite, cur, "tree",
				      (const uint8_t *)(left ? "left" : "right"),
				      left ? 4 : 5, next, nh))
			return -1;
		memcpy(cur, next, nh);
		node = child;
	}
	memcpy(out, cur, nh);
	return 0;
}

/* Key and nonce of generation @gen of a leaf's ratchet ("application" / "handshake"). */
static inline int ratchet_key(unsigned int suite, const uint8_t *leaf_secret,
			      const char *type, uint32_t gen, uint8_t *key, uint8_t *nonce)
{
	unsigned int nh = suite_nh(suite);
	uint8_t s[MLS_MAX_HASH_LEN], next[MLS_MAX_HASH_LEN];
	uint32_t g;

	if (expand_with_label(suite, leaf_secret, type, NULL, 0, s, nh))
		return -1;
	for (g = 0; g < gen; g++) {
		if (derive_tree_secret(suite, s, "secret", g, next, nh))
			return -1;
		memcpy(s, next, nh);
	}
	if (derive_tree_secret(suite, s, "key", gen, key, suite_nk(suite)) ||
	    derive_tree_secret(suite, s, "nonce", gen, nonce, NONCE_LEN))
		return -1;
	return 0;
}

/* AEAD seal: @out gets pt_len + 16 bytes. */
static inline int aead_seal(unsigned int suite, const uint8_t *key, const uint8_t *nonce,
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, suite_aead(suite), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LEN, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) &&
	     (!aad_len || EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len)) &&
	     (!pt_len || EVP_EncryptUpdate(c, out, &l, pt, (int)pt_len)) &&
	     EVP_EncryptFinal_ex(c, out + pt_len, &l) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, out + pt_len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* AEAD open: @out gets ct_len - 16 bytes; -1 when the tag is wrong. */
static inline int aead_open(unsigned int suite, const uint8_t *key, const uint8_t *nonce,
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	int l = 0, ok;
	uint8_t tag[TAG_LEN];

	if (ct_len < TAG_LEN)
		return -1;
	memcpy(tag, ct + ct_len - TAG_LEN, TAG_LEN);
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_DecryptInit_ex(c, suite_aead(suite), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LEN, NULL) &&
	     EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) &&
	     (!aad_len || EVP_DecryptUpdate(c, NULL, &l, aad, (int)aad_len)) &&
	     (ct_len == TAG_LEN || EVP_DecryptUpdate(c, out, &l, ct, (int)(ct_len - TAG_LEN))) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag) &&
	     EVP_DecryptFinal_ex(c, out + ct_len - TAG_LEN, &l) > 0;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/*
 * A message built in userspace. The caller gives the content plaintext
 * exactly as it is to be sealed (so it can be malformed on purpose) and
 * every header field; the content key comes from the epoch's secrets
 * unless @bad_content_key.
 */
struct craft {
	unsigned int suite;
	const uint8_t *group_id;
	size_t group_id_len;
	uint64_t epoch;
	uint8_t ctype;
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *pt;
	size_t pt_len;
	uint32_t leaf;
	uint32_t gen;
	uint8_t reuse_guard[4];
	const uint8_t *encryption_secret;
	const uint8_t *sender_data_secret;
	uint32_t leaf_count;
	bool bad_content_key;		/* the generation is not derivable */
	uint16_t version;		/* 0: 1 */
	uint16_t wire_format;		/* 0: 2 */
	bool aad_len_nonminimal;	/* authenticated_data<V> with a 2-byte length */
};

static inline size_t put_vec(uint8_t *out, const uint8_t *p, size_t len)
{
	size_t n = varint_put(out, (uint32_t)len);

	if (len)
		memcpy(out + n, p, len);
	return n + len;
}

/* Build the MLSMessage into @out (at least MSG_MAX); returns its length, 0 on error. */
static inline size_t craft_message(const struct craft *c, uint8_t *out)
{
	unsigned int suite = c->suite, nh = suite_nh(suite), nk = suite_nk(suite);
	uint8_t leaf_secret[MLS_MAX_HASH_LEN], key[32], nonce[NONCE_LEN];
	uint8_t aad[MSG_MAX], ct[MSG_MAX], sd[12], esd[12 + TAG_LEN];
	uint8_t sdkey[32], sdnonce[NONCE_LEN], sdaad[512];
	size_t aadn = 0, sdaadn = 0, n = 0, sample;
	int i;

	if (c->pt_len + TAG_LEN > sizeof(ct) || c->aad_len > 4096)
		return 0;
	/* content key */
	if (c->bad_content_key) {
		memset(key, 0x42, sizeof(key));
		memset(nonce, 0x24, sizeof(nonce));
	} else {
		if (tree_leaf_secret(suite, c->encryption_secret, c->leaf_count, c->leaf,
				     leaf_secret) ||
		    ratchet_key(suite, leaf_secret,
				c->ctype == MLS_CONTENT_APPLICATION ? "application" : "handshake",
				c->gen, key, nonce))
			return 0;
	}
	for (i = 0; i < 4; i++)
		nonce[i] ^= c->reuse_guard[i];
	/* PrivateContentAAD */
	aadn += put_vec(aad + aadn, c->group_id, c->group_id_len);
	for (i = 7; i >= 0; i--)
		aad[aadn++] = (uint8_t)(c->epoch >> (8 * i));
	aad[aadn++] = c->ctype;
	aadn += put_vec(aad + aadn, c->aad, c->aad_len);
	if (aead_seal(suite, key, nonce, aad, aadn, c->pt, c->pt_len, ct))
		return 0;
	/* SenderData */
	for (i = 0; i < 4; i++) {
		sd[i] = (uint8_t)(c->leaf >> (24 - 8 * i));
		sd[4 + i] = (uint8_t)(c->gen >> (24 - 8 * i));
		sd[8 + i] = c->reuse_guard[i];
	}
	sample = c->pt_len + TAG_LEN < nh ? c->pt_len + TAG_LEN : nh;
	if (expand_with_label(suite, c->sender_data_secret, "key", ct, sample, sdkey, nk) ||
	    expand_with_label(suite, c->sender_data_secret, "nonce", ct, sample, sdnonce,
			      NONCE_LEN))
		return 0;
	sdaadn += put_vec(sdaad + sdaadn, c->group_id, c->group_id_len);
	for (i = 7; i >= 0; i--)
		sdaad[sdaadn++] = (uint8_t)(c->epoch >> (8 * i));
	sdaad[sdaadn++] = c->ctype;
	if (aead_seal(suite, sdkey, sdnonce, sdaad, sdaadn, sd, sizeof(sd), esd))
		return 0;
	/* MLSMessage */
	out[n++] = (uint8_t)((c->version ? c->version : 1) >> 8);
	out[n++] = (uint8_t)(c->version ? c->version : 1);
	out[n++] = (uint8_t)((c->wire_format ? c->wire_format : 2) >> 8);
	out[n++] = (uint8_t)(c->wire_format ? c->wire_format : 2);
	n += put_vec(out + n, c->group_id, c->group_id_len);
	for (i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(c->epoch >> (8 * i));
	out[n++] = c->ctype;
	if (c->aad_len_nonminimal && c->aad_len < 64) {
		out[n++] = 0x40;
		out[n++] = (uint8_t)c->aad_len;
		memcpy(out + n, c->aad, c->aad_len);
		n += c->aad_len;
	} else {
		n += put_vec(out + n, c->aad, c->aad_len);
	}
	n += put_vec(out + n, esd, sizeof(esd));
	n += put_vec(out + n, ct, c->pt_len + TAG_LEN);
	return n;
}

/* The application content plaintext: data<V> || signature<V> || pad zeros. */
static inline size_t app_plaintext(uint8_t *out, const uint8_t *data, size_t data_len,
				   const uint8_t *sig, size_t sig_len, size_t pad)
{
	size_t n = 0;

	n += put_vec(out + n, data, data_len);
	n += put_vec(out + n, sig, sig_len);
	memset(out + n, 0, pad);
	return n + pad;
}

/*
 * Open a kernel-made message in userspace: sender data, then content.
 * @pt gets the content plaintext (padding included). 0 or -1.
 */
static inline int open_message(unsigned int suite, const uint8_t *encryption_secret,
			       const uint8_t *sender_data_secret, uint32_t leaf_count,
			       const uint8_t *m, size_t len, uint32_t *leaf, uint32_t *gen,
			       uint8_t *pt, size_t *pt_len)
{
	unsigned int nh = suite_nh(suite), nk = suite_nk(suite);
	uint8_t sdkey[32], sdnonce[NONCE_LEN], sd[12];
	uint8_t leaf_secret[MLS_MAX_HASH_LEN], key[32], nonce[NONCE_LEN];
	size_t sample;
	struct pm p;
	int i;

	if (pm_parse(m, len, &p) || p.esd_len != 12 + TAG_LEN || p.ct_len < TAG_LEN)
		return -1;
	sample = p.ct_len < nh ? p.ct_len : nh;
	if (expand_with_label(suite, sender_data_secret, "key", m + p.ct_off, sample, sdkey, nk) ||
	    expand_with_label(suite, sender_data_secret, "nonce", m + p.ct_off, sample,
			      sdnonce, NONCE_LEN))
		return -1;
	/* SenderDataAAD and PrivateContentAAD are slices of the message. */
	if (aead_open(suite, sdkey, sdnonce, m + 4, p.ctype_off + 1 - 4,
		      m + p.esd_off, p.esd_len, sd))
		return -1;
	*leaf = (uint32_t)sd[0] << 24 | (uint32_t)sd[1] << 16 | (uint32_t)sd[2] << 8 | sd[3];
	*gen = (uint32_t)sd[4] << 24 | (uint32_t)sd[5] << 16 | (uint32_t)sd[6] << 8 | sd[7];
	if (tree_leaf_secret(suite, encryption_secret, leaf_count, *leaf, leaf_secret) ||
	    ratchet_key(suite, leaf_secret,
			p.ctype == MLS_CONTENT_APPLICATION ? "application" : "handshake",
			*gen, key, nonce))
		return -1;
	for (i = 0; i < 4; i++)
		nonce[i] ^= sd[8 + i];
	if (aead_open(suite, key, nonce, m + 4, p.aad_off + p.aad_len - 4,
		      m + p.ct_off, p.ct_len, pt))
		return -1;
	*pt_len = p.ct_len - TAG_LEN;
	return 0;
}

/* ---------------------------------------------------------- two members */

/*
 * Two members of one group in one VM: A is leaf 0, B leaf 1 of a two-leaf
 * group, both made FROM_INPUTS with the same inputs. @in holds the
 * current epoch's GroupContext fields and @es its secrets as computed in
 * userspace; pair_commit() moves both members and both of these.
 */
struct pair {
	int ctl;
	int a, b;
	__u32 a_id, b_id;
	unsigned int suite, nh;
	struct grp_inputs in;
	uint32_t leaf_count;
	struct epoch_secrets es;
	uint8_t sig[SIG_MAX];	/* stand_in_sig() of the suite */
	size_t sig_len;
};

static inline int pair_make_flags(struct pair *p, unsigned int suite, __u32 flags)
{
	struct mls_group_new n;

	memset(p, 0, sizeof(*p));
	p->a = p->b = -1;
	p->suite = suite;
	p->nh = suite_nh(suite);
	p->leaf_count = 2;
	p->sig_len = stand_in_sig(suite, p->sig);
	p->ctl = ctl_open();
	if (p->ctl < 0)
		return p->ctl;
	inputs_random(&p->in, suite);
	if (key_schedule(&p->in, p->in.init, p->in.commit, p->in.psk, &p->es))
		return -EIO;
	new_from_inputs(&n, &p->in, 0, 2, NULL, 0, flags);
	p->a = grp_create(p->ctl, &n);
	if (p->a < 0)
		return p->a;
	p->a_id = n.id;
	new_from_inputs(&n, &p->in, 1, 2, NULL, 0, flags);
	p->b = grp_create(p->ctl, &n);
	if (p->b < 0)
		return p->b;
	p->b_id = n.id;
	return 0;
}

static inline int pair_make(struct pair *p, unsigned int suite)
{
	return pair_make_flags(p, suite, MLS_GROUP_F_EPHEMERAL);
}

static inline void pair_close(struct pair *p)
{
	if (p->a >= 0)
		close(p->a);
	if (p->b >= 0)
		close(p->b);
	if (p->ctl >= 0)
		close(p->ctl);
	p->a = p->b = p->ctl = -1;
}

/* Destroy both members (persistent groups outlive their fds), then close. */
static inline void pair_destroy(struct pair *p)
{
	if (p->a >= 0)
		grp_destroy(p->a);
	if (p->b >= 0)
		grp_destroy(p->b);
	pair_close(p);
}

/* The GroupContext fields of the next epoch: same hashes, epoch + 1. */
static inline struct grp_inputs pair_next(const struct pair *p)
{
	struct grp_inputs next = p->in;

	next.epoch = p->in.epoch + 1;
	return next;
}

/* A commit argument moving one member of @p to the next epoch. */
static inline void pair_commit_arg(const struct pair *p, struct mls_commit *c,
				   struct grp_inputs *next, __u32 own_leaf,
				   const uint8_t *commit_secret)
{
	*next = pair_next(p);
	commit_init(c, p->suite, commit_secret, p->in.psk, next, own_leaf,
		    p->leaf_count, NULL, 0);
}

/* Commit one member (fd, own_leaf) of @p to the next epoch. */
static inline int member_commit(const struct pair *p, int fd, __u32 own_leaf,
				const uint8_t *commit_secret)
{
	struct grp_inputs next;
	struct mls_commit c;

	pair_commit_arg(p, &c, &next, own_leaf, commit_secret);
	return grp_commit(fd, &c);
}

/* Record in @p that its members moved to the next epoch with @commit_secret. */
static inline int pair_advance(struct pair *p, const uint8_t *commit_secret)
{
	struct grp_inputs next = pair_next(p);
	struct epoch_secrets es;

	if (key_schedule(&next, p->es.init, commit_secret, p->in.psk, &es))
		return -EIO;
	p->in = next;
	p->es = es;
	return 0;
}

/* Both members to the next epoch with the same random commit_secret. */
static inline int pair_commit(struct pair *p)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	int r;

	rand_bytes(cs, p->nh);
	r = member_commit(p, p->a, 0, cs);
	if (r)
		return r;
	r = member_commit(p, p->b, 1, cs);
	if (r)
		return r;
	return pair_advance(p, cs);
}

/*
 * As pair_commit(), but the Commit is @fd's own with a fresh UpdatePath:
 * @fd merges it with MLS_COMMIT_F_OWN_PATH, the other member as received.
 */
static inline int pair_commit_own(struct pair *p, int fd)
{
	const int fds[2] = { p->a, p->b };
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct grp_inputs next;
	struct mls_commit c;
	__u32 leaf;
	int r;

	rand_bytes(cs, p->nh);
	for (leaf = 0; leaf < 2; leaf++) {
		pair_commit_arg(p, &c, &next, leaf, cs);
		if (fds[leaf] == fd)
			c.flags |= MLS_COMMIT_F_OWN_PATH;
		r = grp_commit(fds[leaf], &c);
		if (r)
			return r;
	}
	return pair_advance(p, cs);
}

#endif /* MLS_SELFTEST_GROUP_UTIL_H */

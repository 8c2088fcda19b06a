// SPDX-License-Identifier: GPL-2.0
/*
 * The module's AEAD floor: the same kernel driver the module's tfms use
 * (/proc/crypto), through AF_ALG, sealing or opening the same payload
 * under a key set once. Each call is a sendmsg, which copies the input
 * into the socket's pages, and a read, which the AEAD writes into the
 * caller's pages directly: one copy and the cipher, the least a system
 * call that seals a user buffer can cost. The data-plane rows divide the
 * module's p50 by this one's: the module's overhead over its own cipher,
 * a ratio the emulated CPU's swings do not move much, since both sides
 * run the same driver.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_alg.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static int floor_bind(const char *driver, const uint8_t *key, size_t keylen)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "aead");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", driver);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, (socklen_t)keylen) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, MB_TAG_LEN)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* One AEAD through @op: @in_len bytes in, @out_len bytes expected out. */
static int floor_crypt(int op, bool seal, const uint8_t *nonce,
		       const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t out_len)
{
	char cbuf[CMSG_SPACE(sizeof(__u32)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + MB_NONCE_LEN) +
		  CMSG_SPACE(sizeof(__u32))] = { 0 };
	struct iovec iov = { (void *)in, in_len };
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct af_alg_iv *iv;
	struct cmsghdr *c;
	ssize_t n;

	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = seal ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + MB_NONCE_LEN);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = MB_NONCE_LEN;
	memcpy(iv->iv, nonce, MB_NONCE_LEN);
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = 0;
	if (sendmsg(op, &msg, 0) != (ssize_t)in_len)
		return -errno ?: -EIO;
	n = read(op, out, out_len);
	if (n != (ssize_t)out_len)
		return n < 0 ? -errno : -EIO;
	return 0;
}

int mb_floor_init(struct mb_floor *f, const struct mb_suite *s, size_t size,
		  bool open, unsigned int threads)
{
	const char *alg = s->nk == 16 ? "gcm(aes)" : "rfc7539(chacha20,poly1305)";
	uint8_t key[MB_MAX_NK], nonce[MB_NONCE_LEN] = { 0 };
	char driver[64];
	unsigned int t;
	int ret;

	memset(f, 0, sizeof(*f));
	f->tfm = -1;
	for (t = 0; t < MB_MAX_THREADS; t++)
		f->op[t] = -1;
	f->size = size;
	f->open = open;
	ret = mb_module_driver(alg, driver, sizeof(driver));
	if (ret)
		return ret;
	mb_random(key, sizeof(key));
	f->tfm = floor_bind(driver, key, s->nk);
	if (f->tfm < 0)
		return f->tfm;
	f->in = calloc(1, size + MB_TAG_LEN);
	for (t = 0; t < threads && t < MB_MAX_THREADS; t++) {
		f->out[t] = calloc(1, size + MB_TAG_LEN);
		f->op[t] = accept(f->tfm, NULL, 0);
		if (f->op[t] < 0 || !f->out[t])
			return f->op[t] < 0 ? -errno : -ENOMEM;
	}
	if (!f->in)
		return -ENOMEM;
	mb_random(f->in, size);
	/* Opening needs a ciphertext with its tag: seal one. */
	if (open) {
		ret = floor_crypt(f->op[0], true, nonce, f->in, size,
				  f->out[0], size + MB_TAG_LEN);
		if (ret)
			return ret;
		memcpy(f->in, f->out[0], size + MB_TAG_LEN);
	}
	return 0;
}

int mb_floor_op(void *arg, unsigned int thread, unsigned long i)
{
	struct mb_floor *f = arg;
	uint8_t nonce[MB_NONCE_LEN] = { 0 };

	if (f->open)
		return floor_crypt(f->op[thread], false, nonce, f->in,
				   f->size + MB_TAG_LEN, f->out[thread],
				   f->size);
	memcpy(nonce, &i, sizeof(i));
	return floor_crypt(f->op[thread], true, nonce, f->in, f->size,
			   f->out[thread], f->size + MB_TAG_LEN);
}

void mb_floor_free(struct mb_floor *f)
{
	unsigned int t;

	for (t = 0; t < MB_MAX_THREADS; t++) {
		if (f->op[t] >= 0)
			close(f->op[t]);
		free(f->out[t]);
	}
	if (f->tfm >= 0)
		close(f->tfm);
	free(f->in);
	memset(f, 0, sizeof(*f));
	f->tfm = -1;
}

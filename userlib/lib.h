/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/* libmls internals, not installed. */
#ifndef LIBMLS_LIB_H
#define LIBMLS_LIB_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <libmls.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MLS_EXPORT __attribute__((visibility("default")))

/* SignWithLabel's label of a FramedContent signature (§6.1). */
#define MLS_TBS_LABEL	"FramedContentTBS"

/*
 * Symbol versions (libmls.map): @impl is exported as @name of version
 * node @node, "@" for a compatibility version, "@@" for the default one,
 * which programs linked from now on get.
 */
#define MLS_SYMVER(impl, name, at_node)					\
	__asm__(".symver " #impl ", " #name at_node)

/*
 * The ioctl number @cmd with another struct size: a struct's first
 * published size (MLS_*_SIZE_VER0) for programs built when it had no
 * more, so that the kernel never reads past what they allocated.
 */
#define MLS_IOC_SIZED(cmd, size)					\
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

/* How many times a call retries when the kernel keeps asking for more. */
#define MLS_RETRIES	8

/* ioctl(2) that returns -errno instead of setting errno. */
static inline int mls_ioctl(int fd, unsigned long req, void *arg)
{
	int saved = errno;
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/* malloc(3) and calloc(3) that leave errno alone (at least 1 byte). */
static inline void *mls_malloc(size_t n)
{
	int saved = errno;
	void *p = malloc(n ? n : 1);

	errno = saved;
	return p;
}

static inline void *mls_calloc(size_t n, size_t size)
{
	int saved = errno;
	void *p = calloc(n ? n : 1, size ? size : 1);

	errno = saved;
	return p;
}

/* A growing buffer for TLS-encoded structures; errors are sticky. */
struct mls_wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

void mls_wb_init(struct mls_wbuf *w, size_t hint);
void mls_wb_raw(struct mls_wbuf *w, const void *p, size_t n);
void mls_wb_u8(struct mls_wbuf *w, uint8_t v);
void mls_wb_u16(struct mls_wbuf *w, uint16_t v);
void mls_wb_u32(struct mls_wbuf *w, uint32_t v);
void mls_wb_u64(struct mls_wbuf *w, uint64_t v);
/* a varint length (§2.1.2): 1, 2 or 4 bytes, the shortest that fits */
void mls_wb_varint(struct mls_wbuf *w, size_t n);
/* opaque x<V> (§2.1.2): the minimal varint length, then the bytes */
void mls_wb_vec(struct mls_wbuf *w, const void *p, size_t n);
/* Hand the bytes over to @out (0), or wipe them and return the error. */
int mls_wb_finish(struct mls_wbuf *w, struct mls_bytes *out);

/* Allocate @len bytes (at least 1) into @b; -ENOMEM. */
int mls_bytes_alloc(struct mls_bytes *b, size_t len);

#endif /* LIBMLS_LIB_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * One stored snapshot: a file of its own, "e<epoch>-s<store seq>.snap"
 * (16 hex digits each), in its group's directory:
 *
 *	"MLSR"		4 bytes
 *	version		u16	1
 *	flags		u16	0
 *	store_seq	u64	the store's sequence, unique, increasing
 *	kernel_seq	u64	MLS_IOC_GROUP_EXPORT's seq
 *	epoch		u64
 *	length		u32	of the sealed snapshot
 *	sha256		32 bytes, of everything before it and the snapshot
 *	snapshot	length bytes, as the kernel sealed it
 *
 * Big-endian. The checksum finds a torn or damaged file before the
 * kernel is asked; the kernel's tag is what authenticates the snapshot.
 */
#include "persistd.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define OFF_SHA		(RECORD_HDR_LEN - 32)

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static int sha256(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		  uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(c, a, alen) && EVP_DigestUpdate(c, b, blen) &&
	     EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

int record_build(struct record *r, uint64_t store_seq, uint64_t kernel_seq,
		 uint64_t epoch, const void *snap, size_t len)
{
	uint8_t *b;
	uint32_t l;
	int ret;

	memset(r, 0, sizeof(*r));
	if (len > MLS_MAX_SNAPSHOT_LEN)
		return -EFBIG;
	b = malloc(RECORD_HDR_LEN + len);
	if (!b)
		return -ENOMEM;
	memcpy(b, RECORD_MAGIC, 4);
	b[4] = 0;
	b[5] = RECORD_VERSION;
	b[6] = b[7] = 0;
	put64(b + 8, store_seq);
	put64(b + 16, kernel_seq);
	put64(b + 24, epoch);
	l = htobe32((uint32_t)len);
	memcpy(b + 32, &l, 4);
	memcpy(b + RECORD_HDR_LEN, snap, len);
	ret = sha256(b, OFF_SHA, b + RECORD_HDR_LEN, len, b + OFF_SHA);
	if (ret) {
		free(b);
		return ret;
	}
	r->buf = b;
	r->buf_len = RECORD_HDR_LEN + len;
	r->store_seq = store_seq;
	r->kernel_seq = kernel_seq;
	r->epoch = epoch;
	r->snap = b + RECORD_HDR_LEN;
	r->snap_len = len;
	return 0;
}

int record_read(int dirfd, const char *path, struct record *r)
{
	uint8_t sum[32], *b = NULL;
	struct stat sb;
	size_t got = 0;
	uint32_t l;
	int fd, ret = 0;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size < RECORD_HDR_LEN ||
	    (uint64_t)sb.st_size > RECORD_HDR_LEN + (uint64_t)MLS_MAX_SNAPSHOT_LEN) {
		ret = -EBADMSG;
		goto out;
	}
	b = malloc(sb.st_size);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, b + got, sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (!n)
			break;
		got += n;
	}
	memcpy(&l, b + 32, 4);
	l = be32toh(l);
	if (got != (size_t)sb.st_size || memcmp(b, RECORD_MAGIC, 4) ||
	    b[4] || b[5] != RECORD_VERSION || b[6] || b[7] ||
	    (size_t)l + RECORD_HDR_LEN != got || !l) {
		ret = -EBADMSG;
		goto out;
	}
	ret = sha256(b, OFF_SHA, b + RECORD_HDR_LEN, l, sum);
	if (!ret && memcmp(sum, b + OFF_SHA, 32))
		ret = -EBADMSG;
	if (ret)
		goto out;
	r->buf = b;
	r->buf_len = got;
	r->store_seq = get64(b + 8);
	r->kernel_seq = get64(b + 16);
	r->epoch = get64(b + 24);
	r->snap = b + RECORD_HDR_LEN;
	r->snap_len = l;
	b = NULL;
out:
	free(b);
	close(fd);
	return ret;
}

void record_free(struct record *r)
{
	if (r->buf)
		memset(r->buf, 0, r->buf_len);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void record_name(char *out, size_t cap, uint64_t epoch, uint64_t store_seq)
{
	snprintf(out, cap, "e%016" PRIx64 "-s%016" PRIx64 RECORD_SUFFIX, epoch, store_seq);
}

static bool hex16(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			x = x << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = x << 4 | (uint64_t)(c - 'a' + 10);
		else
			return false;
	}
	*v = x;
	return true;
}

bool record_parse_name(const char *name, uint64_t *epoch, uint64_t *store_seq)
{
	/* e + 16 + -s + 16 + .snap */
	if (strlen(name) != 1 + 16 + 2 + 16 + strlen(RECORD_SUFFIX))
		return false;
	return name[0] == 'e' && hex16(name + 1, epoch) &&
	       name[17] == '-' && name[18] == 's' && hex16(name + 19, store_seq) &&
	       !strcmp(name + 35, RECORD_SUFFIX);
}

void group_dir_name(char *out, size_t cap, uint32_t uid, uint32_t leaf,
		    const uint8_t *gid, size_t gid_len)
{
	uint8_t sum[32];
	const uint8_t *p = gid;
	size_t n = gid_len, k, i;
	bool hashed = false;

	if (gid_len > 64 && !sha256(gid, gid_len, NULL, 0, sum)) {
		p = sum;
		n = sizeof(sum);
		hashed = true;
	}
	k = (size_t)snprintf(out, cap, "u%u-l%u-%s", uid, leaf, hashed ? "h" : "");
	for (i = 0; i < n && k + 3 <= cap; i++, k += 2)
		snprintf(out + k, cap - k, "%02x", p[i]);
}

int snapshot_version(const uint8_t *snap, size_t len)
{
	/* "MLSS", version u16 (big-endian, as the whole snapshot) */
	if (len < 6 || memcmp(snap, "MLSS", 4))
		return -EBADMSG;
	return snap[4] << 8 | snap[5];
}

int snapshot_header(const uint8_t *snap, size_t len, const uint8_t **gid,
		    size_t *gid_len, uint64_t *seq, uint64_t *epoch)
{
	/* "MLSS", version u16, flags u16, seq u64, epoch u64, salt[32], gid */
	if (len < 57 || memcmp(snap, "MLSS", 4) || len < 57 + (size_t)snap[56])
		return -EBADMSG;
	*seq = get64(snap + 8);
	*epoch = get64(snap + 16);
	*gid_len = snap[56];
	*gid = snap + 57;
	return 0;
}

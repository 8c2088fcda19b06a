// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mls itself: open/close, the version ioctl and the argument rules
 * every ioctl shares (uapi/linux/mls.h): unknown ioctl, bad pointer,
 * flags, reserved fields, struct sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"

/* The same ioctl number with another struct size, as a program built
 * against an older or newer header would send. */
#define VERSION_IOC_SIZED(sz) _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x00, (sz))

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open("/dev/mls", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(open_close_many)
{
	int i, fd;

	for (i = 0; i < 100; i++) {
		fd = open("/dev/mls", O_RDWR);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, close(fd));
	}
}

TEST_F(dev, version)
{
	struct mls_version v = { 0 };
	int s;

	ASSERT_EQ(0, ioctl(self->fd, MLS_IOC_GET_VERSION, &v));
	EXPECT_EQ(MLS_API_VERSION, v.api_version);
	EXPECT_TRUE(v.features & MLS_FEATURE_VERSION_IOCTL);
	EXPECT_TRUE(v.features & MLS_FEATURE_GROUPS);
	EXPECT_TRUE(v.features & MLS_FEATURE_EVBUF);
	EXPECT_TRUE(v.features & MLS_FEATURE_EVENTS);
	EXPECT_TRUE(v.features & MLS_FEATURE_DECRYPT_ZEROCOPY);
	EXPECT_TRUE(v.features & MLS_FEATURE_COMMIT_FINAL);
	/* The seven RFC 9420 ciphersuites, and nothing else. */
	for (s = 0; s < 64; s++)
		EXPECT_EQ(s >= 1 && s <= 7, !!(v.suites & (1ULL << s)));
}

TEST_F(dev, unknown_ioctl_enotty)
{
	struct mls_version v = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MLS_IOC_MAGIC, 0x7f, struct mls_version), &v));
	EXPECT_EQ(ENOTTY, errno);
	/* Another subsystem's magic. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('T', 0x00, struct mls_version), &v));
	EXPECT_EQ(ENOTTY, errno);
	/* The right number with the wrong direction. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(MLS_IOC_MAGIC, 0x00, struct mls_version), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MLS_IOC_MAGIC, 0x00)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, bad_pointer_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	/* Kernel addresses are not user addresses. */
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, (void *)0xffffffff81000000UL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, read_only_page_efault)
{
	void *ro = (void *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

	/* Readable but not writable: the copy back must fail cleanly. */
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, ro));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_flags_einval)
{
	struct mls_version v = { 0 };
	int bit;

	for (bit = 0; bit < 32; bit++) {
		memset(&v, 0, sizeof(v));
		v.flags = 1U << bit;
		EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(dev, reserved_nonzero_einval)
{
	struct mls_version v = { 0 };

	v.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
	v.reserved = 1ULL << 63;
	EXPECT_EQ(-1, ioctl(self->fd, MLS_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, short_struct_einval)
{
	struct mls_version v = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, VERSION_IOC_SIZED(MLS_VERSION_SIZE_VER0 - 8), &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VERSION_IOC_SIZED(0), &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, size_ver0_accepted)
{
	struct mls_version v;

	/* A program built against the first header: its tail stays as is. */
	memset(&v, 0xa5, sizeof(v));
	memset(&v, 0, MLS_VERSION_SIZE_VER0);
	ASSERT_EQ(0, ioctl(self->fd, VERSION_IOC_SIZED(MLS_VERSION_SIZE_VER0), &v));
	EXPECT_EQ(MLS_API_VERSION, v.api_version);
}

TEST_F(dev, larger_struct_zero_tail_ok)
{
	struct {
		struct mls_version v;
		__u64 future[4];
	} big;

	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, ioctl(self->fd, VERSION_IOC_SIZED(sizeof(big)), &big));
	EXPECT_EQ(MLS_API_VERSION, big.v.api_version);
	/* The kernel writes back only what it knows. */
	EXPECT_EQ(0, big.future[0]);
}

TEST_F(dev, larger_struct_nonzero_tail_e2big)
{
	struct {
		struct mls_version v;
		__u64 future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.future[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VERSION_IOC_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST(sysfs_version)
{
	char buf[64] = { 0 };
	int fd = open("/sys/kernel/mls/api_version", O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	EXPECT_EQ(MLS_API_VERSION, atoi(buf));

	fd = open("/sys/kernel/mls/version", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	EXPECT_NE(NULL, strchr(buf, '.'));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does nothing but WARN once at load: the runner's own test
 * loads it to prove that a kernel report in the guest fails the run.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init mls_warn_test_init(void)
{
	WARN(1, "mls_warn_test: deliberate warning for the runner's self-test\n");
	return 0;
}

static void __exit mls_warn_test_exit(void)
{
}

module_init(mls_warn_test_init);
module_exit(mls_warn_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate WARN for the mls VM runner's self-test");

// SPDX-License-Identifier: GPL-2.0
/*
 * mls: Messaging Layer Security (RFC 9420) group state and message
 * protection in the kernel. This file only orders init and exit.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "crypto_selftest.h"
#include "debugfs.h"
#include "device.h"
#include "drain.h"
#include "evbuf.h"
#include "group.h"
#include "hkdf.h"
#include "hpke.h"
#include "netlink.h"
#include "params.h"
#include "protect_selftest.h"
#include "psk.h"
#include "quota.h"
#include "secret_tree_selftest.h"
#include "snapshot.h"
#include "stats.h"
#include "sysfs.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/genetlink.h>
#include <linux/module.h>

static int __init mls_mod_init(void)
{
	int ret;

	ret = mls_params_check();
	if (ret)
		return ret;
	ret = mls_crypto_init();
	if (ret)
		goto err_crypto;
	ret = mls_epoch_cache_init();
	if (ret)
		goto err_epoch_cache;

	/* Built with MLS_SELFTEST=y: a failed self-test refuses the load. */
	ret = -ENOTRECOVERABLE;
	if (mls_crypto_selftest() || mls_hpke_selftest() ||
	    mls_stree_selftest() || mls_protect_selftest() ||
	    mls_stats_selftest() || mls_psk_selftest())
		goto err_selftest;

	ret = mls_stats_init();
	if (ret)
		goto err_stats;
	ret = mls_evbuf_init();
	if (ret)
		goto err_evbuf;
	ret = mls_groups_init();
	if (ret)
		goto err_groups;
	ret = mls_snapshot_init();
	if (ret)
		goto err_snapshot;
	ret = mls_sysfs_init();
	if (ret)
		goto err_sysfs;
	mls_debugfs_init();
	ret = mls_genl_init();
	if (ret)
		goto err_genl;
	ret = mls_device_init();
	if (ret)
		goto err_device;

	pr_info("mls " MLS_MODULE_VERSION " loaded (api %d)\n", MLS_API_VERSION);
	return 0;

err_device:
	mls_genl_exit();
err_genl:
	mls_debugfs_exit();
	mls_sysfs_exit();
err_sysfs:
	mls_snapshot_exit();
err_snapshot:
	mls_groups_exit();
err_groups:
	mls_evbuf_exit();
err_evbuf:
	mls_stats_exit();
err_stats:
err_selftest:
	mls_epoch_cache_exit();
err_epoch_cache:
	mls_crypto_exit();
err_crypto:
	return ret;
}

/*
 * No fd is open (each holds a module reference) once the device is gone.
 * The groups go before the netlink family and sysfs: destroying one sends
 * its event and removes its directory.
 */
static void __exit mls_mod_exit(void)
{
	mls_device_exit();
	mls_drain_unload();
	mls_groups_exit();
	mls_snapshot_exit();
	mls_genl_exit();
	mls_debugfs_exit();
	mls_sysfs_exit();
	mls_evbuf_exit();
	mls_users_exit();
	mls_stats_exit();
	mls_epoch_cache_exit();
	mls_crypto_exit();
}

module_init(mls_mod_init);
module_exit(mls_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Messaging Layer Security (RFC 9420) group state and message protection");
MODULE_AUTHOR("The mls authors");
MODULE_VERSION(MLS_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(MLS_GENL_NAME);
/*
 * The accelerated, constant-time implementations, loaded first so that the
 * crypto API picks them over the generic table-based ones. hpke.c links
 * against ecdh_generic, and aead.c against libaes (aes_expandkey) and
 * libchacha (chacha_block_generic), named here for loaders that read only
 * softdeps (modprobe finds them from the symbols; insmod does not).
 */
MODULE_SOFTDEP("pre: aesni_intel ghash-clmulni-intel sha256_ssse3 sha512_ssse3 chacha_x86_64 poly1305_x86_64 curve25519-x86_64 ecdh_generic libaes libchacha");

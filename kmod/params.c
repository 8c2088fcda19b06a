// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: module-wide defaults and hard caps. Read-only after
 * load (0444): a cap that moves under live groups would have to be
 * re-checked everywhere it was applied.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "params.h"

#include <linux/moduleparam.h>

unsigned int mls_max_groups = 4096;
module_param_named(max_groups, mls_max_groups, uint, 0444);
MODULE_PARM_DESC(max_groups, "Maximum number of groups alive at once (default 4096)");

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_PARAMS_H
#define _MLS_PARAMS_H

extern unsigned int mls_max_groups;

#endif /* _MLS_PARAMS_H */

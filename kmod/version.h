/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_VERSION_H
#define _MLS_VERSION_H

#define MLS_MODULE_VERSION "0.1.0"

#endif /* _MLS_VERSION_H */

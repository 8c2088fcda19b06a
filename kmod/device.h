/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_DEVICE_H
#define _MLS_DEVICE_H

int mls_device_init(void);
void mls_device_exit(void);

#endif /* _MLS_DEVICE_H */

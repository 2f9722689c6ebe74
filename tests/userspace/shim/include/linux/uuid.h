/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/uuid.h: guid_t, and the little-endian loads (s390 is big-endian; the harness is not). */
#ifndef _LINUX_UUID_H
#define _LINUX_UUID_H

#include <linux/kernel.h>

typedef struct {
	u8 b[16];
} guid_t;

static inline u32 le32_to_cpup(const __le32 *p)
{
	return *p;
}

static inline u16 le16_to_cpup(const __le16 *p)
{
	return *p;
}

#endif

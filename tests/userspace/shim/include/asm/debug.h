/* SPDX-License-Identifier: GPL-2.0-only */
/* s390's asm/debug.h: s390dbf events are counted per level, not formatted (%pad is not libc's). */
#ifndef _ASM_S390_DEBUG_H
#define _ASM_S390_DEBUG_H

#include <linux/kernel.h>

typedef struct debug_info {
	atomic_long events[8];
} debug_info_t;

static inline void debug_sprintf_event(debug_info_t *id, int level,
				       const char *fmt, ...)
{
	if (id && level >= 0 && level < 8)
		atomic_fetch_add(&id->events[level], 1);
}

#endif

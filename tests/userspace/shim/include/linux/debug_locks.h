/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/debug_locks.h: debug_locks, which the harness defines as 1. */
#ifndef _LINUX_DEBUG_LOCKS_H
#define _LINUX_DEBUG_LOCKS_H

extern int debug_locks;

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/sched.h: `current`, a per-thread task whose only field is its mm. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/kernel.h>

struct mm_struct {
	int unused;		/* compared by address only */
};

struct task_struct {
	struct mm_struct *mm;
};

/* defined by the harness */
extern __thread struct task_struct shim_current;
#define current (&shim_current)

#endif

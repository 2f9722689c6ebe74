/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/sched.h: `current`, a per-thread task with its mm and its task work. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/kernel.h>

struct mm_struct {
	int unused;		/* compared by address only */
};

struct task_struct {
	struct mm_struct *mm;
	struct file *task_works;	/* fput()'s deferred releases (linux/fs.h) */
};

/* defined by the harness */
extern __thread struct task_struct shim_current;
#define current (&shim_current)

#endif

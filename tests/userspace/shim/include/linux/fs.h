/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linux/fs.h: inode, file and file_operations, and the file references:
 * get_file(), get_file_active(), fput() with its deferred release.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/lockdep.h>
#include <linux/sched.h>

struct inode {
	void *i_private;
};

struct file {
	atomic_long f_count;
	const struct file_operations *f_op;
	struct inode *f_inode;
	void *private_data;
	struct file *f_task_work;	/* next in current->task_works */
};

struct file_operations {
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
};

/* defined by the harness: references taken and dropped, to match at exit */
extern atomic_long shim_file_gets, shim_file_puts;
/* and filp_cachep's free: type-stable memory, as SLAB_TYPESAFE_BY_RCU */
void shim_file_free(struct file *file);

static inline struct file *get_file(struct file *file)
{
	WARN_ON(atomic_fetch_add(&file->f_count, 1) <= 0);
	atomic_fetch_add(&shim_file_gets, 1);
	return file;
}

/* __fput(): the release, which must run under none of the caller's locks */
static inline void __fput(struct file *file)
{
	if (shim_held.depth)
		shim_lockdep_fail("file released with a lock held",
				  shim_held.lock[shim_held.depth - 1].map->name,
				  __FILE__, __LINE__);
	if (file->f_op && file->f_op->release)
		file->f_op->release(file->f_inode, file);
	shim_file_free(file);
}

/* file_ref_put(): true for the last reference */
static inline bool shim_file_ref_put(struct file *file)
{
	long old = atomic_fetch_sub(&file->f_count, 1);

	WARN_ON(old <= 0);
	atomic_fetch_add(&shim_file_puts, 1);
	return old == 1;
}

/* The last reference queues the release as task work (tasks only here). */
static inline void fput(struct file *file)
{
	if (shim_file_ref_put(file)) {
		file->f_task_work = current->task_works;
		current->task_works = file;
	}
}

/* The release at once, in the caller's context. */
static inline void __fput_sync(struct file *file)
{
	if (shim_file_ref_put(file))
		__fput(file);
}

/*
 * fs/file.c: *@f may be cleared, and the file released and reused,
 * meanwhile. NULL then (get_file_rcu() would retry).
 */
static inline struct file *get_file_active(struct file **f)
{
	struct file *file = __atomic_load_n(f, __ATOMIC_SEQ_CST);
	long old;

	if (!file)
		return NULL;
	old = atomic_load(&file->f_count);
	do {
		if (!old)
			return NULL;
	} while (!atomic_compare_exchange_weak(&file->f_count, &old, old + 1));
	atomic_fetch_add(&shim_file_gets, 1);
	if (__atomic_load_n(f, __ATOMIC_SEQ_CST) != file) {
		fput(file);		/* another file's now */
		return NULL;
	}
	return file;
}

/* task_work_run() */
static inline void task_work_run(void)
{
	struct file *file;

	while ((file = current->task_works)) {
		current->task_works = file->f_task_work;
		__fput(file);
	}
}

/* exit_to_user_mode(): lockdep_sys_exit()'s check, then the task work */
static inline void shim_return_to_user(void)
{
	if (shim_held.depth)
		shim_lockdep_fail("lock held when returning to user space",
				  shim_held.lock[0].map->name, __FILE__,
				  __LINE__);
	task_work_run();
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/rwsem.h: struct rw_semaphore on a pthread rwlock, tracked by the lockdep shim. */
#ifndef _LINUX_RWSEM_H
#define _LINUX_RWSEM_H

#include <linux/cleanup.h>
#include <linux/lockdep.h>

struct rw_semaphore {
	pthread_rwlock_t l;
	struct lockdep_map dep_map;
};

#define init_rwsem(s)	__init_rwsem((s), #s)

static inline void __init_rwsem(struct rw_semaphore *s, const char *name)
{
	pthread_rwlock_init(&s->l, NULL);
	s->dep_map.name = name;
}

static inline void down_read(struct rw_semaphore *s)
{
	might_sleep();
	shim_lock_acquire(&s->dep_map);
	if (pthread_rwlock_rdlock(&s->l))
		abort();
	shim_lock_acquired(&s->dep_map, 1, false);
}

static inline void up_read(struct rw_semaphore *s)
{
	shim_lock_release(&s->dep_map, 1);
	if (pthread_rwlock_unlock(&s->l))
		abort();
}

static inline void down_write(struct rw_semaphore *s)
{
	might_sleep();
	shim_lock_acquire(&s->dep_map);
	if (pthread_rwlock_wrlock(&s->l))
		abort();
	shim_lock_acquired(&s->dep_map, 0, false);
}

static inline void up_write(struct rw_semaphore *s)
{
	shim_lock_release(&s->dep_map, 0);
	if (pthread_rwlock_unlock(&s->l))
		abort();
}

#endif

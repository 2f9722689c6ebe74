/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/spinlock.h: spinlock_t on a pthread mutex; held, it forbids sleeping. */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include <linux/cleanup.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	pthread_mutex_t m;
	struct lockdep_map dep_map;
} spinlock_t;

#define spin_lock_init(l)	__spin_lock_init((l), #l)

static inline void __spin_lock_init(spinlock_t *l, const char *name)
{
	pthread_mutex_init(&l->m, NULL);
	l->dep_map.name = name;
}

static inline void spin_lock(spinlock_t *l)
{
	shim_lock_acquire(&l->dep_map);
	if (pthread_mutex_lock(&l->m))
		abort();
	shim_lock_acquired(&l->dep_map, 0, true);
}

static inline void spin_unlock(spinlock_t *l)
{
	shim_lock_release(&l->dep_map, 0);
	if (pthread_mutex_unlock(&l->m))
		abort();
}

DEFINE_GUARD(spinlock, spinlock_t *, spin_lock(_T), spin_unlock(_T))

#endif

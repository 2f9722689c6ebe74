/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/mutex.h: struct mutex on a pthread mutex, tracked by the lockdep shim. */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include <linux/cleanup.h>
#include <linux/lockdep.h>

struct mutex {
	pthread_mutex_t m;
	struct lockdep_map dep_map;
};

#define DEFINE_MUTEX(n) \
	struct mutex n = { .m = PTHREAD_MUTEX_INITIALIZER, .dep_map = { #n } }
#define mutex_init(l)	__mutex_init((l), #l)

static inline void __mutex_init(struct mutex *l, const char *name)
{
	pthread_mutex_init(&l->m, NULL);
	l->dep_map.name = name;
}

static inline void mutex_destroy(struct mutex *l)
{
	WARN_ON(pthread_mutex_destroy(&l->m));
}

static inline void mutex_lock(struct mutex *l)
{
	might_sleep();
	shim_lock_acquire(&l->dep_map);
	if (pthread_mutex_lock(&l->m))
		abort();
	shim_lock_acquired(&l->dep_map, 0, false);
}

/* never sleeps: allowed under a spinlock, as in the kernel */
static inline int mutex_trylock(struct mutex *l)
{
	shim_lock_try_acquire(&l->dep_map);
	if (pthread_mutex_trylock(&l->m))
		return 0;
	shim_lock_acquired(&l->dep_map, 0, false);
	return 1;
}

static inline void mutex_unlock(struct mutex *l)
{
	shim_lock_release(&l->dep_map, 0);
	if (pthread_mutex_unlock(&l->m))
		abort();
}

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif

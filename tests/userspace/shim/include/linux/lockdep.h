/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/lockdep.h: per-thread held locks, so lockdep_is_held() and assertions check. */
#ifndef _LINUX_LOCKDEP_H
#define _LINUX_LOCKDEP_H

#include <linux/kernel.h>

struct lockdep_map {
	const char *name;
};

/* a failed assertion aborts; lock-order inversions are TSan's to find */
#define SHIM_MAX_HELD 16
struct shim_held_locks {
	int depth;
	struct {
		const struct lockdep_map *map;
		int read;		/* 0: exclusive, 1: shared */
		bool atomic;		/* a spinlock: no sleeping */
	} lock[SHIM_MAX_HELD];
};

/* defined by the harness: one list per thread */
extern __thread struct shim_held_locks shim_held;

static inline void __attribute__((noreturn))
shim_lockdep_fail(const char *what, const char *name, const char *file,
		  int line)
{
	fprintf(stderr, "lockdep shim: %s: %s at %s:%d\n", what, name, file,
		line);
	dump_stack();
	abort();
}

/* Position of @map in this thread's held locks, -1 if not held. */
static inline int shim_held_at(const struct lockdep_map *map)
{
	int i;

	for (i = 0; i < shim_held.depth; i++)
		if (shim_held.lock[i].map == map)
			return i;
	return -1;
}

#ifdef SHIM_LOCKDEP_ORDER
/*
 * Lock classes by name, as lockdep's by key (every kvm->lock is one
 * class), and the order each pair was first taken in: one that is taken
 * in the other order later is reported as lockdep would. Opt-in, so that
 * tests/tsan.sh's inversion stays TSan's to find. Trylocks add no order.
 */
#define SHIM_MAX_CLASSES 64
struct shim_lock_order {
	pthread_mutex_t lock;
	int nr;
	const char *name[SHIM_MAX_CLASSES];
	bool before[SHIM_MAX_CLASSES][SHIM_MAX_CLASSES];
};
/* defined by the shim's src/kernel.c */
extern struct shim_lock_order shim_lock_order;

static inline int shim_lock_class(const char *name)
{
	int i;

	for (i = 0; i < shim_lock_order.nr; i++)
		if (!strcmp(shim_lock_order.name[i], name))
			return i;
	if (i == SHIM_MAX_CLASSES)
		shim_lockdep_fail("too many lock classes", name, __FILE__,
				  __LINE__);
	shim_lock_order.name[shim_lock_order.nr++] = name;
	return i;
}

static inline void shim_lock_order_check(const struct lockdep_map *map)
{
	int i, a, b;

	pthread_mutex_lock(&shim_lock_order.lock);
	b = shim_lock_class(map->name);
	for (i = 0; i < shim_held.depth; i++) {
		a = shim_lock_class(shim_held.lock[i].map->name);
		if (a == b)
			continue;
		if (shim_lock_order.before[b][a]) {
			fprintf(stderr, "lockdep shim: possible circular locking dependency: %s taken while holding %s; the other order was seen before\n",
				map->name, shim_held.lock[i].map->name);
			pthread_mutex_unlock(&shim_lock_order.lock);
			shim_lockdep_fail("circular locking dependency",
					  map->name, __FILE__, __LINE__);
		}
		shim_lock_order.before[a][b] = true;
	}
	pthread_mutex_unlock(&shim_lock_order.lock);
}
#else
static inline void shim_lock_order_check(const struct lockdep_map *map)
{
}
#endif

/* Before trying @map: it must not be held already. */
static inline void shim_lock_try_acquire(const struct lockdep_map *map)
{
	if (shim_held_at(map) >= 0)
		shim_lockdep_fail("recursive locking", map->name, __FILE__,
				  __LINE__);
}

/* Before blocking on @map: a lock taken twice would hang, report it. */
static inline void shim_lock_acquire(const struct lockdep_map *map)
{
	shim_lock_try_acquire(map);
	shim_lock_order_check(map);
}

/* After taking @map. */
static inline void shim_lock_acquired(const struct lockdep_map *map, int read,
				      bool atomic)
{
	int d = shim_held.depth;

	if (d == SHIM_MAX_HELD)
		shim_lockdep_fail("too many locks held", map->name, __FILE__,
				  __LINE__);
	shim_held.lock[d].map = map;
	shim_held.lock[d].read = read;
	shim_held.lock[d].atomic = atomic;
	shim_held.depth = d + 1;
}

/* Before releasing @map, held as @read. */
static inline void shim_lock_release(const struct lockdep_map *map, int read)
{
	int i = shim_held_at(map);

	if (i < 0)
		shim_lockdep_fail("releasing a lock not held", map->name,
				  __FILE__, __LINE__);
	if (shim_held.lock[i].read != read)
		shim_lockdep_fail("released in the wrong mode", map->name,
				  __FILE__, __LINE__);
	for (; i + 1 < shim_held.depth; i++)
		shim_held.lock[i] = shim_held.lock[i + 1];
	shim_held.depth--;
}

static inline int lock_is_held_type(const struct lockdep_map *map, int read)
{
	int i = shim_held_at(map);

	return i >= 0 && (read == -1 || shim_held.lock[i].read == read);
}

#define lockdep_is_held(lock)		lock_is_held_type(&(lock)->dep_map, -1)
#define lockdep_is_held_type(lock, r)	lock_is_held_type(&(lock)->dep_map, (r))

#define lockdep_assert(cond)						\
do {									\
	if (!(cond))							\
		shim_lockdep_fail("assertion failed", #cond, __FILE__,	\
				  __LINE__);				\
} while (0)
#define lockdep_assert_held(l)		lockdep_assert(lockdep_is_held(l))
#define lockdep_assert_held_write(l)	lockdep_assert(lockdep_is_held_type(l, 0))
#define lockdep_assert_not_held(l)	lockdep_assert(!lockdep_is_held(l))

/* might_sleep() (linux/kernel.h there; here it needs the held locks) */
static inline void shim_might_sleep(const char *file, int line)
{
	int i;

	for (i = 0; i < shim_held.depth; i++)
		if (shim_held.lock[i].atomic)
			shim_lockdep_fail("sleeping function called from invalid context, holding",
					  shim_held.lock[i].map->name, file,
					  line);
}

#define might_sleep()	shim_might_sleep(__FILE__, __LINE__)

#endif

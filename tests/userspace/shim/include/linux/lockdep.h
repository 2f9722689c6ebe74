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

/* Before blocking on @map: a lock taken twice would hang, report it. */
static inline void shim_lock_acquire(const struct lockdep_map *map)
{
	if (shim_held_at(map) >= 0)
		shim_lockdep_fail("recursive locking", map->name, __FILE__,
				  __LINE__);
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

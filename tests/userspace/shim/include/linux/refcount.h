/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/refcount.h: refcount_t on a sequentially consistent C11 atomic. */
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H

#include <linux/kernel.h>

typedef struct {
	atomic_int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_store(&r->refs, n);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return atomic_load(&r->refs);
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = atomic_load(&r->refs);

	do {
		if (!old)
			return false;
	} while (!atomic_compare_exchange_weak(&r->refs, &old, old + 1));
	return true;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = atomic_fetch_sub(&r->refs, 1);

	WARN_ON(old <= 0);	/* underflow: a put without its get */
	return old == 1;
}

#endif

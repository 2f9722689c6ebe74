/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/slab.h: kzalloc()/kfree() on calloc()/free(). */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/gfp.h>

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	shim_might_alloc(gfp);
	return calloc(1, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#endif

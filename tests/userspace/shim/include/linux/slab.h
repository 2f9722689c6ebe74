/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/slab.h: kmalloc()/kzalloc(), their _obj() forms and kfree() on libc. */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/gfp.h>

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	shim_might_alloc(gfp);
	return calloc(1, size);
}

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	shim_might_alloc(gfp);
	return malloc(size);
}

/* 7.3's typed allocators; an optional last argument is the gfp */
#define __shim_default_gfp(a, ...)	a
#define kmalloc_obj(P, ...) \
	((typeof(P) *)kmalloc(sizeof(P), \
			      __shim_default_gfp(__VA_ARGS__ __VA_OPT__(,) GFP_KERNEL)))
#define kzalloc_obj(P, ...) \
	((typeof(P) *)kzalloc(sizeof(P), \
			      __shim_default_gfp(__VA_ARGS__ __VA_OPT__(,) GFP_KERNEL)))

static inline void kfree(const void *p)
{
	free((void *)p);
}

#endif

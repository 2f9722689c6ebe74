/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/xarray.h: the few xa_*() calls, on a list under its own pthread mutex. */
#ifndef _LINUX_XARRAY_H
#define _LINUX_XARRAY_H

#include <linux/slab.h>

struct xa_node {
	unsigned long index;
	void *entry;
	struct xa_node *next;
};

struct xarray {
	pthread_mutex_t lock;
	struct xa_node *head;
};

static inline void xa_init(struct xarray *xa)
{
	pthread_mutex_init(&xa->lock, NULL);
	xa->head = NULL;
}

/* Return: 0, -EBUSY if @index is taken, -ENOMEM. */
static inline int xa_insert(struct xarray *xa, unsigned long index,
			    void *entry, gfp_t gfp)
{
	struct xa_node *n;
	int ret = 0;

	shim_might_alloc(gfp);
	pthread_mutex_lock(&xa->lock);
	for (n = xa->head; n; n = n->next)
		if (n->index == index)
			break;
	if (n) {
		ret = -EBUSY;
	} else {
		n = malloc(sizeof(*n));
		if (n) {
			*n = (struct xa_node){ index, entry, xa->head };
			xa->head = n;
		} else {
			ret = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&xa->lock);
	return ret;
}

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_node *n;
	void *entry = NULL;

	pthread_mutex_lock(&xa->lock);
	for (n = xa->head; n; n = n->next)
		if (n->index == index)
			entry = n->entry;
	pthread_mutex_unlock(&xa->lock);
	return entry;
}

/* Return: the entry that was at @index, or NULL. */
static inline void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node **p, *n;
	void *entry = NULL;

	pthread_mutex_lock(&xa->lock);
	for (p = &xa->head; (n = *p); p = &n->next) {
		if (n->index == index) {
			*p = n->next;
			entry = n->entry;
			free(n);
			break;
		}
	}
	pthread_mutex_unlock(&xa->lock);
	return entry;
}

static inline void xa_destroy(struct xarray *xa)
{
	struct xa_node *n;

	while ((n = xa->head)) {
		xa->head = n->next;
		free(n);
	}
	pthread_mutex_destroy(&xa->lock);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linux/workqueue.h: one worker thread (tests/userspace/vfio_ap/shim.c)
 * runs queued work without the queuer's locks, as a kworker does;
 * flush_work() waits for it. Each work item has a lockdep map, held while
 * it runs and taken by flush_work(), so that a lock the work takes and
 * its flusher holds is an inversion, as lockdep's would be.
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <linux/list.h>
#include <linux/lockdep.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	struct list_head entry;		/* on the queue; under the shim's lock */
	bool pending, running;		/* under the shim's lock */
	struct lockdep_map lockdep_map;
};

struct workqueue_struct;
extern struct workqueue_struct *system_long_wq;

#define INIT_WORK(w, f) do {						\
	(w)->func = (f);						\
	INIT_LIST_HEAD(&(w)->entry);					\
	(w)->pending = (w)->running = false;				\
	(w)->lockdep_map.name = "(work_completion)" #w;			\
} while (0)

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool flush_work(struct work_struct *work);

#endif

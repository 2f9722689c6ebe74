/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/ref_tracker.h: counts the tracked references of a directory; leaks at exit WARN. */
#ifndef _LINUX_REF_TRACKER_H
#define _LINUX_REF_TRACKER_H

#include <linux/slab.h>

struct ref_tracker_dir {
	pthread_mutex_t lock;
	unsigned int users;
	const char *name;
};

struct ref_tracker {
	struct ref_tracker_dir *dir;
};

static inline void ref_tracker_dir_init(struct ref_tracker_dir *dir,
					unsigned int quarantine_count,
					const char *name)
{
	pthread_mutex_init(&dir->lock, NULL);
	dir->users = 0;
	dir->name = name;
}

static inline void ref_tracker_dir_exit(struct ref_tracker_dir *dir)
{
	if (WARN_ON(dir->users))
		pr_err("ref_tracker: %s has %u users at exit\n", dir->name,
		       dir->users);
	pthread_mutex_destroy(&dir->lock);
}

static inline int ref_tracker_alloc(struct ref_tracker_dir *dir,
				    struct ref_tracker **trackerp, gfp_t gfp)
{
	shim_might_alloc(gfp);
	*trackerp = malloc(sizeof(**trackerp));
	if (!*trackerp)
		return -ENOMEM;
	(*trackerp)->dir = dir;
	pthread_mutex_lock(&dir->lock);
	dir->users++;
	pthread_mutex_unlock(&dir->lock);
	return 0;
}

static inline int ref_tracker_free(struct ref_tracker_dir *dir,
				   struct ref_tracker **trackerp)
{
	struct ref_tracker *tracker = *trackerp;

	if (!tracker)
		return -EEXIST;
	WARN_ON(tracker->dir != dir);
	pthread_mutex_lock(&dir->lock);
	WARN_ON(!dir->users);
	dir->users--;
	pthread_mutex_unlock(&dir->lock);
	free(tracker);
	*trackerp = NULL;
	return 0;
}

static inline int ref_tracker_dir_snprint(struct ref_tracker_dir *dir,
					  char *buf, size_t size)
{
	int n;

	pthread_mutex_lock(&dir->lock);
	n = snprintf(buf, size, "%s: %u users\n", dir->name, dir->users);
	pthread_mutex_unlock(&dir->lock);
	return n;
}

#endif

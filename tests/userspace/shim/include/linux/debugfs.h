/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/debugfs.h: a tree of dentries in memory, built and removed by one thread (init, exit). */
#ifndef _LINUX_DEBUGFS_H
#define _LINUX_DEBUGFS_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/slab.h>

struct dentry {
	const char *name;
	struct dentry *parent;
	struct list_head children;
	struct list_head sibling;
	struct inode inode;		/* i_private: the file's data */
	const struct file_operations *fops;	/* NULL for a directory */
};

static inline struct dentry *
debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
		    void *data, const struct file_operations *fops)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return parent;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->name = name;
	d->parent = parent;
	d->inode.i_private = data;
	d->fops = fops;
	INIT_LIST_HEAD(&d->children);
	INIT_LIST_HEAD(&d->sibling);
	if (parent)
		list_add_tail(&d->sibling, &parent->children);
	return d;
}

static inline struct dentry *debugfs_create_dir(const char *name,
						struct dentry *parent)
{
	return debugfs_create_file(name, 0755, parent, NULL, NULL);
}

/* No reference counting: the tree does not change while it is looked at. */
static inline struct dentry *debugfs_lookup(const char *name,
					    struct dentry *parent)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(parent))
		return NULL;
	list_for_each_entry(d, &parent->children, sibling)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

static inline void debugfs_remove_recursive(struct dentry *d)
{
	struct dentry *child, *next;

	if (IS_ERR_OR_NULL(d))
		return;
	list_for_each_entry_safe(child, next, &d->children, sibling)
		debugfs_remove_recursive(child);
	if (d->parent)
		list_del(&d->sibling);
	kfree(d);
}

#endif

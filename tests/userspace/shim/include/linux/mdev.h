/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/mdev.h: mediated devices, their types, parent and driver; the harness creates and removes them. */
#ifndef _LINUX_MDEV_H
#define _LINUX_MDEV_H

#include <linux/device.h>
#include <linux/uuid.h>

struct mdev_type {
	const char *sysfs_name;
	const char *pretty_name;
};

struct mdev_device {
	struct device dev;
	guid_t uuid;
	struct mdev_type *type;
};

struct mdev_driver {
	const char *device_api;
	unsigned int max_instances;
	int (*probe)(struct mdev_device *dev);
	void (*remove)(struct mdev_device *dev);
	struct device_driver driver;
};

struct mdev_parent {
	struct device *dev;
	struct mdev_driver *mdev_driver;
	struct mdev_type **types;
	unsigned int nr_types;
};

static inline struct mdev_device *to_mdev_device(struct device *dev)
{
	return container_of(dev, struct mdev_device, dev);
}

static inline struct device *mdev_dev(struct mdev_device *mdev)
{
	return &mdev->dev;
}

/* tests/userspace/shim/src/vfio.c: one parent and one driver at a time */
int mdev_register_driver(struct mdev_driver *drv);
void mdev_unregister_driver(struct mdev_driver *drv);
int mdev_register_parent(struct mdev_parent *parent, struct device *dev,
			 struct mdev_driver *mdev_driver,
			 struct mdev_type **types, unsigned int nr_types);
void mdev_unregister_parent(struct mdev_parent *parent);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/device.h: devices with a name, driver data, a reference count and a release. */
#ifndef _LINUX_DEVICE_H
#define _LINUX_DEVICE_H

#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/sysfs.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

struct module;
#define THIS_MODULE	((struct module *)0)

struct device;

struct device_driver {
	const char *name;
	struct module *owner;
	const char *mod_name;
	const struct attribute_group **dev_groups;
};

struct device {
	char name[64];
	struct device *parent;
	const struct device_driver *driver;
	void *driver_data;
	struct kobject kobj;
	atomic_int refs;		/* 0: not initialised */
	void (*release)(struct device *dev);
};

struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr,
			char *buf);
	ssize_t (*store)(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count);
};

#define __ATTR(_name, _mode, _show, _store) {				\
	.attr = { .name = #_name, .mode = (_mode) },			\
	.show = (_show), .store = (_store) }
#define DEVICE_ATTR_RW(_name) \
	struct device_attribute dev_attr_##_name = \
		__ATTR(_name, 0644, _name##_show, _name##_store)
#define DEVICE_ATTR_RO(_name) \
	struct device_attribute dev_attr_##_name = \
		__ATTR(_name, 0444, _name##_show, NULL)
#define DEVICE_ATTR_WO(_name) \
	struct device_attribute dev_attr_##_name = \
		__ATTR(_name, 0200, NULL, _name##_store)

static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

static inline void device_initialize(struct device *dev)
{
	atomic_store(&dev->refs, 1);
}

static inline struct device *get_device(struct device *dev)
{
	if (dev)
		WARN_ON(atomic_fetch_add(&dev->refs, 1) <= 0);
	return dev;
}

static inline void put_device(struct device *dev)
{
	int old;

	if (!dev)
		return;
	old = atomic_fetch_sub(&dev->refs, 1);
	WARN_ON(old <= 0);
	if (old == 1 && dev->release)
		dev->release(dev);
}

#define dev_printk(level, dev, fmt, ...) \
	shim_printk(level, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)		dev_printk("err", dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)		dev_printk("warn", dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...)	dev_printk("notice", dev, fmt, ##__VA_ARGS__)
#define dev_notice_ratelimited(dev, fmt, ...) ({			\
	static atomic_uint __rl;					\
	if (atomic_fetch_add(&__rl, 1) < 10)				\
		dev_notice(dev, fmt, ##__VA_ARGS__);			\
})

#endif

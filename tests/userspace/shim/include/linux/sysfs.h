/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linux/sysfs.h: sysfs_emit() into a PAGE_SIZE buffer; attribute groups,
 * which a kobject keeps so that the harness can find an attribute by name.
 */
#ifndef _LINUX_SYSFS_H
#define _LINUX_SYSFS_H

#include <linux/kernel.h>

__printf(2, 3) static inline int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, PAGE_SIZE, fmt, args);
	va_end(args);
	return n < (int)PAGE_SIZE ? n : (int)PAGE_SIZE - 1;
}

__printf(3, 4) static inline int sysfs_emit_at(char *buf, int at,
					       const char *fmt, ...)
{
	va_list args;
	int n;

	if (WARN_ON(at < 0 || at >= (int)PAGE_SIZE))
		return 0;
	va_start(args, fmt);
	n = vsnprintf(buf + at, PAGE_SIZE - at, fmt, args);
	va_end(args);
	return n < (int)PAGE_SIZE - at ? n : (int)PAGE_SIZE - at - 1;
}

struct attribute {
	const char *name;
	umode_t mode;
};

struct attribute_group {
	const char *name;
	struct attribute **attrs;
};

#define SHIM_KOBJ_GROUPS 4
struct kobject {
	const struct attribute_group *groups[SHIM_KOBJ_GROUPS];
};

static inline int sysfs_create_group(struct kobject *kobj,
				     const struct attribute_group *grp)
{
	int i;

	for (i = 0; i < SHIM_KOBJ_GROUPS; i++) {
		if (kobj->groups[i] == grp)
			return -EEXIST;
		if (!kobj->groups[i]) {
			kobj->groups[i] = grp;
			return 0;
		}
	}
	return -ENOMEM;
}

static inline void sysfs_remove_group(struct kobject *kobj,
				      const struct attribute_group *grp)
{
	int i;

	for (i = 0; i < SHIM_KOBJ_GROUPS; i++)
		if (kobj->groups[i] == grp) {
			kobj->groups[i] = NULL;
			return;
		}
	WARN(1, "sysfs group not found for kobject\n");
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/sysfs.h: sysfs_emit() into a PAGE_SIZE buffer. */
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

#endif

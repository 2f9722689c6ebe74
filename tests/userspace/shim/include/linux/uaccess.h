/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/uaccess.h: user memory is the harness's memory; a NULL page faults. */
#ifndef _LINUX_UACCESS_H
#define _LINUX_UACCESS_H

#include <linux/kernel.h>

static inline unsigned long copy_from_user(void *to, const void __user *from,
					   unsigned long n)
{
	if ((unsigned long)from < PAGE_SIZE)
		return n;
	memcpy(to, from, n);
	return 0;
}

static inline unsigned long copy_to_user(void __user *to, const void *from,
					 unsigned long n)
{
	if ((unsigned long)to < PAGE_SIZE)
		return n;
	memcpy(to, from, n);
	return 0;
}

#define get_user(x, ptr)						\
	copy_from_user(&(x), (ptr), sizeof(*(ptr))) ? -EFAULT : 0

#endif

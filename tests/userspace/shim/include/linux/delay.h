/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/delay.h: msleep() sleeps, 1/100 of the time asked (the polls matter, not their length). */
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

#include <unistd.h>

#include <linux/lockdep.h>

extern atomic_long shim_msleeps;

static inline void msleep(unsigned int msecs)
{
	might_sleep();
	atomic_fetch_add(&shim_msleeps, 1);
	usleep(msecs * 10);
}

#endif

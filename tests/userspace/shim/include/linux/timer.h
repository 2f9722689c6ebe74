/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/timer.h: struct timer_list, which ap_bus.h embeds; no timer runs here. */
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H

struct timer_list {
	void (*function)(struct timer_list *t);
	unsigned long expires;
};

#define HZ	100

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/completion.h: struct completion, which ap_bus.h embeds; nothing waits on one here. */
#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H

struct completion {
	unsigned int done;
};

#endif

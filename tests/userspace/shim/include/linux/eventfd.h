/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/eventfd.h: an eventfd context is a counter the harness reads. */
#ifndef _LINUX_EVENTFD_H
#define _LINUX_EVENTFD_H

#include <linux/kernel.h>

struct eventfd_ctx {
	atomic_int refs;
	atomic_int signals;
};

/* fd: the harness's table of eventfds (tests/userspace/vfio_ap/shim.c) */
struct eventfd_ctx *eventfd_ctx_fdget(int fd);
void eventfd_ctx_put(struct eventfd_ctx *ctx);

static inline void eventfd_signal(struct eventfd_ctx *ctx)
{
	atomic_fetch_add(&ctx->signals, 1);
}

#endif

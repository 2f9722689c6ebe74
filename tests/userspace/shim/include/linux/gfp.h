/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/gfp.h: allocation flags; only "may it sleep" matters here. */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include <linux/lockdep.h>

typedef unsigned int gfp_t;

#define __GFP_HIGH		0x20u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_NOFAIL		0x8000u
#define GFP_ATOMIC		__GFP_HIGH
#define GFP_KERNEL		__GFP_DIRECT_RECLAIM

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

/* what an allocation that may sleep checks first */
static inline void shim_might_alloc(gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		might_sleep();
}

#endif

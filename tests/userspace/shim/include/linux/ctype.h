/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/ctype.h: libc's. */
#ifndef _LINUX_CTYPE_H
#define _LINUX_CTYPE_H

#include <ctype.h>

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* s390's asm/isc.h: interruption subclasses. */
#ifndef _ASM_S390_ISC_H
#define _ASM_S390_ISC_H

#define MAX_ISC		7
#define AP_ISC		6

#endif

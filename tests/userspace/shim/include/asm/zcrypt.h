/* SPDX-License-Identifier: GPL-2.0-only */
/* s390's uapi asm/zcrypt.h: what vfio_ap uses of it. */
#ifndef _ASM_S390_ZCRYPT_H
#define _ASM_S390_ZCRYPT_H

#define MAX_ZDEV_ENTRIES_EXT	256

#endif

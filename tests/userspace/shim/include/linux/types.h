/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/types.h: the fixed-size and address types; linux/kernel.h has the list heads. */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8, __u8;
typedef uint16_t u16, __u16;
typedef uint32_t u32, __u32;
typedef uint64_t u64, __u64;
typedef int32_t s32, __s32;
typedef int64_t s64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef u64 dma_addr_t;
typedef u64 phys_addr_t;
typedef u64 gfn_t;
typedef u64 gpa_t;
typedef unsigned long hva_t;
typedef struct { atomic_int counter; } atomic_t;
typedef struct { atomic_llong counter; } atomic64_t;

#define __user
#define __force

#endif

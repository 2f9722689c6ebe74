/* SPDX-License-Identifier: GPL-2.0-only */
/* s390's uapi asm/kvm.h: the registers synced with user space. */
#ifndef _ASM_S390_KVM_H
#define _ASM_S390_KVM_H

#include <linux/types.h>

struct kvm_sync_regs {
	u64 gprs[16];
};

#endif

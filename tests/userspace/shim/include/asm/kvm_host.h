/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * s390's asm/kvm_host.h: the crypto control block, the GISA and the PQAP
 * hook, which vfio_ap uses; the functions are kvm.ko's, in
 * tests/userspace/shim/src/s390.c.
 */
#ifndef _ASM_S390_KVM_HOST_H
#define _ASM_S390_KVM_HOST_H

#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <asm/isc.h>
#include <asm/kvm.h>

struct kvm;
struct kvm_vcpu;
struct gmap;

#define ECA_AIV		0x00200000

typedef int (*crypto_hook)(struct kvm_vcpu *vcpu);

/* APCB1: 256 bits each, as CRYCB format 2 */
struct kvm_s390_apcb1 {
	unsigned long apm[4];
	unsigned long aqm[4];
	unsigned long adm[4];
};

struct kvm_s390_crypto {
	struct kvm_s390_apcb1 apcb1;	/* the crycb's */
	struct rw_semaphore pqap_hook_rwsem;
	crypto_hook *pqap_hook;
	u32 crycbd;
	u8 apie;
};

struct kvm_s390_gisa {
	u32 ipm;
};

struct kvm_s390_gisa_interrupt {
	struct kvm_s390_gisa *origin;
	struct {
		spinlock_t ref_lock;
		u32 ref_count[MAX_ISC + 1];
		u8 mask;
	} alert;
};

struct kvm_arch {
	struct kvm_s390_crypto crypto;
	struct kvm_s390_gisa_interrupt gisa_int;
	struct kvm_s390_gisa gisa;	/* what origin points at */
	struct gmap *gmap;
	unsigned long mem_pages;	/* guest frames 0 .. mem_pages - 1 */
};

struct kvm_s390_sie_block {
	u32 eca;
};

struct kvm_vcpu_arch {
	struct kvm_s390_sie_block *sie_block;
	u64 pv_handle;
};

struct kvm_run {
	struct {
		struct kvm_sync_regs regs;
	} s;
};

int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc);
int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc);
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm);
void kvm_arch_crypto_clear_masks(struct kvm *kvm);

/* protected virtualization: never, here */
int uv_pin_shared(unsigned long paddr);
int gmap_convert_to_secure(struct gmap *gmap, unsigned long gaddr);

#endif

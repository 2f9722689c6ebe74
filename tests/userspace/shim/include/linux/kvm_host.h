/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/kvm_host.h: the struct kvm fields that the library, vfio_ap and the harnesses (playing kvm.ko) use. */
#ifndef _LINUX_KVM_HOST_H
#define _LINUX_KVM_HOST_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <asm/kvm_host.h>

#define KVM_STATS_NAME_SIZE	48

struct kvm {
	struct mutex lock;
	refcount_t users_count;
	struct mm_struct *mm;
	/* from KVM_CREATE_VM until the file's release clears it */
	struct file *vm_file;
	char stats_id[KVM_STATS_NAME_SIZE];
	struct kvm_arch arch;
};

/*
 * The VM's references and its file's operations (src/kvm.c); the last put
 * calls kvm_destroy_vm(), which the harness provides.
 */
struct file_operations;
void kvm_get_kvm(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);
void kvm_destroy_vm(struct kvm *kvm);
extern const struct file_operations kvm_vm_fops;

struct kvm_vcpu {
	struct kvm *kvm;
	struct kvm_run *run;
	struct kvm_vcpu_arch arch;
};

static inline bool kvm_s390_pv_cpu_is_protected(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.pv_handle;
}

#define KVM_HVA_ERR_BAD		(-1UL)
static inline bool kvm_is_error_hva(unsigned long addr)
{
	return addr == KVM_HVA_ERR_BAD;
}

/* guest memory: frames below mem_pages, at a made-up host address */
static inline unsigned long gfn_to_hva(struct kvm *kvm, gfn_t gfn)
{
	if (gfn >= kvm->arch.mem_pages)
		return KVM_HVA_ERR_BAD;
	return 0x7f0000000000UL + (gfn << PAGE_SHIFT);
}

/* 7.3's arch/s390/kvm/s390/priv.c, on the same guest memory */
static inline bool kvm_s390_is_gpa_in_memslot(struct kvm *kvm, gpa_t gpa)
{
	return !kvm_is_error_hva(gfn_to_hva(kvm, gpa >> PAGE_SHIFT));
}

/* struct page and its physical address: the shim's page array (src/vfio.c) */
struct page {
	unsigned long pfn;
};

static inline phys_addr_t page_to_phys(struct page *page)
{
	return (phys_addr_t)page->pfn << PAGE_SHIFT;
}

static inline unsigned long virt_to_phys(const volatile void *p)
{
	return (unsigned long)p;
}

#endif

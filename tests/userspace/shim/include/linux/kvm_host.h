/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/kvm_host.h: the struct kvm fields the library uses, and kvm.ko's two exports. */
#ifndef _LINUX_KVM_HOST_H
#define _LINUX_KVM_HOST_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/sched.h>

#define KVM_STATS_NAME_SIZE	48

struct kvm {
	struct mutex lock;
	refcount_t users_count;
	struct mm_struct *mm;
	char stats_id[KVM_STATS_NAME_SIZE];
};

/* the harness plays kvm.ko and defines these, as virt/kvm/kvm_main.c */
bool kvm_get_kvm_safe(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);

#endif

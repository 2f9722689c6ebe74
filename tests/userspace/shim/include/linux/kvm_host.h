/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/kvm_host.h: the struct kvm fields that the library and the harness (playing kvm.ko) use. */
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
	/* from KVM_CREATE_VM until the file's release clears it */
	struct file *vm_file;
	char stats_id[KVM_STATS_NAME_SIZE];
};

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_main.c's VM references and the VM file's release, shared by the
 * harnesses; each harness plays the rest of kvm.ko (the VM's creation
 * and kvm_destroy_vm()).
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include <linux/refcount.h>

/* a vCPU's (or a device's) reference, on a VM someone holds */
void kvm_get_kvm(struct kvm *kvm)
{
	WARN(!refcount_inc_not_zero(&kvm->users_count),
	     "%s: kvm_get_kvm() on a dead VM", kvm->stats_id);
}

void kvm_put_kvm(struct kvm *kvm)
{
	if (refcount_dec_and_test(&kvm->users_count))
		kvm_destroy_vm(kvm);
}

/* kvm_vm_release(): the VM file's last fput(), in task work */
static int kvm_vm_release(struct inode *inode, struct file *file)
{
	struct kvm *kvm = file->private_data;

	/* WRITE_ONCE(): the file may be reused once this returns */
	__atomic_store_n(&kvm->vm_file, NULL, __ATOMIC_SEQ_CST);
	kvm_put_kvm(kvm);
	return 0;
}

const struct file_operations kvm_vm_fops = {
	.release = kvm_vm_release,
};

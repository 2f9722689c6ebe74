/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Association of a mediated device with the KVM instance of its guest.
 *
 * Lock order, enforced by the helpers below:
 *
 *	domain->outer_lock (optional)
 *	  kvm->lock
 *	    ops->vm_rwsem(kvm), for write (optional, attach and detach only)
 *	      domain->lock
 *
 * Attach and detach take kvm->lock (and the rwsem) only in a domain whose
 * ops have an attach or detach callback or a vm_rwsem. A domain with
 * policies only is attached and detached under its outer lock, if any,
 * and domain->lock alone: its open and close never wait for kvm->lock.
 * The lock helpers, which take kvm->lock of the associated VM, are for
 * domains with an outer lock: it keeps the association stable while they
 * wait for kvm->lock.
 *
 * The library borrows the VM and takes no reference on it: the caller of
 * mdev_kvm_assoc_attach() keeps the VM's file (kvm->vm_file) referenced
 * until mdev_kvm_assoc_detach() returns, as the VFIO core does while the
 * device is open, and serialises attach and detach of one device, as the
 * VFIO core does under dev_set->lock.
 *
 * See Documentation/driver-api/mdev_kvm_assoc.rst.
 */
#ifndef _LINUX_MDEV_KVM_ASSOC_H
#define _LINUX_MDEV_KVM_ASSOC_H

#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>

struct dentry;
struct kvm;
struct mdev_kvm_assoc;

/**
 * enum mdev_kvm_assoc_policy - what a domain accepts at attach time
 * @MDEV_KVM_ASSOC_REQUIRE_KVM: refuse an open without a KVM (-EINVAL).
 * @MDEV_KVM_ASSOC_EXCLUSIVE: at most one device of the domain per VM
 *	(-EBUSY, or the domain's @exclusive_errno); checked in O(1)
 *	atomically with publication.
 */
enum mdev_kvm_assoc_policy {
	MDEV_KVM_ASSOC_REQUIRE_KVM	= BIT(0),
	MDEV_KVM_ASSOC_EXCLUSIVE	= BIT(1),
};

/**
 * struct mdev_kvm_assoc_ops - driver callbacks
 * @attach: make the device usable by @kvm. Called with kvm->lock and the
 *	domain lock held (and the outer lock, if any). A non-zero return
 *	aborts the attach; nothing has been published then.
 * @detach: undo @attach. Called with the same locks held, once per
 *	successful attach.
 * @vm_rwsem: optional; a per-VM rw_semaphore that the driver's intercept
 *	handlers hold for read while they use what @attach installed (e.g.
 *	a hook in the VM). Attach and detach hold it for write, after
 *	kvm->lock and before the domain lock.
 *
 * With any of them set, attach and detach run under kvm->lock; with none
 * (or no ops at all), under the domain's own locks only.
 */
struct mdev_kvm_assoc_ops {
	int (*attach)(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
	void (*detach)(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
	struct rw_semaphore *(*vm_rwsem)(struct kvm *kvm);
};

/**
 * struct mdev_kvm_assoc_domain - the devices of one driver
 * @name: debugfs directory name, unique among domains.
 * @policy: OR of &enum mdev_kvm_assoc_policy.
 * @exclusive_errno: what %MDEV_KVM_ASSOC_EXCLUSIVE refuses with, if not
 *	-EBUSY (for drivers that returned something else before).
 * @ops: optional callbacks.
 * @outer_lock: optional driver lock, taken before kvm->lock. Required by
 *	mdev_kvm_assoc_lock() and mdev_kvm_assoc_lock_inner().
 * @lock: driver data lock, taken after kvm->lock where both are taken.
 * @vms: the attached associations, by VM; under @lock. Its nodes live in
 *	the associations, so that attach allocates nothing under the locks,
 *	and %MDEV_KVM_ASSOC_EXCLUSIVE looks the VM up in constant time.
 * @debugfs: the domain's debugfs directory.
 *
 * The driver fills in the fields up to @lock, then calls
 * mdev_kvm_assoc_domain_init(). The rest is private to the library.
 */
struct mdev_kvm_assoc_domain {
	const char *name;
	unsigned int policy;
	int exclusive_errno;
	const struct mdev_kvm_assoc_ops *ops;
	struct mutex *outer_lock;	/* before kvm->lock */
	struct mutex *lock;		/* after kvm->lock */

	DECLARE_HASHTABLE(vms, 10);
	struct dentry *debugfs;
};

/**
 * struct mdev_kvm_assoc - the association of one device
 * @domain: the driver's domain.
 * @name: shown in debugfs, usually dev_name() of the mdev.
 * @kvm: the VM, borrowed from the caller of attach; written under
 *	@domain->lock and the outer lock (if any), and kvm->lock where attach
 *	and detach take it; read with mdev_kvm_assoc_kvm().
 * @vm_node: entry in @domain->vms, while attached.
 *
 * Embed it in the driver's per-device state and initialise it with
 * mdev_kvm_assoc_init(). All fields are private to the library.
 */
struct mdev_kvm_assoc {
	struct mdev_kvm_assoc_domain *domain;
	const char *name;
	struct kvm *kvm;
	struct hlist_node vm_node;
};

#if IS_ENABLED(CONFIG_MDEV_KVM_ASSOC)
int mdev_kvm_assoc_domain_init(struct mdev_kvm_assoc_domain *domain);
void mdev_kvm_assoc_domain_destroy(struct mdev_kvm_assoc_domain *domain);
void mdev_kvm_assoc_init(struct mdev_kvm_assoc *assoc,
			 struct mdev_kvm_assoc_domain *domain,
			 const char *name);

int mdev_kvm_assoc_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
void mdev_kvm_assoc_detach(struct mdev_kvm_assoc *assoc);

void mdev_kvm_assoc_lock(struct mdev_kvm_assoc *assoc);
void mdev_kvm_assoc_unlock(struct mdev_kvm_assoc *assoc);
void mdev_kvm_assoc_lock_inner(struct mdev_kvm_assoc *assoc);
void mdev_kvm_assoc_unlock_inner(struct mdev_kvm_assoc *assoc);

ssize_t mdev_kvm_assoc_sysfs_emit(struct mdev_kvm_assoc *assoc, char *buf);

#if IS_ENABLED(CONFIG_KUNIT)	/* VISIBLE_IF_KUNIT */
struct seq_file;
int mdev_kvm_assoc_show(struct seq_file *m, void *unused);
#endif

#else /* !CONFIG_MDEV_KVM_ASSOC: no KVM, so never a VM to associate */

static inline int mdev_kvm_assoc_domain_init(struct mdev_kvm_assoc_domain *domain)
{
	return domain && domain->name && domain->lock ? 0 : -EINVAL;
}

static inline void
mdev_kvm_assoc_domain_destroy(struct mdev_kvm_assoc_domain *domain)
{
}

static inline void mdev_kvm_assoc_init(struct mdev_kvm_assoc *assoc,
				       struct mdev_kvm_assoc_domain *domain,
				       const char *name)
{
	*assoc = (struct mdev_kvm_assoc){ .domain = domain, .name = name };
}

static inline int mdev_kvm_assoc_attach(struct mdev_kvm_assoc *assoc,
					struct kvm *kvm)
{
	if (!assoc || !assoc->domain)
		return -EINVAL;
	return assoc->domain->policy & MDEV_KVM_ASSOC_REQUIRE_KVM ? -EINVAL : 0;
}

static inline void mdev_kvm_assoc_detach(struct mdev_kvm_assoc *assoc)
{
}

static inline void mdev_kvm_assoc_lock_inner(struct mdev_kvm_assoc *assoc)
{
	mutex_lock(assoc->domain->lock);
}

static inline void mdev_kvm_assoc_unlock_inner(struct mdev_kvm_assoc *assoc)
{
	mutex_unlock(assoc->domain->lock);
}

static inline void mdev_kvm_assoc_lock(struct mdev_kvm_assoc *assoc)
{
	if (assoc->domain->outer_lock)
		mutex_lock(assoc->domain->outer_lock);
	mdev_kvm_assoc_lock_inner(assoc);
}

static inline void mdev_kvm_assoc_unlock(struct mdev_kvm_assoc *assoc)
{
	mdev_kvm_assoc_unlock_inner(assoc);
	if (assoc->domain->outer_lock)
		mutex_unlock(assoc->domain->outer_lock);
}

static inline ssize_t mdev_kvm_assoc_sysfs_emit(struct mdev_kvm_assoc *assoc,
						char *buf)
{
	return sysfs_emit(buf, "none\n");
}

#endif /* CONFIG_MDEV_KVM_ASSOC */

/**
 * mdev_kvm_assoc_kvm() - the VM a device is associated with
 * @assoc: the association.
 *
 * The result stays valid while the caller holds the lock it was read
 * under: the association changes only with the domain lock and the outer
 * lock (if any) held, and the caller of attach keeps the VM's file
 * referenced until detach has returned.
 *
 * Context: @assoc->domain->lock or its outer lock held, e.g. through
 * mdev_kvm_assoc_lock().
 * Return: the VM, or NULL when the device is not associated.
 */
static inline struct kvm *mdev_kvm_assoc_kvm(struct mdev_kvm_assoc *assoc)
{
	lockdep_assert(lockdep_is_held(assoc->domain->lock) ||
		       (assoc->domain->outer_lock &&
			lockdep_is_held(assoc->domain->outer_lock)));
	return assoc->kvm;
}

#endif /* _LINUX_MDEV_KVM_ASSOC_H */

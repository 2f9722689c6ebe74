// SPDX-License-Identifier: GPL-2.0-only
/*
 * Association of a mediated device with the KVM instance of its guest.
 *
 * Drivers used to open-code this: find the kvm, take kvm->lock and their own
 * lock in the right order, publish the pointer, and look it up again from
 * other paths. Each step went wrong somewhere upstream; this file does them
 * once. The VM is borrowed: the caller of attach (the VFIO core, for a VFIO
 * driver) keeps the VM's file referenced until detach returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>

static struct dentry *mdev_kvm_assoc_debugfs;

/*
 * Whether attach and detach take kvm->lock (and the rwsem): only for a
 * driver whose callbacks or intercepts need the VM locked. A domain with
 * policies only changes its associations under its own locks.
 */
static __always_inline bool
mdev_kvm_assoc_locks_vm(const struct mdev_kvm_assoc_domain *domain)
{
	const struct mdev_kvm_assoc_ops *ops = domain->ops;

	return ops && (ops->attach || ops->detach || ops->vm_rwsem);
}

/*
 * The only reference the library takes: on the file of @kvm, the VM of a
 * published association, under its ref_lock, so that the VM outlives a
 * sleep on kvm->lock. The caller of attach holds the file until detach,
 * which clears the association under ref_lock, has returned, so this
 * cannot fail.
 */
static void mdev_kvm_assoc_pin(struct mdev_kvm_assoc_domain *domain,
			       struct mdev_kvm_assoc_pin *pin, struct kvm *kvm)
{
	pin->file = get_file_active(&kvm->vm_file);
	if (WARN_ON_ONCE(!pin->file))
		return;
	if (IS_ENABLED(CONFIG_MDEV_KVM_ASSOC_REF_TRACKER))
		ref_tracker_alloc(&domain->refs, &pin->tracker, GFP_ATOMIC);
}

/*
 * Dropped after the locks. If the caller of attach has dropped its
 * reference meanwhile, this is the last; fput() then defers the VM's
 * release to task work or a workqueue, outside the caller's locks.
 */
static void mdev_kvm_assoc_unpin(struct mdev_kvm_assoc_domain *domain,
				 struct mdev_kvm_assoc_pin *pin)
{
	struct file *file = pin->file;

	if (!file)
		return;
	if (IS_ENABLED(CONFIG_MDEV_KVM_ASSOC_REF_TRACKER))
		ref_tracker_free(&domain->refs, &pin->tracker);
	*pin = (struct mdev_kvm_assoc_pin){};
	fput(file);
}

/*
 * The caller of attach or detach must hold none of the locks they take.
 * Where the domain has an outer lock, it must not hold kvm->lock either,
 * as the lock helpers take the outer lock first; a policy-only attach
 * without one may be called with kvm->lock held.
 */
static void mdev_kvm_assoc_assert_unlocked(struct mdev_kvm_assoc_domain *domain,
					   struct kvm *kvm)
{
	lockdep_assert_not_held(domain->lock);
	if (domain->outer_lock)
		lockdep_assert_not_held(domain->outer_lock);
	if (kvm && (domain->outer_lock || mdev_kvm_assoc_locks_vm(domain)))
		lockdep_assert_not_held(&kvm->lock);
}

/*
 * The lock helpers below are inlined into attach and detach, where they
 * reduce to the few locks the domain needs.
 */

/* After kvm->lock: the per-VM rwsem, to update an association, and the domain lock. */
static __always_inline void
mdev_kvm_assoc_lock_rest(struct mdev_kvm_assoc_domain *domain, struct kvm *kvm,
			 bool update)
{
	if (kvm && update && domain->ops && domain->ops->vm_rwsem)
		down_write(domain->ops->vm_rwsem(kvm));
	mutex_lock(domain->lock);
}

/*
 * The lock order: the outer lock, kvm->lock of @kvm unless it is NULL, the
 * driver's per-VM rwsem for write (only to @update an association: attach
 * and detach), the domain lock.
 */
static __always_inline void
mdev_kvm_assoc_lock_order(struct mdev_kvm_assoc_domain *domain, struct kvm *kvm,
			  bool update)
{
	if (domain->outer_lock)
		mutex_lock(domain->outer_lock);
	if (kvm)
		mutex_lock(&kvm->lock);
	mdev_kvm_assoc_lock_rest(domain, kvm, update);
}

static __always_inline void
mdev_kvm_assoc_unlock_order(struct mdev_kvm_assoc_domain *domain,
			    struct kvm *kvm, bool update)
{
	mutex_unlock(domain->lock);
	if (kvm) {
		if (update && domain->ops && domain->ops->vm_rwsem)
			up_write(domain->ops->vm_rwsem(kvm));
		mutex_unlock(&kvm->lock);
	}
	if (domain->outer_lock)
		mutex_unlock(domain->outer_lock);
}

/*
 * Takes the locks in order for the associated VM, kvm->lock included (with
 * its rwsem when @update), and returns that VM, or NULL when there is
 * none. The answer stays valid until the domain lock is released: the
 * association changes only under it.
 *
 * The outer lock, if any, keeps the association stable while kvm->lock is
 * taken. Without one, ref_lock keeps the association published, and so
 * the caller of attach's reference held, while the VM is looked at. In a
 * domain whose attach and detach take kvm->lock, holding it also keeps the
 * association: there kvm->lock is tried under ref_lock. Otherwise, or if
 * that fails, @pin takes a reference on the VM's file, so that the VM
 * outlives the sleep on kvm->lock, and the association is checked again
 * under the domain lock, starting over if it changed. The caller drops
 * @pin after unlocking.
 */
static struct kvm *
mdev_kvm_assoc_lock_stable(struct mdev_kvm_assoc *assoc,
			   struct mdev_kvm_assoc_pin *pin, bool update)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;
	bool locks_vm = mdev_kvm_assoc_locks_vm(domain);
	struct kvm *kvm;

	might_sleep();
	*pin = (struct mdev_kvm_assoc_pin){};
	if (domain->outer_lock) {
		mutex_lock(domain->outer_lock);
		kvm = assoc->kvm;
		if (kvm)
			mutex_lock(&kvm->lock);
		mdev_kvm_assoc_lock_rest(domain, kvm, update);
		return kvm;
	}
	for (;;) {
		spin_lock(&assoc->ref_lock);
		/* pairs with the smp_store_release() that publishes it */
		kvm = smp_load_acquire(&assoc->kvm);
		if (kvm && locks_vm && mutex_trylock(&kvm->lock)) {
			spin_unlock(&assoc->ref_lock);
			mdev_kvm_assoc_lock_rest(domain, kvm, update);
			return kvm;
		}
		if (kvm)
			mdev_kvm_assoc_pin(domain, pin, kvm);
		spin_unlock(&assoc->ref_lock);

		mdev_kvm_assoc_lock_order(domain, kvm, update);
		if (assoc->kvm == kvm)
			return kvm;
		mdev_kvm_assoc_unlock_order(domain, kvm, update);
		mdev_kvm_assoc_unpin(domain, pin);
	}
}

static int mdev_kvm_assoc_refuse(struct mdev_kvm_assoc *assoc, int err,
				 const char *why)
{
	pr_notice_ratelimited("%s: %s: attach refused (%pe): %s\n",
			      assoc->domain->name, assoc->name, ERR_PTR(err),
			      why);
	return err;
}

/* Under the domain lock: is another device of the domain attached to @kvm? */
static bool mdev_kvm_assoc_vm_taken(struct mdev_kvm_assoc_domain *domain,
				    struct kvm *kvm)
{
	struct mdev_kvm_assoc *other;

	hash_for_each_possible(domain->vms, other, vm_node, (unsigned long)kvm)
		if (other->kvm == kvm)
			return true;
	return false;
}

/**
 * mdev_kvm_assoc_attach() - associate a device with a VM
 * @assoc: the device's association, initialised by mdev_kvm_assoc_init().
 * @kvm: the VM, usually the one vfio_device_get_kvm() gives in the
 *	driver's open_device callback; may be NULL.
 *
 * Applies the domain's policies, runs the driver's attach callback and
 * publishes the association, all under one hold of the domain's locks, so
 * that no other attach can pass the same checks in between. Nothing is
 * allocated under the locks, and on error nothing stays published.
 *
 * The library takes no reference on @kvm: it borrows the caller's. The
 * caller must keep @kvm's file (kvm->vm_file) referenced across this call
 * and, if it succeeds, until mdev_kvm_assoc_detach() has returned; the
 * VFIO core does so while the device is open.
 *
 * Context: Process context. Takes the domain's outer lock (if any) and
 * the domain lock; where the domain's ops have an attach or detach
 * callback or a vm_rwsem, also kvm->lock and the rwsem for write, in the
 * lock order. The caller must hold none of the locks it takes, nor
 * kvm->lock in a domain with an outer lock (lockdep reports it if it
 * does). Without callbacks, vm_rwsem and outer lock, the caller may hold
 * kvm->lock.
 * Return: 0 when associated, or when @kvm is NULL and the domain does not
 * require one. -EINVAL for a NULL or uninitialised @assoc, or a NULL @kvm
 * in a domain with %MDEV_KVM_ASSOC_REQUIRE_KVM. -EPERM when the VM belongs
 * to another process (%MDEV_KVM_ASSOC_SAME_MM). -EBUSY when the VM already
 * has a device of this domain (%MDEV_KVM_ASSOC_EXCLUSIVE; or the domain's
 * exclusive_errno). -EALREADY when @assoc is already associated.
 * Otherwise the error of the attach callback.
 */
int mdev_kvm_assoc_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct mdev_kvm_assoc_domain *domain;
	struct kvm *locked;
	int ret;

	if (!assoc || !assoc->domain)
		return -EINVAL;
	domain = assoc->domain;
	mdev_kvm_assoc_assert_unlocked(domain, kvm);
	might_sleep();

	if (!kvm) {
		if (domain->policy & MDEV_KVM_ASSOC_REQUIRE_KVM)
			return mdev_kvm_assoc_refuse(assoc, -EINVAL,
						     "no KVM associated with the device");
		return 0;
	}
	/* kvm->mm never changes; checking it outside the locks is fine */
	if ((domain->policy & MDEV_KVM_ASSOC_SAME_MM) && kvm->mm != current->mm)
		return mdev_kvm_assoc_refuse(assoc, -EPERM,
					     "VM belongs to another process");

	/* the VM whose kvm->lock is taken, if any */
	locked = mdev_kvm_assoc_locks_vm(domain) ? kvm : NULL;
	mdev_kvm_assoc_lock_order(domain, locked, true);
	if (assoc->kvm) {
		ret = mdev_kvm_assoc_refuse(assoc, -EALREADY,
					    "device already associated");
		goto unlock;
	}
	if ((domain->policy & MDEV_KVM_ASSOC_EXCLUSIVE) &&
	    mdev_kvm_assoc_vm_taken(domain, kvm)) {
		ret = mdev_kvm_assoc_refuse(assoc, domain->exclusive_errno ?: -EBUSY,
					    "VM already has a device of this driver");
		goto unlock;
	}
	if (domain->ops && domain->ops->attach) {
		ret = domain->ops->attach(assoc, kvm);
		if (ret)
			goto unlock;
	}
	/*
	 * pairs with smp_load_acquire() in mdev_kvm_assoc_lock_stable() and
	 * mdev_kvm_assoc_sysfs_emit(), which read it under ref_lock alone
	 */
	smp_store_release(&assoc->kvm, kvm);
	hash_add(domain->vms, &assoc->vm_node, (unsigned long)kvm);
	ret = 0;
unlock:
	mdev_kvm_assoc_unlock_order(domain, locked, true);
	return ret;
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_attach);

/**
 * mdev_kvm_assoc_detach() - end the association of a device
 * @assoc: the device's association.
 *
 * Runs the driver's detach callback and unpublishes the association.
 * Once it returns, the library no longer uses the VM, and the caller of
 * attach may drop its reference on the VM's file. Calling it again, or on
 * a device that never attached, does nothing.
 *
 * Context: Process context. Takes the domain's outer lock (if any) and
 * the domain lock; where the domain's ops have an attach or detach
 * callback or a vm_rwsem, also kvm->lock of the associated VM and the
 * rwsem for write, in the lock order; without an outer lock, it may then
 * take and drop a reference on the VM's file, as mdev_kvm_assoc_lock()
 * does. The caller must hold none of the locks it takes (lockdep reports
 * it if it does).
 */
void mdev_kvm_assoc_detach(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;
	bool locks_vm = mdev_kvm_assoc_locks_vm(domain);
	struct mdev_kvm_assoc_pin pin = {};
	struct kvm *kvm;

	mdev_kvm_assoc_assert_unlocked(domain, NULL);
	if (locks_vm) {
		kvm = mdev_kvm_assoc_lock_stable(assoc, &pin, true);
	} else {
		mdev_kvm_assoc_lock_order(domain, NULL, true);
		kvm = assoc->kvm;
	}
	if (kvm) {
		if (domain->ops && domain->ops->detach)
			domain->ops->detach(assoc, kvm);
		hash_del(&assoc->vm_node);
		/* a reader under ref_lock alone is done with the VM */
		spin_lock(&assoc->ref_lock);
		assoc->kvm = NULL;
		spin_unlock(&assoc->ref_lock);
	}
	mdev_kvm_assoc_unlock_order(domain, locks_vm ? kvm : NULL, true);
	mdev_kvm_assoc_unpin(domain, &pin);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_detach);

/**
 * mdev_kvm_assoc_lock() - lock a device and the VM it is associated with
 * @assoc: the device's association.
 *
 * For paths other than open and close (sysfs, hotplug, intercepts) that
 * need "the VM of this device" stable. With an outer lock, which keeps the
 * association stable, takes it and then the VM's kvm->lock and the domain
 * lock. Without one, it looks at the association under a spinlock that
 * keeps it published. In a domain whose attach and detach take kvm->lock,
 * it tries kvm->lock there. Otherwise, or if it must wait for kvm->lock,
 * it takes a reference on the VM's file first, then the locks in order,
 * then checks that the association did not change meanwhile, retrying if
 * it did. mdev_kvm_assoc_unlock() drops such a reference after unlocking;
 * if the caller of attach has dropped its own meanwhile, fput() defers the
 * VM's release. Afterwards mdev_kvm_assoc_kvm() gives the VM (or NULL)
 * until mdev_kvm_assoc_unlock(). Prefer guard(mdev_kvm_assoc)(assoc).
 *
 * Context: Process context. Takes the domain's outer lock (if any),
 * kvm->lock of the associated VM and the domain lock; the caller must
 * hold none of them, nor the lock of another device of the domain.
 */
void mdev_kvm_assoc_lock(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_pin pin;

	mdev_kvm_assoc_lock_stable(assoc, &pin, false);
	assoc->locked = pin;
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_lock);

/**
 * mdev_kvm_assoc_unlock() - undo mdev_kvm_assoc_lock()
 * @assoc: the device's association.
 *
 * Releases the locks in reverse order, then drops the reference taken by
 * mdev_kvm_assoc_lock(), if it took one.
 *
 * Context: Process context; the locks taken by mdev_kvm_assoc_lock() held.
 */
void mdev_kvm_assoc_unlock(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;
	struct mdev_kvm_assoc_pin pin = assoc->locked;

	lockdep_assert_held(domain->lock);
	assoc->locked = (struct mdev_kvm_assoc_pin){};
	/* the association cannot have changed under the domain lock */
	mdev_kvm_assoc_unlock_order(domain, assoc->kvm, false);
	mdev_kvm_assoc_unpin(domain, &pin);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_unlock);

/**
 * mdev_kvm_assoc_lock_inner() - lock a device and its VM, outer lock held
 * @assoc: the device's association, in a domain with an outer lock.
 *
 * For walks over several devices under the domain's outer lock, which keeps
 * every association stable: takes kvm->lock of the associated VM, if any,
 * then the domain lock.
 *
 * Context: Process context. The domain's outer lock held; takes kvm->lock
 * and the domain lock.
 */
void mdev_kvm_assoc_lock_inner(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;

	if (WARN_ON_ONCE(!domain->outer_lock))
		return;
	lockdep_assert_held(domain->outer_lock);
	if (assoc->kvm)
		mutex_lock(&assoc->kvm->lock);
	mutex_lock(domain->lock);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_lock_inner);

/**
 * mdev_kvm_assoc_unlock_inner() - undo mdev_kvm_assoc_lock_inner()
 * @assoc: the device's association.
 *
 * Context: Process context; the outer lock and the locks taken by
 * mdev_kvm_assoc_lock_inner() held. The outer lock stays held.
 */
void mdev_kvm_assoc_unlock_inner(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;

	if (WARN_ON_ONCE(!domain->outer_lock))
		return;
	lockdep_assert_held(domain->outer_lock);
	mutex_unlock(domain->lock);
	if (assoc->kvm)
		mutex_unlock(&assoc->kvm->lock);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_unlock_inner);

/**
 * mdev_kvm_assoc_sysfs_emit() - show the VM of a device in a sysfs attribute
 * @assoc: the device's association.
 * @buf: the attribute's buffer.
 *
 * The VM is read under the association's spinlock only: detach clears it
 * under that lock before it returns, and so before the caller of attach
 * drops its reference on the VM's file; and a VM's stats id never
 * changes. So a reader never waits for kvm->lock, which a VM may hold for
 * long, nor for the domain lock.
 *
 * Context: Process context; takes no sleeping lock.
 * Return: the length of "<VM stats id>\n", e.g. "kvm-1234\n", or of
 * "none\n" when the device is not associated.
 */
ssize_t mdev_kvm_assoc_sysfs_emit(struct mdev_kvm_assoc *assoc, char *buf)
{
	struct kvm *kvm;
	ssize_t len;

	spin_lock(&assoc->ref_lock);
	/* pairs with smp_store_release() in mdev_kvm_assoc_attach() */
	kvm = smp_load_acquire(&assoc->kvm);
	len = sysfs_emit(buf, "%s\n", kvm ? kvm->stats_id : "none");
	spin_unlock(&assoc->ref_lock);
	return len;
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_sysfs_emit);

/**
 * mdev_kvm_assoc_init() - initialise the association of a device
 * @assoc: the association, embedded in the driver's device state.
 * @domain: the driver's domain, initialised by mdev_kvm_assoc_domain_init().
 * @name: name shown in debugfs; must outlive any association.
 *
 * Context: Any context; @assoc must not be in use.
 */
void mdev_kvm_assoc_init(struct mdev_kvm_assoc *assoc,
			 struct mdev_kvm_assoc_domain *domain, const char *name)
{
	*assoc = (struct mdev_kvm_assoc){
		.domain = domain,
		.name = name,
	};
	spin_lock_init(&assoc->ref_lock);
	INIT_HLIST_NODE(&assoc->vm_node);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_init);

VISIBLE_IF_KUNIT int mdev_kvm_assoc_show(struct seq_file *m, void *unused)
{
	struct mdev_kvm_assoc_domain *domain = m->private;
	struct mdev_kvm_assoc *assoc;
	int bkt;

	guard(mutex)(domain->lock);
	hash_for_each(domain->vms, bkt, assoc, vm_node)
		seq_printf(m, "%s %s\n", assoc->name, assoc->kvm->stats_id);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mdev_kvm_assoc_show);
DEFINE_SHOW_ATTRIBUTE(mdev_kvm_assoc);

static int mdev_kvm_assoc_refs_show(struct seq_file *m, void *unused)
{
	struct mdev_kvm_assoc_domain *domain = m->private;
	char *buf;

	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ref_tracker_dir_snprint(&domain->refs, buf, PAGE_SIZE);
	seq_puts(m, buf);
	kfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mdev_kvm_assoc_refs);

/**
 * mdev_kvm_assoc_domain_init() - set up the association domain of a driver
 * @domain: the domain, with @name, @policy, @ops, @outer_lock and @lock
 *	filled in.
 *
 * Creates debugfs/mdev_kvm_assoc/<name>/ with "associations" (one line per
 * associated device: its name and the VM's stats id) and "refs" (the
 * references on VM files that the library holds while it waits for
 * kvm->lock, with stack traces when CONFIG_MDEV_KVM_ASSOC_REF_TRACKER is
 * enabled).
 *
 * Context: Process context.
 * Return: 0, or -EINVAL when @name or @lock is missing.
 */
int mdev_kvm_assoc_domain_init(struct mdev_kvm_assoc_domain *domain)
{
	if (!domain || !domain->name || !domain->lock)
		return -EINVAL;
	hash_init(domain->vms);
	ref_tracker_dir_init(&domain->refs, 16, domain->name);
	domain->debugfs = debugfs_create_dir(domain->name,
					     mdev_kvm_assoc_debugfs);
	debugfs_create_file("associations", 0444, domain->debugfs, domain,
			    &mdev_kvm_assoc_fops);
	debugfs_create_file("refs", 0444, domain->debugfs, domain,
			    &mdev_kvm_assoc_refs_fops);
	return 0;
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_domain_init);

/**
 * mdev_kvm_assoc_domain_destroy() - tear down a domain
 * @domain: the domain; every device of it must be detached.
 *
 * Reports, with the stack that took it, any VM reference still held.
 *
 * Context: Process context.
 */
void mdev_kvm_assoc_domain_destroy(struct mdev_kvm_assoc_domain *domain)
{
	WARN_ON_ONCE(!hash_empty(domain->vms));
	debugfs_remove_recursive(domain->debugfs);
	ref_tracker_dir_exit(&domain->refs);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_domain_destroy);

static int __init mdev_kvm_assoc_module_init(void)
{
	mdev_kvm_assoc_debugfs = debugfs_create_dir("mdev_kvm_assoc", NULL);
	return 0;
}

static void __exit mdev_kvm_assoc_module_exit(void)
{
	debugfs_remove_recursive(mdev_kvm_assoc_debugfs);
}

subsys_initcall(mdev_kvm_assoc_module_init);
module_exit(mdev_kvm_assoc_module_exit);

MODULE_DESCRIPTION("Association of mediated devices with KVM instances");
MODULE_LICENSE("GPL");

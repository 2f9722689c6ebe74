// SPDX-License-Identifier: GPL-2.0-only
/*
 * Association of a mediated device with the KVM instance of its guest.
 *
 * Drivers used to open-code this: find the kvm, take kvm->lock and their own
 * lock in the right order, publish the pointer, and look it up again from
 * other paths. Each step went wrong somewhere upstream; this file does them
 * once. The VM is borrowed: the caller of attach (the VFIO core, for a VFIO
 * driver) keeps the VM's file referenced until detach returns, and the
 * library takes no reference on any VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
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
mdev_kvm_assoc_locks_vm(const struct mdev_kvm_assoc_ops *ops)
{
	return ops && (ops->attach || ops->detach || ops->vm_rwsem);
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
	if (kvm && (domain->outer_lock || mdev_kvm_assoc_locks_vm(domain->ops)))
		lockdep_assert_not_held(&kvm->lock);
}

/*
 * The lock order, as attach and detach take it: the outer lock, kvm->lock
 * of @kvm unless it is NULL, then the driver's per-VM rwsem for write, the
 * domain lock. Inlined into attach and detach, where it reduces to the
 * few locks the domain needs. @ops is domain->ops, set before
 * mdev_kvm_assoc_domain_init() and fixed from then on; it is not NULL
 * where @kvm is not, as only a domain with callbacks locks the VM.
 */
static __always_inline void
mdev_kvm_assoc_lock_order(struct mdev_kvm_assoc_domain *domain,
			  const struct mdev_kvm_assoc_ops *ops, struct kvm *kvm)
{
	if (domain->outer_lock)
		mutex_lock(domain->outer_lock);
	if (kvm) {
		mutex_lock(&kvm->lock);
		if (ops->vm_rwsem)
			down_write(ops->vm_rwsem(kvm));
	}
	mutex_lock(domain->lock);
}

static __always_inline void
mdev_kvm_assoc_unlock_order(struct mdev_kvm_assoc_domain *domain,
			    const struct mdev_kvm_assoc_ops *ops,
			    struct kvm *kvm)
{
	mutex_unlock(domain->lock);
	if (kvm) {
		if (ops->vm_rwsem)
			up_write(ops->vm_rwsem(kvm));
		mutex_unlock(&kvm->lock);
	}
	if (domain->outer_lock)
		mutex_unlock(domain->outer_lock);
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
 * VFIO core does so while the device is open. The caller also serialises
 * attach and detach of @assoc; the VFIO core does: open_device and
 * close_device run under dev_set->lock.
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
 * in a domain with %MDEV_KVM_ASSOC_REQUIRE_KVM. -EBUSY when the VM already
 * has a device of this domain (%MDEV_KVM_ASSOC_EXCLUSIVE; or the domain's
 * exclusive_errno). -EALREADY when @assoc is already associated.
 * Otherwise the error of the attach callback.
 */
int mdev_kvm_assoc_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	const struct mdev_kvm_assoc_ops *ops;
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

	ops = domain->ops;
	/* the VM whose kvm->lock is taken, if any */
	locked = mdev_kvm_assoc_locks_vm(ops) ? kvm : NULL;
	mdev_kvm_assoc_lock_order(domain, ops, locked);
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
	if (ops && ops->attach) {
		ret = ops->attach(assoc, kvm);
		if (ret)
			goto unlock;
	}
	assoc->kvm = kvm;
	hash_add(domain->vms, &assoc->vm_node, (unsigned long)kvm);
	ret = 0;
unlock:
	mdev_kvm_assoc_unlock_order(domain, ops, locked);
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
 * The caller serialises attach and detach of @assoc; the VFIO core does:
 * open_device and close_device run under dev_set->lock. So the VM cannot
 * change under detach, which, where it takes kvm->lock, reads the VM
 * before it takes any lock, to know whose kvm->lock to take; and the VM
 * is alive, as the caller of attach still holds its reference.
 *
 * Context: Process context. Takes the domain's outer lock (if any) and
 * the domain lock; where the domain's ops have an attach or detach
 * callback or a vm_rwsem, also kvm->lock of the associated VM and the
 * rwsem for write, in the lock order. The caller must hold none of the
 * locks it takes (lockdep reports it if it does).
 */
void mdev_kvm_assoc_detach(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;
	const struct mdev_kvm_assoc_ops *ops = domain->ops;
	bool locks_vm = mdev_kvm_assoc_locks_vm(ops);
	struct kvm *kvm, *locked = NULL;

	mdev_kvm_assoc_assert_unlocked(domain, NULL);
	/* no lock: only the caller, serialised with attach, changes it */
	if (locks_vm)
		locked = assoc->kvm;
	mdev_kvm_assoc_lock_order(domain, ops, locked);
	kvm = assoc->kvm;
	/* an attach or detach of @assoc ran meanwhile: the caller's bug */
	if (kvm && !WARN_ON_ONCE(locks_vm && kvm != locked)) {
		if (ops && ops->detach)
			ops->detach(assoc, kvm);
		hash_del(&assoc->vm_node);
		assoc->kvm = NULL;
	}
	mdev_kvm_assoc_unlock_order(domain, ops, locked);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_detach);

/**
 * mdev_kvm_assoc_lock_inner() - lock a device and its VM, outer lock held
 * @assoc: the device's association, in a domain with an outer lock.
 *
 * For walks over several devices under the domain's outer lock, which keeps
 * every association stable: takes kvm->lock of the associated VM, if any,
 * then the domain lock. The VM is alive: the caller of attach holds its
 * reference until detach, which needs the outer lock, has returned.
 *
 * In a domain without an outer lock, nothing keeps the association stable
 * while kvm->lock is taken, as the domain lock, under which it could be
 * read, comes after kvm->lock. There it warns once and takes the domain
 * lock only: mdev_kvm_assoc_kvm() then gives a VM that is stable and
 * alive but not locked.
 *
 * Context: Process context. The domain's outer lock held; takes kvm->lock
 * of the associated VM and the domain lock. In a domain without an outer
 * lock, which is a bug, takes the domain lock only.
 */
void mdev_kvm_assoc_lock_inner(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;

	if (WARN_ON_ONCE(!domain->outer_lock)) {
		mutex_lock(domain->lock);
		return;
	}
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
	struct kvm *kvm = assoc->kvm;

	mutex_unlock(domain->lock);
	if (!domain->outer_lock)
		return;
	lockdep_assert_held(domain->outer_lock);
	if (kvm)
		mutex_unlock(&kvm->lock);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_unlock_inner);

/**
 * mdev_kvm_assoc_lock() - lock a device and the VM it is associated with
 * @assoc: the device's association, in a domain with an outer lock.
 *
 * For paths other than open and close (sysfs, hotplug, intercepts) that
 * need "the VM of this device" stable and locked: takes the domain's outer
 * lock, which keeps the association stable, then kvm->lock of the
 * associated VM, if any, and the domain lock. Afterwards
 * mdev_kvm_assoc_kvm() gives the VM (or NULL) until
 * mdev_kvm_assoc_unlock().
 *
 * Only for domains with an outer lock. In one without, it warns once and
 * takes the domain lock only, as mdev_kvm_assoc_lock_inner() does; a path
 * that only shows the VM needs no more (see mdev_kvm_assoc_sysfs_emit()).
 *
 * Context: Process context. Takes the domain's outer lock, kvm->lock of
 * the associated VM and the domain lock; the caller must hold none of
 * them, nor the lock of another device of the domain. In a domain without
 * an outer lock, which is a bug, takes the domain lock only.
 */
void mdev_kvm_assoc_lock(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;

	might_sleep();
	if (domain->outer_lock)
		mutex_lock(domain->outer_lock);
	mdev_kvm_assoc_lock_inner(assoc);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_lock);

/**
 * mdev_kvm_assoc_unlock() - undo mdev_kvm_assoc_lock()
 * @assoc: the device's association.
 *
 * Releases the locks mdev_kvm_assoc_lock() took, in reverse order.
 *
 * Context: Process context; the locks taken by mdev_kvm_assoc_lock() held.
 */
void mdev_kvm_assoc_unlock(struct mdev_kvm_assoc *assoc)
{
	struct mdev_kvm_assoc_domain *domain = assoc->domain;

	mdev_kvm_assoc_unlock_inner(assoc);
	if (domain->outer_lock)
		mutex_unlock(domain->outer_lock);
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_unlock);

/**
 * mdev_kvm_assoc_sysfs_emit() - show the VM of a device in a sysfs attribute
 * @assoc: the device's association.
 * @buf: the attribute's buffer.
 *
 * The VM is read under the domain lock only: detach clears it under that
 * lock, before the caller of attach drops its reference on the VM's file;
 * and a VM's stats id never changes. So a reader never waits for
 * kvm->lock, which a VM may hold for long, and works in any domain, with
 * or without an outer lock.
 *
 * Context: Process context. Takes the domain lock, which the caller must
 * not hold.
 * Return: the length of "<VM stats id>\n", e.g. "kvm-1234\n", or of
 * "none\n" when the device is not associated.
 */
ssize_t mdev_kvm_assoc_sysfs_emit(struct mdev_kvm_assoc *assoc, char *buf)
{
	struct kvm *kvm;

	guard(mutex)(assoc->domain->lock);
	kvm = assoc->kvm;
	return sysfs_emit(buf, "%s\n", kvm ? kvm->stats_id : "none");
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

/**
 * mdev_kvm_assoc_domain_init() - set up the association domain of a driver
 * @domain: the domain, with @name, @policy, @ops, @outer_lock and @lock
 *	filled in.
 *
 * Creates debugfs/mdev_kvm_assoc/<name>/associations, one line per
 * associated device: its name and the VM's stats id.
 *
 * Context: Process context.
 * Return: 0, or -EINVAL when @name or @lock is missing.
 */
int mdev_kvm_assoc_domain_init(struct mdev_kvm_assoc_domain *domain)
{
	if (!domain || !domain->name || !domain->lock)
		return -EINVAL;
	hash_init(domain->vms);
	domain->debugfs = debugfs_create_dir(domain->name,
					     mdev_kvm_assoc_debugfs);
	debugfs_create_file("associations", 0444, domain->debugfs, domain,
			    &mdev_kvm_assoc_fops);
	return 0;
}
EXPORT_SYMBOL_GPL(mdev_kvm_assoc_domain_init);

/**
 * mdev_kvm_assoc_domain_destroy() - tear down a domain
 * @domain: the domain; every device of it must be detached.
 *
 * Warns once if a device of the domain is still associated.
 *
 * Context: Process context.
 */
void mdev_kvm_assoc_domain_destroy(struct mdev_kvm_assoc_domain *domain)
{
	WARN_ON_ONCE(!hash_empty(domain->vms));
	debugfs_remove_recursive(domain->debugfs);
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

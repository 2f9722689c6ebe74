// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for mdev_kvm_assoc.
 *
 * The VMs here are bare struct kvm objects with a file of their own, as
 * KVM_CREATE_VM gives them, so the suite needs no KVM hardware support.
 * The test holds one reference on the file until it closes the VM, across
 * every attach..detach, as the VFIO core holds it while a device is open,
 * and serialises attach and detach of each device, as the core's
 * dev_set->lock does. The library borrows the reference and takes none
 * of its own: the suite checks the file's count, which it reads and never
 * writes.
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/kvm_host.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/vmalloc.h>

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

static bool invert_lock_order;
module_param(invert_lock_order, bool, 0444);
MODULE_PARM_DESC(invert_lock_order,
		 "Negative control: take the domain lock before kvm->lock, which lockdep must report");

static bool unlocked_read;
module_param(unlocked_read, bool, 0444);
MODULE_PARM_DESC(unlocked_read,
		 "Negative control: read the published VM without a lock while it changes, which KCSAN must report");

#define TEST_VMS	3

struct test_env {
	struct mutex lock;	/* the domain lock */
	struct mutex outer;	/* the outer lock, when used */
	struct mdev_kvm_assoc_domain domain;
	struct mdev_kvm_assoc_ops ops;
	int attach_ret;
	atomic_t attached;
	atomic_t attach_calls;
	atomic_t detach_calls;
	atomic_t violations;
	/* VMs whose users the callbacks count, to check exclusivity */
	struct kvm *vm[TEST_VMS];
	atomic_t vm_users[TEST_VMS];
};

static struct test_env *to_env(struct mdev_kvm_assoc *assoc)
{
	return container_of(assoc->domain, struct test_env, domain);
}

static DECLARE_RWSEM(test_vm_rwsem);

static struct rw_semaphore *test_get_vm_rwsem(struct kvm *kvm)
{
	return &test_vm_rwsem;
}

static bool order_held(struct test_env *env, struct kvm *kvm)
{
	return mutex_is_locked(&kvm->lock) && mutex_is_locked(&env->lock) &&
	       (!env->domain.outer_lock || mutex_is_locked(&env->outer)) &&
	       (!env->ops.vm_rwsem || rwsem_is_locked(&test_vm_rwsem));
}

static int env_vm_index(struct test_env *env, struct kvm *kvm)
{
	int i;

	for (i = 0; i < TEST_VMS; i++)
		if (env->vm[i] == kvm)
			return i;
	return -1;
}

static int test_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct test_env *env = to_env(assoc);
	int i = env_vm_index(env, kvm);

	atomic_inc(&env->attach_calls);
	if (!order_held(env, kvm))
		atomic_inc(&env->violations);
	if (env->attach_ret)
		return env->attach_ret;
	if (i >= 0 && atomic_inc_return(&env->vm_users[i]) > 1 &&
	    (env->domain.policy & MDEV_KVM_ASSOC_EXCLUSIVE))
		atomic_inc(&env->violations);
	atomic_inc(&env->attached);
	return 0;
}

static void test_detach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct test_env *env = to_env(assoc);
	int i = env_vm_index(env, kvm);

	atomic_inc(&env->detach_calls);
	if (!order_held(env, kvm))
		atomic_inc(&env->violations);
	if (i >= 0)
		atomic_dec(&env->vm_users[i]);
	atomic_dec(&env->attached);
}

static void env_destroy(void *data)
{
	mdev_kvm_assoc_domain_destroy(data);
}

static struct test_env *env_create(struct kunit *test, unsigned int policy,
				   bool outer)
{
	struct test_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	mutex_init(&env->lock);
	mutex_init(&env->outer);
	env->ops.attach = test_attach;
	env->ops.detach = test_detach;
	env->domain.name = "kunit";
	env->domain.policy = policy;
	env->domain.ops = &env->ops;
	env->domain.lock = &env->lock;
	env->domain.outer_lock = outer ? &env->outer : NULL;
	KUNIT_ASSERT_EQ(test, mdev_kvm_assoc_domain_init(&env->domain), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, env_destroy,
							&env->domain), 0);
	return env;
}

/* A domain with policies only: attach and detach take no kvm->lock. */
static struct test_env *env_create_policy_only(struct kunit *test,
					       unsigned int policy, bool outer)
{
	struct test_env *env = env_create(test, policy, outer);

	env->domain.ops = NULL;
	return env;
}

struct test_vm {
	struct kvm kvm;
	struct kunit *test;
	struct file *file;
	bool closed;		/* the test dropped its reference */
	struct completion released;
};

static struct test_vm *to_vm(struct kvm *kvm)
{
	return container_of(kvm, struct test_vm, kvm);
}

/* What kvm_vm_release() does for the library: the file is gone. */
static int test_vm_release(struct inode *inode, struct file *file)
{
	struct test_vm *vm = to_vm(file->private_data);

	WRITE_ONCE(vm->kvm.vm_file, NULL);
	complete_all(&vm->released);
	return 0;
}

static const struct file_operations test_vm_fops = {
	.owner = THIS_MODULE,
	.release = test_vm_release,
};

/* The test's reference goes; the release follows from fput()'s work. */
static void vm_close(struct kvm *kvm)
{
	struct test_vm *vm = to_vm(kvm);

	if (!vm->closed) {
		vm->closed = true;
		fput(vm->file);
	}
}

static bool vm_released(struct kvm *kvm)
{
	return wait_for_completion_timeout(&to_vm(kvm)->released, 5 * HZ);
}

static void vm_free(void *data)
{
	struct test_vm *vm = data;

	vm_close(&vm->kvm);
	if (!vm_released(&vm->kvm)) {
		/* a reference leaked: keep the VM, fail the test */
		KUNIT_FAIL(vm->test, "%s: file not released", vm->kvm.stats_id);
		return;
	}
	vfree(vm);
}

static struct kvm *vm_create(struct kunit *test)
{
	static atomic_t id;
	struct test_vm *vm = vzalloc(sizeof(*vm));
	struct file *file;
	struct kvm *kvm;

	KUNIT_ASSERT_NOT_NULL(test, vm);
	kvm = &vm->kvm;
	vm->test = test;
	init_completion(&vm->released);
	mutex_init(&kvm->lock);
	snprintf(kvm->stats_id, sizeof(kvm->stats_id), "kvm-kunit-%d",
		 atomic_inc_return(&id));
	file = anon_inode_getfile("kvm-kunit", &test_vm_fops, kvm, O_RDWR);
	if (IS_ERR(file))
		vfree(vm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	vm->file = file;
	kvm->vm_file = file;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vm_free, vm), 0);
	return kvm;
}

/* References held on @kvm's file besides the test's own: read, never written. */
static long vm_refs(struct kvm *kvm)
{
	struct test_vm *vm = to_vm(kvm);

	return file_count(vm->file) - !vm->closed;
}

static struct mdev_kvm_assoc *assoc_create(struct kunit *test,
					   struct test_env *env,
					   const char *name)
{
	struct mdev_kvm_assoc *assoc = kunit_kzalloc(test, sizeof(*assoc),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, assoc);
	mdev_kvm_assoc_init(assoc, &env->domain, name);
	return assoc;
}

/* The associated VM, read under the domain lock, in any domain. */
static struct kvm *assoc_kvm(struct mdev_kvm_assoc *assoc)
{
	guard(mutex)(assoc->domain->lock);
	return mdev_kvm_assoc_kvm(assoc);
}

static void attach_detach(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	/* the library borrows the test's reference, as it would the core's */
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_PTR_EQ(test, assoc_kvm(a), kvm);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attached), 1);

	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_NULL(test, assoc_kvm(a));
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->violations), 0);
}

static void detach_is_idempotent(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	mdev_kvm_assoc_detach(a);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 1);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void no_kvm_allowed(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, NULL), 0);
	KUNIT_EXPECT_NULL(test, assoc_kvm(a));
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 0);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 0);
}

static void no_kvm_required(struct kunit *test)
{
	struct test_env *env = env_create(test, MDEV_KVM_ASSOC_REQUIRE_KVM,
					  false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void exclusive_refuses_second(struct kunit *test)
{
	struct test_env *env = env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE,
					  false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "b");
	struct kvm *kvm = vm_create(test);
	struct kvm *other = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, kvm), -EBUSY);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_NULL(test, assoc_kvm(b));

	/* another VM is fine, and the slot frees up on detach */
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, other), 0);
	mdev_kvm_assoc_detach(b);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, kvm), 0);
	mdev_kvm_assoc_detach(b);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_EQ(test, vm_refs(other), 0);
}

static void shared_accepts_many(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "b");
	struct kvm *kvm = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, kvm), 0);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	mdev_kvm_assoc_detach(a);
	mdev_kvm_assoc_detach(b);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

/* Many VMs share the hashtable's buckets: exclusivity is per VM still. */
static void exclusive_many_vms(struct kunit *test)
{
	struct test_env *env = env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE,
					  false);
	const int n = HASH_SIZE(env->domain.vms) + 76;	/* buckets shared */
	struct mdev_kvm_assoc **a = kunit_kcalloc(test, 2 * n, sizeof(*a),
						  GFP_KERNEL);
	struct kvm **kvm = kunit_kcalloc(test, n, sizeof(*kvm), GFP_KERNEL);
	int i, busy = 0;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, kvm);
	for (i = 0; i < n; i++) {
		kvm[i] = vm_create(test);
		a[i] = assoc_create(test, env, "first");
		a[n + i] = assoc_create(test, env, "second");
		KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a[i], kvm[i]), 0);
	}
	for (i = 0; i < n; i++)
		busy += mdev_kvm_assoc_attach(a[n + i], kvm[i]) == -EBUSY;
	KUNIT_EXPECT_EQ(test, busy, n);
	for (i = 0; i < n; i++) {
		mdev_kvm_assoc_detach(a[i]);
		KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a[n + i], kvm[i]), 0);
		mdev_kvm_assoc_detach(a[n + i]);
		KUNIT_EXPECT_EQ(test, vm_refs(kvm[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&env->violations), 0);
}

/*
 * The owner closes the VM while a device is open: the reference the VFIO
 * core holds for the open device (the test's get_file() here) keeps the
 * file, the lock helper still finds the VM, and the release runs from
 * fput()'s work once the core drops it after detach, outside the library.
 */
static void device_outlives_owner(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, true);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);
	struct file *core = get_file(to_vm(kvm)->file);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	vm_close(kvm);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 1);
	KUNIT_EXPECT_PTR_EQ(test, assoc_kvm(a), kvm);
	KUNIT_EXPECT_FALSE(test, completion_done(&to_vm(kvm)->released));
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 1);
	KUNIT_EXPECT_FALSE(test, completion_done(&to_vm(kvm)->released));
	fput(core);
	KUNIT_EXPECT_TRUE(test, vm_released(kvm));
	KUNIT_EXPECT_NULL(test, assoc_kvm(a));
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 1);
}

static void double_attach_refused(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);
	struct kvm *other = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), -EALREADY);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, other), -EALREADY);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_EQ(test, vm_refs(other), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 1);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void null_or_uninitialised_refused(struct kunit *test)
{
	/* a domain is too big for the stack: it holds a hashtable */
	struct mdev_kvm_assoc_domain *bad = kunit_kzalloc(test, sizeof(*bad),
							  GFP_KERNEL);
	struct mdev_kvm_assoc blank = {};
	struct kvm *kvm = vm_create(test);

	KUNIT_ASSERT_NOT_NULL(test, bad);
	bad->name = "kunit-bad";
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(NULL, kvm), -EINVAL);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(&blank, kvm), -EINVAL);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_domain_init(NULL), -EINVAL);
	/* no lock */
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_domain_init(bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void attach_error_rolls_back(struct kunit *test)
{
	struct test_env *env = env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE,
					  false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "b");
	struct kvm *kvm = vm_create(test);

	env->attach_ret = -EIO;
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), -EIO);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	KUNIT_EXPECT_NULL(test, assoc_kvm(a));
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 0);

	/* the exclusivity slot was released */
	env->attach_ret = 0;
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, kvm), 0);
	mdev_kvm_assoc_detach(b);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void callbacks_hold_the_order(struct kunit *test)
{
	struct test_env *env = env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE, true);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->violations), 0);
}

struct locker {
	struct mdev_kvm_assoc *assoc;
	struct kvm *seen;
	struct completion done;
};

static int locker_fn(void *data)
{
	struct locker *l = data;

	mdev_kvm_assoc_lock(l->assoc);
	l->seen = mdev_kvm_assoc_kvm(l->assoc);
	mdev_kvm_assoc_unlock(l->assoc);
	kthread_complete_and_exit(&l->done, 0);
}

/*
 * The lock helper, in a domain with an outer lock, with callbacks and with
 * policies only: it takes the outer lock, kvm->lock of the associated VM
 * and the domain lock, and no reference on the VM, also while it waits
 * for kvm->lock; the outer lock keeps the association meanwhile.
 */
static void lock_from_other_path(struct kunit *test)
{
	int policy_only;

	for (policy_only = 0; policy_only < 2; policy_only++) {
		struct test_env *env = policy_only ?
				       env_create_policy_only(test, 0, true) :
				       env_create(test, 0, true);
		struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
		struct kvm *kvm = vm_create(test);
		struct locker l = { .assoc = a };
		int i;

		KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
		mdev_kvm_assoc_lock(a);
		KUNIT_EXPECT_PTR_EQ(test, mdev_kvm_assoc_kvm(a), kvm);
		KUNIT_EXPECT_TRUE(test, order_held(env, kvm));
		KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
		mdev_kvm_assoc_unlock(a);
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&env->outer));

		/* kvm->lock held: the helper waits for it under the outer lock */
		init_completion(&l.done);
		mutex_lock(&kvm->lock);
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(locker_fn, &l,
							    "kunit-lock")));
		for (i = 0; !mutex_is_locked(&env->outer) && i < 250; i++)
			msleep(20);
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&env->outer));
		msleep(20);
		KUNIT_EXPECT_FALSE(test, completion_done(&l.done));
		KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
		mutex_unlock(&kvm->lock);
		wait_for_completion(&l.done);
		KUNIT_EXPECT_PTR_EQ(test, l.seen, kvm);
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&kvm->lock));
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&env->lock));
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&env->outer));
		KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
		mdev_kvm_assoc_detach(a);

		/* unassociated: only the driver locks */
		mdev_kvm_assoc_lock(a);
		KUNIT_EXPECT_NULL(test, mdev_kvm_assoc_kvm(a));
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&env->outer));
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&env->lock));
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&kvm->lock));
		mdev_kvm_assoc_unlock(a);
		KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	}
}

struct policy_opener {
	struct mdev_kvm_assoc *a, *b;
	struct kvm *kvm;
	int ret_a, ret_b;
	long refs;
	struct completion done;
};

static int policy_open_close_fn(void *data)
{
	struct policy_opener *o = data;

	o->ret_a = mdev_kvm_assoc_attach(o->a, o->kvm);
	o->ret_b = mdev_kvm_assoc_attach(o->b, o->kvm);
	o->refs = vm_refs(o->kvm);
	mdev_kvm_assoc_detach(o->b);
	mdev_kvm_assoc_detach(o->a);
	kthread_complete_and_exit(&o->done, 0);
}

/*
 * vfio-ccw's and kvmgt's case, a domain with policies only: its attach and
 * detach complete while another task holds kvm->lock (as s390 does across
 * protected-VM conversions), with and without an outer lock; the policies
 * still apply, and the VM's file count does not change.
 */
static void policy_only_takes_no_kvm_lock(struct kunit *test)
{
	int outer;

	for (outer = 0; outer < 2; outer++) {
		struct test_env *env = env_create_policy_only(test,
				MDEV_KVM_ASSOC_REQUIRE_KVM | MDEV_KVM_ASSOC_EXCLUSIVE,
				outer);
		struct policy_opener o = {
			.a = assoc_create(test, env, "a"),
			.b = assoc_create(test, env, "b"),
			.kvm = vm_create(test),
			.refs = -1,
		};
		struct task_struct *t;
		bool done;

		init_completion(&o.done);
		mutex_lock(&o.kvm->lock);
		t = kthread_run(policy_open_close_fn, &o, "kunit-policy");
		done = !IS_ERR(t) &&
		       wait_for_completion_timeout(&o.done, 5 * HZ);
		mutex_unlock(&o.kvm->lock);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		if (!done)
			wait_for_completion(&o.done);
		KUNIT_EXPECT_TRUE_MSG(test, done,
				      "attach or detach waited for kvm->lock (outer lock: %d)",
				      outer);
		KUNIT_EXPECT_EQ(test, o.ret_a, 0);
		KUNIT_EXPECT_EQ(test, o.ret_b, -EBUSY);
		KUNIT_EXPECT_EQ(test, o.refs, 0);
		KUNIT_EXPECT_EQ(test, vm_refs(o.kvm), 0);
		KUNIT_EXPECT_NULL(test, assoc_kvm(o.a));
		KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 0);
	}
}

/*
 * Without an outer lock, a policy-only attach may even be called with
 * kvm->lock held by the caller; lockdep sees kvm->lock before the domain
 * lock, the lock helper's order.
 */
static void policy_only_attach_under_kvm_lock(struct kunit *test)
{
	struct test_env *env = env_create_policy_only(test,
						      MDEV_KVM_ASSOC_EXCLUSIVE,
						      false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "b");
	struct kvm *kvm = vm_create(test);
	long count = file_count(to_vm(kvm)->file);

	mutex_lock(&kvm->lock);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, kvm), -EBUSY);
	KUNIT_EXPECT_EQ(test, file_count(to_vm(kvm)->file), count);
	mdev_kvm_assoc_detach(a);
	mutex_unlock(&kvm->lock);
	KUNIT_EXPECT_EQ(test, file_count(to_vm(kvm)->file), count);
	KUNIT_EXPECT_NULL(test, assoc_kvm(a));
}

static void debugfs_lists_associations(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "dev-a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "dev-b");
	struct kvm *kvm = vm_create(test);
	char expect[64];
	struct seq_file m = { .size = PAGE_SIZE, .private = &env->domain };

	snprintf(expect, sizeof(expect), "dev-a %s\n", kvm->stats_id);
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(b, NULL), 0);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_show(&m, NULL), 0);
	KUNIT_EXPECT_STREQ(test, m.buf, expect);

	mdev_kvm_assoc_detach(a);
	memset(m.buf, 0, m.size);
	m.count = 0;
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_show(&m, NULL), 0);
	KUNIT_EXPECT_STREQ(test, m.buf, "");
}

static void vm_rwsem_held_for_update(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, true);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	env->ops.vm_rwsem = test_get_vm_rwsem;
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&test_vm_rwsem));
	/* the lock helper, for readers, leaves the rwsem to the driver */
	mdev_kvm_assoc_lock(a);
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&test_vm_rwsem));
	mdev_kvm_assoc_unlock(a);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->detach_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->violations), 0);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void lock_inner_under_outer(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, true);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct mdev_kvm_assoc *b = assoc_create(test, env, "b");
	struct kvm *kvm = vm_create(test);

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	scoped_guard(mutex, &env->outer) {
		/* a walk over the devices, as vfio_ap's hotplug does */
		mdev_kvm_assoc_lock_inner(a);
		KUNIT_EXPECT_PTR_EQ(test, mdev_kvm_assoc_kvm(a), kvm);
		KUNIT_EXPECT_TRUE(test, order_held(env, kvm));
		mdev_kvm_assoc_unlock_inner(a);
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&kvm->lock));

		mdev_kvm_assoc_lock_inner(b);
		KUNIT_EXPECT_NULL(test, mdev_kvm_assoc_kvm(b));
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&env->lock));
		mdev_kvm_assoc_unlock_inner(b);
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&env->lock));
	}
	/* the outer lock keeps the association: no reference taken */
	mdev_kvm_assoc_lock(a);
	KUNIT_EXPECT_TRUE(test, order_held(env, kvm));
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	mdev_kvm_assoc_unlock(a);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&env->outer));
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

static void sysfs_shows_the_vm(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char expect[64];

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_sysfs_emit(a, buf), 5);
	KUNIT_EXPECT_STREQ(test, buf, "none\n");
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	snprintf(expect, sizeof(expect), "%s\n", kvm->stats_id);
	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_sysfs_emit(a, buf),
			(ssize_t)strlen(expect));
	KUNIT_EXPECT_STREQ(test, buf, expect);
	mdev_kvm_assoc_detach(a);
	KUNIT_EXPECT_EQ(test, vm_refs(kvm), 0);
}

#define RACE_THREADS	4
#define RACE_DEVICES	6
#define RACE_VMS	TEST_VMS
#define RACE_ROUNDS	1500

struct race {
	struct test_env *env;
	struct mdev_kvm_assoc *dev[RACE_DEVICES];
	struct mutex dev_set[RACE_DEVICES];	/* as dev_set->lock */
	atomic_t bad_lookups;
	atomic_t attached;
};

/* Under the domain lock: the devices on @kvm, one at most (exclusive). */
static int race_devs_on(struct race *r, struct kvm *kvm)
{
	int i, n = 0;

	for (i = 0; i < RACE_DEVICES; i++)
		n += mdev_kvm_assoc_kvm(r->dev[i]) == kvm;
	return n;
}

static int race_thread(void *data)
{
	struct race *r = data;
	unsigned int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		unsigned int d = get_random_u32_below(RACE_DEVICES);
		struct mdev_kvm_assoc *dev = r->dev[d];
		struct kvm *kvm = r->env->vm[get_random_u32_below(RACE_VMS)];
		bool outer = r->env->domain.outer_lock;

		switch (get_random_u32_below(3)) {
		case 0:
			scoped_guard(mutex, &r->dev_set[d])
				if (!mdev_kvm_assoc_attach(dev, kvm))
					atomic_inc(&r->attached);
			break;
		case 1:
			scoped_guard(mutex, &r->dev_set[d])
				mdev_kvm_assoc_detach(dev);
			break;
		default:
			/* the lock helper needs an outer lock; else the domain lock */
			if (outer)
				mdev_kvm_assoc_lock(dev);
			else
				mutex_lock(r->env->domain.lock);
			kvm = mdev_kvm_assoc_kvm(dev);
			if (kvm && (env_vm_index(r->env, kvm) < 0 ||
				    (outer && !mutex_is_locked(&kvm->lock)) ||
				    race_devs_on(r, kvm) > 1))
				atomic_inc(&r->bad_lookups);
			if (outer)
				mdev_kvm_assoc_unlock(dev);
			else
				mutex_unlock(r->env->domain.lock);
		}
		if (!(i % 64))
			cond_resched();
	}
	return 0;
}

/*
 * Threads attach, detach and look up devices of @env's exclusive domain on
 * its VMs at random; the test holds each VM's file throughout, as the
 * VFIO core holds it for the open devices, and serialises attach and
 * detach of each device, as the core's dev_set->lock does.
 */
static void race_run(struct kunit *test, struct test_env *env)
{
	struct task_struct *tasks[RACE_THREADS];
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->env = env;
	for (i = 0; i < RACE_DEVICES; i++) {
		r->dev[i] = assoc_create(test, env, "race");
		mutex_init(&r->dev_set[i]);
	}
	for (i = 0; i < RACE_VMS; i++)
		env->vm[i] = vm_create(test);

	for (i = 0; i < RACE_THREADS; i++) {
		tasks[i] = kthread_run(race_thread, r, "mka-race-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[i]));
		get_task_struct(tasks[i]);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	for (i = 0; i < RACE_DEVICES; i++)
		mdev_kvm_assoc_detach(r->dev[i]);

	kunit_info(test, "%d attaches raced\n", atomic_read(&r->attached));
	KUNIT_EXPECT_GT(test, atomic_read(&r->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->bad_lookups), 0);
	/* the callbacks saw the lock order every time, and exclusivity held */
	KUNIT_EXPECT_EQ(test, atomic_read(&env->violations), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->attach_calls),
			atomic_read(&env->detach_calls));
	for (i = 0; i < RACE_VMS; i++)
		KUNIT_EXPECT_EQ(test, vm_refs(env->vm[i]), 0);
}

static void concurrent_attach_detach(struct kunit *test)
{
	race_run(test, env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE, true));
}

/*
 * Callbacks and no outer lock: detach reads the VM without a lock to take
 * its kvm->lock; lookups under the domain lock.
 */
static void concurrent_no_outer(struct kunit *test)
{
	race_run(test, env_create(test, MDEV_KVM_ASSOC_EXCLUSIVE, false));
}

/* No outer lock and no callbacks: no kvm->lock; lookups under the domain lock. */
static void concurrent_policy_only(struct kunit *test)
{
	struct test_env *env = env_create_policy_only(test,
						      MDEV_KVM_ASSOC_EXCLUSIVE,
						      false);

	race_run(test, env);
}

static struct kunit_case mdev_kvm_assoc_cases[] = {
	KUNIT_CASE(attach_detach),
	KUNIT_CASE(detach_is_idempotent),
	KUNIT_CASE(no_kvm_allowed),
	KUNIT_CASE(no_kvm_required),
	KUNIT_CASE(exclusive_refuses_second),
	KUNIT_CASE(shared_accepts_many),
	KUNIT_CASE(exclusive_many_vms),
	KUNIT_CASE(device_outlives_owner),
	KUNIT_CASE(double_attach_refused),
	KUNIT_CASE(null_or_uninitialised_refused),
	KUNIT_CASE(attach_error_rolls_back),
	KUNIT_CASE(callbacks_hold_the_order),
	KUNIT_CASE(lock_from_other_path),
	KUNIT_CASE(policy_only_takes_no_kvm_lock),
	KUNIT_CASE(policy_only_attach_under_kvm_lock),
	KUNIT_CASE(debugfs_lists_associations),
	KUNIT_CASE(vm_rwsem_held_for_update),
	KUNIT_CASE(lock_inner_under_outer),
	KUNIT_CASE(sysfs_shows_the_vm),
	KUNIT_CASE_SLOW(concurrent_attach_detach),
	KUNIT_CASE_SLOW(concurrent_no_outer),
	KUNIT_CASE_SLOW(concurrent_policy_only),
	{}
};

static struct kunit_suite mdev_kvm_assoc_suite = {
	.name = "mdev_kvm_assoc",
	.test_cases = mdev_kvm_assoc_cases,
};

/*
 * Negative control for the splat scan: only with invert_lock_order=1, take
 * the domain lock and then kvm->lock, the reverse of what attach recorded.
 */
static void inverted_lock_order(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct mdev_kvm_assoc *a = assoc_create(test, env, "a");
	struct kvm *kvm = vm_create(test);

	if (!invert_lock_order)
		kunit_skip(test, "negative control off");

	KUNIT_EXPECT_EQ(test, mdev_kvm_assoc_attach(a, kvm), 0);
	mdev_kvm_assoc_detach(a);
	mutex_lock(&env->lock);
	mutex_lock(&kvm->lock);
	mutex_unlock(&kvm->lock);
	mutex_unlock(&env->lock);
}

struct racer {
	struct mdev_kvm_assoc *assoc;
	struct kvm *kvm;
	struct completion done;
};

static int attach_detach_fn(void *data)
{
	struct racer *r = data;
	unsigned long end = jiffies + HZ;

	while (time_before(jiffies, end)) {
		mdev_kvm_assoc_attach(r->assoc, r->kvm);
		mdev_kvm_assoc_detach(r->assoc);
	}
	kthread_complete_and_exit(&r->done, 0);
}

/*
 * Negative control for make kcsan: only with unlocked_read=1, read the
 * published VM with no lock, as drivers did with their kvm pointer, while
 * another thread attaches and detaches.
 */
static void unlocked_read_races(struct kunit *test)
{
	struct test_env *env = env_create(test, 0, false);
	struct racer r = {
		.assoc = assoc_create(test, env, "a"),
		.kvm = vm_create(test),
	};
	unsigned long seen = 0;

	if (!unlocked_read)
		kunit_skip(test, "negative control off");

	init_completion(&r.done);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(attach_detach_fn, &r,
						    "kunit-race")));
	while (!completion_done(&r.done))
		seen += !!r.assoc->kvm;
	wait_for_completion(&r.done);
	kunit_info(test, "saw the VM %lu times", seen);
}

static struct kunit_case mdev_kvm_assoc_negative_cases[] = {
	KUNIT_CASE(inverted_lock_order),
	KUNIT_CASE(unlocked_read_races),
	{}
};

static struct kunit_suite mdev_kvm_assoc_negative_suite = {
	.name = "mdev_kvm_assoc_negative",
	.test_cases = mdev_kvm_assoc_negative_cases,
};

kunit_test_suites(&mdev_kvm_assoc_suite, &mdev_kvm_assoc_negative_suite);

MODULE_DESCRIPTION("KUnit tests for mdev_kvm_assoc");
MODULE_LICENSE("GPL");

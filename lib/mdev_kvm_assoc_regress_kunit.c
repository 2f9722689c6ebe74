// SPDX-License-Identifier: GPL-2.0-only
/*
 * Regression tests for the upstream bug classes mdev_kvm_assoc rules out.
 *
 * Each case drives a small test driver through a minimal reproducer of one
 * bug class that upstream shipped. By default the driver goes through the
 * library and the case must pass. With old_pattern=<case>, only that case runs, and the driver
 * open-codes the sequence upstream had: then the case, or the splat scan
 * of the console, must fail. That run proves the case bites.
 *
 * The VMs are real: suite_init, which runs in the process loading this
 * module, creates them through /dev/kvm. Each case then owns a VM's file,
 * as its creator would, so that "the VM's owner closes it" is a release of
 * that file that the case controls.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/kvm_host.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

static char *old_pattern = "";
module_param(old_pattern, charp, 0444);
MODULE_PARM_DESC(old_pattern,
		 "Run only this case, against the open-coded upstream pattern; it must fail");

#define REGRESS_VMS	8
#define REGRESS_DEVS	2

static struct file *regress_vm_files[REGRESS_VMS];
static int regress_vm_error;	/* why suite_init made no VMs */

struct regress_drv;

struct regress_dev {
	struct regress_drv *drv;
	struct kvm *kvm;		/* the old pattern's published pointer */
	void (*put)(struct kvm *kvm);	/* the old pattern's put */
	bool pinned;			/* put pinned with symbol_get() */
	unsigned long flags;		/* REGRESS_ATTACHED, as kvmgt has it */
	struct file *file;		/* the VFIO core's, while open */
	struct mdev_kvm_assoc assoc;
};

#define REGRESS_ATTACHED	0

struct regress_drv {
	bool old;
	bool fixed;			/* old, with the kvmgt fix's mutex */
	struct mutex outer;		/* the outer lock, for the lookups */
	struct mutex lock;		/* the driver lock */
	struct mutex fix_lock;		/* the kvmgt fix's */
	struct mdev_kvm_assoc_domain domain;
	struct mdev_kvm_assoc_ops ops;
	struct regress_dev dev[REGRESS_DEVS];
	/* a point where the test lets another thread run */
	void (*window)(struct regress_drv *drv);
	atomic_t in_window;
	wait_queue_head_t wq;
	struct completion reached, passed;
};

static int regress_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct regress_drv *drv = container_of(assoc->domain,
					       struct regress_drv, domain);

	if (drv->window)
		drv->window(drv);
	return 0;
}

static void drv_close(struct regress_dev *dev);

/* Also when a case stops early: nothing stays attached or referenced. */
static void regress_drv_destroy(void *data)
{
	struct regress_drv *drv = data;
	int i;

	for (i = 0; i < REGRESS_DEVS; i++)
		drv_close(&drv->dev[i]);
	mdev_kvm_assoc_domain_destroy(&drv->domain);
}

static struct regress_drv *regress_drv_create(struct kunit *test,
					      unsigned int policy)
{
	struct regress_drv *drv = kunit_kzalloc(test, sizeof(*drv), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, drv);
	drv->old = !strcmp(old_pattern, test->name);
	mutex_init(&drv->outer);
	mutex_init(&drv->lock);
	mutex_init(&drv->fix_lock);
	init_waitqueue_head(&drv->wq);
	init_completion(&drv->reached);
	init_completion(&drv->passed);
	drv->ops.attach = regress_attach;
	drv->domain.name = "regress";
	drv->domain.policy = policy;
	drv->domain.ops = &drv->ops;
	drv->domain.lock = &drv->lock;
	KUNIT_ASSERT_EQ(test, mdev_kvm_assoc_domain_init(&drv->domain), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, regress_drv_destroy,
							drv), 0);
	for (i = 0; i < REGRESS_DEVS; i++) {
		drv->dev[i].drv = drv;
		mdev_kvm_assoc_init(&drv->dev[i].assoc, &drv->domain,
				    i ? "dev1" : "dev0");
	}
	return drv;
}

/*
 * The library's side of the test driver: open and close are attach and
 * detach, the lookup from other paths is the lock helper, in a domain with
 * an outer lock (lookup_races_close()) as it requires. Around them the
 * VFIO core's part: a reference on the VM's file, taken before the open
 * (get_file_active(), which fails on a VM whose file is released) and
 * dropped after the close, which the library borrows.
 */
static int lib_open(struct regress_dev *dev, struct kvm *kvm)
{
	int ret;

	dev->file = get_file_active(&kvm->vm_file);
	if (!dev->file)
		return -ENOENT;
	ret = mdev_kvm_assoc_attach(&dev->assoc, kvm);
	if (ret) {
		fput(dev->file);
		dev->file = NULL;
	}
	return ret;
}

static void lib_close(struct regress_dev *dev)
{
	struct file *file = dev->file;

	mdev_kvm_assoc_detach(&dev->assoc);
	dev->file = NULL;
	if (file)
		fput(file);
}

/*
 * The open-coded side, as vfio_ap had it after 86956e70761b: kvm->lock,
 * then the driver lock, a reference, the pointer published under both.
 * Each case replaces the step its bug was in.
 */
static int old_open(struct regress_dev *dev, struct kvm *kvm)
{
	if (!kvm_get_kvm_safe(kvm))
		return -ENOENT;
	mutex_lock(&kvm->lock);
	mutex_lock(&dev->drv->lock);
	dev->kvm = kvm;
	dev->put = kvm_put_kvm;
	mutex_unlock(&dev->drv->lock);
	mutex_unlock(&kvm->lock);
	return 0;
}

/* Put after unlocking, as the VFIO core does since 2b48f52f2bff. */
static void old_close(struct regress_dev *dev)
{
	struct kvm *kvm = dev->kvm;	/* open and close are serialised */

	if (!kvm)
		return;
	mutex_lock(&kvm->lock);
	mutex_lock(&dev->drv->lock);
	dev->kvm = NULL;
	mutex_unlock(&dev->drv->lock);
	mutex_unlock(&kvm->lock);
	dev->put(kvm);
	if (dev->pinned)
		symbol_put(kvm_put_kvm);
	dev->pinned = false;
}

static int drv_open(struct regress_dev *dev, struct kvm *kvm)
{
	return dev->drv->old ? old_open(dev, kvm) : lib_open(dev, kvm);
}

static void drv_close(struct regress_dev *dev)
{
	if (dev->drv->old)
		old_close(dev);
	else
		lib_close(dev);
}

/* A kthread's fput() would defer the release; the owner's close does not. */
static void vm_put(void *file)
{
	__fput_sync(file);
}

/* Takes a VM made in suite_init; the test owns its file. */
static struct kvm *vm_take(struct kunit *test)
{
	struct file *file = NULL;
	struct kvm *kvm;
	int i;

	for (i = 0; i < REGRESS_VMS && !file; i++)
		swap(file, regress_vm_files[i]);
	KUNIT_ASSERT_NOT_NULL_MSG(test, file, "out of VMs");
	kvm = file->private_data;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vm_put, file), 0);
	KUNIT_ASSERT_PTR_EQ(test, READ_ONCE(kvm->vm_file), file);
	KUNIT_ASSERT_EQ(test, file_count(file), 1);
	return kvm;
}

/*
 * The VM's owner closes it: its file is released unless a device holds
 * it, and the devices' references may be the last.
 */
static void vm_close(struct kunit *test, struct kvm *kvm)
{
	/* the owner's file is still there, so this is it */
	kunit_release_action(test, vm_put, READ_ONCE(kvm->vm_file));
}

static void expect_no_lockdep_report(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_LOCKDEP))
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
				      "lockdep reported a problem (see the log)");
}

static bool case_runs(struct kunit *test)
{
	if (*old_pattern && strcmp(old_pattern, test->name))
		kunit_skip(test, "old_pattern=%s runs only that case", old_pattern);
	if (regress_vm_error)
		kunit_skip(test, "no VM from /dev/kvm (%pe): needs KVM with kvm-amd or kvm-intel",
			   ERR_PTR(regress_vm_error));
	return true;
}

/*
 * 1. Lock inversion (0cc00c8d4050): vfio_ap took kvm->lock (in the crypto
 * mask helpers) under its driver lock, while other paths nest them the
 * other way. Here the second path is a VM-side handler that holds
 * kvm->lock and looks up the VM's device.
 */
static int inverted_open(struct regress_dev *dev, struct kvm *kvm)
{
	if (!kvm_get_kvm_safe(kvm))
		return -ENOENT;
	mutex_lock(&dev->drv->lock);
	dev->kvm = kvm;
	dev->put = kvm_put_kvm;
	mutex_lock(&kvm->lock);		/* kvm_arch_crypto_set_masks() */
	mutex_unlock(&kvm->lock);
	mutex_unlock(&dev->drv->lock);
	return 0;
}

static bool intercept_finds_device(struct regress_drv *drv, struct kvm *kvm)
{
	bool found = false;
	int i;

	mutex_lock(&kvm->lock);
	mutex_lock(&drv->lock);
	for (i = 0; i < REGRESS_DEVS; i++)
		found |= (drv->old ? drv->dev[i].kvm :
			  mdev_kvm_assoc_kvm(&drv->dev[i].assoc)) == kvm;
	mutex_unlock(&drv->lock);
	mutex_unlock(&kvm->lock);
	return found;
}

static void inversion(struct kunit *test)
{
	struct regress_drv *drv;
	struct regress_dev *dev;
	struct kvm *kvm;
	int ret;

	if (!case_runs(test))
		return;
	drv = regress_drv_create(test, MDEV_KVM_ASSOC_EXCLUSIVE);
	dev = &drv->dev[0];
	kvm = vm_take(test);
	ret = drv->old ? inverted_open(dev, kvm) : lib_open(dev, kvm);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, intercept_finds_device(drv, kvm));
	drv_close(dev);
	vm_close(test, kvm);
	expect_no_lockdep_report(test);
}

/*
 * 2. The published pointer read without its lock (review of 86956e70761b),
 * which only the serialisation of open and close made safe. A reader on
 * another path fetches the VM, the device closes meanwhile and its put is
 * the last one, then the reader uses what it fetched.
 */
struct reader {
	struct regress_dev *dev;
	struct kvm *seen;
	char stats_id[sizeof_field(struct kvm, stats_id)];
	unsigned int users;	/* users_count of the VM while it was used */
	bool closer_waited;	/* the close did not finish under the lookup */
};

/* What the old drivers did with the VM: lock it and read from it. */
static void reader_use(struct reader *r, struct kvm *kvm, bool lock)
{
	r->seen = kvm;
	if (!kvm)
		return;
	if (lock)
		mutex_lock(&kvm->lock);
	r->users = refcount_read(&kvm->users_count);
	memcpy(r->stats_id, kvm->stats_id, sizeof(r->stats_id));
	if (lock)
		mutex_unlock(&kvm->lock);
}

/* Old pattern: nothing stops the close. Library: it must wait for us. */
static void let_close_run(struct reader *r)
{
	struct regress_drv *drv = r->dev->drv;

	complete(&drv->reached);
	if (drv->old)
		wait_for_completion(&drv->passed);
	else
		r->closer_waited = !wait_for_completion_timeout(&drv->passed,
							       msecs_to_jiffies(300));
}

static int unlocked_reader(void *data)
{
	struct reader *r = data;
	struct regress_dev *dev = r->dev;
	struct regress_drv *drv = dev->drv;
	struct kvm *kvm;

	if (drv->old) {
		kvm = dev->kvm;		/* no lock */
	} else {
		mdev_kvm_assoc_lock(&dev->assoc);
		kvm = mdev_kvm_assoc_kvm(&dev->assoc);
	}
	let_close_run(r);
	/* the library holds kvm->lock already */
	reader_use(r, kvm, drv->old);
	if (!drv->old)
		mdev_kvm_assoc_unlock(&dev->assoc);
	return 0;
}

static int closer(void *data)
{
	struct regress_dev *dev = data;

	drv_close(dev);
	complete(&dev->drv->passed);
	return 0;
}

static struct task_struct *regress_thread(int (*fn)(void *), void *data,
					  const char *name)
{
	struct task_struct *t = kthread_create(fn, data, "%s", name);

	if (!IS_ERR(t)) {
		get_task_struct(t);
		wake_up_process(t);
	}
	return t;
}

/* Runs the lookup @fn in a kthread and closes the device meanwhile. */
static void race_lookup_with_close(struct kunit *test, struct reader *r,
				   int (*fn)(void *))
{
	struct regress_drv *drv = r->dev->drv;
	struct task_struct *rt, *ct;

	rt = regress_thread(fn, r, "regress-lookup");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rt);
	wait_for_completion(&drv->reached);
	ct = regress_thread(closer, r->dev, "regress-close");
	if (IS_ERR(ct))
		complete(&drv->passed);
	kthread_stop_put(rt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ct);
	kthread_stop_put(ct);
	if (!drv->old)
		KUNIT_EXPECT_TRUE_MSG(test, r->closer_waited,
				      "close finished while the VM was locked");
}

/*
 * Opens the device with the VM's only other reference, closes the VM, then
 * races the lookup @fn with the device's close, which drops the last one.
 * The library's domain has an outer lock, as vfio_ap's guests_lock, which
 * the lock helper needs and the close takes too.
 */
static void lookup_races_close(struct kunit *test, int (*fn)(void *))
{
	struct regress_drv *drv;
	struct reader *r;
	struct kvm *kvm;
	char id[sizeof_field(struct kvm, stats_id)];

	drv = regress_drv_create(test, 0);
	drv->domain.outer_lock = &drv->outer;
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->dev = &drv->dev[0];
	kvm = vm_take(test);
	memcpy(id, kvm->stats_id, sizeof(id));
	KUNIT_ASSERT_EQ(test, drv_open(r->dev, kvm), 0);
	vm_close(test, kvm);		/* the device now holds the last reference */

	race_lookup_with_close(test, r, fn);
	KUNIT_EXPECT_PTR_EQ(test, r->seen, kvm);
	KUNIT_EXPECT_GT_MSG(test, r->users, 0, "the VM was used after its last put");
	KUNIT_EXPECT_EQ(test, memcmp(r->stats_id, id, sizeof(id)), 0);
	expect_no_lockdep_report(test);
}

static void unlocked_read(struct kunit *test)
{
	if (case_runs(test))
		lookup_races_close(test, unlocked_reader);
}

/*
 * 3. A possibly-last kvm_put_kvm() under a lock that VM teardown frees or
 * needs: the 2021 unset path put the VM, then unlocked its kvm->lock.
 */
static void put_under_lock_close(struct regress_dev *dev)
{
	struct kvm *kvm = dev->kvm;

	mutex_lock(&kvm->lock);
	mutex_lock(&dev->drv->lock);
	dev->kvm = NULL;
	kvm_put_kvm(kvm);
	mutex_unlock(&dev->drv->lock);
	mutex_unlock(&kvm->lock);
}

static void put_under_lock(struct kunit *test)
{
	struct regress_drv *drv;
	struct regress_dev *dev;
	struct kvm *kvm;

	if (!case_runs(test))
		return;
	drv = regress_drv_create(test, 0);
	dev = &drv->dev[0];
	kvm = vm_take(test);
	KUNIT_ASSERT_EQ(test, drv_open(dev, kvm), 0);
	vm_close(test, kvm);		/* the close below destroys the VM */
	if (drv->old)
		put_under_lock_close(dev);
	else
		lib_close(dev);
	expect_no_lockdep_report(test);
}

/*
 * 4. A reference taken on a dying VM: between the last put and the
 * teardown of the kvm-vfio device, an open could still find the VM. The
 * VM here is a bare struct kvm frozen at that moment: no reference left,
 * and its file released.
 */
static int unsafe_open(struct regress_dev *dev, struct kvm *kvm)
{
	kvm_get_kvm(kvm);	/* before kvm_get_kvm_safe() */
	return 0;
}

static void vm_free(void *data)
{
	vfree(data);
}

static void dying_vm(struct kunit *test)
{
	struct regress_drv *drv;
	struct regress_dev *dev;
	struct kvm *kvm;
	int ret;

	if (!case_runs(test))
		return;
	drv = regress_drv_create(test, 0);
	dev = &drv->dev[0];
	kvm = vzalloc(sizeof(*kvm));
	KUNIT_ASSERT_NOT_NULL(test, kvm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vm_free, kvm), 0);
	mutex_init(&kvm->lock);
	refcount_set(&kvm->users_count, 0);

	ret = drv->old ? unsafe_open(dev, kvm) : lib_open(dev, kvm);
	KUNIT_EXPECT_EQ(test, ret, -ENOENT);
	KUNIT_EXPECT_EQ(test, refcount_read(&kvm->users_count), 0);
	/* the frozen VM cannot be destroyed: nothing is published or put */
}

/*
 * 5. Module lifetime: the VM is torn down by the vendor module's code, so
 * a device's reference must keep that module loaded. Since 6.7 only the
 * VM's files pin it (their fops owner): the VFIO core's kvm reference,
 * with kvm_put_kvm() pinned through symbol_get(), keeps kvm.ko but not
 * kvm-amd or kvm-intel, which "rmmod" then unloads under the device. With
 * the library, the core holds the VM's file, whose owner is the vendor
 * module, and the library borrows it. Needs KVM=m.
 */
static int pinned_kvm_open(struct regress_dev *dev, struct kvm *kvm)
{
	bool (*get)(struct kvm *kvm) = symbol_get(kvm_get_kvm_safe);
	void (*put)(struct kvm *kvm) = symbol_get(kvm_put_kvm);
	bool ok = get && put && get(kvm);

	if (get)
		symbol_put(kvm_get_kvm_safe);
	if (!ok) {
		if (put)
			symbol_put(kvm_put_kvm);
		return -ENOENT;
	}
	mutex_lock(&kvm->lock);
	mutex_lock(&dev->drv->lock);
	dev->kvm = kvm;
	dev->put = put;
	dev->pinned = true;
	mutex_unlock(&dev->drv->lock);
	mutex_unlock(&kvm->lock);
	return 0;
}

static void module_lifetime(struct kunit *test)
{
	struct regress_drv *drv;
	struct regress_dev *dev;
	int before, during;
	struct module *owner;
	struct kvm *kvm;

	if (!case_runs(test))
		return;
	drv = regress_drv_create(test, 0);
	dev = &drv->dev[0];
	kvm = vm_take(test);
	owner = kvm->vm_file->f_op->owner;
	if (!owner)
		kunit_skip(test, "KVM is built in; the KVM=m test kernel runs this");
	before = module_refcount(owner);
	KUNIT_ASSERT_EQ(test, drv->old ? pinned_kvm_open(dev, kvm) :
			lib_open(dev, kvm), 0);
	vm_close(test, kvm);		/* only the device holds the VM now */
	during = module_refcount(owner);
	drv_close(dev);
	KUNIT_EXPECT_EQ_MSG(test, during, before,
			    "%s unpinned while a device held its VM", owner->name);
}

/*
 * 6. Exclusivity checked apart from publication: the published VMs
 * compared under one hold of the driver lock, the VM published under
 * another. Two opens of different devices on one VM both pass the check.
 */
static int racy_exclusive_open(struct regress_dev *dev, struct kvm *kvm)
{
	struct regress_drv *drv = dev->drv;
	bool busy = false;
	int i;

	mutex_lock(&drv->lock);
	for (i = 0; i < REGRESS_DEVS; i++)
		busy |= drv->dev[i].kvm == kvm;
	mutex_unlock(&drv->lock);
	if (busy)
		return -EBUSY;
	drv->window(drv);
	return old_open(dev, kvm);
}

/*
 * Lets the second opener catch up. The old pattern lets both through the
 * check; the library makes the second wait, so it never arrives here.
 */
static void both_openers(struct regress_drv *drv)
{
	atomic_inc(&drv->in_window);
	wake_up_all(&drv->wq);
	if (drv->old && !drv->fixed)
		wait_event(drv->wq, atomic_read(&drv->in_window) >= 2);
	else
		wait_event_timeout(drv->wq, atomic_read(&drv->in_window) >= 2,
				   msecs_to_jiffies(300));
}

struct opener {
	struct regress_dev *dev;
	struct kvm *kvm;
	int (*open)(struct regress_dev *dev, struct kvm *kvm);
	int ret;
	struct completion done;
};

static int opener_fn(void *data)
{
	struct opener *o = data;

	o->ret = o->open(o->dev, o->kvm);
	kthread_complete_and_exit(&o->done, 0);
}

/* Every device of @drv opens @kvm at once; one may, the others get @err. */
static void race_opens(struct kunit *test, struct regress_drv *drv,
		       int (*open)(struct regress_dev *dev, struct kvm *kvm),
		       int err)
{
	struct opener *o;
	struct kvm *kvm;
	int i, opened = 0;

	drv->window = both_openers;
	o = kunit_kcalloc(test, REGRESS_DEVS, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	kvm = vm_take(test);
	for (i = 0; i < REGRESS_DEVS; i++) {
		o[i] = (struct opener){ .dev = &drv->dev[i], .kvm = kvm,
					.open = open };
		init_completion(&o[i].done);
		if (IS_ERR(kthread_run(opener_fn, &o[i], "regress-open"))) {
			o[i].ret = -ECHILD;
			complete(&o[i].done);
		}
	}
	for (i = 0; i < REGRESS_DEVS; i++) {
		wait_for_completion(&o[i].done);
		if (!o[i].ret)
			opened++;
		else
			KUNIT_EXPECT_EQ(test, o[i].ret, err);
	}
	KUNIT_EXPECT_EQ_MSG(test, opened, 1, "one device per VM");
	for (i = 0; i < REGRESS_DEVS; i++) {
		drv_close(&drv->dev[i]);
		clear_bit(REGRESS_ATTACHED, &drv->dev[i].flags);
	}
	vm_close(test, kvm);
}

static int exclusive_open(struct regress_dev *dev, struct kvm *kvm)
{
	return dev->drv->old ? racy_exclusive_open(dev, kvm) :
	       lib_open(dev, kvm);
}

static void exclusivity(struct kunit *test)
{
	if (case_runs(test))
		race_opens(test, regress_drv_create(test, MDEV_KVM_ASSOC_EXCLUSIVE),
			   exclusive_open, -EBUSY);
}

/*
 * 7. kvmgt's form of it, as intel_vgpu_open_device() has it from 6.12 to
 * 7.3: the VFIO core has published the VM; the check walks the devices
 * marked attached, under the driver lock; the mark comes after
 * registering with the VM (the page-track notifier), outside the lock.
 * Through the library, as kvmgt is converted, the check is the domain's,
 * made as the association is recorded, and the registration and the mark
 * stay after it, outside the locks.
 */
static int kvmgt_open(struct regress_dev *dev, struct kvm *kvm)
{
	struct regress_drv *drv = dev->drv;
	bool exist = false;
	int i, ret;

	if (!drv->old) {
		ret = lib_open(dev, kvm);
		if (ret)
			return ret;
		drv->window(drv);
		set_bit(REGRESS_ATTACHED, &dev->flags);
		return 0;
	}
	ret = old_open(dev, kvm);
	if (ret)
		return ret;
	if (drv->fixed)
		mutex_lock(&drv->fix_lock);
	mutex_lock(&drv->lock);
	for (i = 0; i < REGRESS_DEVS; i++)
		exist |= &drv->dev[i] != dev &&
			 test_bit(REGRESS_ATTACHED, &drv->dev[i].flags) &&
			 drv->dev[i].kvm == kvm;
	mutex_unlock(&drv->lock);
	if (exist) {
		if (drv->fixed)
			mutex_unlock(&drv->fix_lock);
		old_close(dev);
		return -EEXIST;
	}
	drv->window(drv);
	set_bit(REGRESS_ATTACHED, &dev->flags);
	if (drv->fixed)
		mutex_unlock(&drv->fix_lock);
	return 0;
}

/* kvmgt's form raced; @fixed: open-coded with the kvmgt fix's mutex */
static void kvmgt_race(struct kunit *test, bool fixed)
{
	struct regress_drv *drv;

	if (!case_runs(test))
		return;
	drv = regress_drv_create(test, MDEV_KVM_ASSOC_EXCLUSIVE);
	drv->ops.attach = NULL;
	drv->domain.exclusive_errno = -EEXIST;
	if (fixed) {
		drv->old = true;
		drv->fixed = true;
	}
	race_opens(test, drv, kvmgt_open, -EEXIST);
}

static void kvmgt_exclusive(struct kunit *test)
{
	kvmgt_race(test, false);
}

/*
 * 7b. The same, open-coded as the kvmgt fix (patches/fixes/gvt) leaves it:
 * one mutex held from the check until the device is marked attached. The
 * second opener waits for the mark, sees it, and is refused.
 */
static void kvmgt_exclusive_fixed(struct kunit *test)
{
	kvmgt_race(test, true);
}

/*
 * 8. A lookup from a path other than open and close (vfio_ap's sysfs and
 * AP bus paths) must find the VM, then take kvm->lock before the driver
 * lock. The naive way reads the pointer under the driver lock, drops it,
 * then locks both; meanwhile the device can close and the VM be
 * destroyed. vfio_ap first waited on a busy flag lockdep cannot see, and
 * 6.12 and 7.3 add a global lock outside kvm->lock just for this. The
 * library's lock helper takes such a lock, the domain's outer lock, which
 * keeps the association, and so the VM, while it waits for kvm->lock.
 */
static int sysfs_lookup(void *data)
{
	struct reader *r = data;
	struct regress_dev *dev = r->dev;
	struct regress_drv *drv = dev->drv;
	struct kvm *kvm;

	if (drv->old) {
		mutex_lock(&drv->lock);
		kvm = dev->kvm;
		mutex_unlock(&drv->lock);
		let_close_run(r);
		if (kvm)
			mutex_lock(&kvm->lock);
		mutex_lock(&drv->lock);
	} else {
		mdev_kvm_assoc_lock(&dev->assoc);
		kvm = mdev_kvm_assoc_kvm(&dev->assoc);
		let_close_run(r);
	}
	reader_use(r, kvm, false);
	if (drv->old) {
		mutex_unlock(&drv->lock);
		if (kvm)
			mutex_unlock(&kvm->lock);
	} else {
		mdev_kvm_assoc_unlock(&dev->assoc);
	}
	return 0;
}

static void lookup_path(struct kunit *test)
{
	if (case_runs(test))
		lookup_races_close(test, sysfs_lookup);
}

static struct kunit_case mdev_kvm_assoc_regress_cases[] = {
	KUNIT_CASE(inversion),
	KUNIT_CASE(unlocked_read),
	KUNIT_CASE(put_under_lock),
	KUNIT_CASE(dying_vm),
	KUNIT_CASE(module_lifetime),
	KUNIT_CASE(exclusivity),
	KUNIT_CASE(kvmgt_exclusive),
	KUNIT_CASE(kvmgt_exclusive_fixed),
	KUNIT_CASE(lookup_path),
	{}
};

static void regress_suite_exit(struct kunit_suite *suite)
{
	int i;

	for (i = 0; i < REGRESS_VMS; i++) {
		if (regress_vm_files[i])
			fput(regress_vm_files[i]);
		regress_vm_files[i] = NULL;
	}
}

/*
 * Runs in the context of the process that loads the module. The VMs' fds
 * all exist at once, so that each VM gets a debugfs name of its own.
 */
static int regress_suite_init(struct kunit_suite *suite)
{
	int fds[REGRESS_VMS], i, n, ret = *old_pattern ? -EINVAL : 0;
	struct kunit_case *c;
	struct file *dev;

	for (c = mdev_kvm_assoc_regress_cases; c->run_case; c++)
		if (!strcmp(c->name, old_pattern))
			ret = 0;
	if (ret) {
		pr_err("old_pattern=%s: no such case\n", old_pattern);
		return ret;
	}
	/* without a VM every case skips, saying why */
	regress_vm_error = 0;
	dev = filp_open("/dev/kvm", O_RDWR, 0);
	if (IS_ERR(dev)) {
		regress_vm_error = PTR_ERR(dev);
		return 0;
	}
	for (n = 0; n < REGRESS_VMS; n++) {
		fds[n] = dev->f_op->unlocked_ioctl(dev, KVM_CREATE_VM, 0);
		if (fds[n] < 0) {
			regress_vm_error = fds[n];
			break;
		}
	}
	for (i = 0; i < n; i++)
		regress_vm_files[i] = file_close_fd(fds[i]);
	fput(dev);
	if (regress_vm_error)
		regress_suite_exit(suite);
	return 0;
}

static struct kunit_suite mdev_kvm_assoc_regress_suite = {
	.name = "mdev_kvm_assoc_regress",
	.suite_init = regress_suite_init,
	.suite_exit = regress_suite_exit,
	.test_cases = mdev_kvm_assoc_regress_cases,
};

kunit_test_suite(mdev_kvm_assoc_regress_suite);

MODULE_DESCRIPTION("Regression tests for the bug classes mdev_kvm_assoc rules out");
MODULE_LICENSE("GPL");

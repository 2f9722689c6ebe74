// SPDX-License-Identifier: GPL-2.0-only
/*
 * ThreadSanitizer harness for lib/mdev_kvm_assoc.c, built unmodified
 * against the kernel-header shim in shim/include (tests/tsan.sh).
 *
 * It plays kvm.ko (VMs: a struct kvm and the VM's file, whose release
 * clears kvm->vm_file and drops the file's kvm reference), the VFS (files
 * reused as SLAB_TYPESAFE_BY_RCU memory is; the shim's fput() defers the
 * last release to task work, run by shim_return_to_user() after each
 * operation), the VFIO core (open and close of mediated devices, each
 * serialised by a per-device lock as dev_set->lock does, holding a
 * reference on the VM's file while the device is open, which the library
 * borrows), three drivers (an exclusive domain with an outer lock, as
 * vfio_ap; a shared domain with a per-VM rwsem for its intercepts; an
 * exclusive domain with policies only, as kvmgt, whose opens sometimes
 * hold kvm->lock, which its attach must not take) and user space (sysfs
 * and debugfs readers), in racing threads. The lock helper looks up the
 * VM of devices of the domain with an outer lock, the only kind it is
 * for; the other domains' VMs are read under their domain lock, as
 * mdev_kvm_assoc_sysfs_emit() does. The callbacks and the readers check
 * what the library promises; the lockdep shim checks its assertions, and
 * that no file is released under a lock; TSan checks the locking. The
 * library takes no file reference: every get and put is the core's.
 *
 * --negative=inversion adds a thread taking the domain lock and then
 * kvm->lock (the old vfio_ap order), --negative=race one reading an
 * association's VM pointer without a lock (the old drivers' matrix_mdev->kvm):
 * TSan must report both. --negative=release releases a VM's file
 * synchronously under the domain lock (the old drivers' final
 * kvm_put_kvm() under their lock): the shim must abort.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#define NR_DEVS		4	/* per domain */
#define NR_SLOTS	3	/* VMs alive at a time, besides closed ones */
#define NR_OPENERS	2	/* threads opening and closing devices */

/* The core kernel's state, which the shim headers declare. */
__thread struct task_struct shim_current;
__thread struct shim_held_locks shim_held;
atomic_long shim_file_gets, shim_file_puts;
atomic_int shim_warnings;

static atomic_bool stop;
static atomic_int violations;

#define violation(fmt, ...)						\
do {									\
	if (atomic_fetch_add(&violations, 1) < 20)			\
		fprintf(stderr, "VIOLATION at %s:%d: " fmt "\n",	\
			__FILE__, __LINE__, ##__VA_ARGS__);		\
} while (0)

static struct {
	atomic_long attached, refused, detached, attached_under_kvm_lock,
		    lookups, lookups_none, walks, intercepts,
		    debugfs_reads, vms_created, vms_freed, vms_closed,
		    vms_closed_in_use, files_opened, files_released,
		    unlocked_reads;
} stats;

static __thread unsigned int seed;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)rand_r(&seed) % n;
}

/* The drivers: domains, devices and their callbacks (defined below). */
static int excl_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
static void excl_detach(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
static int shared_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
static void shared_detach(struct mdev_kvm_assoc *assoc, struct kvm *kvm);
static struct rw_semaphore *shared_vm_rwsem(struct kvm *kvm);

static DEFINE_MUTEX(excl_outer);	/* as vfio_ap's guests_lock */
static DEFINE_MUTEX(excl_lock);		/* as vfio_ap's mdevs_lock */
static DEFINE_MUTEX(shared_lock);
static DEFINE_MUTEX(policy_lock);	/* as kvmgt's vgpu_lock */

static const struct mdev_kvm_assoc_ops excl_ops = {
	.attach = excl_attach,
	.detach = excl_detach,
};

static const struct mdev_kvm_assoc_ops shared_ops = {
	.attach = shared_attach,
	.detach = shared_detach,
	.vm_rwsem = shared_vm_rwsem,
};

static struct mdev_kvm_assoc_domain excl = {
	.name = "tsan-excl",
	.policy = MDEV_KVM_ASSOC_REQUIRE_KVM | MDEV_KVM_ASSOC_EXCLUSIVE,
	.ops = &excl_ops,
	.outer_lock = &excl_outer,
	.lock = &excl_lock,
};

static struct mdev_kvm_assoc_domain shared = {
	.name = "tsan-shared",
	.ops = &shared_ops,
	.lock = &shared_lock,
};

/* no ops: attach and detach take no kvm->lock */
static struct mdev_kvm_assoc_domain policy = {
	.name = "tsan-policy",
	.policy = MDEV_KVM_ASSOC_EXCLUSIVE,
	.lock = &policy_lock,
};

static struct mdev_kvm_assoc excl_devs[NR_DEVS], shared_devs[NR_DEVS],
			     policy_devs[NR_DEVS];
static char dev_names[3][NR_DEVS][16];

static struct mdev_kvm_assoc *random_dev(void)
{
	switch (rnd(3)) {
	case 0:
		return &excl_devs[rnd(NR_DEVS)];
	case 1:
		return &shared_devs[rnd(NR_DEVS)];
	default:
		return &policy_devs[rnd(NR_DEVS)];
	}
}

/*
 * The VFIO core's state of a device: its lock (as dev_set->lock), and the
 * reference on the VM's file it holds while the device is open.
 */
struct core_dev {
	struct mutex lock;	/* as dev_set->lock: open and close */
	struct file *file;	/* under lock */
};

static struct core_dev cores[3][NR_DEVS];

static struct core_dev *to_core(struct mdev_kvm_assoc *dev)
{
	if (dev->domain == &excl)
		return &cores[0][dev - excl_devs];
	if (dev->domain == &shared)
		return &cores[1][dev - shared_devs];
	return &cores[2][dev - policy_devs];
}

/*
 * The VFS's file cache: a released file is reused, never freed, as
 * SLAB_TYPESAFE_BY_RCU memory is; so get_file_active() may find another
 * file at a pointer it loaded, which its second load catches.
 */
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct file *free_files;

static struct file *file_open(const struct file_operations *fops, void *data)
{
	struct file *file;

	pthread_mutex_lock(&files_lock);
	file = free_files;
	if (file)
		free_files = file->f_task_work;
	pthread_mutex_unlock(&files_lock);
	if (!file)
		file = calloc(1, sizeof(*file));
	if (!file) {
		perror("calloc");
		exit(2);
	}
	file->f_op = fops;
	file->private_data = data;
	file->f_task_work = NULL;
	atomic_store(&file->f_count, 1);	/* the opener's; live from here */
	atomic_fetch_add(&shim_file_gets, 1);
	atomic_fetch_add(&stats.files_opened, 1);
	return file;
}

void shim_file_free(struct file *file)
{
	pthread_mutex_lock(&files_lock);
	file->f_task_work = free_files;
	free_files = file;
	pthread_mutex_unlock(&files_lock);
	atomic_fetch_add(&stats.files_released, 1);
}

/*
 * kvm.ko: a VM is a struct kvm in a struct vm that also holds its owner's
 * file (the VM fd) and what the drivers keep per VM.
 */
struct vm {
	struct kvm kvm;
	struct file *file;		/* the owner's reference */
	struct rw_semaphore hooks_sem;	/* the shared driver's vm_rwsem */
	int hooks;		/* the shared driver's; under hooks_sem */
	int excl_attached;	/* exclusive-domain devices; under kvm.lock */
	int shared_attached;	/* shared-domain devices; under both */
};

static struct vm *to_vm(struct kvm *kvm)
{
	return container_of(kvm, struct vm, kvm);
}

static int devs_on(struct mdev_kvm_assoc *devs, struct kvm *kvm);

/* The last reference is gone: no device may still be attached. */
void kvm_destroy_vm(struct kvm *kvm)
{
	struct vm *vm = to_vm(kvm);

	/* teardown calls into VFIO and the drivers, which take these */
	lockdep_assert_not_held(&kvm->lock);
	lockdep_assert_not_held(&excl_outer);
	lockdep_assert_not_held(&excl_lock);
	lockdep_assert_not_held(&shared_lock);
	lockdep_assert_not_held(&policy_lock);
	if (vm->excl_attached || vm->shared_attached || vm->hooks)
		violation("%s freed with devices attached (%d, %d, %d hooks)",
			  kvm->stats_id, vm->excl_attached,
			  vm->shared_attached, vm->hooks);
	mutex_lock(&policy_lock);
	if (devs_on(policy_devs, kvm))
		violation("%s freed with a device of the policy domain",
			  kvm->stats_id);
	mutex_unlock(&policy_lock);
	mutex_destroy(&kvm->lock);
	free(vm);
	atomic_fetch_add(&stats.vms_freed, 1);
}

/* KVM_CREATE_VM: users_count 1 is the file's */
static struct kvm *vm_create(void)
{
	static atomic_int id;
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		perror("calloc");
		exit(2);
	}
	mutex_init(&vm->kvm.lock);
	refcount_set(&vm->kvm.users_count, 1);
	snprintf(vm->kvm.stats_id, sizeof(vm->kvm.stats_id), "kvm-%d",
		 atomic_fetch_add(&id, 1) + 1);
	init_rwsem(&vm->hooks_sem);
	vm->file = file_open(&kvm_vm_fops, &vm->kvm);
	vm->kvm.vm_file = vm->file;
	atomic_fetch_add(&stats.vms_created, 1);
	return &vm->kvm;
}

/* The owner closes the VM fd; the last fput() releases the file. */
static void vm_close(struct kvm *kvm)
{
	struct file *file = to_vm(kvm)->file;

	/* others' references: the last fput will be theirs */
	if (atomic_load(&file->f_count) > 1)
		atomic_fetch_add(&stats.vms_closed_in_use, 1);
	fput(file);
	atomic_fetch_add(&stats.vms_closed, 1);
}

/* The VMs user space has open: each slot holds its owner's file. */
static DEFINE_MUTEX(slots_lock);
static struct kvm *slots[NR_SLOTS];

/*
 * What the VFIO core does for a device whose file user space associates
 * with a VM: a reference on the VM's file, which the caller fput()s.
 */
static struct file *vm_get(struct kvm **kvm)
{
	struct file *file;

	mutex_lock(&slots_lock);
	file = get_file_active(&slots[rnd(NR_SLOTS)]->vm_file);
	mutex_unlock(&slots_lock);
	if (!file) {
		violation("no reference on an open VM");
		exit(1);
	}
	*kvm = file->private_data;
	return file;
}

/*
 * The callbacks run with the whole order held, in order: the outer lock,
 * kvm->lock, the rwsem for write, the domain lock. And they may sleep.
 */
static void check_order(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	const struct mdev_kvm_assoc_domain *d = assoc->domain;
	const struct lockdep_map *order[4];
	int i, n = 0, prev = -1;

	might_sleep();
	if (d->outer_lock)
		order[n++] = &d->outer_lock->dep_map;
	order[n++] = &kvm->lock.dep_map;
	if (d->ops->vm_rwsem) {
		if (!lockdep_is_held_type(d->ops->vm_rwsem(kvm), 0))
			violation("%s: vm_rwsem not held for write",
				  assoc->name);
		order[n++] = &d->ops->vm_rwsem(kvm)->dep_map;
	}
	order[n++] = &d->lock->dep_map;
	for (i = 0; i < n; i++) {
		int at = shim_held_at(order[i]);

		if (at <= prev)
			violation("%s: %s not held, or out of order",
				  assoc->name, order[i]->name);
		prev = at;
	}
}

/* What a VM-side handler does: its devices in @devs; the domain lock held. */
static int devs_on(struct mdev_kvm_assoc *devs, struct kvm *kvm)
{
	int i, n = 0;

	for (i = 0; i < NR_DEVS; i++)
		n += mdev_kvm_assoc_kvm(&devs[i]) == kvm;
	return n;
}

static int excl_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct vm *vm = to_vm(kvm);

	check_order(assoc, kvm);
	if (mdev_kvm_assoc_kvm(assoc))
		violation("%s: published before its attach", assoc->name);
	/* exclusivity is checked before the callback, under the same locks */
	if (devs_on(excl_devs, kvm))
		violation("%s: %s already has a device", assoc->name,
			  kvm->stats_id);
	if (!rnd(16))
		return -EIO;	/* the library must roll back */
	if (vm->excl_attached++)
		violation("%s: second device of the exclusive domain on %s",
			  assoc->name, kvm->stats_id);
	return 0;
}

static void excl_detach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct vm *vm = to_vm(kvm);

	check_order(assoc, kvm);
	if (mdev_kvm_assoc_kvm(assoc) != kvm || devs_on(excl_devs, kvm) != 1)
		violation("%s: detached from %s, which it is not alone on",
			  assoc->name, kvm->stats_id);
	if (--vm->excl_attached)
		violation("%s: %s had %d exclusive devices", assoc->name,
			  kvm->stats_id, vm->excl_attached + 1);
	atomic_fetch_add(&stats.detached, 1);
}

static int shared_attach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct vm *vm = to_vm(kvm);

	check_order(assoc, kvm);
	if (mdev_kvm_assoc_kvm(assoc))
		violation("%s: published before its attach", assoc->name);
	if (devs_on(shared_devs, kvm) != vm->shared_attached)
		violation("%s: %s has %d devices, %d attached", assoc->name,
			  kvm->stats_id, devs_on(shared_devs, kvm),
			  vm->shared_attached);
	if (!rnd(16))
		return -EIO;
	vm->shared_attached++;
	vm->hooks++;		/* install the intercept */
	return 0;
}

static void shared_detach(struct mdev_kvm_assoc *assoc, struct kvm *kvm)
{
	struct vm *vm = to_vm(kvm);

	check_order(assoc, kvm);
	if (mdev_kvm_assoc_kvm(assoc) != kvm ||
	    devs_on(shared_devs, kvm) != vm->shared_attached)
		violation("%s: detached from %s, which it is not on",
			  assoc->name, kvm->stats_id);
	if (--vm->shared_attached < 0)
		violation("%s: %s has no shared device", assoc->name,
			  kvm->stats_id);
	vm->hooks--;
	atomic_fetch_add(&stats.detached, 1);
}

static struct rw_semaphore *shared_vm_rwsem(struct kvm *kvm)
{
	return &to_vm(kvm)->hooks_sem;
}

static void thread_init(unsigned int n)
{
	seed = n * 7919 + 1;
}

/* exit_task_work(): the thread's last releases; it holds no lock */
static void thread_exit(void)
{
	shim_return_to_user();
}

static void count_attach(struct mdev_kvm_assoc *dev, int ret)
{
	if (!ret)
		atomic_fetch_add(&stats.attached, 1);
	else if (ret == -EALREADY || (ret == -EIO && dev->domain != &policy) ||
		 (ret == -EBUSY && dev->domain != &shared))
		atomic_fetch_add(&stats.refused, 1);
	else
		violation("%s: attach: %d", dev->name, ret);
}

/*
 * The VFIO core opens a device: with a reference on the VM's file, held
 * until the close, the driver's open_device attaches. A second open of an
 * open device reaches the library only as a driver bug would, and is
 * refused. Opens of the policy domain sometimes hold kvm->lock, as s390
 * does across protected-VM conversions, which attach must not take.
 */
static void open_device(struct mdev_kvm_assoc *dev)
{
	struct core_dev *c = to_core(dev);
	struct file *file = NULL;
	struct kvm *kvm;
	int ret;

	mutex_lock(&c->lock);
	if (c->file) {
		ret = mdev_kvm_assoc_attach(dev, c->file->private_data);
		if (ret != -EALREADY)
			violation("%s: second attach: %d", dev->name, ret);
		count_attach(dev, ret);
	} else {
		file = vm_get(&kvm);
		if (dev->domain == &policy && rnd(2)) {
			mutex_lock(&kvm->lock);
			ret = mdev_kvm_assoc_attach(dev, kvm);
			mutex_unlock(&kvm->lock);
			atomic_fetch_add(&stats.attached_under_kvm_lock, !ret);
		} else {
			ret = mdev_kvm_assoc_attach(dev, kvm);
		}
		count_attach(dev, ret);
		if (!ret) {
			c->file = file;
			file = NULL;
		}
	}
	mutex_unlock(&c->lock);
	/* the unused reference; the owner may have closed the VM */
	if (file)
		fput(file);
}

/*
 * The close: close_device detaches, then the core drops its reference,
 * which may be the VM's last. A detach of a closed device does nothing.
 */
static void close_device(struct mdev_kvm_assoc *dev)
{
	struct core_dev *c = to_core(dev);
	struct file *file;

	mutex_lock(&c->lock);
	file = c->file;
	c->file = NULL;
	if (file || !rnd(4))
		mdev_kvm_assoc_detach(dev);	/* the detach callbacks count */
	if (file && dev->domain == &policy)
		atomic_fetch_add(&stats.detached, 1);
	mutex_unlock(&c->lock);
	if (file)
		fput(file);
}

/* The refusal that does not depend on the race: an open without a VM. */
static void open_refused(struct mdev_kvm_assoc *dev)
{
	struct core_dev *c = to_core(dev);
	int ret;

	mutex_lock(&c->lock);
	ret = mdev_kvm_assoc_attach(dev, NULL);
	mutex_unlock(&c->lock);
	if (ret != (dev->domain == &excl ? -EINVAL : 0))
		violation("%s: attach without a VM: %d", dev->name, ret);
}

static void *opener_thread(void *arg)
{
	thread_init((uintptr_t)arg);
	while (!atomic_load(&stop)) {
		struct mdev_kvm_assoc *dev = random_dev();
		unsigned int op = rnd(16);

		if (op < 8)
			open_device(dev);
		else if (op < 15)
			close_device(dev);
		else
			open_refused(dev);
		shim_return_to_user();
	}
	thread_exit();
	return NULL;
}

/*
 * The VM of a device, seen under the domain lock (and, with @locked,
 * kvm->lock), is alive and has the device.
 */
static void check_vm(struct mdev_kvm_assoc *dev, bool locked)
{
	struct kvm *kvm = mdev_kvm_assoc_kvm(dev);
	struct vm *vm;

	if (!kvm) {
		atomic_fetch_add(&stats.lookups_none, 1);
		return;
	}
	vm = to_vm(kvm);
	if (locked && !lockdep_is_held(&kvm->lock))
		violation("%s: %s not locked", dev->name, kvm->stats_id);
	if (refcount_read(&kvm->users_count) < 1 ||
	    strncmp(kvm->stats_id, "kvm-", 4) ||
	    __atomic_load_n(&kvm->vm_file, __ATOMIC_SEQ_CST) != vm->file ||
	    atomic_load(&vm->file->f_count) < 1)
		violation("%s: VM not alive", dev->name);
	if (dev->domain == &excl ? vm->excl_attached != 1 :
	    dev->domain == &shared ? vm->shared_attached < 1 :
	    devs_on(policy_devs, kvm) != 1)
		violation("%s: %s does not have the device", dev->name,
			  kvm->stats_id);
	atomic_fetch_add(&stats.lookups, 1);
}

/*
 * The lock helper on a domain without an outer lock, a driver bug: one
 * warning, and the domain lock alone, taken and released.
 */
static void check_lock_without_outer(void)
{
	struct mdev_kvm_assoc *dev = &shared_devs[0];
	int warnings = atomic_load(&shim_warnings);

	mdev_kvm_assoc_lock(dev);
	if (!lockdep_is_held(&shared_lock) ||
	    lockdep_is_held(&excl_outer) || mdev_kvm_assoc_kvm(dev))
		violation("%s: lock helper without an outer lock", dev->name);
	mdev_kvm_assoc_unlock(dev);
	if (lockdep_is_held(&shared_lock) ||
	    atomic_load(&shim_warnings) != warnings + 1)
		violation("%s: lock helper without an outer lock: %d warnings",
			  dev->name, atomic_load(&shim_warnings) - warnings);
	atomic_store(&shim_warnings, warnings);
}

/* Opening a debugfs file reads it (see the shim's single_open()). */
static int debugfs_cat(struct dentry *dir, const char *name, char *out,
		       size_t size)
{
	struct dentry *d = debugfs_lookup(name, dir);
	struct file file = {};
	struct seq_file *m;
	int ret;

	if (!d || !d->fops)
		return -ENOENT;
	ret = d->fops->open(&d->inode, &file);
	if (ret)
		return ret;
	m = file.private_data;
	ret = m->count < m->size ? 0 : -EOVERFLOW;
	snprintf(out, size, "%s", m->buf);
	d->fops->release(&d->inode, &file);
	return ret;
}

/* "associations": a consistent snapshot; in the exclusive domains, one device per VM. */
static void check_debugfs(struct mdev_kvm_assoc_domain *d, bool empty)
{
	char buf[PAGE_SIZE], ids[NR_DEVS][KVM_STATS_NAME_SIZE];
	char *line, *save;
	int i, n = 0;

	if (debugfs_cat(d->debugfs, "associations", buf, sizeof(buf))) {
		violation("%s: associations unreadable", d->name);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[16], id[KVM_STATS_NAME_SIZE];

		if (n == NR_DEVS || sscanf(line, "%15s %47s", name, id) != 2 ||
		    strncmp(id, "kvm-", 4)) {
			violation("%s: associations: \"%s\"", d->name, line);
			return;
		}
		for (i = 0; d != &shared && i < n; i++)
			if (!strcmp(ids[i], id))
				violation("%s: two devices on %s", d->name, id);
		snprintf(ids[n++], sizeof(ids[0]), "%s", id);
	}
	if (empty && n)
		violation("%s: %d associations left", d->name, n);
	atomic_fetch_add(&stats.debugfs_reads, 1);
}

/* User space: sysfs attributes, vfio_ap's hotplug walk, debugfs. */
static void *sysfs_thread(void *arg)
{
	char buf[PAGE_SIZE];
	int i, n;

	thread_init((uintptr_t)arg);
	while (!atomic_load(&stop)) {
		struct mdev_kvm_assoc *dev = random_dev();

		switch (rnd(8)) {
		case 0 ... 2:
			if (dev->domain->outer_lock) {
				mdev_kvm_assoc_lock(dev);
				check_vm(dev, true);
				mdev_kvm_assoc_unlock(dev);
			} else {
				scoped_guard(mutex, dev->domain->lock)
					check_vm(dev, false);
			}
			break;
		case 3 ... 5:
			n = mdev_kvm_assoc_sysfs_emit(dev, buf);
			if (n != (int)strlen(buf) ||
			    (strcmp(buf, "none\n") && strncmp(buf, "kvm-", 4)))
				violation("%s: sysfs: \"%s\"", dev->name, buf);
			break;
		case 6:
			mutex_lock(&excl_outer);
			for (i = 0; i < NR_DEVS; i++) {
				mdev_kvm_assoc_lock_inner(&excl_devs[i]);
				check_vm(&excl_devs[i], true);
				mdev_kvm_assoc_unlock_inner(&excl_devs[i]);
			}
			mutex_unlock(&excl_outer);
			break;
		default:
			check_debugfs(rnd(2) ? &excl : rnd(2) ? &shared : &policy,
				      false);
		}
		shim_return_to_user();
	}
	thread_exit();
	return NULL;
}

/* KVM's side: the VM's devices, walked; intercepts under the rwsem. */
static void *vm_thread(void *arg)
{
	thread_init((uintptr_t)arg);
	while (!atomic_load(&stop)) {
		struct kvm *kvm;
		struct file *file = vm_get(&kvm);
		struct vm *vm = to_vm(kvm);
		int n;

		switch (rnd(3)) {
		case 0:		/* from the VM: kvm->lock, then the driver's */
			mutex_lock(&kvm->lock);
			mutex_lock(&excl_lock);
			n = devs_on(excl_devs, kvm);
			if (n > 1 || n != vm->excl_attached)
				violation("%s: %d devices found, %d attached",
					  kvm->stats_id, n, vm->excl_attached);
			mutex_unlock(&excl_lock);
			mutex_lock(&policy_lock);
			if (devs_on(policy_devs, kvm) > 1)
				violation("%s: two devices of the policy domain",
					  kvm->stats_id);
			mutex_unlock(&policy_lock);
			mutex_unlock(&kvm->lock);
			if (n)
				atomic_fetch_add(&stats.walks, 1);
			break;
		case 1:		/* under the driver locks alone */
			mutex_lock(&excl_lock);
			if (devs_on(excl_devs, kvm) > 1)
				violation("%s: two exclusive devices",
					  kvm->stats_id);
			mutex_unlock(&excl_lock);
			mutex_lock(&shared_lock);
			if (devs_on(shared_devs, kvm) != vm->shared_attached)
				violation("%s: %d shared devices found, %d attached",
					  kvm->stats_id,
					  devs_on(shared_devs, kvm),
					  vm->shared_attached);
			mutex_unlock(&shared_lock);
			break;
		default:	/* an intercept uses what attach installed */
			down_read(&vm->hooks_sem);
			if (vm->hooks != vm->shared_attached)
				violation("%s: %d hooks for %d devices",
					  kvm->stats_id, vm->hooks,
					  vm->shared_attached);
			if (vm->hooks)
				atomic_fetch_add(&stats.intercepts, 1);
			up_read(&vm->hooks_sem);
		}
		fput(file);
		shim_return_to_user();
	}
	thread_exit();
	return NULL;
}

/* The VMs' owners close them, devices or not, and start new ones. */
static void *owner_thread(void *arg)
{
	thread_init((uintptr_t)arg);
	while (!atomic_load(&stop)) {
		struct kvm *new = vm_create(), *old;
		int i = rnd(NR_SLOTS);

		mutex_lock(&slots_lock);
		old = slots[i];
		slots[i] = new;
		mutex_unlock(&slots_lock);
		vm_close(old);
		shim_return_to_user();
		usleep(1000);
	}
	thread_exit();
	return NULL;
}

/* Negative control: the old vfio_ap order, driver lock then kvm->lock. */
static void *inversion_thread(void *arg)
{
	struct mdev_kvm_assoc *dev = &shared_devs[0];
	struct core_dev *c = to_core(dev);
	struct file *file = NULL;
	struct kvm *kvm;

	thread_init((uintptr_t)arg);
	/* the library's order on the VM of an open device */
	while (!file) {
		open_device(dev);
		mutex_lock(&c->lock);
		if (c->file)
			file = get_file(c->file);
		mutex_unlock(&c->lock);
		shim_return_to_user();
	}
	kvm = file->private_data;
	mutex_lock(&shared_lock);
	mutex_lock(&kvm->lock);
	mutex_unlock(&kvm->lock);
	mutex_unlock(&shared_lock);
	fput(file);
	thread_exit();
	return NULL;
}

/* Negative control: the old drivers' unlocked "if (matrix_mdev->kvm)". */
static void *race_thread(void *arg)
{
	long seen = 0;
	int i;

	thread_init((uintptr_t)arg);
	while (!atomic_load(&stop)) {
		/* READ_ONCE() keeps the load; it does not make it safe */
		for (i = 0; i < NR_DEVS; i++)
			if (READ_ONCE(shared_devs[i].kvm))
				seen++;
		sched_yield();
	}
	atomic_store(&stats.unlocked_reads, seen);
	thread_exit();
	return NULL;
}

/*
 * Negative control: a VM's teardown under the driver's lock, as the old
 * drivers' final kvm_put_kvm() ran it: the last reference on a VM's file
 * dropped with its release run at once, the domain lock held.
 */
static void *release_thread(void *arg)
{
	struct kvm *kvm;

	thread_init((uintptr_t)arg);
	kvm = vm_create();
	mutex_lock(&shared_lock);
	__fput_sync(to_vm(kvm)->file);
	mutex_unlock(&shared_lock);
	thread_exit();
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"%s [--seconds=N] [--negative=inversion|race|release]\n",
		prog);
	return 2;
}

/* the line tests/tsan.sh shows */
#define TSAN_SUMMARY \
	"mdev_kvm_assoc_tsan: %s in %.1f s: %ld attached, %ld refused, %ld detached; %ld policy-only attaches under kvm->lock; %ld lookups of a VM, %ld of none; %ld walks, %ld intercepts, %ld debugfs reads; VMs %ld created, %ld freed, %ld closed by their owner, %ld of them in use; files %ld opened, %ld released, references %ld taken, %ld dropped; warnings %d, violations %d\n"

int main(int argc, char **argv)
{
	void *(*negative)(void *) = NULL;
	pthread_t threads[NR_OPENERS + 5];
	int i, ret, nr = 0, seconds = 3;
	double start = now();
	struct file *file;
	bool pass;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--seconds=", 10))
			seconds = atoi(argv[i] + 10);
		else if (!strcmp(argv[i], "--negative=inversion"))
			negative = inversion_thread;
		else if (!strcmp(argv[i], "--negative=race"))
			negative = race_thread;
		else if (!strcmp(argv[i], "--negative=release"))
			negative = release_thread;
		else
			return usage(argv[0]);
	}
	if (seconds < 1)
		return usage(argv[0]);
	alarm(seconds + 60);	/* a deadlock fails rather than hangs */
	thread_init(0);

	if (shim_initcall() || mdev_kvm_assoc_domain_init(&excl) ||
	    mdev_kvm_assoc_domain_init(&shared) ||
	    mdev_kvm_assoc_domain_init(&policy) ||
	    IS_ERR_OR_NULL(excl.debugfs) || !excl.debugfs->parent ||
	    strcmp(excl.debugfs->parent->name, "mdev_kvm_assoc")) {
		fprintf(stderr, "mdev_kvm_assoc_tsan: FAIL: setup\n");
		return 1;
	}
	for (i = 0; i < NR_DEVS; i++) {
		snprintf(dev_names[0][i], 16, "excl%d", i);
		snprintf(dev_names[1][i], 16, "shared%d", i);
		snprintf(dev_names[2][i], 16, "policy%d", i);
		mdev_kvm_assoc_init(&excl_devs[i], &excl, dev_names[0][i]);
		mdev_kvm_assoc_init(&shared_devs[i], &shared, dev_names[1][i]);
		mdev_kvm_assoc_init(&policy_devs[i], &policy, dev_names[2][i]);
		mutex_init(&cores[0][i].lock);
		mutex_init(&cores[1][i].lock);
		mutex_init(&cores[2][i].lock);
	}
	for (i = 0; i < NR_SLOTS; i++)
		slots[i] = vm_create();

	for (i = 0; i < NR_OPENERS; i++)
		pthread_create(&threads[nr++], NULL, opener_thread,
			       (void *)(uintptr_t)(i + 1));
	pthread_create(&threads[nr++], NULL, sysfs_thread, (void *)10);
	pthread_create(&threads[nr++], NULL, vm_thread, (void *)11);
	pthread_create(&threads[nr++], NULL, owner_thread, (void *)12);
	if (negative)
		pthread_create(&threads[nr++], NULL, negative, (void *)13);
	sleep(seconds);
	atomic_store(&stop, true);
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);

	/* every device closed: nothing associated, then every VM freed */
	for (i = 0; i < NR_DEVS; i++) {
		close_device(&excl_devs[i]);
		close_device(&shared_devs[i]);
		close_device(&policy_devs[i]);
	}
	shim_return_to_user();
	for (i = 0; i < 3 * NR_DEVS; i++) {
		struct mdev_kvm_assoc *dev = i < NR_DEVS ? &excl_devs[i] :
					     i < 2 * NR_DEVS ?
					     &shared_devs[i - NR_DEVS] :
					     &policy_devs[i - 2 * NR_DEVS];

		scoped_guard(mutex, dev->domain->lock)
			if (mdev_kvm_assoc_kvm(dev))
				violation("%s: still associated", dev->name);
	}
	check_lock_without_outer();
	check_debugfs(&excl, true);
	check_debugfs(&shared, true);
	check_debugfs(&policy, true);
	for (i = 0; i < NR_SLOTS; i++) {
		vm_close(slots[i]);
		slots[i] = NULL;
	}
	shim_return_to_user();
	mdev_kvm_assoc_domain_destroy(&excl);	/* WARNs on associations left */
	mdev_kvm_assoc_domain_destroy(&shared);
	mdev_kvm_assoc_domain_destroy(&policy);
	shim_exitcall();
	while ((file = free_files)) {
		free_files = file->f_task_work;
		free(file);
	}

	ret = atomic_load(&violations);
	pass = !ret && !atomic_load(&shim_warnings) &&
	       atomic_load(&stats.vms_created) == atomic_load(&stats.vms_freed) &&
	       atomic_load(&stats.files_opened) ==
			atomic_load(&stats.files_released) &&
	       atomic_load(&shim_file_gets) == atomic_load(&shim_file_puts) &&
	       atomic_load(&stats.attached) == atomic_load(&stats.detached) &&
	       atomic_load(&stats.attached) && atomic_load(&stats.lookups) &&
	       atomic_load(&stats.walks) && atomic_load(&stats.intercepts) &&
	       atomic_load(&stats.attached_under_kvm_lock) &&
	       atomic_load(&stats.vms_closed_in_use);
	printf(TSAN_SUMMARY,
	       pass ? "PASS" : "FAIL", now() - start,
	       atomic_load(&stats.attached), atomic_load(&stats.refused),
	       atomic_load(&stats.detached),
	       atomic_load(&stats.attached_under_kvm_lock),
	       atomic_load(&stats.lookups), atomic_load(&stats.lookups_none),
	       atomic_load(&stats.walks), atomic_load(&stats.intercepts),
	       atomic_load(&stats.debugfs_reads),
	       atomic_load(&stats.vms_created), atomic_load(&stats.vms_freed),
	       atomic_load(&stats.vms_closed),
	       atomic_load(&stats.vms_closed_in_use),
	       atomic_load(&stats.files_opened),
	       atomic_load(&stats.files_released),
	       atomic_load(&shim_file_gets), atomic_load(&shim_file_puts),
	       atomic_load(&shim_warnings), ret);
	return pass ? 0 : 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of mdev_kvm_assoc, run when the module loads.
 *
 * Every figure is a ratio of two sequences timed side by side in one run,
 * alternating in rounds, so that the machine's speed cancels out:
 *
 *   attach_detach         attach+detach in a domain without callbacks
 *                         or policy flags against v2's hand-written
 *                         sequence, the one v2's figure of the same name
 *                         used: a reference on the VM's file, kvm->lock,
 *                         then the driver lock, the check (which v2's
 *                         lacked), the publication, the unlock and the
 *                         put (a subset of vfio_ap's open-coded pattern,
 *                         with a file reference for its kvm_get_kvm());
 *                         the library takes no reference, as the core
 *                         holds the VM, and no kvm->lock, as the domain
 *                         has no callbacks
 *   attach_detach_vs_bare the same library side against the least a
 *                         driver could write on a core that holds the
 *                         VM: the driver lock, the check, the
 *                         publication, the unlock; less work than the
 *                         library does, so about 1 at best
 *   attach_4096_vs_1      attach+detach with 4096 devices of the domain
 *                         attached to other VMs, against 1
 *   list_walk_4096_vs_1   the same for an open-coded "one device per VM"
 *                         walk over the driver's devices (kvmgt)
 *   kvm_lock_hold_4096_vs_1  how long the library's attach holds kvm->lock
 *   list_walk_hold_4096_vs_1 how long the open-coded attach holds it
 *   kvm_lock_hold_vs_hand how long the library's attach holds kvm->lock
 *                         with one device, in an exclusive domain with a
 *                         vm_rwsem (so attach takes kvm->lock), against
 *                         the hand-written sequence with its check
 *
 * Each line reads "bench: NAME ratio=X". The VMs are bare struct kvm with a
 * file of their own, as KVM_CREATE_VM gives them, which the benchmark
 * holds until the end, as the VFIO core holds it while a device is open:
 * the library borrows it and takes no reference, and neither do the
 * hand-written sides but v2's (BENCH_OPEN).
 */
#define pr_fmt(fmt) "bench: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

static unsigned int rounds = 15;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds of each side; the median ratio is shown");

static unsigned int iters = 2000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "Attach+detach pairs per round and side");

#define BENCH_MANY	4096

struct bench_dev {
	struct mdev_kvm_assoc assoc;
	struct list_head node;		/* hand-written: the driver's list */
	struct kvm *kvm;		/* hand-written: published VM */
	struct file *file;		/* open-coded: its reference */
};

struct bench_drv {
	struct mutex lock;		/* the driver lock, after kvm->lock */
	bool lib;			/* the domain below is initialised */
	bool rwsem;			/* attach and detach take bench_rwsem */
	struct mdev_kvm_assoc_domain domain;
	struct mdev_kvm_assoc_ops ops;
	struct list_head devs;
	bool timing;			/* an attach whose hold is timed */
	u64 locked_at, hold_ns;		/* kvm->lock hold time, summed */
};

static struct bench_drv *bench_current;

/*
 * The library takes the VM's rwsem right after kvm->lock and releases it
 * right before unlocking it (see mdev_kvm_assoc_lock_order()): the two
 * calls of the getter bracket the hold of kvm->lock.
 */
static DECLARE_RWSEM(bench_rwsem);

static struct rw_semaphore *bench_vm_rwsem(struct kvm *kvm)
{
	struct bench_drv *drv = bench_current;
	u64 now = ktime_get_ns();

	if (!drv->timing)
		return &bench_rwsem;
	if (rwsem_is_locked(&bench_rwsem))
		drv->hold_ns += now - drv->locked_at;
	else
		drv->locked_at = now;
	return &bench_rwsem;
}

static int bench_vm_release(struct inode *inode, struct file *file)
{
	vfree(file->private_data);
	return 0;
}

static const struct file_operations bench_vm_fops = {
	.owner = THIS_MODULE,
	.release = bench_vm_release,
};

static struct kvm *bench_vm_create(void)
{
	struct kvm *kvm = vzalloc(sizeof(*kvm));
	struct file *file;

	if (!kvm)
		return NULL;
	mutex_init(&kvm->lock);
	file = anon_inode_getfile("kvm-bench", &bench_vm_fops, kvm, O_RDWR);
	if (IS_ERR(file)) {
		vfree(kvm);
		return NULL;
	}
	kvm->vm_file = file;
	return kvm;
}

/* The release, which frees the VM, follows from fput()'s task work. */
static void bench_vm_destroy(struct kvm *kvm)
{
	if (kvm)
		fput(kvm->vm_file);
}

static void bench_vms_free(struct kvm **vms, int n)
{
	while (n--)
		bench_vm_destroy(vms[n]);
	kvfree(vms);
}

/* A library domain named @name, or with a NULL @name only a driver lock. */
static int bench_drv_init(struct bench_drv *drv, const char *name,
			  unsigned int policy, bool hold)
{
	int ret;

	mutex_init(&drv->lock);
	INIT_LIST_HEAD(&drv->devs);
	drv->rwsem = hold;
	if (!name)
		return 0;
	drv->ops.vm_rwsem = bench_vm_rwsem;
	drv->domain.name = name;
	drv->domain.policy = policy;
	/* as the policy-only users (kvmgt, vfio-ccw, the samples): no ops */
	drv->domain.ops = hold ? &drv->ops : NULL;
	drv->domain.lock = &drv->lock;
	ret = mdev_kvm_assoc_domain_init(&drv->domain);
	drv->lib = !ret;
	return ret;
}

static void bench_drv_destroy(struct bench_drv *drv)
{
	if (drv->lib)
		mdev_kvm_assoc_domain_destroy(&drv->domain);
}

/*
 * The sequences without the library, on a VM whose file the caller holds,
 * as the VFIO core does:
 *
 * BENCH_BARE, the least a driver with no use for the VM locked could write:
 * the driver lock, the check that the device is not attached yet, the
 * publication, the unlock.
 *
 * BENCH_OPEN, v2's hand-written side, a subset of vfio_ap's open-coded
 * pattern (without its guests_lock) with a reference on the VM's file
 * where vfio_ap takes kvm_get_kvm(): its own reference, then kvm->lock
 * before the driver lock, and the put after unlocking; the check is
 * BENCH_BARE's, which v2's side lacked.
 *
 * BENCH_WALK, for a driver that needs the VM locked: kvm->lock before the
 * driver lock, and kvmgt's check for another device of the driver on the
 * VM, under the locks; with drv->rwsem it takes bench_rwsem where the
 * library takes the VM's rwsem, which also times the hold of kvm->lock the
 * same way.
 *
 * Not inlined into the loop: a driver's sequence is its open_device and
 * close_device, functions the VFIO core calls, as the library's attach and
 * detach are.
 */
enum bench_side { BENCH_LIB, BENCH_BARE, BENCH_OPEN, BENCH_WALK };

static noinline int hand_attach(struct bench_drv *drv, struct bench_dev *dev,
				struct kvm *kvm, enum bench_side side)
{
	bool vm_locked = side != BENCH_BARE;
	struct bench_dev *other;
	int ret = 0;

	if (side == BENCH_OPEN) {
		dev->file = get_file_active(&kvm->vm_file);
		if (!dev->file)
			return -ENOENT;
	}
	if (vm_locked) {
		mutex_lock(&kvm->lock);
		if (drv->rwsem)
			down_write(bench_vm_rwsem(kvm));
	}
	mutex_lock(&drv->lock);
	if (dev->kvm)
		ret = -EALREADY;
	if (side == BENCH_WALK) {
		list_for_each_entry(other, &drv->devs, node)
			if (other->kvm == kvm)
				ret = -EBUSY;
	}
	if (!ret) {
		dev->kvm = kvm;
		list_add_tail(&dev->node, &drv->devs);
	}
	mutex_unlock(&drv->lock);
	if (vm_locked) {
		if (drv->rwsem)
			up_write(bench_vm_rwsem(kvm));
		mutex_unlock(&kvm->lock);
	}
	if (ret && dev->file) {
		fput(dev->file);
		dev->file = NULL;
	}
	return ret;
}

static noinline void hand_detach(struct bench_drv *drv, struct bench_dev *dev,
				 enum bench_side side)
{
	bool vm_locked = side != BENCH_BARE;
	struct kvm *kvm = dev->kvm;

	if (vm_locked) {
		mutex_lock(&kvm->lock);
		if (drv->rwsem)
			down_write(bench_vm_rwsem(kvm));
	}
	mutex_lock(&drv->lock);
	dev->kvm = NULL;
	list_del(&dev->node);
	mutex_unlock(&drv->lock);
	if (vm_locked) {
		if (drv->rwsem)
			up_write(bench_vm_rwsem(kvm));
		mutex_unlock(&kvm->lock);
	}
	if (dev->file) {
		fput(dev->file);
		dev->file = NULL;
	}
}

/*
 * Nanoseconds for @iters attach+detach pairs of @dev on @kvm; with @hold,
 * the time attach holds kvm->lock is summed in @drv->hold_ns.
 */
static u64 bench_pairs(enum bench_side side, struct bench_drv *drv,
		       struct bench_dev *dev, struct kvm *kvm, bool hold)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	int ret;

	bench_current = drv;
	for (i = 0; i < iters; i++) {
		drv->timing = hold;
		if (side == BENCH_LIB)
			ret = mdev_kvm_assoc_attach(&dev->assoc, kvm);
		else
			ret = hand_attach(drv, dev, kvm, side);
		drv->timing = false;
		if (ret)
			return 0;
		if (side == BENCH_LIB)
			mdev_kvm_assoc_detach(&dev->assoc);
		else
			hand_detach(drv, dev, side);
	}
	return ktime_get_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v)
{
	u64 r[64];

	memcpy(r, v, rounds * sizeof(*r));
	sort(r, rounds, sizeof(*r), cmp_u64, NULL);
	return r[rounds / 2];
}

/* Median of the per-round ratios a/b, in thousandths. */
static u64 median_ratio(u64 *a, u64 *b)
{
	u64 r[64];
	unsigned int i;

	for (i = 0; i < rounds; i++)
		r[i] = b[i] ? div64_u64(a[i] * 1000, b[i]) : 0;
	return median(r);
}

static void bench_print(const char *name, u64 milli)
{
	pr_info("%s ratio=%llu.%03llu\n", name, milli / 1000, milli % 1000);
}

/* A driver with @n devices attached, each to a VM of its own. */
struct bench_setup {
	struct bench_drv drv;
	struct bench_dev *devs;
	struct kvm **vms;
	int n, vms_made;
};

static int bench_setup(struct bench_setup *s, const char *name, int n,
		       enum bench_side side)
{
	int i, ret;

	s->n = n;
	ret = bench_drv_init(&s->drv, side == BENCH_LIB ? name : NULL,
			     MDEV_KVM_ASSOC_EXCLUSIVE, true);
	if (ret)
		return ret;
	s->devs = kvcalloc(n + 1, sizeof(*s->devs), GFP_KERNEL);
	s->vms = kvcalloc(n + 1, sizeof(*s->vms), GFP_KERNEL);
	if (!s->devs || !s->vms)
		return -ENOMEM;
	bench_current = &s->drv;
	for (i = 0; i <= n; i++) {
		s->vms[i] = bench_vm_create();
		if (!s->vms[i])
			return -ENOMEM;
		s->vms_made++;
		mdev_kvm_assoc_init(&s->devs[i].assoc, &s->drv.domain, "bench");
		if (i == n)
			break;	/* the device and VM that are measured */
		if (side == BENCH_LIB)
			ret = mdev_kvm_assoc_attach(&s->devs[i].assoc, s->vms[i]);
		else
			ret = hand_attach(&s->drv, &s->devs[i], s->vms[i],
					  BENCH_WALK);
		if (ret)
			return ret;
	}
	return 0;
}

static void bench_teardown(struct bench_setup *s)
{
	int i;

	bench_current = &s->drv;
	for (i = 0; s->devs && i < s->n; i++) {
		if (s->drv.lib)
			mdev_kvm_assoc_detach(&s->devs[i].assoc);
		else if (s->devs[i].kvm)
			hand_detach(&s->drv, &s->devs[i], BENCH_WALK);
	}
	kvfree(s->devs);
	if (s->vms)
		bench_vms_free(s->vms, s->vms_made);
	bench_drv_destroy(&s->drv);
}

/* @side with BENCH_MANY devices against 1, time and kvm->lock hold time. */
static int bench_scaling(enum bench_side side, const char *name,
			 const char *hold_name)
{
	struct bench_setup *one, *many;
	u64 *t1, *tn, *h1, *hn;
	unsigned int i;
	int ret = -ENOMEM;

	one = kzalloc_obj(*one);
	many = kzalloc_obj(*many);
	t1 = kcalloc(4 * rounds, sizeof(*t1), GFP_KERNEL);
	if (!one || !many || !t1)
		goto out;
	tn = t1 + rounds;
	h1 = tn + rounds;
	hn = h1 + rounds;
	ret = bench_setup(one, "bench-1", 1, side);
	if (!ret)
		ret = bench_setup(many, "bench-4096", BENCH_MANY, side);
	for (i = 0; !ret && i < rounds; i++) {
		one->drv.hold_ns = 0;
		many->drv.hold_ns = 0;
		/* alternate which goes first */
		if (i & 1)
			tn[i] = bench_pairs(side, &many->drv, &many->devs[BENCH_MANY],
					    many->vms[BENCH_MANY], true);
		t1[i] = bench_pairs(side, &one->drv, &one->devs[1], one->vms[1],
				    true);
		if (!(i & 1))
			tn[i] = bench_pairs(side, &many->drv, &many->devs[BENCH_MANY],
					    many->vms[BENCH_MANY], true);
		h1[i] = one->drv.hold_ns;
		hn[i] = many->drv.hold_ns;
		if (!t1[i] || !tn[i])
			ret = -EIO;
	}
	if (!ret) {
		bench_print(name, median_ratio(tn, t1));
		bench_print(hold_name, median_ratio(hn, h1));
		pr_info("detail: %s: %llu ns per attach+detach with 1 device, %llu with %d; attach holds kvm->lock %llu ns, %llu ns\n",
			name, div_u64(median(t1), iters),
			div_u64(median(tn), iters), BENCH_MANY,
			div_u64(median(h1), iters), div_u64(median(hn), iters));
	}
	bench_teardown(one);
	bench_teardown(many);
out:
	kfree(t1);
	kfree(one);
	kfree(many);
	return ret;
}

/*
 * The library against a sequence without it, one device on one VM. Against
 * BENCH_BARE or BENCH_OPEN: the time of an attach+detach pair in a domain
 * with policies only. Against BENCH_WALK: the time attach holds kvm->lock
 * in a domain with @policy and a vm_rwsem, so that attach takes kvm->lock;
 * BENCH_WALK checks for another device on the VM as @policy's exclusivity
 * does.
 */
static int bench_vs_hand(const char *name, enum bench_side hand_side,
			 unsigned int policy)
{
	bool hold = hand_side == BENCH_WALK;
	struct bench_drv *lib, *hand;
	struct bench_dev *dev;
	u64 *tl, *th, *hl, *hh;
	struct kvm *kvm;
	unsigned int i;
	int ret = -ENOMEM;

	lib = kzalloc_obj(*lib);
	hand = kzalloc_obj(*hand);
	dev = kzalloc_obj(*dev);
	tl = kcalloc(4 * rounds, sizeof(*tl), GFP_KERNEL);
	kvm = bench_vm_create();
	if (!lib || !hand || !dev || !tl || !kvm)
		goto out;
	th = tl + rounds;
	hl = th + rounds;
	hh = hl + rounds;
	ret = bench_drv_init(lib, "bench", policy, hold);
	if (ret)
		goto out;
	bench_drv_init(hand, NULL, 0, hold);
	mdev_kvm_assoc_init(&dev->assoc, &lib->domain, "bench");
	for (i = 0; !ret && i < rounds; i++) {
		lib->hold_ns = 0;
		hand->hold_ns = 0;
		/* alternate which goes first */
		if (i & 1)
			th[i] = bench_pairs(hand_side, hand, dev, kvm, hold);
		tl[i] = bench_pairs(BENCH_LIB, lib, dev, kvm, hold);
		if (!(i & 1))
			th[i] = bench_pairs(hand_side, hand, dev, kvm, hold);
		hl[i] = lib->hold_ns;
		hh[i] = hand->hold_ns;
		if (!tl[i] || !th[i])
			ret = -EIO;
	}
	if (!ret && hold) {
		bench_print(name, median_ratio(hl, hh));
		pr_info("detail: %s: attach holds kvm->lock %llu ns with the library, %llu hand-written\n",
			name, div_u64(median(hl), iters),
			div_u64(median(hh), iters));
	} else if (!ret) {
		bench_print(name, median_ratio(tl, th));
		pr_info("detail: %s: %llu ns per pair with the library, %llu hand-written\n",
			name, div_u64(median(tl), iters), div_u64(median(th), iters));
	}
	bench_drv_destroy(lib);
out:
	bench_vm_destroy(kvm);
	kfree(tl);
	kfree(dev);
	kfree(hand);
	kfree(lib);
	return ret;
}

static int __init mdev_kvm_assoc_bench_init(void)
{
	int ret;

	if (!rounds || rounds > 64 || !iters)
		return -EINVAL;
	ret = bench_vs_hand("attach_detach", BENCH_OPEN, 0);
	if (!ret)
		ret = bench_vs_hand("attach_detach_vs_bare", BENCH_BARE, 0);
	if (!ret)
		ret = bench_vs_hand("kvm_lock_hold_vs_hand", BENCH_WALK,
				    MDEV_KVM_ASSOC_EXCLUSIVE);
	if (!ret)
		ret = bench_scaling(BENCH_LIB, "attach_4096_vs_1",
				    "kvm_lock_hold_4096_vs_1");
	if (!ret)
		ret = bench_scaling(BENCH_WALK, "list_walk_4096_vs_1",
				    "list_walk_hold_4096_vs_1");
	if (ret)
		pr_err("failed: %pe\n", ERR_PTR(ret));
	return ret;
}
module_init(mdev_kvm_assoc_bench_init);

static void __exit mdev_kvm_assoc_bench_exit(void)
{
}
module_exit(mdev_kvm_assoc_bench_exit);

MODULE_DESCRIPTION("Benchmark of mdev_kvm_assoc against open-coded sequences");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * drivers/s390/crypto/vfio_ap_ops.c, compiled unmodified as its own
 * translation unit with lib/mdev_kvm_assoc.c against the shim, driven
 * through its own entry points: the mdev driver's probe and remove, the
 * sysfs attributes of its groups, the VFIO core's open and close (the
 * VM's file held while open, as patch 0002), its vfio_device_ops, the PQAP
 * hook it installs in the guest, and the exported queue and configuration
 * callbacks of the AP bus. This file plays vfio_ap_drv.c, kvm.ko (VMs
 * with a file, vCPUs) and user space. tests/vfio-ap.sh runs it.
 *
 * --scenario=NAME runs one scenario (all when omitted); --race=SECS the
 * racing threads; --negative=inversion|race the negative controls.
 *
 * Built with VFIO_AP_UNCONVERTED, it drives a vfio_ap_ops.c without the
 * series (an unpatched base, with or without the fixes): the checks of
 * what the series adds (the queue's guest) are left out, and those of
 * the kept NIBs unless VFIO_AP_FIXED says the s390 fixes are applied.
 */
#include <getopt.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/kvm_host.h>
#include <shim/env.h>
#include <asm/debug.h>

#include "vfio_ap_private.h"

/* the core kernel's state, which the shim headers declare */
__thread struct task_struct shim_current;
__thread struct shim_held_locks shim_held;
atomic_long shim_file_gets, shim_file_puts;
atomic_int shim_warnings;
debug_info_t vfio_ap_dbf;
debug_info_t *vfio_ap_dbf_info = &vfio_ap_dbf;
struct ap_matrix_dev *matrix_dev;

static struct mm_struct vmm_mm;
static atomic_int failures;
static atomic_long vms_created, vms_freed, assigns, intercepts, resets;
static atomic_long unlocked_reads;

#define check(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		atomic_fetch_add(&failures, 1);				\
		fprintf(stderr, "FAIL %s:%d: %s: " fmt "\n", __FILE__,	\
			__LINE__, #cond, ##__VA_ARGS__);		\
	}								\
} while (0)

void shim_file_free(struct file *file)
{
	free(file);
}

/* kvm.ko: a VM and its file; the file's release drops the file's reference */
struct vm {
	struct kvm kvm;
	struct file *file;
};

void kvm_destroy_vm(struct kvm *kvm)
{
	int i;

	lockdep_assert_not_held(&kvm->lock);
	check(!kvm->arch.crypto.pqap_hook, "%s freed with a PQAP hook",
	      kvm->stats_id);
	for (i = 0; i <= MAX_ISC; i++)
		check(!kvm->arch.gisa_int.alert.ref_count[i],
		      "%s freed with ISC %d registered", kvm->stats_id, i);
	mutex_destroy(&kvm->lock);
	atomic_fetch_add(&vms_freed, 1);
	free(container_of(kvm, struct vm, kvm));	/* ASan sees later uses */
}

static struct kvm *vm_create(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct kvm *kvm;

	if (!vm)
		abort();
	kvm = &vm->kvm;
	mutex_init(&kvm->lock);
	refcount_set(&kvm->users_count, 1);
	kvm->mm = &vmm_mm;
	snprintf(kvm->stats_id, sizeof(kvm->stats_id), "kvm-%ld",
		 atomic_fetch_add(&vms_created, 1) + 1);
	/* a CRYCB, as kvm_s390_crypto_init() gives a VM with AP instructions */
	kvm->arch.crypto.crycbd = 1;
	init_rwsem(&kvm->arch.crypto.pqap_hook_rwsem);
	spin_lock_init(&kvm->arch.gisa_int.alert.ref_lock);
	kvm->arch.gisa_int.origin = &kvm->arch.gisa;
	kvm->arch.mem_pages = 512;
	vm->file = calloc(1, sizeof(*vm->file));
	if (!vm->file)
		abort();
	atomic_store(&vm->file->f_count, 1);
	atomic_fetch_add(&shim_file_gets, 1);
	vm->file->f_op = &kvm_vm_fops;
	vm->file->private_data = kvm;
	kvm->vm_file = vm->file;
	return kvm;
}

/* user space closes the VM fd */
static void vm_close(struct kvm *kvm)
{
	fput(container_of(kvm, struct vm, kvm)->file);
	shim_return_to_user();
}

/* a vCPU of @kvm executes PQAP(AQIC): priv.c's handle_pqap() */
static int vcpu_pqap(struct kvm *kvm, ap_qid_t apqn, bool enable,
		     unsigned int isc, u64 nib)
{
	struct kvm_s390_sie_block sie = { .eca = ECA_AIV };
	struct kvm_run run = {};
	struct kvm_vcpu vcpu = { .kvm = kvm, .run = &run,
				 .arch.sie_block = &sie };
	int ret = -EOPNOTSUPP;

	kvm_get_kvm(kvm);		/* the vCPU's */
	run.s.regs.gprs[0] = apqn;
	run.s.regs.gprs[1] = (enable ? 1UL << (63 - 16) : 0) | isc;
	run.s.regs.gprs[2] = nib;
	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	if (kvm->arch.crypto.pqap_hook) {
		ret = (*kvm->arch.crypto.pqap_hook)(&vcpu);
		atomic_fetch_add(&intercepts, 1);
	}
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
	kvm_put_kvm(kvm);
	shim_return_to_user();
	return ret;
}

/* vfio_ap_drv.c: the matrix device, the AP driver, its queues */
static struct ap_driver vfio_ap_drv = { .driver = { .name = "vfio_ap" } };

#define NR_CARDS 4	/* cards 1..3 and domains 5..7 have queues */
static struct ap_queue *qdevs[NR_CARDS][8];

static void matrix_dev_create(void)
{
	matrix_dev = kzalloc(sizeof(*matrix_dev), GFP_KERNEL);
	if (!matrix_dev)
		abort();
	snprintf(matrix_dev->device.name, sizeof(matrix_dev->device.name),
		 "matrix");
	mutex_init(&matrix_dev->mdevs_lock);
	mutex_init(&matrix_dev->guests_lock);
	INIT_LIST_HEAD(&matrix_dev->mdev_list);
	matrix_dev->vfio_ap_drv = &vfio_ap_drv;
	ap_qci(&matrix_dev->info);
}

static int queue_probe(int card, int dom)
{
	struct ap_queue *aq = ap_sim_queue_dev_add(AP_MKQID(card, dom),
						   &vfio_ap_drv);
	int ret = vfio_ap_mdev_probe_queue(&aq->ap_dev);

	shim_return_to_user();
	if (ret)
		ap_sim_queue_dev_del(aq);
	else
		qdevs[card][dom] = aq;
	return ret;
}

static void queue_remove(int card, int dom)
{
	struct ap_queue *aq = qdevs[card][dom];

	qdevs[card][dom] = NULL;
	vfio_ap_mdev_remove_queue(&aq->ap_dev);
	shim_return_to_user();
	ap_sim_queue_dev_del(aq);
}

static struct vfio_ap_queue *vq(int card, int dom)
{
	return qdevs[card][dom] ? dev_get_drvdata(&qdevs[card][dom]->ap_dev.device) :
				  NULL;
}

/* the AP bus's scan after a configuration change, with the callbacks */
static void host_config(int card, bool on)
{
	struct ap_config_info old = matrix_dev->info, new;
	int dom;

	ap_sim_config(card, -2, on);
	ap_qci(&new);
	vfio_ap_on_cfg_changed(&new, &old);
	for (dom = 5; dom <= 7; dom++) {
		if (!on && qdevs[card][dom])
			queue_remove(card, dom);
		else if (on && !qdevs[card][dom])
			check(!queue_probe(card, dom), "probe %d.%d", card, dom);
	}
	vfio_ap_on_scan_complete(&new, &old);
	shim_return_to_user();
}

static struct ap_matrix_mdev *mm_of(struct mdev_device *mdev)
{
	return dev_get_drvdata(&mdev->dev);
}

static ssize_t store(struct mdev_device *mdev, const char *attr,
		     const char *fmt, ...) __printf(3, 4);
static ssize_t store(struct mdev_device *mdev, const char *attr,
		     const char *fmt, ...)
{
	char buf[128];
	va_list args;
	ssize_t ret;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	ret = shim_sysfs_store(&mdev->dev, attr, buf);
	if (ret > 0 && !strncmp(attr, "assign", 6))
		atomic_fetch_add(&assigns, 1);
	return ret;
}

static const char *show(struct mdev_device *mdev, const char *attr)
{
	static __thread char buf[PAGE_SIZE];

	if (shim_sysfs_show(&mdev->dev, attr, buf) < 0)
		return "(error)";
	return buf;
}

/* the guest's APCB is the mdev's shadow, or empty when not attached */
static void check_apcb(struct mdev_device *mdev, struct kvm *kvm)
{
	struct ap_matrix_mdev *m = mm_of(mdev);

	check(!memcmp(kvm->arch.crypto.apcb1.apm, m->shadow_apcb.apm, 32) &&
	      !memcmp(kvm->arch.crypto.apcb1.aqm, m->shadow_apcb.aqm, 32) &&
	      !memcmp(kvm->arch.crypto.apcb1.adm, m->shadow_apcb.adm, 32),
	      "%s: guest APCB is not the mdev's guest_matrix", kvm->stats_id);
}

static int ioctl(struct mdev_device *mdev, unsigned int cmd, void *arg)
{
	struct vfio_device *vdev = &mm_of(mdev)->vdev;

	return vdev->ops->ioctl(vdev, cmd, (unsigned long)arg);
}

static int reset(struct mdev_device *mdev)
{
	atomic_fetch_add(&resets, 1);
	return ioctl(mdev, VFIO_DEVICE_RESET, NULL);
}

/* the queues' state: ISC and NIB kept by the driver, and the machine's */
static bool irq_on(int card, int dom)
{
	struct ap_sim_queue *q = ap_sim_queue(AP_MKQID(card, dom));
	bool on;

	ap_sim_lock();
	on = q->irq;
	ap_sim_unlock();
	return on;
}

#define NIB	0x3008UL	/* guest address, page 3 */

/* scenarios; each starts with no mdev, all queues probed, no fault */
static void scn_probe(void)
{
	struct mdev_device *a = shim_mdev_create(1), *b = shim_mdev_create(2);

	check(!IS_ERR(a) && !IS_ERR(b), "mdev probe");
	check(!list_empty(&matrix_dev->mdev_list), "mdev_list empty");
	check(!strcmp(show(a, "matrix"), ""), "new mdev has a matrix");
	shim_mdev_remove(b);
	shim_mdev_remove(a);
	check(list_empty(&matrix_dev->mdev_list), "mdev_list not empty");
	check(atomic_load(&shim_counts.vdevs) == 0, "vfio devices left");
}

static void scn_assign(void)
{
	struct mdev_device *a = shim_mdev_create(1), *b = shim_mdev_create(2);
	struct kvm *kvm = vm_create();

	check(store(a, "assign_adapter", "1") == 1, "assign_adapter");
	check(store(a, "assign_adapter", "0x2\n") == 4, "assign_adapter hex");
	check(store(a, "assign_domain", "5") == 1, "assign_domain");
	check(store(a, "assign_domain", "6") == 1, "assign_domain");
	check(store(a, "assign_control_domain", "5") == 1, "assign_control_domain");
	check(store(a, "assign_adapter", "256") == -ENODEV, "apid range");
	check(store(a, "assign_domain", "x") == -EINVAL, "parse");
	check(!strcmp(show(a, "matrix"), "01.0005\n01.0006\n02.0005\n02.0006\n"),
	      "matrix: %s", show(a, "matrix"));
	check(!strcmp(show(a, "guest_matrix"), show(a, "matrix")), "guest_matrix");
	check(!strcmp(show(a, "control_domains"), "0005\n"), "control_domains");
	/* sharing a queue with another mdev is refused */
	check(store(b, "assign_domain", "6") == 1, "b assign_domain");
	check(store(b, "assign_adapter", "2") == -EADDRINUSE, "sharing: %zd",
	      store(b, "assign_adapter", "2"));
	check(store(b, "assign_adapter", "3") == 1, "b assign_adapter");
	check(store(a, "unassign_domain", "6") == 1, "unassign_domain");
	check(store(b, "ap_config", "0x%016lx%048d,0x%016lx%048d,0x0%063d\n",
		    0x3UL << 60, 0, 0x2UL << 56, 0, 0) < 0 ||
	      true, "ap_config");
	/* open, then assign and unassign with the guest running */
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	check(kvm->arch.crypto.pqap_hook == &mm_of(a)->pqap_hook, "hook");
	check_apcb(a, kvm);
	check(store(a, "assign_domain", "7") == 1, "assign_domain open");
	check(test_bit_inv(7, kvm->arch.crypto.apcb1.aqm), "domain 7 not in guest");
	check_apcb(a, kvm);
	check(store(a, "unassign_adapter", "2") == 1, "unassign_adapter open");
	check(!test_bit_inv(2, kvm->arch.crypto.apcb1.apm), "adapter 2 in guest");
	check(store(a, "assign_control_domain", "6") == 1, "cdom open");
	check(store(a, "unassign_control_domain", "5") == 1, "uncdom open");
	check_apcb(a, kvm);
	check(!strcmp(show(a, "ap_config"), show(a, "ap_config")), "ap_config");
	shim_vfio_close(&mm_of(a)->vdev);
	check(!kvm->arch.crypto.pqap_hook, "hook after close");
	check(bitmap_empty(kvm->arch.crypto.apcb1.apm, 256), "apcb after close");
	check(store(a, "unassign_adapter", "1") == 1, "unassign closed");
	shim_mdev_remove(b);
	shim_mdev_remove(a);
	vm_close(kvm);
}

static void scn_open(void)
{
	struct mdev_device *a = shim_mdev_create(1), *b = shim_mdev_create(2);
	struct kvm *kvm = vm_create(), *kvm2 = vm_create();
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct {
		struct vfio_irq_set set;
		s32 fd;
	} irqs = { { .argsz = sizeof(irqs), .count = 1,
		     .flags = VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_TRIGGER },
		   SHIM_EVENTFD_BASE };

	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	check(shim_vfio_open(&mm_of(a)->vdev, NULL) == -EINVAL, "no VM");
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	check(shim_vfio_open(&mm_of(b)->vdev, kvm) == -EPERM, "second mdev");
	check(!shim_vfio_open(&mm_of(b)->vdev, kvm2), "b on kvm2");
	check(!ioctl(a, VFIO_DEVICE_GET_INFO, &info) &&
	      info.flags == (VFIO_DEVICE_FLAGS_AP | VFIO_DEVICE_FLAGS_RESET),
	      "GET_INFO");
	check(!ioctl(a, VFIO_DEVICE_GET_IRQ_INFO, &irq) && irq.count == 1,
	      "GET_IRQ_INFO");
	check(!ioctl(a, VFIO_DEVICE_SET_IRQS, &irqs), "SET_IRQS");
	mm_of(a)->vdev.ops->request(&mm_of(a)->vdev, 0);
	check(atomic_load(&shim_eventfds[0].signals) == 1, "request signal");
	irqs.fd = -1;
	check(!ioctl(a, VFIO_DEVICE_SET_IRQS, &irqs), "SET_IRQS off");
	check(ioctl(a, 0, NULL) == -EOPNOTSUPP, "bad ioctl");
	check(!reset(a), "reset");
	shim_vfio_close(&mm_of(b)->vdev);
	shim_vfio_close(&mm_of(a)->vdev);
	vm_close(kvm2);
	/* the VM's file is gone: the open finds no VM */
	kvm_get_kvm(kvm);
	vm_close(kvm);
	check(shim_vfio_open(&mm_of(a)->vdev, kvm) == -EINVAL, "released VM");
	kvm_put_kvm(kvm);
	shim_mdev_remove(b);
	shim_mdev_remove(a);
}

static void scn_pqap(void)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();
	struct vfio_device *vdev = &mm_of(a)->vdev;

	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	check(vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB) == -EOPNOTSUPP,
	      "no hook");
	check(!shim_vfio_open(vdev, kvm), "open");
	check(!vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB), "enable");
	check(irq_on(1, 5) && shim_page_pins(NIB) == 1 &&
	      kvm->arch.gisa_int.alert.ref_count[3] == 1, "enabled");
#ifndef VFIO_AP_UNCONVERTED
	check(vq(1, 5)->saved_kvm == kvm, "the queue's guest");
#endif
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB);	/* again: 07 */
	check(shim_page_pins(NIB) == 1, "second enable: %ld pins",
	      shim_page_pins(NIB));
	check(!vcpu_pqap(kvm, AP_MKQID(1, 5), false, 0, 0), "disable");
	check(!irq_on(1, 5) && !shim_page_pins(NIB) &&
	      !kvm->arch.gisa_int.alert.ref_count[3], "disabled");
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, 0);		/* no NIB */
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, 600UL << 12);	/* not RAM */
	vcpu_pqap(kvm, AP_MKQID(2, 5), true, 3, NIB);	/* not the mdev's */
	check(!irq_on(1, 5) && !irq_on(2, 5), "enabled on a bad request");
	/* unmapping the NIB turns the interrupts off */
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB);
	vdev->ops->dma_unmap(vdev, NIB & PAGE_MASK, PAGE_SIZE);
	check(!irq_on(1, 5) && !shim_page_pins(NIB), "dma_unmap");
	/* a reset frees them, in the worker */
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB);
	check(!reset(a), "reset");
	check(!irq_on(1, 5) && !shim_page_pins(NIB) &&
	      vq(1, 5)->saved_isc == VFIO_AP_ISC_INVALID, "reset");
	/* and close */
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 2, NIB);
	shim_vfio_close(vdev);
	check(!irq_on(1, 5) && !shim_page_pins(NIB), "close");
	shim_mdev_remove(a);
	vm_close(kvm);
}

static void scn_queues(void)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();
	char status[PAGE_SIZE];

	store(a, "assign_adapter", "1");
	store(a, "assign_adapter", "2");
	store(a, "assign_domain", "6");
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	shim_sysfs_show(&qdevs[2][6]->ap_dev.device, "status", status);
	check(!strcmp(status, "in use\n"), "status: %s", status);
	/* a queue removed takes its adapter out of the guest */
	vcpu_pqap(kvm, AP_MKQID(2, 6), true, 1, NIB);
	queue_remove(2, 6);
	check(!test_bit_inv(2, kvm->arch.crypto.apcb1.apm), "adapter 2 stays");
	check(!irq_on(2, 6) && !shim_page_pins(NIB), "removed queue's irq");
	check(!queue_probe(2, 6), "probe");
	check(test_bit_inv(2, kvm->arch.crypto.apcb1.apm), "adapter 2 back");
	check_apcb(a, kvm);
	/* the host loses card 1, then gets it back */
	host_config(1, false);
	check(!test_bit_inv(1, kvm->arch.crypto.apcb1.apm), "card 1 in guest");
	host_config(1, true);
	check(test_bit_inv(1, kvm->arch.crypto.apcb1.apm), "card 1 not back");
	check_apcb(a, kvm);
	shim_vfio_close(&mm_of(a)->vdev);
	shim_sysfs_show(&qdevs[2][6]->ap_dev.device, "status", status);
	check(!strcmp(status, "assigned\n"), "status: %s", status);
	check(vfio_ap_mdev_resource_in_use(mm_of(a)->matrix.apm,
					   mm_of(a)->matrix.aqm) == -EADDRINUSE,
	      "in use");
	shim_mdev_remove(a);
	vm_close(kvm);
}

/*
 * Resets that fail or take polls, with interrupts on: the queue is
 * unassigned, the mdev closed and the VM freed, then the queue removed.
 * @fault: 0 several polls; 1 ZAPQ fails; 2 TAPQ fails after ZAPQ (the
 * reset worker's -EIO). Each failure WARNs once; nothing may be left.
 */
static void reset_fault(int fault)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();
	struct ap_sim_queue *q = ap_sim_queue(AP_MKQID(1, 5));
	int warnings = atomic_load(&shim_warnings);

	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	check(!vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB), "enable");
	ap_sim_lock();
	if (fault == 0) {
		q->reset_polls = 3;
	} else if (fault == 1) {
		q->zapq_fail = 1;
		q->zapq_fail_rc = AP_RESPONSE_INVALID_ADDRESS;
	} else {
		q->tapq_fail = 1;
		q->tapq_fail_rc = AP_RESPONSE_INVALID_DOMAIN;
	}
	ap_sim_unlock();
	atomic_fetch_add(&resets, 1);
	check(store(a, "unassign_adapter", "1") == 1, "unassign");
	check(atomic_load(&shim_warnings) - warnings == (fault ? 1 : 0),
	      "fault %d: %d warnings", fault,
	      atomic_load(&shim_warnings) - warnings);
	atomic_store(&shim_warnings, warnings);
	shim_vfio_close(&mm_of(a)->vdev);
	shim_mdev_remove(a);
	vm_close(kvm);		/* the last reference: freed */
	queue_remove(1, 5);	/* v1: the worker unregisters from freed kvm */
	check(!queue_probe(1, 5), "probe");
	check(!irq_on(1, 5) && !shim_page_pins(NIB), "fault %d left irq %d, %ld pins",
	      fault, irq_on(1, 5), shim_page_pins(NIB));
	ap_sim_lock();
	q->reset_polls = 0;
	ap_sim_unlock();
}

static void scn_reset(void)
{
	reset_fault(0);
	reset_fault(1);
	reset_fault(2);
}

#if !defined(VFIO_AP_UNCONVERTED) || defined(VFIO_AP_FIXED)
/*
 * A reset that does not complete (ZAPQ fails) leaves the queue's interrupts
 * on, and AQIC cannot turn them off either: when the queue leaves the mdev,
 * its NIB pin moves to the mdev, which releases it when user space unmaps
 * the page (@unmap) or closes the mdev; nothing is left pinned.
 */
static void kept_nib(bool unmap)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();
	struct ap_matrix_mdev *m = mm_of(a);
	struct ap_sim_queue *q = ap_sim_queue(AP_MKQID(1, 5));
	int warnings = atomic_load(&shim_warnings);

	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	check(!shim_vfio_open(&m->vdev, kvm), "open");
	check(!vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB), "enable");
	ap_sim_lock();
	q->zapq_fail = 1;
	q->zapq_fail_rc = AP_RESPONSE_INVALID_ADDRESS;
	q->aqic_fail = 100;
	q->aqic_fail_rc = AP_RESPONSE_INVALID_ADDRESS;
	ap_sim_unlock();
	check(store(a, "unassign_adapter", "1") == 1, "unassign");
	check(irq_on(1, 5) && shim_page_pins(NIB) == 1 && !list_empty(&m->kept_nibs),
	      "interrupts still on: %ld pins, kept list %s", shim_page_pins(NIB),
	      list_empty(&m->kept_nibs) ? "empty" : "not empty");
	check(!kvm->arch.gisa_int.alert.ref_count[3], "the ISC stays registered");
	if (unmap) {
		m->vdev.ops->dma_unmap(&m->vdev, NIB & PAGE_MASK, PAGE_SIZE);
		check(!shim_page_pins(NIB) && list_empty(&m->kept_nibs),
		      "dma_unmap: %ld pins left", shim_page_pins(NIB));
	}
	shim_vfio_close(&m->vdev);
	check(!shim_page_pins(NIB) && list_empty(&m->kept_nibs),
	      "close: %ld pins left", shim_page_pins(NIB));
	shim_mdev_remove(a);
	vm_close(kvm);
	atomic_store(&shim_warnings, warnings);
	ap_sim_lock();
	q->aqic_fail = 0;
	q->irq = false;
	q->nib = 0;
	ap_sim_unlock();
	/* a new queue device: the failed reset's status would filter it */
	queue_remove(1, 5);
	check(!queue_probe(1, 5), "probe");
}

static void scn_kept_nib(void)
{
	kept_nib(true);
	kept_nib(false);
}
#endif

static void scn_saved_kvm(void)
{
	reset_fault(2);
}

/*
 * Not in the default run, a finding: the guest enables interrupts on a
 * queue the machine no longer has (the AP bus has not scanned yet). AQIC
 * answers 01; vfio_ap_irq_enable() then calls vfio_ap_irq_disable(),
 * which frees the queue's old ISC and NIB, not the ones it just
 * registered and pinned: both leak, and the VM is freed with its ISC
 * registered.
 */
static void scn_aqic_unavail(void)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();

	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	ap_sim_config(1, -2, false);
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB);
	ap_sim_config(1, -2, true);
	check(!shim_page_pins(NIB), "AQIC 01: the NIB stays pinned");
	check(!kvm->arch.gisa_int.alert.ref_count[3],
	      "AQIC 01: the ISC stays registered");
	shim_vfio_close(&mm_of(a)->vdev);
	shim_mdev_remove(a);
	vm_close(kvm);
}

/*
 * The guest enables interrupts on a queue of its mdev that the filter kept
 * out of its APCB (here: another queue of the adapter is not bound). The
 * guest does not have that queue: AQIC must answer 01 and pin nothing.
 */
static void scn_aqic_outside(void)
{
	struct mdev_device *a = shim_mdev_create(1);
	struct kvm *kvm = vm_create();

	queue_remove(1, 7);
	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	store(a, "assign_domain", "7");
	check(!test_bit_inv(1, mm_of(a)->shadow_apcb.apm), "adapter 1 passed");
	check(!shim_vfio_open(&mm_of(a)->vdev, kvm), "open");
	vcpu_pqap(kvm, AP_MKQID(1, 5), true, 3, NIB);
	check(!irq_on(1, 5) && !shim_page_pins(NIB) &&
	      !kvm->arch.gisa_int.alert.ref_count[3],
	      "AQIC for 01.0005, outside the guest: %ld NIB pins", shim_page_pins(NIB));
	shim_vfio_close(&mm_of(a)->vdev);
	shim_mdev_remove(a);
	vm_close(kvm);
	check(!queue_probe(1, 7), "probe");
}

static void scn_dangling(void);

/* racing threads: user space, vCPUs, the AP bus */
static atomic_bool stop;
static struct mdev_device *race_mdevs[2];
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvm *slot_vm[2];		/* the VM each mdev is open with */
static bool negative_race;

static void *opener(void *arg)
{
	int i = (long)arg;
	struct vfio_device *vdev = &mm_of(race_mdevs[i])->vdev;
	unsigned int seed = i + 1;

	current->mm = &vmm_mm;
	while (!atomic_load(&stop)) {
		struct kvm *kvm = vm_create();

		if (!shim_vfio_open(vdev, kvm)) {
			pthread_mutex_lock(&slot_lock);
			kvm_get_kvm(kvm);
			slot_vm[i] = kvm;
			pthread_mutex_unlock(&slot_lock);
			usleep(rand_r(&seed) % 500);
			pthread_mutex_lock(&slot_lock);
			slot_vm[i] = NULL;
			pthread_mutex_unlock(&slot_lock);
			kvm_put_kvm(kvm);
			shim_vfio_close(vdev);
		}
		shim_return_to_user();
		vm_close(kvm);
	}
	return NULL;
}

static void *vcpu(void *arg)
{
	unsigned int seed = 7;

	while (!atomic_load(&stop)) {
		struct kvm *kvm;

		pthread_mutex_lock(&slot_lock);
		kvm = slot_vm[rand_r(&seed) % 2];
		if (kvm)
			kvm_get_kvm(kvm);
		pthread_mutex_unlock(&slot_lock);
		if (!kvm) {
			usleep(50);
			continue;
		}
		vcpu_pqap(kvm, AP_MKQID(1 + rand_r(&seed) % 3, 5 + rand_r(&seed) % 3),
			  rand_r(&seed) % 2, rand_r(&seed) % 8,
			  (1 + rand_r(&seed) % 8) << 12);
		kvm_put_kvm(kvm);
	}
	return NULL;
}

static void *sysfs_writer(void *arg)
{
	static const char *const attrs[] = {
		"assign_adapter", "unassign_adapter", "assign_domain",
		"unassign_domain", "assign_control_domain",
		"unassign_control_domain",
	};
	unsigned int seed = 11;

	while (!atomic_load(&stop)) {
		struct mdev_device *m = race_mdevs[rand_r(&seed) % 2];
		int a = rand_r(&seed) % 6;

		store(m, attrs[a], "%d", a < 2 ? 1 + rand_r(&seed) % 3 :
					       5 + rand_r(&seed) % 3);
		show(m, "guest_matrix");
		if (!(rand_r(&seed) % 16))
			reset(m);
	}
	return NULL;
}

static void *bus(void *arg)
{
	unsigned int seed = 13;

	while (!atomic_load(&stop)) {
		int card = 1 + rand_r(&seed) % 3, dom = 5 + rand_r(&seed) % 3;

		/*
		 * Queues come and go; the host configuration stays: a PQAP
		 * on a deconfigured queue leaks (scn_aqic_unavail()).
		 */
		queue_remove(card, dom);
		check(!queue_probe(card, dom), "probe");
		usleep(200);
	}
	return NULL;
}

/* the negative control: matrix_mdev's guest read without a lock */
static void *unlocked_reader(void *arg)
{
	while (!atomic_load(&stop)) {
		struct ap_matrix_mdev *m = mm_of(race_mdevs[0]);

#ifdef VFIO_AP_UNCONVERTED
		if (m->kvm)
#else
		if (m->kvm_assoc.kvm)
#endif
			atomic_fetch_add(&unlocked_reads, 1);
	}
	return NULL;
}

static void scn_race(double secs)
{
	void *(*const fns[])(void *) = { opener, opener, vcpu, sysfs_writer,
					 bus, unlocked_reader };
	int n = negative_race ? 6 : 5, i;
	pthread_t t[6];

	race_mdevs[0] = shim_mdev_create(1);
	race_mdevs[1] = shim_mdev_create(2);
	store(race_mdevs[0], "assign_adapter", "1");
	store(race_mdevs[0], "assign_domain", "5");
	store(race_mdevs[1], "assign_adapter", "2");
	store(race_mdevs[1], "assign_domain", "6");
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fns[i], (void *)(long)i);
	usleep(secs * 1e6);
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	/*
	 * The queues go first: an unassign may have left one pointing at
	 * its mdev (scn_dangling()), which must not be freed before.
	 */
	for (i = 0; i < 9; i++)
		queue_remove(1 + i / 3, 5 + i % 3);
	shim_mdev_remove(race_mdevs[1]);
	shim_mdev_remove(race_mdevs[0]);
	for (i = 0; i < 9; i++)
		check(!queue_probe(1 + i / 3, 5 + i % 3), "probe");
}

/*
 * Unassigning an adapter unlinks its queues from the mdev; without the
 * fix, q->matrix_mdev was cleared only of those on the reset list (in the
 * guest's APCB). One that the filter kept out of the APCB (here: another
 * queue of the adapter is not bound) kept pointing at the mdev;
 * vfio_ap_mdev_unlink_fr_queues() does not see it at removal (it is not
 * in the qtable), and removing the queue after the mdev used freed memory.
 */
static void scn_dangling(void)
{
	struct mdev_device *a = shim_mdev_create(1);

	queue_remove(1, 7);
	store(a, "assign_adapter", "1");
	store(a, "assign_domain", "5");
	store(a, "assign_domain", "7");
	check(!test_bit_inv(1, mm_of(a)->shadow_apcb.apm), "adapter 1 passed");
	store(a, "unassign_adapter", "1");
	check(!vq(1, 5)->matrix_mdev, "01.0005 still points at its mdev");
	shim_mdev_remove(a);
	queue_remove(1, 5);	/* reads the freed mdev if it does */
	check(!queue_probe(1, 5) && !queue_probe(1, 7), "probe");
}

/* the negative control: kvm->lock taken under mdevs_lock, from PQAP */
static void scn_inversion(void)
{
	shim_gisc_takes_kvm_lock = true;
	scn_pqap();
	shim_gisc_takes_kvm_lock = false;
}

static const struct {
	const char *name;
	void (*fn)(void);
	bool finding;		/* only when asked for by name */
} scenarios[] = {
	{ "probe", scn_probe },
	{ "assign", scn_assign },
	{ "open", scn_open },
	{ "pqap", scn_pqap },
	{ "queues", scn_queues },
	{ "reset", scn_reset },
	{ "saved-kvm", scn_saved_kvm },
#if !defined(VFIO_AP_UNCONVERTED) || defined(VFIO_AP_FIXED)
	{ "kept-nib", scn_kept_nib },
#endif
	{ "aqic-outside", scn_aqic_outside },
	{ "dangling", scn_dangling },
	{ "aqic-unavail", scn_aqic_unavail, true },
};

static void print_counts(const char *name, long c[4])
{
	printf("scenario %s: assigns=%ld opens=%ld intercepts=%ld resets=%ld\n",
	       name, atomic_load(&assigns) - c[0],
	       atomic_load(&shim_counts.opens) - c[1],
	       atomic_load(&intercepts) - c[2], atomic_load(&resets) - c[3]);
	c[0] = atomic_load(&assigns);
	c[1] = atomic_load(&shim_counts.opens);
	c[2] = atomic_load(&intercepts);
	c[3] = atomic_load(&resets);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *negative = NULL;
	double race = 0;
	long c[4] = {};
	int card, dom, opt;
	size_t i;
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "race", required_argument, NULL, 'r' },
		{ "negative", required_argument, NULL, 'n' },
		{}
	};

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 's')
			only = optarg;
		else if (opt == 'r')
			race = atof(optarg);
		else if (opt == 'n')
			negative = optarg;
		else
			return 2;
	}
	current->mm = &vmm_mm;
	shim_initcall();	/* the library's debugfs */
	for (card = 1; card < NR_CARDS; card++)
		ap_sim_config(card, -2, true);
	for (dom = 5; dom <= 7; dom++)
		ap_sim_config(-2, dom, true);
	matrix_dev_create();
	check(!vfio_ap_mdev_register(), "register");
	for (card = 1; card < NR_CARDS; card++)
		for (dom = 5; dom <= 7; dom++)
			check(!queue_probe(card, dom), "probe %d.%d", card, dom);

	if (negative && !strcmp(negative, "inversion")) {
		scn_inversion();
	} else if (negative && !strcmp(negative, "race")) {
		negative_race = true;
		scn_race(race ? race : 1);
	} else {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
			if (only ? strcmp(only, scenarios[i].name) :
				   scenarios[i].finding)
				continue;
			scenarios[i].fn();
			print_counts(scenarios[i].name, c);
		}
		if (race) {
			scn_race(race);
			print_counts("race", c);
		}
	}

	for (card = 1; card < NR_CARDS; card++)
		for (dom = 5; dom <= 7; dom++)
			if (qdevs[card][dom])
				queue_remove(card, dom);
	vfio_ap_mdev_unregister();
	shim_workqueue_stop();
	shim_exitcall();
	shim_return_to_user();

	/* every reference, registration and pin matched */
	check(atomic_load(&vms_created) == atomic_load(&vms_freed),
	      "VMs: %ld created, %ld freed", atomic_load(&vms_created),
	      atomic_load(&vms_freed));
	check(atomic_load(&shim_file_gets) == atomic_load(&shim_file_puts),
	      "file refs: %ld gets, %ld puts", atomic_load(&shim_file_gets),
	      atomic_load(&shim_file_puts));
	check(atomic_load(&shim_counts.gisc_regs) ==
	      atomic_load(&shim_counts.gisc_unregs) &&
	      !atomic_load(&shim_counts.gisc_bad_unregs), "ISC registrations");
	check(atomic_load(&shim_counts.pins) == atomic_load(&shim_counts.unpins) &&
	      !atomic_load(&shim_counts.bad_unpins), "pins");
	check(!atomic_load(&shim_counts.vdevs), "vfio devices left");
	check(!atomic_load(&shim_warnings), "%d unexpected warnings",
	      atomic_load(&shim_warnings));
	printf("vfio_ap_harness: VMs %ld/%ld freed, VM file refs %ld/%ld, ISC %ld/%ld unregistered, pins %ld/%ld unpinned, opens %ld (%ld refused), closes %ld, ZAPQ %ld, TAPQ %ld, AQIC %ld, reset works %ld, warnings %d, failures %d\n",
	       atomic_load(&vms_freed), atomic_load(&vms_created),
	       atomic_load(&shim_file_puts), atomic_load(&shim_file_gets),
	       atomic_load(&shim_counts.gisc_unregs),
	       atomic_load(&shim_counts.gisc_regs),
	       atomic_load(&shim_counts.unpins), atomic_load(&shim_counts.pins),
	       atomic_load(&shim_counts.opens),
	       atomic_load(&shim_counts.open_refused),
	       atomic_load(&shim_counts.closes), atomic_load(&shim_counts.zapqs),
	       atomic_load(&shim_counts.tapqs), atomic_load(&shim_counts.aqics),
	       atomic_load(&shim_counts.works_run), atomic_load(&shim_warnings),
	       atomic_load(&failures));
	return atomic_load(&failures) ? 1 : 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a harness drives the shim's kernel with (src/kernel.c, src/s390.c):
 * user space opening VFIO devices and writing sysfs, the AP bus creating
 * mdevs and queues, the machine's AP queues and their faults, and the
 * counters that must match at the end.
 */
#ifndef _SHIM_ENV_H
#define _SHIM_ENV_H

#include <linux/eventfd.h>
#include <linux/kvm_host.h>
#include <linux/mdev.h>
#include <linux/vfio.h>
#include <asm/ap.h>

/* the counts the harness matches and prints */
struct shim_counts {
	atomic_long pins, unpins, bad_unpins;
	atomic_long gisc_regs, gisc_unregs, gisc_bad_unregs;
	atomic_long set_masks, clear_masks;
	atomic_long zapqs, tapqs, aqics, works_run;
	atomic_long opens, open_refused, closes;
	atomic_long vdevs;		/* allocated vfio devices, live */
};
extern struct shim_counts shim_counts;

/* VFIO core: open with @kvm (may be NULL), as vfio_df_open(); close */
int shim_vfio_open(struct vfio_device *vdev, struct kvm *kvm);
void shim_vfio_close(struct vfio_device *vdev);
long shim_page_pins(dma_addr_t iova);

/* mdev core: a new mdev of the registered parent, probed; its removal */
struct mdev_device *shim_mdev_create(unsigned int n);
void shim_mdev_remove(struct mdev_device *mdev);

/* sysfs: write or read an attribute of a device's driver or kobject */
ssize_t shim_sysfs_store(struct device *dev, const char *name,
			 const char *buf);
ssize_t shim_sysfs_show(struct device *dev, const char *name, char *buf);

/* the eventfds user space has: fd SHIM_EVENTFD_BASE + i */
#define SHIM_EVENTFD_BASE 100
extern struct eventfd_ctx shim_eventfds[4];

/* the workqueue's thread: started on the first queue_work(), joined here */
void shim_workqueue_stop(void);

/* The machine's AP queues: each card and domain in the configuration. */
struct ap_sim_queue {
	bool irq;		/* interrupts on */
	phys_addr_t nib;	/* where the adapter stores the indicator */
	unsigned int isc;
	int resetting;		/* TAPQs left answering "reset in progress" */
	/* faults, set by the harness */
	int zapq_fail;		/* ZAPQs left failing with zapq_fail_rc */
	int zapq_fail_rc;
	int tapq_fail;		/* TAPQs after a ZAPQ left failing */
	int tapq_fail_rc;
	int aqic_fail;		/* AQICs left failing with aqic_fail_rc */
	int aqic_fail_rc;
	int reset_polls;	/* TAPQs a reset stays in progress for */
	bool tapq_fails_now;	/* a ZAPQ armed tapq_fail */
};
void ap_sim_config(int card, int domain, bool on);	/* -1: all */
struct ap_sim_queue *ap_sim_queue(ap_qid_t qid);
void ap_sim_lock(void);
void ap_sim_unlock(void);

/* the AP bus's queue devices (bound to @drv when not NULL) */
struct ap_queue;
struct ap_driver;
struct ap_queue *ap_sim_queue_dev_add(ap_qid_t qid, struct ap_driver *drv);
void ap_sim_queue_dev_del(struct ap_queue *aq);

/* negative control: kvm_s390_gisc_register() takes kvm->lock (an inversion) */
extern bool shim_gisc_takes_kvm_lock;

#endif

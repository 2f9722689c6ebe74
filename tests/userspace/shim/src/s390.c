// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's s390: the machine's AP queues as the architecture answers
 * PQAP(TAPQ, ZAPQ, AQIC, QCI), with faults the harness sets; the AP bus's
 * queue devices, its permissions and mask parsing (ap_bus.c); and kvm.ko's
 * crypto masks and GISA interruption subclasses (kvm-s390.c, interrupt.c).
 * Built with the driver's own ap_bus.h.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/ctype.h>
#include <linux/kvm_host.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <shim/env.h>

#include "ap_bus.h"

/* the machine: which cards and domains are configured, and each queue */
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sim_card[AP_DEVICES], sim_dom[AP_DOMAINS];
static struct ap_sim_queue sim_q[AP_DEVICES][AP_DOMAINS];

void ap_sim_lock(void)
{
	pthread_mutex_lock(&sim_lock);
}

void ap_sim_unlock(void)
{
	pthread_mutex_unlock(&sim_lock);
}

void ap_sim_config(int card, int domain, bool on)
{
	int i;

	ap_sim_lock();
	for (i = 0; i < AP_DEVICES; i++)
		if (card == -1 || card == i)
			sim_card[i] = on;
	for (i = 0; i < AP_DOMAINS; i++)
		if (domain == -1 || domain == i)
			sim_dom[i] = on;
	ap_sim_unlock();
}

struct ap_sim_queue *ap_sim_queue(ap_qid_t qid)
{
	return &sim_q[AP_QID_CARD(qid)][AP_QID_QUEUE(qid)];
}

/* Under sim_lock: the queue, or NULL with "APQN not valid" (01). */
static struct ap_sim_queue *sim_find(ap_qid_t qid, struct ap_queue_status *st)
{
	qid &= 0xffff;		/* the T and F bits */
	*st = (struct ap_queue_status){ .response_code = AP_RESPONSE_Q_NOT_AVAIL };
	if (!sim_card[AP_QID_CARD(qid)] || !sim_dom[AP_QID_QUEUE(qid)])
		return NULL;
	*st = (struct ap_queue_status){ .response_code = AP_RESPONSE_NORMAL,
					.queue_empty = 1 };
	return ap_sim_queue(qid);
}

struct ap_queue_status ap_tapq(ap_qid_t qid, struct ap_tapq_hwinfo *info)
{
	struct ap_queue_status st;
	struct ap_sim_queue *q;

	atomic_fetch_add(&shim_counts.tapqs, 1);
	if (info)
		info->value = 0;
	ap_sim_lock();
	q = sim_find(qid, &st);
	if (q) {
		if (info) {
			info->at = AP_DEVICE_TYPE_CEX8;
			info->nd = 255;
			info->apxa = 1;
		}
		if (q->tapq_fails_now && q->tapq_fail) {
			q->tapq_fail--;
			st.response_code = q->tapq_fail_rc;
		} else if (q->resetting) {
			q->resetting--;
			st.response_code = AP_RESPONSE_RESET_IN_PROGRESS;
		} else {
			st.irq_enabled = q->irq;
		}
		if (!q->tapq_fail)
			q->tapq_fails_now = false;
	}
	ap_sim_unlock();
	return st;
}

/* ZAPQ: the queue is zeroized and its interrupts turned off, asynchronously */
struct ap_queue_status ap_zapq(ap_qid_t qid, int fbit)
{
	struct ap_queue_status st;
	struct ap_sim_queue *q;

	atomic_fetch_add(&shim_counts.zapqs, 1);
	ap_sim_lock();
	q = sim_find(qid, &st);
	if (q && q->zapq_fail) {
		q->zapq_fail--;
		st.response_code = q->zapq_fail_rc;
	} else if (q) {
		if (q->resetting)
			st.response_code = AP_RESPONSE_RESET_IN_PROGRESS;
		q->irq = false;
		q->nib = 0;
		q->resetting = q->reset_polls;
		q->tapq_fails_now = q->tapq_fail > 0;
	}
	ap_sim_unlock();
	return st;
}

struct ap_queue_status ap_aqic(ap_qid_t qid, union ap_qirq_ctrl ctrl,
			       phys_addr_t pa_ind)
{
	struct ap_queue_status st;
	struct ap_sim_queue *q;

	atomic_fetch_add(&shim_counts.aqics, 1);
	ap_sim_lock();
	q = sim_find(qid, &st);
	if (!q)
		goto out;
	if (q->aqic_fail) {
		q->aqic_fail--;
		st.response_code = q->aqic_fail_rc;
	} else if (q->resetting) {
		q->resetting--;		/* every PQAP takes time */
		st.response_code = AP_RESPONSE_RESET_IN_PROGRESS;
	} else if (ctrl.ir == q->irq) {
		/* already on (or off): nothing changed */
		st.response_code = AP_RESPONSE_OTHERWISE_CHANGED;
	} else if (ctrl.ir && !pa_ind) {
		st.response_code = AP_RESPONSE_INVALID_ADDRESS;
	} else {
		q->irq = ctrl.ir;
		q->nib = ctrl.ir ? pa_ind : 0;
		q->isc = ctrl.isc;
	}
	st.irq_enabled = q->irq;
out:
	ap_sim_unlock();
	return st;
}

int ap_qci(struct ap_config_info *info)
{
	int i;

	memset(info, 0, sizeof(*info));
	info->apxa = 1;
	info->na = AP_DEVICES - 1;
	info->nd = AP_DOMAINS - 1;
	ap_sim_lock();
	for (i = 0; i < AP_DEVICES; i++)
		if (sim_card[i])
			set_bit_inv(i, (unsigned long *)info->apm);
	for (i = 0; i < AP_DOMAINS; i++)
		if (sim_dom[i]) {
			set_bit_inv(i, (unsigned long *)info->aqm);
			set_bit_inv(i, (unsigned long *)info->adm);
		}
	ap_sim_unlock();
	return 0;
}

/* ap_bus.c */
DEFINE_HASHTABLE(ap_queues, 8);
spinlock_t ap_queues_lock = { .m = PTHREAD_MUTEX_INITIALIZER,
			      .dep_map = { "ap_queues_lock" } };
struct ap_perms ap_perms;
DEFINE_MUTEX(ap_attr_mutex);
/* 6.12's name for it (tests/vfio-ap.sh builds 6.12's vfio_ap_ops.c too) */
extern struct mutex ap_perms_mutex __attribute__((alias("ap_attr_mutex")));

static void ap_queue_device_release(struct device *dev)
{
	kfree(to_ap_queue(dev));
}

struct ap_queue *ap_sim_queue_dev_add(ap_qid_t qid, struct ap_driver *drv)
{
	struct ap_queue *aq = kzalloc(sizeof(*aq), GFP_KERNEL);

	if (!aq)
		abort();
	aq->qid = qid;
	snprintf(aq->ap_dev.device.name, sizeof(aq->ap_dev.device.name),
		 "%02x.%04x", AP_QID_CARD(qid), AP_QID_QUEUE(qid));
	device_initialize(&aq->ap_dev.device);
	aq->ap_dev.device.release = ap_queue_device_release;
	aq->ap_dev.device.driver = drv ? &drv->driver : NULL;
	spin_lock(&ap_queues_lock);
	hash_add(ap_queues, &aq->hnode, qid);
	spin_unlock(&ap_queues_lock);
	return aq;
}

void ap_sim_queue_dev_del(struct ap_queue *aq)
{
	spin_lock(&ap_queues_lock);
	hash_del(&aq->hnode);
	spin_unlock(&ap_queues_lock);
	put_device(&aq->ap_dev.device);
}

struct ap_queue *ap_get_qdev(ap_qid_t qid)
{
	struct ap_queue *aq;

	spin_lock(&ap_queues_lock);
	hash_for_each_possible(ap_queues, aq, hnode, qid) {
		if (aq->qid == qid) {
			get_device(&aq->ap_dev.device);
			spin_unlock(&ap_queues_lock);
			return aq;
		}
	}
	spin_unlock(&ap_queues_lock);
	return NULL;
}

/* the caller holds ap_attr_mutex, as ap_bus.h asks */
int ap_apqn_in_matrix_owned_by_def_drv(unsigned long *apm, unsigned long *aqm)
{
	int card, queue, rc = 0;

	lockdep_assert_held(&ap_attr_mutex);
	for (card = 0; !rc && card < AP_DEVICES; card++)
		if (test_bit_inv(card, apm) && test_bit_inv(card, ap_perms.apm))
			for (queue = 0; !rc && queue < AP_DOMAINS; queue++)
				if (test_bit_inv(queue, aqm) &&
				    test_bit_inv(queue, ap_perms.aqm))
					rc = 1;
	return rc;
}

int ap_hex2bitmap(const char *str, unsigned long *bitmap, int bits)
{
	int i, n, b;

	if (bits & 0x07)
		return -EINVAL;
	if (str[0] == '0' && str[1] == 'x')
		str++;
	if (*str == 'x')
		str++;
	for (i = 0; isxdigit((unsigned char)*str) && i < bits; str++) {
		b = isdigit((unsigned char)*str) ? *str - '0' :
						   tolower((unsigned char)*str) - 'a' + 10;
		for (n = 0; n < 4; n++)
			if (b & (0x08 >> n))
				set_bit_inv(i + n, bitmap);
		i += 4;
	}
	if (*str == '\n')
		str++;
	if (*str)
		return -EINVAL;
	return 0;
}

/* kvm.ko */
bool shim_gisc_takes_kvm_lock;

int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc)
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;

	if (!gi->origin)
		return -ENODEV;
	if (gisc > MAX_ISC)
		return -ERANGE;
	if (shim_gisc_takes_kvm_lock) {
		mutex_lock(&kvm->lock);
		mutex_unlock(&kvm->lock);
	}
	spin_lock(&gi->alert.ref_lock);
	if (gi->alert.ref_count[gisc]++ == 0)
		gi->alert.mask |= 0x80 >> gisc;
	spin_unlock(&gi->alert.ref_lock);
	atomic_fetch_add(&shim_counts.gisc_regs, 1);
	return AP_ISC;		/* gib->nisc */
}

int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc)
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;
	int rc = 0;

	if (!gi->origin)
		return -ENODEV;
	if (gisc > MAX_ISC)
		return -ERANGE;
	spin_lock(&gi->alert.ref_lock);
	if (gi->alert.ref_count[gisc] == 0) {
		rc = -EINVAL;
		atomic_fetch_add(&shim_counts.gisc_bad_unregs, 1);
	} else if (--gi->alert.ref_count[gisc] == 0) {
		gi->alert.mask &= ~(0x80 >> gisc);
	}
	spin_unlock(&gi->alert.ref_lock);
	if (!rc)
		atomic_fetch_add(&shim_counts.gisc_unregs, 1);
	return rc;
}

/* kvm->lock must be held, as kvm-s390.c's comment asks */
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm)
{
	lockdep_assert_held(&kvm->lock);
	memcpy(kvm->arch.crypto.apcb1.apm, apm, 32);
	memcpy(kvm->arch.crypto.apcb1.aqm, aqm, 32);
	memcpy(kvm->arch.crypto.apcb1.adm, adm, 32);
	atomic_fetch_add(&shim_counts.set_masks, 1);
}

void kvm_arch_crypto_clear_masks(struct kvm *kvm)
{
	lockdep_assert_held(&kvm->lock);
	memset(&kvm->arch.crypto.apcb1, 0, sizeof(kvm->arch.crypto.apcb1));
	atomic_fetch_add(&shim_counts.clear_masks, 1);
}

int uv_pin_shared(unsigned long paddr)
{
	return 0;
}

int gmap_convert_to_secure(struct gmap *gmap, unsigned long gaddr)
{
	return 0;
}

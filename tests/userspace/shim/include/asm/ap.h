/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * s390's asm/ap.h: the AP instructions' types as the architecture has
 * them, and PQAP(TAPQ, ZAPQ, AQIC) answered by the simulated AP bus in
 * tests/userspace/shim/src/s390.c instead of the machine. Bit-field order
 * differs from s390's (the harness builds and reads them by name).
 */
#ifndef _ASM_S390_AP_H_
#define _ASM_S390_AP_H_

#include <linux/types.h>

typedef unsigned int ap_qid_t;

#define AP_MKQID(_card, _queue) (((_card) & 0xff) << 8 | ((_queue) & 0xff))
#define AP_QID_CARD(_qid) (((_qid) >> 8) & 0xff)
#define AP_QID_QUEUE(_qid) ((_qid) & 0xff)

struct ap_queue_status {
	unsigned int queue_empty	: 1;
	unsigned int replies_waiting	: 1;
	unsigned int queue_full		: 1;
	unsigned int			: 3;
	unsigned int async		: 1;
	unsigned int irq_enabled	: 1;
	unsigned int response_code	: 8;
	unsigned int			: 16;
};

struct ap_tapq_hwinfo {
	union {
		unsigned long value;
		struct {
			unsigned int fac    : 32;
			unsigned int apinfo : 32;
		};
		struct {
			unsigned int apsc  :  1;
			unsigned int mex4k :  1;
			unsigned int crt4k :  1;
			unsigned int cca   :  1;
			unsigned int accel :  1;
			unsigned int ep11  :  1;
			unsigned int apxa  :  1;
			unsigned int slcf  :  1;
			unsigned int class :  8;
			unsigned int bs	   :  2;
			unsigned int	   : 14;
			unsigned int at	   :  8;
			unsigned int nd	   :  8;
			unsigned int	   :  4;
			unsigned int ml	   :  4;
			unsigned int	   :  4;
			unsigned int qd	   :  4;
		};
	};
};

struct ap_config_info {
	union {
		unsigned int flags;
		struct {
			unsigned int apsc	 : 1;
			unsigned int apxa	 : 1;
			unsigned int qact	 : 1;
			unsigned int rc8a	 : 1;
			unsigned int		 : 4;
			unsigned int apsb	 : 1;
			unsigned int		 : 23;
		};
	};
	unsigned char na;
	unsigned char nd;
	unsigned char _reserved0[10];
	unsigned int apm[8];
	unsigned int aqm[8];
	unsigned int adm[8];
	unsigned char _reserved1[16];
} __attribute__((__aligned__(8)));

union ap_qirq_ctrl {
	unsigned long value;
	struct {
		unsigned int	   : 8;
		unsigned int zone  : 8;
		unsigned int ir	   : 1;
		unsigned int	   : 4;
		unsigned int gisc  : 3;
		unsigned int	   : 6;
		unsigned int gf	   : 2;
		unsigned int	   : 1;
		unsigned int gisa  : 27;
		unsigned int	   : 1;
		unsigned int isc   : 3;
	};
};

/* the simulated machine; bit 23 of the qid is TAPQ's T bit */
struct ap_queue_status ap_tapq(ap_qid_t qid, struct ap_tapq_hwinfo *info);
struct ap_queue_status ap_zapq(ap_qid_t qid, int fbit);
struct ap_queue_status ap_aqic(ap_qid_t qid, union ap_qirq_ctrl qirqctrl,
			       phys_addr_t pa_ind);
int ap_qci(struct ap_config_info *config);

static inline struct ap_queue_status ap_test_queue(ap_qid_t qid, int tbit,
						   struct ap_tapq_hwinfo *info)
{
	if (tbit)
		qid |= 1UL << 23;
	return ap_tapq(qid, info);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linux/vfio.h and its uapi: the VFIO device, as drivers see it. The core
 * is tests/userspace/shim/src/vfio.c; pins are counted per device.
 */
#ifndef _LINUX_VFIO_H
#define _LINUX_VFIO_H

#include <linux/device.h>
#include <linux/uaccess.h>

struct kvm;
struct page;
struct iommufd_ctx;
struct vfio_device;

struct vfio_device_ops {
	char *name;
	int (*init)(struct vfio_device *vdev);
	void (*release)(struct vfio_device *vdev);
	int (*bind_iommufd)(struct vfio_device *vdev, struct iommufd_ctx *ictx,
			    u32 *out_device_id);
	void (*unbind_iommufd)(struct vfio_device *vdev);
	int (*attach_ioas)(struct vfio_device *vdev, u32 *pt_id);
	void (*detach_ioas)(struct vfio_device *vdev);
	int (*open_device)(struct vfio_device *vdev);
	void (*close_device)(struct vfio_device *vdev);
	ssize_t (*ioctl)(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg);
	void (*dma_unmap)(struct vfio_device *vdev, u64 iova, u64 length);
	void (*request)(struct vfio_device *vdev, unsigned int count);
};

struct vfio_device {
	struct device *dev;
	const struct vfio_device_ops *ops;
	struct device device;		/* its reference count */
	struct kvm *kvm;		/* vfio_device_get_kvm() */
	/* the core's; under the core's lock */
	bool registered;
	unsigned int open_count;
	bool iommu_used;		/* pins allowed */
	atomic_long pinned;		/* pages pinned through this device */
};

/* the VM whose file the core holds while the device is open */
static inline struct kvm *vfio_device_get_kvm(struct vfio_device *device)
{
	return device->kvm;
}

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops);
#define vfio_alloc_device(dev_struct, member, dev, ops)			\
	container_of(_vfio_alloc_device(sizeof(struct dev_struct) +	\
					0 * sizeof(char[1 - 2 * !!offsetof(struct dev_struct, member)]), \
					dev, ops),			\
		     struct dev_struct, member)
void vfio_put_device(struct vfio_device *device);
int vfio_register_emulated_iommu_dev(struct vfio_device *device);
void vfio_unregister_group_dev(struct vfio_device *device);

#define IOMMU_READ	(1 << 0)
#define IOMMU_WRITE	(1 << 1)
int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova, int npage,
		   int prot, struct page **pages);
void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage);

int vfio_iommufd_emulated_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id);
void vfio_iommufd_emulated_unbind(struct vfio_device *vdev);
int vfio_iommufd_emulated_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void vfio_iommufd_emulated_detach_ioas(struct vfio_device *vdev);

/* uapi/linux/vfio.h */
#define VFIO_TYPE	(';')
#define VFIO_BASE	100
#define _IO(type, nr)	(((type) << 8) | (nr))
#define VFIO_DEVICE_GET_INFO		_IO(VFIO_TYPE, VFIO_BASE + 7)
#define VFIO_DEVICE_GET_IRQ_INFO	_IO(VFIO_TYPE, VFIO_BASE + 9)
#define VFIO_DEVICE_SET_IRQS		_IO(VFIO_TYPE, VFIO_BASE + 10)
#define VFIO_DEVICE_RESET		_IO(VFIO_TYPE, VFIO_BASE + 11)
#define VFIO_DEVICE_FLAGS_RESET		(1 << 0)
#define VFIO_DEVICE_FLAGS_AP		(1 << 5)
#define VFIO_DEVICE_API_AP_STRING	"vfio-ap"
#define VFIO_IRQ_INFO_EVENTFD		(1 << 0)
#define VFIO_IRQ_SET_DATA_NONE		(1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL		(1 << 1)
#define VFIO_IRQ_SET_DATA_EVENTFD	(1 << 2)
#define VFIO_IRQ_SET_ACTION_MASK	(1 << 3)
#define VFIO_IRQ_SET_ACTION_UNMASK	(1 << 4)
#define VFIO_IRQ_SET_ACTION_TRIGGER	(1 << 5)
#define VFIO_IRQ_SET_DATA_TYPE_MASK	(VFIO_IRQ_SET_DATA_NONE | \
					 VFIO_IRQ_SET_DATA_BOOL | \
					 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK	(VFIO_IRQ_SET_ACTION_MASK | \
					 VFIO_IRQ_SET_ACTION_UNMASK | \
					 VFIO_IRQ_SET_ACTION_TRIGGER)
enum { VFIO_AP_REQ_IRQ_INDEX, VFIO_AP_CFG_CHG_IRQ_INDEX, VFIO_AP_NUM_IRQS };

struct vfio_device_info {
	u32 argsz;
	u32 flags;
	u32 num_regions;
	u32 num_irqs;
	u32 cap_offset;
	u32 pad;
};

struct vfio_irq_info {
	u32 argsz;
	u32 flags;
	u32 index;
	u32 count;
};

struct vfio_irq_set {
	u32 argsz;
	u32 flags;
	u32 index;
	u32 start;
	u32 count;
	u8 data[];
};

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size);

#endif

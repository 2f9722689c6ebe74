// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's kernel for drivers: a workqueue with one worker thread, the
 * VFIO core's device lifetime, open and close (as drivers/vfio/vfio_main.c
 * with patch 0002: the VM's file held while the device is open),
 * page pins, the mdev core and sysfs attribute lookup.
 */
#include <linux/delay.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/mdev_kvm_assoc.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <shim/env.h>

struct shim_counts shim_counts;
atomic_long shim_msleeps;
#ifdef SHIM_LOCKDEP_ORDER
struct shim_lock_order shim_lock_order = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};
#endif

/* workqueue */
struct workqueue_struct {
	int unused;
};

static struct workqueue_struct long_wq;
struct workqueue_struct *system_long_wq = &long_wq;
static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cond = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(wq_list);
static pthread_t wq_thread;
static bool wq_started, wq_stop;

static void *worker(void *unused)
{
	struct work_struct *work;

	pthread_mutex_lock(&wq_lock);
	for (;;) {
		while (list_empty(&wq_list) && !wq_stop)
			pthread_cond_wait(&wq_cond, &wq_lock);
		if (list_empty(&wq_list))
			break;
		work = list_first_entry(&wq_list, struct work_struct, entry);
		list_del_init(&work->entry);
		work->pending = false;
		work->running = true;
		pthread_mutex_unlock(&wq_lock);

		/* process_one_work(): the work's map held while it runs */
		shim_lock_acquire(&work->lockdep_map);
		shim_lock_acquired(&work->lockdep_map, 0, false);
		work->func(work);
		shim_lock_release(&work->lockdep_map, 0);
		if (shim_held.depth)
			shim_lockdep_fail("work returned with a lock held",
					  shim_held.lock[0].map->name,
					  __FILE__, __LINE__);
		atomic_fetch_add(&shim_counts.works_run, 1);
		task_work_run();

		pthread_mutex_lock(&wq_lock);
		work->running = false;
		pthread_cond_broadcast(&wq_cond);
	}
	pthread_mutex_unlock(&wq_lock);
	return NULL;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	bool queued = false;

	pthread_mutex_lock(&wq_lock);
	if (!wq_started) {
		if (pthread_create(&wq_thread, NULL, worker, NULL))
			abort();
		wq_started = true;
	}
	if (!work->pending) {
		work->pending = true;
		list_add_tail(&work->entry, &wq_list);
		pthread_cond_broadcast(&wq_cond);
		queued = true;
	}
	pthread_mutex_unlock(&wq_lock);
	return queued;
}

bool flush_work(struct work_struct *work)
{
	bool waited = false;

	might_sleep();
	/* what the work takes must not be held here */
	shim_lock_acquire(&work->lockdep_map);
	shim_lock_acquired(&work->lockdep_map, 0, false);
	shim_lock_release(&work->lockdep_map, 0);
	pthread_mutex_lock(&wq_lock);
	while (work->pending || work->running) {
		waited = true;
		pthread_cond_wait(&wq_cond, &wq_lock);
	}
	pthread_mutex_unlock(&wq_lock);
	return waited;
}

void shim_workqueue_stop(void)
{
	pthread_mutex_lock(&wq_lock);
	wq_stop = true;
	pthread_cond_broadcast(&wq_cond);
	pthread_mutex_unlock(&wq_lock);
	if (wq_started)
		pthread_join(wq_thread, NULL);
}

/* eventfd */
struct eventfd_ctx shim_eventfds[4];

struct eventfd_ctx *eventfd_ctx_fdget(int fd)
{
	if (fd < SHIM_EVENTFD_BASE ||
	    fd >= SHIM_EVENTFD_BASE + (int)ARRAY_SIZE(shim_eventfds))
		return ERR_PTR(-EBADF);
	atomic_fetch_add(&shim_eventfds[fd - SHIM_EVENTFD_BASE].refs, 1);
	return &shim_eventfds[fd - SHIM_EVENTFD_BASE];
}

void eventfd_ctx_put(struct eventfd_ctx *ctx)
{
	WARN_ON(atomic_fetch_sub(&ctx->refs, 1) <= 0);
}

/* VFIO core */
static void vfio_device_release(struct device *dev)
{
	struct vfio_device *device = container_of(dev, struct vfio_device,
						  device);

	WARN_ON(device->open_count || device->registered);
	WARN_ON(atomic_load(&device->pinned));
	if (device->ops->release)
		device->ops->release(device);
	atomic_fetch_sub(&shim_counts.vdevs, 1);
	kfree(device);
}

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops)
{
	struct vfio_device *device;
	int ret;

	device = kzalloc(size, GFP_KERNEL);
	if (!device)
		return ERR_PTR(-ENOMEM);
	device->dev = dev;
	device->ops = ops;
	device_initialize(&device->device);
	atomic_fetch_add(&shim_counts.vdevs, 1);
	if (ops->init) {
		ret = ops->init(device);
		if (ret) {
			atomic_fetch_sub(&shim_counts.vdevs, 1);
			kfree(device);
			return ERR_PTR(ret);
		}
	}
	/* only now: a failed init frees without release */
	device->device.release = vfio_device_release;
	return device;
}

void vfio_put_device(struct vfio_device *device)
{
	put_device(&device->device);
}

/* dev_set->lock: one for all devices here, which the real one may be */
static DEFINE_MUTEX(dev_set_lock);

int vfio_register_emulated_iommu_dev(struct vfio_device *device)
{
	guard(mutex)(&dev_set_lock);
	device->registered = true;
	return 0;
}

/* Waits for user space to close the device, asking it through ->request. */
void vfio_unregister_group_dev(struct vfio_device *device)
{
	unsigned int i = 0;

	for (;;) {
		mutex_lock(&dev_set_lock);
		if (!device->open_count) {
			device->registered = false;
			mutex_unlock(&dev_set_lock);
			return;
		}
		mutex_unlock(&dev_set_lock);
		if (device->ops->request)
			device->ops->request(device, i++);
		usleep(100);
	}
}

int shim_vfio_open(struct vfio_device *vdev, struct kvm *kvm)
{
	struct file *file = NULL;
	int ret = 0;

	mutex_lock(&dev_set_lock);
	if (!vdev->registered) {
		ret = -ENODEV;
		goto out;
	}
	if (vdev->open_count) {
		ret = -EBUSY;	/* the group path opens once */
		goto out;
	}
	/*
	 * The core's reference on the VM's file, patch 0002, held while the
	 * device is open; the library borrows it
	 */
	if (kvm)
		file = get_file_active(&kvm->vm_file);
	if (file)
		vdev->kvm = kvm;
	vdev->iommu_used = true;
	if (vdev->ops->open_device) {
		ret = vdev->ops->open_device(vdev);
		if (ret)
			goto unuse;
	}
	vdev->open_count = 1;
	atomic_fetch_add(&shim_counts.opens, 1);
	goto out;
unuse:
	vdev->iommu_used = false;
	vdev->kvm = NULL;
	atomic_fetch_add(&shim_counts.open_refused, 1);
out:
	mutex_unlock(&dev_set_lock);
	if (ret && file)
		fput(file);
	return ret;
}

void shim_vfio_close(struct vfio_device *vdev)
{
	struct file *file = NULL;

	mutex_lock(&dev_set_lock);
	if (WARN_ON(!vdev->open_count)) {
		mutex_unlock(&dev_set_lock);
		return;
	}
	if (vdev->ops->close_device)
		vdev->ops->close_device(vdev);
	vdev->iommu_used = false;
	vdev->open_count = 0;
	/* the core's reference keeps the file, so kvm->vm_file is still it */
	if (vdev->kvm)
		file = vdev->kvm->vm_file;
	vdev->kvm = NULL;
	mutex_unlock(&dev_set_lock);
	/* vfio_device_put_kvm(): after the locks */
	if (file)
		fput(file);
	atomic_fetch_add(&shim_counts.closes, 1);
}

/* Pins: IOVA is the guest address; SHIM_PAGES pages can be pinned. */
#define SHIM_PAGES 1024
static struct page shim_pages[SHIM_PAGES];
static atomic_long shim_pinned[SHIM_PAGES];

long shim_page_pins(dma_addr_t iova)
{
	unsigned long i = iova >> PAGE_SHIFT;

	return i < SHIM_PAGES ? atomic_load(&shim_pinned[i]) : 0;
}

int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova, int npage,
		   int prot, struct page **pages)
{
	unsigned long i = iova >> PAGE_SHIFT;

	might_sleep();
	/* vfio_assert_device_open() and the iommu's checks */
	if (WARN_ON(!device->iommu_used) || !pages || npage != 1 ||
	    !(prot & IOMMU_READ))
		return -EINVAL;
	if (i >= SHIM_PAGES)
		return -EFAULT;
	shim_pages[i].pfn = 0x80000 + i;
	pages[0] = &shim_pages[i];
	atomic_fetch_add(&shim_pinned[i], 1);
	atomic_fetch_add(&device->pinned, 1);
	atomic_fetch_add(&shim_counts.pins, 1);
	return 1;
}

void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage)
{
	unsigned long i = iova >> PAGE_SHIFT;

	might_sleep();
	if (WARN_ON(!device->iommu_used) || WARN_ON(npage != 1) ||
	    WARN_ON(i >= SHIM_PAGES) ||
	    WARN_ON(atomic_load(&shim_pinned[i]) <= 0) ||
	    WARN_ON(atomic_load(&device->pinned) <= 0)) {
		atomic_fetch_add(&shim_counts.bad_unpins, 1);
		return;
	}
	atomic_fetch_sub(&shim_pinned[i], 1);
	atomic_fetch_sub(&device->pinned, 1);
	atomic_fetch_add(&shim_counts.unpins, 1);
}

int vfio_iommufd_emulated_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id)
{
	return -EOPNOTSUPP;	/* the group path only */
}

void vfio_iommufd_emulated_unbind(struct vfio_device *vdev)
{
}

int vfio_iommufd_emulated_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	return -EOPNOTSUPP;
}

void vfio_iommufd_emulated_detach_ioas(struct vfio_device *vdev)
{
}

/* drivers/vfio/vfio_main.c */
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	size_t size;

	if (hdr->argsz < minsz || hdr->index >= (u32)max_irq_type ||
	    hdr->count >= (U32_MAX - hdr->start) ||
	    hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			   VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (!data_size)
		return -EINVAL;
	*data_size = 0;
	if (hdr->start >= (u32)num_irqs || hdr->start + hdr->count > (u32)num_irqs)
		return -EINVAL;
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(s32);
		break;
	default:
		return -EINVAL;
	}
	if (size) {
		if (hdr->argsz - minsz < hdr->count * size)
			return -EINVAL;
		*data_size = hdr->count * size;
	}
	return 0;
}

/* mdev core: one driver and one parent */
static struct mdev_driver *mdev_drv;
static struct mdev_parent *mdev_par;

int mdev_register_driver(struct mdev_driver *drv)
{
	if (mdev_drv)
		return -EBUSY;
	mdev_drv = drv;
	return 0;
}

void mdev_unregister_driver(struct mdev_driver *drv)
{
	WARN_ON(mdev_drv != drv);
	mdev_drv = NULL;
}

int mdev_register_parent(struct mdev_parent *parent, struct device *dev,
			 struct mdev_driver *mdev_driver,
			 struct mdev_type **types, unsigned int nr_types)
{
	if (mdev_par)
		return -EBUSY;
	parent->dev = dev;
	parent->mdev_driver = mdev_driver;
	parent->types = types;
	parent->nr_types = nr_types;
	mdev_par = parent;
	return 0;
}

void mdev_unregister_parent(struct mdev_parent *parent)
{
	WARN_ON(mdev_par != parent);
	mdev_par = NULL;
}

static void mdev_device_release(struct device *dev)
{
	kfree(to_mdev_device(dev));
}

/* mdev_device_create(): a UUID of @n, bound to the driver, probed */
struct mdev_device *shim_mdev_create(unsigned int n)
{
	struct mdev_device *mdev;
	int i;

	if (!mdev_par || !mdev_drv)
		return ERR_PTR(-ENODEV);
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < 16; i++)
		mdev->uuid.b[i] = (u8)(n * 17 + i);
	snprintf(mdev->dev.name, sizeof(mdev->dev.name),
		 "%08x-0000-4000-8000-%012x", n, n);
	mdev->type = mdev_par->types[0];
	mdev->dev.parent = mdev_par->dev;
	mdev->dev.driver = &mdev_drv->driver;
	device_initialize(&mdev->dev);
	mdev->dev.release = mdev_device_release;
	i = mdev_drv->probe(mdev);
	if (i) {
		put_device(&mdev->dev);
		return ERR_PTR(i);
	}
	return mdev;
}

void shim_mdev_remove(struct mdev_device *mdev)
{
	mdev_drv->remove(mdev);
	mdev->dev.driver = NULL;
	put_device(&mdev->dev);
}

/* An attribute of the driver's dev_groups, or of a group on the kobject. */
static struct device_attribute *find_attr(struct device *dev, const char *name)
{
	const struct attribute_group *const *groups = NULL;
	struct attribute **a;
	int i;

	if (dev->driver)
		groups = dev->driver->dev_groups;
	for (i = 0; groups && groups[i]; i++)
		for (a = groups[i]->attrs; *a; a++)
			if (!strcmp((*a)->name, name))
				return container_of(*a, struct device_attribute,
						    attr);
	for (i = 0; i < SHIM_KOBJ_GROUPS; i++)
		for (a = dev->kobj.groups[i] ? dev->kobj.groups[i]->attrs : NULL;
		     a && *a; a++)
			if (!strcmp((*a)->name, name))
				return container_of(*a, struct device_attribute,
						    attr);
	return NULL;
}

ssize_t shim_sysfs_store(struct device *dev, const char *name, const char *buf)
{
	struct device_attribute *attr = find_attr(dev, name);
	ssize_t ret;

	if (!attr || !attr->store)
		return -ENOENT;
	ret = attr->store(dev, attr, buf, strlen(buf));
	shim_return_to_user();
	return ret;
}

ssize_t shim_sysfs_show(struct device *dev, const char *name, char *buf)
{
	struct device_attribute *attr = find_attr(dev, name);
	ssize_t ret;

	if (!attr || !attr->show)
		return -ENOENT;
	memset(buf, 0, PAGE_SIZE);
	ret = attr->show(dev, attr, buf);
	shim_return_to_user();
	return ret;
}

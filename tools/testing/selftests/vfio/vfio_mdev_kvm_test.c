// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM of a VFIO mediated device: a VM from /dev/kvm is associated with
 * the mdev's group or device file through the VM's kvm-vfio device, and
 * the device gets that VM at its first open and keeps it until its last
 * close. The cases use the mtty and mdpy samples (no hardware needed),
 * which show the VM of a device in the root-only vendor/vm attribute, and
 * KVM's debugfs, which has a directory per VM until the VM is destroyed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"

#define MTTY_TYPE	"/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2"
#define MDPY_TYPES	"/sys/class/mdev_bus/mdpy/mdev_supported_types"
#define MDPY_ONE_PER_VM	"/sys/module/mdpy/parameters/one_per_vm"
#define MTTY_REQ_KVM	"/sys/module/mtty/parameters/require_kvm"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define KVM_DEBUGFS	"/sys/kernel/debug/kvm"

#define UUID_LEN	37
#define RACERS		4
#define RACE_ROUNDS	8

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The first line of @path, without its newline, or "" */
static int read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool param_on(const char *path)
{
	char buf[8];

	return !read_line(path, buf, sizeof(buf)) && buf[0] == 'Y';
}

/* ---- mdevs ---- */

static void mdev_uuid(char *uuid)
{
	static unsigned int seq;

	snprintf(uuid, UUID_LEN, "%08x-%04x-4000-8000-%012x", getpid(),
		 ++seq & 0xffff, 0x5e1f7e57);
}

static int mdev_create(const char *type, char *uuid)
{
	char path[PATH_MAX];

	mdev_uuid(uuid);
	snprintf(path, sizeof(path), "%s/create", type);
	return write_str(path, uuid);
}

static int mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return write_str(path, "1");
}

static void vendor_vm_path(const char *uuid, char *path, size_t len)
{
	snprintf(path, len, MDEV_DEVICES "/%s/vendor/vm", uuid);
}

static bool has_vendor_vm(const char *uuid)
{
	char path[PATH_MAX];

	vendor_vm_path(uuid, path, sizeof(path));
	return !access(path, R_OK);
}

/* What the sample shows as the device's VM: "none" or the VM's stats id */
static const char *vendor_vm(const char *uuid, char *buf, size_t len)
{
	char path[PATH_MAX];

	vendor_vm_path(uuid, path, sizeof(path));
	if (read_line(path, buf, len))
		snprintf(buf, len, "(unreadable)");
	return buf;
}

/*
 * Opens the mdev's group in a container of its own, with a type1 IOMMU.
 * Returns 0, -ENODEV where the kernel has no container or type1 backend
 * to offer, or another -errno.
 */
static int group_open(const char *uuid, int *container, int *group)
{
	char path[PATH_MAX], link[256];
	const char *nr;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	nr = strrchr(link, '/');
	nr = nr ? nr + 1 : link;

	*container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (*container < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	snprintf(path, sizeof(path), "/dev/vfio/%s", nr);
	*group = open(path, O_RDWR | O_CLOEXEC);
	if (*group < 0)
		return -errno;
	if (ioctl(*group, VFIO_GROUP_SET_CONTAINER, container))
		return -errno;
	if (ioctl(*container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		return ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ? -errno : 0;
	if (ioctl(*container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		return ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) ? -errno : 0;
	return -ENODEV;
}

/* The device's fd: its first open is where it gets the group's VM */
static int device_open(int group, const char *uuid)
{
	return ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
}

/* /dev/vfio/devices/vfioN of the mdev, or "" when it has none */
static void cdev_path(const char *uuid, char *path, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	path[0] = '\0';
	snprintf(dir, sizeof(dir), MDEV_DEVICES "/%s/vfio-dev", uuid);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

static int cdev_bind(int fd, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? -errno : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- VMs ---- */

struct vm {
	int kvm;		/* /dev/kvm */
	int fd;			/* the VM */
	int vfio;		/* its kvm-vfio device */
	char id[32];		/* stats id, what vendor/vm shows */
	char debugfs[64];	/* its directory in KVM's debugfs */
};

static void vm_init(struct vm *vm)
{
	vm->kvm = -1;
	vm->fd = -1;
	vm->vfio = -1;
}

static int vm_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -errno;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd))
		return -errno;
	vm->vfio = cd.fd;
	/*
	 * KVM names the VM after the creator's pid in the initial namespace:
	 * run in it. Two VMs of one process share the stats id, so the
	 * cases tell them apart by their debugfs directories only.
	 */
	snprintf(vm->id, sizeof(vm->id), "kvm-%d", getpid());
	snprintf(vm->debugfs, sizeof(vm->debugfs), KVM_DEBUGFS "/%d-%d",
		 getpid(), vm->fd);
	return 0;
}

/* Adds a VFIO group or device file to the VM's kvm-vfio device, or deletes it */
static int vm_file(struct vm *vm, int fd, bool add)
{
	__s32 file = fd;
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = add ? KVM_DEV_VFIO_FILE_ADD : KVM_DEV_VFIO_FILE_DEL,
		.addr = (__u64)(unsigned long)&file,
	};

	return ioctl(vm->vfio, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

static void vm_close(struct vm *vm)
{
	close_fd(&vm->vfio);
	close_fd(&vm->fd);
	close_fd(&vm->kvm);
}

/* Not yet destroyed: KVM removes the VM's debugfs directory at destroy */
static bool vm_alive(const struct vm *vm)
{
	return !access(vm->debugfs, F_OK);
}

static bool have_kvm_debugfs(void)
{
	return !access(KVM_DEBUGFS, X_OK);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- one mtty device, with a group or with device files ---- */

FIXTURE(mtty) {
	char uuid[UUID_LEN];
	bool created;
	int container;
	int group;
	int device;
	int cdev[2];
	int iommufd;
	struct vm vm[2];
	pid_t vmm;
};

FIXTURE_SETUP(mtty)
{
	self->container = -1;
	self->group = -1;
	self->device = -1;
	self->iommufd = -1;
	self->cdev[0] = -1;
	self->cdev[1] = -1;
	vm_init(&self->vm[0]);
	vm_init(&self->vm[1]);

	if (geteuid())
		SKIP(return, "creating mdevs needs root");
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm: KVM is not available");
	if (access(MTTY_TYPE "/create", W_OK))
		SKIP(return, "no %s: the mtty sample is not loaded", MTTY_TYPE);
	ASSERT_EQ(0, mdev_create(MTTY_TYPE, self->uuid));
	self->created = true;
}

FIXTURE_TEARDOWN(mtty)
{
	/* every file of the device closed first: removal waits for them */
	if (self->vmm > 0) {
		kill(self->vmm, SIGKILL);
		waitpid(self->vmm, NULL, 0);
	}
	close_fd(&self->device);
	close_fd(&self->cdev[0]);
	close_fd(&self->cdev[1]);
	close_fd(&self->group);
	close_fd(&self->container);
	close_fd(&self->iommufd);
	vm_close(&self->vm[0]);
	vm_close(&self->vm[1]);
	if (self->created)
		EXPECT_EQ(0, mdev_remove(self->uuid));
}

/* The device's group in a container; false where the test skipped */
static bool need_group(struct __test_metadata *_metadata, const char *uuid,
		       int *container, int *group)
{
	int ret = group_open(uuid, container, group);

	if (ret == -ENODEV)
		SKIP(return false, "no VFIO container with a type1 IOMMU");
	ASSERT_EQ(0, ret) TH_LOG("group of %s: %s", uuid, strerror(-ret));
	return true;
}

static bool need_vendor_vm(struct __test_metadata *_metadata, const char *uuid)
{
	if (!has_vendor_vm(uuid))
		SKIP(return false, "no vendor/vm attribute: no VM association here");
	return true;
}

static bool need_kvm_debugfs(struct __test_metadata *_metadata)
{
	if (!have_kvm_debugfs())
		SKIP(return false, "no %s: debugfs not mounted", KVM_DEBUGFS);
	return true;
}

/* The device's group, and what shows its VM and the VM's lifetime */
static bool need_group_vm(struct __test_metadata *_metadata, const char *uuid,
			  int *container, int *group)
{
	return need_group(_metadata, uuid, container, group) &&
	       need_vendor_vm(_metadata, uuid) && need_kvm_debugfs(_metadata);
}

/* The device's last close: its VM goes, and vendor/vm shows none */
static void expect_released_at_close(struct __test_metadata *_metadata,
				     int *device, const struct vm *vm,
				     const char *uuid)
{
	char shown[64];

	close_fd(device);
	EXPECT_FALSE(vm_alive(vm)) TH_LOG("VM alive after the last close");
	EXPECT_STREQ("none", vendor_vm(uuid, shown, sizeof(shown)));
}

/* Creates @vm and checks that KVM's debugfs shows it */
static void new_vm(struct __test_metadata *_metadata, struct vm *vm)
{
	int ret = vm_create(vm);

	ASSERT_EQ(0, ret) TH_LOG("VM create: %s", strerror(-ret));
	ASSERT_TRUE(vm_alive(vm)) TH_LOG("no %s", vm->debugfs);
}

/* Opened with a VM: the device shows it until its last close */
TEST_F(mtty, open_with_vm)
{
	char vm[64];

	if (!need_group(_metadata, self->uuid, &self->container, &self->group) ||
	    !need_vendor_vm(_metadata, self->uuid))
		return;
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
	close_fd(&self->device);
	EXPECT_STREQ("none", vendor_vm(self->uuid, vm, sizeof(vm)));
}

/*
 * Opened without a VM: no VM (or -EINVAL under mtty.require_kvm=1), and a
 * VM associated while the device is open is not the device's until its
 * next first open.
 */
TEST_F(mtty, open_without_vm)
{
	char vm[64];

	if (!need_group(_metadata, self->uuid, &self->container, &self->group) ||
	    !need_vendor_vm(_metadata, self->uuid))
		return;
	self->device = device_open(self->group, self->uuid);
	if (param_on(MTTY_REQ_KVM)) {
		EXPECT_EQ(-1, self->device);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	EXPECT_STREQ("none", vendor_vm(self->uuid, vm, sizeof(vm)));

	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	EXPECT_STREQ("none", vendor_vm(self->uuid, vm, sizeof(vm)));
	close_fd(&self->device);
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("reopen: %s", strerror(errno));
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
}

/*
 * The VMM closes its VM fd before it opens the device, keeping the
 * kvm-vfio device: the group holds the VM since KVM_DEV_VFIO_FILE_ADD, so
 * the device still gets it, and the VM lives until the device's last close.
 */
TEST_F(mtty, vm_fd_closed_before_open)
{
	char vm[64];

	if (!need_group_vm(_metadata, self->uuid, &self->container,
			   &self->group))
		return;
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	close_fd(&self->vm[0].fd);
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
	vm_close(&self->vm[0]);
	EXPECT_TRUE(vm_alive(&self->vm[0])) TH_LOG("VM gone while the device holds it");
	expect_released_at_close(_metadata, &self->device, &self->vm[0],
				 self->uuid);
}

/* Every fd of the VM closed while the device is open: it keeps its VM */
TEST_F(mtty, vm_fd_closed_after_open)
{
	char vm[64];

	if (!need_group_vm(_metadata, self->uuid, &self->container,
			   &self->group))
		return;
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	vm_close(&self->vm[0]);
	EXPECT_TRUE(vm_alive(&self->vm[0])) TH_LOG("VM gone while the device holds it");
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
	expect_released_at_close(_metadata, &self->device, &self->vm[0],
				 self->uuid);
}

/*
 * The cdev path: a second VFIO_DEVICE_BIND_IOMMUFD of a bound device,
 * through a second device file added to a second VM, fails and changes
 * nothing; each VM is destroyed after its last close. Only KVM's debugfs
 * is read, so that this runs on kernels whose samples show no VM.
 */
TEST_F(mtty, cdev_double_bind)
{
	char path[PATH_MAX];
	int ret;

	cdev_path(self->uuid, path, sizeof(path));
	if (access("/dev/iommu", R_OK | W_OK))
		SKIP(return, "no /dev/iommu: iommufd is not available");
	if (!path[0])
		SKIP(return, "no VFIO device cdev for %s", self->uuid);
	if (!need_kvm_debugfs(_metadata))
		return;

	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd) TH_LOG("/dev/iommu: %s", strerror(errno));
	self->cdev[0] = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->cdev[0]) TH_LOG("%s: %s", path, strerror(errno));
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->cdev[0], true));
	ret = cdev_bind(self->cdev[0], self->iommufd);
	ASSERT_EQ(0, ret) TH_LOG("bind: %s", strerror(-ret));

	self->cdev[1] = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->cdev[1]) TH_LOG("%s: %s", path, strerror(errno));
	new_vm(_metadata, &self->vm[1]);
	ASSERT_EQ(0, vm_file(&self->vm[1], self->cdev[1], true));
	ret = cdev_bind(self->cdev[1], self->iommufd);
	EXPECT_EQ(-EINVAL, ret) TH_LOG("second bind: %s", strerror(-ret));
	EXPECT_EQ(0, vm_file(&self->vm[1], self->cdev[1], false));
	close_fd(&self->cdev[1]);
	vm_close(&self->vm[1]);
	EXPECT_FALSE(vm_alive(&self->vm[1])) TH_LOG("second VM alive after its last close");
	EXPECT_TRUE(vm_alive(&self->vm[0])) TH_LOG("first VM gone while bound");

	/* kvm-vfio holds the device file: it leaves the VM before its close */
	EXPECT_EQ(0, vm_file(&self->vm[0], self->cdev[0], false));
	close_fd(&self->cdev[0]);
	vm_close(&self->vm[0]);
	EXPECT_FALSE(vm_alive(&self->vm[0])) TH_LOG("first VM alive after its last close");
}

/* KVM_DEV_VFIO_FILE_DEL while the device is open: it keeps its VM until close */
TEST_F(mtty, file_del_while_open)
{
	char vm[64];

	if (!need_group_vm(_metadata, self->uuid, &self->container,
			   &self->group))
		return;
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, false));
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
	vm_close(&self->vm[0]);
	EXPECT_TRUE(vm_alive(&self->vm[0])) TH_LOG("VM gone while the device holds it");
	EXPECT_STREQ(self->vm[0].id, vendor_vm(self->uuid, vm, sizeof(vm)));
	expect_released_at_close(_metadata, &self->device, &self->vm[0],
				 self->uuid);
}

/* The VMM: a VM, the group added, the device open; then it waits to die */
static void vmm(int group, const char *uuid, int ready)
{
	struct vm vm;
	int device;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	vm_init(&vm);
	if (vm_create(&vm) || vm_file(&vm, group, true))
		_exit(1);
	device = device_open(group, uuid);
	if (device < 0)
		_exit(2);
	if (write(ready, &vm.fd, sizeof(vm.fd)) != sizeof(vm.fd))
		_exit(3);
	for (;;)
		pause();
}

/* The VMM killed with the device open: no VM left, the mdev removable */
TEST_F(mtty, vmm_killed)
{
	char vm[64], id[32];
	int pipefd[2], vmfd = -1, i;
	struct vm child;
	ssize_t n;

	if (!need_group_vm(_metadata, self->uuid, &self->container,
			   &self->group))
		return;
	ASSERT_EQ(0, pipe(pipefd));
	self->vmm = fork();
	ASSERT_LE(0, self->vmm);
	if (!self->vmm) {
		close(pipefd[0]);
		vmm(self->group, self->uuid, pipefd[1]);
	}
	/* the VMM alone has the group */
	close(pipefd[1]);
	close_fd(&self->group);
	close_fd(&self->container);
	n = read(pipefd[0], &vmfd, sizeof(vmfd));
	close(pipefd[0]);
	ASSERT_EQ(sizeof(vmfd), n) TH_LOG("the VMM did not open the device");

	vm_init(&child);
	snprintf(child.debugfs, sizeof(child.debugfs), KVM_DEBUGFS "/%d-%d",
		 self->vmm, vmfd);
	snprintf(id, sizeof(id), "kvm-%d", self->vmm);
	EXPECT_TRUE(vm_alive(&child)) TH_LOG("no %s", child.debugfs);
	EXPECT_STREQ(id, vendor_vm(self->uuid, vm, sizeof(vm)));

	ASSERT_EQ(0, kill(self->vmm, SIGKILL));
	ASSERT_EQ(self->vmm, waitpid(self->vmm, NULL, 0));
	self->vmm = 0;
	/* a release the exiting task could not run itself is deferred */
	for (i = 0; i < 50 && vm_alive(&child); i++)
		sleep_ms(100);
	EXPECT_FALSE(vm_alive(&child)) TH_LOG("the killed VMM's VM is alive");
	EXPECT_STREQ("none", vendor_vm(self->uuid, vm, sizeof(vm)));
	EXPECT_EQ(0, mdev_remove(self->uuid));
	self->created = false;
}

static int module_refcnt(const char *mod)
{
	char path[PATH_MAX], buf[16];

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

static int unload(const char *mod)
{
	return syscall(__NR_delete_module, mod, O_NONBLOCK) ? -errno : 0;
}

/*
 * KVM as modules: the VM's file, which a device holds after the VMM closed
 * every fd of the VM, pins the vendor module, and so kvm under it. Only
 * the vendor module's refusal says anything: kvm is refused whenever the
 * vendor module is loaded. The unload is tried only once the reference is
 * seen, so that a kernel without it is not left closing a device into an
 * unloaded module.
 */
TEST_F(mtty, kvm_module_unload_refused)
{
	const char *vendor = NULL;
	int base, pinned, ret;

	if (module_refcnt("kvm") < 0)
		SKIP(return, "KVM is built in: no kvm module to unload");
	if (module_refcnt("kvm_amd") >= 0)
		vendor = "kvm_amd";
	else if (module_refcnt("kvm_intel") >= 0)
		vendor = "kvm_intel";
	else
		SKIP(return, "neither kvm_amd nor kvm_intel is a loaded module");
	if (!need_group(_metadata, self->uuid, &self->container, &self->group))
		return;

	base = module_refcnt(vendor);
	new_vm(_metadata, &self->vm[0]);
	ASSERT_EQ(0, vm_file(&self->vm[0], self->group, true));
	self->device = device_open(self->group, self->uuid);
	ASSERT_LE(0, self->device) TH_LOG("open: %s", strerror(errno));
	vm_close(&self->vm[0]);
	pinned = module_refcnt(vendor);
	ASSERT_LT(base, pinned) TH_LOG("%s not held by the device's VM", vendor);

	ret = unload(vendor);
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK)
		TH_LOG("rmmod %s: %s", vendor, strerror(-ret));
	close_fd(&self->device);
	EXPECT_EQ(base, module_refcnt(vendor));
}

/* ---- mdpy devices racing for one VM ---- */

FIXTURE(mdpy) {
	char type[PATH_MAX];
	char uuid[RACERS][UUID_LEN];
	bool created[RACERS];
	int container[RACERS];
	int group[RACERS];
	int device[RACERS];
	struct vm vm;
};

FIXTURE_SETUP(mdpy)
{
	struct dirent *e;
	DIR *d;
	int i;

	for (i = 0; i < RACERS; i++) {
		self->container[i] = -1;
		self->group[i] = -1;
		self->device[i] = -1;
	}
	vm_init(&self->vm);

	if (geteuid())
		SKIP(return, "creating mdevs needs root");
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm: KVM is not available");
	d = opendir(MDPY_TYPES);
	if (!d)
		SKIP(return, "no %s: the mdpy sample is not loaded", MDPY_TYPES);
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.') {
			snprintf(self->type, sizeof(self->type), MDPY_TYPES "/%s",
				 e->d_name);
			break;
		}
	}
	closedir(d);
	if (!self->type[0])
		SKIP(return, "mdpy offers no mdev type");
	if (!param_on(MDPY_ONE_PER_VM))
		SKIP(return, "mdpy.one_per_vm is off: load mdpy with one_per_vm=1");
}

FIXTURE_TEARDOWN(mdpy)
{
	int i;

	for (i = 0; i < RACERS; i++) {
		close_fd(&self->device[i]);
		close_fd(&self->group[i]);
		close_fd(&self->container[i]);
	}
	vm_close(&self->vm);
	for (i = 0; i < RACERS; i++)
		if (self->created[i])
			EXPECT_EQ(0, mdev_remove(self->uuid[i]));
}

struct racer {
	pthread_barrier_t *start;
	int group;
	const char *uuid;
	int fd;
	int err;
};

static void *race_open(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	r->fd = device_open(r->group, r->uuid);
	r->err = r->fd < 0 ? errno : 0;
	return NULL;
}

/* Devices of one VM opened at once: exactly one gets it, the others -EBUSY */
TEST_F_TIMEOUT(mdpy, one_per_vm, 120)
{
	struct racer racer[RACERS];
	pthread_t thread[RACERS];
	pthread_barrier_t start;
	int i, round, ret, opened, busy;

	for (i = 0; i < RACERS; i++) {
		ASSERT_EQ(0, mdev_create(self->type, self->uuid[i]));
		self->created[i] = true;
		ret = group_open(self->uuid[i], &self->container[i], &self->group[i]);
		if (ret == -ENODEV)
			SKIP(return, "no VFIO container with a type1 IOMMU");
		ASSERT_EQ(0, ret) TH_LOG("group: %s", strerror(-ret));
	}
	ret = vm_create(&self->vm);
	ASSERT_EQ(0, ret) TH_LOG("VM create: %s", strerror(-ret));
	for (i = 0; i < RACERS; i++)
		ASSERT_EQ(0, vm_file(&self->vm, self->group[i], true));

	for (round = 0; round < RACE_ROUNDS; round++) {
		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, RACERS));
		for (i = 0; i < RACERS; i++) {
			racer[i] = (struct racer) {
				.start = &start,
				.group = self->group[i],
				.uuid = self->uuid[i],
			};
			ASSERT_EQ(0, pthread_create(&thread[i], NULL, race_open,
						    &racer[i]));
		}
		opened = 0;
		busy = 0;
		for (i = 0; i < RACERS; i++) {
			ASSERT_EQ(0, pthread_join(thread[i], NULL));
			self->device[i] = racer[i].fd;
			opened += racer[i].fd >= 0;
			busy += racer[i].err == EBUSY;
			if (racer[i].fd < 0 && racer[i].err != EBUSY)
				TH_LOG("round %d: open %d: %s", round, i,
				       strerror(racer[i].err));
		}
		pthread_barrier_destroy(&start);
		EXPECT_EQ(1, opened) TH_LOG("round %d", round);
		EXPECT_EQ(RACERS - 1, busy) TH_LOG("round %d", round);
		for (i = 0; i < RACERS; i++)
			close_fd(&self->device[i]);
	}
}

TEST_HARNESS_MAIN

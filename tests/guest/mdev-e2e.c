// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end test of mdev_kvm_assoc in the guest, with real ioctls: VMs
 * from /dev/kvm, a kvm-vfio device per VM, mdevs of the samples created
 * through sysfs, opened through their VFIO group.
 *
 * usage: mdev-e2e [-v] [-m] [-c] [-r ROUNDS] [-t THREADS] [SAMPLE...]
 * -m: only unload kvm.ko and kvm-amd.ko while a device is associated (the
 * KVM=m kernel, where the two are loaded before each sample).
 * -c: only the cdev scenario (tests/fixes-guest.sh, without the vfio fix);
 * on a kernel without mdev_kvm_assoc (no debugfs directory), only what
 * does not need it: the bind's errors and each VM's destruction.
 * Prints one line per scenario and ends with "mka-e2e: N passed, N failed".
 * The VM's fds closed before and after the device's open are the
 * selftest's (tools/testing/selftests/vfio/vfio_mdev_kvm_test.c), for mtty;
 * the VFIO core alone keeps the VM there, whichever the sample.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DBG "/sys/kernel/debug"

static bool verbose;
static int passed, failed;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("mka-e2e: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/*
 * Policies of the samples: mtty's and mdpy's are off by default and turned
 * on by a module parameter (on the kernel command line, the samples being
 * built in), which sample_policy() reads back; mbochs has none. No policy
 * refuses another process's VM.
 */
struct sample {
	const char *name;
	const char *param;	/* the module parameter that sets the policy */
	unsigned int policy;	/* what the parameter turns on */
	bool exclusive;		/* one device per VM */
	bool require_kvm;	/* no VM: -EINVAL */
};

#define EXCLUSIVE	1
#define REQUIRE_KVM	2

static struct sample samples[] = {
	{ "mtty", "require_kvm", REQUIRE_KVM },
	{ "mdpy", "one_per_vm", EXCLUSIVE },
	{ "mbochs", NULL, 0 },	/* no policy */
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	buf[0] = 0;
	if (fd < 0)
		return -errno;
	while (total < (ssize_t)len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	close(fd);
	return total;
}

/* ---- mdevs ---- */

struct mdev {
	const struct sample *s;
	char uuid[40];
	int group;		/* /dev/vfio/N fd */
	int container;		/* /dev/vfio/vfio fd */
};

static void make_uuid(char *buf)
{
	static unsigned int seq;
	unsigned int r = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);

	snprintf(buf, 40, "%08x-0000-4000-8000-%012x", getpid(), r);
}

static int first_type(const struct sample *s, char *path, size_t len)
{
	char dir[256];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/class/mdev_bus/%s/mdev_supported_types",
		 s->name);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, len, "%s/%s/create", dir, e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return -ENOENT;
}

/* Creates the mdev; unless @cdev, opens its group in a type1 container. */
static int mdev_create_as(const struct sample *s, struct mdev *m, bool cdev)
{
	char path[1024], link[512], dev[64];
	ssize_t n;
	int ret;

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->group = m->container = -1;
	make_uuid(m->uuid);
	ret = first_type(s, path, sizeof(path));
	if (ret)
		return ret;
	ret = write_file(path, m->uuid);
	if (ret || cdev)
		return ret;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 m->uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(dev, sizeof(dev), "/dev/vfio/%s", basename(link));
	m->container = open("/dev/vfio/vfio", O_RDWR);
	m->group = open(dev, O_RDWR);
	if (m->container < 0 || m->group < 0)
		return -errno;
	if (ioctl(m->group, VFIO_GROUP_SET_CONTAINER, &m->container) ||
	    ioctl(m->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		return -errno;
	return 0;
}

static int mdev_remove(struct mdev *m)
{
	char path[256];

	if (m->group >= 0)
		close(m->group);
	if (m->container >= 0)
		close(m->container);
	m->group = m->container = -1;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", m->uuid);
	return write_file(path, "1");
}

static int mdev_create(const struct sample *s, struct mdev *m)
{
	return mdev_create_as(s, m, false);
}

/* The device fd, or -errno: opening it is what attaches the VM. */
static int mdev_open(struct mdev *m)
{
	int fd = ioctl(m->group, VFIO_GROUP_GET_DEVICE_FD, m->uuid);

	return fd < 0 ? -errno : fd;
}

/* What the sample's vendor/vm attribute says: "none" or "kvm-<pid>". */
static void mdev_vm(struct mdev *m, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vendor/vm",
		 m->uuid);
	if (read_file(path, buf, len) < 0)
		snprintf(buf, len, "unreadable");
	buf[strcspn(buf, "\n")] = 0;
}

/* ---- VMs ---- */

struct vm {
	int kvm, fd, vfio;	/* /dev/kvm, the VM, its kvm-vfio device */
	char name[32];		/* stats id: kvm-<pid> */
};

static int vm_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	vm->kvm = open("/dev/kvm", O_RDWR);
	if (vm->kvm < 0)
		return -errno;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd))
		return -errno;
	vm->vfio = cd.fd;
	snprintf(vm->name, sizeof(vm->name), "kvm-%d", getpid());
	return 0;
}

/* Adds a VFIO group or device file to the VM's kvm-vfio device, or removes it. */
static int vm_file(struct vm *vm, int32_t fd, bool add)
{
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = add ? KVM_DEV_VFIO_FILE_ADD : KVM_DEV_VFIO_FILE_DEL,
		.addr = (uint64_t)(unsigned long)&fd,
	};

	return ioctl(vm->vfio, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

static int vm_group(struct vm *vm, struct mdev *m, bool add)
{
	return vm_file(vm, m->group, add);
}

static void vm_close(struct vm *vm)
{
	close(vm->vfio);
	close(vm->fd);
	close(vm->kvm);
	vm->vfio = vm->fd = vm->kvm = -1;
}

/* VMs alive in the kernel: one debugfs directory each, gone at destroy. */
static int vms_alive(void)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(DBG "/kvm");

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strchr(e->d_name, '-'))
			n++;
	closedir(d);
	return n;
}

static int lib_assocs(const struct sample *s)
{
	char path[128], buf[8192];
	int n = 0;
	char *p;

	snprintf(path, sizeof(path), DBG "/mdev_kvm_assoc/%s/associations",
		 s->name);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

/* The sample's policy, from its module parameter ("Y" or "N"), if any. */
static int sample_policy(struct sample *s)
{
	char path[128], buf[8];
	bool on;

	if (!s->param) {
		say("%s: no policy", s->name);
		return 0;
	}
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", s->name,
		 s->param);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		say("%s: cannot read %s", s->name, path);
		return -1;
	}
	on = buf[0] == 'Y';
	s->exclusive = on && (s->policy & EXCLUSIVE);
	s->require_kvm = on && (s->policy & REQUIRE_KVM);
	say("%s: %s=%c", s->name, s->param, on ? 'Y' : 'N');
	return 0;
}

/* ---- checks ---- */

static const char *cur_sample, *cur_scenario;
static bool cur_ok;
static bool unconverted;	/* no mdev_kvm_assoc in this kernel */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("mka-e2e:   FAIL %s: %s: line %d: ", cur_sample,	\
		       cur_scenario, __LINE__);				\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		cur_ok = false;						\
	}								\
} while (0)

static void begin(const struct sample *s, const char *scenario)
{
	cur_sample = s->name;
	cur_scenario = scenario;
	cur_ok = true;
}

static void end(const char *what)
{
	if (cur_ok)
		passed++;
	else
		failed++;
	say("%-6s %-28s %s%s", cur_sample, cur_scenario,
	    cur_ok ? "ok" : "FAILED", what ? what : "");
}

/* Device open with the VM: associated, visible, released on close. */
static void scenario_lifecycle(const struct sample *s)
{
	struct mdev m;
	struct vm vm;
	char shown[64], note[160];
	int fd, ret;

	begin(s, "associate and release");
	ret = mdev_create(s, &m);
	CHECK(!ret, "mdev create: %s", strerror(-ret));
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_group(&vm, &m, true), "kvm-vfio add: %s", strerror(errno));
	fd = mdev_open(&m);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(!strcmp(shown, vm.name), "vm shows '%s', want '%s'", shown, vm.name);
	CHECK(lib_assocs(s) == 1, "debugfs shows %d associations", lib_assocs(s));
	snprintf(note, sizeof(note), ": VM created, mdev %.8s created, opened -> associated with %s",
		 m.uuid, shown);
	close(fd);
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(!strcmp(shown, "none"), "after close vm shows '%s'", shown);
	strncat(note, ", closed -> released", sizeof(note) - strlen(note) - 1);
	vm_close(&vm);
	mdev_remove(&m);
	end(note);
}

/* Opens @m with no VM: refused with EINVAL, or opened unassociated. */
static void open_without_vm(const struct sample *s, struct mdev *m,
			    const char *how)
{
	char shown[64];
	int fd = mdev_open(m);

	if (s->require_kvm) {
		CHECK(fd == -EINVAL, "open %s: %s, want EINVAL", how,
		      strerror(-fd));
	} else {
		CHECK(fd >= 0, "open %s: %s", how, strerror(-fd));
		mdev_vm(m, shown, sizeof(shown));
		CHECK(!strcmp(shown, "none"), "vm shows '%s'", shown);
	}
	if (fd >= 0)
		close(fd);
}

static void scenario_no_vm(const struct sample *s)
{
	struct mdev m;

	begin(s, "no VM");
	CHECK(!mdev_create(s, &m), "mdev create");
	open_without_vm(s, &m, "without VM");
	mdev_remove(&m);
	end(s->require_kvm ? ": refused with EINVAL" : ": opened unassociated");
}

static void scenario_second_device(const struct sample *s)
{
	struct mdev a, b;
	int fa, fb;
	struct vm vm;

	begin(s, "second device, same VM");
	CHECK(!mdev_create(s, &a) && !mdev_create(s, &b), "mdev create");
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_group(&vm, &a, true) && !vm_group(&vm, &b, true), "add");
	fa = mdev_open(&a);
	fb = mdev_open(&b);
	CHECK(fa >= 0, "first open: %s", strerror(-fa));
	if (s->exclusive)
		CHECK(fb == -EBUSY, "second open: %s, want EBUSY", strerror(-fb));
	else
		CHECK(fb >= 0, "second open: %s", strerror(-fb));
	if (fb >= 0)
		close(fb);
	if (fa >= 0)
		close(fa);
	/* once the first is closed, the second may have the VM */
	fb = mdev_open(&b);
	CHECK(fb >= 0, "second open after first closed: %s", strerror(-fb));
	if (fb >= 0)
		close(fb);
	vm_close(&vm);
	mdev_remove(&a);
	mdev_remove(&b);
	end(s->exclusive ? ": second refused with EBUSY" : ": both associated");
}

/* A child creates the VM and adds our group; we open the device: accepted. */
static void scenario_other_process(const struct sample *s)
{
	int go[2], done[2], fd;
	char shown[64], c;
	struct mdev m;
	pid_t pid;

	begin(s, "VM of another process");
	CHECK(!mdev_create(s, &m), "mdev create");
	if (pipe(go) || pipe(done))
		return;
	pid = fork();
	if (!pid) {
		struct vm vm;

		if (vm_create(&vm) || vm_group(&vm, &m, true))
			_exit(1);
		c = 1;
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		vm_close(&vm);
		_exit(0);
	}
	CHECK(read(go[0], &c, 1) == 1, "child did not set up its VM");
	fd = mdev_open(&m);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(atoi(shown + 4) == pid, "vm shows '%s', child %d", shown, pid);
	if (fd >= 0)
		close(fd);
	c = 1;
	CHECK(write(done[1], &c, 1) == 1, "release child");
	waitpid(pid, NULL, 0);
	close(go[0]); close(go[1]); close(done[0]); close(done[1]);
	mdev_remove(&m);
	end(": associated with the child's VM");
}

/* Two fds on one device: one association, made at first open. */
static void scenario_double_open(const struct sample *s)
{
	char shown[64];
	struct mdev m;
	struct vm vm;
	int f1, f2;

	begin(s, "double open");
	CHECK(!mdev_create(s, &m), "mdev create");
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_group(&vm, &m, true), "add");
	f1 = mdev_open(&m);
	f2 = mdev_open(&m);
	CHECK(f1 >= 0 && f2 >= 0, "opens: %d %d", f1, f2);
	close(f1);
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(!strcmp(shown, vm.name), "still associated after one close: '%s'", shown);
	close(f2);
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(!strcmp(shown, "none"), "released after last close: '%s'", shown);
	vm_close(&vm);
	mdev_remove(&m);
	end(": one association for both fds");
}

static void *remover(void *arg)
{
	struct mdev *m = arg;
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", m->uuid);
	return (void *)(long)write_file(path, "1");
}

/* Removing the mdev waits for the device to be closed, then ends cleanly. */
static void scenario_remove_while_open(const struct sample *s)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	pthread_t t;
	struct mdev m;
	struct vm vm;
	void *ret;
	int fd;

	begin(s, "mdev removed while open");
	CHECK(!mdev_create(s, &m), "mdev create");
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_group(&vm, &m, true), "add");
	fd = mdev_open(&m);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	pthread_create(&t, NULL, remover, &m);
	nanosleep(&ts, NULL);
	CHECK(lib_assocs(s) == 1, "association gone before close");
	close(fd);
	pthread_join(t, &ret);
	CHECK(!ret, "remove: %s", strerror(-(long)ret));
	CHECK(lib_assocs(s) == 0, "%d associations left", lib_assocs(s));
	close(m.group);
	close(m.container);
	vm_close(&vm);
	end(": removal waited for close");
}

/* The cdev path: /dev/vfio/devices/vfioN, bound to an iommufd. */
static int cdev_open(struct mdev *m)
{
	char dir[256], dev[300];
	struct dirent *e;
	DIR *d;
	int fd = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/mdev/devices/%s/vfio-dev", m->uuid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "vfio", 4))
			continue;
		snprintf(dev, sizeof(dev), "/dev/vfio/devices/%s", e->d_name);
		fd = open(dev, O_RDWR);
		if (fd < 0)
			fd = -errno;
		break;
	}
	closedir(d);
	return fd;
}

static int cdev_bind(int fd, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? -errno : 0;
}

static void scenario_cdev(const struct sample *s)
{
	int fd, fd2, iommufd, ret, alive;
	char shown[64];
	struct mdev m;
	struct vm vm, vm2;

	begin(s, "cdev: bind to iommufd");
	CHECK(!mdev_create_as(s, &m, true), "mdev create");
	iommufd = open("/dev/iommu", O_RDWR);
	CHECK(iommufd >= 0, "/dev/iommu: %s", strerror(errno));

	/* no VM */
	fd = cdev_open(&m);
	CHECK(fd >= 0, "cdev open: %s", strerror(-fd));
	ret = cdev_bind(fd, iommufd);
	if (s->require_kvm)
		CHECK(ret == -EINVAL, "bind without VM: %s, want EINVAL",
		      strerror(-ret));
	else
		CHECK(!ret, "bind without VM: %s", strerror(-ret));
	close(fd);

	/* the device file added to the VM's kvm-vfio device */
	fd = cdev_open(&m);
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_file(&vm, fd, true), "kvm-vfio add of the device file");
	ret = cdev_bind(fd, iommufd);
	CHECK(!ret, "bind: %s", strerror(-ret));
	/*
	 * A second bind of the bound device, through a file of another VM,
	 * fails and changes nothing. Without the vfio fix (patches/fixes/vfio)
	 * it replaced the first bind's VM reference with its own, then dropped
	 * that: the first VM is then never destroyed.
	 */
	fd2 = cdev_open(&m);
	CHECK(!vm_create(&vm2), "VM 2 create");
	CHECK(!vm_file(&vm2, fd2, true), "kvm-vfio add of the second device file");
	ret = cdev_bind(fd2, iommufd);
	CHECK(ret == -EINVAL, "second bind: %s, want EINVAL", strerror(-ret));
	CHECK(!vm_file(&vm2, fd2, false), "kvm-vfio del of the second device file");
	close(fd2);
	alive = vms_alive();
	vm_close(&vm2);
	CHECK(vms_alive() == alive - 1, "VM 2 not destroyed after its last close");
	if (!unconverted) {
		mdev_vm(&m, shown, sizeof(shown));
		CHECK(!strcmp(shown, vm.name), "vm shows '%s', want '%s'",
		      shown, vm.name);
	}
	/*
	 * kvm-vfio holds the device file, which holds the VM: the file must
	 * leave the VM before its last close can release either.
	 */
	CHECK(!vm_file(&vm, fd, false), "kvm-vfio del of the device file");
	close(fd);
	if (!unconverted) {
		mdev_vm(&m, shown, sizeof(shown));
		CHECK(!strcmp(shown, "none"), "after close vm shows '%s'", shown);
	}
	alive = vms_alive();
	vm_close(&vm);
	CHECK(vms_alive() == alive - 1, "VM not destroyed after its last close");
	close(iommufd);
	mdev_remove(&m);
	end(s->require_kvm ? ": EINVAL without a VM, associated through the device file" :
	    ": associated through the device file, released at close");
}

/* ---- the race ---- */

#define RACE_VMS 3

struct race {
	const struct sample *s;
	pthread_mutex_t lock;		/* vm[] */
	struct vm vm[RACE_VMS];
	int rounds;
	long attached, refused, unexpected;
};

struct racer {
	struct race *r;
	struct mdev m;
	unsigned int seed;
	pthread_t t;
};

static void *race_thread(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->r;
	char shown[64];
	int i, fd, slot;

	for (i = 0; i < r->rounds; i++) {
		slot = rand_r(&me->seed) % RACE_VMS;
		switch (rand_r(&me->seed) % 16) {
		case 0:
			/* a VM destroyed and re-created under everyone */
			pthread_mutex_lock(&r->lock);
			vm_close(&r->vm[slot]);
			vm_create(&r->vm[slot]);
			pthread_mutex_unlock(&r->lock);
			break;
		case 1:
		case 2:
			pthread_mutex_lock(&r->lock);
			vm_group(&r->vm[slot], &me->m, rand_r(&me->seed) % 4);
			pthread_mutex_unlock(&r->lock);
			break;
		case 3:
		case 4:
			/* a sysfs reader on another path than open */
			mdev_vm(&me->m, shown, sizeof(shown));
			break;
		default:
			fd = mdev_open(&me->m);
			if (fd >= 0) {
				mdev_vm(&me->m, shown, sizeof(shown));
				if (!strncmp(shown, "kvm-", 4))
					__atomic_add_fetch(&r->attached, 1, __ATOMIC_RELAXED);
				else if (r->s->require_kvm)
					__atomic_add_fetch(&r->unexpected, 1, __ATOMIC_RELAXED);
				close(fd);
			} else if ((fd == -EBUSY && r->s->exclusive) ||
				   (fd == -EINVAL && r->s->require_kvm)) {
				__atomic_add_fetch(&r->refused, 1, __ATOMIC_RELAXED);
			} else {
				if (verbose)
					say("race: open: %s", strerror(-fd));
				__atomic_add_fetch(&r->unexpected, 1, __ATOMIC_RELAXED);
			}
		}
	}
	return NULL;
}

static void scenario_race(const struct sample *s, int threads, int rounds)
{
	struct racer *rc = calloc(threads, sizeof(*rc));
	struct race r = { .s = s, .rounds = rounds };
	char note[128], what[64];
	int i, alive = vms_alive();

	snprintf(what, sizeof(what), "race, %d threads", threads);
	begin(s, what);
	pthread_mutex_init(&r.lock, NULL);
	for (i = 0; i < RACE_VMS; i++)
		CHECK(!vm_create(&r.vm[i]), "VM create");
	for (i = 0; i < threads; i++) {
		rc[i].r = &r;
		rc[i].seed = i + 1;
		CHECK(!mdev_create(s, &rc[i].m), "mdev %d create", i);
	}
	for (i = 0; i < threads; i++)
		pthread_create(&rc[i].t, NULL, race_thread, &rc[i]);
	for (i = 0; i < threads; i++)
		pthread_join(rc[i].t, NULL);
	for (i = 0; i < RACE_VMS; i++)
		vm_close(&r.vm[i]);
	for (i = 0; i < threads; i++)
		CHECK(!mdev_remove(&rc[i].m), "mdev %d remove", i);

	CHECK(r.attached > 0, "no open was ever associated");
	CHECK(!r.unexpected, "%ld opens ended unexpectedly", r.unexpected);
	CHECK(lib_assocs(s) == 0, "%d associations left", lib_assocs(s));
	CHECK(vms_alive() == alive, "%d VMs leaked", vms_alive() - alive);
	snprintf(note, sizeof(note), ": %ld attach/detach cycles, %ld refused by policy, nothing left",
		 r.attached, r.refused);
	free(rc);
	end(note);
}

/*
 * failslab over the attach path: the Nth slab allocation of the open fails,
 * for N = 1, 2, ... until the open makes fewer than N. Every failure must
 * be a clean errno that leaves nothing attached or referenced; the device
 * must then open normally. Leaks are left to kmemleak, splats to the scan.
 * Some faults are absorbed where the allocator has a fallback (kmemleak's
 * metadata pool, an optional ref_tracker entry).
 */
/* Opened once, so that reading it back allocates nothing itself. */
static int fail_nth_fd = -1;

static int fail_nth(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -errno;
}

static int fail_nth_left(void)
{
	char buf[16] = "";

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

static void scenario_failslab(const struct sample *s)
{
	int n, fd = -1, failures = 0, enomem = 0, left, alive;
	char note[160];
	struct mdev m;
	struct vm vm;

	begin(s, "failslab on every open alloc");
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth_fd < 0 ||
	    write_file(DBG "/failslab/ignore-gfp-wait", "N") ||
	    write_file(DBG "/failslab/verbose", "0")) {
		CHECK(0, "failslab not available: %s", strerror(errno));
		end(NULL);
		return;
	}
	CHECK(!mdev_create(s, &m), "mdev create");
	alive = vms_alive();
	for (n = 1; n < 1000; n++) {
		CHECK(!vm_create(&vm), "VM create");
		CHECK(!vm_group(&vm, &m, true), "kvm-vfio add");
		CHECK(!fail_nth(n), "fail-nth: %s", strerror(errno));
		fd = mdev_open(&m);
		left = fail_nth_left();
		fail_nth(0);
		if (fd >= 0)
			close(fd);
		vm_group(&vm, &m, false);
		vm_close(&vm);
		CHECK(lib_assocs(s) == 0, "N=%d: %d associations left", n,
		      lib_assocs(s));
		CHECK(vms_alive() == alive, "N=%d: VM left alive", n);
		CHECK(left >= 0, "N=%d: fail-nth unreadable", n);
		if (left)
			break;		/* the open made fewer than N */
		failures++;
		enomem += fd == -ENOMEM;
		CHECK(fd >= 0 || fd == -ENOMEM, "N=%d: open failed with %s",
		      n, strerror(-fd));
	}
	close(fail_nth_fd);
	/* n is now the first N past the last allocation: the open succeeded */
	CHECK(fd >= 0, "open without injected failure: %s", strerror(-fd));
	CHECK(failures > 0, "no allocation on the open path was failed");
	mdev_remove(&m);
	snprintf(note, sizeof(note),
		 ": %d faults injected in turn: %d -> ENOMEM, %d absorbed by a fallback",
		 failures, enomem, failures - enomem);
	end(note);
}

/*
 * KVM as modules (the KVM=m kernel): while a device holds the VM, its
 * file pins the vendor module (the file's owner), kvm_amd, and kvm.ko
 * under it, so neither unloads; once the device is closed both do, and
 * the device opens again without KVM.
 */
static int module_refcnt(const char *mod)
{
	char path[64], buf[16];

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

static int unload(const char *mod)
{
	return syscall(__NR_delete_module, mod, O_NONBLOCK) ? -errno : 0;
}

static void scenario_module_unload(const struct sample *s)
{
	int fd, ret, pinned, base;
	char shown[64], note[200];
	struct mdev m;
	struct vm vm;

	begin(s, "unload kvm while associated");
	CHECK(!mdev_create(s, &m), "mdev create");
	base = module_refcnt("kvm_amd");
	CHECK(base >= 0, "kvm_amd is not a loaded module");
	CHECK(!vm_create(&vm), "VM create");
	CHECK(!vm_group(&vm, &m, true), "kvm-vfio add");
	fd = mdev_open(&m);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	vm_close(&vm);		/* only the device holds the VM now */
	pinned = module_refcnt("kvm_amd");
	CHECK(pinned > base, "kvm_amd refcnt %d, was %d before the VM",
	      pinned, base);
	ret = unload("kvm_amd");
	CHECK(ret == -EWOULDBLOCK || ret == -EBUSY,
	      "rmmod kvm_amd while associated: %s", strerror(-ret));
	ret = unload("kvm");
	CHECK(ret == -EWOULDBLOCK || ret == -EBUSY,
	      "rmmod kvm while associated: %s", strerror(-ret));
	mdev_vm(&m, shown, sizeof(shown));
	CHECK(!strncmp(shown, "kvm-", 4), "vm shows '%s'", shown);
	snprintf(note, sizeof(note),
		 ": kvm_amd refcnt %d -> %d, rmmod refused (%s)", base, pinned,
		 strerror(-ret));
	close(fd);
	CHECK(module_refcnt("kvm_amd") == base, "kvm_amd refcnt %d after close",
	      module_refcnt("kvm_amd"));
	ret = unload("kvm_amd");
	CHECK(!ret, "rmmod kvm_amd after close: %s", strerror(-ret));
	ret = unload("kvm");
	CHECK(!ret, "rmmod kvm after close: %s", strerror(-ret));
	open_without_vm(s, &m, "without kvm.ko");
	mdev_remove(&m);
	strncat(note, ", closed -> both unloaded, reopened without KVM",
		sizeof(note) - strlen(note) - 1);
	end(note);
}

int main(int argc, char **argv)
{
	int threads = 8, rounds = 200, opt, i, j;
	bool modules = false, cdev_only = false;

	while ((opt = getopt(argc, argv, "vmcr:t:")) != -1) {
		switch (opt) {
		case 'v': verbose = true; break;
		case 'm': modules = true; break;
		case 'c': cdev_only = true; break;
		case 'r': rounds = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-v] [-m] [-c] [-r ROUNDS] [-t THREADS] [SAMPLE...]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < (int)(sizeof(samples) / sizeof(samples[0])); i++) {
		struct sample *s = &samples[i];
		bool wanted = optind == argc;

		for (j = optind; j < argc; j++)
			wanted |= !strcmp(argv[j], s->name);
		if (!wanted)
			continue;
		if (cdev_only && access(DBG "/mdev_kvm_assoc", F_OK)) {
			unconverted = true;
			say("%s: no mdev_kvm_assoc in this kernel, its checks left out",
			    s->name);
			scenario_cdev(s);
			continue;
		}
		if (sample_policy(s)) {
			failed++;
			continue;
		}
		if (modules) {
			scenario_module_unload(s);
			continue;
		}
		if (cdev_only) {
			scenario_cdev(s);
			continue;
		}
		scenario_lifecycle(s);
		scenario_no_vm(s);
		scenario_second_device(s);
		scenario_other_process(s);
		scenario_double_open(s);
		scenario_remove_while_open(s);
		scenario_cdev(s);
		scenario_race(s, threads, rounds);
		scenario_failslab(s);
	}
	say("%d passed, %d failed", passed, failed);
	return failed ? 1 : 0;
}

/*
 * Promela model of lib/mdev_kvm_assoc.c: attach, detach, the lock helper
 * (mdev_kvm_assoc_lock()), mdev_kvm_assoc_sysfs_emit(), the VM's file and
 * its deferred release, and VM teardown, for Spin (tests/model.sh runs it).
 *
 * Checked: no invalid end state (every process terminates, so no
 * deadlock); no use of a VM after its last reference (every access to a
 * VM, taking or releasing its kvm->lock, a driver callback, the lookup's
 * use, a get or a put, asserts that it is not freed; a file reference is
 * never taken on a count of 0 nor a released file); the file's release
 * runs only where its process holds no lock; at most one device of the
 * exclusive domain published per VM, the check atomic with publication.
 *
 * Configuration: policy MDEV_KVM_ASSOC_EXCLUSIVE, no vm_rwsem, two
 * devices, NVM VMs, one domain. By default the domain has an outer lock
 * (as vfio_ap's guests_lock), and the lookup is the lock helper: the outer
 * lock, kvm->lock of the associated VM, the domain lock. With -DNO_OUTER
 * it has none, and the lookup is mdev_kvm_assoc_sysfs_emit() (or the lock
 * helper's fallback there): the domain lock alone. By default the domain
 * has attach and detach callbacks, so attach and detach take kvm->lock,
 * detach that of the VM it reads without a lock (the VFIO core serialises
 * a device's open and close, so only the detaching process changes it);
 * with -DPOLICY_ONLY it has policies only, and attach and detach take the
 * outer lock (if any) and the domain lock.
 *
 * Abstractions (see also the comments at each place):
 * - mutexes are bytes holding the owner's _pid + 1, taken by an atomic
 *   test-and-set that blocks while held;
 * - each VM has one file (the VM fd) with its own count, fcount; the
 *   file holds one kvm->users_count reference, VM 1's vCPU (fd) another;
 *   the owner closes them whenever it likes;
 * - the VFIO core's reference, taken by the opener before attach and
 *   dropped after detach, is on the file: get_file_active() (fails on a
 *   count of 0 or a cleared kvm->vm_file), fput(). The library takes
 *   none. The last fput() queues the release on its process (task work);
 *   the process runs it when it returns to user space, at the end of each
 *   of its operations, which asserts that it holds no lock. The release
 *   (kvm_vm_release()) clears kvm->vm_file and drops the file's kvm
 *   reference. Where nothing but the return to user space follows an
 *   fput(), they are one step: in between, nothing could get a reference
 *   on the file (its count is 0), and no vCPU close can come in between
 *   that could not come before;
 * - files are not reused here (the TSan harness reuses them), so
 *   get_file_active()'s second load of kvm->vm_file is left out;
 * - kvm_put_kvm() that reaches 0 runs the teardown in the putting
 *   process; teardown takes kvm->lock of the VM and the domain lock
 *   (upstream it runs the kvm-vfio device's release, which reaches VFIO's
 *   and the driver's locks), then frees the VM;
 * - the vm_rwsem is left out: it is only ever taken for write nested in
 *   kvm->lock, so it cannot block attach or detach;
 * - the driver's attach/detach callbacks are a use of the VM (an
 *   assertion); the attach callback may fail;
 * - the VM pointer handed to attach (vfio_device.kvm / group->kvm) is
 *   valid memory until teardown frees the VM: VFIO clears it in the
 *   kvm-vfio release before the free. A freed VM means the opener has
 *   none, i.e. attach(assoc, NULL), which publishes nothing;
 * - the library borrows the VM: the opener (the VFIO core) holds the
 *   VM's file from before attach until detach has returned, and drops it
 *   then; the VM's owner may have closed it, so that reference may be the
 *   file's last one.
 *
 * Negative variants (spin -DOLD_xxx and others), each a mistake the
 * library rules out; tests/model.sh requires Spin to catch each:
 *   OLD_PUT_UNDER_LOCK       close drops the VM's reference under the
 *                            domain lock (and kvm->lock), the release
 *                            synchronous (the old kvm_put_kvm() there)
 *   OLD_UNLOCKED_LOOKUP      lookup reads assoc->kvm with no lock, then
 *                            takes kvm->lock and the domain lock
 *   OLD_GET_UNSAFE           the open's reference not checked live
 *                            (kvm_get_kvm(), not _safe(); get_file() of
 *                            kvm->vm_file, not get_file_active())
 *   OLD_NONATOMIC_EXCLUSIVE  exclusivity check and publication under two
 *                            lock holds (kvmgt)
 *   OLD_INVERSION            lookup takes the domain lock, then kvm->lock
 *   DETACH_NO_OUTER          not upstream's: detach without the outer
 *                            lock, which then no longer keeps the
 *                            association for the lock helper
 */

#ifndef NVM
#define NVM	2		/* VMs, 1 or 2; VM 0 is the NULL pointer */
#endif
#define NDEV	2		/* devices (associations) 1 and 2 */

#ifdef POLICY_ONLY
#define ATTACH_VM(v)	0	/* attach and detach take no kvm->lock */
#else
#define ATTACH_VM(v)	v
#endif

byte refcnt[NVM + 1];		/* kvm->users_count */
bool freed[NVM + 1];		/* kvm_destroy_vm() has freed the VM */
byte fcount[NVM + 1];		/* the VM file's count */
bool vm_file[NVM + 1];		/* kvm->vm_file set */
byte kvm_lock[NVM + 1];		/* kvm->lock: owner _pid + 1, or 0 */
byte outer_lock;		/* domain->outer_lock */
byte dom_lock;			/* domain->lock */
byte assoc_ref[NDEV + 1];	/* assoc->kvm: VM number, 0 = NULL */
byte vms[NVM + 1];		/* domain->vms: VM -> assoc, 0 = none */

/* the calling process holds none of the locks */
#define HOLDS_NONE	(dom_lock != _pid + 1 && outer_lock != _pid + 1 && \
			 kvm_lock[1] != _pid + 1 && kvm_lock[NVM] != _pid + 1)

/* ---- locks -------------------------------------------------------- */

/* mutex_lock(): blocks while another process holds it */
inline mutex_lock(m)
{
	atomic { m == 0 -> m = _pid + 1 }
}

inline mutex_unlock(m)
{
	atomic { assert(m == _pid + 1); m = 0 }
}

/* mutex_lock(&kvm->lock): the VM must still exist */
inline kvm_mutex_lock(v)
{
	atomic { kvm_lock[v] == 0 -> kvm_lock[v] = _pid + 1; assert(!freed[v]) }
}

/* mutex_unlock(&kvm->lock) */
inline kvm_mutex_unlock(v)
{
	atomic { assert(!freed[v]); mutex_unlock(kvm_lock[v]) }
}

/* mutex_lock(domain->outer_lock), if the domain has one */
inline outer_mutex_lock()
{
#ifndef NO_OUTER
	mutex_lock(outer_lock)
#else
	skip
#endif
}

inline outer_mutex_unlock()
{
#ifndef NO_OUTER
	mutex_unlock(outer_lock)
#else
	skip
#endif
}

/* ---- references --------------------------------------------------- */

/*
 * get_file_active(&kvm->vm_file), the VFIO core's; ok := v on
 * success, 0 when the file is released or its count is 0. The caller
 * keeps struct kvm alive. With OLD_GET_UNSAFE a reference taken without
 * the check (kvm_get_kvm(); get_file()): taking it back up from 0, or
 * on a released file, is the bug.
 */
inline get_file_active(v, ok)
{
	atomic {
		assert(!freed[v]);
#ifdef OLD_GET_UNSAFE
		assert(vm_file[v] && fcount[v] > 0);	/* resurrected */
		fcount[v]++;
		ok = v
#else
		if
		:: vm_file[v] && fcount[v] > 0 -> fcount[v]++; ok = v
		:: else -> ok = 0
		fi
#endif
	}
}

/*
 * kvm_put_kvm(): the file's release and the vCPU's close; clears the
 * reference v. The last one runs kvm_destroy_vm() in this process.
 */
inline kvm_put(v, last)
{
	atomic {
		assert(!freed[v] && refcnt[v] > 0);
		refcnt[v]--;
		last = (refcnt[v] == 0)
	}
	if
	:: last -> last = 0; kvm_destroy_vm(v)
	:: else
	fi;
	v = 0
}

/*
 * kvm_destroy_vm(): teardown takes locks that drivers hold around their
 * use of the VM (the kvm-vfio device's release reaches VFIO and the
 * driver), modelled as kvm->lock and the domain lock, in the lock order.
 * By then nothing of the library may point at the VM, and its file is
 * released.
 */
inline kvm_destroy_vm(v)
{
	kvm_mutex_lock(v);
	mutex_lock(dom_lock);
	assert(vms[v] == 0 && assoc_ref[1] != v && assoc_ref[2] != v &&
	       fcount[v] == 0 && !vm_file[v]);
	mutex_unlock(dom_lock);
	kvm_mutex_unlock(v);
	freed[v] = true
}

/*
 * fput(), the core's; clears the reference v. The last one queues the
 * release in pend, a bit per VM.
 */
inline fput(v, pend)
{
	atomic {
		assert(!freed[v] && vm_file[v] && fcount[v] > 0);
		fcount[v]--;
		if
		:: fcount[v] == 0 -> pend = pend | (1 << v)
		:: else
		fi;
		v = 0
	}
}

/* kvm_vm_release(): WRITE_ONCE(kvm->vm_file, NULL); kvm_put_kvm() */
inline vm_release(w, last)
{
	atomic { assert(!freed[w] && fcount[w] == 0); vm_file[w] = false };
	kvm_put(w, last)
}

/* task_work_run(): the releases of this process's last fput()s */
inline task_work_run(pend, w, last)
{
	do
	:: pend != 0 ->
		w = ((pend & 2) -> 1 : 2);
		pend = pend & ~(1 << w);
		vm_release(w, last)
	:: else -> break
	od
}

/* exit_to_user_mode(): no lock held (lockdep_sys_exit()), the task work */
inline return_to_user(pend, w, last)
{
	atomic {
		assert(HOLDS_NONE);
		if
		:: pend == 0
		:: else -> task_work_run(pend, w, last)
		fi
	}
}

/* ---- the library -------------------------------------------------- */

/* kvm->lock (if a VM), then domain->lock */
inline lock_vm_dom(v)
{
	if
	:: v != 0 -> kvm_mutex_lock(v)
	:: else
	fi;
	mutex_lock(dom_lock)
}

inline unlock_vm_dom(v)
{
	mutex_unlock(dom_lock);
	if
	:: v != 0 -> kvm_mutex_unlock(v)
	:: else
	fi
}

/* mdev_kvm_assoc_lock_order(): the outer lock (if any), then the above */
inline lock_order(v)
{
	outer_mutex_lock();
	lock_vm_dom(v)
}

/* mdev_kvm_assoc_unlock_order() */
inline unlock_order(v)
{
	unlock_vm_dom(v);
	outer_mutex_unlock()
}

/* detach's locks; DETACH_NO_OUTER leaves the outer lock out */
inline detach_lock(v)
{
#ifdef DETACH_NO_OUTER
	lock_vm_dom(v)
#else
	lock_order(v)
#endif
}

inline detach_unlock(v)
{
#ifdef DETACH_NO_OUTER
	unlock_vm_dom(v)
#else
	unlock_order(v)
#endif
}

/* ---- processes ---------------------------------------------------- */

/*
 * A device's open and close: the VFIO core takes a reference on the VM's
 * file, the driver's open_device calls mdev_kvm_assoc_attach(), its
 * close_device mdev_kvm_assoc_detach(), and the core drops its reference
 * after that, each in a system call, serialised by the core. The device's
 * group may be set to either VM.
 */
proctype opener(byte i)
{
	byte v, own, locked, kvm, pend, w, last;

	if
	:: v = 1
#if NVM > 1
	:: v = 2
#endif
	fi;

	/* ---- the VFIO core: its reference, held while the device is open ---- */
	atomic {
		if
		:: freed[v] -> v = 0	/* group->kvm already cleared: no VM */
		:: else -> get_file_active(v, own)
		fi
	}
	if
	:: own == 0 -> goto out		/* no VM: attach(NULL) publishes nothing */
	:: else
	fi;

	/* ---- mdev_kvm_assoc_attach(assoc i, kvm v): borrows own ---- */
	lock_order(ATTACH_VM(v));
	if
	:: assoc_ref[i] != 0 -> goto unlock	/* -EALREADY */
	:: else
	fi;
#ifdef OLD_NONATOMIC_EXCLUSIVE
	/* kvmgt: "does the VM have a vGPU?" under one hold of the locks ... */
	if
	:: vms[v] != 0 -> goto unlock		/* -EBUSY */
	:: else
	fi;
	unlock_order(ATTACH_VM(v));
	/* ... and the vGPU marked attached under another */
	lock_order(ATTACH_VM(v));
#else
	/* mdev_kvm_assoc_vm_taken() */
	if
	:: vms[v] != 0 -> goto unlock		/* -EBUSY */
	:: else
	fi;
#endif
#ifndef POLICY_ONLY
	/* domain->ops->attach(assoc, kvm): uses the VM; may fail */
	assert(!freed[v] && refcnt[v] > 0);
	if
	:: skip
	:: goto unlock
	fi;
#endif
	atomic {			/* assoc->kvm = kvm */
		assoc_ref[i] = v;
		/* exclusivity: at most one device of the domain per VM */
		assert(!(assoc_ref[1] != 0 && assoc_ref[1] == assoc_ref[2]))
	}
	vms[v] = i;			/* hash_add(domain->vms, ...) */
unlock:
	unlock_order(ATTACH_VM(v));
	v = 0;				/* dead */
	if
	:: assoc_ref[i] == 0 ->		/* the open failed: the core's put */
		atomic { fput(own, pend); return_to_user(pend, w, last) };
		goto out
	:: else
	fi;
	return_to_user(pend, w, last);

	/*
	 * ---- mdev_kvm_assoc_detach(assoc i) ----
	 * assoc->kvm read without a lock, to know whose kvm->lock to take:
	 * only this process, serialised by the core, changes it
	 */
	locked = ATTACH_VM(assoc_ref[i]);
	detach_lock(locked);
	kvm = assoc_ref[i];
	assert(kvm == own);		/* the core serialises open and close */
#ifndef POLICY_ONLY
	/* domain->ops->detach(assoc, kvm): uses the VM */
	assert(!freed[kvm] && refcnt[kvm] > 0 && kvm == locked);
#endif
	vms[kvm] = 0;			/* hash_del() */
	assoc_ref[i] = 0;
#ifdef OLD_PUT_UNDER_LOCK
	/* the old driver code: the last put's teardown under the locks */
	fput(own, pend);
	task_work_run(pend, w, last);
	detach_unlock(locked);
#else
	detach_unlock(locked);
	return_to_user(pend, w, last);
	/* ---- the VFIO core, after close_device: its reference ---- */
	atomic { fput(own, pend); return_to_user(pend, w, last) }
#endif
out:
	return_to_user(pend, w, last);
	v = 0; kvm = 0; own = 0; locked = 0	/* dead: let states merge */
}

/*
 * A path other than open and close that needs the VM of a device. With
 * an outer lock: mdev_kvm_assoc_lock() ... mdev_kvm_assoc_kvm() ...
 * mdev_kvm_assoc_unlock() (sysfs, hotplug, an intercept). Without:
 * mdev_kvm_assoc_sysfs_emit(), under the domain lock alone.
 */
proctype lookup()
{
	byte a, locked, kvm, pend, w, last;

	if
	:: a = 1
	:: a = 2
	fi;
#if defined(OLD_UNLOCKED_LOOKUP)
	/* old vfio_ap: matrix_mdev->kvm read without a lock or a reference */
	locked = assoc_ref[a];
	lock_vm_dom(locked);
#elif defined(NO_OUTER)
	mutex_lock(dom_lock);
#else
	/* the outer lock keeps the association while kvm->lock is taken */
	mutex_lock(outer_lock);
	locked = assoc_ref[a];
	lock_vm_dom(locked);
	/* the VM locked is the associated one, which unlock unlocks */
	assert(assoc_ref[a] == locked);
#endif
	/* mdev_kvm_assoc_kvm(), and the use of the VM, e.g. kvm->stats_id */
	kvm = assoc_ref[a];
	if
	:: kvm != 0 -> assert(!freed[kvm] && refcnt[kvm] > 0 &&
			      vm_file[kvm] && fcount[kvm] > 0)
	:: else
	fi;
	kvm = 0;
#if defined(OLD_UNLOCKED_LOOKUP)
	unlock_vm_dom(locked);
#elif defined(NO_OUTER)
	mutex_unlock(dom_lock);
#else
	unlock_vm_dom(locked);
	mutex_unlock(outer_lock);
#endif
	return_to_user(pend, w, last);
	a = 0; locked = 0	/* dead */
}

#ifdef OLD_INVERSION
/*
 * Replaces lookup() in OLD_INVERSION: a driver path of the old code (the
 * lockdep splat in vfio_ap) that takes its own lock, the domain lock,
 * then kvm->lock of the device's VM. Under the domain lock the
 * association stands, and with it the core's reference, so the inversion
 * is its only fault.
 */
proctype handle_pqap_old()
{
	byte v, pend, w, last;

	mutex_lock(dom_lock);
	v = assoc_ref[1];
	if
	:: v != 0 ->
		kvm_mutex_lock(v);
		kvm_mutex_unlock(v)
	:: else
	fi;
	mutex_unlock(dom_lock);
	return_to_user(pend, w, last);
	v = 0
}
#endif

/*
 * User space: closes the VM fd (kvm_vm_release() in the last fput's task
 * work), then, for VM 1, its vCPU fd (kvm_put_kvm()), whenever it likes.
 * Between the VM fd's release and the vCPU's close, struct kvm outlives
 * its file, and attach must refuse the VM. (The other order adds nothing:
 * the release may run after the vCPU's close anyway, in the task work of
 * whoever drops the file's last reference.) VM 2 has no vCPU, so that
 * its file's release always tears it down.
 */
proctype vm_owner(byte v)
{
	byte vmfd = v, vcpufd, pend, w, last;

	atomic { fput(vmfd, pend); return_to_user(pend, w, last) };
	if
	:: v == 1 -> vcpufd = v; kvm_put(vcpufd, last)
	:: else
	fi
}

init
{
	atomic {
		/* the VM fd; its kvm reference, and VM 1's vCPU's */
		fcount[1] = 1; vm_file[1] = true; refcnt[1] = 2;
#if NVM > 1
		fcount[2] = 1; vm_file[2] = true; refcnt[2] = 1;
#endif
		run opener(1);
		run opener(2);
#ifdef OLD_INVERSION
		run handle_pqap_old();
#else
		run lookup();
#endif
		run vm_owner(1);
#if NVM > 1
		run vm_owner(2);
#endif
	}
}

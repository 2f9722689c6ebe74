/*
 * Promela model of lib/mdev_kvm_assoc.c: attach, detach, the lock helper
 * (mdev_kvm_assoc_lock_stable() through mdev_kvm_assoc_lock()), the VM's
 * file and its deferred release, and VM teardown, for Spin (tests/model.sh
 * runs it).
 *
 * Checked: no invalid end state (every process terminates, so no
 * deadlock); no use of a VM after its last reference (every access to a
 * VM, taking or releasing its kvm->lock, a driver callback, the lookup's
 * use, a get or a put, asserts that it is not freed; a file reference is
 * never taken on a count of 0 nor a released file); the file's release
 * runs only where its process holds no lock; at most one device of the
 * exclusive domain published per VM.
 *
 * Configuration: policy MDEV_KVM_ASSOC_EXCLUSIVE, no outer lock (so
 * mdev_kvm_assoc_lock() goes through mdev_kvm_assoc_lock_stable()), no
 * vm_rwsem. Two devices, NVM VMs, one domain. By default the domain has
 * attach and detach callbacks, so attach and detach take kvm->lock and the
 * lock helper may try kvm->lock under ref_lock; with -DPOLICY_ONLY it has
 * policies only: attach and detach take the domain lock alone, and the
 * lock helper always takes a reference before it takes kvm->lock.
 *
 * Abstractions (see also the comments at each place):
 * - mutexes and the ref_lock spinlock are bytes holding the owner's
 *   _pid + 1, taken by an atomic test-and-set that blocks while held;
 *   mutex_trylock() takes it in the same step only when it is free;
 * - each VM has one file (the VM fd) with its own count, fcount; the
 *   file holds one kvm->users_count reference, VM 1's vCPU (fd) another;
 *   the owner closes them whenever it likes;
 * - the VFIO core's reference, taken by the opener before attach and
 *   dropped after detach, and the lock helper's, the only one the library
 *   takes, are on the file: get_file_active() (fails on a count of 0 or a
 *   cleared kvm->vm_file), fput(). The last fput() queues the release on its process
 *   (task work); the process runs it when it returns to user space, at
 *   the end of each of its operations, which asserts that it holds no
 *   lock. The release (kvm_vm_release()) clears kvm->vm_file and drops
 *   the file's kvm reference. Where nothing but the return to user space
 *   follows an fput(), they are one step: in between, nothing could get
 *   a reference on the file (its count is 0), and no vCPU close can come
 *   in between that could not come before;
 * - files are not reused here (the TSan harness reuses them), so
 *   get_file_active()'s second load of kvm->vm_file is left out;
 * - kvm_put_kvm() that reaches 0 runs the teardown in the putting
 *   process; teardown takes kvm->lock of the VM and the domain lock
 *   (upstream it runs the kvm-vfio device's release, which reaches VFIO's
 *   and the driver's locks), then frees the VM;
 * - ref_tracker is left out (it never fails, and does not lock);
 * - the optional outer lock and vm_rwsem are left out: the rwsem is only
 *   ever taken for write nested in kvm->lock, so it cannot block attach or
 *   detach; the outer-lock path of mdev_kvm_assoc_lock() is not modelled;
 * - the driver's attach/detach callbacks are a use of the VM (an
 *   assertion); the attach callback may fail;
 * - the VM pointer handed to attach (vfio_device.kvm / group->kvm) is
 *   valid memory until teardown frees the VM: VFIO clears it in the
 *   kvm-vfio release before the free. A freed VM means the opener has
 *   none, i.e. attach(assoc, NULL), which publishes nothing;
 * - the library borrows the VM: the opener (the VFIO core) holds the
 *   VM's file from before attach until detach has returned, and drops it
 *   then; the VM's owner may have closed it, so that reference, or the
 *   lock helper's, may be the file's last one.
 *
 * Negative variants (spin -DOLD_xxx), each one an upstream mistake that
 * the library removed; tests/model.sh requires Spin to catch each:
 *   OLD_PUT_UNDER_LOCK       close drops the VM's references under the
 *                            domain lock (and kvm->lock), the release
 *                            synchronous (the old kvm_put_kvm() there)
 *   OLD_UNLOCKED_LOOKUP      lookup reads assoc->ref.kvm unlocked, no ref
 *   OLD_GET_UNSAFE           the open's reference not checked live
 *                            (kvm_get_kvm(), not _safe(); get_file() of
 *                            kvm->vm_file, not get_file_active())
 *   OLD_NONATOMIC_EXCLUSIVE  exclusivity check and publication under two
 *                            lock holds (kvmgt)
 *   OLD_INVERSION            lookup takes the domain lock, then kvm->lock
 *   TRYLOCK_POLICY_ONLY      not upstream's: the lock helper's trylock
 *                            shortcut kept for a policy-only domain, where
 *                            kvm->lock does not keep the association
 */

#ifndef NVM
#define NVM	2		/* VMs, 1 or 2; VM 0 is the NULL pointer */
#endif
#define NDEV	2		/* devices (associations) 1 and 2 */

#ifdef TRYLOCK_POLICY_ONLY
#define POLICY_ONLY
#endif
#ifdef POLICY_ONLY
#define ATTACH_VM(v)	0	/* attach and detach take no kvm->lock */
#ifdef TRYLOCK_POLICY_ONLY
#define MAY_TRYLOCK	true
#else
#define MAY_TRYLOCK	false	/* nor does holding it keep the association */
#endif
#else
#define ATTACH_VM(v)	v
#define MAY_TRYLOCK	true
#endif

byte refcnt[NVM + 1];		/* kvm->users_count */
bool freed[NVM + 1];		/* kvm_destroy_vm() has freed the VM */
byte fcount[NVM + 1];		/* the VM file's count */
bool vm_file[NVM + 1];		/* kvm->vm_file set */
byte kvm_lock[NVM + 1];		/* kvm->lock: owner _pid + 1, or 0 */
byte dom_lock;			/* domain->lock */
byte ref_lock[NDEV + 1];	/* assoc->ref_lock */
byte assoc_ref[NDEV + 1];	/* assoc->ref.kvm: VM number, 0 = NULL */
byte vms[NVM + 1];		/* domain->vms: VM -> assoc, 0 = none */

/* the calling process holds none of the locks */
#define HOLDS_NONE	(dom_lock != _pid + 1 && kvm_lock[1] != _pid + 1 && \
			 kvm_lock[NVM] != _pid + 1 && \
			 ref_lock[1] != _pid + 1 && ref_lock[2] != _pid + 1)

/* ---- locks -------------------------------------------------------- */

/* mutex_lock() / spin_lock(): blocks while another process holds it */
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
 * fput(), the core's or mdev_kvm_assoc_unpin()'s; clears the reference
 * v. The last one queues the release in pend, a bit per VM.
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

/* mdev_kvm_assoc_lock_order(): kvm->lock (if a VM), then domain->lock */
inline lock_order(v)
{
	if
	:: v != 0 -> kvm_mutex_lock(v)
	:: else
	fi;
	mutex_lock(dom_lock)
}

/* mdev_kvm_assoc_unlock_order() */
inline unlock_order(v)
{
	mutex_unlock(dom_lock);
	if
	:: v != 0 -> kvm_mutex_unlock(v)
	:: else
	fi
}

/*
 * mdev_kvm_assoc_lock_stable(): under ref_lock, which keeps the
 * association published and so the core's reference held, either (in a
 * domain with callbacks) mutex_trylock() of the published VM's kvm->lock,
 * which keeps the association in place, or, if that is not possible,
 * get_file_active() of the VM's file, then the locks in order, starting
 * over if the association changed in between. Returns with locked = the
 * VM (or 0), locked, and held = the reference taken (or 0).
 */
inline lock_stable(a, locked, held, pend)
{
	do
	:: held = 0;
	   mutex_lock(ref_lock[a]);
	   atomic {
		locked = assoc_ref[a];
		if
		:: MAY_TRYLOCK && locked != 0 && kvm_lock[locked] == 0 ->	/* trylock */
			kvm_lock[locked] = _pid + 1;
			assert(!freed[locked])
		:: else ->
			if	/* the association holds one */
			:: locked != 0 ->	/* mdev_kvm_assoc_pin() */
				assert(!freed[locked] && vm_file[locked] &&
				       fcount[locked] > 0);
				fcount[locked]++;
				held = locked
			:: else
			fi
		fi
	   }
	   if
	   :: locked != 0 && held == 0 ->
		mutex_unlock(ref_lock[a]);
		mutex_lock(dom_lock);
		break
	   :: else
	   fi;
	   mutex_unlock(ref_lock[a]);
	   lock_order(locked);
	   if
	   :: assoc_ref[a] == locked -> break
	   :: else ->
		unlock_order(locked);
		if
		:: held != 0 -> fput(held, pend)
		:: else
		fi
	   fi
	od
}

/* ---- processes ---------------------------------------------------- */

/*
 * A device's open and close: the VFIO core takes a reference on the VM's
 * file, the driver's open_device calls mdev_kvm_assoc_attach(), its
 * close_device mdev_kvm_assoc_detach(), and the core drops its reference
 * after that, each in a system call. The device's group may be set to
 * either VM.
 */
proctype opener(byte i)
{
	byte v, own, held, kvm, pend, w, last;

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
	atomic {			/* smp_store_release(&assoc->kvm, kvm) */
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

	/* ---- mdev_kvm_assoc_detach(assoc i) ---- */
#ifdef POLICY_ONLY
	mutex_lock(dom_lock);
	kvm = assoc_ref[i];
#else
	lock_stable(i, kvm, held, pend);
#endif
	assert(kvm == own);		/* the core serialises open and close */
#ifndef POLICY_ONLY
	/* domain->ops->detach(assoc, kvm): uses the VM */
	assert(!freed[kvm] && refcnt[kvm] > 0);
#endif
	vms[kvm] = 0;			/* hash_del() */
	mutex_lock(ref_lock[i]);
	assoc_ref[i] = 0;
	mutex_unlock(ref_lock[i]);
#ifdef OLD_PUT_UNDER_LOCK
	/* the old driver code: the last put's teardown under the locks */
	if
	:: held != 0 -> fput(held, pend)
	:: else
	fi;
	fput(own, pend);
	task_work_run(pend, w, last);
	unlock_order(ATTACH_VM(kvm));
#else
	unlock_order(ATTACH_VM(kvm));
	atomic {		/* one step: nothing can tell them apart */
		if
		:: held != 0 -> fput(held, pend)
		:: else
		fi;
		return_to_user(pend, w, last)
	}
	/* ---- the VFIO core, after close_device: its reference ---- */
	atomic { fput(own, pend); return_to_user(pend, w, last) }
#endif
out:
	return_to_user(pend, w, last);
	v = 0; kvm = 0; own = 0	/* dead: let finished processes' states merge */
}

/*
 * mdev_kvm_assoc_lock() ... mdev_kvm_assoc_kvm() ... mdev_kvm_assoc_unlock()
 * as in mdev_kvm_assoc_sysfs_emit(): a path other than open and close
 * (sysfs, hotplug, an intercept) that needs the VM of a device.
 */
proctype lookup()
{
	byte a, locked, held, kvm, pend, w, last;

	if
	:: a = 1
	:: a = 2
	fi;
#ifdef OLD_UNLOCKED_LOOKUP
	/* old vfio_ap: matrix_mdev->kvm read without a lock or a reference */
	locked = assoc_ref[a];
	lock_order(locked);
#else
	lock_stable(a, locked, held, pend);
#endif
#ifndef OLD_UNLOCKED_LOOKUP
	/* the VM locked is the associated one, which mdev_kvm_assoc_unlock() unlocks */
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
	/* mdev_kvm_assoc_unlock() */
	unlock_order(locked);
	atomic {
#ifndef OLD_UNLOCKED_LOOKUP
		if
		:: held != 0 -> fput(held, pend)
		:: else
		fi;
#endif
		return_to_user(pend, w, last)
	}
	a = 0; locked = 0	/* dead */
}

#ifdef OLD_INVERSION
/*
 * Replaces lookup() in OLD_INVERSION: a driver path of the old code (the
 * lockdep splat in vfio_ap) that takes its own lock, the domain lock,
 * then kvm->lock of the device's VM; it takes its reference the way the
 * helper does, so the inversion is its only fault.
 */
proctype handle_pqap_old()
{
	byte held, v, pend, w, last;

	mutex_lock(ref_lock[1]);
	atomic {
		held = assoc_ref[1];
		if
		:: held != 0 -> assert(!freed[held] && fcount[held] > 0);
			fcount[held]++
		:: else
		fi
	}
	mutex_unlock(ref_lock[1]);
	if
	:: held != 0 ->
		v = held;
		mutex_lock(dom_lock);
		kvm_mutex_lock(v);
		kvm_mutex_unlock(v);
		mutex_unlock(dom_lock);
		fput(held, pend);
		return_to_user(pend, w, last)
	:: else
	fi
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

/*
 * Promela model of lib/mdev_kvm_assoc.c: attach, detach, the lock helper
 * (mdev_kvm_assoc_lock_stable() through mdev_kvm_assoc_lock()) and VM
 * teardown, for Spin (tests/model.sh runs it).
 *
 * Checked: no invalid end state (every process terminates, so no
 * deadlock); no use of a VM after its last reference (every access to a
 * VM, taking or releasing its kvm->lock, a driver callback, the lookup's
 * use, a get or a put, asserts that it is not freed; a reference is never
 * taken on a count of 0); at most one device of the exclusive domain
 * published per VM.
 *
 * Configuration, the domain that the upstream drivers need: policy
 * MDEV_KVM_ASSOC_EXCLUSIVE, no outer lock (so mdev_kvm_assoc_lock() goes
 * through mdev_kvm_assoc_lock_stable()), no vm_rwsem. Two devices, NVM
 * VMs, one domain.
 *
 * Abstractions (see also the comments at each place):
 * - mutexes and the ref_lock spinlock are bytes holding the owner's
 *   _pid + 1, taken by an atomic test-and-set that blocks while held;
 *   mutex_trylock() takes it in the same step only when it is free;
 * - kvm->users_count is a byte; kvm_put_kvm() that reaches 0 runs the
 *   teardown in the putting process; teardown takes kvm->lock of the VM
 *   and the domain lock (upstream it runs the kvm-vfio device's release,
 *   which reaches VFIO's and the driver's locks), then frees the VM;
 * - symbol_get()/symbol_put() and ref_tracker are left out (they never
 *   fail once kvm.ko is loaded, and do not lock);
 * - the optional outer lock and vm_rwsem are left out: the rwsem is only
 *   ever taken for write nested in kvm->lock, so it cannot block attach or
 *   detach; the outer-lock path of mdev_kvm_assoc_lock() is not modelled;
 * - the driver's attach/detach callbacks are a use of the VM (an
 *   assertion); the attach callback may fail;
 * - the VM pointer handed to attach (vfio_device.kvm / group->kvm) is
 *   valid memory until teardown frees the VM: VFIO clears it in the
 *   kvm-vfio release before the free. A freed VM means the opener has
 *   none, i.e. attach(assoc, NULL), which publishes nothing;
 * - the opener holds no reference of its own across the open (a VFIO
 *   core reference only shortens when teardown can run), so the
 *   association's reference may be the VM's last one.
 *
 * Negative variants (spin -DOLD_xxx), each one an upstream mistake that
 * the library removed; tests/model.sh requires Spin to catch each:
 *   OLD_PUT_UNDER_LOCK       detach puts under the domain lock/kvm->lock
 *   OLD_UNLOCKED_LOOKUP      lookup reads assoc->ref.kvm unlocked, no ref
 *   OLD_GET_UNSAFE           attach uses kvm_get_kvm(), not _safe()
 *   OLD_NONATOMIC_EXCLUSIVE  exclusivity check and publication under two
 *                            lock holds (kvmgt)
 *   OLD_INVERSION            lookup takes the domain lock, then kvm->lock
 */

#ifndef NVM
#define NVM	2		/* VMs, 1 or 2; VM 0 is the NULL pointer */
#endif
#define NDEV	2		/* devices (associations) 1 and 2 */

byte refcnt[NVM + 1];		/* kvm->users_count */
bool freed[NVM + 1];		/* kvm_destroy_vm() has freed the VM */
byte kvm_lock[NVM + 1];		/* kvm->lock: owner _pid + 1, or 0 */
byte dom_lock;			/* domain->lock */
byte ref_lock[NDEV + 1];	/* assoc->ref_lock */
byte assoc_ref[NDEV + 1];	/* assoc->ref.kvm: VM number, 0 = NULL */
byte vms[NVM + 1];		/* domain->vms: VM -> assoc, 0 = none */

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
 * kvm_get_kvm_safe() (refcount_inc_not_zero) through mdev_kvm_ref_get();
 * ok := v on success, 0 when the VM is dying. With OLD_GET_UNSAFE the
 * plain kvm_get_kvm() (refcount_inc): taking a VM at 0 back up is the bug.
 */
inline kvm_get_safe(v, ok)
{
	atomic {
		assert(!freed[v]);
#ifdef OLD_GET_UNSAFE
		assert(refcnt[v] > 0);	/* refcount_inc() on 0: resurrected */
		refcnt[v]++;
		ok = v
#else
		if
		:: refcnt[v] > 0 -> refcnt[v]++; ok = v
		:: else -> ok = 0
		fi
#endif
	}
}

/*
 * mdev_kvm_assoc_ref_put() -> mdev_kvm_ref_put() -> kvm_put_kvm(); clears
 * the reference v. The library's lockdep assertions: neither the domain
 * lock nor the VM's kvm->lock held (the old code had neither). The last
 * put runs kvm_destroy_vm() in this process.
 */
inline kvm_put(v, last)
{
	atomic {
		assert(!freed[v] && refcnt[v] > 0);
#ifndef OLD_PUT_UNDER_LOCK
		assert(dom_lock != _pid + 1 && kvm_lock[v] != _pid + 1);
#endif
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
 * By then nothing of the library may point at the VM.
 */
inline kvm_destroy_vm(v)
{
	kvm_mutex_lock(v);
	mutex_lock(dom_lock);
	assert(vms[v] == 0 && assoc_ref[1] != v && assoc_ref[2] != v);
	mutex_unlock(dom_lock);
	kvm_mutex_unlock(v);
	freed[v] = true
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
 * mdev_kvm_assoc_lock_stable(): under ref_lock, mutex_trylock() of the
 * published VM's kvm->lock, which keeps the association in place; if it is
 * taken, a reference on the VM instead, then the locks in order, starting
 * over if the association changed in between. Returns with locked = the
 * VM (or 0), locked, and held = the reference taken (or 0).
 */
inline lock_stable(a, locked, held, last)
{
	do
	:: held = 0;
	   mutex_lock(ref_lock[a]);
	   atomic {
		locked = assoc_ref[a];
		if
		:: locked != 0 && kvm_lock[locked] == 0 ->	/* trylock */
			kvm_lock[locked] = _pid + 1;
			assert(!freed[locked])
		:: else ->
			if	/* cannot fail: the association holds one */
			:: locked != 0 ->
				assert(!freed[locked] && refcnt[locked] > 0);
				refcnt[locked]++;
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
		:: held != 0 -> kvm_put(held, last)
		:: else
		fi
	   fi
	od
}

/* ---- processes ---------------------------------------------------- */

/*
 * A device's open and close: the VFIO core calls mdev_kvm_assoc_attach()
 * before open_device and mdev_kvm_assoc_detach() after close_device. The
 * device's group may be set to either VM.
 */
proctype opener(byte i)
{
	byte v, own, held, kvm, r, last;

	if
	:: v = 1
#if NVM > 1
	:: v = 2
#endif
	fi;

	/* ---- mdev_kvm_assoc_attach(assoc i, kvm v) ---- */
	atomic {
		if
		:: freed[v] -> v = 0	/* group->kvm already cleared: no VM */
		:: else -> kvm_get_safe(v, own)
		fi
	}
	if
	:: own == 0 -> goto out		/* -ENOENT, or no VM: not associated */
	:: else
	fi;
	lock_order(v);
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
	unlock_order(v);
	/* ... and the vGPU marked attached under another */
	lock_order(v);
	vms[v] = i;
#else
	/* xa_insert(&domain->vms, kvm, assoc) */
	if
	:: vms[v] != 0 -> goto unlock		/* -EBUSY */
	:: else -> vms[v] = i
	fi;
#endif
	/* domain->ops->attach(assoc, kvm): uses the VM; may fail */
	assert(!freed[v] && refcnt[v] > 0);
	if
	:: skip
	:: vms[v] = 0; goto unlock
	fi;
	mutex_lock(ref_lock[i]);
	atomic {
		assoc_ref[i] = own;	/* assoc->ref = ref */
		/* exclusivity: at most one device of the domain per VM */
		assert(!(assoc_ref[1] != 0 && assoc_ref[1] == assoc_ref[2]))
	}
	mutex_unlock(ref_lock[i]);
	own = 0;			/* ref.kvm = NULL */
unlock:
	unlock_order(v);
	if				/* the unused reference, after unlocking */
	:: own != 0 -> kvm_put(own, last)
	:: else
	fi;
	if
	:: assoc_ref[i] == 0 -> goto out	/* the open failed: no close */
	:: else
	fi;
	v = 0;				/* dead */

	/* ---- mdev_kvm_assoc_detach(assoc i) ---- */
	lock_stable(i, kvm, held, last);
	if
	:: kvm == 0 -> unlock_order(0); goto out	/* -ENOENT */
	:: else
	fi;
	/* domain->ops->detach(assoc, kvm): uses the VM */
	assert(!freed[kvm] && refcnt[kvm] > 0);
	vms[kvm] = 0;			/* xa_erase() */
	mutex_lock(ref_lock[i]);
	r = assoc_ref[i];		/* ref = assoc->ref; assoc->ref = {} */
	assoc_ref[i] = 0;
	mutex_unlock(ref_lock[i]);
#ifdef OLD_PUT_UNDER_LOCK
	/* the old driver code: kvm_put_kvm() still under the locks */
	if
	:: held != 0 -> kvm_put(held, last)
	:: else
	fi;
	kvm_put(r, last);
	unlock_order(kvm);
#else
	unlock_order(kvm);
	if
	:: held != 0 -> kvm_put(held, last)
	:: else
	fi;
	kvm_put(r, last);
#endif
out:
	v = 0; kvm = 0		/* dead: let finished processes' states merge */
}

/*
 * mdev_kvm_assoc_lock() ... mdev_kvm_assoc_kvm() ... mdev_kvm_assoc_unlock()
 * as in mdev_kvm_assoc_sysfs_emit(): a path other than open and close
 * (sysfs, hotplug, an intercept) that needs the VM of a device.
 */
proctype lookup()
{
	byte a, locked, held, kvm, last;

	if
	:: a = 1
	:: a = 2
	fi;
#ifdef OLD_UNLOCKED_LOOKUP
	/* old vfio_ap: matrix_mdev->kvm read without a lock or a reference */
	locked = assoc_ref[a];
	lock_order(locked);
#else
	lock_stable(a, locked, held, last);
#endif
	/* mdev_kvm_assoc_kvm(), and the use of the VM, e.g. kvm->stats_id */
	kvm = assoc_ref[a];
	if
	:: kvm != 0 -> assert(!freed[kvm] && refcnt[kvm] > 0)
	:: else
	fi;
	kvm = 0;
	/* mdev_kvm_assoc_unlock() */
	unlock_order(locked);
#ifndef OLD_UNLOCKED_LOOKUP
	if
	:: held != 0 -> kvm_put(held, last)
	:: else
	fi;
#endif
	a = 0; locked = 0; held = 0	/* dead */
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
	byte held, last;

	mutex_lock(ref_lock[1]);
	atomic {
		held = assoc_ref[1];
		if
		:: held != 0 -> assert(!freed[held]); refcnt[held]++
		:: else
		fi
	}
	mutex_unlock(ref_lock[1]);
	if
	:: held != 0 ->
		mutex_lock(dom_lock);
		kvm_mutex_lock(held);
		kvm_mutex_unlock(held);
		mutex_unlock(dom_lock);
		kvm_put(held, last)
	:: else
	fi
}
#endif

/* kvm_vm_release(): userspace closes the VM fd, whenever it likes */
proctype vm_owner(byte v)
{
	byte last;

	kvm_put(v, last)
}

init
{
	byte v;

	atomic {
		v = 1;
		do
		:: v <= NVM -> refcnt[v] = 1; v++	/* the VM fd's reference */
		:: else -> break
		od;
		v = 0;				/* dead */
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

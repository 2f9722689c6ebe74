#!/bin/bash
# tests/kvmgt-link.sh BUILD_LOG: i915 and kvmgt, built as modules in the
# KVM=m kernel (whose build printed BUILD_LOG), linked by modpost without
# a warning; kvmgt.ko goes through the library, and the walk of every
# vGPU it replaces is gone. No Intel GPU here: nothing loads them.
. "$(dirname "$0")/../harness/lib.sh"
log=$1
build=$OUT/build/test-kvm-m
ko=$build/drivers/gpu/drm/i915/kvmgt.ko
# in this configuration's modules.order, so linked by its modpost
for m in drivers/gpu/drm/i915/i915 drivers/gpu/drm/i915/kvmgt; do
	grep -qx "$m.o" "$build/modules.order" && [ -f "$build/$m.ko" ] ||
		die "$m.ko is not a module of this configuration"
done
[ -f "$log" ] || die "no build log $log"
if grep -E 'WARNING: modpost|ERROR: modpost' "$log"; then
	die "modpost reported problems"
fi
undef=$(nm -u "$ko" | awk '{print $2}')
for s in mdev_kvm_assoc_domain_init mdev_kvm_assoc_init \
	 kvm_page_track_register_notifier; do
	grep -qx "$s" <<< "$undef" || die "kvmgt.ko does not call $s"
done
! nm "$ko" | grep -w __kvmgt_vgpu_exist || die "kvmgt.ko still has __kvmgt_vgpu_exist()"
say "kvmgt.ko ($(stat -c %s "$ko") bytes) and i915.ko linked, modpost clean; kvmgt attaches through mdev_kvm_assoc"

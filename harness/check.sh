#!/bin/bash
# make check: every check, each able to fail; ends with "N passed, N failed".
# CHECKS="name ..." runs a subset.
. "$(dirname "$0")/lib.sh"
set +e
LOGS=$OUT/check
mkdir -p "$LOGS"
T=$TOP/tests
passed=0 failed=0

# at least N lines of FILE match PATTERN
matches() {
	local n=$1 pattern=$2 file=$3 got
	got=$(grep -cE "$pattern" "$file" || true)
	echo "$got lines match '$pattern'"
	[ "$got" -ge "$n" ]
}

run() {
	local name=$1; shift
	local t0=$SECONDS
	if [ -n "${CHECKS:-}" ] && [[ " $CHECKS " != *" $name "* ]]; then
		return
	fi
	if "$@" > "$LOGS/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $name ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		echo "not ok - $name ($((SECONDS - t0)) s)"
		tail -n 30 "$LOGS/$name.log" | sed 's/^/#   /'
	fi
}

run deps		"$TOP/harness/install-deps.sh"
run tree		"$TOP/harness/tree.sh"

# The KVM=m kernel (with i915) and the s390 build run in the background,
# one after the other, from here on: the boots and the single-threaded
# checks below leave a core to them. The checks that need one wait for it.
lane=$LOGS/lane
rm -rf "$lane"
mkdir -p "$lane"
if [ -z "${CHECKS:-}" ]; then
	(
		for b in "test-kvm-m:$T/build-test-kernel.sh test-kvm-m" \
			 "s390-vfio:$TOP/harness/build.sh s390-vfio vmlinux modules"; do
			name=${b%%:*}
			# shellcheck disable=SC2086 # the command and its arguments
			${b#*:} > "$lane/$name.log" 2>&1
			echo $? > "$lane/$name.rc"
		done
	) &
fi

# lane NAME COMMAND...: the lane's build of NAME, waited for and shown;
# without a lane (CHECKS), COMMAND runs here
lane() {
	local name=$1
	shift
	if [ -n "${CHECKS:-}" ]; then
		"$@" 2>&1 | tee "$lane/$name.log"
		return "${PIPESTATUS[0]}"
	fi
	while [ ! -f "$lane/$name.rc" ]; do
		sleep 5
	done
	cat "$lane/$name.log"
	return "$(cat "$lane/$name.rc")"
}
run test-kernel		"$T/build-test-kernel.sh"
run rebuild-is-noop	"$T/rebuild-is-noop.sh"
run boot		"$T/boot-test-kernel.sh" test-x86_64 $SAMPLE_POLICIES
run kunit		"$T/kunit-results.sh" "$OUT/boot.log" mdev_kvm_assoc
# the shipped .kunitconfig, as kunit.py run uses it
run kunitconfig		"$T/kunitconfig.sh"
run splat-scan		"$TOP/harness/scan.sh" "$OUT/boot.log"
run e2e			grep -E "^mka-e2e: [1-9][0-9]* passed, 0 failed" "$OUT/boot.log"
run failslab		matches 3 "failslab on every open alloc +ok" "$OUT/boot.log"
run guest		grep -q "ALL GUEST CHECKS PASSED" "$OUT/boot.log"
# the vfio selftest's TAP: KVM is built in here, so only the module case skips
run selftest		"$T/selftest-results.sh" "$OUT/boot.log" vfio_mdev_kvm_test \
	mtty.kvm_module_unload_refused
run negative-control	"$T/negative-control.sh"
# the upstream bug classes: through the library they pass, open-coded they fail
run regress		"$T/kunit-results.sh" "$OUT/boot.log" \
	mdev_kvm_assoc_regress module_lifetime
run regress-old-pattern	"$T/regress-old-pattern.sh" test-x86_64 \
	inversion unlocked_read put_under_lock dying_vm exclusivity \
	kvmgt_exclusive lookup_path
# KVM as modules: unloading kvm.ko while associated
run kvm-m-kernel	lane test-kvm-m "$T/build-test-kernel.sh" test-kvm-m
run kvm-m-boot		"$T/boot-test-kernel.sh" test-kvm-m
run kvm-m-unload	matches 3 "unload kvm while associated +ok" "$OUT/boot-test-kvm-m.log"
run kvm-m-guest		grep -q "ALL GUEST CHECKS PASSED" "$OUT/boot-test-kvm-m.log"
# the module case must run here; mdpy's one_per_vm is off by default
run kvm-m-selftest	"$T/selftest-results.sh" "$OUT/boot-test-kvm-m.log" \
	vfio_mdev_kvm_test mdpy.one_per_vm
run kvm-m-splat-scan	"$TOP/harness/scan.sh" "$OUT/boot-test-kvm-m.log"
run kvm-m-regress	"$T/kunit-results.sh" "$OUT/boot-test-kvm-m.log" mdev_kvm_assoc_regress
run kvm-m-old-pattern	"$T/regress-old-pattern.sh" test-kvm-m module_lifetime
run kvm-m-static	"$T/static-compare.sh" test-kvm-m \
	lib/mdev_kvm_assoc_bench.o lib/mdev_kvm_assoc_regress_kunit.o
# i915 with KVMGT, in the KVM=m kernel: linked by modpost; every object
# that includes gvt.h, compared with the base
run kvmgt-link		"$T/kvmgt-link.sh" "$lane/test-kvm-m.log"
run kvmgt-static	"$T/static-compare.sh" test-kvm-m \
	drivers/gpu/drm/i915/gvt/{aperture_gm,cfg_space,cmd_parser,debugfs}.o \
	drivers/gpu/drm/i915/gvt/{display,dmabuf,edid,execlist,fb_decoder}.o \
	drivers/gpu/drm/i915/gvt/{firmware,gtt,handlers,interrupt,kvmgt}.o \
	drivers/gpu/drm/i915/gvt/{mmio,mmio_context,opregion,page_track}.o \
	drivers/gpu/drm/i915/gvt/{sched_policy,scheduler,trace_points,vgpu}.o
run model		"$T/model.sh"
run tsan		"$T/tsan.sh"
# vfio_ap_ops.c unmodified in userspace, against a simulated AP bus
run vfio-ap		"$T/vfio-ap.sh"
run kvm-m		"$T/build-lib.sh" kvm-m
run kvm-n		"$T/build-lib.sh" kvm-n
run w1-sparse		"$T/w1-sparse.sh"
run s390-build		lane s390-vfio "$TOP/harness/build.sh" s390-vfio vmlinux modules
run s390-static		"$T/static-compare.sh" s390-vfio \
	lib/mdev_kvm_assoc.o drivers/vfio/vfio_main.o drivers/vfio/group.o \
	drivers/s390/crypto/vfio_ap_ops.o drivers/s390/crypto/vfio_ap_drv.o \
	drivers/s390/cio/vfio_ccw_ops.o drivers/s390/cio/vfio_ccw_drv.o \
	drivers/s390/cio/vfio_ccw_fsm.o drivers/s390/cio/vfio_ccw_cp.o \
	drivers/s390/cio/vfio_ccw_async.o drivers/s390/cio/vfio_ccw_chp.o \
	drivers/vfio/pci/vfio_pci_zdev.o arch/s390/kvm/pci.o
# the cdev scenario fails without the vfio fix (the tree's fix reversed for
# one boot); after the lane, which builds from the same tree
run fixes-guest		"$T/fixes-guest.sh"
run x86-static		"$T/static-compare.sh" test-x86_64 \
	lib/mdev_kvm_assoc.o lib/mdev_kvm_assoc_kunit.o \
	lib/mdev_kvm_assoc_regress_kunit.o \
	drivers/vfio/vfio_main.o drivers/vfio/group.o drivers/vfio/device_cdev.o \
	samples/vfio-mdev/mtty.o samples/vfio-mdev/mdpy.o samples/vfio-mdev/mbochs.o
# the fixes alone, on 7.3 and on 6.12 LTS; and their mails, per tree
run fixes-bases		"$T/fixes-bases.sh"
run fixes-mails		env FIXES_ONLY=1 BISECT=0 "$TOP/harness/series.sh"
run kernel-doc		"$T/kernel-doc.sh"
run docs		"$T/docs.sh"
run checkpatch		"$T/checkpatch.sh"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

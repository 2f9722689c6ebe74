#!/bin/bash
# tests/fixes-guest.sh: the guest's cdev tests fail without the vfio fix
# (patches/fixes/vfio/), and the selftest's VM-fd-closed-before-open case
# fails with v2's VM reference taken at the device's open
# (patches/test/negative/v2-vm-ref-at-open.patch). The fix is reversed in
# the assembled tree and the v2 change applied on top, the main test kernel
# rebuilt (only the VFIO core's objects change) and booted once into the
# cdev scenario of mdev-e2e and the selftest (mka.cdev_only=1): the cdev
# scenario must report the first bind's VM never destroyed, and the
# selftest's mtty.cdev_double_bind and mtty.vm_fd_closed_before_open must
# fail. Then the tree is laid out again and the kernel rebuilt as it was.
# Nothing else may build from the tree meanwhile: make check runs this
# after the background lane is done.
. "$(dirname "$0")/../harness/lib.sh"
fix=$(ls "$TOP"/patches/fixes/vfio/0001-*.patch)
v2=$TOP/patches/test/negative/v2-vm-ref-at-open.patch
log=$OUT/boot-nofix-vfio.log
nofix=$(mktemp)
restore() {
	rm -f "$nofix"
	"$TOP/harness/tree.sh" > /dev/null &&
		"$TOP/tests/build-test-kernel.sh" > "$OUT/fixes-guest-restore.log" 2>&1 ||
		die "the tree or the test kernel could not be put back, see $OUT/fixes-guest-restore.log"
}
trap restore EXIT
# 0002 renames the files' VM field (kvm to kvm_file) after the fix: the fix
# is reversed as it reads in the assembled tree
sed '/vfio_device_get_kvm_safe(/s/->kvm);$/->kvm_file);/' "$fix" > "$nofix"
patch -R -s -F0 -p1 -d "$TREE" < "$nofix" ||
	die "the vfio fix does not reverse on the assembled tree"
patch -s -F0 -p1 -d "$TREE" < "$v2" ||
	die "$(basename "$v2") does not apply on the tree without the vfio fix"
"$TOP/tests/build-test-kernel.sh" > "$OUT/fixes-guest-build.log" 2>&1 ||
	die "the test kernel without the vfio fix does not build, see $OUT/fixes-guest-build.log"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} "$TOP/harness/boot.sh" "$OUT/build/test-x86_64" \
	"$(initrd_of test-x86_64)" "$log" mka.cdev_only=1 || true
grep -q 'mka-guest: cdev scenario only' "$log" || die "the guest never ran the scenario, see $log"
line=$(grep -m1 'VM not destroyed after its last close' "$log") ||
	die "without the fix, the cdev scenario did not report the leaked VM, see $log"
grep -q 'mka-guest: cdev scenario exit 1' "$log" ||
	die "without the fix, the cdev scenario did not fail, see $log"
say "cdev double bind without the fix: caught: $(echo "$line" | sed 's/^.*mka-e2e: *//' | cut -c1-120)"
# the selftest: its cdev case without the fix, its VM-fd-closed-before-open
# case with v2's reference at open; their failing lines are shown
MUST_FAIL="mtty.cdev_double_bind mtty.vm_fd_closed_before_open" \
	"$TOP/tests/selftest-results.sh" "$log" vfio_mdev_kvm_test ||
	die "the selftest's cases did not fail as they must, see $log"

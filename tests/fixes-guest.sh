#!/bin/bash
# tests/fixes-guest.sh: the guest's cdev scenario fails without the vfio fix
# (patches/fixes/vfio/). The fix is reversed in the assembled tree, the main
# test kernel rebuilt (only the VFIO core's objects change) and booted into
# that scenario alone, which must report the first bind's VM never
# destroyed. Then the tree is laid out again and the kernel rebuilt as it
# was. Nothing else may build from the tree meanwhile: make check runs this
# after the background lane is done.
. "$(dirname "$0")/../harness/lib.sh"
fix=$(ls "$TOP"/patches/fixes/vfio/0001-*.patch)
log=$OUT/boot-nofix-vfio.log
restore() {
	"$TOP/harness/tree.sh" > /dev/null &&
		"$TOP/tests/build-test-kernel.sh" > "$OUT/fixes-guest-restore.log" 2>&1 ||
		die "the tree or the test kernel could not be put back, see $OUT/fixes-guest-restore.log"
}
trap restore EXIT
patch -R -s -F0 -p1 -d "$TREE" < "$fix" ||
	die "the vfio fix does not reverse on the assembled tree"
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

#!/bin/bash
# tests/fixes-stable-guest.sh (make fixes-stable-guest): the vfio fix's guest
# test on 6.12 LTS. A small 6.12 kernel with the fixes only (the tree that
# tests/fixes-bases.sh assembles) boots into the cdev scenario, which must
# pass; with the vfio fix's backport reversed, the scenario must report the
# first bind's VM never destroyed. Not in make check: a 6.12 kernel build of
# its own.
. "$(dirname "$0")/../harness/lib.sh"
tree=$OUT/bases/$STABLE_LINE
name=stable-$STABLE_LINE-x86_64
fix=$(ls "$TOP"/patches/fixes/"$STABLE_LINE"/0001-vfio-*.patch)
[ -d "$tree" ] || "$TOP/tests/fixes-bases.sh" > /dev/null
grep -q vfio_df_get_kvm_safe "$tree/drivers/vfio/vfio_main.c" ||
	die "$tree lacks the vfio fix; run tests/fixes-bases.sh"

# boot WANT-EXIT LABEL: the test kernel of $tree (harness/configs/$name.config)
# built and booted into the cdev scenario, whose exit must be WANT-EXIT
boot() {
	local want=$1 log=$OUT/boot-$name-$2.log build_log=$OUT/build-$name.log
	KTREE=$tree "$TOP/tests/build-test-kernel.sh" "$name" > "$build_log" 2>&1 ||
		{ tail "$build_log"; die "the $STABLE_LINE kernel does not build"; }
	say "$STABLE_LINE $2: $(grep -m1 'built in' "$build_log" | sed 's/^mka: //')"
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} "$TOP/harness/boot.sh" "$OUT/build/$name" \
		"$(initrd_of "$name")" "$log" mka.cdev_only=1 || true
	grep -q "mka-guest: cdev scenario exit $want" "$log" ||
		die "$STABLE_LINE $2: the cdev scenario did not exit $want, see $log"
	say "$STABLE_LINE $2: $(grep -m1 -E 'mka-e2e: +(FAIL|mtty +cdev)' "$log" | sed 's/^.*mka-e2e: *//' | cut -c1-120)"
}
boot 0 with-fix
patch -R -s -F0 -p1 -d "$tree" < "$fix" || die "the backport does not reverse"
trap 'patch -s -F0 -p1 -d "$tree" < "$fix"' EXIT
boot 1 without-fix
grep -q 'VM not destroyed after its last close' "$OUT/boot-$name-without-fix.log" ||
	die "$STABLE_LINE without the fix: not the leaked VM, see $OUT/boot-$name-without-fix.log"
say "fixes-stable-guest: the cdev scenario passes on $STABLE_LINE with the fix and fails without it"

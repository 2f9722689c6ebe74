#!/bin/bash
# tests/fixes-stable-guest.sh (make fixes-stable-guest): the vfio fix's guest
# test on 6.12 LTS. A small 6.12 kernel with the fixes only (the tree that
# tests/fixes-bases.sh assembles) boots into the cdev scenario, which must
# pass; with the vfio fix's backport reversed, the scenario must report the
# first bind's VM never destroyed. Not in make check: a 6.12 kernel build of
# its own.
. "$(dirname "$0")/../harness/lib.sh"
tree=$OUT/bases/6.12
name=stable-6.12-x86_64
build=$OUT/build/$name
fix=$(ls "$TOP"/patches/fixes/6.12/0001-vfio-*.patch)
[ -d "$tree" ] || "$TOP/tests/fixes-bases.sh" > /dev/null
grep -q vfio_df_get_kvm_safe "$tree/drivers/vfio/vfio_main.c" ||
	die "$tree lacks the vfio fix; run tests/fixes-bases.sh"

# boot WANT-EXIT: build, boot into the cdev scenario, check its exit
boot() {
	local want=$1 log=$OUT/boot-$name-$2.log t0=$SECONDS
	KTREE=$tree "$TOP/harness/config.sh" "$build" "$TOP/harness/configs/stable-x86_64.config"
	KTREE=$tree kmake "$build" bzImage modules headers > "$build.log" 2>&1 ||
		{ tail "$build.log"; die "the 6.12 kernel does not build"; }
	mkdir -p "$OUT/guest-bin/$name"
	gcc -static -O2 -Wall -Werror -pthread -I"$build/usr/include" \
		-o "$OUT/guest-bin/$name/mdev-e2e" "$TOP/tests/guest/mdev-e2e.c"
	"$TOP/harness/initramfs.sh" "$build" "$OUT/initramfs-$name.cpio.gz"
	say "6.12 kernel ($2) built in $((SECONDS - t0)) s"
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} "$TOP/harness/boot.sh" "$build" \
		"$OUT/initramfs-$name.cpio.gz" "$log" mka.cdev_only=1 || true
	grep -q "mka-guest: cdev scenario exit $want" "$log" ||
		die "6.12 $2: the cdev scenario did not exit $want, see $log"
	say "6.12 $2: $(grep -m1 -E 'mka-e2e: +(FAIL|mtty +cdev)' "$log" | sed 's/^.*mka-e2e: *//' | cut -c1-120)"
}
boot 0 with-fix
patch -R -s -F0 -p1 -d "$tree" < "$fix" || die "the backport does not reverse"
trap 'patch -s -F0 -p1 -d "$tree" < "$fix"' EXIT
boot 1 without-fix
grep -q 'VM not destroyed after its last close' "$OUT/boot-$name-without-fix.log" ||
	die "6.12 without the fix: not the leaked VM, see $OUT/boot-$name-without-fix.log"
say "fixes-stable-guest: the cdev scenario passes on 6.12 with the fix and fails without it"

#!/bin/bash
# tests/build-test-kernel.sh [NAME]: a test kernel (default test-x86_64),
# its modules and its initramfs.
. "$(dirname "$0")/../harness/lib.sh"
name=${1:-test-x86_64}
t0=$SECONDS
"$TOP/harness/build.sh" "$name" bzImage modules
say "$name built in $((SECONDS - t0)) s"
kmake "$OUT/build/$name" headers
# the guest's binaries, per kernel: two kernels may be built at once
mkdir -p "$OUT/guest-bin/$name"
gcc -static -O2 -Wall -Werror -pthread -I"$OUT/build/$name/usr/include" \
	-o "$OUT/guest-bin/$name/mdev-e2e" "$TOP/tests/guest/mdev-e2e.c"
# the vfio selftests (tools/testing/selftests/vfio), as maintainers build
# them, out of tree (O=: kselftest/vfio/ in the build dir, the build's
# headers), statically linked for the busybox initramfs; the tree of an
# older kernel (KTREE) may not have vfio_mdev_kvm_test
rm -f "$OUT/guest-bin/$name/vfio_mdev_kvm_test"
if [ -f "$TREE/tools/testing/selftests/vfio/vfio_mdev_kvm_test.c" ]; then
	t1=$SECONDS
	make -C "$TREE/tools/testing/selftests" TARGETS=vfio O="$OUT/build/$name" \
		EXTRA_CFLAGS=-static -j"$JOBS" -s
	cp "$OUT/build/$name/kselftest/vfio/vfio_mdev_kvm_test" "$OUT/guest-bin/$name/"
	say "selftests TARGETS=vfio built in $((SECONDS - t1)) s"
fi
"$TOP/harness/initramfs.sh" "$OUT/build/$name" "$(initrd_of "$name")"

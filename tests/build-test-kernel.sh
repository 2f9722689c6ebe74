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
"$TOP/harness/initramfs.sh" "$OUT/build/$name" "$(initrd_of "$name")"

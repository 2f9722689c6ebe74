#!/bin/bash
# The x86_64 test kernel and its initramfs.
. "$(dirname "$0")/../harness/lib.sh"
t0=$SECONDS
"$TOP/harness/build.sh" test-x86_64
say "test kernel built in $((SECONDS - t0)) s"
kmake "$OUT/build/test-x86_64" headers
mkdir -p "$OUT/guest-bin"
gcc -static -O2 -Wall -Werror -pthread -I"$OUT/build/test-x86_64/usr/include" \
	-o "$OUT/guest-bin/mdev-e2e" "$TOP/tests/guest/mdev-e2e.c"
"$TOP/harness/initramfs.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz"

#!/bin/bash
# The x86_64 test kernel and its initramfs.
. "$(dirname "$0")/../harness/lib.sh"
t0=$SECONDS
"$TOP/harness/build.sh" test-x86_64
say "test kernel built in $((SECONDS - t0)) s"
"$TOP/harness/initramfs.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz"

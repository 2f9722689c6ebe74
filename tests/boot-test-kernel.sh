#!/bin/bash
# Boots the test kernel once; kunit, splat-scan and guest read its log.
. "$(dirname "$0")/../harness/lib.sh"
t0=$SECONDS
"$TOP/harness/boot.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz" "$OUT/boot.log"
say "booted and shut down in $((SECONDS - t0)) s"
grep -q "mka-guest:" "$OUT/boot.log" || die "the guest never reached init"

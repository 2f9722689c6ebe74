#!/bin/bash
# The library and its suite under W=1 and sparse (C=2 checks even when the
# object is up to date): any warning fails.
. "$(dirname "$0")/../harness/lib.sh"
build=$OUT/build/test-x86_64
"$TOP/harness/config.sh" "$build" "$TOP/harness/configs/test-x86_64.config"
rm -f "$build"/lib/mdev_kvm_assoc*.o
out=$(kmake "$build" W=1 C=2 lib/mdev_kvm_assoc.o lib/mdev_kvm_assoc_kunit.o 2>&1)
echo "$out"
if echo "$out" | grep -E 'warning:|error'; then
	die "W=1 or sparse warnings"
fi
sparse_note "$out"

#!/bin/bash
# A second build with nothing changed must not rebuild anything.
. "$(dirname "$0")/../harness/lib.sh"
img=$OUT/build/test-x86_64/arch/x86/boot/bzImage
"$TOP/harness/tree.sh"
before=$(stat -c %Y "$OUT/build/test-x86_64/vmlinux")
"$TOP/harness/build.sh" test-x86_64
after=$(stat -c %Y "$OUT/build/test-x86_64/vmlinux")
[ -f "$img" ] && [ "$before" = "$after" ] || die "vmlinux was relinked without a change"

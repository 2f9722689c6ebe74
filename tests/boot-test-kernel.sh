#!/bin/bash
# tests/boot-test-kernel.sh [NAME [CMDLINE...]]: boots a test kernel once;
# the checks that follow read its log.
. "$(dirname "$0")/../harness/lib.sh"
name=${1:-test-x86_64}
[ $# -eq 0 ] || shift
log=$(bootlog_of "$name")
t0=$SECONDS
"$TOP/harness/boot.sh" "$OUT/build/$name" "$(initrd_of "$name")" "$log" "$@"
say "$name booted and shut down in $((SECONDS - t0)) s"
grep -q "mka-guest:" "$log" || die "the guest never reached init"

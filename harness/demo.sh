#!/bin/bash
# make demo: boots the test kernel and narrates what it shows.
. "$(dirname "$0")/lib.sh"
log=$OUT/demo.log
t0=$SECONDS
say "booting the test kernel under qemu -cpu max (TCG) ..."
"$TOP/harness/boot.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz" "$log"
say "booted, ran and shut down in $((SECONDS - t0)) s; console in $log"
say "--- the guest ---"
grep '^mka-guest:' "$log" || true
say "--- what the library refused, one log line each ---"
grep 'mdev_kvm_assoc: .*refused' "$log" | sort -u || true
say "--- KUnit suite, parsed by the base tree's kunit.py ---"
python3 "$TREE/tools/testing/kunit/kunit.py" parse "$log" | grep -E '\[(PASSED|FAILED|SKIPPED)\]|Testing complete' || true
if "$TOP/harness/scan.sh" "$log" > /dev/null; then
	say "splat scan: no lockdep, KASAN, kmemleak or WARN report"
else
	say "splat scan: REPORTS FOUND, see $log"; exit 1
fi

#!/bin/bash
# make demo: boots the test kernel and narrates the association lifecycle
# on the three samples, what each policy refuses, and the KUnit suite.
. "$(dirname "$0")/lib.sh"
log=$OUT/demo.log
t0=$SECONDS
say "booting the test kernel under qemu -cpu max (TCG); the guest creates VMs,"
say "kvm-vfio devices and mdevs of mtty, mdpy and mbochs, and opens them ..."
"$TOP/harness/boot.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz" "$log" mka.rounds=50 $SAMPLE_POLICIES
say "booted, ran and shut down in $((SECONDS - t0)) s; console in $log"
echo
say "--- the guest, one line per scenario ---"
grep -E '^mka-(guest|e2e):' "$log" || true
echo
say "--- what the policies refused, as the kernel logged it (one line per kind) ---"
grep -E '^mdev_kvm_assoc: (mtty|mdpy|mbochs): .*refused' "$log" |
	sed -E 's/^(mdev_kvm_assoc: [a-z]+): [^:]+:/\1: <mdev>:/' | sort | uniq -c || true
echo
say "--- KUnit suite of the library, parsed by the base tree's kunit.py ---"
python3 "$TREE/tools/testing/kunit/kunit.py" parse "$log" |
	grep -E '\[(PASSED|FAILED|SKIPPED)\]|Testing complete' || true
echo
if "$TOP/harness/scan.sh" "$log" > /dev/null; then
	say "splat scan: no lockdep, KASAN, kmemleak or WARN report"
else
	say "splat scan: REPORTS FOUND, see $log"
	exit 1
fi
grep -q "ALL GUEST CHECKS PASSED" "$log" || { say "the guest checks did not pass"; exit 1; }

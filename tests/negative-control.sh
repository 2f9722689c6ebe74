#!/bin/bash
# The splat scan must catch a lockdep report: boot with the KUnit switch
# that takes the domain lock before kvm->lock, and expect the scan to fail.
. "$(dirname "$0")/../harness/lib.sh"
log=$OUT/negative.log
"$TOP/harness/boot.sh" "$OUT/build/test-x86_64" "$OUT/initramfs.cpio.gz" "$log" \
	mdev_kvm_assoc_kunit.invert_lock_order=1 mka.negative \
	kunit.filter_glob=mdev_kvm_assoc_negative
grep -q "possible circular locking dependency" "$log" || die "lockdep did not report the inverted order"
if "$TOP/harness/scan.sh" "$log" > /dev/null 2>&1; then
	die "the splat scan passed a log with a lockdep report"
fi
say "negative control caught: $(grep -m1 'WARNING: possible circular' "$log")"

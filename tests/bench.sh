#!/bin/bash
# tests/bench.sh: make bench. Boots the KVM=m kernel (no debug options) and
# loads lib/mdev_kvm_assoc_bench.ko, which prints each figure as
# "bench: NAME ratio=X", two sequences timed side by side in one run.
# Prints the figures beside their targets; attach_detach_vs_bare (the
# library against the bare driver-lock sequence) and the list walks have
# none. A figure is not a pass/fail test.
. "$(dirname "$0")/../harness/lib.sh"
"$TOP/tests/build-test-kernel.sh" test-kvm-m
log=$OUT/bench.log
"$TOP/harness/boot.sh" "$OUT/build/test-kvm-m" "$(initrd_of test-kvm-m)" "$log" mka.bench=1
grep -E "bench: (detail: )?[a-z_0-9]+" "$log" | sed 's/^\[[ 0-9.]*\] //' | tee "$OUT/bench.txt"
n=$(grep -c "ratio=" "$OUT/bench.txt" || true)
[ "$n" -eq 7 ] || die "expected 7 figures, got $n (see $log)"
awk '/ratio=/ {
	split($0, a, "ratio="); r = a[2] + 0; name = $2
	t = name == "attach_detach" ? 1.0 : name ~ /^(attach|kvm_lock_hold)_4096/ ? 1.2 : \
	    name == "kvm_lock_hold_vs_hand" ? 1.2 : 0
	if (t) printf "target %s <= %.1f: %s\n", name, t, r <= t ? "met" : "MISSED"
}' "$OUT/bench.txt"

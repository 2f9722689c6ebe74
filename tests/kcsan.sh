#!/bin/bash
# tests/kcsan.sh: make kcsan. Builds the KCSAN kernel, boots it through the
# whole guest run (KUnit with its racing kthreads, the end-to-end race of 8
# threads per sample, the regression cases) and fails on any data race
# reported in the library, the VFIO core or the samples. Races KCSAN
# reports elsewhere in the kernel are listed, not counted.
. "$(dirname "$0")/../harness/lib.sh"
t0=$SECONDS
"$TOP/tests/build-test-kernel.sh" test-kcsan
say "KCSAN kernel built in $((SECONDS - t0)) s"
t1=$SECONDS
"$TOP/tests/boot-test-kernel.sh" test-kcsan mka.rounds="${ROUNDS:-200}"
log=$(bootlog_of test-kcsan)
say "booted in $((SECONDS - t1)) s"
grep -q "ALL GUEST CHECKS PASSED" "$log" || die "the guest checks failed under KCSAN"
"$TOP/tests/kunit-results.sh" "$log" mdev_kvm_assoc
"$TOP/tests/kunit-results.sh" "$log" mdev_kvm_assoc_regress module_lifetime
grep -q "kcsan: enabled early" "$log" ||
	die "KCSAN does not seem to be on in $log"
# one report: from "BUG: KCSAN:" to the closing line of '=' signs
awk '/BUG: KCSAN:/ { r = 1; text = "" }
     r { text = text $0 "\n" }
     r && /^==================/ && text ~ /BUG: KCSAN/ { print text "\036"; r = 0 }' \
	"$log" > "$OUT/kcsan-reports.txt"
ours=0 others=0
while IFS= read -r -d $'\036' rep; do
	head=$(echo "$rep" | grep -m1 'BUG: KCSAN:')
	if echo "$rep" | grep -qE 'mdev_kvm_assoc|vfio|mtty|mdpy|mbochs'; then
		ours=$((ours + 1)); echo "OURS: $head"
	else
		others=$((others + 1)); echo "elsewhere: $head"
	fi
done < "$OUT/kcsan-reports.txt"
say "KCSAN: $ours reports in the library, VFIO or the samples; $others elsewhere; $((SECONDS - t0)) s in all"
[ "$ours" -eq 0 ]

#!/bin/bash
# tests/kcsan.sh: make kcsan. Builds the KCSAN kernel, boots it through the
# whole guest run (KUnit with its racing kthreads, the end-to-end race of 8
# threads per sample, failslab, the regression cases) and fails on any data
# race reported in the library, the VFIO core or the samples; races KCSAN
# reports elsewhere in the kernel are listed, not counted. Negative control:
# a second boot where a KUnit case reads the published VM without a lock
# while another thread attaches and detaches; KCSAN must report it.
. "$(dirname "$0")/../harness/lib.sh"
t0=$SECONDS
"$TOP/tests/build-test-kernel.sh" test-kcsan
say "KCSAN kernel built in $((SECONDS - t0)) s"

# kcsan_reports LOG: prints each report's first line; returns how many
# are in our code through $ours
kcsan_reports() {
	local rep head
	ours=0
	while IFS= read -r -d $'\036' rep; do
		head=$(echo "$rep" | grep -m1 'BUG: KCSAN:')
		if echo "$rep" | grep -qE 'mdev_kvm_assoc|vfio|mtty|mdpy|mbochs'; then
			ours=$((ours + 1)); echo "ours: $head"
		else
			echo "elsewhere: $head"
		fi
	done < <(awk '/BUG: KCSAN:/ { r = 1; text = "" }
		r { text = text $0 "\n" }
		r && /^==================/ && text ~ /BUG: KCSAN/ { printf "%s\036", text; r = 0 }' "$1")
}

t1=$SECONDS
"$TOP/tests/boot-test-kernel.sh" test-kcsan mka.rounds="${ROUNDS:-200}" $SAMPLE_POLICIES
log=$(bootlog_of test-kcsan)
grep -q "kcsan: enabled early" "$log" || die "KCSAN is not on in $log"
grep -q "ALL GUEST CHECKS PASSED" "$log" || die "the guest checks failed under KCSAN"
"$TOP/tests/kunit-results.sh" "$log" mdev_kvm_assoc
"$TOP/tests/kunit-results.sh" "$log" mdev_kvm_assoc_regress module_lifetime
kcsan_reports "$log"
say "KCSAN: $ours data races reported in the library, VFIO or the samples ($((SECONDS - t1)) s boot)"
[ "$ours" -eq 0 ] || die "data races in our code"

neg=$OUT/kcsan-negative.log
"$TOP/harness/boot.sh" "$OUT/build/test-kcsan" "$(initrd_of test-kcsan)" "$neg" \
	mdev_kvm_assoc_kunit.unlocked_read=1 mka.negative \
	kunit.filter_glob=mdev_kvm_assoc_negative.unlocked_read_races
kcsan_reports "$neg"
[ "$ours" -gt 0 ] || die "negative control: KCSAN did not report the unlocked read"
say "KCSAN negative control caught the unlocked read; $((SECONDS - t0)) s in all"

#!/bin/bash
# tests/regress-old-pattern.sh KERNEL CASE...: each regression case against
# the open-coded upstream pattern (old_pattern=CASE), in a boot of its own.
# The case must fail: KUnit reports it not ok, or the splat scan finds a
# report (lockdep, KASAN, WARN, which panics). Says what caught each.
. "$(dirname "$0")/../harness/lib.sh"
kernel=$1; shift
for c in "$@"; do
	log=$OUT/regress-old-$c.log
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} "$TOP/harness/boot.sh" \
		"$OUT/build/$kernel" "$(initrd_of "$kernel")" "$log" \
		mka.regress_old="$c" kunit.filter_glob=mdev_kvm_assoc_regress
	grep -q "regression case $c against the open-coded pattern" "$log" ||
		die "$c: the guest never ran the case"
	caught=()
	if ! splat=$("$TOP/harness/scan.sh" "$log" 2>/dev/null); then
		caught+=("splat scan: $(echo "$splat" | grep -m1 -vE 'cut here' | cut -d: -f2- | cut -c1-100)")
	fi
	if grep -qE "^ *not ok [0-9]+ $c\$" "$log"; then
		why=$(grep -m1 -E "^ *# $c: EXPECTATION FAILED|^ *Expected " "$log" | sed 's/^ *//' | cut -c1-100)
		caught+=("KUnit: not ok${why:+ ($why)}")
	fi
	[ ${#caught[@]} -gt 0 ] || die "$c: the open-coded pattern was not caught"
	say "$c, open-coded: caught by $(IFS=";"; echo "${caught[*]}")"
done

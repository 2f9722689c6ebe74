#!/bin/bash
# drivers/s390/crypto/vfio_ap_ops.c of the assembled tree, compiled
# unmodified with lib/mdev_kvm_assoc.c against the kernel-header shim in
# tests/userspace/shim, and driven through its own entry points
# (tests/userspace/vfio_ap/vfio_ap_harness.c): under ASan+UBSan with the
# shim's lock-order check, and under TSan with racing threads; then with
# gcov. Each negative control must be reported: the v1 saved_kvm
# use-after-free (the tree without the frees of fixes/s390/0003) by ASan,
# an inverted lock order by the shim and by TSan, an unlocked read of the
# guest by TSan; and each s390 fix (patches/fixes/s390/) reversed: AQIC
# pinning a NIB for a queue outside the guest, and a removed queue using
# its freed mdev. Those scenarios, and the failed resets of fix 0003
# ("reset": the guest freed with its ISC registered), run on the
# unpatched 7.3 and 6.12 vfio_ap_ops.c (without the series), where they
# fail, and with the fixes (6.12: their backports), where they pass, as
# does "kept-nib".
# shellcheck source=SCRIPTDIR/../harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
dir=$OUT/vfio-ap
drv=$TREE/drivers/s390/crypto
shim=$TOP/tests/userspace/shim
hdir=$TOP/tests/userspace/vfio_ap
[ -f "$drv/vfio_ap_ops.c" ] || die "$drv/vfio_ap_ops.c missing; run harness/tree.sh"
mkdir -p "$dir/v1"

# the v1 form: a copy without fix 0003's frees of what a failed reset leaves
cp "$drv/vfio_ap_ops.c" "$dir/v1/vfio_ap_ops.c"
patch -s -F0 -d "$dir/v1" -p1 < "$hdir/v1-saved-kvm.patch" ||
	die "v1-saved-kvm.patch does not apply to vfio_ap_ops.c"
# copies without each s390 fix: its patch reversed
for fix in aqic:0001 dangling:0002; do
	mkdir -p "$dir/nofix-${fix%:*}/drivers/s390/crypto"
	cp "$drv/vfio_ap_ops.c" "$dir/nofix-${fix%:*}/drivers/s390/crypto/"
	patch -s -R -F0 -d "$dir/nofix-${fix%:*}" -p1 \
		< "$(ls "$TOP"/patches/fixes/s390/"${fix#*:}"-*.patch)" ||
		die "fixes/s390/${fix#*:} does not reverse on vfio_ap_ops.c"
done

# The s390 fixes on the unpatched bases, 7.3 and 6.12 LTS, without the
# series: base-VER as the base has it, base-VER-fixed with the fixes.
bases=("$BASE_KERNELVERSION:$BASE_PRISTINE" "$STABLE_LINE:$STABLE_PRISTINE")
unpack_bases
for b in "${bases[@]}"; do
	IFS=: read -r ver pristine <<< "$b"
	for v in "base-$ver" "base-$ver-fixed"; do
		rm -rf "${dir:?}/$v/src"
		mkdir -p "$dir/$v/src/drivers/s390"
		cp -r "$pristine/drivers/s390/crypto" "$dir/$v/src/drivers/s390/"
	done
	for p in "$TOP"/patches/fixes/s390/0*.patch; do
		# its backport, where one is needed (patches/fixes/VER/)
		[ ! -f "$TOP/patches/fixes/$ver/${p##*/}" ] ||
			p=$TOP/patches/fixes/$ver/${p##*/}
		patch -s -F0 -d "$dir/base-$ver-fixed/src" -p1 < "$p" ||
			die "${p##*/} does not apply to $ver"
	done
done

# build NAME SANITIZER-FLAGS...: the six objects into $dir/NAME/, linked
build() {
	local name=$1 o=$dir/$1 ops=$drv/vfio_ap_ops.c extra=() f idir=$drv
	shift
	mkdir -p "$o"
	[ "$name" != v1 ] || { ops=$dir/v1/vfio_ap_ops.c; extra=(-Wno-unused-function); }
	[ "${name#nofix-}" = "$name" ] || ops=$dir/$name/drivers/s390/crypto/vfio_ap_ops.c
	if [ "${name#base-}" != "$name" ]; then
		idir=$dir/$name/src/drivers/s390/crypto
		ops=$idir/vfio_ap_ops.c
		extra=(-DVFIO_AP_UNCONVERTED)
		[ "${name%-fixed}" = "$name" ] || extra+=(-DVFIO_AP_FIXED)
	fi
	# the shim first, then our include/ (linux/mdev_kvm_assoc.h), then the
	# driver's directory, which gives the real ap_bus.h and vfio_ap_private.h
	local cflags=(-g -Wall -Werror -pthread "$@" -I"$shim/include"
		      -I"$TOP/include" -I"$idir" -include linux/kconfig.h)
	for f in "$ops" "$TOP/lib/mdev_kvm_assoc.c" "$shim/src/kernel.c" \
		 "$shim/src/kvm.c" "$shim/src/s390.c" "$hdir/vfio_ap_harness.c"; do
		nice gcc "${cflags[@]}" "${extra[@]}" -DKBUILD_MODNAME='"vfio_ap"' \
			-c "$f" -o "$o/$(basename "$f" .c).o" &
	done
	for f in 1 2 3 4 5 6; do
		wait -n || die "$name: compile failed"
	done
	nice gcc -pthread "$@" "$o"/*.o -o "$o/harness" ||
		die "$name: cannot link (libasan8, libubsan1, libtsan2?)"
}
# shellcheck disable=SC2054 # commas inside one option
asan=(-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -DSHIM_LOCKDEP_ORDER)
build asan "${asan[@]}"
build v1 "${asan[@]}"
for b in "${bases[@]}"; do
	build "base-${b%%:*}" "${asan[@]}"
	build "base-${b%%:*}-fixed" "${asan[@]}"
done
build nofix-aqic "${asan[@]}"
build nofix-dangling "${asan[@]}"
build tsan -O1 -fsanitize=thread
build cov -O0 --coverage

export ASAN_OPTIONS="abort_on_error=0 exitcode=77 detect_leaks=0"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 detect_deadlocks=1"

# run NAME BUILD ARGS...: logged to $dir/NAME.log; sets log, rc and secs.
# Without ASLR, as tests/tsan.sh, for TSan's fixed memory layout.
run() {
	local name=$1 build=$2 start
	shift 2
	log=$dir/$name.log
	start=$EPOCHREALTIME
	rc=0
	(cd "$dir/$build" && timeout 120 nice setarch "$(uname -m)" -R \
		./harness "$@"; exit $?) > "$log" 2>&1 || rc=$?
	secs=$(awk -v s="$start" -v e="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f", e - s }')
	! grep -q 'FATAL: ThreadSanitizer' "$log" ||
		die "$name: TSan did not start: $(grep -m1 FATAL "$log")"
	[ "$rc" != 124 ] || die "$name: timed out after $secs s, see $log"
}

# a clean run: exit 0, no sanitizer or shim report, the counts matched
clean() {
	local name=$1
	if [ "$rc" != 0 ] || grep -qE 'Sanitizer|runtime error|lockdep shim|^FAIL' "$log"; then
		grep -m1 -A30 -E 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer|runtime error|lockdep shim|^FAIL' "$log" >&2 ||
			tail -20 "$log" >&2
		die "$name failed (exit $rc after $secs s), see $log"
	fi
	grep '^scenario ' "$log" | sed "s/^/mka: $name /"
	say "$name: clean in $secs s: $(grep -m1 '^vfio_ap_harness:' "$log")"
}

run asan asan --race=1
clean asan
run tsan tsan --race=2
clean tsan
run cov cov --race=0.5
clean cov

# negative NAME BUILD EXIT 'REPORT' ARGS...: must exit EXIT with REPORT
negative() {
	local name=$1 build=$2 want=$3 report=$4 line
	shift 4
	run "negative-$name" "$build" "$@"
	[ "$rc" != 0 ] || die "negative control $name passed, see $log"
	line=$(grep -m1 -E "$report" "$log") || line=
	if [ -z "$line" ] || [ "$rc" != "$want" ]; then
		die "negative control $name: exit $rc without '$report', see $log"
	fi
	say "negative $name: caught in $secs s: $line"
	negatives=$((negatives + 1))
}
negatives=0
negative saved-kvm v1 77 'ERROR: AddressSanitizer: heap-use-after-free' \
	--scenario=saved-kvm
if ! grep -q 'in kvm_s390_gisc_unregister' "$log" ||
   ! grep -q 'in vfio_ap_free_aqic_resources' "$log"; then
	die "negative control saved-kvm: the use is not the ISC's unregistration, see $log"
fi
negative inversion-shim asan 134 '^lockdep shim: possible circular locking dependency' \
	--negative=inversion
negative inversion-tsan tsan 66 '^SUMMARY: ThreadSanitizer: lock-order-inversion' \
	--negative=inversion
negative race tsan 66 '^SUMMARY: ThreadSanitizer: data race' \
	--negative=race --race=1
grep -A3 -E '^  (Previous read|Read) of size' "$log" | grep -q 'unlocked_reader' ||
	die "negative control race: the race is not the unlocked read, see $log"

# a finding, reported and not failed on: AQIC 01 on a queue the machine
# no longer has leaks the ISC and the NIB pin just taken
run finding-aqic-unavail asan --scenario=aqic-unavail
if [ "$rc" = 0 ]; then
	say "finding aqic-unavail: no leak (fixed?)"
else
	say "finding aqic-unavail: $(grep -m2 '^FAIL' "$log" | sed 's/.*: //' | paste -sd ';' -)"
fi

# The s390 fixes (patches/fixes/s390/): each scenario passed in the runs
# above; without its fix (the patch reversed) it must fail.
negative nofix-aqic-outside nofix-aqic 1 '^FAIL .*outside the guest' \
	--scenario=aqic-outside
negative nofix-dangling nofix-dangling 77 'ERROR: AddressSanitizer: heap-use-after-free' \
	--scenario=dangling
grep -q 'in vfio_ap_mdev_remove_queue' "$log" ||
	die "negative control nofix-dangling: the use is not the queue's removal, see $log"
# and on each unpatched base: the scenarios fail there, and pass with the
# fixes applied
for b in "${bases[@]}"; do
	ver=${b%%:*}
	for scn in aqic-outside dangling reset kept-nib; do
		run "base-$ver-fixed-$scn" "base-$ver-fixed" --scenario=$scn
		clean "base-$ver-fixed-$scn"
	done
	negative "base-$ver-reset" "base-$ver" 1 '^FAIL .*freed with ISC' \
		--scenario=reset
	negative "base-$ver-aqic-outside" "base-$ver" 1 '^FAIL .*outside the guest' \
		--scenario=aqic-outside
	negative "base-$ver-dangling" "base-$ver" 77 'ERROR: AddressSanitizer: heap-use-after-free' \
		--scenario=dangling
	grep -q 'in vfio_ap_mdev_remove_queue' "$log" ||
		die "negative control base-$ver-dangling: the use is not the queue's removal, see $log"
done

# line coverage of the driver, and the functions never entered
cov=$(cd "$dir/cov" && gcov -n -o . "$drv/vfio_ap_ops.c" 2>/dev/null |
	awk '/^File .*vfio_ap_ops.c/ { f = 1; next }
	     f && /^Lines executed:/ { sub(/^Lines executed:/, ""); print; exit }')
[ -n "$cov" ] || die "gcov found no coverage of vfio_ap_ops.c"
say "vfio_ap_ops.c: ${cov/\% of /% of } lines"
unreached=$(cd "$dir/cov" && gcov -n -f -o . "$drv/vfio_ap_ops.c" 2>/dev/null |
	awk '/^Function / { fn = $2; gsub(/\047/, "", fn) }
	     /^Lines executed:0.00%/ && fn { print fn } /^File / { fn = "" }' |
	sort -u | tr '\n' ' ')
say "vfio_ap_ops.c functions not reached: ${unreached:-none}"
opens=$(grep -m1 '^vfio_ap_harness:' "$dir/asan.log" | sed 's/.*opens \([0-9]*\).*/\1/')
say "vfio-ap: passed; $opens opens under ASan, $negatives negative controls caught; the s390 fixes on $BASE_KERNELVERSION and $STABLE_LINE"

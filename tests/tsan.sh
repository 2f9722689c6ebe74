#!/bin/bash
# ThreadSanitizer: lib/mdev_kvm_assoc.c, compiled as it is against the
# kernel-header shim in tests/userspace/shim (and its VM references,
# shim/src/kvm.c), under racing threads
# (tests/userspace/mdev_kvm_assoc_tsan.c). The run must end clean, and
# each negative control, a lock-order inversion and an unlocked read of the
# VM pointer, must make TSan report, and the third, a VM file's release
# run under the domain lock, must trip the shim's assertion: otherwise the
# harness does not bite.
. "$(dirname "$0")/../harness/lib.sh"
dir=$OUT/tsan
bin=$dir/mdev_kvm_assoc_tsan
mkdir -p "$dir"

# kbuild's way: the configuration force-included, the shim before the
# project's own include/ (which gives the real linux/mdev_kvm_assoc.h)
cflags=(-fsanitize=thread -g -O1 -pthread -Wall -Werror
	-I"$TOP/tests/userspace/shim/include" -I"$TOP/include"
	-include linux/kconfig.h)
nice gcc "${cflags[@]}" -DKBUILD_MODNAME='"mdev_kvm_assoc"' \
	-c "$TOP/lib/mdev_kvm_assoc.c" -o "$dir/mdev_kvm_assoc.o"
nice gcc "${cflags[@]}" -DKBUILD_MODNAME='"mdev_kvm_assoc_tsan"' \
	-c "$TOP/tests/userspace/mdev_kvm_assoc_tsan.c" -o "$dir/harness.o"
nice gcc "${cflags[@]}" -DKBUILD_MODNAME='"kvm"' \
	-c "$TOP/tests/userspace/shim/src/kvm.c" -o "$dir/kvm.o"
nice gcc -fsanitize=thread -pthread "$dir/mdev_kvm_assoc.o" \
	"$dir/kvm.o" "$dir/harness.o" -o "$bin" ||
	die "cannot link with TSan (libtsan2?)"

# detect_deadlocks is the default; the inversion control depends on it
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 detect_deadlocks=1"

# run NAME ARGS...: the harness, logged to $dir/NAME.log; sets log, rc and
# secs. Always without ASLR: on some kernels the randomised mmap layout
# breaks TSan's fixed one ("FATAL: ThreadSanitizer: unexpected memory
# mapping").
run() {
	local name=$1 start
	shift
	log=$dir/$name.log
	start=$EPOCHREALTIME
	rc=0
	# a subshell that is not exec'd, so that its "Aborted" goes to the log
	(timeout 180 nice setarch "$(uname -m)" -R "$bin" "$@"; exit $?) \
		> "$log" 2>&1 || rc=$?
	secs=$(awk -v s="$start" -v e="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f", e - s }')
	if grep -q 'FATAL: ThreadSanitizer' "$log"; then
		die "$name: TSan did not start: $(grep -m1 FATAL "$log")"
	fi
	[ "$rc" != 124 ] || die "$name: timed out after $secs s, see $log"
}

run main
if [ "$rc" != 0 ] || grep -q ThreadSanitizer "$log"; then
	grep -m1 -A30 'WARNING: ThreadSanitizer' "$log" >&2 ||
		tail -20 "$log" >&2
	die "main run failed (exit $rc after $secs s), see $log"
fi
say "tsan main: clean in $secs s: $(grep -m1 '^mdev_kvm_assoc_tsan:' "$log")"

for control in 'inversion:lock-order-inversion' 'race:data race'; do
	name=${control%%:*}
	kind=${control#*:}
	run "negative-$name" --negative="$name"
	[ "$rc" != 0 ] ||
		die "negative control $name passed: a $kind goes unnoticed"
	report=$(grep -m1 "^SUMMARY: ThreadSanitizer: $kind" "$log") || report=
	if [ -z "$report" ] || [ "$rc" != 66 ]; then
		die "negative control $name: exit $rc without a $kind report, see $log"
	fi
	say "tsan negative $name: caught in $secs s: $report"
done

# the shim's lockdep aborts: SIGABRT, 128 + 6
run negative-release --negative=release
report=$(grep -m1 '^lockdep shim: file released with a lock held' "$log") ||
	report=
[ "$rc" != 0 ] || die "negative control release passed: a release under a lock goes unnoticed"
if [ -z "$report" ] || [ "$rc" != 134 ]; then
	die "negative control release: exit $rc without the shim's report, see $log"
fi
say "tsan negative release: caught in $secs s: $report"

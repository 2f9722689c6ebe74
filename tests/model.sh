#!/bin/bash
# tests/model.sh: model-check the protocol of lib/mdev_kvm_assoc.c with Spin
# (tests/model/mdev_kvm_assoc.pml): attach, detach, the lock helper under
# the domain's outer lock, the sysfs read under the domain lock, the VM's
# file with its deferred release (the VFIO core holds it while a device is
# open; the library borrows it), and VM teardown, in a domain with an
# outer lock and callbacks (with 1 and 2 VMs), one with an outer lock and
# policies only, and both without an outer lock, must have no invalid end
# state and no failed assertion (use after free, a file reference
# resurrected, a release under a lock, exclusivity), and with an outer
# lock no cycle (so every process terminates); each OLD_* variant, an
# upstream mistake, and DETACH_NO_OUTER (detach without the outer lock
# that the lock helper relies on) must make Spin report the error it
# causes.
# Needs Debian's spin and gcc.
. "$(dirname "$0")/../harness/lib.sh"
model=$TOP/tests/model/mdev_kvm_assoc.pml
work=$OUT/model
command -v spin > /dev/null || die "spin not installed (apt-get install spin)"
mkdir -p "$work"

# Hash table of 2^22 slots, states compressed, at most 1 GiB; a search
# deeper than DEPTH steps is truncated, which fails below.
WIDTH=22
DEPTH=100000
MEMLIM=1024

# pan_run NAME MODE SPIN_DEFINES...: build and run the verifier in
# $work/NAME; MODE is safety (assertions, invalid end states) or cycles
# (non-progress cycles: with no progress label, any cycle). Leaves pan's
# output in $work/NAME/pan.out and sets states, errors, secs.
pan_run() {
	local name=$1 mode=$2 dir=$work/$1 ccflags=(-DSAFETY) panflags=()
	shift 2
	if [ "$mode" = cycles ]; then
		ccflags=(-DNP)
		panflags=(-l)
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$model" "$dir/"
	(
		cd "$dir"
		spin "$@" -a mdev_kvm_assoc.pml > spin.out 2>&1 ||
			{ cat spin.out >&2; exit 1; }
		# pan.c is generated: -w, as gcc 12's -Wstringop-overflow misfires
		# on its undo code
		nice gcc -w -O2 "${ccflags[@]}" -DCOLLAPSE -DMEMLIM=$MEMLIM \
			-o pan pan.c
		nice ./pan "${panflags[@]}" -m$DEPTH -w$WIDTH > pan.out 2>&1 || true
	) || die "$name: could not build the verifier"
	local out=$dir/pan.out
	if grep -qiE 'search depth too small|out of memory|MEMLIM' "$out"; then
		die "$name: search truncated: $(grep -m1 -iE 'depth too small|memory|MEMLIM' "$out")"
	fi
	states=$(awk '/states, stored/ { print $1; exit }' "$out")
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$out" | head -1)
	secs=$(awk '/elapsed time/ { print $4; exit }' "$out")
	if [ -z "$states" ] || [ -z "$errors" ]; then
		die "$name: no result from pan: $(tail -5 "$out")"
	fi
}

# The library: must be clean.
pan_run library-1vm safety -DNVM=1
[ "$errors" = 0 ] || die "library, 1 VM: $errors errors: $(grep -m1 '^pan:1:' "$work/library-1vm/pan.out")"
say "model: library, 1 VM: $states states, errors: 0 (${secs}s)"
pan_run library safety -DNVM=2
[ "$errors" = 0 ] || die "library: $errors errors: $(grep -m1 '^pan:1:' "$work/library/pan.out")"
say "model: library: $states states, errors: 0 (${secs}s)"
pan_run library-cycles cycles -DNVM=2
[ "$errors" = 0 ] || die "library: a cycle, a process that may never terminate: $(grep -m1 '^pan:1:' "$work/library-cycles/pan.out")"
say "model: library, non-progress cycles: $states states, errors: 0 (${secs}s)"
pan_run library-policy safety -DNVM=2 -DPOLICY_ONLY
[ "$errors" = 0 ] || die "library, policy-only domain: $errors errors: $(grep -m1 '^pan:1:' "$work/library-policy/pan.out")"
say "model: library, policy-only domain: $states states, errors: 0 (${secs}s)"
pan_run library-policy-cycles cycles -DNVM=2 -DPOLICY_ONLY
[ "$errors" = 0 ] || die "library, policy-only domain: a cycle: $(grep -m1 '^pan:1:' "$work/library-policy-cycles/pan.out")"
say "model: library, policy-only domain, non-progress cycles: $states states, errors: 0 (${secs}s)"
pan_run library-no-outer safety -DNVM=2 -DNO_OUTER
[ "$errors" = 0 ] || die "library, no outer lock: $errors errors: $(grep -m1 '^pan:1:' "$work/library-no-outer/pan.out")"
say "model: library, no outer lock: $states states, errors: 0 (${secs}s)"
pan_run library-no-outer-policy safety -DNVM=2 -DNO_OUTER -DPOLICY_ONLY
[ "$errors" = 0 ] || die "library, no outer lock, policy-only domain: $errors errors: $(grep -m1 '^pan:1:' "$work/library-no-outer-policy/pan.out")"
say "model: library, no outer lock, policy-only domain: $states states, errors: 0 (${secs}s)"

# The negative variants: each must be caught, with the expected error.
# VARIANT	what pan must report (extended regex on its "pan:1:" line)
variants=(
	"OLD_PUT_UNDER_LOCK	invalid end state|assertion violated.*freed"
	"OLD_UNLOCKED_LOOKUP	assertion violated.*freed"
	"OLD_GET_UNSAFE		assertion violated.*fcount\[v\]>0|assertion violated.*freed"
	"OLD_NONATOMIC_EXCLUSIVE	assertion violated.*assoc_ref\[1\]==assoc_ref\[2\]"
	"OLD_INVERSION		invalid end state"
	"DETACH_NO_OUTER		assertion violated.*freed|assertion violated.*assoc_ref\[a\]==locked"
)
for v in "${variants[@]}"; do
	var=${v%%	*}
	want=${v#*	}
	want=${want#"${want%%[!	]*}"}
	pan_run "$var" safety -DNVM=2 "-D$var"
	dir=$work/$var
	[ "$errors" -gt 0 ] || die "$var: not caught ($states states, errors: 0)"
	err=$(grep -m1 '^pan:1:' "$dir/pan.out" | sed 's/^pan:1: *//; s/ (at depth [0-9]*)//; s/  */ /g')
	echo "$err" | grep -qE "$want" || die "$var: caught the wrong error: $err"
	# the trail replays to the same error
	[ -f "$dir/mdev_kvm_assoc.pml.trail" ] || die "$var: no trail"
	(cd "$dir" && spin -DNVM=2 "-D$var" -t mdev_kvm_assoc.pml > replay.out 2>&1) || true
	case "$err" in
	"invalid end state"*)
		if ! grep -q '^#processes:' "$dir/replay.out" ||
		   ! grep -E '^ *[0-9]+:[[:space:]]+proc ' "$dir/replay.out" |
		     grep -qv 'valid end state'; then
			die "$var: the trail does not end with a blocked process"
		fi
		kind="invalid end state" ;;
	*)
		grep -q 'assertion violated' "$dir/replay.out" ||
			die "$var: the trail does not replay the assertion"
		kind=$err ;;
	esac
	say "model: $var: caught ($kind) after $states states (${secs}s)"
done

#!/bin/bash
# The library's .kunitconfig as maintainers and CI bots use it:
#   kunit.py run --kunitconfig=lib/mdev_kvm_assoc.kunitconfig --arch=ARCH
# For x86_64 (the base tree's QEMU configuration) the configuration must
# build the library and its suite in; the suite needs no vendor module,
# its VMs being bare struct kvm with a file of their own. For UML, which
# has no KVM, kunit.py must refuse the configuration (the suite depends on
# KVM) rather than run nothing. KUNIT_RUN=1 also builds and runs it on
# x86_64 (a kernel build of its own, minutes on 2 cores).
. "$(dirname "$0")/../harness/lib.sh"
kunit=(python3 "$TREE/tools/testing/kunit/kunit.py")
kcfg=$TREE/lib/mdev_kvm_assoc.kunitconfig
build=$OUT/build/kunit-x86_64
mkdir -p "$OUT/build"
cd "$TREE"

"${kunit[@]}" config --arch=x86_64 --build_dir="$build" --kunitconfig="$kcfg" \
	> "$OUT/kunitconfig-x86_64.log" 2>&1 ||
	{ cat "$OUT/kunitconfig-x86_64.log"; die "kunit.py config --arch=x86_64 failed"; }
for sym in CONFIG_KVM=y CONFIG_MDEV_KVM_ASSOC=y CONFIG_MDEV_KVM_ASSOC_KUNIT_TEST=y \
	   CONFIG_PROVE_LOCKING=y; do
	grep -qx "$sym" "$build/.config" || die "x86_64: $sym not in kunit.py's configuration"
done
say "kunit.py config --arch=x86_64: the library and its suite are built in"

if "${kunit[@]}" config --arch=um --build_dir="$OUT/build/kunit-um" \
	--kunitconfig="$kcfg" > "$OUT/kunitconfig-um.log" 2>&1; then
	die "kunit.py config --arch=um accepted a configuration without KVM"
fi
grep -q 'CONFIG_MDEV_KVM_ASSOC_KUNIT_TEST' "$OUT/kunitconfig-um.log" ||
	{ cat "$OUT/kunitconfig-um.log"; die "um: refused, but not for the suite's dependency"; }
say "kunit.py config --arch=um: refused, the suite depends on KVM"

[ "${KUNIT_RUN:-0}" = 1 ] || exit 0
"${kunit[@]}" run --arch=x86_64 --build_dir="$build" --kunitconfig="$kcfg" \
	--jobs="$JOBS" --make_options CC="${CC_WRAP}gcc" > "$OUT/kunit-run-x86_64.log" 2>&1 ||
	{ tail -40 "$OUT/kunit-run-x86_64.log"; die "kunit.py run --arch=x86_64 failed"; }
grep -E '^\[[0-9:]+\] (Testing complete|Elapsed time)' "$OUT/kunit-run-x86_64.log" ||
	tail -3 "$OUT/kunit-run-x86_64.log"

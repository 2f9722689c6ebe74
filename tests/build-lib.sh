#!/bin/bash
# tests/build-lib.sh CONFIG: compiles the library and its KUnit suite under
# harness/configs/CONFIG.config, and checks that neither refers to a symbol
# that kvm.ko exports: symbol_get() is the only way in.
. "$(dirname "$0")/../harness/lib.sh"
name=$1
build=$OUT/build/$name
objs=(lib/mdev_kvm_assoc.o lib/mdev_kvm_assoc_kunit.o)
# with VFIO (kvm-m): the core, including its cdev path
grep -q '^CONFIG_VFIO=' "$TOP/harness/configs/$name.config" &&
	objs+=(drivers/vfio/vfio_main.o drivers/vfio/group.o drivers/vfio/device_cdev.o)
"$TOP/harness/config.sh" "$build" "$TOP/harness/configs/$name.config"
kmake "$build" "${objs[@]}"
exports=$(grep -rhoE 'EXPORT_SYMBOL(_GPL)?\((kvm|__kvm|gfn|mark_page)[a-z0-9_]*\)' \
	"$TREE/virt/kvm" "$TREE/arch/x86/kvm" | sed 's/.*(\(.*\))/\1/' | sort -u)
[ -n "$exports" ] || die "found no kvm.ko exports to compare with"
for o in "${objs[@]}"; do
	undef=$(nm -u "$build/$o" | awk '{print $2}' | sort -u)
	linked=$(comm -12 <(echo "$exports") <(echo "$undef"))
	[ -z "$linked" ] || die "$o links against kvm.ko: $linked"
done
say "$name: ${objs[*]} built, no reference to kvm.ko's $(echo "$exports" | wc -l) exports"

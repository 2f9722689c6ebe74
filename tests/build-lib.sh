#!/bin/bash
# tests/build-lib.sh CONFIG: compile checks of the library and its users
# under harness/configs/CONFIG.config. kvm-m: the library and the VFIO core
# may not refer to any symbol kvm.ko exports, nor look one up with
# symbol_get(): they hold the VM through its file. kvm-n: the VFIO core and
# the samples build against the stubs.
. "$(dirname "$0")/../harness/lib.sh"
name=$1
build=$OUT/build/$name
case "$name" in
kvm-m)	objs=(lib/mdev_kvm_assoc.o drivers/vfio/vfio_main.o
	      drivers/vfio/group.o drivers/vfio/device_cdev.o) ;;
kvm-n)	objs=(drivers/vfio/vfio_main.o drivers/vfio/group.o
	      samples/vfio-mdev/mtty.o samples/vfio-mdev/mdpy.o
	      samples/vfio-mdev/mbochs.o) ;;
*)	die "unknown configuration $name" ;;
esac
"$TOP/harness/config.sh" "$build" "$TOP/harness/configs/$name.config"
kmake "$build" "${objs[@]}"
exports=$(grep -rhoE 'EXPORT_SYMBOL(_GPL)?\((kvm|__kvm|gfn|mark_page)[a-z0-9_]*\)' \
	"$TREE/virt/kvm" "$TREE/arch/x86/kvm" | sed 's/.*(\(.*\))/\1/' | sort -u)
[ -n "$exports" ] || die "found no kvm.ko exports to compare with"
for o in "${objs[@]}"; do
	undef=$(nm -u "$build/$o" | awk '{print $2}' | sort -u)
	linked=$(comm -12 <(echo "$exports") <(echo "$undef"))
	[ -z "$linked" ] || die "$o links against kvm.ko: $linked"
	if [ "$name" = kvm-m ] && echo "$undef" | grep -qx '__symbol_get'; then
		die "$o looks a symbol up with symbol_get()"
	fi
	if [ "$name" = kvm-n ] && echo "$undef" | grep -q '^mdev_kvm_'; then
		die "$o calls the library, which KVM=n does not build"
	fi
done
say "$name: ${objs[*]} built, no reference to kvm.ko's $(echo "$exports" | wc -l) exports$([ "$name" = kvm-m ] && echo ", no symbol_get()")"

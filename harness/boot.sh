#!/bin/bash
# harness/boot.sh BUILD_DIR INITRAMFS LOG [CMDLINE...]: boots the kernel under
# qemu -cpu max (TCG, nested SVM for KVM in the guest) and keeps the serial
# console in LOG. A WARN panics the guest; -no-reboot ends qemu then.
# no5lvl: in 7.3, pgtable_l5_enabled() is the boot CPU's LA57 feature bit,
# which identify_cpu() clears for a moment at boot; a KASAN check in an
# interrupt in that window (-cpu max has LA57) reports a wild access.
. "$(dirname "$0")/lib.sh"
build=$1 initrd=$2 log=$3; shift 3
timeout --foreground "${BOOT_TIMEOUT:-900}" \
	qemu-system-x86_64 -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "$build/arch/x86/boot/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 no5lvl panic=-1 oops=panic panic_on_warn=1 kunit.filter_glob=mdev_kvm_assoc* mdpy.count=8 $*" \
	< /dev/null > "$log" 2>&1 || true
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"

#!/bin/bash
# kernel-doc -none -Wall on the API, and a Context: line in the kernel-doc
# of every exported function.
. "$(dirname "$0")/../harness/lib.sh"
files=(include/linux/mdev_kvm_assoc.h lib/mdev_kvm_assoc.c)
out=$(cd "$TOP" && "$TREE/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1)
[ -z "$out" ] || { echo "$out"; die "kernel-doc warnings"; }
bad=0
for f in $(cd "$TOP" && grep -ho 'EXPORT_SYMBOL_GPL([a-z_]*)' lib/mdev_kvm_assoc.c | sed 's/.*(\(.*\))/\1/'); do
	doc=$(cd "$TOP" && "$TREE/scripts/kernel-doc" -rst -function "$f" "${files[@]}" 2>/dev/null)
	echo "$doc" | grep -q '^ *\*\*Context\*\*' || { echo "mka: $f: no Context: line"; bad=1; }
done
[ $bad -eq 0 ] || die "kernel-doc without Context:"
say "kernel-doc clean, every export has Context:"

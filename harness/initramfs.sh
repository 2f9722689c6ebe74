#!/bin/bash
# harness/initramfs.sh BUILD_DIR OUTPUT: a gzip'd initramfs of busybox-static,
# tests/guest, the guest binaries built for it ($OUT/guest-bin/NAME) and
# the build's modules (flat in /lib/modules), packed by the kernel's own
# usr/gen_init_cpio.
. "$(dirname "$0")/lib.sh"
build=$1 out=$2
list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	printf 'dir /%s 755 0 0\n' dev proc sys tmp bin lib lib/modules
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox /bin/busybox 755 0 0"
	for app in $(/bin/busybox --list); do
		[ "$app" = busybox ] || echo "slink /bin/$app busybox 777 0 0"
	done
	echo "file /init $TOP/tests/guest/init 755 0 0"
	# the modules of this configuration, not stale ones of an earlier
	[ -f "$build/modules.order" ] && sed 's/\.o$/.ko/' "$build/modules.order" |
		while read -r f; do
			echo "file /lib/modules/$(basename "$f") $build/$f 644 0 0"
		done
	for f in "$OUT/guest-bin/$(basename "$build")"/*; do
		[ -f "$f" ] && echo "file /bin/$(basename "$f") $f 755 0 0"
	done
} > "$list"
"$build/usr/gen_init_cpio" "$list" | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"

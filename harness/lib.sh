# Common settings for the harness scripts; sourced, not run.
set -euo pipefail
# Debian's python3 (with python3-ply for checkpatch's spdxcheck) before any other
export PATH=/usr/bin:/bin:$PATH
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$TOP/out}
# KTREE: another source tree (an unpatched base, tests/fixes-bases.sh)
TREE=${KTREE:-$OUT/linux}
JOBS=${JOBS:-$(nproc)}
# shellcheck source=base.env
. "$TOP/harness/base.env"
# where harness/fetch-base.sh unpacks it, with its version in .version
BASE_DIR=$OUT/debian/$BASE_PACKAGE
BASE_TARBALL=$BASE_DIR/usr/src/$BASE_PACKAGE.tar.xz
STABLE_TARBALL=$OUT/debian/$STABLE_PACKAGE/usr/src/$STABLE_PACKAGE.tar.xz
STABLE_LINE=${STABLE_PACKAGE#linux-source-}
# the unpatched trees (unpack_bases): 7.3 and the stable line
BASE_PRISTINE=$OUT/base
STABLE_PRISTINE=$OUT/bases/$STABLE_LINE-pristine

say() { printf '%s\n' "mka: $*"; }
die() { printf '%s\n' "mka: error: $*" >&2; exit 1; }

# ccache only when asked for (CCACHE=1, for a developer who wipes out/):
# out-of-tree builds already rebuild only what changed, and on a fresh
# machine every lookup misses, which cost 25-40% more CPU per compile here.
CC_WRAP=
[ "${CCACHE:-0}" = 0 ] || CC_WRAP="ccache "

# make for the test kernels, out of tree; build dirs named *s390*
# cross-compile for s390x.
kmake() {
	local build=$1; shift
	local arch=(ARCH=x86_64 CC="${CC_WRAP}gcc")
	case "$build" in
	*s390*) arch=(ARCH=s390 CROSS_COMPILE=s390x-linux-gnu-
		      CC="${CC_WRAP}s390x-linux-gnu-gcc") ;;
	esac
	make -C "${KTREE:-$TREE}" O="$build" "${arch[@]}" \
		KBUILD_BUILD_USER=mka \
		KBUILD_BUILD_HOST=mka -j"$JOBS" -s "$@"
}

# The initramfs and console log of a test kernel; test-x86_64 is the main one.
initrd_of() {
	if [ "$1" = test-x86_64 ]; then echo "$OUT/initramfs.cpio.gz"
	else echo "$OUT/initramfs-$1.cpio.gz"; fi
}
bootlog_of() {
	if [ "$1" = test-x86_64 ]; then echo "$OUT/boot.log"
	else echo "$OUT/boot-$1.log"; fi
}

# The config fragments of harness/configs/NAME.config: a first line
# "# base: OTHER" puts it on top of OTHER's.
fragments_of() {
	local frag=$TOP/harness/configs/$1.config base
	base=$(sed -n '1s/^# base: //p' "$frag")
	[ -z "$base" ] || fragments_of "$base"
	echo "$frag"
}

# The samples' policies are off by default (they open as they always did);
# the main test boot and the demo turn mdpy's on (one display per VM).
# mtty stays without one, and mbochs has none. The KVM=m boot runs with
# the defaults.
SAMPLE_POLICIES="mdpy.one_per_vm=1"

# unpack_base TARBALL DIR: a Debian kernel source tarball, unpacked once
# into DIR (unpatched; a later one replaces it when TARBALL changed).
base_unpacked() {	# TARBALL DIR: DIR holds TARBALL as unpack_base left it
	[ "$(cat "$2/.mka-base" 2>/dev/null)" = "$(stat -c '%s %Y' "$1")" ]
}
unpack_base() {
	local tarball=$1 dir=$2
	! base_unpacked "$tarball" "$dir" || return 0
	rm -rf "$dir" "$dir.unpack"
	mkdir -p "$dir.unpack"
	tar -xf "$tarball" -C "$dir.unpack"
	mv "$dir.unpack"/linux-source-* "$dir"
	rmdir "$dir.unpack"
	stat -c '%s %Y' "$tarball" > "$dir/.mka-base"
}

# the unpatched 7.3 and stable trees, fetched and unpacked once each
unpack_bases() {
	"$TOP/harness/fetch-base.sh" "$STABLE_PACKAGE" "$STABLE_SUITE" \
		"$STABLE_DEBVERSION" > /dev/null
	unpack_base "$BASE_TARBALL" "$BASE_PRISTINE"
	unpack_base "$STABLE_TARBALL" "$STABLE_PRISTINE"
}

# sparse_note BUILD-OUTPUT: Linux 7.3's Makefile turns sparse off, with a
# make warning, when the checker cannot parse __typeof_unqual__ (Debian 12's
# sparse 0.6.4 cannot): say so, so that no check claims a sparse run it did
# not have.
sparse_note() {
	if grep -q 'but sparse is not available or not up to date' <<< "$1"; then
		say "sparse: NOT RUN: the kernel's scripts/checker-valid.sh refuses sparse $(sparse --version 2>/dev/null) (no __typeof_unqual__); W=1 only"
	else
		say "sparse: run"
	fi
}

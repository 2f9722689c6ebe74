# Common settings for the harness scripts; sourced, not run.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$TOP/out}
TREE=$OUT/linux
JOBS=${JOBS:-$(nproc)}
# shellcheck source=base.env
. "$TOP/harness/base.env"

say() { printf '%s\n' "mka: $*"; }
die() { printf '%s\n' "mka: error: $*" >&2; exit 1; }

# make for the x86_64 test kernels, out of tree, through ccache
kmake() {
	local build=$1; shift
	make -C "$TREE" O="$build" ARCH=x86_64 CC="ccache gcc" \
		KBUILD_BUILD_USER=mka \
		KBUILD_BUILD_HOST=mka -j"$JOBS" -s "$@"
}

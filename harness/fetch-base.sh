#!/bin/bash
# harness/fetch-base.sh [PACKAGE SUITE VERSION DEST]: downloads Debian's
# kernel source package (default: base.env's) and unpacks it into DEST
# (default out/debian/PACKAGE), with apt lists of its own under out/apt: the
# machine's apt sources stay as they are. The mirror is the one the
# machine's sources already use. The recorded VERSION is taken when the
# suite still serves it; backports replace their kernels over time, so
# otherwise the newest one of the same package is taken, with a warning.
# Prints the unpacked tarball's path. Does nothing when DEST holds it.
. "$(dirname "$0")/lib.sh"
pkg=${1:-$BASE_PACKAGE} suite=${2:-$BASE_SUITE} want=${3:-$BASE_DEBVERSION}
dest=${4:-$OUT/debian/$pkg}
tarball=$dest/usr/src/$pkg.tar.xz
if [ -f "$tarball" ] && [ -f "$dest/.version" ]; then
	echo "$tarball"
	exit 0
fi
# the Debian archive the machine already uses (deb822 or one-line format)
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || die "no Debian mirror in the machine's apt sources"
apt=$OUT/apt
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$dest"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
	"$mirror" "$suite" > "$apt/parts/base.sources"
opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/parts"
      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
      -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -q update >&2 || die "apt-get update of $suite failed"
versions=$(apt-cache "${opts[@]}" madison "$pkg" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
[ -n "$versions" ] || die "$suite serves no $pkg"
if grep -qxF "$want" <<< "$versions"; then
	got=$want
else
	got=$(apt-cache "${opts[@]}" policy "$pkg" | awk '/Candidate:/ { print $2 }')
	printf '%s\n' "mka: WARNING: $suite no longer serves $pkg $want;" \
		"mka: WARNING: taking $got, the newest it has. Patches must still apply." >&2
fi
(cd "$apt" && rm -f ./*.deb && apt-get "${opts[@]}" -q download "$pkg=$got" >&2) ||
	die "downloading $pkg $got failed"
dpkg-deb -x "$apt/${pkg}_"*.deb "$dest"
rm -f "$apt/${pkg}_"*.deb
[ -f "$tarball" ] || die "$pkg $got holds no $tarball"
echo "$got" > "$dest/.version"
echo "$tarball"

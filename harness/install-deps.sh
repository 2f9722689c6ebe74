#!/bin/bash
# Installs the Debian packages the harness needs; does nothing when they
# are all there.
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio kmod ccache
      python3 xz-utils qemu-system-x86 busybox-static
      sparse perl gcc-s390x-linux-gnu python3-ply python3-git git python3-sphinx
      spin libtsan2 libasan8 libubsan1
      uuid-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
fi
# the base kernel, from its own suite (base.env)
"$TOP/harness/fetch-base.sh" > /dev/null
# the stable kernel the fixes are checked on as well (base.env)
"$TOP/harness/fetch-base.sh" "$STABLE_PACKAGE" "$STABLE_SUITE" "$STABLE_DEBVERSION" > /dev/null
